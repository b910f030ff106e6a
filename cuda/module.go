package cuda

//go:generate sh kernels/gen.sh

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"unsafe"
)

// ptx is the kernels of kernels/ember.cu compiled by kernels/gen.sh.
//
//go:embed kernels/ember.ptx
var ptx string

// kernelBases are the kernels instantiated for both element types, as
// ember_<base>_f32 and ember_<base>_f64.
var kernelBases = []string{
	"fill", "unary", "binary", "where", "reduce", "softmax", "index_select", "index_add",
	"im2col", "col2im", "pool", "pool_bwd", "bernoulli", "sgd", "adam", "rmsprop", "adagrad", "gemm",
}

// kernelNames lists every entry point the Go side launches; Open resolves
// them all, so a kernel missing from the PTX fails there, not mid-training.
func kernelNames() []string {
	var names []string
	for _, b := range kernelBases {
		names = append(names, "ember_"+b+"_f32", "ember_"+b+"_f64")
	}
	for _, d := range []string{"f32", "f64"} {
		for _, s := range []string{"f32", "f64"} {
			names = append(names, "ember_copy_"+d+"_"+s)
		}
	}
	return names
}

// loadModule loads the embedded PTX (JIT-compiled by the driver for this
// GPU) and resolves every kernel. The context is current.
func (dv *Device) loadModule() error {
	d := dv.d
	img := cBytes(ptx)
	if err := d.check("cuModuleLoadData", d.cuModuleLoadData(&dv.mod, &img[0])); err != nil {
		return err
	}
	for _, name := range kernelNames() {
		var fn uintptr
		cn := cBytes(name)
		if err := d.check("cuModuleGetFunction("+name+")", d.cuModuleGetFunction(&fn, dv.mod, &cn[0])); err != nil {
			d.cuModuleUnload(dv.mod)
			return err
		}
		dv.fns[name] = fn
	}
	return nil
}

// kargs packs kernel arguments: each value is stored in one buffer at its
// natural alignment and cuLaunchKernel receives a pointer to each.
type kargs struct {
	buf  []byte
	offs []int
}

func (a *kargs) put(align int, b []byte) *kargs {
	for len(a.buf)%align != 0 {
		a.buf = append(a.buf, 0)
	}
	a.offs = append(a.offs, len(a.buf))
	a.buf = append(a.buf, b...)
	return a
}

func (a *kargs) i32(v int) *kargs {
	return a.put(4, binary.LittleEndian.AppendUint32(nil, uint32(int32(v))))
}
func (a *kargs) i64(v int) *kargs { return a.put(8, binary.LittleEndian.AppendUint64(nil, uint64(v))) }
func (a *kargs) u64(v uint64) *kargs {
	return a.put(8, binary.LittleEndian.AppendUint64(nil, v))
}
func (a *kargs) ptr(p uintptr) *kargs {
	return a.put(8, binary.LittleEndian.AppendUint64(nil, uint64(p)))
}
func (a *kargs) f32(v float32) *kargs {
	return a.put(4, binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)))
}
func (a *kargs) f64(v float64) *kargs {
	return a.put(8, binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
}

// real appends v as the kernel's element type: float32 when f32, else float64.
func (a *kargs) real(f32 bool, v float64) *kargs {
	if f32 {
		return a.f32(float32(v))
	}
	return a.f64(v)
}

// layout appends a Layout struct (ndim, shape[8], stride[8], offset; all
// int64, as in ember.cu).
func (a *kargs) layout(l layout) *kargs {
	b := make([]byte, 0, layoutBytes)
	b = binary.LittleEndian.AppendUint64(b, uint64(l.ndim))
	for _, v := range l.shape {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	for _, v := range l.stride {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(l.offset))
	return a.put(8, b)
}

// conv appends a ConvShape struct (14 int32, as in ember.cu).
func (a *kargs) conv(s convShape) *kargs {
	b := make([]byte, 0, 14*4)
	for _, v := range [...]int{s.n, s.c, s.h, s.w, s.oh, s.ow, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.dh, s.dw} {
		b = binary.LittleEndian.AppendUint32(b, uint32(int32(v)))
	}
	return a.put(4, b)
}

// maxDims is MAXD of ember.cu: the most dimensions a strided operand has.
const maxDims = 8

// layoutBytes is sizeof(Layout) in ember.cu.
const layoutBytes = 8 * (2 + 2*maxDims)

// layout describes a strided operand to a kernel.
type layout struct {
	ndim   int
	shape  [maxDims]int
	stride [maxDims]int
	offset int
}

// convShape mirrors ConvShape in ember.cu.
type convShape struct {
	n, c, h, w, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw int
}

// Launch geometry.
const (
	blockSize = 256
	maxGrid   = 8192 // grid-stride loops cover the rest
)

// gridFor returns the 1-D grid for a grid-stride loop over n elements.
func gridFor(n int) uint32 {
	g := (n + blockSize - 1) / blockSize
	return uint32(max(1, min(g, maxGrid)))
}

// reduceBlock returns the block size for a block-per-row reduction over
// red elements: a power of two, at most 256, no larger than red needs.
func reduceBlock(red int) uint32 {
	b := uint32(32)
	for int(b) < red && b < 256 {
		b *= 2
	}
	return b
}

// launch runs kernel name with a grid of gx×gy×gz blocks of bx×by threads.
// The context is current (call it inside do).
func (dv *Device) launch(name string, gx, gy, gz, bx, by uint32, a *kargs) error {
	fn, ok := dv.fns[name]
	if !ok {
		return fmt.Errorf("cuda: kernel %s is not loaded", name)
	}
	params := make([]uintptr, len(a.offs)+1)
	base := unsafe.Pointer(unsafe.SliceData(a.buf))
	for i, o := range a.offs {
		params[i] = uintptr(unsafe.Add(base, o))
	}
	r := dv.d.cuLaunchKernel(fn, gx, gy, gz, bx, by, 1, 0, dv.stream, &params[0], 0)
	runtime.KeepAlive(a.buf)
	return dv.d.check("cuLaunchKernel("+name+")", r)
}
