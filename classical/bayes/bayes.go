// Package bayes holds scikit-learn's naive Bayes classifiers: GaussianNB
// (per-class normal features, variances smoothed by VarSmoothing times the
// largest feature variance), MultinomialNB (count features with additive
// smoothing Alpha), ComplementNB (counts, each class described by its
// complement, for imbalanced text) and BernoulliNB (binary features). All
// compute the joint log-likelihood with one GEMM and return probabilities
// through a log-sum-exp.
package bayes

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("bayes.GaussianNB", func() classical.Estimator { return NewGaussianNB() })
	classical.Register("bayes.MultinomialNB", func() classical.Estimator { return NewMultinomialNB() })
	classical.Register("bayes.ComplementNB", func() classical.Estimator { return NewComplementNB() })
	classical.Register("bayes.BernoulliNB", func() classical.Estimator { return NewBernoulliNB() })
}

// probaFromJLL turns joint log-likelihoods [n, K] into probabilities.
func probaFromJLL(jll []float64, n, K int) *tensor.Tensor {
	out := make([]float64, n*K)
	for i := 0; i < n; i++ {
		row := jll[i*K : (i+1)*K]
		mx := slices.Max(row)
		s := 0.0
		for _, v := range row {
			s += math.Exp(v - mx)
		}
		lse := mx + math.Log(s)
		for k, v := range row {
			out[i*K+k] = math.Exp(v - lse)
		}
	}
	return tensor.FromFloat64(out, n, K)
}

func argmaxClasses(jll []float64, n, K int, classes []float64) *tensor.Tensor {
	out := make([]float64, n)
	for i := range out {
		best := 0
		for k := 1; k < K; k++ {
			if jll[i*K+k] > jll[i*K+best] {
				best = k
			}
		}
		out[i] = classes[best]
	}
	return classical.Vector(out)
}

// checkPriors validates user class priors against the classes found.
func checkPriors(est string, priors []float64, K int) error {
	if priors == nil {
		return nil
	}
	if len(priors) != K {
		return classical.InvalidParamf(est, "%d priors for %d classes", len(priors), K)
	}
	s := 0.0
	for _, p := range priors {
		if !(p >= 0) {
			return classical.InvalidParamf(est, "priors must be non-negative, got %v", priors)
		}
		s += p
	}
	if math.Abs(s-1) > 1e-8 {
		return classical.InvalidParamf(est, "priors must sum to 1, got %v", s)
	}
	return nil
}

// GaussianNB models each feature of each class as a normal distribution.
type GaussianNB struct {
	Priors       []float64 // "priors": class priors (nil: class frequencies)
	VarSmoothing float64   // "var_smoothing", default 1e-9

	classes []float64
	theta   []float64 // [K, p]
	vr      []float64 // [K, p]
	prior   []float64 // [K]
	nFeat   int
}

// NewGaussianNB returns a GaussianNB with scikit-learn's defaults.
func NewGaussianNB() *GaussianNB { return &GaussianNB{VarSmoothing: 1e-9} }

func (g *GaussianNB) params() classical.Params {
	return classical.Params{classical.FloatSlice("priors", &g.Priors), classical.Float("var_smoothing", &g.VarSmoothing)}
}

// GetParams implements classical.Estimator.
func (g *GaussianNB) GetParams() map[string]any { return g.params().Get() }

// SetParams implements classical.Estimator.
func (g *GaussianNB) SetParams(m map[string]any) error { return g.params().Set("GaussianNB", m) }

// Clone implements classical.Estimator.
func (g *GaussianNB) Clone() classical.Estimator { return classical.CloneByParams(g, NewGaussianNB) }

// Fit computes per-class means and variances.
func (g *GaussianNB) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "GaussianNB"
	g.theta = nil
	if !(g.VarSmoothing >= 0) || math.IsInf(g.VarSmoothing, 0) {
		return classical.InvalidParamf(est, "var_smoothing must be >= 0, got %v", g.VarSmoothing)
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	classes, idx := classical.Classes(ys)
	K, p, n := len(classes), xm.Cols, xm.Rows
	if err := checkPriors(est, g.Priors, K); err != nil {
		return err
	}
	// epsilon = var_smoothing * max feature variance over all samples.
	maxVar := 0.0
	for j := 0; j < p; j++ {
		m := 0.0
		for i := 0; i < n; i++ {
			m += xm.At(i, j)
		}
		m /= float64(n)
		v := 0.0
		for i := 0; i < n; i++ {
			d := xm.At(i, j) - m
			v += d * d
		}
		maxVar = math.Max(maxVar, v/float64(n))
	}
	eps := g.VarSmoothing * maxVar
	theta := make([]float64, K*p)
	vr := make([]float64, K*p)
	cnt := make([]float64, K)
	for i, k := range idx {
		cnt[k]++
		for j, v := range xm.Row(i) {
			theta[k*p+j] += v
		}
	}
	for k := 0; k < K; k++ {
		for j := 0; j < p; j++ {
			theta[k*p+j] /= cnt[k]
		}
	}
	for i, k := range idx {
		for j, v := range xm.Row(i) {
			d := v - theta[k*p+j]
			vr[k*p+j] += d * d
		}
	}
	for k := 0; k < K; k++ {
		for j := 0; j < p; j++ {
			vr[k*p+j] = vr[k*p+j]/cnt[k] + eps
			if !(vr[k*p+j] > 0) {
				return classical.Invalidf(est, "feature %d of class %v has zero variance; set var_smoothing > 0", j, classes[k])
			}
		}
	}
	prior := slices.Clone(g.Priors)
	if prior == nil {
		prior = make([]float64, K)
		for k := range prior {
			prior[k] = cnt[k] / float64(n)
		}
	}
	g.classes, g.theta, g.vr, g.prior, g.nFeat = classes, theta, vr, prior, p
	return nil
}

// jll returns log P(c) + log P(x | c) for each sample and class. The
// quadratic form expands into two GEMMs: Σ x²/σ² and Σ xθ/σ².
func (g *GaussianNB) jll(X *tensor.Tensor) ([]float64, int, error) {
	const est = "GaussianNB"
	if g.theta == nil {
		return nil, 0, classical.NotFitted(est)
	}
	xm, err := classical.CheckFeatures(est, X, g.nFeat)
	if err != nil {
		return nil, 0, err
	}
	K, p, n := len(g.classes), g.nFeat, xm.Rows
	inv := make([]float64, K*p)  // 1/σ²
	tinv := make([]float64, K*p) // θ/σ²
	constK := make([]float64, K) // log prior - ½ Σ log 2πσ² - ½ Σ θ²/σ²
	for k := 0; k < K; k++ {
		c := math.Log(g.prior[k])
		for j := 0; j < p; j++ {
			v, t := g.vr[k*p+j], g.theta[k*p+j]
			inv[k*p+j] = 1 / v
			tinv[k*p+j] = t / v
			c -= 0.5*math.Log(2*math.Pi*v) + 0.5*t*t/v
		}
		constK[k] = c
	}
	x2 := make([]float64, n*p)
	for i, v := range xm.Data {
		x2[i] = v * v
	}
	a := tensor.MatMul(tensor.FromFloat64(x2, n, p), tensor.FromFloat64(inv, K, p).T()).Float64s()
	b := tensor.MatMul(xm.Tensor(), tensor.FromFloat64(tinv, K, p).T()).Float64s()
	out := make([]float64, n*K)
	for i := 0; i < n; i++ {
		for k := 0; k < K; k++ {
			out[i*K+k] = constK[k] - 0.5*a[i*K+k] + b[i*K+k]
		}
	}
	return out, n, nil
}

// PredictJointLogProba returns log P(c) + log P(x | c), [n, classes].
func (g *GaussianNB) PredictJointLogProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	j, n, err := g.jll(X)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(j, n, len(g.classes)), nil
}

// PredictProba returns the posterior class probabilities.
func (g *GaussianNB) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	j, n, err := g.jll(X)
	if err != nil {
		return nil, err
	}
	return probaFromJLL(j, n, len(g.classes)), nil
}

// Predict returns the most probable class.
func (g *GaussianNB) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	j, n, err := g.jll(X)
	if err != nil {
		return nil, err
	}
	return argmaxClasses(j, n, len(g.classes), g.classes), nil
}

// Classes returns the sorted class labels.
func (g *GaussianNB) Classes() []float64 { return slices.Clone(g.classes) }

// Theta returns the per-class feature means, [classes, features].
func (g *GaussianNB) Theta() *tensor.Tensor {
	if g.theta == nil {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(g.theta), len(g.classes), g.nFeat)
}

// Var returns the per-class feature variances (smoothed), [classes,
// features].
func (g *GaussianNB) Var() *tensor.Tensor {
	if g.vr == nil {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(g.vr), len(g.classes), g.nFeat)
}

// Score returns the accuracy on (X, y).
func (g *GaussianNB) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("GaussianNB", g, X, y)
}

// TypeName implements classical.Persistable.
func (g *GaussianNB) TypeName() string { return "bayes.GaussianNB" }

type gnbState struct {
	Classes classical.Floats `json:"classes"`
	Theta   classical.Array  `json:"theta"`
	Var     classical.Array  `json:"var"`
	Prior   classical.Floats `json:"class_prior"`
}

// MarshalState implements classical.Persistable.
func (g *GaussianNB) MarshalState() ([]byte, error) {
	K := len(g.classes)
	return classical.MarshalFitted(g.theta != nil, gnbState{g.classes, classical.NewArray(g.theta, K, g.nFeat), classical.NewArray(g.vr, K, g.nFeat), g.prior})
}

// UnmarshalState implements classical.Persistable.
func (g *GaussianNB) UnmarshalState(b []byte) error {
	var st gnbState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	K := len(st.Classes)
	if err := st.Theta.Check("theta", K, -1); err != nil {
		return err
	}
	p := st.Theta.Shape[1]
	if err := st.Var.Check("var", K, p); err != nil {
		return err
	}
	if K < 1 || p < 1 || len(st.Prior) != K {
		return fmt.Errorf("inconsistent GaussianNB state")
	}
	for _, v := range st.Var.Data {
		if !(v > 0) {
			return fmt.Errorf("non-positive variance %v", v)
		}
	}
	g.classes, g.theta, g.vr, g.prior, g.nFeat = st.Classes, st.Theta.Data, st.Var.Data, st.Prior, p
	return nil
}

// MultinomialNB is naive Bayes for count features (word counts, ...).
type MultinomialNB struct {
	Alpha      float64   // "alpha": additive smoothing, default 1
	FitPrior   bool      // "fit_prior": learn class priors (default true) or use uniform ones
	ClassPrior []float64 // "class_prior": fixed priors (nil: see FitPrior)

	// W is feature_log_prob_ and b class_log_prior_.
	linear
}

// NewMultinomialNB returns a MultinomialNB with scikit-learn's defaults.
func NewMultinomialNB() *MultinomialNB { return &MultinomialNB{Alpha: 1, FitPrior: true} }

func (m *MultinomialNB) params() classical.Params {
	return classical.Params{classical.Float("alpha", &m.Alpha), classical.Bool("fit_prior", &m.FitPrior), classical.FloatSlice("class_prior", &m.ClassPrior)}
}

// GetParams implements classical.Estimator.
func (m *MultinomialNB) GetParams() map[string]any { return m.params().Get() }

// SetParams implements classical.Estimator.
func (m *MultinomialNB) SetParams(p map[string]any) error {
	return m.params().Set("MultinomialNB", p)
}

// Clone implements classical.Estimator.
func (m *MultinomialNB) Clone() classical.Estimator {
	return classical.CloneByParams(m, NewMultinomialNB)
}

// Fit counts features per class. X must be non-negative.
func (m *MultinomialNB) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "MultinomialNB"
	m.linear = linear{}
	xm, ys, err := classical.CheckXYOpts(est, X, y, classical.CheckOptions{NonNegative: true})
	if err != nil {
		return err
	}
	d, err := countFit(est, m.Alpha, m.ClassPrior, xm, ys)
	if err != nil {
		return err
	}
	K, p, fc, alpha := d.K, d.p, d.fc, d.alpha
	flp := make([]float64, K*p)
	for k := 0; k < K; k++ {
		s := 0.0
		for j := 0; j < p; j++ {
			s += fc[k*p+j] + alpha
		}
		for j := 0; j < p; j++ {
			flp[k*p+j] = math.Log(fc[k*p+j]+alpha) - math.Log(s)
		}
	}
	m.linear = linear{classes: d.classes, w: flp, b: classLogPrior(m.ClassPrior, m.FitPrior, d.cnt), nFeat: p}
	return nil
}

// PredictProba returns the posterior class probabilities.
func (m *MultinomialNB) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	return m.linear.proba("MultinomialNB", X, counts)
}

// Predict returns the most probable class.
func (m *MultinomialNB) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return m.linear.labels("MultinomialNB", X, counts)
}

// ClassLogPrior returns class_log_prior_.
func (m *MultinomialNB) ClassLogPrior() []float64 { return slices.Clone(m.linear.b) }

// Score returns the accuracy on (X, y).
func (m *MultinomialNB) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("MultinomialNB", m, X, y)
}

// TypeName implements classical.Persistable.
func (m *MultinomialNB) TypeName() string { return "bayes.MultinomialNB" }

// probState is the saved state of MultinomialNB and BernoulliNB, with
// scikit-learn's attribute names (MultinomialNB's format is unchanged
// since its first release).
type probState struct {
	Classes classical.Floats `json:"classes"`
	FLP     classical.Array  `json:"feature_log_prob"`
	CLP     classical.Floats `json:"class_log_prior"`
}

// MarshalState implements classical.Persistable.
func (m *MultinomialNB) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(m.linear.fitted(), probState{m.linear.classes, classical.NewArray(m.linear.w, len(m.linear.classes), m.linear.nFeat), m.linear.b})
}

// UnmarshalState implements classical.Persistable.
func (m *MultinomialNB) UnmarshalState(b []byte) error {
	var st probState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	K := len(st.Classes)
	if err := st.FLP.Check("feature_log_prob", K, -1); err != nil {
		return err
	}
	if K < 1 || st.FLP.Shape[1] < 1 || len(st.CLP) != K {
		return fmt.Errorf("inconsistent MultinomialNB state")
	}
	m.linear = linear{classes: st.Classes, w: st.FLP.Data, b: st.CLP, nFeat: st.FLP.Shape[1]}
	return nil
}
