package svm

import (
	"context"
	"math"

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

	expansion
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
	s.expansion = expansion{}
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
	return s.fitRegression(ctx, est, k, &s.kernelParams, xm, func(sol *solver, n int) {
		for i := 0; i < n; i++ {
			sol.p[i], sol.c[i] = s.Epsilon-ys[i], s.C
			sol.p[i+n], sol.c[i+n] = s.Epsilon+ys[i], s.C
		}
	})
}

// Predict returns Σ coefᵢ K(svᵢ, x) + intercept.
func (s *SVR) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return s.eval("SVR", &s.kernelParams, X, true)
}

// Score returns R² on (X, y).
func (s *SVR) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("SVR", s, X, y)
}

// Intercept returns intercept_.
func (s *SVR) Intercept() float64 { return s.intercept }

// TypeName implements classical.Persistable.
func (s *SVR) TypeName() string { return "svm.SVR" }

// MarshalState implements classical.Persistable.
func (s *SVR) MarshalState() ([]byte, error) { return s.marshal() }

// UnmarshalState implements classical.Persistable.
func (s *SVR) UnmarshalState(b []byte) error { return s.unmarshal("SVR", b) }
