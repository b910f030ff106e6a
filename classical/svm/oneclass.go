package svm

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// OneClassSVM is unsupervised outlier detection (scikit-learn's
// OneClassSVM, libsvm's one-class SVM, Schölkopf et al. 2001): it learns
// a region of the feature space, in the kernel's terms, that holds most of
// the training data. Nu is an upper bound on the fraction of training
// points left outside and a lower bound on the fraction of support
// vectors. Predict answers +1 inside and −1 outside; DecisionFunction is
// positive inside. It is solved with the same SMO as SVC.
type OneClassSVM struct {
	kernelParams
	Nu float64 // "nu" in (0, 1], default 0.5

	// The intercept is −offset_ (libsvm's −rho): DecisionFunction =
	// ScoreSamples − offset.
	expansion
}

// NewOneClassSVM returns a OneClassSVM with scikit-learn's defaults.
func NewOneClassSVM() *OneClassSVM { return &OneClassSVM{kernelParams: defaultKernel(), Nu: 0.5} }

func (o *OneClassSVM) params() classical.Params {
	return append(o.kernelParams.params(), classical.Float("nu", &o.Nu))
}

// GetParams implements classical.Estimator.
func (o *OneClassSVM) GetParams() map[string]any { return o.params().Get() }

// SetParams implements classical.Estimator.
func (o *OneClassSVM) SetParams(m map[string]any) error { return o.params().Set("OneClassSVM", m) }

// Clone implements classical.Estimator.
func (o *OneClassSVM) Clone() classical.Estimator { return classical.CloneByParams(o, NewOneClassSVM) }

// Fit learns the region from X; y is ignored (it may be nil).
func (o *OneClassSVM) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "OneClassSVM"
	o.expansion = expansion{}
	if !(o.Nu > 0 && o.Nu <= 1) {
		return classical.InvalidParamf(est, "nu must be in (0, 1], got %v", o.Nu)
	}
	xm, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	k, err := o.resolve(est, xm)
	if err != nil {
		return err
	}
	// libsvm's start: the first ⌊νl⌋ variables at their bound 1, the next
	// one holding the rest of Σα = νl.
	l := xm.Rows
	s := &solver{y: make([]float64, l), p: make([]float64, l), c: make([]float64, l), si: make([]int, l),
		kc: newKCache(k, xm, o.CacheSize*(1<<20)), eps: o.Tol, maxIt: o.MaxIter, alpha0: make([]float64, l)}
	nu := o.Nu * float64(l)
	full := int(nu)
	for i := range l {
		s.y[i], s.c[i], s.si[i] = 1, 1, i
		switch {
		case i < full:
			s.alpha0[i] = 1
		case i == full:
			s.alpha0[i] = nu - float64(full)
		}
	}
	rho, _, err := s.solve(ctx)
	if err != nil {
		return fmt.Errorf("%s: fit cancelled: %w", est, err)
	}
	o.set(xm, s.alpha, -rho, k.gamma)
	return nil
}

// ScoreSamples returns Σ coefᵢ K(svᵢ, x), larger inside the region.
func (o *OneClassSVM) ScoreSamples(X *tensor.Tensor) (*tensor.Tensor, error) {
	return o.eval("OneClassSVM", &o.kernelParams, X, false)
}

// DecisionFunction returns ScoreSamples − Offset: positive inside the
// region, negative for outliers.
func (o *OneClassSVM) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	return o.eval("OneClassSVM", &o.kernelParams, X, true)
}

// Predict returns +1 for points inside the region and −1 for outliers
// (a decision value of exactly 0 counts as outside, as in libsvm).
func (o *OneClassSVM) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	d, err := o.DecisionFunction(X)
	if err != nil {
		return nil, err
	}
	v := d.Float64s()
	for i, x := range v {
		v[i] = -1
		if x > 0 {
			v[i] = 1
		}
	}
	return d, nil
}

// Offset returns offset_ (libsvm's rho).
func (o *OneClassSVM) Offset() float64 { return -o.intercept }

// TypeName implements classical.Persistable.
func (o *OneClassSVM) TypeName() string { return "svm.OneClassSVM" }

// MarshalState implements classical.Persistable.
func (o *OneClassSVM) MarshalState() ([]byte, error) { return o.marshal() }

// UnmarshalState implements classical.Persistable.
func (o *OneClassSVM) UnmarshalState(b []byte) error { return o.unmarshal("OneClassSVM", b) }
