package autograd

import (
	"fmt"
	"math"

	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// checkNorm validates the operands of the batch-normalization primitives
// and returns N, C and the size of the trailing dimensions.
func checkNorm(op string, x *Variable, perChannel ...*tensor.Tensor) (n, c, inner int) {
	xs := x.Shape()
	if len(xs) < 2 {
		panic(fmt.Sprintf("autograd: %s of shape %v, want [N, C, ...]", op, xs))
	}
	n, c = xs[0], xs[1]
	for _, p := range perChannel {
		if p.Dim() != 1 || p.Shape()[0] != c || p.DType() != x.Value.DType() {
			panic(fmt.Sprintf("autograd: %s of %v %v with per-channel operand %v %v (want [%d] of the same type)", op, xs, x.Value.DType(), p.Shape(), p.DType(), c))
		}
	}
	return n, c, x.Value.Size() / max(n*c, 1)
}

// BatchNorm normalizes x ([N, C] or [N, C, H, W]) per channel of axis 1
// with the batch's own mean and (biased) variance, then scales and shifts:
// y = (x - mean) / sqrt(var + eps) * gamma + beta, the training-mode
// forward of batch normalization, with one gradient rule for x, gamma and
// beta. It also returns the batch mean and biased variance per channel, for
// the layer's moving averages.
func BatchNorm(x, gamma, beta *Variable, eps float64) (y *Variable, mean, variance []float64) {
	n, c, inner := checkNorm("BatchNorm", x, gamma.Value, beta.Value)
	m := n * inner
	if m == 0 {
		panic(fmt.Sprintf("autograd: BatchNorm of an empty batch %v", x.Shape()))
	}
	if !x.Value.Device().IsCPU() {
		return batchNormOnDevice(x, gamma, beta, eps)
	}
	xc := x.Value.Contiguous()
	out := tensor.EmptyLike(xc)
	mean = make([]float64, c)
	variance = make([]float64, c)
	invStd := make([]float64, c)
	g64, b64 := gamma.Value.Float64s(), beta.Value.Float64s()
	if xc.DType() == tensor.Float32 {
		bnFwd(elems[float32](out), elems[float32](xc), g64, b64, mean, variance, invStd, n, c, inner, eps)
	} else {
		bnFwd(elems[float64](out), elems[float64](xc), g64, b64, mean, variance, invStd, n, c, inner, eps)
	}
	y = record("batch_norm", out, true, []*Variable{x, gamma, beta}, func(g *tensor.Tensor) []*tensor.Tensor {
		dgamma := make([]float64, c)
		dbeta := make([]float64, c)
		var gx *tensor.Tensor
		if x.requiresGrad {
			gx = tensor.EmptyLike(g)
		}
		if g.DType() == tensor.Float32 {
			var dx []float32
			if gx != nil {
				dx = elems[float32](gx)
			}
			bnBack(dx, elems[float32](g), elems[float32](xc), g64, mean, invStd, dgamma, dbeta, n, c, inner)
		} else {
			var dx []float64
			if gx != nil {
				dx = elems[float64](gx)
			}
			bnBack(dx, elems[float64](g), elems[float64](xc), g64, mean, invStd, dgamma, dbeta, n, c, inner)
		}
		var gg, gb *tensor.Tensor
		if gamma.requiresGrad {
			gg = tensor.FromSlice(g.DType(), dgamma, c)
		}
		if beta.requiresGrad {
			gb = tensor.FromSlice(g.DType(), dbeta, c)
		}
		return grads(gx, gg, gb)
	})
	if xc != x.Value && y.tape != nil {
		y.tape.Keep(xc)
	}
	return y, mean, variance
}

// otherAxes returns every axis of a rank-dims tensor but axis 1.
func otherAxes(dims int) []int {
	axes := []int{0}
	for a := 2; a < dims; a++ {
		axes = append(axes, a)
	}
	return axes
}

// batchNormOnDevice is BatchNorm with tensor ops, which run on any device
// (the CPU path's fused loops read host memory): per channel c, over the
// M = N·H·W values of the other axes,
//
//	x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β,
//	∂x = (1/√(σ² + ε))·(∂x̂ − mean(∂x̂) − x̂·mean(∂x̂·x̂)), ∂x̂ = γ·g,
//
// with ∂γ = Σ g·x̂ and ∂β = Σ g. Only the [C] statistics come back to the
// host, for the layer's moving averages.
func batchNormOnDevice(x, gamma, beta *Variable, eps float64) (*Variable, []float64, []float64) {
	xs := x.Shape()
	axes := otherAxes(len(xs))
	ch := func(t *tensor.Tensor) *tensor.Tensor { return channelView(t, len(xs)) }
	mu := tensor.MeanKeep(x.Value, axes...)
	xm := tensor.Sub(x.Value, mu)
	vr := tensor.MeanKeep(tensor.Square(xm), axes...)
	invStd := tensor.UnaryTo(nil, tensor.OpAddScalar, vr, eps, 0)
	tensor.UnaryTo(invStd, tensor.OpRsqrt, invStd, 0, 0)
	xhat := tensor.Mul(xm, invStd)
	out := tensor.Add(tensor.Mul(xhat, ch(gamma.Value)), ch(beta.Value))
	mean := mu.Reshape(xs[1]).To(tensor.CPU).Float64s()
	variance := vr.Reshape(xs[1]).To(tensor.CPU).Float64s()
	for _, t := range []*tensor.Tensor{mu, xm, vr} {
		tensor.Release(t)
	}
	y := record("batch_norm", out, true, []*Variable{x, gamma, beta}, func(g *tensor.Tensor) []*tensor.Tensor {
		var gx, gg, gb *tensor.Tensor
		if x.requiresGrad {
			dxhat := tensor.Mul(g, ch(gamma.Value))
			m1 := tensor.MeanKeep(dxhat, axes...)
			m2 := tensor.MeanKeep(tensor.Mul(dxhat, xhat), axes...)
			gx = tensor.Sub(tensor.Sub(dxhat, m1), tensor.Mul(xhat, m2))
			tensor.BinaryTo(gx, tensor.OpMul, gx, invStd)
			for _, t := range []*tensor.Tensor{dxhat, m1, m2} {
				tensor.Release(t)
			}
		}
		if gamma.requiresGrad {
			gg = tensor.Sum(tensor.Mul(g, xhat), axes...)
		}
		if beta.requiresGrad {
			gb = tensor.Sum(g, axes...)
		}
		return grads(gx, gg, gb)
	}, xhat, invStd)
	return y, mean, variance
}

func bnFwd[T float](out, x []T, gamma, beta, mean, variance, invStd []float64, n, c, inner int, eps float64) {
	m := float64(n * inner)
	parallel.For(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			var s float64
			for i := 0; i < n; i++ {
				var rs T
				for _, v := range x[(i*c+ch)*inner : (i*c+ch+1)*inner] {
					rs += v
				}
				s += float64(rs)
			}
			mu := s / m
			var ss float64
			for i := 0; i < n; i++ {
				for _, v := range x[(i*c+ch)*inner : (i*c+ch+1)*inner] {
					d := float64(v) - mu
					ss += d * d
				}
			}
			vr := ss / m
			is := 1 / math.Sqrt(vr+eps)
			mean[ch], variance[ch], invStd[ch] = mu, vr, is
			scale := T(gamma[ch] * is)
			shift := T(beta[ch] - mu*gamma[ch]*is)
			for i := 0; i < n; i++ {
				o := out[(i*c+ch)*inner : (i*c+ch+1)*inner]
				for j, v := range x[(i*c+ch)*inner : (i*c+ch+1)*inner] {
					o[j] = v*scale + shift
				}
			}
		}
	})
}

// bnBack computes dgamma = sum(dy*xhat), dbeta = sum(dy) and, when dx is
// not nil, dx = gamma*invStd/M * (M*dy - dbeta - xhat*dgamma).
func bnBack[T float](dx, dy, x []T, gamma, mean, invStd, dgamma, dbeta []float64, n, c, inner int) {
	m := float64(n * inner)
	parallel.For(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			mu, is := mean[ch], invStd[ch]
			var sdy, sdyx float64
			for i := 0; i < n; i++ {
				g := dy[(i*c+ch)*inner : (i*c+ch+1)*inner]
				for j, v := range x[(i*c+ch)*inner : (i*c+ch+1)*inner] {
					sdy += float64(g[j])
					sdyx += float64(g[j]) * (float64(v) - mu) * is
				}
			}
			dgamma[ch], dbeta[ch] = sdyx, sdy
			if dx == nil {
				continue
			}
			k := gamma[ch] * is / m
			for i := 0; i < n; i++ {
				g := dy[(i*c+ch)*inner : (i*c+ch+1)*inner]
				d := dx[(i*c+ch)*inner : (i*c+ch+1)*inner]
				for j, v := range x[(i*c+ch)*inner : (i*c+ch+1)*inner] {
					xh := (float64(v) - mu) * is
					d[j] = T(k * (m*float64(g[j]) - sdy - xh*sdyx))
				}
			}
		}
	})
}

// BatchNormInference normalizes x ([N, C] or [N, C, H, W]) per channel of
// axis 1 with fixed statistics (the layer's moving mean and variance):
// y = (x - mean) / sqrt(variance + eps) * gamma + beta, with gradients for
// x, gamma and beta.
func BatchNormInference(x, gamma, beta *Variable, mean, variance *tensor.Tensor, eps float64) *Variable {
	n, c, inner := checkNorm("BatchNormInference", x, gamma.Value, beta.Value, mean, variance)
	mu, vr := mean.To(tensor.CPU).Float64s(), variance.To(tensor.CPU).Float64s()
	g64, b64 := gamma.Value.To(tensor.CPU).Float64s(), beta.Value.To(tensor.CPU).Float64s()
	scale := make([]float64, c)
	shift := make([]float64, c)
	invStd := make([]float64, c)
	for ch := range scale {
		invStd[ch] = 1 / math.Sqrt(vr[ch]+eps)
		scale[ch] = g64[ch] * invStd[ch]
		shift[ch] = b64[ch] - mu[ch]*scale[ch]
	}
	if dev := x.Value.Device(); !dev.IsCPU() {
		return affineOnDevice(x, gamma, beta, scale, shift, mu, invStd)
	}
	xc := x.Value.Contiguous()
	out := tensor.EmptyLike(xc)
	if xc.DType() == tensor.Float32 {
		affineChannels(elems[float32](out), elems[float32](xc), scale, shift, n, c, inner)
	} else {
		affineChannels(elems[float64](out), elems[float64](xc), scale, shift, n, c, inner)
	}
	y := record("batch_norm_inference", out, true, []*Variable{x, gamma, beta}, func(g *tensor.Tensor) []*tensor.Tensor {
		var gx, gg, gb *tensor.Tensor
		if x.requiresGrad {
			gx = tensor.EmptyLike(g)
			zero := make([]float64, c)
			if g.DType() == tensor.Float32 {
				affineChannels(elems[float32](gx), elems[float32](g), scale, zero, n, c, inner)
			} else {
				affineChannels(elems[float64](gx), elems[float64](g), scale, zero, n, c, inner)
			}
		}
		if gamma.requiresGrad || beta.requiresGrad {
			xs, gs := xc.Float64s(), g.Float64s()
			dg := make([]float64, c)
			db := make([]float64, c)
			for i := 0; i < n; i++ {
				for ch := 0; ch < c; ch++ {
					for j := (i*c + ch) * inner; j < (i*c+ch+1)*inner; j++ {
						db[ch] += gs[j]
						dg[ch] += gs[j] * (xs[j] - mu[ch]) * invStd[ch]
					}
				}
			}
			if gamma.requiresGrad {
				gg = tensor.FromSlice(g.DType(), dg, c)
			}
			if beta.requiresGrad {
				gb = tensor.FromSlice(g.DType(), db, c)
			}
		}
		return grads(gx, gg, gb)
	})
	if xc != x.Value && y.tape != nil {
		y.tape.Keep(xc)
	}
	return y
}

// affineOnDevice is BatchNormInference with tensor ops, which run on any
// device: y = x·scale + shift per channel, with ∂x = g·scale,
// ∂γ = Σ g·(x − μ)/√(σ² + ε) and ∂β = Σ g.
func affineOnDevice(x, gamma, beta *Variable, scale, shift, mu, invStd []float64) *Variable {
	xs := x.Shape()
	dev, dt := x.Value.Device(), x.Value.DType()
	ch := func(v []float64) *tensor.Tensor { return channelView(tensor.FromSlice(dt, v, len(v)).To(dev), len(xs)) }
	sc := ch(scale)
	out := tensor.Add(tensor.Mul(x.Value, sc), ch(shift))
	return record("batch_norm_inference", out, true, []*Variable{x, gamma, beta}, func(g *tensor.Tensor) []*tensor.Tensor {
		var gx, gg, gb *tensor.Tensor
		axes := otherAxes(len(xs))
		if x.requiresGrad {
			gx = tensor.Mul(g, sc)
		}
		if gamma.requiresGrad {
			negMu := make([]float64, len(mu))
			for i, m := range mu {
				negMu[i] = -m
			}
			xhat := tensor.Mul(tensor.Add(x.Value, ch(negMu)), ch(invStd))
			gg = tensor.Sum(tensor.Mul(g, xhat), axes...)
			tensor.Release(xhat)
		}
		if beta.requiresGrad {
			gb = tensor.Sum(g, axes...)
		}
		return grads(gx, gg, gb)
	})
}

func affineChannels[T float](out, x []T, scale, shift []float64, n, c, inner int) {
	parallel.For(n*c, max(1, 8192/max(inner, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s, b := T(scale[r%c]), T(shift[r%c])
			o := out[r*inner : (r+1)*inner]
			for j, v := range x[r*inner : (r+1)*inner] {
				o[j] = v*s + b
			}
		}
	})
}
