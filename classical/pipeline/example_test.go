package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
)

// A scaler and a classifier as one estimator, its nested parameters, and
// a save/load round trip of the fitted pipeline.
func ExampleNew() {
	X, y, err := testdata.Load("breast_cancer.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	pipe := pipeline.New(
		pipeline.Step("scaler", preprocess.NewStandardScaler()),
		pipeline.Step("clf", linear.NewLogisticRegression()),
	)
	if err := pipe.SetParams(map[string]any{"clf__C": 0.5}); err != nil {
		fmt.Println(err)
		return
	}
	if err := pipe.Fit(context.Background(), X, y); err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := pipe.Score(X, y)
	fmt.Printf("C=%v, training accuracy %.3f\n", pipe.GetParams()["clf__C"], acc)

	dir, _ := os.MkdirTemp("", "pipe")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.json")
	if err := classical.Save(path, pipe); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := classical.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	acc2, _ := loaded.(classical.Scorer).Score(X, y)
	fmt.Printf("loaded %T, same accuracy: %v\n", loaded, acc == acc2)
	// Output:
	// C=0.5, training accuracy 0.988
	// loaded *pipeline.Pipeline, same accuracy: true
}
