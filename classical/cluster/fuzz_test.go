package cluster_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/cluster"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

// FuzzUnmarshal feeds model files (seeded with real ones) to
// classical.Unmarshal: it must return an error or a model whose methods
// return errors or results, never panic or hang.
func FuzzUnmarshal(f *testing.F) {
	X, _ := estimatortest.Data(estimatortest.Clusterer, false, false)
	testutil.ModelFileFuzz{X: X,
		Estimators: []classical.Estimator{cluster.NewKMeans(3), cluster.NewMiniBatchKMeans(2),
			cluster.NewDBSCAN(1.2, 4), cluster.NewAgglomerativeClustering(3)},
		Probes: []*tensor.Tensor{tensor.RandN(tensor.Float64, tensor.NewRand(2), 4, 4)},
		Also: func(e classical.Estimator) {
			if a, ok := e.(*cluster.AgglomerativeClustering); ok {
				_ = a.LinkageMatrix()
				_ = a.Children()
			}
		},
	}.Run(f)
}
