package anomaly_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/anomaly"
	"github.com/ember-ml/ember/tensor"
)

// An isolation forest flags the two points far from the cloud.
func ExampleIsolationForest() {
	rng := tensor.NewRand(5)
	x := make([]float64, 0, 2*202)
	for i := 0; i < 200; i++ {
		x = append(x, rng.NormFloat64(), rng.NormFloat64())
	}
	x = append(x, 8, 8, -7, 9)
	X := tensor.FromFloat64(x, 202, 2)
	iso := anomaly.NewIsolationForest()
	iso.Contamination = 0.005 // the offset falls between the 2nd and 3rd lowest scores
	iso.Seed = 1
	pred, err := iso.FitPredict(context.Background(), X)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range pred.Float64s() {
		if v == -1 {
			fmt.Println("outlier at row", i)
		}
	}
	s, _ := iso.ScoreSamples(tensor.FromFloat64([]float64{0, 0, 8, 8}, 2, 2))
	fmt.Printf("score of the centre %.2f, of (8, 8) %.2f\n", s.Float64s()[0], s.Float64s()[1])
	// Output:
	// outlier at row 200
	// outlier at row 201
	// score of the centre -0.39, of (8, 8) -0.85
}
