package autograd

import (
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/internal/pool"
	"github.com/ember-ml/ember/tensor"
)

type float interface{ ~float32 | ~float64 }

// elems returns the elements of a contiguous CPU tensor of type T.
func elems[T float](t *tensor.Tensor) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(t.Float32s()).([]T)
	}
	return any(t.Float64s()).([]T)
}

// MatMul returns the matrix product a @ b. Operands of one dimension are
// treated as a row (a) or a column (b) vector, which is removed from the
// result, as in NumPy; leading dimensions are batch dimensions and
// broadcast.
func MatMul(a, b *Variable) *Variable {
	if a.Value.Dim() == 1 {
		r := MatMul(Reshape(a, 1, -1), b)
		s := slices.Clone(r.Shape())
		return Reshape(r, append(s[:len(s)-2], s[len(s)-1])...)
	}
	if b.Value.Dim() == 1 {
		r := MatMul(a, Reshape(b, -1, 1))
		s := r.Shape()
		return Reshape(r, s[:len(s)-1]...)
	}
	out := tensor.MatMul(a.Value, b.Value)
	return record("matmul", out, true, []*Variable{a, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if a.requiresGrad {
			p := tensor.MatMul(g, b.Value.T())
			ga = unbroadcast(p, a.Shape())
			if ga != p && !ga.SharesStorage(p) {
				tensor.Release(p)
			}
		}
		if b.requiresGrad {
			p := tensor.MatMul(a.Value.T(), g)
			gb = unbroadcast(p, b.Shape())
			if gb != p && !gb.SharesStorage(p) {
				tensor.Release(p)
			}
		}
		return grads(ga, gb)
	})
}

// Activation names the activation functions that BiasAct fuses with the
// bias addition.
type Activation uint8

// Fusable activations.
const (
	Linear Activation = iota
	ReluAct
	SigmoidAct
	TanhAct
)

// BiasAct returns act(x + b), with b (one value per channel) added along
// axis 1 of x ([N, F] or [N, F, H, W]): the bias and activation of Dense
// and Conv2D in one pass over memory, with one gradient rule.
func BiasAct(x, b *Variable, act Activation) *Variable {
	xs := x.Shape()
	if len(xs) < 2 || b.Value.Dim() != 1 || b.Shape()[0] != xs[1] {
		panic(fmt.Sprintf("autograd: BiasAct shape mismatch: input %v and bias %v (want one value per channel of axis 1)", xs, b.Shape()))
	}
	if x.Value.DType() != b.Value.DType() {
		panic(fmt.Sprintf("autograd: BiasAct with %v input and %v bias", x.Value.DType(), b.Value.DType()))
	}
	if !x.Value.Device().IsCPU() {
		out := tensor.Add(x.Value, channelView(b.Value, len(xs)))
		return biasActOnDevice("bias_act", out, act, []*Variable{x, b}, b.requiresGrad, func(d *tensor.Tensor) []*tensor.Tensor {
			if !x.requiresGrad {
				return []*tensor.Tensor{nil}
			}
			return []*tensor.Tensor{d}
		})
	}
	xc := x.Value.Contiguous()
	out := tensor.EmptyLike(xc)
	n, f := xs[0], xs[1]
	inner := xc.Size() / max(n*f, 1)
	bc := b.Value.Contiguous()
	if out.DType() == tensor.Float32 {
		biasActFwd(elems[float32](out), elems[float32](xc), elems[float32](bc), n, f, inner, act)
	} else {
		biasActFwd(elems[float64](out), elems[float64](xc), elems[float64](bc), n, f, inner, act)
	}
	return record("bias_act", out, true, []*Variable{x, b}, func(g *tensor.Tensor) []*tensor.Tensor {
		gx, gb := biasActBack(g, out, n, f, inner, act, b.requiresGrad)
		if !x.requiresGrad {
			gx = nil
		}
		return grads(gx, gb)
	})
}

// channelView returns the bias b [F] as a view of shape [1, F, 1, ...] of
// rank dims, which broadcasts along axis 1.
func channelView(b *tensor.Tensor, dims int) *tensor.Tensor {
	shape := make([]int, dims)
	for i := range shape {
		shape[i] = 1
	}
	shape[1] = b.Shape()[0]
	return b.Reshape(shape...)
}

// biasActOnDevice finishes BiasAct and Conv2DBiasAct on a device other
// than the CPU, with tensor ops in place of the fused host loops: out holds
// x + b (or the convolution plus b) and gets the activation in place; the
// backward pass forms d = g·act'(out), sums it over every axis but 1 for
// the bias gradient when wantBias, and hands d to rest for the gradients
// of the inputs before the bias (the bias, when present, is the last
// input).
func biasActOnDevice(op string, out *tensor.Tensor, act Activation, inputs []*Variable, wantBias bool, rest func(d *tensor.Tensor) []*tensor.Tensor) *Variable {
	switch act {
	case ReluAct:
		tensor.UnaryTo(out, tensor.OpRelu, out, 0, 0)
	case SigmoidAct:
		tensor.UnaryTo(out, tensor.OpSigmoid, out, 0, 0)
	case TanhAct:
		tensor.UnaryTo(out, tensor.OpTanh, out, 0, 0)
	}
	return record(op, out, true, inputs, func(g *tensor.Tensor) []*tensor.Tensor {
		d := actGradTensors(g, out, act)
		gs := rest(d)
		if len(gs) < len(inputs) {
			var gb *tensor.Tensor
			if wantBias {
				axes := make([]int, 0, out.Dim()-1)
				for a := range out.Dim() {
					if a != 1 {
						axes = append(axes, a)
					}
				}
				gb = tensor.Sum(d, axes...)
			}
			gs = append(gs, gb)
		}
		return grads(gs...)
	})
}

// biasActBack applies the activation's derivative to g in place (g belongs
// to the calling node alone during Backward) and, when wantBias, returns
// the bias gradient computed in the same pass over memory.
func biasActBack(g, y *tensor.Tensor, n, f, inner int, act Activation, wantBias bool) (d, gb *tensor.Tensor) {
	var rowSums []float64
	if wantBias {
		rowSums = make([]float64, n*f)
	}
	if g.DType() == tensor.Float32 {
		actBackRows(elems[float32](g), elems[float32](y), rowSums, n*f, inner, act)
	} else {
		actBackRows(elems[float64](g), elems[float64](y), rowSums, n*f, inner, act)
	}
	if wantBias {
		s := make([]float64, f)
		for r, v := range rowSums {
			s[r%f] += v
		}
		gb = tensor.FromSlice(g.DType(), s, f).To(g.Device())
	}
	return g, gb
}

// actBackRows turns g into the gradient before the activation, row by row
// ([rows, inner]), and sums each row into rowSums when it is not nil.
func actBackRows[T float](g, y []T, rowSums []float64, rows, inner int, act Activation) {
	parallel.For(rows, max(1, 16384/max(inner, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			gr, yr := g[r*inner:(r+1)*inner], y[r*inner:(r+1)*inner]
			var s T
			switch act {
			case ReluAct:
				// Branch-free: the sign of y is unpredictable.
				for i, v := range yr {
					g := gr[i] * T(b2u(v > 0))
					gr[i] = g
					s += g
				}
			case SigmoidAct:
				for i, v := range yr {
					gr[i] *= v * (1 - v)
					s += gr[i]
				}
			case TanhAct:
				for i, v := range yr {
					gr[i] *= 1 - v*v
					s += gr[i]
				}
			default:
				if rowSums != nil {
					for _, v := range gr {
						s += v
					}
				}
			}
			if rowSums != nil {
				rowSums[r] = float64(s)
			}
		}
	})
}

// Conv2DBiasAct is act(Conv2D(x, w) + b) as one primitive: the bias and
// activation are applied in place on the convolution's output, and the
// backward pass applies the activation's derivative and sums the bias
// gradient in one pass before the convolution's own gradients. b may be
// nil (no bias).
func Conv2DBiasAct(x, w, b *Variable, p tensor.ConvParams, act Activation) *Variable {
	out := tensor.Conv2D(x.Value, w.Value, p)
	s := out.Shape()
	n, f, inner := s[0], s[1], s[2]*s[3]
	var bc *tensor.Tensor
	if b != nil {
		if b.Value.Dim() != 1 || b.Shape()[0] != f || b.Value.DType() != out.DType() {
			panic(fmt.Sprintf("autograd: Conv2DBiasAct bias %v %v for %d filters of %v", b.Shape(), b.Value.DType(), f, out.DType()))
		}
		bc = b.Value.Contiguous()
	} else {
		bc = tensor.Zeros(out.DType(), f).To(out.Device())
	}
	if !out.Device().IsCPU() {
		inputs := []*Variable{x, w}
		if b != nil {
			tensor.BinaryTo(out, tensor.OpAdd, out, channelView(b.Value, 4))
			inputs = append(inputs, b)
		}
		return biasActOnDevice("conv2d_bias_act", out, act, inputs, b != nil && b.requiresGrad, func(d *tensor.Tensor) []*tensor.Tensor {
			var gx, gw *tensor.Tensor
			if x.requiresGrad {
				gx = tensor.Conv2DBackwardData(d, w.Value, x.Shape(), p)
			}
			if w.requiresGrad {
				gw = tensor.Conv2DBackwardFilter(x.Value, d, w.Shape(), p)
			}
			return []*tensor.Tensor{gx, gw}
		})
	}
	if out.DType() == tensor.Float32 {
		biasActFwd(elems[float32](out), elems[float32](out), elems[float32](bc), n, f, inner, act)
	} else {
		biasActFwd(elems[float64](out), elems[float64](out), elems[float64](bc), n, f, inner, act)
	}
	inputs := []*Variable{x, w}
	if b != nil {
		inputs = append(inputs, b)
	}
	return record("conv2d_bias_act", out, true, inputs, func(g *tensor.Tensor) []*tensor.Tensor {
		d, gb := biasActBack(g, out, n, f, inner, act, b != nil && b.requiresGrad)
		var gx, gw *tensor.Tensor
		if x.requiresGrad {
			gx = tensor.Conv2DBackwardData(d, w.Value, x.Shape(), p)
		}
		if w.requiresGrad {
			gw = tensor.Conv2DBackwardFilter(x.Value, d, w.Shape(), p)
		}
		return grads(gx, gw, gb)
	})
}

func biasActFwd[T float](out, x, b []T, n, f, inner int, act Activation) {
	parallel.For(n*f, max(1, 8192/max(inner, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			bv := b[r%f]
			o, xs := out[r*inner:(r+1)*inner], x[r*inner:(r+1)*inner]
			switch act {
			case ReluAct:
				for i, v := range xs {
					o[i] = max(v+bv, 0)
				}
			case SigmoidAct:
				for i, v := range xs {
					o[i] = T(sigmoid(float64(v + bv)))
				}
			case TanhAct:
				for i, v := range xs {
					o[i] = T(math.Tanh(float64(v + bv)))
				}
			default:
				for i, v := range xs {
					o[i] = v + bv
				}
			}
		}
	})
}

// Conv2D convolves x[N,C,H,W] with filters w[F,C,KH,KW] (cross-correlation).
func Conv2D(x, w *Variable, p tensor.ConvParams) *Variable {
	out := tensor.Conv2D(x.Value, w.Value, p)
	return record("conv2d", out, true, []*Variable{x, w}, func(g *tensor.Tensor) []*tensor.Tensor {
		var gx, gw *tensor.Tensor
		if x.requiresGrad {
			gx = tensor.Conv2DBackwardData(g, w.Value, x.Shape(), p)
		}
		if w.requiresGrad {
			gw = tensor.Conv2DBackwardFilter(x.Value, g, w.Shape(), p)
		}
		return grads(gx, gw)
	})
}

// MaxPool2D takes the maximum of each window of x[N,C,H,W]. The gradient
// of each output goes to the first maximum of its window.
func MaxPool2D(x *Variable, p tensor.ConvParams) *Variable {
	if is2x2(x.Value, p) {
		if tp, req := tapeOf([]*Variable{x}); tp != nil && req && !tp.noGrad {
			return maxPool2x2(x)
		}
		xc := x.Value.Contiguous()
		xs := xc.Shape()
		out := tensor.Empty(xc.DType(), xs[0], xs[1], xs[2]/2, xs[3]/2)
		if xc.DType() == tensor.Float32 {
			maxPool2x2Fwd(elems[float32](out), elems[float32](xc), nil, xs)
		} else {
			maxPool2x2Fwd(elems[float64](out), elems[float64](xc), nil, xs)
		}
		v := record("max_pool2d", out, true, []*Variable{x}, nil)
		if xc != x.Value && v.Tape() != nil {
			v.Tape().Keep(xc)
		}
		return v
	}
	out := tensor.MaxPool2D(x.Value, p)
	return record("max_pool2d", out, true, []*Variable{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(tensor.MaxPool2DBackward(g, x.Value, p))
	})
}

// is2x2 reports whether the pooling is the common 2×2, stride-2,
// unpadded case on a CPU tensor, which has a faster path.
func is2x2(x *tensor.Tensor, p tensor.ConvParams) bool {
	return p.KH == 2 && p.KW == 2 && p.StrideH == 2 && p.StrideW == 2 && max(p.DilationH, 1) == 1 && max(p.DilationW, 1) == 1 &&
		p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0 &&
		x.Dim() == 4 && x.Shape()[2] >= 2 && x.Shape()[3] >= 2 && x.Device().IsCPU()
}

// maxPool2x2 is the 2×2, stride-2 case of MaxPool2D: the forward pass
// remembers which of the four inputs won (one byte an output), so the
// backward pass reads neither x nor the output.
func maxPool2x2(x *Variable) *Variable {
	xc := x.Value.Contiguous()
	xs := xc.Shape()
	oh, ow := xs[2]/2, xs[3]/2
	out := tensor.Empty(xc.DType(), xs[0], xs[1], oh, ow).To(xc.Device())
	arg := make([]uint8, out.Size())
	if xc.DType() == tensor.Float32 {
		maxPool2x2Fwd(elems[float32](out), elems[float32](xc), arg, xs)
	} else {
		maxPool2x2Fwd(elems[float64](out), elems[float64](xc), arg, xs)
	}
	v := record("max_pool2d", out, true, []*Variable{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		gc := g.Contiguous()
		dx := tensor.Empty(g.DType(), xs...).To(g.Device())
		if g.DType() == tensor.Float32 {
			maxPool2x2Back(elems[float32](dx), elems[float32](gc), arg, xs)
		} else {
			maxPool2x2Back(elems[float64](dx), elems[float64](gc), arg, xs)
		}
		if gc != g {
			tensor.Release(gc)
		}
		return grads(dx)
	})
	if xc != x.Value && v.Tape() != nil {
		v.Tape().Keep(xc)
	}
	return v
}

// b2u converts a comparison to 0 or 1 without a branch.
func b2u(b bool) uint8 {
	var x uint8
	if b {
		x = 1
	}
	return x
}

// maxPool2x2Fwd pools the 2×2 windows of every plane of x ([N,C,H,W]
// shape xs) into out, recording the winners in arg when it is not nil.
func maxPool2x2Fwd[T float](out, x []T, arg []uint8, xs []int) {
	planes, h, w := xs[0]*xs[1], xs[2], xs[3]
	oh, ow := h/2, w/2
	parallel.For(planes, max(1, 16384/(h*w)), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			var a []uint8
			if arg != nil {
				a = arg[pl*oh*ow : (pl+1)*oh*ow]
			}
			pool.Max2x2(out[pl*oh*ow:(pl+1)*oh*ow], x[pl*h*w:(pl+1)*h*w], a, h, w)
		}
	})
}

// maxPool2x2Back is maxPool2x2Fwd's gradient, from the recorded winners.
func maxPool2x2Back[T float](dx, g []T, arg []uint8, xs []int) {
	planes, h, w := xs[0]*xs[1], xs[2], xs[3]
	oh, ow := h/2, w/2
	parallel.For(planes, max(1, 16384/(h*w)), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			pool.Max2x2Backward(dx[pl*h*w:(pl+1)*h*w], g[pl*oh*ow:(pl+1)*oh*ow], arg[pl*oh*ow:(pl+1)*oh*ow], h, w)
		}
	})
}

// AvgPool2D takes the mean of each window of x[N,C,H,W] (padding excluded
// from the count).
func AvgPool2D(x *Variable, p tensor.ConvParams) *Variable {
	out := tensor.AvgPool2D(x.Value, p)
	shape := slices.Clone(x.Shape())
	return record("avg_pool2d", out, true, []*Variable{x}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(tensor.AvgPool2DBackward(g, shape, p))
	})
}

// Softmax returns exp(a)/sum(exp(a)) along axis.
func Softmax(a *Variable, axis int) *Variable {
	out := tensor.Softmax(a.Value, axis)
	return record("softmax", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		gy := tensor.BinaryTo(nil, tensor.OpMul, g, out)
		s := tensor.SumKeep(gy, axis)
		d := tensor.BinaryTo(nil, tensor.OpSub, g, s)
		tensor.BinaryTo(d, tensor.OpMul, d, out)
		tensor.Release(gy)
		tensor.Release(s)
		return grads(d)
	})
}

// LogSoftmax returns a - logsumexp(a) along axis.
func LogSoftmax(a *Variable, axis int) *Variable {
	out := tensor.LogSoftmax(a.Value, axis)
	return record("log_softmax", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		s := tensor.SumKeep(g, axis)
		p := tensor.UnaryTo(nil, tensor.OpExp, out, 0, 0)
		tensor.BinaryTo(p, tensor.OpMul, p, s)
		d := tensor.BinaryTo(nil, tensor.OpSub, g, p)
		tensor.Release(s)
		tensor.Release(p)
		return grads(d)
	})
}

// Dropout zeroes each element of a with probability rate and scales the
// others by 1/(1-rate) (inverted dropout); the mask is drawn from seed, so
// the same seed gives the same mask on any device and thread count.
func Dropout(a *Variable, rate float64, seed uint64) *Variable {
	if rate < 0 || rate >= 1 {
		panic(fmt.Sprintf("autograd: Dropout rate %v outside [0, 1)", rate))
	}
	if rate == 0 {
		return a
	}
	mask := tensor.Bernoulli(a.Value.Device(), a.Value.DType(), 1-rate, 1/(1-rate), seed, a.Shape()...)
	out := tensor.BinaryTo(nil, tensor.OpMul, a.Value, mask)
	return record("dropout", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(tensor.BinaryTo(nil, tensor.OpMul, g, mask))
	}, mask)
}

// rowWeights returns the per-row weights (nil means 1) as float64.
func rowWeights(w *tensor.Tensor, n int) []float64 {
	if w == nil {
		return nil
	}
	if w.Size() != n {
		panic(fmt.Sprintf("autograd: loss weights of shape %v for %d samples", w.Shape(), n))
	}
	return w.To(tensor.CPU).Float64s()
}

// SoftmaxCrossEntropy returns the mean over the batch of the cross-entropy
// between the target distributions target[N,C] (one-hot rows, or
// probabilities) and softmax(logits[N,C]), computed stably from the logits.
// weights (nil, or one per sample) scale each sample's loss; the sum is
// divided by N as Keras does.
func SoftmaxCrossEntropy(logits *Variable, target, weights *tensor.Tensor) *Variable {
	ls := logits.Shape()
	if len(ls) != 2 || !slices.Equal(ls, target.Shape()) {
		panic(fmt.Sprintf("autograd: SoftmaxCrossEntropy shape mismatch: logits %v and target %v", ls, target.Shape()))
	}
	return softmaxCE("softmax_cross_entropy", logits, target.Contiguous(), nil, weights)
}

// SparseSoftmaxCrossEntropy is SoftmaxCrossEntropy with the target given as
// class indices.
func SparseSoftmaxCrossEntropy(logits *Variable, labels []int, weights *tensor.Tensor) *Variable {
	ls := logits.Shape()
	if len(ls) != 2 || len(labels) != ls[0] {
		panic(fmt.Sprintf("autograd: SparseSoftmaxCrossEntropy shape mismatch: logits %v with %d labels", ls, len(labels)))
	}
	for i, l := range labels {
		if l < 0 || l >= ls[1] {
			panic(fmt.Sprintf("autograd: SparseSoftmaxCrossEntropy label %d at row %d outside [0, %d)", l, i, ls[1]))
		}
	}
	return softmaxCE("sparse_softmax_cross_entropy", logits, nil, labels, weights)
}

func softmaxCE(op string, logits *Variable, target *tensor.Tensor, labels []int, weights *tensor.Tensor) *Variable {
	// The log-softmax runs on the logits' device; the loss and its
	// gradient, [N, C] values, on the host (a round trip for a device).
	n, c := logits.Shape()[0], logits.Shape()[1]
	dev := logits.Value.Device()
	lsm := tensor.LogSoftmax(logits.Value, 1).To(tensor.CPU)
	w := rowWeights(weights, n)
	var yt []float64
	if target != nil {
		yt = target.To(tensor.CPU).Float64s()
	}
	lp := lsm.Float64s()
	var total float64
	for i := 0; i < n; i++ {
		var li float64
		if labels != nil {
			li = -lp[i*c+labels[i]]
		} else {
			for j := 0; j < c; j++ {
				if y := yt[i*c+j]; y != 0 {
					li -= y * lp[i*c+j]
				}
			}
		}
		if w != nil {
			li *= w[i]
		}
		total += li
	}
	out := tensor.Full(logits.Value.DType(), total/float64(max(n, 1))).To(logits.Value.Device())
	return record(op, out, true, []*Variable{logits}, func(g *tensor.Tensor) []*tensor.Tensor {
		scale := g.Item() / float64(max(n, 1))
		d := tensor.UnaryTo(nil, tensor.OpExp, lsm, 0, 0) // softmax
		if d.DType() == tensor.Float32 {
			ceBack(elems[float32](d), yt, labels, w, n, c, scale)
		} else {
			ceBack(elems[float64](d), yt, labels, w, n, c, scale)
		}
		return grads(d.To(dev))
	}, lsm)
}

func ceBack[T float](d []T, yt []float64, labels []int, w []float64, n, c int, scale float64) {
	for i := 0; i < n; i++ {
		s := scale
		if w != nil {
			s *= w[i]
		}
		row := d[i*c : (i+1)*c]
		if labels != nil {
			for j := range row {
				row[j] = T(float64(row[j]) * s)
			}
			row[labels[i]] -= T(s)
			continue
		}
		var ysum float64
		for j := 0; j < c; j++ {
			ysum += yt[i*c+j]
		}
		for j := range row {
			row[j] = T((float64(row[j])*ysum - yt[i*c+j]) * s)
		}
	}
}

// SigmoidBinaryCrossEntropy returns the binary cross-entropy between
// targets in [0, 1] and sigmoid(logits), computed stably from the logits as
// max(x,0) - x*y + log(1+e**-|x|). Each sample's loss is the mean over its
// elements; weights (nil, or one per sample) scale them, and the sum is
// divided by N.
func SigmoidBinaryCrossEntropy(logits *Variable, target, weights *tensor.Tensor) *Variable {
	ls := logits.Shape()
	if len(ls) == 0 || logits.Value.Size() != target.Size() {
		panic(fmt.Sprintf("autograd: SigmoidBinaryCrossEntropy shape mismatch: logits %v and target %v", ls, target.Shape()))
	}
	n := ls[0]
	k := logits.Value.Size() / max(n, 1)
	w := rowWeights(weights, n)
	// On the host (a round trip for a device): [N, K] values.
	x := logits.Value.To(tensor.CPU).Float64s()
	y := target.To(tensor.CPU).Float64s()
	var total float64
	for i := 0; i < n; i++ {
		var li float64
		for j := i * k; j < (i+1)*k; j++ {
			li += math.Max(x[j], 0) - x[j]*y[j] + math.Log1p(math.Exp(-math.Abs(x[j])))
		}
		li /= float64(k)
		if w != nil {
			li *= w[i]
		}
		total += li
	}
	out := tensor.Full(logits.Value.DType(), total/float64(max(n, 1))).To(logits.Value.Device())
	return record("sigmoid_binary_cross_entropy", out, true, []*Variable{logits}, func(g *tensor.Tensor) []*tensor.Tensor {
		scale := g.Item() / float64(max(n*k, 1))
		d := make([]float64, len(x))
		for i := 0; i < n; i++ {
			s := scale
			if w != nil {
				s *= w[i]
			}
			for j := i * k; j < (i+1)*k; j++ {
				d[j] = (sigmoid(x[j]) - y[j]) * s
			}
		}
		return grads(tensor.FromSlice(logits.Value.DType(), d, ls...).To(logits.Value.Device()))
	})
}

// Conv2DBiasActPool is MaxPool2D(Conv2DBiasAct(x, w, b, p, act)) with a
// 2×2, stride-2 window, as one primitive. Every fusable activation is
// increasing, so the maximum of act(v+b) over a window is act(max(v)+b):
// the raw convolution output is pooled first (one read), the bias and
// activation are applied to the four-times-smaller result, and the
// convolution output is released at once. The backward pass writes the
// convolution's output gradient in one pass: zero except at each window's
// maximum, where it is the pooled gradient times the activation's
// derivative (computed from the pooled output), summing the bias gradient
// on the way. b may be nil. The convolution output must be at least 2×2
// and on the CPU.
func Conv2DBiasActPool(x, w, b *Variable, p tensor.ConvParams, act Activation) *Variable {
	y := tensor.Conv2D(x.Value, w.Value, p)
	s := y.Shape()
	n, f, h, wd := s[0], s[1], s[2], s[3]
	if h < 2 || wd < 2 || !y.Device().IsCPU() {
		panic(fmt.Sprintf("autograd: Conv2DBiasActPool on a convolution output %v (want at least 2x2, on the CPU)", s))
	}
	var bc *tensor.Tensor
	if b != nil {
		if b.Value.Dim() != 1 || b.Shape()[0] != f || b.Value.DType() != y.DType() {
			panic(fmt.Sprintf("autograd: Conv2DBiasActPool bias %v %v for %d filters of %v", b.Shape(), b.Value.DType(), f, y.DType()))
		}
		bc = b.Value.Contiguous()
	} else {
		bc = tensor.Zeros(y.DType(), f)
	}
	out := tensor.Empty(y.DType(), n, f, h/2, wd/2)
	inputs := []*Variable{x, w}
	if b != nil {
		inputs = append(inputs, b)
	}
	var arg []uint8 // the winners, kept only when a backward pass may follow
	if tp, req := tapeOf(inputs); tp != nil && req && !tp.noGrad {
		arg = make([]uint8, out.Size())
	}
	if y.DType() == tensor.Float32 {
		poolBiasActFwd(elems[float32](out), elems[float32](y), elems[float32](bc), arg, n, f, h, wd, act)
	} else {
		poolBiasActFwd(elems[float64](out), elems[float64](y), elems[float64](bc), arg, n, f, h, wd, act)
	}
	tensor.Release(y)
	return record("conv2d_bias_act_pool", out, true, inputs, func(g *tensor.Tensor) []*tensor.Tensor {
		gc := g.Contiguous()
		d := tensor.Empty(out.DType(), s...)
		rowSums := make([]float64, n*f)
		if out.DType() == tensor.Float32 {
			actPoolBack(elems[float32](d), elems[float32](gc), elems[float32](out), arg, rowSums, n*f, h, wd, act)
		} else {
			actPoolBack(elems[float64](d), elems[float64](gc), elems[float64](out), arg, rowSums, n*f, h, wd, act)
		}
		if gc != g {
			tensor.Release(gc)
		}
		var gx, gw, gb *tensor.Tensor
		if b != nil && b.requiresGrad {
			sum := make([]float64, f)
			for r, v := range rowSums {
				sum[r%f] += v
			}
			gb = tensor.FromSlice(out.DType(), sum, f)
		}
		if x.requiresGrad {
			gx = tensor.Conv2DBackwardData(d, w.Value, x.Shape(), p)
		}
		if w.requiresGrad {
			gw = tensor.Conv2DBackwardFilter(x.Value, d, w.Shape(), p)
		}
		tensor.Release(d)
		return grads(gx, gw, gb)
	})
}

func poolBiasActFwd[T float](out, y, b []T, arg []uint8, n, f, h, w int, act Activation) {
	oh, ow := h/2, w/2
	parallel.For(n*f, max(1, 16384/(h*w)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			var a []uint8
			if arg != nil {
				a = arg[r*oh*ow : (r+1)*oh*ow]
			}
			o := out[r*oh*ow : (r+1)*oh*ow]
			pool.Max2x2(o, y[r*h*w:(r+1)*h*w], a, h, w)
			biasActPlane(o, b[r%f], act)
		}
	})
}

// biasActPlane adds bv to a plane and applies the activation, in place.
func biasActPlane[T float](p []T, bv T, act Activation) {
	switch act {
	case ReluAct:
		for i, v := range p {
			p[i] = max(v+bv, 0)
		}
	case SigmoidAct:
		for i, v := range p {
			p[i] = T(sigmoid(float64(v + bv)))
		}
	case TanhAct:
		for i, v := range p {
			p[i] = T(math.Tanh(float64(v + bv)))
		}
	default:
		for i, v := range p {
			p[i] = v + bv
		}
	}
}

// actPoolBack writes the gradient d of the convolution output ([rows, h,
// w]) from the pooled gradient g and pooled, activated output o: zero
// except at each window's winner, where it is g times the activation's
// derivative at o; rowSums gets each row's sum (the bias gradient's parts).
func actPoolBack[T float](d, g, o []T, arg []uint8, rowSums []float64, rows, h, w int, act Activation) {
	oh, ow := h/2, w/2
	off := [4]int{0, 1, w, w + 1}
	parallel.For(rows, max(1, 16384/(h*w)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			dp := d[r*h*w : (r+1)*h*w]
			op := o[r*oh*ow : (r+1)*oh*ow]
			gp := g[r*oh*ow : (r+1)*oh*ow]
			ap := arg[r*oh*ow : (r+1)*oh*ow]
			clear(dp)
			var s T
			for oy := 0; oy < oh; oy++ {
				base := 2 * oy * w
				for ox := 0; ox < ow; ox++ {
					k := oy*ow + ox
					gv, v := gp[k], op[k]
					switch act {
					case ReluAct:
						gv *= T(b2u(v > 0))
					case SigmoidAct:
						gv *= v * (1 - v)
					case TanhAct:
						gv *= 1 - v*v
					}
					dp[base+2*ox+off[ap[k]&3]] = gv
					s += gv
				}
			}
			rowSums[r] = float64(s)
		}
	})
}
