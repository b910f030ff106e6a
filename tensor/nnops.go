package tensor

import (
	"fmt"
	"slices"
)

func checkConv(op string, x, w *Tensor, p ConvParams) {
	if x.Dim() != 4 || w.Dim() != 4 || x.shape[1] != w.shape[1] || w.shape[2] != p.KH || w.shape[3] != p.KW {
		panic(fmt.Sprintf("tensor: %s shape mismatch: input %v (want N,C,H,W) and filter %v (want F,C,%d,%d)", op, x.shape, w.shape, p.KH, p.KW))
	}
}

// Conv2D convolves x[N,C,H,W] with the filters w[F,C,KH,KW] (cross-correlation,
// as every deep-learning framework does) and returns y[N,F,OH,OW]. p.KH and
// p.KW are taken from w when zero.
func Conv2D(x, w *Tensor, p ConvParams) *Tensor {
	if p.KH == 0 && w.Dim() == 4 {
		p.KH, p.KW = w.shape[2], w.shape[3]
	}
	p = p.norm()
	checkConv("Conv2D", x, w, p)
	sameDType("Conv2D", x, w)
	bk := sameDevice("Conv2D", x, w)
	oh, ow := p.OutSize(x.shape[2], x.shape[3])
	if oh <= 0 || ow <= 0 {
		panic(fmt.Sprintf("tensor: Conv2D input %v too small for filter %v with %+v", x.shape, w.shape, p))
	}
	out := empty(x.st.dev, x.dtype, []int{x.shape[0], w.shape[0], oh, ow}, false)
	bk.Conv2D(out, x, w, p)
	return out
}

// Conv2DBackwardData returns the gradient with respect to the input of
// Conv2D, whose input had shape xShape.
func Conv2DBackwardData(dy, w *Tensor, xShape []int, p ConvParams) *Tensor {
	if p.KH == 0 && w.Dim() == 4 {
		p.KH, p.KW = w.shape[2], w.shape[3]
	}
	p = p.norm()
	if w.Dim() != 4 || len(xShape) != 4 || xShape[1] != w.shape[1] || w.shape[2] != p.KH || w.shape[3] != p.KW {
		panic(fmt.Sprintf("tensor: Conv2DBackwardData shape mismatch: input %v (want N,C,H,W) and filter %v (want F,C,%d,%d)", xShape, w.shape, p.KH, p.KW))
	}
	checkShape("Conv2DBackwardData", xShape)
	checkConvGrad("Conv2DBackwardData", dy, xShape, w.shape, p)
	sameDType("Conv2DBackwardData", dy, w)
	bk := sameDevice("Conv2DBackwardData", dy, w)
	dx := empty(dy.st.dev, dy.dtype, xShape, false)
	bk.Conv2DBackwardData(dx, dy, w, p)
	return dx
}

// Conv2DBackwardFilter returns the gradient with respect to the filters of
// Conv2D, whose filters had shape wShape.
func Conv2DBackwardFilter(x, dy *Tensor, wShape []int, p ConvParams) *Tensor {
	if p.KH == 0 && len(wShape) == 4 {
		p.KH, p.KW = wShape[2], wShape[3]
	}
	p = p.norm()
	if x.Dim() != 4 || len(wShape) != 4 || x.shape[1] != wShape[1] || wShape[2] != p.KH || wShape[3] != p.KW {
		panic(fmt.Sprintf("tensor: Conv2DBackwardFilter shape mismatch: input %v (want N,C,H,W) and filter %v (want F,C,%d,%d)", x.shape, wShape, p.KH, p.KW))
	}
	checkShape("Conv2DBackwardFilter", wShape)
	checkConvGrad("Conv2DBackwardFilter", dy, x.shape, wShape, p)
	sameDType("Conv2DBackwardFilter", x, dy)
	bk := sameDevice("Conv2DBackwardFilter", x, dy)
	dw := empty(x.st.dev, x.dtype, wShape, false)
	bk.Conv2DBackwardFilter(dw, x, dy, p)
	return dw
}

// checkConvGrad checks that dy has the shape of Conv2D's output for an
// input of xShape and filters of wShape.
func checkConvGrad(op string, dy *Tensor, xShape, wShape []int, p ConvParams) {
	oh, ow := p.OutSize(xShape[2], xShape[3])
	want := []int{xShape[0], wShape[0], oh, ow}
	if !slices.Equal(dy.shape, want) {
		panic(fmt.Sprintf("tensor: %s shape mismatch: dy %v, want %v for input %v and filter %v", op, dy.shape, want, xShape, wShape))
	}
}

func poolShape(op string, x *Tensor, p ConvParams) []int {
	if x.Dim() != 4 {
		panic(fmt.Sprintf("tensor: %s on shape %v, want N,C,H,W", op, x.shape))
	}
	oh, ow := p.OutSize(x.shape[2], x.shape[3])
	if oh <= 0 || ow <= 0 {
		panic(fmt.Sprintf("tensor: %s input %v too small for window %dx%d", op, x.shape, p.KH, p.KW))
	}
	return []int{x.shape[0], x.shape[1], oh, ow}
}

// MaxPool2D returns the maximum of each window of x[N,C,H,W].
func MaxPool2D(x *Tensor, p ConvParams) *Tensor {
	p = p.norm()
	out := empty(x.st.dev, x.dtype, poolShape("MaxPool2D", x, p), false)
	x.st.dev.Backend().MaxPool2D(out, x, p)
	return out
}

// AvgPool2D returns the mean of each window of x[N,C,H,W] (padding
// excluded from the count).
func AvgPool2D(x *Tensor, p ConvParams) *Tensor {
	p = p.norm()
	out := empty(x.st.dev, x.dtype, poolShape("AvgPool2D", x, p), false)
	x.st.dev.Backend().AvgPool2D(out, x, p)
	return out
}

// MaxPool2DBackward returns the gradient of MaxPool2D with respect to x.
func MaxPool2DBackward(dy, x *Tensor, p ConvParams) *Tensor {
	p = p.norm()
	sameDType("MaxPool2DBackward", dy, x)
	sameDevice("MaxPool2DBackward", dy, x)
	if !slices.Equal(dy.shape, poolShape("MaxPool2DBackward", x, p)) {
		panic(fmt.Sprintf("tensor: MaxPool2DBackward shape mismatch: dy %v for x %v", dy.shape, x.shape))
	}
	dx := empty(x.st.dev, x.dtype, x.shape, false)
	x.st.dev.Backend().MaxPool2DBackward(dx, dy, x, p)
	return dx
}

// AvgPool2DBackward returns the gradient of AvgPool2D with respect to an
// input of shape xShape.
func AvgPool2DBackward(dy *Tensor, xShape []int, p ConvParams) *Tensor {
	p = p.norm()
	if len(xShape) != 4 {
		panic(fmt.Sprintf("tensor: AvgPool2DBackward to shape %v, want N,C,H,W", xShape))
	}
	checkShape("AvgPool2DBackward", xShape)
	oh, ow := p.OutSize(xShape[2], xShape[3])
	if want := []int{xShape[0], xShape[1], oh, ow}; !slices.Equal(dy.shape, want) {
		panic(fmt.Sprintf("tensor: AvgPool2DBackward shape mismatch: dy %v, want %v for input %v", dy.shape, want, xShape))
	}
	dx := empty(dy.st.dev, dy.dtype, xShape, false)
	dy.st.dev.Backend().AvgPool2DBackward(dx, dy, p)
	return dx
}

// Bernoulli returns a tensor of the given shape holding scale with
// probability keep and 0 otherwise, drawn from (seed, position) so the mask
// does not depend on threading or device.
func Bernoulli(dev Device, dt DType, keep, scale float64, seed uint64, shape ...int) *Tensor {
	out := empty(dev, dt, shape, false)
	dev.Backend().Bernoulli(out, keep, scale, seed)
	return out
}

func checkStep(op string, param *Tensor, others ...*Tensor) Backend {
	for _, o := range others {
		if o == nil {
			continue
		}
		if !slices.Equal(o.shape, param.shape) || !o.IsContiguous() || o.dtype != param.dtype {
			panic(fmt.Sprintf("tensor: %s state %v %v does not match parameter %v %v", op, o.shape, o.dtype, param.shape, param.dtype))
		}
	}
	if !param.IsContiguous() {
		panic(fmt.Sprintf("tensor: %s on a non-contiguous parameter %v", op, param.shape))
	}
	return sameDevice(op, append([]*Tensor{param}, others...)...)
}

// SGDStep updates param in place (momentum state in velocity, which may be
// nil when h.Beta1 is 0).
func SGDStep(param, grad, velocity *Tensor, h OptimizerStep) {
	bk := checkStep("SGDStep", param, grad)
	if velocity != nil {
		checkStep("SGDStep", param, velocity)
	}
	bk.SGDStep(param, grad, velocity, h)
}

// AdamStep updates param in place with Adam or, with h.Decoupled, AdamW.
func AdamStep(param, grad, m, v *Tensor, h OptimizerStep) {
	checkStep("AdamStep", param, grad, m, v).AdamStep(param, grad, m, v, h)
}

// RMSpropStep updates param in place (mom may be nil without momentum).
func RMSpropStep(param, grad, sq, mom *Tensor, h OptimizerStep) {
	bk := checkStep("RMSpropStep", param, grad, sq)
	if mom != nil {
		checkStep("RMSpropStep", param, mom)
	}
	bk.RMSpropStep(param, grad, sq, mom, h)
}

// AdagradStep updates param in place.
func AdagradStep(param, grad, sum *Tensor, h OptimizerStep) {
	checkStep("AdagradStep", param, grad, sum).AdagradStep(param, grad, sum, h)
}
