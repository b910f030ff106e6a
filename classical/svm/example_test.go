package svm_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/classical/selection"
	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/tensor"
)

// An RBF support vector classifier with probability estimates, after a
// StandardScaler, on the wine data.
func ExampleSVC() {
	X, y, err := testdata.Load("wine_data.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	Xtr, Xte, ytr, yte, err := selection.TrainTestSplit(X, y, 0.3, selection.Stratify(), selection.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	clf := svm.NewSVC()
	clf.C, clf.Probability = 10, true
	model := pipeline.New(pipeline.Step("scale", preprocess.NewStandardScaler()), pipeline.Step("svc", clf))
	if err := model.Fit(context.Background(), Xtr, ytr); err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := model.Score(Xte, yte)
	proba, _ := model.PredictProba(Xte.Slice(0, 0, 1, 1))
	fmt.Printf("test accuracy %.3f, support vectors per class %v\n", acc, clf.NSupport())
	fmt.Printf("classes %v, first sample's most likely class has p > 0.5: %v\n", clf.Classes(), tensor.Max(proba).Item() > 0.5)
	// Output:
	// test accuracy 1.000, support vectors per class [14 22 16]
	// classes [0 1 2], first sample's most likely class has p > 0.5: true
}
