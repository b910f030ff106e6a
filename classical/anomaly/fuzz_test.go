package anomaly_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/anomaly"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/tensor"
)

// FuzzUnmarshal feeds model files (seeded with a real forest) to
// classical.Unmarshal: it must return an error or a forest whose scoring
// terminates without panicking.
func FuzzUnmarshal(f *testing.F) {
	X, _ := estimatortest.Data(estimatortest.Clusterer, false, false)
	m := anomaly.NewIsolationForest()
	m.NEstimators = 3
	m.MaxSamples = 16
	if err := m.Fit(ctx, X, nil); err != nil {
		f.Fatal(err)
	}
	b, err := classical.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	probe := tensor.RandN(tensor.Float64, tensor.NewRand(2), 3, 4)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := classical.Unmarshal(data)
		if err != nil {
			return
		}
		if p, ok := e.(*anomaly.IsolationForest); ok {
			_, _ = p.Predict(probe)
		}
	})
}
