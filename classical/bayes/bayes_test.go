package bayes_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/bayes"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	estimatortest.Check(t, func() classical.Estimator { return bayes.NewGaussianNB() }, estimatortest.Config{Task: estimatortest.Classifier})
	t.Run("Multinomial", func(t *testing.T) {
		estimatortest.Check(t, func() classical.Estimator { return bayes.NewMultinomialNB() }, estimatortest.Config{Task: estimatortest.Classifier, NonNegative: true})
	})
}

func ref(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../testdata/sklearn_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	return all["bayes"].(map[string]any)
}

func floats(v any) []float64 {
	a := v.([]any)
	out := make([]float64, len(a))
	for i, x := range a {
		out[i] = x.(float64)
	}
	return out
}

func nearAll(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, scikit-learn %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, scikit-learn %v", what, i, got[i], want[i])
		}
	}
}

func TestGaussianNBAgainstScikitLearn(t *testing.T) {
	r := ref(t)
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	g := bayes.NewGaussianNB()
	if err := g.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	nearAll(t, "theta", g.Theta().Float64s(), floats(r["gnb_theta"]), 1e-12)
	nearAll(t, "var", g.Var().Float64s(), floats(r["gnb_var"]), 1e-12)
	pr, _ := g.PredictProba(X)
	nearAll(t, "proba", pr.Float64s(), floats(r["gnb_proba"]), 1e-9)
	pred, _ := g.Predict(X)
	nearAll(t, "pred", pred.Float64s(), floats(r["gnb_pred"]), 0)
}

func TestMultinomialNBAgainstScikitLearn(t *testing.T) {
	r := ref(t)
	y := floats(r["mnb_y"])
	X := tensor.FromFloat64(floats(r["mnb_X"]), len(y), 4)
	m := bayes.NewMultinomialNB()
	m.Alpha = 0.5
	if err := m.Fit(ctx, X, classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	nearAll(t, "feature_log_prob", m.FeatureLogProb().Float64s(), floats(r["mnb_flp"]), 1e-12)
	nearAll(t, "class_log_prior", m.ClassLogPrior(), floats(r["mnb_prior"]), 1e-12)
	pr, _ := m.PredictProba(X)
	nearAll(t, "proba", pr.Float64s(), floats(r["mnb_proba"]), 1e-9)
	if err := m.Fit(ctx, tensor.FromFloat64([]float64{1, -1}, 1, 2), classical.Vector([]float64{0})); !errors.Is(err, classical.ErrInvalidInput) {
		t.Errorf("negative counts: %v", err)
	}
}

func TestPriors(t *testing.T) {
	X, y, _ := testdata.Load("iris.csv")
	g := bayes.NewGaussianNB()
	g.Priors = []float64{0.5, 0.5}
	if err := g.Fit(ctx, X, y); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("2 priors for 3 classes: %v", err)
	}
	g.Priors = []float64{0.8, 0.1, 0.1}
	if err := g.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	j, _ := g.PredictJointLogProba(X.Slice(0, 0, 1, 1))
	g2 := bayes.NewGaussianNB()
	if err := g2.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	j2, _ := g2.PredictJointLogProba(X.Slice(0, 0, 1, 1))
	// Only the prior term changes: log(0.8) - log(1/3).
	if d := j.Float64s()[0] - j2.Float64s()[0]; math.Abs(d-(math.Log(0.8)-math.Log(1.0/3))) > 1e-12 {
		t.Errorf("prior shift %v", d)
	}
}
