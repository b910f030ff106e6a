// Package decomposition holds scikit-learn's matrix decompositions: PCA
// (exact SVD through gonum, or randomized SVD on the tensor GEMM; explained
// variance and its ratio, whitening, inverse transform) and TruncatedSVD
// (no centring, for latent semantic analysis).
package decomposition

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("decomposition.PCA", func() classical.Estimator { return NewPCA(0) })
	classical.Register("decomposition.TruncatedSVD", func() classical.Estimator { return NewTruncatedSVD(2) })
}

// PCA is principal component analysis, as scikit-learn's PCA: the data are
// centred and the leading right singular vectors kept as components, their
// signs fixed as scikit-learn's svd_flip does (the largest entry of each
// left singular vector positive), so components match scikit-learn's.
//
// The solver ("svd_solver") is "full" (exact: gonum's LAPACK SVD, on the
// triangular factor of a GEMM-based Cholesky QR for tall data), "randomized"
// (Halko et al. on the tensor GEMM: a Gaussian sketch of n_components +
// n_oversamples columns, iterated_power normalised power iterations) or
// "auto", scikit-learn 1.2's rule: full when the data have at most 500 rows
// and columns or n_components is a variance fraction, randomized when
// n_components is below 80% of min(n_samples, n_features), full otherwise.
type PCA struct {
	// NComponents ("n_components") is nil for min(n_samples, n_features)
	// components, an int k >= 1, or a float in (0, 1): the smallest number
	// of components whose explained variance ratio exceeds it (full solver).
	NComponents any
	// Whiten ("whiten") scales the projections to unit variance.
	Whiten bool
	// SVDSolver ("svd_solver"): "auto" (default), "full" or "randomized".
	SVDSolver string
	// IteratedPower ("iterated_power") is the number of power iterations of
	// the randomized solver; 0 (default) means scikit-learn's "auto": 7
	// when n_components < 0.1·min(n_samples, n_features), else 4.
	IteratedPower int
	// NOversamples ("n_oversamples"), default 10.
	NOversamples int
	// Seed ("random_state") seeds the randomized solver.
	Seed uint64

	st pcaState
}

type pcaState struct {
	Components             classical.Array  `json:"components"`
	Mean                   classical.Floats `json:"mean"`
	ExplainedVariance      classical.Floats `json:"explained_variance"`
	ExplainedVarianceRatio classical.Floats `json:"explained_variance_ratio"`
	SingularValues         classical.Floats `json:"singular_values"`
	NoiseVariance          float64          `json:"noise_variance"`
	NSamples               int              `json:"n_samples"`
}

// NewPCA returns a PCA keeping k components (all when k <= 0).
func NewPCA(k int) *PCA {
	p := &PCA{SVDSolver: "auto", NOversamples: 10}
	if k > 0 {
		p.NComponents = k
	}
	return p
}

func checkNComponents(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	f, err := classical.AsFloat(v)
	if err != nil {
		return nil, fmt.Errorf("want nil, an integer >= 1 or a fraction in (0, 1), got %T", v)
	}
	if f > 0 && f < 1 {
		return f, nil
	}
	if f >= 1 && f == math.Trunc(f) && f < 1<<31 {
		return int(f), nil
	}
	return nil, fmt.Errorf("want nil, an integer >= 1 or a fraction in (0, 1), got %v", v)
}

func (p *PCA) params() classical.Params {
	return classical.Params{
		classical.Any("n_components", &p.NComponents, checkNComponents),
		classical.Bool("whiten", &p.Whiten),
		classical.String("svd_solver", &p.SVDSolver, "auto", "full", "randomized"),
		classical.Int("iterated_power", &p.IteratedPower),
		classical.Int("n_oversamples", &p.NOversamples),
		classical.Uint64("random_state", &p.Seed),
	}
}

// GetParams implements classical.Estimator.
func (p *PCA) GetParams() map[string]any { return p.params().Get() }

// SetParams implements classical.Estimator.
func (p *PCA) SetParams(m map[string]any) error { return p.params().Set("PCA", m) }

// Clone implements classical.Estimator.
func (p *PCA) Clone() classical.Estimator {
	return classical.CloneByParams(p, func() *PCA { return NewPCA(0) })
}

// Fit learns the components of X (y is ignored).
func (p *PCA) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "PCA"
	nc, err := checkNComponents(p.NComponents)
	if err != nil {
		return classical.InvalidParamf(est, "n_components: %v", err)
	}
	if p.IteratedPower < 0 || p.NOversamples < 1 {
		return classical.InvalidParamf(est, "iterated_power must be >= 0 and n_oversamples >= 1")
	}
	xm, err := classical.CheckXOpts(est, X, classical.CheckOptions{MinSamples: 2})
	if err != nil {
		return err
	}
	n, d := xm.Rows, xm.Cols
	r := min(n, d)
	k, frac := r, 0.0
	switch v := nc.(type) {
	case int:
		if v > r {
			return classical.InvalidParamf(est, "n_components=%d must be between 1 and min(n_samples, n_features)=%d", v, r)
		}
		k = v
	case float64:
		frac = v
	}
	solver := p.SVDSolver
	if solver == "auto" {
		switch {
		case max(n, d) <= 500 || frac > 0:
			solver = "full"
		case float64(k) < 0.8*float64(r):
			solver = "randomized"
		default:
			solver = "full"
		}
	}
	if solver == "randomized" && frac > 0 {
		return classical.InvalidParamf(est, "n_components=%v (a variance fraction) needs svd_solver=\"full\"", frac)
	}
	x, mean := floats.Centered(xm)
	if err := classical.CheckContext(ctx, est); err != nil {
		return err
	}
	var s, vt []float64
	var ok bool
	var ev, ratio []float64
	noise := 0.0
	if solver == "full" {
		if s, vt, ok = exactSVD(x, n, d); !ok {
			return classical.Invalidf(est, "the SVD did not converge")
		}
		ev = make([]float64, len(s))
		total := 0.0
		for i, v := range s {
			ev[i] = v * v / float64(n-1)
			total += ev[i]
		}
		ratio = make([]float64, len(s))
		for i := range ev {
			ratio[i] = ev[i] / total
			if total == 0 {
				ratio[i] = 0
			}
		}
		if frac > 0 {
			c := 0.0
			k = len(ratio)
			for i, v := range ratio {
				c += v
				if c > frac {
					k = i + 1
					break
				}
			}
		}
		if k < r {
			for _, v := range ev[k:] {
				noise += v
			}
			noise /= float64(len(ev) - k)
		}
		s, ev, ratio, vt = s[:k], ev[:k], ratio[:k], vt[:k*d]
		flipSigns(x, n, d, vt, k)
	} else {
		it := p.IteratedPower
		if it == 0 {
			it = 4
			if float64(k) < 0.1*float64(r) {
				it = 7
			}
		}
		if s, vt, ok = randomizedSVD(x, n, d, k, p.NOversamples, it, tensor.NewRand(p.Seed)); !ok {
			return classical.Invalidf(est, "the SVD did not converge")
		}
		total := 0.0
		for _, v := range x {
			total += v * v
		}
		total /= float64(n - 1)
		ev = make([]float64, k)
		ratio = make([]float64, k)
		sum := 0.0
		for i, v := range s {
			ev[i] = v * v / float64(n-1)
			sum += ev[i]
			if total > 0 {
				ratio[i] = ev[i] / total
			}
		}
		if k < r {
			noise = (total - sum) / float64(r-k)
		}
	}
	p.st = pcaState{Components: classical.NewArray(vt, k, d), Mean: mean, ExplainedVariance: ev,
		ExplainedVarianceRatio: ratio, SingularValues: s, NoiseVariance: noise, NSamples: n}
	return nil
}

func (p *PCA) fitted() bool { return len(p.st.Components.Data) > 0 }

// Transform projects X on the components: (X - mean)·componentsᵀ, divided
// by sqrt(explained_variance) when whitening.
func (p *PCA) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, k, d, err := checkInput("PCA", p.st.Components, X, false)
	if err != nil {
		return nil, err
	}
	n := xm.Rows
	x := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j, v := range xm.Row(i) {
			x[i*d+j] = v - p.st.Mean[j]
		}
	}
	out := mul(false, true, n, k, d, x, d, p.st.Components.Data, d)
	if p.Whiten {
		for j := 0; j < k; j++ {
			sc := 1 / math.Sqrt(p.st.ExplainedVariance[j])
			if math.IsInf(sc, 0) {
				sc = 0
			}
			for i := 0; i < n; i++ {
				out[i*k+j] *= sc
			}
		}
	}
	return tensor.FromFloat64(out, n, k), nil
}

// InverseTransform maps projections back to the feature space:
// Z·components (times sqrt(explained_variance) when whitening) + mean.
func (p *PCA) InverseTransform(Z *tensor.Tensor) (*tensor.Tensor, error) {
	zm, k, d, err := checkInput("PCA", p.st.Components, Z, true)
	if err != nil {
		return nil, err
	}
	comp := p.st.Components.Data
	if p.Whiten {
		comp = slices.Clone(comp)
		for j := 0; j < k; j++ {
			sc := math.Sqrt(p.st.ExplainedVariance[j])
			for f := 0; f < d; f++ {
				comp[j*d+f] *= sc
			}
		}
	}
	n := zm.Rows
	out := mul(false, false, n, d, k, zm.Data, k, comp, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			out[i*d+j] += p.st.Mean[j]
		}
	}
	return tensor.FromFloat64(out, n, d), nil
}

// FitTransform fits and returns the projections of X.
func (p *PCA) FitTransform(ctx context.Context, X *tensor.Tensor) (*tensor.Tensor, error) {
	if err := p.Fit(ctx, X, nil); err != nil {
		return nil, err
	}
	return p.Transform(X)
}

// Components returns components_ [n_components, n_features], nil before Fit.
func (p *PCA) Components() *tensor.Tensor {
	return componentsTensor(p.st.Components)
}

// NComponentsFitted returns n_components_.
func (p *PCA) NComponentsFitted() int {
	if !p.fitted() {
		return 0
	}
	return p.st.Components.Shape[0]
}

// Mean returns mean_, the per-feature means of the training data.
func (p *PCA) Mean() []float64 { return slices.Clone(p.st.Mean) }

// ExplainedVariance returns explained_variance_ (variance along each
// component, with n-1 in the denominator).
func (p *PCA) ExplainedVariance() []float64 { return slices.Clone(p.st.ExplainedVariance) }

// ExplainedVarianceRatio returns explained_variance_ratio_.
func (p *PCA) ExplainedVarianceRatio() []float64 {
	return slices.Clone(p.st.ExplainedVarianceRatio)
}

// SingularValues returns singular_values_.
func (p *PCA) SingularValues() []float64 { return slices.Clone(p.st.SingularValues) }

// NoiseVariance returns noise_variance_, the mean variance of the
// discarded directions (probabilistic PCA).
func (p *PCA) NoiseVariance() float64 { return p.st.NoiseVariance }

// TypeName implements classical.Persistable.
func (p *PCA) TypeName() string { return "decomposition.PCA" }

// MarshalState implements classical.Persistable.
func (p *PCA) MarshalState() ([]byte, error) { return classical.MarshalFitted(p.fitted(), p.st) }

// UnmarshalState implements classical.Persistable.
func (p *PCA) UnmarshalState(b []byte) error {
	var st pcaState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := checkComponents(st.Components, st.Mean, st.ExplainedVariance, st.ExplainedVarianceRatio, st.SingularValues); err != nil {
		return err
	}
	p.st = st
	return nil
}

// checkInput checks the input X of Transform (inverse false: d columns)
// or InverseTransform (inverse true: k columns) of the decomposition est
// fitted with components c [k, d], and returns it with k and d.
func checkInput(est string, c classical.Array, X *tensor.Tensor, inverse bool) (xm classical.Matrix, k, d int, err error) {
	if len(c.Data) == 0 {
		return classical.Matrix{}, 0, 0, classical.NotFitted(est)
	}
	k, d = c.Shape[0], c.Shape[1]
	cols := d
	if inverse {
		cols = k
	}
	xm, err = classical.CheckFeatures(est, X, cols)
	return xm, k, d, err
}

// componentsTensor returns a copy of components_ c, nil before Fit.
func componentsTensor(c classical.Array) *tensor.Tensor {
	if len(c.Data) == 0 {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(c.Data), c.Shape...)
}

// checkComponents validates loaded state: k×d components, d means, k of
// each per-component array, all finite.
func checkComponents(c classical.Array, mean []float64, perComp ...[]float64) error {
	if err := c.Check("components", -1, -1); err != nil {
		return err
	}
	k, d := c.Shape[0], c.Shape[1]
	if k < 1 || d < 1 {
		return errors.New("components: empty")
	}
	if mean != nil {
		if err := classical.CheckLen("mean", mean, d); err != nil {
			return err
		}
	}
	for _, a := range perComp {
		if err := classical.CheckLen("per-component values", a, k); err != nil {
			return err
		}
	}
	for _, a := range append([][]float64{c.Data, mean}, perComp...) {
		for _, v := range a {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return errors.New("state holds a value that is not finite")
			}
		}
	}
	return nil
}

// TruncatedSVD is dimensionality reduction by a truncated SVD of X itself
// (no centring), as scikit-learn's TruncatedSVD: "randomized" (default;
// n_iter power iterations) or "full" (gonum's exact SVD, standing in for
// scikit-learn's "arpack", which gives the same result to its tolerance).
type TruncatedSVD struct {
	// NComponents ("n_components"), default 2; below n_features.
	NComponents int
	// Algorithm ("algorithm"): "randomized" or "full".
	Algorithm string
	// NIter ("n_iter") is the number of power iterations, default 5.
	NIter int
	// NOversamples ("n_oversamples"), default 10.
	NOversamples int
	// Seed ("random_state").
	Seed uint64

	st svdState
}

type svdState struct {
	Components             classical.Array  `json:"components"`
	ExplainedVariance      classical.Floats `json:"explained_variance"`
	ExplainedVarianceRatio classical.Floats `json:"explained_variance_ratio"`
	SingularValues         classical.Floats `json:"singular_values"`
}

// NewTruncatedSVD returns a randomized TruncatedSVD with k components.
func NewTruncatedSVD(k int) *TruncatedSVD {
	return &TruncatedSVD{NComponents: k, Algorithm: "randomized", NIter: 5, NOversamples: 10}
}

func (t *TruncatedSVD) params() classical.Params {
	return classical.Params{
		classical.Int("n_components", &t.NComponents),
		classical.String("algorithm", &t.Algorithm, "randomized", "full"),
		classical.Int("n_iter", &t.NIter),
		classical.Int("n_oversamples", &t.NOversamples),
		classical.Uint64("random_state", &t.Seed),
	}
}

// GetParams implements classical.Estimator.
func (t *TruncatedSVD) GetParams() map[string]any { return t.params().Get() }

// SetParams implements classical.Estimator.
func (t *TruncatedSVD) SetParams(m map[string]any) error {
	return t.params().Set("TruncatedSVD", m)
}

// Clone implements classical.Estimator.
func (t *TruncatedSVD) Clone() classical.Estimator {
	return classical.CloneByParams(t, func() *TruncatedSVD { return NewTruncatedSVD(2) })
}

// Fit learns the components of X (y is ignored).
func (t *TruncatedSVD) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "TruncatedSVD"
	if t.NIter < 0 || t.NOversamples < 1 {
		return classical.InvalidParamf(est, "n_iter must be >= 0 and n_oversamples >= 1")
	}
	xm, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	n, d, k := xm.Rows, xm.Cols, t.NComponents
	if k < 1 || k > min(n, d) || (t.Algorithm == "randomized" && k >= d && d > 1) {
		return classical.InvalidParamf(est, "n_components=%d must be between 1 and n_features-1 (%d) and at most n_samples (%d)", k, d-1, n)
	}
	if err := classical.CheckContext(ctx, est); err != nil {
		return err
	}
	x := slices.Clone(xm.Data)
	var s, vt []float64
	var ok bool
	if t.Algorithm == "full" {
		if s, vt, ok = exactSVD(x, n, d); ok {
			s, vt = s[:k], vt[:k*d]
			flipSigns(x, n, d, vt, k)
		}
	} else {
		s, vt, ok = randomizedSVD(x, n, d, k, t.NOversamples, t.NIter, tensor.NewRand(t.Seed))
	}
	if !ok {
		return classical.Invalidf(est, "the SVD did not converge")
	}
	proj := mul(false, true, n, k, d, x, d, vt, d)
	ev := columnVariances(proj, n, k)
	full := 0.0
	for _, v := range columnVariances(x, n, d) {
		full += v
	}
	ratio := make([]float64, k)
	for i, v := range ev {
		if full > 0 {
			ratio[i] = v / full
		}
	}
	t.st = svdState{Components: classical.NewArray(vt, k, d), ExplainedVariance: ev, ExplainedVarianceRatio: ratio, SingularValues: s}
	return nil
}

// columnVariances returns the population variance of each column.
func columnVariances(x []float64, n, d int) []float64 {
	mean := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			mean[j] += x[i*d+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	v := make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			t := x[i*d+j] - mean[j]
			v[j] += t * t
		}
	}
	for j := range v {
		v[j] /= float64(n)
	}
	return v
}

func (t *TruncatedSVD) fitted() bool { return len(t.st.Components.Data) > 0 }

// Transform returns X·componentsᵀ.
func (t *TruncatedSVD) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, k, d, err := checkInput("TruncatedSVD", t.st.Components, X, false)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(mul(false, true, xm.Rows, k, d, xm.Data, d, t.st.Components.Data, d), xm.Rows, k), nil
}

// InverseTransform returns Z·components.
func (t *TruncatedSVD) InverseTransform(Z *tensor.Tensor) (*tensor.Tensor, error) {
	zm, k, d, err := checkInput("TruncatedSVD", t.st.Components, Z, true)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(mul(false, false, zm.Rows, d, k, zm.Data, k, t.st.Components.Data, d), zm.Rows, d), nil
}

// FitTransform fits and returns X·componentsᵀ.
func (t *TruncatedSVD) FitTransform(ctx context.Context, X *tensor.Tensor) (*tensor.Tensor, error) {
	if err := t.Fit(ctx, X, nil); err != nil {
		return nil, err
	}
	return t.Transform(X)
}

// Components returns components_ [n_components, n_features].
func (t *TruncatedSVD) Components() *tensor.Tensor {
	return componentsTensor(t.st.Components)
}

// ExplainedVariance returns explained_variance_, the variance of each
// projected column.
func (t *TruncatedSVD) ExplainedVariance() []float64 { return slices.Clone(t.st.ExplainedVariance) }

// ExplainedVarianceRatio returns explained_variance_ratio_.
func (t *TruncatedSVD) ExplainedVarianceRatio() []float64 {
	return slices.Clone(t.st.ExplainedVarianceRatio)
}

// SingularValues returns singular_values_.
func (t *TruncatedSVD) SingularValues() []float64 { return slices.Clone(t.st.SingularValues) }

// TypeName implements classical.Persistable.
func (t *TruncatedSVD) TypeName() string { return "decomposition.TruncatedSVD" }

// MarshalState implements classical.Persistable.
func (t *TruncatedSVD) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(t.fitted(), t.st)
}

// UnmarshalState implements classical.Persistable.
func (t *TruncatedSVD) UnmarshalState(b []byte) error {
	var st svdState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := checkComponents(st.Components, nil, st.ExplainedVariance, st.ExplainedVarianceRatio, st.SingularValues); err != nil {
		return err
	}
	t.st = st
	return nil
}
