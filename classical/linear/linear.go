// Package linear holds scikit-learn's linear models: LinearRegression
// (least squares by Householder QR with column pivoting), Ridge (closed
// form: Cholesky of the Gram matrix computed with the tensor GEMM), Lasso and ElasticNet (cyclic coordinate descent with
// scikit-learn's objective, duality-gap stopping rule, alpha and l1_ratio),
// and LogisticRegression (binary and multinomial, L2 through L-BFGS and L1
// through OWL-QN; X·W and Xᵀ·R by direct blocked row loops when W has at
// most 8 columns, tensor MatMul otherwise).
package linear

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("linear.LinearRegression", func() classical.Estimator { return NewLinearRegression() })
	classical.Register("linear.Ridge", func() classical.Estimator { return NewRidge() })
	classical.Register("linear.Lasso", func() classical.Estimator { return NewLasso() })
	classical.Register("linear.ElasticNet", func() classical.Estimator { return NewElasticNet() })
	classical.Register("linear.LogisticRegression", func() classical.Estimator { return NewLogisticRegression() })
}

// model is the fitted state of a single-target linear regressor.
type model struct {
	Coef      classical.Floats `json:"coef"`
	Intercept float64          `json:"intercept"`
	NIter     int              `json:"n_iter,omitempty"`
}

func (m *model) fitted() bool { return m.Coef != nil }

func (m *model) predict(est string, X *tensor.Tensor) (*tensor.Tensor, error) {
	if !m.fitted() {
		return nil, classical.NotFitted(est)
	}
	xm, err := classical.CheckFeatures(est, X, len(m.Coef))
	if err != nil {
		return nil, err
	}
	out := tensor.MatMul(xm.Tensor(), tensor.FromFloat64(m.Coef, len(m.Coef), 1)).Reshape(xm.Rows)
	d := out.Float64s()
	for i := range d {
		d[i] += m.Intercept
	}
	return out, nil
}

func (m *model) marshal() ([]byte, error) { return classical.MarshalFitted(m.fitted(), m) }

func (m *model) unmarshal(b []byte) error {
	var st model
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if len(st.Coef) == 0 {
		return errors.New("empty coef")
	}
	*m = st
	return nil
}

// centered returns the column means of X, the mean of y, the centred Gram
// matrix Xcᵀ Xc [p*p] and Xcᵀ yc [p]. The products run on the tensor GEMM.
func centered(xm classical.Matrix, y []float64, center bool) (mu []float64, ymean float64, gram, xty []float64) {
	n, p := xm.Rows, xm.Cols
	X := xm.Tensor()
	gram = tensor.MatMul(X.T(), X).Float64s()
	xty = make([]float64, p)
	mu = make([]float64, p)
	if !center {
		skinnyMulT(xty, xm.Data, n, p, y, 1)
		return mu, 0, gram, xty
	}
	sumsAndXty(mu, xty, xm.Data, n, p, y)
	for _, v := range y {
		ymean += v
	}
	fn := float64(n)
	for j := range mu {
		mu[j] /= fn
	}
	ymean /= fn
	// Subtracting n*mu*mu^T loses precision when |mu| >> std; recompute
	// exactly with a centred copy in that case.
	big := false
	for j := 0; j < p; j++ {
		v := gram[j*p+j]/fn - mu[j]*mu[j]
		if mu[j]*mu[j] > 1e6*math.Max(v, 1e-300) {
			big = true
		}
	}
	if big {
		xc := make([]float64, n*p)
		yc := make([]float64, n)
		for i := 0; i < n; i++ {
			for j, v := range xm.Row(i) {
				xc[i*p+j] = v - mu[j]
			}
			yc[i] = y[i] - ymean
		}
		Xc := tensor.FromFloat64(xc, n, p)
		return mu, ymean, tensor.MatMul(Xc.T(), Xc).Float64s(), tensor.MatMul(Xc.T(), tensor.FromFloat64(yc, n, 1)).Float64s()
	}
	for a := 0; a < p; a++ {
		for b := 0; b < p; b++ {
			gram[a*p+b] -= fn * mu[a] * mu[b]
		}
		xty[a] -= fn * mu[a] * ymean
	}
	return mu, ymean, gram, xty
}

// cholSolve solves A x = b for symmetric positive definite A [p*p] in
// place of copies; ok is false when A is not positive definite.
func cholSolve(A []float64, b []float64, p int) ([]float64, bool) {
	L := slices.Clone(A)
	for j := 0; j < p; j++ {
		s := L[j*p+j]
		for k := 0; k < j; k++ {
			s -= L[j*p+k] * L[j*p+k]
		}
		if !(s > 0) {
			return nil, false
		}
		d := math.Sqrt(s)
		L[j*p+j] = d
		for i := j + 1; i < p; i++ {
			s := L[i*p+j]
			for k := 0; k < j; k++ {
				s -= L[i*p+k] * L[j*p+k]
			}
			L[i*p+j] = s / d
		}
	}
	x := slices.Clone(b)
	for i := 0; i < p; i++ {
		s := x[i]
		for k := 0; k < i; k++ {
			s -= L[i*p+k] * x[k]
		}
		x[i] = s / L[i*p+i]
	}
	for i := p - 1; i >= 0; i-- {
		s := x[i]
		for k := i + 1; k < p; k++ {
			s -= L[k*p+i] * x[k]
		}
		x[i] = s / L[i*p+i]
	}
	return x, true
}

// solveSPD solves (A + ridge I) x = b, adding a growing jitter when A is
// singular (rank-deficient least squares: the result is then close to the
// minimum-norm solution).
func solveSPD(A, b []float64, p int, ridge float64) []float64 {
	M := slices.Clone(A)
	for j := 0; j < p; j++ {
		M[j*p+j] += ridge
	}
	if x, ok := cholSolve(M, b, p); ok {
		return x
	}
	tr := 0.0
	for j := 0; j < p; j++ {
		tr += A[j*p+j]
	}
	jit := math.Max(tr/float64(p), 1e-300) * 1e-12
	for k := 0; k < 12; k++ {
		M2 := slices.Clone(M)
		for j := 0; j < p; j++ {
			M2[j*p+j] += jit
		}
		if x, ok := cholSolve(M2, b, p); ok {
			return x
		}
		jit *= 100
	}
	return make([]float64, p)
}

// LinearRegression is ordinary least squares, solved by a Householder QR
// factorisation with column pivoting (the normal equations with a tiny
// ridge when X is rank deficient).
type LinearRegression struct {
	FitIntercept bool // "fit_intercept", default true
	m            model
}

// NewLinearRegression returns a LinearRegression with an intercept.
func NewLinearRegression() *LinearRegression { return &LinearRegression{FitIntercept: true} }

func (r *LinearRegression) params() classical.Params {
	return classical.Params{classical.Bool("fit_intercept", &r.FitIntercept)}
}

// GetParams implements classical.Estimator.
func (r *LinearRegression) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *LinearRegression) SetParams(m map[string]any) error {
	return r.params().Set("LinearRegression", m)
}

// Clone implements classical.Estimator.
func (r *LinearRegression) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewLinearRegression)
}

// Fit solves the least-squares problem by QR.
func (r *LinearRegression) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	xm, ys, err := classical.CheckXY("LinearRegression", X, y)
	if err != nil {
		return err
	}
	r.m = fitOLS(xm, ys, r.FitIntercept)
	return nil
}

// fitOLS solves least squares by QR with column pivoting on the centred
// data, falling back to the regularised normal equations (close to the
// minimum-norm solution) when X is rank deficient.
func fitOLS(xm classical.Matrix, ys []float64, intercept bool) model {
	mu := make([]float64, xm.Cols)
	ym := 0.0
	if intercept {
		for i := 0; i < xm.Rows; i++ {
			for j, v := range xm.Row(i) {
				mu[j] += v
			}
			ym += ys[i]
		}
		for j := range mu {
			mu[j] /= float64(xm.Rows)
		}
		ym /= float64(xm.Rows)
	}
	w, ok := lstsqQR(xm, mu, ys, ym)
	if !ok {
		return fitRidge(xm, ys, 0, intercept)
	}
	b := ym
	for j := range w {
		b -= w[j] * mu[j]
	}
	return model{Coef: w, Intercept: b}
}

func fitRidge(xm classical.Matrix, ys []float64, alpha float64, intercept bool) model {
	mu, ym, gram, xty := centered(xm, ys, intercept)
	w := solveSPD(gram, xty, xm.Cols, alpha)
	b := ym
	for j := range w {
		b -= w[j] * mu[j]
	}
	return model{Coef: w, Intercept: b}
}

// Predict returns X·coef + intercept.
func (r *LinearRegression) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return r.m.predict("LinearRegression", X)
}

// Score returns R² on (X, y).
func (r *LinearRegression) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("LinearRegression", r, X, y)
}

// Coef returns the coefficients (coef_), nil before Fit.
func (r *LinearRegression) Coef() []float64 { return slices.Clone(r.m.Coef) }

// Intercept returns intercept_.
func (r *LinearRegression) Intercept() float64 { return r.m.Intercept }

// TypeName implements classical.Persistable.
func (r *LinearRegression) TypeName() string { return "linear.LinearRegression" }

// MarshalState implements classical.Persistable.
func (r *LinearRegression) MarshalState() ([]byte, error) { return r.m.marshal() }

// UnmarshalState implements classical.Persistable.
func (r *LinearRegression) UnmarshalState(b []byte) error { return r.m.unmarshal(b) }

// Ridge is least squares with an L2 penalty alpha·||w||², solved in closed
// form (Cholesky of XᵀX + alpha I).
type Ridge struct {
	Alpha        float64 // "alpha", default 1
	FitIntercept bool    // "fit_intercept", default true
	m            model
}

// NewRidge returns a Ridge with alpha 1.
func NewRidge() *Ridge { return &Ridge{Alpha: 1, FitIntercept: true} }

func (r *Ridge) params() classical.Params {
	return classical.Params{classical.Float("alpha", &r.Alpha), classical.Bool("fit_intercept", &r.FitIntercept)}
}

// GetParams implements classical.Estimator.
func (r *Ridge) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *Ridge) SetParams(m map[string]any) error { return r.params().Set("Ridge", m) }

// Clone implements classical.Estimator.
func (r *Ridge) Clone() classical.Estimator { return classical.CloneByParams(r, NewRidge) }

// Fit solves (XᵀX + alpha I) w = Xᵀy on centred data.
func (r *Ridge) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	if !(r.Alpha >= 0) || math.IsInf(r.Alpha, 0) {
		return classical.InvalidParamf("Ridge", "alpha must be a finite number >= 0, got %v", r.Alpha)
	}
	xm, ys, err := classical.CheckXY("Ridge", X, y)
	if err != nil {
		return err
	}
	r.m = fitRidge(xm, ys, r.Alpha, r.FitIntercept)
	return nil
}

// Predict returns X·coef + intercept.
func (r *Ridge) Predict(X *tensor.Tensor) (*tensor.Tensor, error) { return r.m.predict("Ridge", X) }

// Score returns R² on (X, y).
func (r *Ridge) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("Ridge", r, X, y)
}

// Coef returns coef_.
func (r *Ridge) Coef() []float64 { return slices.Clone(r.m.Coef) }

// Intercept returns intercept_.
func (r *Ridge) Intercept() float64 { return r.m.Intercept }

// TypeName implements classical.Persistable.
func (r *Ridge) TypeName() string { return "linear.Ridge" }

// MarshalState implements classical.Persistable.
func (r *Ridge) MarshalState() ([]byte, error) { return r.m.marshal() }

// UnmarshalState implements classical.Persistable.
func (r *Ridge) UnmarshalState(b []byte) error { return r.m.unmarshal(b) }

var _ = fmt.Sprintf
