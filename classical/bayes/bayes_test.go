package bayes_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/bayes"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	estimatortest.Check(t, func() classical.Estimator { return bayes.NewGaussianNB() }, estimatortest.Config{Task: estimatortest.Classifier})
	t.Run("Multinomial", func(t *testing.T) {
		estimatortest.Check(t, func() classical.Estimator { return bayes.NewMultinomialNB() }, estimatortest.Config{Task: estimatortest.Classifier, NonNegative: true})
	})
}

func TestGaussianNBAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "bayes")
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	g := bayes.NewGaussianNB()
	if err := g.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "theta", g.Theta().Float64s(), testutil.Floats(r["gnb_theta"]), 1e-12)
	testutil.AllNear(t, "var", g.Var().Float64s(), testutil.Floats(r["gnb_var"]), 1e-12)
	pr, _ := g.PredictProba(X)
	testutil.AllNear(t, "proba", pr.Float64s(), testutil.Floats(r["gnb_proba"]), 1e-9)
	pred, _ := g.Predict(X)
	testutil.AllNear(t, "pred", pred.Float64s(), testutil.Floats(r["gnb_pred"]), 0)
}

func TestMultinomialNBAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "bayes")
	y := testutil.Floats(r["mnb_y"])
	X := tensor.FromFloat64(testutil.Floats(r["mnb_X"]), len(y), 4)
	m := bayes.NewMultinomialNB()
	m.Alpha = 0.5
	if err := m.Fit(ctx, X, classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "feature_log_prob", m.FeatureLogProb().Float64s(), testutil.Floats(r["mnb_flp"]), 1e-12)
	testutil.AllNear(t, "class_log_prior", m.ClassLogPrior(), testutil.Floats(r["mnb_prior"]), 1e-12)
	pr, _ := m.PredictProba(X)
	testutil.AllNear(t, "proba", pr.Float64s(), testutil.Floats(r["mnb_proba"]), 1e-9)
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
