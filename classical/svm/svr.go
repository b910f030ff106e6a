package svm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// SVR is epsilon-support vector regression (scikit-learn's SVR, libsvm's
// epsilon-SVR): errors smaller than Epsilon cost nothing, larger ones
// cost C per unit. It is solved with the same SMO as SVC on the 2n dual
// variables.
type SVR struct {
	kernelParams
	C       float64 // "C", default 1
	Epsilon float64 // "epsilon", default 0.1

	sv        classical.Array
	coef      []float64
	intercept float64
	gamma     float64
	support   []int
}

// NewSVR returns an SVR with scikit-learn's defaults.
func NewSVR() *SVR { return &SVR{kernelParams: defaultKernel(), C: 1, Epsilon: 0.1} }

func (s *SVR) params() classical.Params {
	return append(s.kernelParams.params(), classical.Float("C", &s.C), classical.Float("epsilon", &s.Epsilon))
}

// GetParams implements classical.Estimator.
func (s *SVR) GetParams() map[string]any { return s.params().Get() }

// SetParams implements classical.Estimator.
func (s *SVR) SetParams(m map[string]any) error { return s.params().Set("SVR", m) }

// Clone implements classical.Estimator.
func (s *SVR) Clone() classical.Estimator { return classical.CloneByParams(s, NewSVR) }

// Fit solves the dual problem with SMO.
func (s *SVR) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "SVR"
	s.coef = nil
	if !(s.C > 0) || math.IsInf(s.C, 0) || !(s.Epsilon >= 0) || math.IsInf(s.Epsilon, 0) {
		return classical.InvalidParamf(est, "need C > 0 and epsilon >= 0, got %v and %v", s.C, s.Epsilon)
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	k, err := s.resolve(est, xm)
	if err != nil {
		return err
	}
	n := xm.Rows
	sol := &solver{y: make([]float64, 2*n), p: make([]float64, 2*n), c: make([]float64, 2*n), si: make([]int, 2*n),
		kc: newKCache(k, xm, s.CacheSize*(1<<20)), eps: s.Tol, maxIt: s.MaxIter}
	for i := 0; i < n; i++ {
		sol.y[i], sol.p[i], sol.c[i], sol.si[i] = 1, s.Epsilon-ys[i], s.C, i
		sol.y[i+n], sol.p[i+n], sol.c[i+n], sol.si[i+n] = -1, s.Epsilon+ys[i], s.C, i
	}
	rho, _, err := sol.solve(ctx)
	if err != nil {
		return fmt.Errorf("%s: fit cancelled: %w", est, err)
	}
	var sv []int
	var coef []float64
	for i := 0; i < n; i++ {
		if c := sol.alpha[i] - sol.alpha[i+n]; c != 0 {
			sv = append(sv, i)
			coef = append(coef, c)
		}
	}
	p := xm.Cols
	svd := make([]float64, len(sv)*p)
	for r, i := range sv {
		copy(svd[r*p:], xm.Row(i))
	}
	s.sv, s.coef, s.intercept, s.gamma, s.support = classical.NewArray(svd, len(sv), p), coef, -rho, k.gamma, sv
	if s.coef == nil {
		s.coef = []float64{}
	}
	return nil
}

// Predict returns Σ coefᵢ K(svᵢ, x) + intercept.
func (s *SVR) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "SVR"
	if s.coef == nil {
		return nil, classical.NotFitted(est)
	}
	xm, err := classical.CheckFeatures(est, X, s.sv.Shape[1])
	if err != nil {
		return nil, err
	}
	out := make([]float64, xm.Rows)
	nsv := len(s.coef)
	if nsv > 0 {
		k := kernel{kind: s.Kernel, gamma: s.gamma, coef0: s.Coef0, degree: s.Degree}
		km := k.matrix(xm, classical.Matrix{Rows: nsv, Cols: s.sv.Shape[1], Data: s.sv.Data})
		tensor.MatMulTo(tensor.FromFloat64(out, xm.Rows, 1), tensor.FromFloat64(km, xm.Rows, nsv), tensor.FromFloat64(s.coef, nsv, 1))
	}
	for i := range out {
		out[i] += s.intercept
	}
	return classical.Vector(out), nil
}

// Score returns R² on (X, y).
func (s *SVR) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("SVR", s, X, y)
}

// Intercept returns intercept_.
func (s *SVR) Intercept() float64 { return s.intercept }

// Support returns the indices of the support vectors in the training data.
func (s *SVR) Support() []int { return slices.Clone(s.support) }

// TypeName implements classical.Persistable.
func (s *SVR) TypeName() string { return "svm.SVR" }

type svrState struct {
	SV        classical.Array  `json:"support_vectors"`
	Coef      classical.Floats `json:"dual_coef"`
	Intercept float64          `json:"intercept"`
	Gamma     float64          `json:"gamma"`
	Support   []int            `json:"support"`
}

// MarshalState implements classical.Persistable.
func (s *SVR) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(s.coef != nil, svrState{s.sv, s.coef, s.intercept, s.gamma, s.support})
}

// UnmarshalState implements classical.Persistable.
func (s *SVR) UnmarshalState(b []byte) error {
	var st svrState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := st.SV.Check("support_vectors", len(st.Coef), -1); err != nil {
		return err
	}
	if st.SV.Shape[1] < 1 || len(st.Support) != len(st.Coef) || !(st.Gamma >= 0) || math.IsInf(st.Gamma, 0) {
		return fmt.Errorf("inconsistent SVR state")
	}
	if st.Coef == nil {
		st.Coef = []float64{}
	}
	s.sv, s.coef, s.intercept, s.gamma, s.support = st.SV, st.Coef, st.Intercept, st.Gamma, st.Support
	return nil
}
