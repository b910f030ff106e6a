package anomaly_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/anomaly"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
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
	probe := tensor.RandN(tensor.Float64, tensor.NewRand(2), 3, 4)
	testutil.ModelFileFuzz{X: X,
		Estimators: []classical.Estimator{m},
		Probes:     []*tensor.Tensor{probe},
		Also: func(e classical.Estimator) {
			if p, ok := e.(*anomaly.IsolationForest); ok {
				_, _ = p.ScoreSamples(probe)
			}
		},
	}.Run(f)
}
