package tensor

import (
	"math"

	"github.com/ember-ml/ember/internal/parallel"
)

// Fused optimizer updates: one pass over each parameter, no allocation.

func (cpu) SGDStep(param, grad, vel *Tensor, h OptimizerStep) {
	if param.dtype == Float32 {
		sgdT[float32](param, grad, vel, h)
	} else {
		sgdT[float64](param, grad, vel, h)
	}
}

func flat[T float](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return data[T](t)[t.offset : t.offset+t.Size()]
}

func sgdT[T float](param, grad, vel *Tensor, h OptimizerStep) {
	p, g, v := flat[T](param), flat[T](grad), flat[T](vel)
	lr, mom, wd := T(h.LR), T(h.Beta1), T(h.WeightDecay)
	parallel.For(len(p), elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gi := g[i] + wd*p[i]
			if mom != 0 {
				v[i] = mom*v[i] + gi
				if h.Nesterov {
					gi += mom * v[i]
				} else {
					gi = v[i]
				}
			}
			p[i] -= lr * gi
		}
	})
}

func (cpu) AdamStep(param, grad, m, v *Tensor, h OptimizerStep) {
	if param.dtype == Float32 {
		adamT[float32](param, grad, m, v, h)
	} else {
		adamT[float64](param, grad, m, v, h)
	}
}

func adamT[T float](param, grad, mt, vt *Tensor, h OptimizerStep) {
	p, g, m, v := flat[T](param), flat[T](grad), flat[T](mt), flat[T](vt)
	b1, b2 := T(h.Beta1), T(h.Beta2)
	step := float64(max(h.Step, 1))
	bc1 := 1 - math.Pow(h.Beta1, step)
	bc2 := 1 - math.Pow(h.Beta2, step)
	// PyTorch's formulation: p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps).
	stepSize := T(h.LR / bc1)
	invSqrtBC2 := T(1 / math.Sqrt(bc2))
	eps := T(h.Eps)
	wd := T(h.WeightDecay)
	decay := T(1 - h.LR*h.WeightDecay)
	parallel.For(len(p), elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gi := g[i]
			if h.Decoupled {
				p[i] *= decay
			} else if wd != 0 {
				gi += wd * p[i]
			}
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			den := T(math.Sqrt(float64(v[i])))*invSqrtBC2 + eps
			p[i] -= stepSize * m[i] / den
		}
	})
}

func (cpu) RMSpropStep(param, grad, sq, mom *Tensor, h OptimizerStep) {
	if param.dtype == Float32 {
		rmspropT[float32](param, grad, sq, mom, h)
	} else {
		rmspropT[float64](param, grad, sq, mom, h)
	}
}

func rmspropT[T float](param, grad, sqt, momt *Tensor, h OptimizerStep) {
	p, g, sq, mo := flat[T](param), flat[T](grad), flat[T](sqt), flat[T](momt)
	lr, rho, eps, wd, mu := T(h.LR), T(h.Beta2), T(h.Eps), T(h.WeightDecay), T(h.Beta1)
	parallel.For(len(p), elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gi := g[i] + wd*p[i]
			sq[i] = rho*sq[i] + (1-rho)*gi*gi
			upd := gi / (T(math.Sqrt(float64(sq[i]))) + eps)
			if mo != nil && mu != 0 {
				mo[i] = mu*mo[i] + upd
				upd = mo[i]
			}
			p[i] -= lr * upd
		}
	})
}

func (cpu) AdagradStep(param, grad, sum *Tensor, h OptimizerStep) {
	if param.dtype == Float32 {
		adagradT[float32](param, grad, sum, h)
	} else {
		adagradT[float64](param, grad, sum, h)
	}
}

func adagradT[T float](param, grad, sumt *Tensor, h OptimizerStep) {
	p, g, s := flat[T](param), flat[T](grad), flat[T](sumt)
	lr, eps, wd := T(h.LR), T(h.Eps), T(h.WeightDecay)
	parallel.For(len(p), elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gi := g[i] + wd*p[i]
			s[i] += gi * gi
			p[i] -= lr * gi / (T(math.Sqrt(float64(s[i]))) + eps)
		}
	})
}
