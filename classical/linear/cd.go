package linear

import (
	"context"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// ElasticNet minimises scikit-learn's objective
//
//	1/(2n) ||y - Xw - b||² + alpha·l1_ratio·||w||₁ + alpha·(1-l1_ratio)/2·||w||²
//
// by cyclic coordinate descent, stopping as scikit-learn does when the
// duality gap falls below tol·||y||² (checked when the largest coordinate
// update is below tol relative to the largest coefficient).
type ElasticNet struct {
	Alpha        float64 // "alpha", default 1
	L1Ratio      float64 // "l1_ratio", default 0.5
	FitIntercept bool    // "fit_intercept", default true
	MaxIter      int     // "max_iter", default 1000
	Tol          float64 // "tol", default 1e-4
	name         string
	m            model
}

// NewElasticNet returns an ElasticNet with scikit-learn's defaults.
func NewElasticNet() *ElasticNet {
	return &ElasticNet{Alpha: 1, L1Ratio: 0.5, FitIntercept: true, MaxIter: 1000, Tol: 1e-4, name: "ElasticNet"}
}

// Lasso is ElasticNet with l1_ratio 1.
type Lasso struct{ ElasticNet }

// NewLasso returns a Lasso with alpha 1.
func NewLasso() *Lasso {
	e := NewElasticNet()
	e.L1Ratio, e.name = 1, "Lasso"
	return &Lasso{*e}
}

func (e *ElasticNet) params(lasso bool) classical.Params {
	ps := classical.Params{
		classical.Float("alpha", &e.Alpha),
		classical.Bool("fit_intercept", &e.FitIntercept),
		classical.Int("max_iter", &e.MaxIter),
		classical.Float("tol", &e.Tol),
	}
	if !lasso {
		ps = append(ps, classical.Float("l1_ratio", &e.L1Ratio))
	}
	return ps
}

// GetParams implements classical.Estimator.
func (e *ElasticNet) GetParams() map[string]any { return e.params(false).Get() }

// SetParams implements classical.Estimator.
func (e *ElasticNet) SetParams(m map[string]any) error { return e.params(false).Set(e.name, m) }

// Clone implements classical.Estimator.
func (e *ElasticNet) Clone() classical.Estimator { return classical.CloneByParams(e, NewElasticNet) }

// GetParams implements classical.Estimator.
func (l *Lasso) GetParams() map[string]any { return l.params(true).Get() }

// SetParams implements classical.Estimator.
func (l *Lasso) SetParams(m map[string]any) error { return l.params(true).Set("Lasso", m) }

// Clone implements classical.Estimator.
func (l *Lasso) Clone() classical.Estimator { return classical.CloneByParams(l, NewLasso) }

// Fit runs coordinate descent.
func (e *ElasticNet) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	if !(e.Alpha >= 0) || !(e.L1Ratio >= 0 && e.L1Ratio <= 1) || e.MaxIter < 1 || !(e.Tol >= 0) {
		return classical.InvalidParamf(e.name, "need alpha >= 0, 0 <= l1_ratio <= 1, max_iter >= 1, tol >= 0; got %v, %v, %d, %v", e.Alpha, e.L1Ratio, e.MaxIter, e.Tol)
	}
	xm, ys, err := classical.CheckXY(e.name, X, y)
	if err != nil {
		return err
	}
	n, p := xm.Rows, xm.Cols
	mu := make([]float64, p)
	ym := 0.0
	if e.FitIntercept {
		for i := 0; i < n; i++ {
			for j, v := range xm.Row(i) {
				mu[j] += v
			}
			ym += ys[i]
		}
		for j := range mu {
			mu[j] /= float64(n)
		}
		ym /= float64(n)
	}
	// Column-major centred copy: coordinate descent walks columns.
	cols := make([]float64, n*p)
	for i := 0; i < n; i++ {
		for j, v := range xm.Row(i) {
			cols[j*n+i] = v - mu[j]
		}
	}
	yc := make([]float64, n)
	for i := range yc {
		yc[i] = ys[i] - ym
	}
	w, iters, err := enetCD(ctx, e.name, cols, yc, n, p, e.Alpha*e.L1Ratio*float64(n), e.Alpha*(1-e.L1Ratio)*float64(n), e.MaxIter, e.Tol)
	if err != nil {
		return err
	}
	b := ym
	for j := range w {
		b -= w[j] * mu[j]
	}
	e.m = model{Coef: w, Intercept: b, NIter: iters}
	return nil
}

// enetCD is scikit-learn's enet_coordinate_descent (cd_fast.pyx) on a
// column-major X.
func enetCD(ctx context.Context, est string, X, y []float64, n, p int, alpha, beta float64, maxIter int, tol float64) ([]float64, int, error) {
	w := make([]float64, p)
	R := slices.Clone(y)
	norm := make([]float64, p)
	for j := 0; j < p; j++ {
		c := X[j*n : (j+1)*n]
		norm[j] = dotf(c, c)
	}
	gapTol := tol * dotf(y, y)
	dwTol := tol
	it := 0
	for it = 0; it < maxIter; it++ {
		if it%16 == 0 {
			if err := classical.CheckContext(ctx, est); err != nil {
				return nil, it, err
			}
		}
		wMax, dwMax := 0.0, 0.0
		for j := 0; j < p; j++ {
			if norm[j] == 0 {
				continue
			}
			c := X[j*n : (j+1)*n]
			wj := w[j]
			// cᵀ(R + wj·c), the correlation with the residual without
			// feature j, without updating R twice: two passes over the
			// column instead of three (one when w[j] does not move).
			tmp := dotf(c, R) + wj*norm[j]
			nw := 0.0
			if a := math.Abs(tmp) - alpha; a > 0 {
				nw = math.Copysign(a, tmp) / (norm[j] + beta)
			}
			w[j] = nw
			if nw != wj {
				axpy(wj-nw, c, R)
			}
			dwMax = math.Max(dwMax, math.Abs(nw-wj))
			wMax = math.Max(wMax, math.Abs(nw))
		}
		if wMax == 0 || dwMax/wMax < dwTol || it == maxIter-1 {
			dualNorm, wn2, l1 := 0.0, 0.0, 0.0
			for j := 0; j < p; j++ {
				xa := dotf(X[j*n:(j+1)*n], R) - beta*w[j]
				dualNorm = math.Max(dualNorm, math.Abs(xa))
				wn2 += w[j] * w[j]
				l1 += math.Abs(w[j])
			}
			rn2 := dotf(R, R)
			var gap, cst float64
			if dualNorm > alpha {
				cst = alpha / dualNorm
				gap = 0.5 * (rn2 + rn2*cst*cst)
			} else {
				cst = 1
				gap = rn2
			}
			gap += alpha*l1 - cst*dotf(R, y) + 0.5*beta*(1+cst*cst)*wn2
			if gap < gapTol {
				break
			}
		}
	}
	return w, min(it+1, maxIter), nil
}

func dotf(a, b []float64) float64 {
	s0, s1, s2, s3 := 0.0, 0.0, 0.0, 0.0
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

// Predict returns X·coef + intercept.
func (e *ElasticNet) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return e.m.predict(e.name, X)
}

// Score returns R² on (X, y).
func (e *ElasticNet) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor(e.name, e, X, y)
}

// Coef returns coef_.
func (e *ElasticNet) Coef() []float64 { return slices.Clone(e.m.Coef) }

// Intercept returns intercept_.
func (e *ElasticNet) Intercept() float64 { return e.m.Intercept }

// NIter returns the number of coordinate descent passes of the last Fit.
func (e *ElasticNet) NIter() int { return e.m.NIter }

// TypeName implements classical.Persistable.
func (e *ElasticNet) TypeName() string { return "linear." + e.name }

// MarshalState implements classical.Persistable.
func (e *ElasticNet) MarshalState() ([]byte, error) { return e.m.marshal() }

// UnmarshalState implements classical.Persistable.
func (e *ElasticNet) UnmarshalState(b []byte) error { return e.m.unmarshal(b) }
