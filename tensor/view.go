package tensor

import (
	"fmt"
	"slices"
)

func (t *Tensor) view(shape, strides []int, offset int) *Tensor {
	return &Tensor{dtype: t.dtype, shape: shape, strides: strides, offset: offset, st: t.st}
}

// Reshape returns a tensor with the same elements in row-major order and a
// new shape; one dimension may be -1 and is inferred. It is a view when t is
// contiguous and a copy otherwise.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = slices.Clone(shape)
	infer := -1
	known := 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("tensor: Reshape %v to %v: bad dimension", t.shape, shape))
		default:
			known *= d
		}
	}
	probe := slices.Clone(shape)
	if infer >= 0 {
		probe[infer] = 1
	}
	if _, err := ShapeSize(probe); err != nil {
		panic(fmt.Sprintf("tensor: Reshape %v to %v: %v", t.shape, shape, err))
	}
	n := t.Size()
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			panic(fmt.Sprintf("tensor: Reshape %v (%d elements) to %v", t.shape, n, shape))
		}
		shape[infer] = n / known
	} else if known != n {
		panic(fmt.Sprintf("tensor: Reshape %v (%d elements) to %v (%d elements)", t.shape, n, shape, known))
	}
	src := t
	if !t.IsContiguous() {
		src = t.Contiguous()
	}
	return src.view(shape, contiguousStrides(shape), src.offset)
}

// Flatten reshapes to two dimensions, keeping the first: [N, rest].
func (t *Tensor) Flatten() *Tensor {
	if len(t.shape) == 0 {
		return t.Reshape(1, 1)
	}
	return t.Reshape(t.shape[0], -1)
}

// Permute returns a view with the dimensions reordered: dimension i of the
// result is dimension axes[i] of t.
func (t *Tensor) Permute(axes ...int) *Tensor {
	if len(axes) != len(t.shape) {
		panic(fmt.Sprintf("tensor: Permute %v with axes %v", t.shape, axes))
	}
	seen := make([]bool, len(axes))
	shape := make([]int, len(axes))
	strides := make([]int, len(axes))
	for i, a := range axes {
		a = normAxis("Permute", a, len(t.shape))
		if seen[a] {
			panic(fmt.Sprintf("tensor: Permute %v with repeated axis in %v", t.shape, axes))
		}
		seen[a] = true
		shape[i], strides[i] = t.shape[a], t.strides[a]
	}
	return t.view(shape, strides, t.offset)
}

// Transpose returns a view with dimensions a and b swapped.
func (t *Tensor) Transpose(a, b int) *Tensor {
	a = normAxis("Transpose", a, len(t.shape))
	b = normAxis("Transpose", b, len(t.shape))
	shape, strides := slices.Clone(t.shape), slices.Clone(t.strides)
	shape[a], shape[b] = shape[b], shape[a]
	strides[a], strides[b] = strides[b], strides[a]
	return t.view(shape, strides, t.offset)
}

// T returns the transpose of the last two dimensions (a view).
func (t *Tensor) T() *Tensor {
	if len(t.shape) < 2 {
		panic(fmt.Sprintf("tensor: T on shape %v", t.shape))
	}
	return t.Transpose(-2, -1)
}

// Narrow returns the view of length elements of axis starting at start.
func (t *Tensor) Narrow(axis, start, length int) *Tensor {
	axis = normAxis("Narrow", axis, len(t.shape))
	if start < 0 || length < 0 || start+length > t.shape[axis] {
		panic(fmt.Sprintf("tensor: Narrow axis %d [%d, %d) of shape %v", axis, start, start+length, t.shape))
	}
	shape := slices.Clone(t.shape)
	shape[axis] = length
	return t.view(shape, slices.Clone(t.strides), t.offset+start*t.strides[axis])
}

// Slice returns the view t[start:stop:step] along axis (step > 0; negative
// start and stop count from the end, as in Python).
func (t *Tensor) Slice(axis, start, stop, step int) *Tensor {
	axis = normAxis("Slice", axis, len(t.shape))
	n := t.shape[axis]
	if step <= 0 {
		panic(fmt.Sprintf("tensor: Slice with step %d", step))
	}
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start, stop = max(0, min(start, n)), max(0, min(stop, n))
	length := 0
	if stop > start {
		length = (stop - start + step - 1) / step
	}
	shape, strides := slices.Clone(t.shape), slices.Clone(t.strides)
	shape[axis] = length
	strides[axis] *= step
	off := t.offset
	if length > 0 {
		off += start * t.strides[axis]
	}
	return t.view(shape, strides, off)
}

// Index returns the view t[i] (the first dimension removed).
func (t *Tensor) Index(i int) *Tensor {
	if len(t.shape) == 0 || i < 0 || i >= t.shape[0] {
		panic(fmt.Sprintf("tensor: Index %d of shape %v", i, t.shape))
	}
	return t.view(slices.Clone(t.shape[1:]), slices.Clone(t.strides[1:]), t.offset+i*t.strides[0])
}

// Squeeze removes the given axes, which must have size 1, or every axis of
// size 1 when none is given.
func (t *Tensor) Squeeze(axes ...int) *Tensor {
	drop := make([]bool, len(t.shape))
	if len(axes) == 0 {
		for i, d := range t.shape {
			drop[i] = d == 1
		}
	}
	for _, a := range axes {
		a = normAxis("Squeeze", a, len(t.shape))
		if t.shape[a] != 1 {
			panic(fmt.Sprintf("tensor: Squeeze axis %d of shape %v", a, t.shape))
		}
		drop[a] = true
	}
	var shape, strides []int
	for i := range t.shape {
		if !drop[i] {
			shape = append(shape, t.shape[i])
			strides = append(strides, t.strides[i])
		}
	}
	return t.view(shape, strides, t.offset)
}

// Unsqueeze inserts an axis of size 1 at position axis (which may be
// Dim(), or negative counting from Dim()+1).
func (t *Tensor) Unsqueeze(axis int) *Tensor {
	nd := len(t.shape) + 1
	if axis < 0 {
		axis += nd
	}
	if axis < 0 || axis >= nd {
		panic(fmt.Sprintf("tensor: Unsqueeze axis %d of shape %v", axis, t.shape))
	}
	st := 1
	if axis < len(t.shape) {
		st = t.strides[axis] * t.shape[axis]
	}
	shape := slices.Insert(slices.Clone(t.shape), axis, 1)
	strides := slices.Insert(slices.Clone(t.strides), axis, st)
	return t.view(shape, strides, t.offset)
}

// Expand returns a view broadcast to shape (NumPy rules: dimensions of size
// 1 stretch with stride 0, and new leading dimensions are added).
func (t *Tensor) Expand(shape ...int) *Tensor {
	if len(shape) < len(t.shape) {
		panic(fmt.Sprintf("tensor: Expand %v to %v", t.shape, shape))
	}
	checkShape("Expand", shape)
	lead := len(shape) - len(t.shape)
	strides := make([]int, len(shape))
	for i := range shape {
		if i < lead {
			continue
		}
		d := t.shape[i-lead]
		switch {
		case d == shape[i]:
			strides[i] = t.strides[i-lead]
		case d == 1:
			strides[i] = 0
		default:
			panic(fmt.Sprintf("tensor: Expand %v to %v", t.shape, shape))
		}
	}
	return t.view(slices.Clone(shape), strides, t.offset)
}

// BroadcastShapes returns the NumPy broadcast of the given shapes, or an
// error naming them when they are incompatible.
func BroadcastShapes(shapes ...[]int) ([]int, error) {
	nd := 0
	for _, s := range shapes {
		nd = max(nd, len(s))
	}
	out := make([]int, nd)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		lead := nd - len(s)
		for i, d := range s {
			o := out[lead+i]
			switch {
			case o == d || d == 1:
			case o == 1:
				out[lead+i] = d
			default:
				return nil, fmt.Errorf("shapes %v do not broadcast", shapes)
			}
		}
	}
	return out, nil
}

// Contiguous returns t when it is already contiguous with zero offset
// semantics not required, and a packed copy otherwise.
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() {
		return t
	}
	return t.Clone()
}

// Clone returns a contiguous copy on the same device.
func (t *Tensor) Clone() *Tensor {
	out := empty(t.st.dev, t.dtype, t.shape, false)
	t.st.dev.Backend().Copy(out, t)
	return out
}

// AsType returns t converted to dt (t itself when it already is dt).
func (t *Tensor) AsType(dt DType) *Tensor {
	if t.dtype == dt {
		return t
	}
	out := empty(t.st.dev, dt, t.shape, false)
	t.st.dev.Backend().Copy(out, t)
	return out
}

// Fill sets every element to v in place and returns t.
func (t *Tensor) Fill(v float64) *Tensor {
	if t.IsContiguous() {
		t.st.dev.Backend().Fill(t, v)
		return t
	}
	t.CopyFrom(Full(t.dtype, v).To(t.st.dev).Expand(t.shape...))
	return t
}

// CopyFrom copies src into t (same shape; src may be broadcastable to t's
// shape, and of either dtype) and returns t.
func (t *Tensor) CopyFrom(src *Tensor) *Tensor {
	b := sameDevice("CopyFrom", t, src)
	if !slices.Equal(src.shape, t.shape) {
		if _, err := BroadcastShapes(src.shape, t.shape); err != nil {
			panic(fmt.Sprintf("tensor: CopyFrom %v into %v", src.shape, t.shape))
		}
		src = src.Expand(t.shape...)
	}
	if t.IsContiguous() {
		b.Copy(t, src)
		return t
	}
	if t.st.dev.IsCPU() && t.dtype == src.dtype && t.st != src.st {
		copyStrided(t, src)
		return t
	}
	// Strided destination: go through a contiguous temporary.
	tmp := empty(t.st.dev, t.dtype, t.shape, false)
	b.Copy(tmp, src)
	if t.st.dev.IsCPU() {
		copyStrided(t, tmp)
	} else {
		copyIntoStrided(t, tmp)
	}
	return t
}

// copyIntoStrided copies the contiguous tensor src (t's shape and dtype)
// into the strided tensor t with the backend's kernels only, which write
// contiguous destinations: the span of storage t covers is rebuilt by one
// gather from [span; src] and copied back. It works on every device (the
// CPU uses copyStrided, which is cheaper).
func copyIntoStrided(t, src *Tensor) {
	n := t.Size()
	if n == 0 {
		return
	}
	span := 1
	for i, d := range t.shape {
		span += (d - 1) * t.strides[i]
	}
	u := t.view([]int{span}, []int{1}, t.offset)
	idx := make([]int, span)
	for j := range idx {
		idx[j] = j
	}
	k := 0
	t.each(func(off int) {
		idx[off-t.offset] = span + k
		k++
	})
	joined := Concat(0, u, src.Reshape(n))
	t.st.dev.Backend().Copy(u, IndexSelect(joined, 0, idx))
}

// copyStrided copies a CPU src (any strides; expanded dimensions too)
// into a strided CPU dst of the same shape and dtype and other storage.
func copyStrided(dst, src *Tensor) {
	dst.mustCPU("CopyFrom")
	if dst.dtype == Float32 {
		copyRows(data[float32](dst), data[float32](src), dst, src)
	} else {
		copyRows(data[float64](dst), data[float64](src), dst, src)
	}
}

// copyRows copies src into dst (same shape and dtype, any strides, storage
// d and s) a row at a time: one copy per row where both rows are
// contiguous, as when a part of a Concat fills a block of columns.
func copyRows[T float](d, s []T, dst, src *Tensor) {
	forRows(dst.shape, []int{dst.offset, src.offset}, [][]int{dst.strides, src.strides}, func(n int, offs, incs []int) {
		if incs[0] == 1 && incs[1] == 1 {
			copy(d[offs[0]:offs[0]+n], s[offs[1]:offs[1]+n])
			return
		}
		for i := 0; i < n; i++ {
			d[offs[0]+i*incs[0]] = s[offs[1]+i*incs[1]]
		}
	})
}

// Concat joins tensors of equal shape but for axis along axis.
func Concat(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Concat of no tensors")
	}
	first := ts[0]
	axis = normAxis("Concat", axis, len(first.shape))
	shape := slices.Clone(first.shape)
	shape[axis] = 0
	for _, t := range ts {
		if len(t.shape) != len(first.shape) || t.dtype != first.dtype {
			panic(fmt.Sprintf("tensor: Concat %v with %v (%v, %v)", first.shape, t.shape, first.dtype, t.dtype))
		}
		for i := range t.shape {
			if i != axis && t.shape[i] != first.shape[i] {
				panic(fmt.Sprintf("tensor: Concat %v with %v along axis %d", first.shape, t.shape, axis))
			}
		}
		shape[axis] += t.shape[axis]
	}
	b := sameDevice("Concat", ts...)
	out := empty(first.st.dev, first.dtype, shape, false)
	at := 0
	for _, t := range ts {
		part := out.Narrow(axis, at, t.shape[axis])
		if part.IsContiguous() {
			b.Copy(part, t)
		} else {
			part.CopyFrom(t)
		}
		at += t.shape[axis]
	}
	return out
}

// Stack joins tensors of equal shape along a new axis.
func Stack(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Stack of no tensors")
	}
	us := make([]*Tensor, len(ts))
	for i, t := range ts {
		if !slices.Equal(t.shape, ts[0].shape) {
			panic(fmt.Sprintf("tensor: Stack %v with %v", ts[0].shape, t.shape))
		}
		us[i] = t.Unsqueeze(axis)
	}
	return Concat(axis, us...)
}

func normAxis(op string, a, nd int) int {
	if a < 0 {
		a += nd
	}
	if a < 0 || a >= nd {
		panic(fmt.Sprintf("tensor: %s axis %d out of range for %d dimensions", op, a, nd))
	}
	return a
}
