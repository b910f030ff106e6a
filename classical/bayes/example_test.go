package bayes_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/bayes"
	"github.com/ember-ml/ember/classical/internal/testdata"
)

// Gaussian naive Bayes: per-class means and variances, posterior
// probabilities.
func ExampleGaussianNB() {
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	nb := bayes.NewGaussianNB()
	if err := nb.Fit(context.Background(), X, y); err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := nb.Score(X, y)
	proba, _ := nb.PredictProba(X.Slice(0, 50, 51, 1))
	fmt.Printf("training accuracy %.3f\n", acc)
	fmt.Printf("P(class | sample 50) = %.3f\n", proba.Float64s())
	// Output:
	// training accuracy 0.960
	// P(class | sample 50) = [0.000 0.804 0.196]
}
