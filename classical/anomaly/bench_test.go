package anomaly_test

import (
	"testing"

	"github.com/ember-ml/ember/classical/anomaly"
	"github.com/ember-ml/ember/tensor"
)

// BenchmarkIsolationForest fits the default forest (100 trees of 256
// samples) on 100,000 x 10 Gaussian rows and scores them all.
func BenchmarkIsolationForest(b *testing.B) {
	X := tensor.RandN(tensor.Float64, tensor.NewRand(0), 100000, 10)
	for i := 0; i < b.N; i++ {
		m := anomaly.NewIsolationForest()
		if err := m.Fit(ctx, X, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := m.ScoreSamples(X); err != nil {
			b.Fatal(err)
		}
	}
}
