package svm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/optimize"
	"github.com/ember-ml/ember/classical/internal/sparse"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// LinearSVC is a linear support vector classifier with liblinear's
// default objective (scikit-learn's LinearSVC: penalty "l2", loss
// "squared_hinge"):
//
//	½||w||² + ½b² + C Σᵢ sᵢ max(0, 1 − yᵢ(w·xᵢ + b))²
//
// where the intercept b is a weight on a constant feature
// InterceptScaling and so is penalised too, as liblinear does. The
// objective is smooth, so it is minimised on the primal with L-BFGS (X·w
// and Xᵀ·r by blocked row loops on all cores) rather than liblinear's dual
// coordinate descent; the minimiser is the same. Several classes are handled
// one-vs-rest.
type LinearSVC struct {
	C                float64 // "C", default 1
	Tol              float64 // "tol", default 1e-4
	MaxIter          int     // "max_iter", default 1000
	FitIntercept     bool    // "fit_intercept", default true
	InterceptScaling float64 // "intercept_scaling", default 1
	ClassWeight      any     // "class_weight": nil, "balanced" or map[float64]float64

	classes []float64
	coef    []float64 // [K, p]
	icpt    []float64 // [K]
	nFeat   int
}

// NewLinearSVC returns a LinearSVC with scikit-learn's defaults.
func NewLinearSVC() *LinearSVC {
	return &LinearSVC{C: 1, Tol: 1e-4, MaxIter: 1000, FitIntercept: true, InterceptScaling: 1}
}

func (l *LinearSVC) params() classical.Params {
	return classical.Params{
		classical.Float("C", &l.C),
		classical.Float("tol", &l.Tol),
		classical.Int("max_iter", &l.MaxIter),
		classical.Bool("fit_intercept", &l.FitIntercept),
		classical.Float("intercept_scaling", &l.InterceptScaling),
		classical.Any("class_weight", &l.ClassWeight, linear.CheckClassWeight),
	}
}

// GetParams implements classical.Estimator.
func (l *LinearSVC) GetParams() map[string]any { return l.params().Get() }

// SetParams implements classical.Estimator.
func (l *LinearSVC) SetParams(m map[string]any) error { return l.params().Set("LinearSVC", m) }

// Clone implements classical.Estimator.
func (l *LinearSVC) Clone() classical.Estimator { return classical.CloneByParams(l, NewLinearSVC) }

// denseOnly turns the sparse products off, for tests.
var denseOnly = false

// Fit trains one binary problem (two classes) or one per class against the
// rest.
func (l *LinearSVC) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "LinearSVC"
	l.coef = nil
	if !(l.C > 0) || math.IsInf(l.C, 0) || !(l.Tol > 0) || l.MaxIter < 1 || !(l.InterceptScaling > 0) {
		return classical.InvalidParamf(est, "need C > 0, tol > 0, max_iter >= 1, intercept_scaling > 0; got %v, %v, %d, %v", l.C, l.Tol, l.MaxIter, l.InterceptScaling)
	}
	xm, classes, idx, err := classical.CheckXYClasses(est, X, y)
	if err != nil {
		return err
	}
	n, p := xm.Rows, xm.Cols
	sw := classical.ClassWeights(l.ClassWeight, classes, idx)
	K := len(classes)
	if K == 2 {
		K = 1
	}
	coef := make([]float64, K*p)
	icpt := make([]float64, K)
	z := make([]float64, n)
	r := make([]float64, n)
	sgn := make([]float64, n)
	// A mostly-zero X (one-hot columns) is multiplied by its nonzeros.
	sp, isSparse := sparse.FromDense(xm.Data, n, p)
	isSparse = isSparse && !denseOnly
	for k := 0; k < K; k++ {
		pos := k
		if K == 1 {
			pos = 1
		}
		for i, c := range idx {
			sgn[i] = -1
			if c == pos {
				sgn[i] = 1
			}
		}
		s := l.InterceptScaling
		f := func(w, g []float64) float64 {
			if isSparse {
				sp.MulVec(z, w[:p])
			} else {
				matVec(z, xm, w[:p])
			}
			b := 0.0
			if l.FitIntercept {
				b = w[p] * s
			}
			loss := 0.0
			gb := 0.0
			for i := range z {
				m := 1 - sgn[i]*(z[i]+b)
				if m > 0 {
					loss += l.C * sw[i] * m * m
					r[i] = -2 * l.C * sw[i] * m * sgn[i]
					gb += r[i]
				} else {
					r[i] = 0
				}
			}
			if isSparse {
				sp.MulTVec(g[:p], r)
			} else {
				matTVec(g[:p], xm, r)
			}
			for j := 0; j < p; j++ {
				loss += 0.5 * w[j] * w[j]
				g[j] += w[j]
			}
			if l.FitIntercept {
				loss += 0.5 * w[p] * w[p]
				g[p] = w[p] + gb*s
			}
			return loss
		}
		size := p
		if l.FitIntercept {
			size++
		}
		w := make([]float64, size)
		if _, err := optimize.Minimize(ctx, f, w, optimize.Settings{MaxIter: l.MaxIter, GTol: l.Tol, FTol: 1e-12}); err != nil {
			return fmt.Errorf("%s: fit cancelled: %w", est, err)
		}
		copy(coef[k*p:], w[:p])
		if l.FitIntercept {
			icpt[k] = w[p] * s
		}
	}
	l.classes, l.coef, l.icpt, l.nFeat = classes, coef, icpt, p
	return nil
}

// DecisionFunction returns X·coefᵀ + intercept: [n] for two classes
// (positive means Classes()[1]), [n, classes] otherwise.
func (l *LinearSVC) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "LinearSVC"
	if l.coef == nil {
		return nil, classical.NotFitted(est)
	}
	xm, err := classical.CheckFeatures(est, X, l.nFeat)
	if err != nil {
		return nil, err
	}
	return classical.LinearScores(xm, l.coef, l.icpt), nil
}

// Predict returns the class with the largest decision value.
func (l *LinearSVC) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	Z, err := l.DecisionFunction(X)
	if err != nil {
		return nil, err
	}
	return classical.LabelsFromScores(Z, l.classes), nil
}

// Score returns the accuracy on (X, y).
func (l *LinearSVC) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("LinearSVC", l, X, y)
}

// Classes returns the sorted class labels.
func (l *LinearSVC) Classes() []float64 { return slices.Clone(l.classes) }

// Coef returns coef_ [K, features] (K = 1 for two classes).
func (l *LinearSVC) Coef() *tensor.Tensor {
	if l.coef == nil {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(l.coef), len(l.icpt), l.nFeat)
}

// Intercept returns intercept_.
func (l *LinearSVC) Intercept() []float64 { return slices.Clone(l.icpt) }

// TypeName implements classical.Persistable.
func (l *LinearSVC) TypeName() string { return "svm.LinearSVC" }

type linState struct {
	Classes   classical.Floats `json:"classes"`
	Coef      classical.Array  `json:"coef"`
	Intercept classical.Floats `json:"intercept"`
}

// MarshalState implements classical.Persistable.
func (l *LinearSVC) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(l.coef != nil, linState{l.classes, classical.NewArray(l.coef, len(l.icpt), l.nFeat), l.icpt})
}

// UnmarshalState implements classical.Persistable.
func (l *LinearSVC) UnmarshalState(b []byte) error {
	var st linState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := st.Coef.Check("coef", -1, -1); err != nil {
		return err
	}
	K, p := st.Coef.Shape[0], st.Coef.Shape[1]
	if p < 1 || K < 1 || len(st.Intercept) != K || len(st.Classes) < 2 || (K == 1) != (len(st.Classes) == 2) || (K > 1 && K != len(st.Classes)) {
		return fmt.Errorf("inconsistent shapes: coef %v, %d intercepts, %d classes", st.Coef.Shape, len(st.Intercept), len(st.Classes))
	}
	l.classes, l.coef, l.icpt, l.nFeat = st.Classes, st.Coef.Data, st.Intercept, p
	return nil
}

// matVecBlock is the number of rows of one block of matVec and matTVec;
// blocks are fixed, so results do not depend on the number of workers.
const matVecBlock = 2048

// matVec sets z = X·w.
func matVec(z []float64, x classical.Matrix, w []float64) {
	nb := (x.Rows + matVecBlock - 1) / matVecBlock
	parallel.For(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for i := b * matVecBlock; i < min((b+1)*matVecBlock, x.Rows); i++ {
				z[i] = dot(w, x.Row(i))
			}
		}
	})
}

// matTVec sets g = Xᵀ·r, adding per-block partial sums in block order.
func matTVec(g []float64, x classical.Matrix, r []float64) {
	p := x.Cols
	nb := (x.Rows + matVecBlock - 1) / matVecBlock
	part := make([]float64, nb*p)
	parallel.For(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			acc := part[b*p : (b+1)*p]
			for i := b * matVecBlock; i < min((b+1)*matVecBlock, x.Rows); i++ {
				if ri := r[i]; ri != 0 {
					for j, v := range x.Row(i) {
						acc[j] += v * ri
					}
				}
			}
		}
	})
	clear(g)
	for b := 0; b < nb; b++ {
		for j, v := range part[b*p : (b+1)*p] {
			g[j] += v
		}
	}
}
