package tree_test

import (
	"context"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/tree"
)

// FuzzLoadTree feeds corrupted model files to Unmarshal: it must return an
// error or an estimator that predicts without panicking.
func FuzzLoadTree(f *testing.F) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	c := tree.NewDecisionTreeClassifier()
	c.MaxDepth = 3
	if err := c.Fit(context.Background(), X, y); err != nil {
		f.Fatal(err)
	}
	r := tree.NewDecisionTreeRegressor()
	r.MaxDepth = 2
	if err := r.Fit(context.Background(), X, y); err != nil {
		f.Fatal(err)
	}
	for _, e := range []classical.Estimator{c, r} {
		b, err := classical.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := classical.Unmarshal(data)
		if err != nil {
			return
		}
		if p, ok := e.(classical.Predictor); ok {
			_, _ = p.Predict(X)
		}
		if p, ok := e.(classical.Classifier); ok {
			_, _ = p.PredictProba(X)
		}
	})
}
