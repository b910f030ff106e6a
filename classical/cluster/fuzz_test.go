package cluster_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/cluster"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/tensor"
)

// FuzzUnmarshal feeds model files (seeded with real ones) to
// classical.Unmarshal: it must return an error or a model whose methods
// return errors or results, never panic or hang.
func FuzzUnmarshal(f *testing.F) {
	X, _ := estimatortest.Data(estimatortest.Clusterer, false, false)
	for _, e := range []classical.Estimator{cluster.NewKMeans(3), cluster.NewMiniBatchKMeans(2),
		cluster.NewDBSCAN(1.2, 4), cluster.NewAgglomerativeClustering(3)} {
		if err := e.Fit(ctx, X, nil); err != nil {
			f.Fatal(err)
		}
		b, err := classical.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	probe := tensor.RandN(tensor.Float64, tensor.NewRand(2), 4, 4)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := classical.Unmarshal(data)
		if err != nil {
			return
		}
		if p, ok := e.(classical.Predictor); ok {
			_, _ = p.Predict(probe)
		}
		if tr, ok := e.(classical.Transformer); ok {
			_, _ = tr.Transform(probe)
		}
		if a, ok := e.(*cluster.AgglomerativeClustering); ok {
			_ = a.LinkageMatrix()
			_ = a.Children()
		}
	})
}
