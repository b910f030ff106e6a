package ensemble_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
)

// A random forest in a pipeline: scale, then 100 trees grown in parallel
// (the same forest whatever the number of cores), with out-of-bag
// accuracy and feature importances.
func ExampleRandomForestClassifier() {
	X, y, err := testdata.Load("breast_cancer.csv")
	if err != nil {
		panic(err)
	}
	Xtr, ytr, Xte, yte := testutil.SplitEveryFourth(X, y) // test rows: index % 4 == 0
	rf := ensemble.NewRandomForestClassifier()
	rf.OOBScore, rf.Seed = true, 42
	pipe := pipeline.New(
		pipeline.Step("scale", preprocess.NewStandardScaler()),
		pipeline.Step("forest", rf),
	)
	if err := pipe.SetParams(map[string]any{"forest__max_depth": 8}); err != nil {
		panic(err)
	}
	if err := pipe.Fit(context.Background(), Xtr, ytr); err != nil {
		panic(err)
	}
	acc, _ := pipe.Score(Xte, yte)
	oob, _ := rf.OOBScoreValue()
	imp := rf.FeatureImportances()
	best := 0
	for j := range imp {
		if imp[j] > imp[best] {
			best = j
		}
	}
	fmt.Printf("test accuracy %.3f, out-of-bag %.3f, most important feature %d\n", acc, oob, best)
	// Output:
	// test accuracy 0.972, out-of-bag 0.960, most important feature 27
}

// Histogram gradient boosting with native missing values and early
// stopping on a held-out tenth of the training data.
func ExampleHistGradientBoostingClassifier() {
	X, y := nanData(20000, 1) // a quarter of feature 0 is NaN
	Xte, yte := nanData(2000, 2)
	m := ensemble.NewHistGradientBoostingClassifier()
	m.MaxIter, m.EarlyStopping = 200, "auto" // on above 10,000 samples
	if err := m.Fit(context.Background(), X, y); err != nil {
		panic(err)
	}
	acc, _ := m.Score(Xte, yte)
	fmt.Printf("accuracy %.3f, stopped early: %v\n", acc, m.NIter() < 200)
	// Output:
	// accuracy 1.000, stopped early: true
}
