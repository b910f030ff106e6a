package svm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// expansion is a fitted kernel expansion f(x) = Σ coefᵢ K(svᵢ, x) +
// intercept: SVR's prediction and OneClassSVM's decision function.
type expansion struct {
	sv        classical.Array
	coef      []float64 // dual_coef_; nil before Fit
	intercept float64
	gamma     float64
	support   []int // indices of the support vectors in the training data
}

// set keeps the training rows with a non-zero coefficient as support
// vectors.
func (e *expansion) set(xm classical.Matrix, coefs []float64, intercept, gamma float64) {
	var sv []int
	coef := []float64{}
	for i, c := range coefs {
		if c != 0 {
			sv = append(sv, i)
			coef = append(coef, c)
		}
	}
	p := xm.Cols
	svd := make([]float64, len(sv)*p)
	for r, i := range sv {
		copy(svd[r*p:], xm.Row(i))
	}
	*e = expansion{sv: classical.NewArray(svd, len(sv), p), coef: coef, intercept: intercept, gamma: gamma, support: sv}
}

// fitRegression solves a regression dual on 2n variables (α⁺ of sample i
// at i with label +1, α⁻ at i+n with label −1) whose costs, bounds and
// start init sets, and keeps Σ (α⁺ − α⁻)ᵢ K(xᵢ, ·) − rho: SVR and NuSVR.
func (e *expansion) fitRegression(ctx context.Context, est string, k kernel, kp *kernelParams, xm classical.Matrix, init func(s *solver, n int)) error {
	n := xm.Rows
	s := &solver{y: make([]float64, 2*n), p: make([]float64, 2*n), c: make([]float64, 2*n), si: make([]int, 2*n),
		kc: newKCache(k, xm, kp.CacheSize*(1<<20)), eps: kp.Tol, maxIt: kp.MaxIter}
	for i := 0; i < n; i++ {
		s.y[i], s.si[i] = 1, i
		s.y[i+n], s.si[i+n] = -1, i
	}
	init(s, n)
	rho, _, err := s.solve(ctx)
	if err != nil {
		return fmt.Errorf("%s: fit cancelled: %w", est, err)
	}
	coefs := make([]float64, n)
	for i := range coefs {
		coefs[i] = s.alpha[i] - s.alpha[i+n]
	}
	e.set(xm, coefs, -rho, k.gamma)
	return nil
}

// eval returns Σ coefᵢ K(svᵢ, x), plus the intercept when withIntercept,
// for each row of X (checked against the training features, errors
// naming est).
func (e *expansion) eval(est string, kp *kernelParams, X *tensor.Tensor, withIntercept bool) (*tensor.Tensor, error) {
	if e.coef == nil {
		return nil, classical.NotFitted(est)
	}
	xm, err := classical.CheckFeatures(est, X, e.sv.Shape[1])
	if err != nil {
		return nil, err
	}
	out := make([]float64, xm.Rows)
	if nsv := len(e.coef); nsv > 0 {
		k := kernel{kind: kp.Kernel, gamma: e.gamma, coef0: kp.Coef0, degree: kp.Degree}
		km := k.matrix(xm, classical.Matrix{Rows: nsv, Cols: e.sv.Shape[1], Data: e.sv.Data})
		tensor.MatMulTo(tensor.FromFloat64(out, xm.Rows, 1), tensor.FromFloat64(km, xm.Rows, nsv), tensor.FromFloat64(e.coef, nsv, 1))
	}
	if withIntercept {
		for i := range out {
			out[i] += e.intercept
		}
	}
	return classical.Vector(out), nil
}

// Support returns the indices of the support vectors in the training data.
func (e *expansion) Support() []int { return slices.Clone(e.support) }

// DualCoef returns dual_coef_, one coefficient per support vector.
func (e *expansion) DualCoef() []float64 { return slices.Clone(e.coef) }

// expansionState is the saved form (SVR's file format since its first
// release).
type expansionState struct {
	SV        classical.Array  `json:"support_vectors"`
	Coef      classical.Floats `json:"dual_coef"`
	Intercept float64          `json:"intercept"`
	Gamma     float64          `json:"gamma"`
	Support   []int            `json:"support"`
}

func (e *expansion) marshal() ([]byte, error) {
	return classical.MarshalFitted(e.coef != nil, expansionState{e.sv, e.coef, e.intercept, e.gamma, e.support})
}

func (e *expansion) unmarshal(est string, b []byte) error {
	var st expansionState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := st.SV.Check("support_vectors", len(st.Coef), -1); err != nil {
		return err
	}
	if st.SV.Shape[1] < 1 || len(st.Support) != len(st.Coef) || !(st.Gamma >= 0) || math.IsInf(st.Gamma, 0) ||
		math.IsNaN(st.Intercept) || math.IsInf(st.Intercept, 0) {
		return fmt.Errorf("inconsistent %s state", est)
	}
	if st.Coef == nil {
		st.Coef = []float64{}
	}
	*e = expansion{sv: st.SV, coef: st.Coef, intercept: st.Intercept, gamma: st.Gamma, support: st.Support}
	return nil
}
