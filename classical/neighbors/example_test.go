package neighbors_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/neighbors"
	"github.com/ember-ml/ember/classical/selection"
)

// k nearest neighbours with distance weights, cross-validated.
func ExampleKNeighborsClassifier() {
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	knn := neighbors.NewKNeighborsClassifier()
	knn.NNeighbors, knn.Weights = 7, "distance"
	scores, err := selection.CrossValScore(context.Background(), knn, X, y, selection.CV(5))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("5-fold accuracy %.3f\n", selection.Mean(scores))
	if err := knn.Fit(context.Background(), X, y); err != nil {
		fmt.Println(err)
		return
	}
	dist, idx, _ := knn.KNeighbors(X.Slice(0, 0, 1, 1), 3)
	fmt.Printf("neighbours of sample 0: %v at %.3f\n", idx, dist.Float64s())
	// Output:
	// 5-fold accuracy 0.980
	// neighbours of sample 0: [0 17 4] at [0.000 0.100 0.141]
}
