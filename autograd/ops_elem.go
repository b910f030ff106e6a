package autograd

import (
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/tensor"
)

// grads is a helper for backward functions: the gradients of the inputs.
func grads(gs ...*tensor.Tensor) []*tensor.Tensor { return gs }

// unbroadcast sums g over the axes along which an operand of shape shape
// was broadcast, returning g itself when no reduction is needed.
func unbroadcast(g *tensor.Tensor, shape []int) *tensor.Tensor {
	gs := g.Shape()
	if slices.Equal(gs, shape) {
		return g
	}
	lead := len(gs) - len(shape)
	var axes []int
	for i := range gs {
		if i < lead || (shape[i-lead] == 1 && gs[i] != 1) {
			axes = append(axes, i)
		}
	}
	if len(axes) == 0 {
		return g.Reshape(shape...)
	}
	r := tensor.ReduceTo(nil, tensor.ReduceSum, g, axes...)
	return r.Reshape(shape...)
}

// mulTo returns a*b into a new tensor (or unbroadcast of it to shape).
func mulReduce(g, x *tensor.Tensor, shape []int) *tensor.Tensor {
	p := tensor.BinaryTo(nil, tensor.OpMul, g, x)
	r := unbroadcast(p, shape)
	if r != p && !r.SharesStorage(p) {
		tensor.Release(p)
	}
	return r
}

// Add returns a + b with NumPy broadcasting.
func Add(a, b *Variable) *Variable {
	out := tensor.BinaryTo(nil, tensor.OpAdd, a.Value, b.Value)
	as, bs := a.Shape(), b.Shape()
	return record("add", out, true, []*Variable{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if a.requiresGrad {
			ga = unbroadcast(g, as)
		}
		if b.requiresGrad {
			gb = unbroadcast(g, bs)
		}
		return grads(ga, gb)
	})
}

// Sub returns a - b with broadcasting.
func Sub(a, b *Variable) *Variable {
	out := tensor.BinaryTo(nil, tensor.OpSub, a.Value, b.Value)
	as, bs := a.Shape(), b.Shape()
	return record("sub", out, true, []*Variable{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if a.requiresGrad {
			ga = unbroadcast(g, as)
		}
		if b.requiresGrad {
			n := tensor.UnaryTo(nil, tensor.OpNeg, g, 0, 0)
			gb = unbroadcast(n, bs)
			if gb != n {
				tensor.Release(n)
			}
		}
		return grads(ga, gb)
	})
}

// Mul returns a * b elementwise with broadcasting.
func Mul(a, b *Variable) *Variable {
	out := tensor.BinaryTo(nil, tensor.OpMul, a.Value, b.Value)
	return record("mul", out, true, []*Variable{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if a.requiresGrad {
			ga = mulReduce(g, b.Value, a.Shape())
		}
		if b.requiresGrad {
			gb = mulReduce(g, a.Value, b.Shape())
		}
		return grads(ga, gb)
	})
}

// Div returns a / b elementwise with broadcasting.
func Div(a, b *Variable) *Variable {
	out := tensor.BinaryTo(nil, tensor.OpDiv, a.Value, b.Value)
	return record("div", out, true, []*Variable{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if a.requiresGrad {
			q := tensor.BinaryTo(nil, tensor.OpDiv, g, b.Value)
			ga = unbroadcast(q, a.Shape())
			if ga != q {
				tensor.Release(q)
			}
		}
		if b.requiresGrad {
			// d(a/b)/db = -out/b
			q := tensor.BinaryTo(nil, tensor.OpMul, g, out)
			tensor.BinaryTo(q, tensor.OpDiv, q, b.Value.Expand(q.Shape()...))
			tensor.UnaryTo(q, tensor.OpNeg, q, 0, 0)
			gb = unbroadcast(q, b.Shape())
			if gb != q {
				tensor.Release(q)
			}
		}
		return grads(ga, gb)
	})
}

// AddScalar returns a + c.
func AddScalar(a *Variable, c float64) *Variable {
	out := tensor.UnaryTo(nil, tensor.OpAddScalar, a.Value, c, 0)
	return record("add_scalar", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(g)
	})
}

// MulScalar returns a * c.
func MulScalar(a *Variable, c float64) *Variable {
	out := tensor.UnaryTo(nil, tensor.OpMulScalar, a.Value, c, 0)
	return record("mul_scalar", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(tensor.UnaryTo(nil, tensor.OpMulScalar, g, c, 0))
	})
}

// unaryOp records an elementwise function whose derivative is computed by
// deriv from the input x, the output y and the incoming gradient g into a
// fresh tensor.
func unaryOp(name string, a *Variable, op tensor.UnaryOp, p0, p1 float64, deriv func(g, x, y *tensor.Tensor) *tensor.Tensor) *Variable {
	out := tensor.UnaryTo(nil, op, a.Value, p0, p1)
	return record(name, out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(deriv(g, a.Value, out))
	})
}

// mapGrad returns a fresh tensor d[i] = g[i] * f(x[i], y[i]), looping in
// float64 over the elements (used by the rules without a fused kernel).
// On another device than the CPU it runs on host copies, one round trip;
// the common activations have device formulas instead (scaleGrad).
func mapGrad(g, x, y *tensor.Tensor, f func(x, y float64) float64) *tensor.Tensor {
	if dev := g.Device(); !dev.IsCPU() {
		return mapGrad(g.To(tensor.CPU), x.To(tensor.CPU), y.To(tensor.CPU), f).To(dev)
	}
	out := tensor.EmptyLike(g)
	xc, yc := x.Contiguous(), y.Contiguous()
	gc := g.Contiguous()
	switch out.DType() {
	case tensor.Float32:
		o, gs, xs, ys := out.Float32s(), gc.Float32s(), xc.Float32s(), yc.Float32s()
		for i := range o {
			o[i] = gs[i] * float32(f(float64(xs[i]), float64(ys[i])))
		}
	default:
		o, gs, xs, ys := out.Float64s(), gc.Float64s(), xc.Float64s(), yc.Float64s()
		for i := range o {
			o[i] = gs[i] * f(xs[i], ys[i])
		}
	}
	return out
}

// Neg returns -a.
func Neg(a *Variable) *Variable {
	return unaryOp("neg", a, tensor.OpNeg, 0, 0, func(g, _, _ *tensor.Tensor) *tensor.Tensor {
		return tensor.UnaryTo(nil, tensor.OpNeg, g, 0, 0)
	})
}

// Exp returns e**a.
func Exp(a *Variable) *Variable {
	return unaryOp("exp", a, tensor.OpExp, 0, 0, func(g, _, y *tensor.Tensor) *tensor.Tensor {
		return tensor.BinaryTo(nil, tensor.OpMul, g, y)
	})
}

// Log returns the natural logarithm of a.
func Log(a *Variable) *Variable {
	return unaryOp("log", a, tensor.OpLog, 0, 0, func(g, x, _ *tensor.Tensor) *tensor.Tensor {
		return tensor.BinaryTo(nil, tensor.OpDiv, g, x)
	})
}

// Sqrt returns the square root of a.
func Sqrt(a *Variable) *Variable {
	return unaryOp("sqrt", a, tensor.OpSqrt, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(_, y float64) float64 { return 0.5 / y })
	})
}

// Pow returns a**p for a scalar exponent p.
func Pow(a *Variable, p float64) *Variable {
	return unaryOp("pow", a, tensor.OpPowScalar, p, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, _ float64) float64 { return p * math.Pow(x, p-1) })
	})
}

// Square returns a*a.
func Square(a *Variable) *Variable {
	return unaryOp("square", a, tensor.OpSquare, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, _ float64) float64 { return 2 * x })
	})
}

// Tanh returns the hyperbolic tangent of a.
func Tanh(a *Variable) *Variable {
	return unaryOp("tanh", a, tensor.OpTanh, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		if !g.Device().IsCPU() {
			return actGradTensors(g, y, TanhAct)
		}
		return mapGrad(g, x, y, func(_, y float64) float64 { return 1 - y*y })
	})
}

// Sigmoid returns 1/(1+e**-a).
func Sigmoid(a *Variable) *Variable {
	return unaryOp("sigmoid", a, tensor.OpSigmoid, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		if !g.Device().IsCPU() {
			return actGradTensors(g, y, SigmoidAct)
		}
		return mapGrad(g, x, y, func(_, y float64) float64 { return y * (1 - y) })
	})
}

// Relu returns max(a, 0).
func Relu(a *Variable) *Variable {
	return unaryOp("relu", a, tensor.OpRelu, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		if !g.Device().IsCPU() {
			return actGradTensors(g, y, ReluAct)
		}
		return mapGrad(g, x, y, func(x, _ float64) float64 { return step(x) })
	})
}

// actGradTensors returns g·act'(x) as a fresh tensor, computed from the
// activation's output y with tensor ops, which run on any device: relu'
// is y > 0, sigmoid' is y(1 − y) and tanh' is 1 − y².
func actGradTensors(g, y *tensor.Tensor, act Activation) *tensor.Tensor {
	var d *tensor.Tensor
	switch act {
	case ReluAct:
		d = tensor.UnaryTo(nil, tensor.OpReluGrad, y, 0, 0)
	case SigmoidAct:
		d = tensor.UnaryTo(nil, tensor.OpRsubScalar, y, 1, 0)
		tensor.BinaryTo(d, tensor.OpMul, d, y)
	case TanhAct:
		d = tensor.UnaryTo(nil, tensor.OpSquare, y, 0, 0)
		tensor.UnaryTo(d, tensor.OpRsubScalar, d, 1, 0)
	default:
		return g.Clone()
	}
	return tensor.BinaryTo(d, tensor.OpMul, d, g)
}

func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

// LeakyRelu returns a where a > 0 and alpha*a elsewhere.
func LeakyRelu(a *Variable, alpha float64) *Variable {
	return unaryOp("leaky_relu", a, tensor.OpLeakyRelu, alpha, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, _ float64) float64 {
			if x > 0 {
				return 1
			}
			return alpha
		})
	})
}

// Elu returns a where a > 0 and alpha*(e**a-1) elsewhere.
func Elu(a *Variable, alpha float64) *Variable {
	return unaryOp("elu", a, tensor.OpElu, alpha, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, y float64) float64 {
			if x > 0 {
				return 1
			}
			return y + alpha
		})
	})
}

// Gelu returns the exact Gaussian error linear unit a·Φ(a) (Keras's gelu
// with approximate=False, PyTorch's default).
func Gelu(a *Variable) *Variable {
	return unaryOp("gelu", a, tensor.OpGeluExact, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, _ float64) float64 {
			cdf := 0.5 * (1 + math.Erf(x/math.Sqrt2))
			pdf := math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
			return cdf + x*pdf
		})
	})
}

// Softplus returns log(1+e**a).
func Softplus(a *Variable) *Variable {
	return unaryOp("softplus", a, tensor.OpSoftplus, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, _ float64) float64 { return sigmoid(x) })
	})
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Abs returns |a| (gradient sign(a), 0 at 0).
func Abs(a *Variable) *Variable {
	return unaryOp("abs", a, tensor.OpAbs, 0, 0, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, _ float64) float64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		})
	})
}

// Clip limits a to [lo, hi]; the gradient passes where lo <= a <= hi.
func Clip(a *Variable, lo, hi float64) *Variable {
	if lo > hi {
		panic(fmt.Sprintf("autograd: Clip with lo %v > hi %v", lo, hi))
	}
	return unaryOp("clip", a, tensor.OpClip, lo, hi, func(g, x, y *tensor.Tensor) *tensor.Tensor {
		return mapGrad(g, x, y, func(x, _ float64) float64 {
			if x >= lo && x <= hi {
				return 1
			}
			return 0
		})
	})
}
