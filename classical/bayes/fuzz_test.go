package bayes_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/bayes"
	"github.com/ember-ml/ember/classical/estimatortest"
)

// FuzzUnmarshal feeds mutated model files to classical.Unmarshal: it must
// return an error or a model that predicts without panicking.
func FuzzUnmarshal(f *testing.F) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, true)
	ests := []classical.Estimator{bayes.NewGaussianNB(), bayes.NewMultinomialNB()}

	for _, e := range ests {
		if err := e.Fit(ctx, X, y); err != nil {
			f.Fatal(err)
		}
		b, err := classical.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := classical.Unmarshal(data)
		if err != nil {
			return
		}
		if p, ok := m.(classical.Predictor); ok {
			_, _ = p.Predict(X)
		}
		if c, ok := m.(classical.Classifier); ok {
			_, _ = c.PredictProba(X)
		}
	})
}
