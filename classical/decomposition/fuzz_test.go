package decomposition_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/decomposition"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

// FuzzUnmarshal feeds model files (seeded with real ones) to
// classical.Unmarshal: it must return an error or a usable model, never
// panic.
func FuzzUnmarshal(f *testing.F) {
	X, _ := estimatortest.Data(estimatortest.Transformer, false, false)
	testutil.ModelFileFuzz{X: X,
		Estimators: []classical.Estimator{decomposition.NewPCA(2), decomposition.NewTruncatedSVD(2)},
		Probes:     []*tensor.Tensor{tensor.RandN(tensor.Float64, tensor.NewRand(2), 3, 4)},
	}.Run(f)
}
