package autograd

import (
	"fmt"
	"math"

	"github.com/ember-ml/ember/tensor"
)

// CheckConfig tunes CheckGrad. Zero fields take the defaults shown.
type CheckConfig struct {
	Eps  float64 // central-difference step (1e-6)
	ATol float64 // absolute tolerance (1e-6)
	RTol float64 // relative tolerance (1e-4)
	// Wrt lists the indices of the inputs to differentiate with respect to
	// (nil means all).
	Wrt []int
	// Seed draws the random projection of the output.
	Seed uint64
}

// CheckGrad compares the gradients Backward computes for f with central
// differences, in float64. f maps variables holding the inputs to an output
// of any shape; the check differentiates sum(f(x) * r) for a random r of
// the output's shape, which tests the whole vector-Jacobian product. f must
// be deterministic (seeded dropout is). It returns an error naming the
// input, element and both values at the first mismatch.
func CheckGrad(f func(xs []*Variable) *Variable, inputs []*tensor.Tensor, cfg CheckConfig) error {
	if cfg.Eps == 0 {
		cfg.Eps = 1e-6
	}
	if cfg.ATol == 0 {
		cfg.ATol = 1e-6
	}
	if cfg.RTol == 0 {
		cfg.RTol = 1e-4
	}
	xs := make([]*tensor.Tensor, len(inputs))
	for i, in := range inputs {
		xs[i] = in.AsType(tensor.Float64).Clone()
	}
	wrt := cfg.Wrt
	if wrt == nil {
		for i := range xs {
			wrt = append(wrt, i)
		}
	}
	isWrt := make([]bool, len(xs))
	for _, i := range wrt {
		isWrt[i] = true
	}

	// Analytic gradients.
	tp := NewTape()
	vars := make([]*Variable, len(xs))
	for i, x := range xs {
		if isWrt[i] {
			vars[i] = tp.Variable(x)
		} else {
			vars[i] = tp.Constant(x)
		}
	}
	out := f(vars)
	r := tensor.RandN(tensor.Float64, tensor.NewRand(cfg.Seed+7), out.Shape()...)
	loss := Sum(Mul(out, tp.Constant(r)))
	tp.Backward(loss)
	analytic := make([][]float64, len(xs))
	for _, i := range wrt {
		if g := vars[i].Gradient(); g != nil {
			analytic[i] = g.Clone().Float64s()
		} else {
			analytic[i] = make([]float64, xs[i].Size())
		}
	}
	tp.Reset()

	eval := func() float64 {
		cv := make([]*Variable, len(xs))
		for i, x := range xs {
			cv[i] = Constant(x)
		}
		o := f(cv).Value
		return tensor.Dot(o.AsType(tensor.Float64), r)
	}
	for _, i := range wrt {
		x := xs[i].Float64s()
		for j := range x {
			orig := x[j]
			x[j] = orig + cfg.Eps
			fp := eval()
			x[j] = orig - cfg.Eps
			fm := eval()
			x[j] = orig
			num := (fp - fm) / (2 * cfg.Eps)
			a := analytic[i][j]
			if math.IsNaN(a) || math.Abs(a-num) > cfg.ATol+cfg.RTol*math.Abs(num) {
				return fmt.Errorf("autograd: gradient of input %d (shape %v) at element %d: analytic %.8g, numerical %.8g", i, xs[i].Shape(), j, a, num)
			}
		}
	}
	return nil
}
