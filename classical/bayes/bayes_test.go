package bayes_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
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
	t.Run("Complement", func(t *testing.T) {
		estimatortest.Check(t, func() classical.Estimator { return bayes.NewComplementNB() }, estimatortest.Config{Task: estimatortest.Classifier, NonNegative: true})
	})
	t.Run("Bernoulli", func(t *testing.T) {
		estimatortest.Check(t, func() classical.Estimator { return bayes.NewBernoulliNB() }, estimatortest.Config{Task: estimatortest.Classifier})
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

// nbCase is one fitted model of testdata/nb_ref.json.
type nbCase struct {
	X, Xt          []float64 // bnb_none's own 0/1 data
	Binarize       *float64
	FeatureLogProb []float64 `json:"feature_log_prob"`
	ClassLogPrior  []float64 `json:"class_log_prior"`
	Proba, Pred    []float64
}

// nbRef is testdata/nb_ref.json, recorded from scikit-learn 1.2.1 by
// testdata/gen_nb.py: the data, and the models by name.
type nbRef struct {
	X, Y, Xt []float64
	Features int
	Cases    map[string]nbCase
}

func loadNBRef(t *testing.T) nbRef {
	var raw map[string]json.RawMessage
	testutil.LoadJSON(t, filepath.Join("testdata", "nb_ref.json"), &raw)
	r := nbRef{Cases: map[string]nbCase{}}
	for k, v := range raw {
		var err error
		switch k {
		case "X":
			err = json.Unmarshal(v, &r.X)
		case "y":
			err = json.Unmarshal(v, &r.Y)
		case "Xt":
			err = json.Unmarshal(v, &r.Xt)
		case "features":
			err = json.Unmarshal(v, &r.Features)
		case "sklearn":
		default:
			var c nbCase
			err = json.Unmarshal(v, &c)
			r.Cases[k] = c
		}
		if err != nil {
			t.Fatalf("nb_ref.json %s: %v", k, err)
		}
	}
	return r
}

func TestComplementNBAgainstScikitLearn(t *testing.T) {
	r := loadNBRef(t)
	X := tensor.FromFloat64(r.X, len(r.Y), r.Features)
	Xt := tensor.FromFloat64(r.Xt, len(r.Xt)/r.Features, r.Features)
	for _, norm := range []bool{false, true} {
		want := r.Cases[fmt.Sprintf("cnb_norm_%v", norm)]
		c := bayes.NewComplementNB()
		c.Alpha, c.Norm = 0.7, norm
		if err := c.Fit(ctx, X, classical.Vector(r.Y)); err != nil {
			t.Fatal(err)
		}
		testutil.AllNear(t, "feature_log_prob", c.FeatureLogProb().Float64s(), want.FeatureLogProb, 1e-12)
		pr, _ := c.PredictProba(Xt)
		testutil.AllNear(t, "proba", pr.Float64s(), want.Proba, 1e-9)
		pred, _ := c.Predict(Xt)
		testutil.AllNear(t, "pred", pred.Float64s(), want.Pred, 0)
	}
}

func TestBernoulliNBAgainstScikitLearn(t *testing.T) {
	r := loadNBRef(t)
	for _, name := range []string{"bnb_half", "bnb_one", "bnb_none"} {
		want := r.Cases[name]
		x, xt := r.X, r.Xt
		b := bayes.NewBernoulliNB()
		b.Alpha = 0.5
		if name == "bnb_none" {
			x, xt = want.X, want.Xt
			b.Alpha, b.Binarize, b.FitPrior = 1, nil, false
		} else {
			b.Binarize = *want.Binarize
		}
		X := tensor.FromFloat64(x, len(r.Y), r.Features)
		Xt := tensor.FromFloat64(xt, len(xt)/r.Features, r.Features)
		if err := b.Fit(ctx, X, classical.Vector(r.Y)); err != nil {
			t.Fatal(err)
		}
		testutil.AllNear(t, name+" feature_log_prob", b.FeatureLogProb().Float64s(), want.FeatureLogProb, 1e-12)
		testutil.AllNear(t, name+" class_log_prior", b.ClassLogPrior(), want.ClassLogPrior, 1e-12)
		pr, _ := b.PredictProba(Xt)
		testutil.AllNear(t, name+" proba", pr.Float64s(), want.Proba, 1e-9)
		pred, _ := b.Predict(Xt)
		testutil.AllNear(t, name+" pred", pred.Float64s(), want.Pred, 0)
	}
	b := bayes.NewBernoulliNB()
	if err := b.SetParams(map[string]any{"binarize": "high"}); err == nil {
		t.Error(`binarize "high" accepted`)
	}
}
