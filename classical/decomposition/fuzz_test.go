package decomposition_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/decomposition"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/tensor"
)

// FuzzUnmarshal feeds model files (seeded with real ones) to
// classical.Unmarshal: it must return an error or a usable model, never
// panic.
func FuzzUnmarshal(f *testing.F) {
	X, _ := estimatortest.Data(estimatortest.Transformer, false, false)
	for _, e := range []classical.Estimator{decomposition.NewPCA(2), decomposition.NewTruncatedSVD(2)} {
		if err := e.Fit(ctx, X, nil); err != nil {
			f.Fatal(err)
		}
		b, err := classical.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	probe := tensor.RandN(tensor.Float64, tensor.NewRand(2), 3, 4)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := classical.Unmarshal(data)
		if err != nil {
			return
		}
		if tr, ok := e.(classical.InverseTransformer); ok {
			if z, err := tr.Transform(probe); err == nil {
				_, _ = tr.InverseTransform(z)
			}
		}
	})
}
