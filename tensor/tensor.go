// Package tensor provides dense n-dimensional arrays of float32 (the default)
// and float64 with NumPy-style broadcasting, views that copy nothing, and the
// numerical kernels that the rest of ember is built on.
//
// A Tensor is a shape, strides and an offset over a shared storage.
// Reshape (of a contiguous tensor), Transpose, Permute, Slice, Narrow,
// Expand, Squeeze and Unsqueeze return views; Contiguous and Clone copy.
// Operations dispatch to the Backend of the device that holds their
// operands: the CPU backend is always present, and package cuda registers a
// GPU backend when the machine has one. Operands on different devices are a
// programmer error, never a silent copy.
//
// Shape mismatches and other programmer errors inside the math panic with a
// message that names the operation and the shapes involved, as gonum's mat
// package does. Functions that take a user's data return errors instead.
package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// DType is the element type of a tensor.
type DType uint8

const (
	// Float32 is the default element type.
	Float32 DType = iota
	// Float64 is double precision, used by the classical models.
	Float64
)

// Size returns the number of bytes of one element.
func (d DType) Size() int {
	if d == Float64 {
		return 8
	}
	return 4
}

// String returns "float32" or "float64".
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// ParseDType parses "float32" or "float64".
func ParseDType(s string) (DType, error) {
	switch s {
	case "float32", "f32", "F32":
		return Float32, nil
	case "float64", "f64", "F64":
		return Float64, nil
	}
	return 0, fmt.Errorf("tensor: unknown dtype %q (want float32 or float64)", s)
}

// storage is the memory a tensor views. On the CPU exactly one of f32 and f64
// is set; on another device mem holds the device allocation.
type storage struct {
	f32 []float32
	f64 []float64
	dev Device
	mem DeviceMemory
}

// Tensor is an n-dimensional array: a view (shape, strides and offset, in
// elements) over a storage that other tensors may share.
type Tensor struct {
	dtype   DType
	shape   []int
	strides []int
	offset  int
	st      *storage
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns the dimensions. The slice must not be modified.
func (t *Tensor) Shape() []int { return t.shape }

// Strides returns the step, in elements, between neighbours along each
// dimension. The slice must not be modified.
func (t *Tensor) Strides() []int { return t.strides }

// Offset returns the position of the first element in the storage.
func (t *Tensor) Offset() int { return t.offset }

// Dim returns the number of dimensions.
func (t *Tensor) Dim() int { return len(t.shape) }

// Size returns the number of elements.
func (t *Tensor) Size() int { return shapeSize(t.shape) }

// Len returns the size of the first dimension (1 for a scalar).
func (t *Tensor) Len() int {
	if len(t.shape) == 0 {
		return 1
	}
	return t.shape[0]
}

// Device returns the device that holds the tensor's storage.
func (t *Tensor) Device() Device { return t.st.dev }

// IsContiguous reports whether the elements are laid out densely in
// row-major order.
func (t *Tensor) IsContiguous() bool {
	s := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.strides[i] != s {
			return false
		}
		s *= t.shape[i]
	}
	return true
}

// SharesStorage reports whether t and u view the same storage.
func (t *Tensor) SharesStorage(u *Tensor) bool { return t.st == u.st }

// Float32s returns the elements in row-major order. When t is a contiguous
// float32 tensor on the CPU the result aliases its storage (writes are seen
// by t); otherwise it is a new slice (converted from float64 if need be).
func (t *Tensor) Float32s() []float32 {
	t.mustCPU("Float32s")
	if t.dtype == Float32 && t.IsContiguous() {
		return t.st.f32[t.offset : t.offset+t.Size()]
	}
	out := make([]float32, t.Size())
	i := 0
	t.each(func(off int) {
		if t.dtype == Float32 {
			out[i] = t.st.f32[off]
		} else {
			out[i] = float32(t.st.f64[off])
		}
		i++
	})
	return out
}

// Float64s returns the elements in row-major order. When t is a contiguous
// float64 tensor on the CPU the result aliases its storage; otherwise it is
// a new slice.
func (t *Tensor) Float64s() []float64 {
	t.mustCPU("Float64s")
	if t.dtype == Float64 && t.IsContiguous() {
		return t.st.f64[t.offset : t.offset+t.Size()]
	}
	out := make([]float64, t.Size())
	i := 0
	t.each(func(off int) {
		if t.dtype == Float32 {
			out[i] = float64(t.st.f32[off])
		} else {
			out[i] = t.st.f64[off]
		}
		i++
	})
	return out
}

// Storage32 returns the whole float32 storage of a CPU tensor (index it with
// Offset and Strides). It panics for float64 tensors.
func (t *Tensor) Storage32() []float32 {
	t.mustCPU("Storage32")
	if t.dtype != Float32 {
		panic(fmt.Sprintf("tensor: Storage32 on a %v tensor", t.dtype))
	}
	return t.st.f32
}

// Storage64 returns the whole float64 storage of a CPU tensor. It panics for
// float32 tensors.
func (t *Tensor) Storage64() []float64 {
	t.mustCPU("Storage64")
	if t.dtype != Float64 {
		panic(fmt.Sprintf("tensor: Storage64 on a %v tensor", t.dtype))
	}
	return t.st.f64
}

// Item returns the value of a tensor with one element (copied to the host
// when the tensor is on another device).
func (t *Tensor) Item() float64 {
	if t.Size() != 1 {
		panic(fmt.Sprintf("tensor: Item on a tensor of shape %v", t.shape))
	}
	if !t.st.dev.IsCPU() {
		t = t.To(CPU) // like PyTorch's item(): a copy to the host
	}
	return t.At(make([]int, len(t.shape))...)
}

// At returns the element at the given index, one coordinate a dimension.
func (t *Tensor) At(idx ...int) float64 {
	t.mustCPU("At")
	off := t.index("At", idx)
	if t.dtype == Float32 {
		return float64(t.st.f32[off])
	}
	return t.st.f64[off]
}

// Set stores v at the given index.
func (t *Tensor) Set(v float64, idx ...int) {
	t.mustCPU("Set")
	off := t.index("Set", idx)
	if t.dtype == Float32 {
		t.st.f32[off] = float32(v)
	} else {
		t.st.f64[off] = v
	}
}

func (t *Tensor) index(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor: %s with %d indices on shape %v", op, len(idx), t.shape))
	}
	off := t.offset
	for i, v := range idx {
		if v < 0 || v >= t.shape[i] {
			panic(fmt.Sprintf("tensor: %s index %v out of range for shape %v", op, idx, t.shape))
		}
		off += v * t.strides[i]
	}
	return off
}

// each calls fn with the storage offset of every element in row-major order.
func (t *Tensor) each(fn func(off int)) {
	n := t.Size()
	if n == 0 {
		return
	}
	nd := len(t.shape)
	if nd == 0 {
		fn(t.offset)
		return
	}
	idx := make([]int, nd)
	off := t.offset
	last := nd - 1
	for {
		for i := 0; i < t.shape[last]; i++ {
			fn(off + i*t.strides[last])
		}
		d := last - 1
		for ; d >= 0; d-- {
			idx[d]++
			off += t.strides[d]
			if idx[d] < t.shape[d] {
				break
			}
			off -= idx[d] * t.strides[d]
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

func (t *Tensor) mustCPU(op string) {
	if !t.st.dev.IsCPU() {
		panic(fmt.Sprintf("tensor: %s on a tensor held by %v; move it with To(CPU) first", op, t.st.dev))
	}
}

// String formats the tensor like NumPy, eliding the middle of long
// dimensions.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tensor(%v, %v", t.shape, t.dtype)
	if !t.st.dev.IsCPU() {
		fmt.Fprintf(&b, ", %v)", t.st.dev)
		return b.String()
	}
	b.WriteString(", ")
	t.format(&b, nil)
	b.WriteString(")")
	return b.String()
}

func (t *Tensor) format(b *strings.Builder, idx []int) {
	d := len(idx)
	if d == len(t.shape) {
		fmt.Fprintf(b, "%.4g", t.At(idx...))
		return
	}
	b.WriteString("[")
	n := t.shape[d]
	for i := 0; i < n; i++ {
		if n > 8 && i == 3 {
			b.WriteString(", ..., ")
			i = n - 3
		}
		if i > 0 && !(n > 8 && i == n-3) {
			b.WriteString(", ")
		}
		t.format(b, append(idx, i))
	}
	b.WriteString("]")
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func contiguousStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// MaxElements is the largest number of elements a tensor may hold.
const MaxElements = 1 << 48

// ShapeSize returns the number of elements of a tensor of the given shape,
// or an error when a dimension is negative or the product exceeds
// MaxElements (so that it cannot overflow).
func ShapeSize(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d != 0 && n > MaxElements/d {
			// Keep scanning: a later zero dimension makes the product 0,
			// but the shape is still rejected as absurd.
			return 0, fmt.Errorf("shape %v has more than %d elements", shape, MaxElements)
		}
		n *= d
	}
	return n, nil
}

func checkShape(op string, shape []int) {
	if _, err := ShapeSize(shape); err != nil {
		panic(fmt.Sprintf("tensor: %s: %v", op, err))
	}
}

// FromValues copies values into a new CPU tensor of the given type and
// shape (a vector when no shape is given), returning an error when the
// shape is invalid or does not hold len(values) elements. Use it for data
// from outside the program; FromSlice panics instead.
func FromValues(dt DType, values []float64, shape ...int) (*Tensor, error) {
	if dt != Float32 && dt != Float64 {
		return nil, fmt.Errorf("tensor: FromValues with unknown dtype %v", dt)
	}
	if len(shape) == 0 {
		shape = []int{len(values)}
	}
	n, err := ShapeSize(shape)
	if err != nil {
		return nil, fmt.Errorf("tensor: FromValues: %w", err)
	}
	if n != len(values) {
		return nil, fmt.Errorf("tensor: FromValues with %d values for shape %v (%d elements)", len(values), shape, n)
	}
	return FromSlice(dt, values, shape...), nil
}

// New returns a zero-filled CPU tensor of the given type and shape.
func New(dt DType, shape ...int) *Tensor {
	checkShape("New", shape)
	return newCPU(dt, append([]int(nil), shape...), true)
}

// Zeros is New.
func Zeros(dt DType, shape ...int) *Tensor { return New(dt, shape...) }

// Ones returns a CPU tensor filled with ones.
func Ones(dt DType, shape ...int) *Tensor { return Full(dt, 1, shape...) }

// Full returns a CPU tensor filled with v.
func Full(dt DType, v float64, shape ...int) *Tensor {
	checkShape("Full", shape)
	t := newCPU(dt, append([]int(nil), shape...), v == 0)
	if v != 0 {
		t.Fill(v)
	}
	return t
}

// ZerosLike returns a zero tensor with the type, shape and device of t.
func ZerosLike(t *Tensor) *Tensor { return empty(t.st.dev, t.dtype, t.shape, true) }

// EmptyLike returns a tensor with the type, shape and device of t whose
// contents are unspecified (it may reuse pooled memory).
func EmptyLike(t *Tensor) *Tensor { return empty(t.st.dev, t.dtype, t.shape, false) }

// Empty returns a CPU tensor whose contents are unspecified.
func Empty(dt DType, shape ...int) *Tensor {
	checkShape("Empty", shape)
	return newCPU(dt, append([]int(nil), shape...), false)
}

// FromFloat32 returns a CPU tensor of the given shape that takes ownership of
// data (no copy). With no shape it is a vector. It panics if the shape does
// not hold len(data) elements.
func FromFloat32(data []float32, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	checkShape("FromFloat32", shape)
	if shapeSize(shape) != len(data) {
		panic(fmt.Sprintf("tensor: FromFloat32 with %d values for shape %v", len(data), shape))
	}
	shape = append([]int(nil), shape...)
	return &Tensor{dtype: Float32, shape: shape, strides: contiguousStrides(shape), st: &storage{f32: data}}
}

// FromFloat64 returns a CPU tensor of the given shape that takes ownership of
// data (no copy). With no shape it is a vector.
func FromFloat64(data []float64, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	checkShape("FromFloat64", shape)
	if shapeSize(shape) != len(data) {
		panic(fmt.Sprintf("tensor: FromFloat64 with %d values for shape %v", len(data), shape))
	}
	shape = append([]int(nil), shape...)
	return &Tensor{dtype: Float64, shape: shape, strides: contiguousStrides(shape), st: &storage{f64: data}}
}

// FromSlice copies values into a new CPU tensor of the given type and shape.
func FromSlice(dt DType, values []float64, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(values)}
	}
	checkShape("FromSlice", shape)
	if shapeSize(shape) != len(values) {
		panic(fmt.Sprintf("tensor: FromSlice with %d values for shape %v", len(values), shape))
	}
	t := New(dt, shape...)
	if dt == Float32 {
		for i, v := range values {
			t.st.f32[i] = float32(v)
		}
	} else {
		copy(t.st.f64, values)
	}
	return t
}

// Scalar returns a 0-dimensional tensor holding v.
func Scalar(dt DType, v float64) *Tensor { return Full(dt, v) }

// Arange returns the vector start, start+step, ... up to but excluding stop.
func Arange(dt DType, start, stop, step float64) *Tensor {
	if step == 0 || math.IsNaN(step) {
		panic("tensor: Arange with step 0")
	}
	n := int(math.Ceil((stop - start) / step))
	if n < 0 {
		n = 0
	}
	t := New(dt, n)
	for i := 0; i < n; i++ {
		t.setFlat(i, start+float64(i)*step)
	}
	return t
}

// Linspace returns n evenly spaced values from start to stop inclusive.
func Linspace(dt DType, start, stop float64, n int) *Tensor {
	t := New(dt, n)
	for i := 0; i < n; i++ {
		if n == 1 {
			t.setFlat(i, start)
		} else {
			t.setFlat(i, start+(stop-start)*float64(i)/float64(n-1))
		}
	}
	return t
}

// Eye returns the n×n identity matrix.
func Eye(dt DType, n int) *Tensor {
	t := New(dt, n, n)
	for i := 0; i < n; i++ {
		t.setFlat(i*n+i, 1)
	}
	return t
}

// RandU returns a tensor of values drawn uniformly from [lo, hi).
func RandU(dt DType, rng *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := Empty(dt, shape...)
	n := t.Size()
	for i := 0; i < n; i++ {
		t.setFlat(i, lo+(hi-lo)*rng.Float64())
	}
	return t
}

// RandN returns a tensor of standard normal values.
func RandN(dt DType, rng *rand.Rand, shape ...int) *Tensor {
	t := Empty(dt, shape...)
	n := t.Size()
	for i := 0; i < n; i++ {
		t.setFlat(i, rng.NormFloat64())
	}
	return t
}

// NewRand returns a seeded random source (PCG) for the constructors above.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// setFlat writes element i of a contiguous CPU tensor with zero offset.
func (t *Tensor) setFlat(i int, v float64) {
	if t.dtype == Float32 {
		t.st.f32[i] = float32(v)
	} else {
		t.st.f64[i] = v
	}
}

func newCPU(dt DType, shape []int, zero bool) *Tensor {
	n := shapeSize(shape)
	st := &storage{}
	if dt == Float32 {
		st.f32 = getF32(n, zero)
	} else {
		st.f64 = getF64(n, zero)
	}
	return &Tensor{dtype: dt, shape: shape, strides: contiguousStrides(shape), st: st}
}

// empty allocates a contiguous tensor on dev.
func empty(dev Device, dt DType, shape []int, zero bool) *Tensor {
	shape = append([]int(nil), shape...)
	if dev.IsCPU() {
		return newCPU(dt, shape, zero)
	}
	b := dev.Backend()
	mem := b.Alloc(dt, shapeSize(shape))
	t := &Tensor{dtype: dt, shape: shape, strides: contiguousStrides(shape), st: &storage{dev: dev, mem: mem}}
	if zero {
		b.Fill(t, 0)
	}
	return t
}

// Release returns the storage of t to the allocator's pool for reuse and
// leaves t empty. Only call it when no other tensor views the same storage
// and t is no longer used: training loops release intermediates this way so
// the garbage collector has little to do.
func Release(t *Tensor) {
	if t == nil || t.st == nil {
		return
	}
	st := t.st
	t.st = &storage{dev: st.dev}
	t.shape = []int{0}
	t.strides = []int{1}
	t.offset = 0
	if st.dev.IsCPU() {
		putF32(st.f32)
		putF64(st.f64)
		return
	}
	if st.mem != nil {
		st.dev.Backend().Free(st.mem)
	}
}
