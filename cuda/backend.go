package cuda

import (
	"fmt"
	"math"
	"reflect"
	"unsafe"

	"github.com/ember-ml/ember/tensor"
)

// backend is the tensor.Backend of one opened Device. Driver failures inside
// a kernel call (which the Backend interface cannot return) panic with the
// driver's error.
type backend struct {
	dv  *Device
	dev tensor.Device
}

// TensorDevice returns the tensor.Device that names this GPU ("cuda:N");
// Open registered its backend, so tensors move here with t.To(dv.TensorDevice()).
func (dv *Device) TensorDevice() tensor.Device {
	return tensor.Device{Type: tensor.CUDADevice, Index: dv.Ordinal}
}

func (b *backend) Name() string          { return "cuda" }
func (b *backend) Device() tensor.Device { return b.dev }

// run executes fn with the context current and panics on a driver error.
func (b *backend) run(op string, fn func() error) {
	if err := b.dv.do(fn); err != nil {
		panic(fmt.Sprintf("cuda: %s: %v", op, err))
	}
}

func (b *backend) Alloc(dt tensor.DType, n int) tensor.DeviceMemory {
	buf, err := b.dv.Alloc(n * dt.Size())
	if err != nil {
		panic(fmt.Sprintf("cuda: allocating %d %v elements: %v", n, dt, err))
	}
	buf.n = n
	buf.esize = dt.Size()
	return buf
}

func (b *backend) Free(m tensor.DeviceMemory) {
	if buf, ok := m.(*Buffer); ok {
		b.dv.Free(buf)
	}
}

// bufOf returns the device buffer under t. The tensor package keeps a
// tensor's DeviceMemory in an unexported field and has no accessor yet, so
// it is read by reflection (see the notes; an exported accessor in package
// tensor would replace this).
func bufOf(t *tensor.Tensor) *Buffer {
	st := reflect.ValueOf(t).Elem().FieldByName("st")
	if !st.IsValid() || st.IsNil() {
		panic("cuda: tensor has no storage")
	}
	m := st.Elem().FieldByName("mem")
	if !m.IsValid() {
		panic("cuda: tensor storage has no mem field")
	}
	m = reflect.NewAt(m.Type(), unsafe.Pointer(m.UnsafeAddr())).Elem()
	if m.IsNil() {
		panic(fmt.Sprintf("cuda: tensor on %v has no device memory", t.Device()))
	}
	buf, ok := m.Interface().(*Buffer)
	if !ok {
		panic(fmt.Sprintf("cuda: tensor memory is %T, not a cuda buffer", m.Interface()))
	}
	return buf
}

// addr returns the device address of t's first element.
func addr(t *tensor.Tensor) uintptr {
	return bufOf(t).ptr + uintptr(t.Offset()*t.DType().Size())
}

func sfx(dt tensor.DType) string {
	if dt == tensor.Float32 {
		return "f32"
	}
	return "f64"
}

func isF32(t *tensor.Tensor) bool { return t.DType() == tensor.Float32 }

// layouts describes operands ts, all viewed with shape, to a kernel: size-1
// dimensions are dropped and neighbours that are contiguous in every operand
// are merged, so most operands need one or two dimensions.
func layouts(shape []int, ts ...*tensor.Tensor) []layout {
	type dim struct {
		n  int
		st []int
	}
	var dims []dim
	for i, n := range shape {
		if n == 1 {
			continue
		}
		d := dim{n: n, st: make([]int, len(ts))}
		for j, t := range ts {
			d.st[j] = t.Strides()[i]
		}
		if k := len(dims) - 1; k >= 0 {
			merge := true
			for j := range ts {
				if dims[k].st[j] != d.st[j]*d.n {
					merge = false
					break
				}
			}
			if merge {
				dims[k].n *= d.n
				copy(dims[k].st, d.st)
				continue
			}
		}
		dims = append(dims, d)
	}
	if len(dims) > maxDims {
		panic(fmt.Sprintf("cuda: operands with more than %d non-mergeable dimensions are not implemented on cuda", maxDims))
	}
	out := make([]layout, len(ts))
	for j, t := range ts {
		out[j].ndim = len(dims)
		out[j].offset = t.Offset()
		for i, d := range dims {
			out[j].shape[i] = d.n
			out[j].stride[i] = d.st[j]
		}
	}
	return out
}

// rawLayout describes t with the given shape and strides, without merging
// (for kernels that single out one axis).
func rawLayout(shape, strides []int, offset int) layout {
	if len(shape) > maxDims {
		panic(fmt.Sprintf("cuda: operands with more than %d dimensions are not implemented on cuda for this op", maxDims))
	}
	l := layout{ndim: len(shape), offset: offset}
	copy(l.shape[:], shape)
	copy(l.stride[:], strides)
	return l
}

// tmp allocates scratch space for n elements of dt (context current).
func (b *backend) tmp(dt tensor.DType, n int) (*Buffer, error) {
	return b.dv.alloc.get(max(n, 1) * dt.Size())
}

// contig returns the address of a contiguous copy of t (t's own memory when
// it already is) and a function that releases the copy.
func (b *backend) contig(t *tensor.Tensor) (uintptr, func(), error) {
	if t.IsContiguous() {
		return addr(t), func() {}, nil
	}
	n := t.Size()
	buf, err := b.tmp(t.DType(), n)
	if err != nil {
		return 0, nil, err
	}
	if err := b.copyInto(buf.ptr, t.DType(), t); err != nil {
		b.dv.alloc.put(buf)
		return 0, nil, err
	}
	return buf.ptr, func() { b.dv.alloc.put(buf) }, nil
}

// copyInto writes src, in row-major order, to contiguous memory at dst of
// type dt (context current).
func (b *backend) copyInto(dst uintptr, dt tensor.DType, src *tensor.Tensor) error {
	n := src.Size()
	if n == 0 {
		return nil
	}
	l := layouts(src.Shape(), src)
	a := new(kargs).ptr(dst).layout(contiguousLayout(n)).ptr(bufOf(src).ptr).layout(l[0]).i64(n)
	return b.dv.launch("ember_copy_"+sfx(dt)+"_"+sfx(src.DType()), gridFor(n), 1, 1, blockSize, 1, a)
}

// contiguousLayout describes n contiguous elements.
func contiguousLayout(n int) layout {
	return layout{ndim: 1, shape: [maxDims]int{n}, stride: [maxDims]int{1}}
}

func (b *backend) Upload(dst, src *tensor.Tensor) {
	n := src.Size()
	if n == 0 {
		return
	}
	es := src.DType().Size()
	var p unsafe.Pointer
	if isF32(src) {
		p = unsafe.Pointer(&src.Storage32()[src.Offset()])
	} else {
		p = unsafe.Pointer(&src.Storage64()[src.Offset()])
	}
	buf := bufOf(dst)
	if err := b.dv.CopyIn(buf, dst.Offset()*es, p, n*es); err != nil {
		panic(fmt.Sprintf("cuda: Upload: %v", err))
	}
}

func (b *backend) Download(dst, src *tensor.Tensor) {
	n := src.Size()
	if n == 0 {
		return
	}
	es := src.DType().Size()
	var p unsafe.Pointer
	if isF32(dst) {
		p = unsafe.Pointer(&dst.Storage32()[dst.Offset()])
	} else {
		p = unsafe.Pointer(&dst.Storage64()[dst.Offset()])
	}
	if err := b.dv.CopyOut(p, bufOf(src), src.Offset()*es, n*es); err != nil {
		panic(fmt.Sprintf("cuda: Download: %v", err))
	}
}

func (b *backend) Fill(dst *tensor.Tensor, v float64) {
	n := dst.Size()
	if n == 0 {
		return
	}
	b.run("Fill", func() error {
		a := new(kargs).ptr(addr(dst)).i64(n).real(isF32(dst), v)
		return b.dv.launch("ember_fill_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

// Copy also accepts a strided dst (beyond the Backend contract), so that
// package tensor can write strided device views (CopyFrom, Concat) in place.
func (b *backend) Copy(dst, src *tensor.Tensor) {
	if dst.IsContiguous() {
		b.run("Copy", func() error { return b.copyInto(addr(dst), dst.DType(), src) })
		return
	}
	n := dst.Size()
	if n == 0 {
		return
	}
	b.run("Copy", func() error {
		l := layouts(dst.Shape(), dst, src)
		a := new(kargs).ptr(bufOf(dst).ptr).layout(l[0]).ptr(bufOf(src).ptr).layout(l[1]).i64(n)
		return b.dv.launch("ember_copy_"+sfx(dst.DType())+"_"+sfx(src.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func (b *backend) Unary(op tensor.UnaryOp, dst, src *tensor.Tensor, p0, p1 float64) {
	n := dst.Size()
	if n == 0 {
		return
	}
	b.run("Unary", func() error {
		l := layouts(dst.Shape(), src)
		a := new(kargs).i32(int(op)).ptr(addr(dst)).ptr(bufOf(src).ptr).layout(l[0]).i64(n).f64(p0).f64(p1)
		return b.dv.launch("ember_unary_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func (b *backend) Binary(op tensor.BinaryOp, dst, x, y *tensor.Tensor) {
	n := dst.Size()
	if n == 0 {
		return
	}
	b.run("Binary", func() error {
		l := layouts(dst.Shape(), x, y)
		a := new(kargs).i32(int(op)).ptr(addr(dst)).ptr(bufOf(x).ptr).layout(l[0]).ptr(bufOf(y).ptr).layout(l[1]).i64(n)
		return b.dv.launch("ember_binary_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func (b *backend) Where(dst, cond, x, y *tensor.Tensor) {
	n := dst.Size()
	if n == 0 {
		return
	}
	b.run("Where", func() error {
		cptr, cl := bufOf(cond).ptr, layouts(dst.Shape(), cond)[0]
		if cond.DType() != dst.DType() {
			buf, err := b.tmp(dst.DType(), n)
			if err != nil {
				return err
			}
			defer b.dv.alloc.put(buf)
			bc := cond
			if !equalInts(cond.Shape(), dst.Shape()) {
				return fmt.Errorf("Where with a %v condition of another shape is not implemented on cuda", cond.DType())
			}
			if err := b.copyInto(buf.ptr, dst.DType(), bc); err != nil {
				return err
			}
			cptr = buf.ptr
			cl = contiguousLayout(n)
		}
		l := layouts(dst.Shape(), x, y)
		a := new(kargs).ptr(addr(dst)).ptr(cptr).layout(cl).ptr(bufOf(x).ptr).layout(l[0]).ptr(bufOf(y).ptr).layout(l[1]).i64(n)
		return b.dv.launch("ember_where_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// reduceIdentity is what a reduction over no elements gives.
func reduceIdentity(op tensor.ReduceOp) float64 {
	switch op {
	case tensor.ReduceProd:
		return 1
	case tensor.ReduceMax:
		return math.Inf(-1)
	case tensor.ReduceMin:
		return math.Inf(1)
	}
	return 0
}

// reducePerm returns src's shape and strides with the kept axes first and the
// reduced ones last, and the sizes of the two groups.
func reducePerm(shape, strides []int, mask []bool) (pshape, pstrides []int, out, red int) {
	out, red = 1, 1
	for i := range shape {
		if !mask[i] {
			pshape = append(pshape, shape[i])
			pstrides = append(pstrides, strides[i])
			out *= shape[i]
		}
	}
	for i := range shape {
		if mask[i] {
			pshape = append(pshape, shape[i])
			pstrides = append(pstrides, strides[i])
			red *= shape[i]
		}
	}
	return pshape, pstrides, out, red
}

func (b *backend) Reduce(op tensor.ReduceOp, dst, src *tensor.Tensor, mask []bool) {
	ps, pst, out, red := reducePerm(src.Shape(), src.Strides(), mask)
	if out == 0 {
		return
	}
	if red == 0 {
		b.Fill(dst, reduceIdentity(op))
		return
	}
	if out > 1<<31-1 {
		panic("cuda: Reduce with more than 2^31-1 outputs is not implemented on cuda")
	}
	b.run("Reduce", func() error {
		l := mergeLayout(ps, pst, src.Offset())
		a := new(kargs).i32(int(op)).ptr(addr(dst)).ptr(bufOf(src).ptr).layout(l).i64(out).i64(red)
		return b.dv.launch("ember_reduce_"+sfx(dst.DType()), uint32(out), 1, 1, reduceBlock(red), 1, a)
	})
}

// mergeLayout is layouts for one operand given as raw shape and strides.
func mergeLayout(shape, strides []int, offset int) layout {
	var ns, nst []int
	for i, n := range shape {
		if n == 1 {
			continue
		}
		if k := len(ns) - 1; k >= 0 && nst[k] == strides[i]*n {
			ns[k] *= n
			nst[k] = strides[i]
			continue
		}
		ns = append(ns, n)
		nst = append(nst, strides[i])
	}
	return rawLayout(ns, nst, offset)
}

// axisLast returns shape and strides with axis moved to the end.
func axisLast(shape, strides []int, axis int) ([]int, []int) {
	var s, st []int
	for i := range shape {
		if i != axis {
			s = append(s, shape[i])
			st = append(st, strides[i])
		}
	}
	return append(s, shape[axis]), append(st, strides[axis])
}

func (b *backend) Softmax(dst, src *tensor.Tensor, axis int, log bool) {
	n := src.Size()
	length := src.Shape()[axis]
	if n == 0 || length == 0 {
		return
	}
	rows := n / length
	if rows > 1<<31-1 {
		panic("cuda: Softmax with more than 2^31-1 rows is not implemented on cuda")
	}
	b.run("Softmax", func() error {
		ds, dst2 := axisLast(dst.Shape(), dst.Strides(), axis)
		ss, sst := axisLast(src.Shape(), src.Strides(), axis)
		ld := mergeLayout(ds, dst2, dst.Offset())
		ls := mergeLayout(ss, sst, src.Offset())
		a := new(kargs).ptr(bufOf(dst).ptr).layout(ld).ptr(bufOf(src).ptr).layout(ls).i64(rows).i64(length).i32(b2i(log))
		return b.dv.launch("ember_softmax_"+sfx(dst.DType()), uint32(rows), 1, 1, reduceBlock(length), 1, a)
	})
}

// uploadIndex copies idx to a scratch device buffer of int64 (context current).
func (b *backend) uploadIndex(idx []int) (*Buffer, error) {
	buf, err := b.dv.alloc.get(max(len(idx), 1) * 8)
	if err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return buf, nil
	}
	host := make([]int64, len(idx))
	for i, v := range idx {
		host[i] = int64(v)
	}
	d := b.dv.d
	if err := d.check("cuStreamSynchronize", d.cuStreamSynchronize(b.dv.stream)); err != nil {
		b.dv.alloc.put(buf)
		return nil, err
	}
	if err := d.check("cuMemcpyHtoD", d.cuMemcpyHtoD(buf.ptr, unsafe.Pointer(&host[0]), uint64(len(host)*8))); err != nil {
		b.dv.alloc.put(buf)
		return nil, err
	}
	return buf, nil
}

func (b *backend) IndexSelect(dst, src *tensor.Tensor, axis int, idx []int) {
	n := dst.Size()
	if n == 0 {
		return
	}
	b.run("IndexSelect", func() error {
		ib, err := b.uploadIndex(idx)
		if err != nil {
			return err
		}
		defer b.dv.alloc.put(ib)
		l := rawLayout(dst.Shape(), src.Strides(), src.Offset())
		a := new(kargs).ptr(addr(dst)).ptr(bufOf(src).ptr).layout(l).i32(axis).ptr(ib.ptr).i64(n)
		return b.dv.launch("ember_index_select_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func (b *backend) IndexAdd(dst, src *tensor.Tensor, axis int, idx []int) {
	n := src.Size()
	if n == 0 {
		return
	}
	b.run("IndexAdd", func() error {
		ib, err := b.uploadIndex(idx)
		if err != nil {
			return err
		}
		defer b.dv.alloc.put(ib)
		ld := rawLayout(src.Shape(), dst.Strides(), dst.Offset())
		ls := rawLayout(src.Shape(), src.Strides(), src.Offset())
		a := new(kargs).ptr(bufOf(dst).ptr).layout(ld).ptr(bufOf(src).ptr).layout(ls).i32(axis).ptr(ib.ptr).i64(n)
		return b.dv.launch("ember_index_add_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}
