package svm

import (
	"context"
	"math"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("svm.NuSVC", func() classical.Estimator { return NewNuSVC() })
	classical.Register("svm.NuSVR", func() classical.Estimator { return NewNuSVR() })
}

// NuSVC is ν-support vector classification (scikit-learn's NuSVC,
// libsvm's nu-SVC): instead of the penalty C, Nu in (0, 1] is an upper
// bound on the fraction of margin errors and a lower bound on the fraction
// of support vectors. Several classes are handled one-vs-one as in SVC,
// with the same probability calibration and decision function shapes.
// As in libsvm, class weights do not change the ν-problem.
type NuSVC struct {
	kernelParams
	Nu                    float64 // "nu", default 0.5
	Probability           bool    // "probability"
	ClassWeight           any     // "class_weight": accepted as scikit-learn does; no effect
	DecisionFunctionShape string  // "decision_function_shape": "ovr" (default) or "ovo"
	Seed                  uint64  // "random_state" of the probability calibration

	svc SVC
}

// NewNuSVC returns a NuSVC with scikit-learn's defaults.
func NewNuSVC() *NuSVC {
	return &NuSVC{kernelParams: defaultKernel(), Nu: 0.5, DecisionFunctionShape: "ovr"}
}

func (n *NuSVC) params() classical.Params {
	return append(n.kernelParams.params(),
		classical.Float("nu", &n.Nu),
		classical.Bool("probability", &n.Probability),
		classical.Any("class_weight", &n.ClassWeight, linear.CheckClassWeight),
		classical.String("decision_function_shape", &n.DecisionFunctionShape, "ovr", "ovo"),
		classical.Uint64("random_state", &n.Seed),
	)
}

// GetParams implements classical.Estimator.
func (n *NuSVC) GetParams() map[string]any { return n.params().Get() }

// SetParams implements classical.Estimator.
func (n *NuSVC) SetParams(m map[string]any) error { return n.params().Set("NuSVC", m) }

// Clone implements classical.Estimator.
func (n *NuSVC) Clone() classical.Estimator { return classical.CloneByParams(n, NewNuSVC) }

// Fit solves one ν-problem per pair of classes. A Nu that no pair can
// satisfy (ν(n₁+n₂)/2 > min(n₁, n₂)) is an error, as in libsvm.
func (n *NuSVC) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "NuSVC"
	n.svc = SVC{}
	if !(n.Nu > 0 && n.Nu <= 1) {
		return classical.InvalidParamf(est, "nu must be in (0, 1], got %v", n.Nu)
	}
	_, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	classes, idx, err := classical.ClassesOf(est, ys)
	if err != nil {
		return err
	}
	count := make([]float64, len(classes))
	for _, k := range idx {
		count[k]++
	}
	for a := range count {
		for b := a + 1; b < len(count); b++ {
			if n.Nu*(count[a]+count[b])/2 > math.Min(count[a], count[b]) {
				return classical.InvalidParamf(est, "nu %v is infeasible for classes %v and %v (%v and %v samples)", n.Nu, classes[a], classes[b], count[a], count[b])
			}
		}
	}
	n.svc = SVC{kernelParams: n.kernelParams, C: 1, Probability: n.Probability, DecisionFunctionShape: n.DecisionFunctionShape, Seed: n.Seed, nu: n.Nu}
	return n.svc.Fit(ctx, X, y)
}

// DecisionFunction returns the decision values as SVC does.
func (n *NuSVC) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	return n.machinery().DecisionFunction(X)
}

// Predict returns the class with the most one-vs-one votes.
func (n *NuSVC) Predict(X *tensor.Tensor) (*tensor.Tensor, error) { return n.machinery().Predict(X) }

// PredictProba returns class probabilities (needs Probability at Fit).
func (n *NuSVC) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	return n.machinery().PredictProba(X)
}

// Classes returns the sorted class labels.
func (n *NuSVC) Classes() []float64 { return n.svc.Classes() }

// NSupport returns the number of support vectors of each class.
func (n *NuSVC) NSupport() []int { return n.svc.NSupport() }

// Support returns the indices of the support vectors in the training data.
func (n *NuSVC) Support() []int { return n.svc.Support() }

// Intercept returns intercept_, one per pair of classes.
func (n *NuSVC) Intercept() []float64 { return n.svc.Intercept() }

// Score returns the accuracy on (X, y).
func (n *NuSVC) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("NuSVC", n, X, y)
}

// machinery returns the fitted SVC, named NuSVC in its errors even before
// Fit.
func (n *NuSVC) machinery() *SVC {
	if n.svc.m == nil {
		n.svc.nu = math.Max(n.Nu, math.SmallestNonzeroFloat64)
	}
	return &n.svc
}

// TypeName implements classical.Persistable.
func (n *NuSVC) TypeName() string { return "svm.NuSVC" }

// MarshalState implements classical.Persistable (SVC's format).
func (n *NuSVC) MarshalState() ([]byte, error) { return n.machinery().MarshalState() }

// UnmarshalState implements classical.Persistable.
func (n *NuSVC) UnmarshalState(b []byte) error {
	n.svc = SVC{kernelParams: n.kernelParams, DecisionFunctionShape: n.DecisionFunctionShape, nu: math.Max(n.Nu, math.SmallestNonzeroFloat64)}
	return n.svc.UnmarshalState(b)
}

// NuSVR is ν-support vector regression (scikit-learn's NuSVR, libsvm's
// nu-SVR): instead of SVR's tube width epsilon, Nu in (0, 1] bounds the
// fraction of training errors from above and of support vectors from
// below, and the width is found by the solver.
type NuSVR struct {
	kernelParams
	Nu float64 // "nu", default 0.5
	C  float64 // "C", default 1

	expansion
}

// NewNuSVR returns a NuSVR with scikit-learn's defaults.
func NewNuSVR() *NuSVR { return &NuSVR{kernelParams: defaultKernel(), Nu: 0.5, C: 1} }

func (r *NuSVR) params() classical.Params {
	return append(r.kernelParams.params(), classical.Float("nu", &r.Nu), classical.Float("C", &r.C))
}

// GetParams implements classical.Estimator.
func (r *NuSVR) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *NuSVR) SetParams(m map[string]any) error { return r.params().Set("NuSVR", m) }

// Clone implements classical.Estimator.
func (r *NuSVR) Clone() classical.Estimator { return classical.CloneByParams(r, NewNuSVR) }

// Fit solves the ν-problem on the 2n dual variables with libsvm's
// starting point.
func (r *NuSVR) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "NuSVR"
	r.expansion = expansion{}
	if !(r.Nu > 0 && r.Nu <= 1) || !(r.C > 0) || math.IsInf(r.C, 0) {
		return classical.InvalidParamf(est, "need nu in (0, 1] and C > 0, got %v and %v", r.Nu, r.C)
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	k, err := r.resolve(est, xm)
	if err != nil {
		return err
	}
	// libsvm's start: C·ν·n/2 of α on each side, in sample order.
	return r.fitRegression(ctx, est, k, &r.kernelParams, xm, func(s *solver, n int) {
		s.nu, s.alpha0 = true, make([]float64, 2*n)
		sum := r.C * r.Nu * float64(n) / 2
		for i := 0; i < n; i++ {
			a := math.Min(sum, r.C)
			sum -= a
			s.alpha0[i], s.alpha0[i+n] = a, a
			s.p[i], s.c[i] = -ys[i], r.C
			s.p[i+n], s.c[i+n] = ys[i], r.C
		}
	})
}

// Predict returns Σ coefᵢ K(svᵢ, x) + intercept.
func (r *NuSVR) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return r.eval("NuSVR", &r.kernelParams, X, true)
}

// Score returns R² on (X, y).
func (r *NuSVR) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("NuSVR", r, X, y)
}

// Intercept returns intercept_.
func (r *NuSVR) Intercept() float64 { return r.intercept }

// TypeName implements classical.Persistable.
func (r *NuSVR) TypeName() string { return "svm.NuSVR" }

// MarshalState implements classical.Persistable.
func (r *NuSVR) MarshalState() ([]byte, error) { return r.marshal() }

// UnmarshalState implements classical.Persistable.
func (r *NuSVR) UnmarshalState(b []byte) error { return r.unmarshal("NuSVR", b) }
