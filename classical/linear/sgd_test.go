package linear_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/tensor"
)

func TestSGDConformance(t *testing.T) {
	testutil.Conformance(t, []testutil.Case{
		{Name: "SGDClassifier", New: func() classical.Estimator { return linear.NewSGDClassifier() }, Config: estimatortest.Config{Task: estimatortest.Classifier}},
		{Name: "SGDClassifierLogBinary", New: func() classical.Estimator {
			c := linear.NewSGDClassifier()
			c.Loss, c.Seed = "log_loss", 3
			return c
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{Name: "SGDRegressor", New: func() classical.Estimator { return linear.NewSGDRegressor() }, Config: estimatortest.Config{Task: estimatortest.Regressor}},
	})
}

// TestSGDAgainstScikitLearn fits scikit-learn's SGD models with shuffle
// off (the same sample order, so the same steps) for each loss, penalty,
// learning-rate schedule, class weighting and one-vs-rest, and compares
// the weights, epochs, predictions and probabilities recorded by
// testdata/gen_sgd.py (scikit-learn 1.2.1).
func TestSGDAgainstScikitLearn(t *testing.T) {
	var raw map[string]json.RawMessage
	testutil.LoadJSON(t, filepath.Join("testdata", "sgd_ref.json"), &raw)
	var p int
	var X []float64
	targets := map[string][]float64{}
	if err := json.Unmarshal(raw["features"], &p); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw["X"], &X); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"y2", "y3", "yr"} {
		var v []float64
		if err := json.Unmarshal(raw[k], &v); err != nil {
			t.Fatal(err)
		}
		targets[k] = v
	}
	n := len(X) / p
	Xt := tensor.FromFloat64(X, n, p)
	X20 := Xt.Slice(0, 0, 20, 1)
	names := []string{"hinge_l2", "log_elasticnet", "modified_huber_l1_multi", "perceptron_constant_multi",
		"squared_hinge_constant", "hinge_balanced_multi", "squared_error", "huber_adaptive", "epsilon_insensitive_l1"}
	for _, name := range names {
		var c struct {
			Kind, Target    string
			Params          map[string]any
			Coef, Intercept []float64
			NIter           int `json:"n_iter"`
			Pred, Proba     []float64
		}
		if err := json.Unmarshal(raw[name], &c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c.Params["shuffle"] = false
		y := classical.Vector(targets[c.Target])
		if c.Kind == "c" {
			m := linear.NewSGDClassifier()
			if err := m.SetParams(c.Params); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := m.Fit(ctx, Xt, y); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			testutil.AllNear(t, name+" coef", m.Coef().Float64s(), c.Coef, 1e-9)
			testutil.AllNear(t, name+" intercept", m.Intercept(), c.Intercept, 1e-9)
			if m.NIter() != c.NIter {
				t.Errorf("%s: %d epochs, scikit-learn %d", name, m.NIter(), c.NIter)
			}
			pred, _ := m.Predict(X20)
			testutil.AllNear(t, name+" predict", pred.Float64s(), c.Pred, 0)
			if c.Proba != nil {
				pr, err := m.PredictProba(X20)
				if err != nil {
					t.Fatal(err)
				}
				testutil.AllNear(t, name+" proba", pr.Float64s(), c.Proba, 1e-9)
			} else if _, err := m.PredictProba(X20); err == nil {
				t.Errorf("%s: PredictProba without a probabilistic loss", name)
			}
			continue
		}
		m := linear.NewSGDRegressor()
		if err := m.SetParams(c.Params); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := m.Fit(ctx, Xt, y); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		testutil.AllNear(t, name+" coef", m.Coef(), c.Coef, 1e-9)
		testutil.Near(t, name+" intercept", m.Intercept(), c.Intercept[0], 1e-9)
		if m.NIter() != c.NIter {
			t.Errorf("%s: %d epochs, scikit-learn %d", name, m.NIter(), c.NIter)
		}
		pred, _ := m.Predict(X20)
		testutil.AllNear(t, name+" predict", pred.Float64s(), c.Pred, 1e-9)
	}
	// Shuffled fits depend on the seed only.
	a, b := linear.NewSGDClassifier(), linear.NewSGDClassifier()
	a.Seed, b.Seed = 7, 7
	y := classical.Vector(targets["y3"])
	if err := a.Fit(ctx, Xt, y); err != nil {
		t.Fatal(err)
	}
	if err := b.Fit(ctx, Xt, y); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Coef().Float64s(), b.Coef().Float64s()) {
		t.Error("two fits with the same seed differ")
	}
	if acc, _ := a.Score(Xt, y); acc < 0.85 {
		t.Errorf("shuffled SGD accuracy %v on a linear problem", acc)
	}
}
