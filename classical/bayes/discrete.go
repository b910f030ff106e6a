package bayes

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// The naive Bayes models of discrete features (MultinomialNB,
// ComplementNB, BernoulliNB) all predict with a joint log-likelihood
// linear in X: jll = X·Wᵀ + b. They differ in how W and b come from the
// per-class feature counts.

// countByClass returns the per-class feature sums [K, p] and class counts.
func countByClass(xm classical.Matrix, idx []int, K int) (fc, cnt []float64) {
	p := xm.Cols
	fc = make([]float64, K*p)
	cnt = make([]float64, K)
	for i, k := range idx {
		cnt[k]++
		row := fc[k*p : (k+1)*p]
		for j, v := range xm.Row(i) {
			row[j] += v
		}
	}
	return fc, cnt
}

// counted is what the count-based models learn from: alpha clipped as
// scikit-learn does, the sorted classes, the per-class feature sums
// [K, p] and class counts.
type counted struct {
	alpha   float64
	classes []float64
	fc, cnt []float64
	K, p    int
}

// countFit validates alpha and the priors and counts the checked data xm,
// ys: the common start of the count-based models' Fit.
func countFit(est string, alpha float64, prior []float64, xm classical.Matrix, ys []float64) (counted, error) {
	a, err := smoothing(est, alpha)
	if err != nil {
		return counted{}, err
	}
	classes, idx := classical.Classes(ys)
	K := len(classes)
	if err := checkPriors(est, prior, K); err != nil {
		return counted{}, err
	}
	fc, cnt := countByClass(xm, idx, K)
	return counted{alpha: a, classes: classes, fc: fc, cnt: cnt, K: K, p: xm.Cols}, nil
}

// classLogPrior returns log priors from fixed priors, the class counts
// (fitPrior) or uniform ones.
func classLogPrior(prior []float64, fitPrior bool, cnt []float64) []float64 {
	K := len(cnt)
	n := 0.0
	for _, c := range cnt {
		n += c
	}
	clp := make([]float64, K)
	for k := range clp {
		switch {
		case prior != nil:
			clp[k] = math.Log(prior[k])
		case fitPrior:
			clp[k] = math.Log(cnt[k] / n)
		default:
			clp[k] = -math.Log(float64(K))
		}
	}
	return clp
}

// smoothing returns alpha clipped to 1e-10 as scikit-learn does, or an
// error for a negative or infinite alpha.
func smoothing(est string, alpha float64) (float64, error) {
	if !(alpha >= 0) || math.IsInf(alpha, 0) {
		return 0, classical.InvalidParamf(est, "alpha must be >= 0, got %v", alpha)
	}
	return math.Max(alpha, 1e-10), nil
}

// linear is a fitted jll = X·Wᵀ + b.
type linear struct {
	classes []float64
	w       []float64 // [K, p]
	b       []float64 // [K]
	nFeat   int
}

func (l *linear) fitted() bool { return l.w != nil }

// jll returns X·Wᵀ + b for xm [n, p].
func (l *linear) jll(xm classical.Matrix) []float64 {
	K := len(l.classes)
	out := tensor.MatMul(xm.Tensor(), tensor.FromFloat64(l.w, K, l.nFeat).T()).Float64s()
	for i := range out {
		out[i] += l.b[i%K]
	}
	return out
}

// input checks (and transforms) X for a fitted model of features
// features, with errors naming est.
type input func(est string, X *tensor.Tensor, features int) (classical.Matrix, error)

// counts is the input of the count-based models: non-negative X.
func counts(est string, X *tensor.Tensor, features int) (classical.Matrix, error) {
	return classical.CheckFeaturesOpts(est, X, features, classical.CheckOptions{NonNegative: true})
}

// eval returns the joint log-likelihood [n, K] of X, checked by in.
func (l *linear) eval(est string, X *tensor.Tensor, in input) ([]float64, int, error) {
	if !l.fitted() {
		return nil, 0, classical.NotFitted(est)
	}
	xm, err := in(est, X, l.nFeat)
	if err != nil {
		return nil, 0, err
	}
	return l.jll(xm), xm.Rows, nil
}

// proba returns the posterior class probabilities of X.
func (l *linear) proba(est string, X *tensor.Tensor, in input) (*tensor.Tensor, error) {
	j, n, err := l.eval(est, X, in)
	if err != nil {
		return nil, err
	}
	return probaFromJLL(j, n, len(l.classes)), nil
}

// labels returns the most probable class of each row of X.
func (l *linear) labels(est string, X *tensor.Tensor, in input) (*tensor.Tensor, error) {
	j, n, err := l.eval(est, X, in)
	if err != nil {
		return nil, err
	}
	return argmaxClasses(j, n, len(l.classes), l.classes), nil
}

// ComplementNB is the complement naive Bayes of Rennie et al. (2003), for
// imbalanced count data such as text: each class is described by the
// feature counts of all the other classes, and a sample goes to the class
// whose complement fits it worst.
type ComplementNB struct {
	Alpha      float64   // "alpha": additive smoothing, default 1
	Norm       bool      // "norm": normalise the weights (default false)
	FitPrior   bool      // "fit_prior": used only when y has one class
	ClassPrior []float64 // "class_prior": as FitPrior

	linear
}

// NewComplementNB returns a ComplementNB with scikit-learn's defaults.
func NewComplementNB() *ComplementNB { return &ComplementNB{Alpha: 1, FitPrior: true} }

func (c *ComplementNB) params() classical.Params {
	return classical.Params{classical.Float("alpha", &c.Alpha), classical.Bool("norm", &c.Norm),
		classical.Bool("fit_prior", &c.FitPrior), classical.FloatSlice("class_prior", &c.ClassPrior)}
}

// GetParams implements classical.Estimator.
func (c *ComplementNB) GetParams() map[string]any { return c.params().Get() }

// SetParams implements classical.Estimator.
func (c *ComplementNB) SetParams(m map[string]any) error { return c.params().Set("ComplementNB", m) }

// Clone implements classical.Estimator.
func (c *ComplementNB) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewComplementNB)
}

// Fit computes the complement log-probabilities. X must be non-negative.
func (c *ComplementNB) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "ComplementNB"
	c.linear = linear{}
	xm, ys, err := classical.CheckXYOpts(est, X, y, classical.CheckOptions{NonNegative: true})
	if err != nil {
		return err
	}
	d, err := countFit(est, c.Alpha, c.ClassPrior, xm, ys)
	if err != nil {
		return err
	}
	K, p, fc, alpha := d.K, d.p, d.fc, d.alpha
	all := make([]float64, p)
	for k := 0; k < K; k++ {
		for j := 0; j < p; j++ {
			all[j] += fc[k*p+j]
		}
	}
	w := make([]float64, K*p)
	for k := 0; k < K; k++ {
		row := w[k*p : (k+1)*p]
		s := 0.0
		for j := range row {
			row[j] = all[j] + alpha - fc[k*p+j] // the complement's counts
			s += row[j]
		}
		logged := 0.0
		for j := range row {
			row[j] = math.Log(row[j] / s)
			logged += row[j]
		}
		for j := range row {
			if c.Norm {
				row[j] /= logged
			} else {
				row[j] = -row[j]
			}
		}
	}
	// As scikit-learn: the prior matters only when there is one class.
	b := make([]float64, K)
	if K == 1 {
		b = classLogPrior(c.ClassPrior, c.FitPrior, d.cnt)
	}
	c.linear = linear{classes: d.classes, w: w, b: b, nFeat: p}
	return nil
}

// PredictProba returns the classes' probabilities from the normalised
// joint log-likelihood (as scikit-learn).
func (c *ComplementNB) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	return c.linear.proba("ComplementNB", X, counts)
}

// Predict returns the most probable class.
func (c *ComplementNB) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return c.linear.labels("ComplementNB", X, counts)
}

// Score returns the accuracy on (X, y).
func (c *ComplementNB) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("ComplementNB", c, X, y)
}

// TypeName implements classical.Persistable.
func (c *ComplementNB) TypeName() string { return "bayes.ComplementNB" }

// MarshalState implements classical.Persistable.
func (c *ComplementNB) MarshalState() ([]byte, error) { return c.linear.marshal() }

// UnmarshalState implements classical.Persistable.
func (c *ComplementNB) UnmarshalState(b []byte) error { return c.linear.unmarshal("ComplementNB", b) }

// BernoulliNB is naive Bayes for binary features (a word's presence, ...):
// each feature of each class is a Bernoulli variable, and absent features
// count as evidence too. Values above Binarize count as 1, the others as 0.
type BernoulliNB struct {
	Alpha float64 // "alpha": additive smoothing, default 1
	// Binarize is the threshold (a float64, default 0), or nil when X
	// holds 0/1 values already ("binarize").
	Binarize   any
	FitPrior   bool      // "fit_prior": learn class priors (default true) or use uniform ones
	ClassPrior []float64 // "class_prior": fixed priors (nil: see FitPrior)

	linear
	flp []float64 // feature_log_prob_ [K, p]
	clp []float64 // class_log_prior_ [K]
}

// NewBernoulliNB returns a BernoulliNB with scikit-learn's defaults.
func NewBernoulliNB() *BernoulliNB { return &BernoulliNB{Alpha: 1, Binarize: 0.0, FitPrior: true} }

func (bn *BernoulliNB) params() classical.Params {
	return classical.Params{classical.Float("alpha", &bn.Alpha), classical.Any("binarize", &bn.Binarize, checkThreshold),
		classical.Bool("fit_prior", &bn.FitPrior), classical.FloatSlice("class_prior", &bn.ClassPrior)}
}

// checkThreshold accepts nil or a finite number as the binarize threshold.
func checkThreshold(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	f, err := classical.AsFloat(v)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("binarize: want nil or a finite number, got %v", v)
	}
	return f, nil
}

// GetParams implements classical.Estimator.
func (bn *BernoulliNB) GetParams() map[string]any { return bn.params().Get() }

// SetParams implements classical.Estimator.
func (bn *BernoulliNB) SetParams(m map[string]any) error { return bn.params().Set("BernoulliNB", m) }

// Clone implements classical.Estimator.
func (bn *BernoulliNB) Clone() classical.Estimator {
	return classical.CloneByParams(bn, NewBernoulliNB)
}

// binarized checks X and applies the threshold.
func (bn *BernoulliNB) binarized(est string, X *tensor.Tensor, features int) (classical.Matrix, error) {
	var xm classical.Matrix
	var err error
	if features < 0 {
		xm, err = classical.CheckX(est, X)
	} else {
		xm, err = classical.CheckFeatures(est, X, features)
	}
	if err != nil {
		return xm, err
	}
	t, err := checkThreshold(bn.Binarize)
	if err != nil {
		return xm, classical.InvalidParamf(est, "%v", err)
	}
	if t == nil {
		return xm, nil
	}
	thr := t.(float64)
	out := classical.Matrix{Rows: xm.Rows, Cols: xm.Cols, Data: make([]float64, len(xm.Data))}
	for i, v := range xm.Data {
		if v > thr {
			out.Data[i] = 1
		}
	}
	return out, nil
}

// Fit estimates each class's feature probabilities.
func (bn *BernoulliNB) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "BernoulliNB"
	bn.linear, bn.flp, bn.clp = linear{}, nil, nil
	xm, err := bn.binarized(est, X, -1)
	if err != nil {
		return err
	}
	ys, err := classical.CheckY(est, y, xm.Rows)
	if err != nil {
		return err
	}
	d, err := countFit(est, bn.Alpha, bn.ClassPrior, xm, ys)
	if err != nil {
		return err
	}
	K, p, fc, cnt, alpha := d.K, d.p, d.fc, d.cnt, d.alpha
	flp := make([]float64, K*p)
	w := make([]float64, K*p)
	clp := classLogPrior(bn.ClassPrior, bn.FitPrior, cnt)
	b := slices.Clone(clp)
	for k := 0; k < K; k++ {
		den := math.Log(cnt[k] + 2*alpha)
		for j := 0; j < p; j++ {
			lp := math.Log(fc[k*p+j]+alpha) - den
			neg := math.Log(1 - math.Exp(lp)) // log(1 − p)
			flp[k*p+j] = lp
			w[k*p+j] = lp - neg
			b[k] += neg
		}
	}
	bn.linear = linear{classes: d.classes, w: w, b: b, nFeat: p}
	bn.flp, bn.clp = flp, clp
	return nil
}

// PredictProba returns the posterior class probabilities.
func (bn *BernoulliNB) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	return bn.linear.proba("BernoulliNB", X, bn.binarized)
}

// Predict returns the most probable class.
func (bn *BernoulliNB) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return bn.linear.labels("BernoulliNB", X, bn.binarized)
}

// FeatureLogProb returns feature_log_prob_, log P(feature = 1 | class),
// [classes, features].
func (bn *BernoulliNB) FeatureLogProb() *tensor.Tensor {
	if bn.flp == nil {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(bn.flp), len(bn.linear.classes), bn.linear.nFeat)
}

// ClassLogPrior returns class_log_prior_.
func (bn *BernoulliNB) ClassLogPrior() []float64 { return slices.Clone(bn.clp) }

// Score returns the accuracy on (X, y).
func (bn *BernoulliNB) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("BernoulliNB", bn, X, y)
}

// TypeName implements classical.Persistable.
func (bn *BernoulliNB) TypeName() string { return "bayes.BernoulliNB" }

// MarshalState implements classical.Persistable.
func (bn *BernoulliNB) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(bn.linear.fitted(), probState{bn.linear.classes, classical.NewArray(bn.flp, len(bn.linear.classes), bn.linear.nFeat), bn.clp})
}

// UnmarshalState implements classical.Persistable: the prediction weights
// are rebuilt from the saved probabilities.
func (bn *BernoulliNB) UnmarshalState(b []byte) error {
	var st probState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	K := len(st.Classes)
	if err := st.FLP.Check("feature_log_prob", K, -1); err != nil {
		return err
	}
	if K < 1 || st.FLP.Shape[1] < 1 || len(st.CLP) != K {
		return fmt.Errorf("inconsistent BernoulliNB state")
	}
	p := st.FLP.Shape[1]
	w := make([]float64, K*p)
	bias := slices.Clone([]float64(st.CLP))
	for i, lp := range st.FLP.Data {
		if !(lp < 0) {
			return fmt.Errorf("BernoulliNB state: feature_log_prob %v is not a log-probability below 0", lp)
		}
		neg := math.Log(1 - math.Exp(lp))
		w[i] = lp - neg
		bias[i/p] += neg
	}
	bn.linear = linear{classes: st.Classes, w: w, b: bias, nFeat: p}
	bn.flp, bn.clp = st.FLP.Data, st.CLP
	return nil
}

// Classes returns the sorted class labels.
func (l *linear) Classes() []float64 { return slices.Clone(l.classes) }

// FeatureLogProb returns feature_log_prob_, [classes, features]: the
// weights W (for ComplementNB, minus the complement's log-probabilities,
// or their normalised form with Norm).
func (l *linear) FeatureLogProb() *tensor.Tensor { return l.weights() }

// weights returns W as a [classes, features] tensor (nil before Fit).
func (l *linear) weights() *tensor.Tensor {
	if l.w == nil {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(l.w), len(l.classes), l.nFeat)
}

type linearState struct {
	Classes classical.Floats `json:"classes"`
	W       classical.Array  `json:"weights"`
	B       classical.Floats `json:"bias"`
}

func (l *linear) marshal() ([]byte, error) {
	return classical.MarshalFitted(l.fitted(), linearState{l.classes, classical.NewArray(l.w, len(l.classes), l.nFeat), l.b})
}

func (l *linear) unmarshal(est string, b []byte) error {
	var st linearState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	K := len(st.Classes)
	if err := st.W.Check("weights", K, -1); err != nil {
		return err
	}
	if K < 1 || st.W.Shape[1] < 1 || len(st.B) != K {
		return fmt.Errorf("inconsistent %s state", est)
	}
	*l = linear{classes: st.Classes, w: st.W.Data, b: st.B, nFeat: st.W.Shape[1]}
	return nil
}
