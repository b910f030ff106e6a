package tensor

import (
	"fmt"
	"sync"
)

// DeviceType names a kind of device.
type DeviceType uint8

const (
	// CPUDevice is the host processor.
	CPUDevice DeviceType = iota
	// CUDADevice is an NVIDIA GPU driven through package cuda.
	CUDADevice
)

// Device names where a tensor's storage lives. The zero value is the CPU.
type Device struct {
	Type  DeviceType
	Index int
}

// CPU is the host device.
var CPU = Device{}

// IsCPU reports whether d is the host.
func (d Device) IsCPU() bool { return d.Type == CPUDevice }

// String returns "cpu" or "cuda:N".
func (d Device) String() string {
	switch d.Type {
	case CPUDevice:
		return "cpu"
	case CUDADevice:
		return fmt.Sprintf("cuda:%d", d.Index)
	}
	return fmt.Sprintf("device(%d):%d", d.Type, d.Index)
}

// Backend returns the backend registered for d. It panics if none is (a
// device value not obtained from an opened backend is a programmer error).
func (d Device) Backend() Backend {
	if d.IsCPU() {
		return cpuBackend
	}
	backendsMu.RLock()
	b := backends[d]
	backendsMu.RUnlock()
	if b == nil {
		panic(fmt.Sprintf("tensor: no backend registered for device %v", d))
	}
	return b
}

var (
	backendsMu sync.RWMutex
	backends   = map[Device]Backend{}
)

// RegisterBackend makes b the backend of its device. Package cuda calls it
// when a GPU is opened; users do not need to.
func RegisterBackend(b Backend) {
	backendsMu.Lock()
	backends[b.Device()] = b
	backendsMu.Unlock()
}

// DeviceMemory is an allocation on a device other than the CPU, owned by its
// backend.
type DeviceMemory interface {
	// Len returns the number of elements the allocation holds.
	Len() int
}

// UnaryOp selects an elementwise function of one operand.
type UnaryOp uint8

// Unary operations. Those with parameters read them from the p0 and p1
// arguments of Backend.Unary, as documented on each.
const (
	OpNeg UnaryOp = iota
	OpAbs
	OpExp
	OpLog
	OpSqrt
	OpRsqrt
	OpSquare
	OpReciprocal
	OpTanh
	OpSigmoid
	OpRelu
	OpSin
	OpCos
	OpSign
	OpFloor
	OpCeil
	OpRound
	OpSoftplus
	OpGelu      // tanh approximation, as Keras's default gelu(approximate=False) is exact: see OpGeluExact
	OpGeluExact // x * Φ(x)
	OpErf
	OpLog1p
	OpExpm1
	OpPowScalar  // x ** p0
	OpAddScalar  // x + p0
	OpMulScalar  // x * p0
	OpAffine     // x*p0 + p1
	OpClip       // min(max(x, p0), p1)
	OpLeakyRelu  // x if x > 0 else p0*x
	OpElu        // x if x > 0 else p0*(exp(x)-1)
	OpReluGrad   // 1 if x > 0 else 0
	OpStep       // 1 if x > p0 else 0
	OpIsNaN      // 1 if x is NaN else 0
	OpNanToNum   // x, with NaN replaced by p0
	OpRsubScalar // p0 - x
	OpRdivScalar // p0 / x
)

// BinaryOp selects an elementwise function of two operands.
type BinaryOp uint8

// Binary operations. Comparisons give 1 where true and 0 where false, in the
// operands' type.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
	OpPow
	OpMaximum
	OpMinimum
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAtan2
)

// ReduceOp selects a reduction.
type ReduceOp uint8

// Reductions.
const (
	ReduceSum ReduceOp = iota
	ReduceMax
	ReduceMin
	ReduceProd
	ReduceArgMax
	ReduceArgMin
)

// ConvParams describes a 2-D convolution or pooling window over NCHW data.
type ConvParams struct {
	KH, KW               int // window size
	StrideH, StrideW     int
	PadTop, PadLeft      int
	PadBottom, PadRight  int
	DilationH, DilationW int
}

// OutSize returns the output height and width for an input of h×w.
func (p ConvParams) OutSize(h, w int) (oh, ow int) {
	dh, dw := max(p.DilationH, 1), max(p.DilationW, 1)
	sh, sw := max(p.StrideH, 1), max(p.StrideW, 1)
	oh = (h+p.PadTop+p.PadBottom-dh*(p.KH-1)-1)/sh + 1
	ow = (w+p.PadLeft+p.PadRight-dw*(p.KW-1)-1)/sw + 1
	return oh, ow
}

func (p ConvParams) norm() ConvParams {
	p.StrideH, p.StrideW = max(p.StrideH, 1), max(p.StrideW, 1)
	p.DilationH, p.DilationW = max(p.DilationH, 1), max(p.DilationW, 1)
	return p
}

// OptimizerStep holds the hyper-parameters of one fused optimizer update.
type OptimizerStep struct {
	LR          float64
	Beta1       float64 // Adam: first-moment decay; SGD: momentum; RMSprop: momentum
	Beta2       float64 // Adam: second-moment decay; RMSprop: rho
	Eps         float64
	WeightDecay float64
	Decoupled   bool // AdamW-style decay applied to the parameter directly
	Nesterov    bool
	Step        int // 1-based step count, for Adam's bias correction
}

// Backend is the set of kernels a device provides. Every operand passed to a
// backend method lives on that backend's device, and the caller has checked
// shapes: dst is contiguous and has the result's shape; other operands may be
// strided views (broadcast operands have stride 0 on expanded dimensions).
// The CPU backend is always available; package cuda adds a GPU one. Both pass
// the same conformance suite (package tensor/tensortest).
type Backend interface {
	// Name identifies the implementation ("cpu", "cuda").
	Name() string
	// Device returns the device this backend runs on.
	Device() Device

	// Alloc and Free manage device memory (unused by the CPU backend, whose
	// storage is Go slices).
	Alloc(dt DType, n int) DeviceMemory
	Free(m DeviceMemory)
	// Upload copies host values into a device tensor; Download copies a
	// device tensor into a contiguous host tensor of the same shape.
	Upload(dst *Tensor, src *Tensor)
	Download(dst *Tensor, src *Tensor)

	// Fill sets every element of dst to v.
	Fill(dst *Tensor, v float64)
	// Copy copies src (any strides, either dtype) into dst of the same shape.
	Copy(dst, src *Tensor)
	// Unary applies op elementwise; p0 and p1 are the op's parameters.
	Unary(op UnaryOp, dst, src *Tensor, p0, p1 float64)
	// Binary applies op elementwise; a and b have dst's shape (as views).
	Binary(op BinaryOp, dst, a, b *Tensor)
	// Where sets dst to a where cond is non-zero and to b elsewhere.
	Where(dst, cond, a, b *Tensor)
	// Reduce reduces src over the axes marked in mask into dst, which has
	// src's rank with those axes of size 1. For ArgMax and ArgMin exactly
	// one axis is marked and dst holds the index as a float.
	Reduce(op ReduceOp, dst, src *Tensor, mask []bool)
	// MatMul sets dst[..., m, n] = a[..., m, k] @ b[..., k, n]; batch
	// dimensions are already broadcast to dst's. Transposed operands arrive
	// as views with swapped strides.
	MatMul(dst, a, b *Tensor)
	// Softmax (or log-softmax) of src along axis.
	Softmax(dst, src *Tensor, axis int, log bool)
	// IndexSelect gathers entries idx along axis of src.
	IndexSelect(dst, src *Tensor, axis int, idx []int)
	// IndexAdd adds src into dst at positions idx along axis (the adjoint
	// of IndexSelect); dst is not cleared first.
	IndexAdd(dst, src *Tensor, axis int, idx []int)

	// Conv2D computes dst[N,F,OH,OW] from x[N,C,H,W] and w[F,C,KH,KW].
	Conv2D(dst, x, w *Tensor, p ConvParams)
	// Conv2DBackwardData computes dx from dy and w.
	Conv2DBackwardData(dx, dy, w *Tensor, p ConvParams)
	// Conv2DBackwardFilter computes dw from x and dy.
	Conv2DBackwardFilter(dw, x, dy *Tensor, p ConvParams)
	// MaxPool2D and AvgPool2D pool x[N,C,H,W] into dst. Padding counts as
	// -Inf for max and is excluded from the average's count.
	MaxPool2D(dst, x *Tensor, p ConvParams)
	AvgPool2D(dst, x *Tensor, p ConvParams)
	// MaxPool2DBackward routes dy to the position of each window's maximum
	// in x (the first, on ties); AvgPool2DBackward spreads it evenly.
	MaxPool2DBackward(dx, dy, x *Tensor, p ConvParams)
	AvgPool2DBackward(dx, dy *Tensor, p ConvParams)

	// Bernoulli fills dst with scale where a uniform draw, computed from
	// (seed, element index) by a counter-based generator, is below keep, and
	// with 0 elsewhere (dropout masks that do not depend on threading).
	Bernoulli(dst *Tensor, keep, scale float64, seed uint64)

	// SGDStep, AdamStep, RMSpropStep and AdagradStep update param in place
	// from grad and their state tensors (contiguous, param's shape).
	SGDStep(param, grad, velocity *Tensor, h OptimizerStep)
	AdamStep(param, grad, m, v *Tensor, h OptimizerStep)
	RMSpropStep(param, grad, sq, mom *Tensor, h OptimizerStep)
	AdagradStep(param, grad, sum *Tensor, h OptimizerStep)
}

// To returns t on device dev: t itself when it is already there, otherwise a
// contiguous copy.
func (t *Tensor) To(dev Device) *Tensor {
	if t.st.dev == dev {
		return t
	}
	src := t
	if !t.st.dev.IsCPU() {
		host := newCPU(t.dtype, append([]int(nil), t.shape...), false)
		t.st.dev.Backend().Download(host, t.Contiguous())
		if dev.IsCPU() {
			return host
		}
		src = host
	}
	out := empty(dev, src.dtype, src.shape, false)
	dev.Backend().Upload(out, src.Contiguous())
	return out
}

func sameDevice(op string, ts ...*Tensor) Backend {
	d := ts[0].st.dev
	for _, t := range ts[1:] {
		if t.st.dev != d {
			panic(fmt.Sprintf("tensor: %s with operands on %v and %v; move them with To first", op, d, t.st.dev))
		}
	}
	return d.Backend()
}
