package tensor

import (
	"fmt"
	"math"

	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor/gemm"
)

// cpu is the always-present CPU backend.
type cpu struct{}

var cpuBackend Backend = cpu{}

// CPUBackend returns the CPU backend (for conformance tests and benchmarks).
func CPUBackend() Backend { return cpuBackend }

func (cpu) Name() string                  { return "cpu" }
func (cpu) Device() Device                { return CPU }
func (cpu) Alloc(DType, int) DeviceMemory { panic("tensor: the CPU backend allocates Go slices") }
func (cpu) Free(DeviceMemory)             {}
func (c cpu) Upload(dst, src *Tensor)     { c.Copy(dst, src) }
func (c cpu) Download(dst, src *Tensor)   { c.Copy(dst, src) }

// data returns the typed storage of t.
func data[T float](t *Tensor) []T {
	var z T
	switch any(z).(type) {
	case float32:
		return any(t.st.f32).([]T)
	default:
		return any(t.st.f64).([]T)
	}
}

func (cpu) Fill(dst *Tensor, v float64) {
	if dst.dtype == Float32 {
		fillT(dst, float32(v))
	} else {
		fillT(dst, v)
	}
}

func fillT[T float](dst *Tensor, v T) {
	d := data[T](dst)[dst.offset : dst.offset+dst.Size()]
	parallel.For(len(d), elemGrain*4, func(lo, hi int) {
		s := d[lo:hi]
		for i := range s {
			s[i] = v
		}
	})
}

// viaContiguous runs fn into a contiguous temporary and copies it into the
// strided CPU tensor dst; the kernels write rows of dst contiguously, so
// callers with a strided destination (IndexSelect, IndexAdd on an inner
// axis) go through it.
func viaContiguous(dst *Tensor, fn func(tmp *Tensor)) {
	tmp := newCPU(dst.dtype, append([]int(nil), dst.shape...), false)
	fn(tmp)
	copyStrided(dst, tmp)
}

func (c cpu) Copy(dst, src *Tensor) {
	if !dst.IsContiguous() {
		viaContiguous(dst, func(tmp *Tensor) { c.Copy(tmp, src) })
		return
	}
	switch {
	case dst.dtype == Float32 && src.dtype == Float32:
		copyT[float32, float32](dst, src)
	case dst.dtype == Float64 && src.dtype == Float64:
		copyT[float64, float64](dst, src)
	case dst.dtype == Float32:
		copyT[float32, float64](dst, src)
	default:
		copyT[float64, float32](dst, src)
	}
}

func copyT[D, S float](dst, src *Tensor) {
	d, s := data[D](dst), data[S](src)
	if cs, cst := collapse(dst.shape, dst.strides, src.strides); len(cs) == 2 && cst[1][0] == 1 && cst[1][1] != 1 && cs[0] >= 16 && cs[1] >= 16 {
		// A transpose: copy 32×32 tiles so that both sides stay in cache.
		copyTransposed(d[dst.offset:], s[src.offset:], cs[0], cs[1], cst[1][1])
		return
	}
	forRows(dst.shape, []int{dst.offset, src.offset}, [][]int{dst.strides, src.strides}, func(n int, offs, incs []int) {
		dd := d[offs[0] : offs[0]+n]
		so, si := offs[1], incs[1]
		if si == 1 {
			for i, x := range s[so : so+n] {
				dd[i] = D(x)
			}
			return
		}
		for i := range dd {
			dd[i] = D(s[so+i*si])
		}
	})
}

// copyTransposed sets d[i*cols+j] = s[i+j*sj] for i < rows, j < cols.
func copyTransposed[D, S float](d []D, s []S, rows, cols, sj int) {
	const tile = 16
	parallel.For((rows+tile-1)/tile, max(1, elemGrain/(tile*cols)), func(lo, hi int) {
		for i0 := lo * tile; i0 < min(rows, hi*tile); i0 += tile {
			i1 := min(rows, i0+tile)
			if d32, ok := any(d).([]float32); ok {
				if s32, ok := any(s).([]float32); ok && transposeF32(d32[i0*cols:], cols, s32[i0:], sj, i1-i0, cols) {
					continue
				}
			}
			for j0 := 0; j0 < cols; j0 += tile {
				j1 := min(cols, j0+tile)
				for j := j0; j < j1; j++ {
					col := s[i0+j*sj : i1+j*sj]
					for k, v := range col {
						d[(i0+k)*cols+j] = D(v)
					}
				}
			}
		}
	})
}

func (c cpu) Unary(op UnaryOp, dst, src *Tensor, p0, p1 float64) {
	if !dst.IsContiguous() {
		viaContiguous(dst, func(tmp *Tensor) { c.Unary(op, tmp, src, p0, p1) })
		return
	}
	if dst.dtype == Float32 {
		unaryT[float32](op, dst, src, p0, p1)
	} else {
		unaryT[float64](op, dst, src, p0, p1)
	}
}

func unaryT[T float](op UnaryOp, dst, src *Tensor, p0, p1 float64) {
	d, s := data[T](dst), data[T](src)
	forRows(dst.shape, []int{dst.offset, src.offset}, [][]int{dst.strides, src.strides}, func(n int, offs, incs []int) {
		unaryRow(op, d[offs[0]:offs[0]+n], s[offs[1]:], incs[1], p0, p1)
	})
}

func (c cpu) Binary(op BinaryOp, dst, a, b *Tensor) {
	if !dst.IsContiguous() {
		viaContiguous(dst, func(tmp *Tensor) { c.Binary(op, tmp, a, b) })
		return
	}
	if dst.dtype == Float32 {
		binaryT[float32](op, dst, a, b)
	} else {
		binaryT[float64](op, dst, a, b)
	}
}

func binaryT[T float](op BinaryOp, dst, a, b *Tensor) {
	d, x, y := data[T](dst), data[T](a), data[T](b)
	forRows(dst.shape, []int{dst.offset, a.offset, b.offset}, [][]int{dst.strides, a.strides, b.strides}, func(n int, offs, incs []int) {
		binaryRow(op, d[offs[0]:offs[0]+n], x[offs[1]:], incs[1], y[offs[2]:], incs[2])
	})
}

func (cpu) Where(dst, cond, a, b *Tensor) {
	if dst.dtype == Float32 {
		whereT[float32](dst, cond, a, b)
	} else {
		whereT[float64](dst, cond, a, b)
	}
}

func whereT[T float](dst, cond, a, b *Tensor) {
	d, x, y := data[T](dst), data[T](a), data[T](b)
	cf := cond.Float64s() // small cost; conditions are rarely hot
	cc := FromFloat64(cf, cond.shape...)
	c := cc.st.f64
	forRows(dst.shape, []int{dst.offset, 0, a.offset, b.offset}, [][]int{dst.strides, cc.strides, a.strides, b.strides}, func(n int, offs, incs []int) {
		for i := 0; i < n; i++ {
			if c[offs[1]+i*incs[1]] != 0 {
				d[offs[0]+i] = x[offs[2]+i*incs[2]]
			} else {
				d[offs[0]+i] = y[offs[3]+i*incs[3]]
			}
		}
	})
}

func (cpu) Reduce(op ReduceOp, dst, src *Tensor, mask []bool) {
	if dst.dtype == Float32 {
		reduceT[float32](op, dst, src, mask)
	} else {
		reduceT[float64](op, dst, src, mask)
	}
}

func reduceInit(op ReduceOp) float64 {
	switch op {
	case ReduceMax, ReduceArgMax:
		return math.Inf(-1)
	case ReduceMin, ReduceArgMin:
		return math.Inf(1)
	case ReduceProd:
		return 1
	}
	return 0
}

func reduceT[T float](op ReduceOp, dst, src *Tensor, mask []bool) {
	// Split src's dimensions into kept (outer) and reduced (inner).
	var kShape, kStride, rShape, rStride []int
	for i, d := range src.shape {
		if mask[i] {
			rShape = append(rShape, d)
			rStride = append(rStride, src.strides[i])
		} else {
			kShape = append(kShape, d)
			kStride = append(kStride, src.strides[i])
		}
	}
	d := data[T](dst)[dst.offset : dst.offset+dst.Size()]
	s := data[T](src)
	nOut := len(d)
	nRed := shapeSize(rShape)
	if nOut == 0 {
		return
	}
	if nRed == 0 {
		fillT(dst, T(reduceInit(op)))
		if op == ReduceArgMax || op == ReduceArgMin {
			fillT(dst, T(0))
		}
		return
	}
	rs, rst := collapse(rShape, rStride)
	lastReduced := len(src.shape) > 0 && mask[len(src.shape)-1]
	kOffsets := offsetsOf(kShape, kStride)
	isArg := op == ReduceArgMax || op == ReduceArgMin
	if len(rs) == 1 && rst[0][0] == 1 {
		// Each output reduces a contiguous run of nRed elements.
		if nOut == 1 && nRed > 2*reduceChunk && !isArg {
			// One long run: partial results of fixed chunks, combined in
			// chunk order, so the result does not depend on the workers.
			base := src.offset + kOffsets[0]
			parts := (nRed + reduceChunk - 1) / reduceChunk
			partial := make([]float64, parts)
			parallel.For(parts, 1, func(lo, hi int) {
				for p := lo; p < hi; p++ {
					partial[p] = reduceContig(op, s[base+p*reduceChunk:base+min(nRed, (p+1)*reduceChunk)])
				}
			})
			acc := partial[0]
			for _, v := range partial[1:] {
				acc = combine(op, acc, v)
			}
			d[0] = T(acc)
			return
		}
		parallel.For(nOut, max(1, elemGrain/nRed), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				base := src.offset + kOffsets[o]
				d[o] = T(reduceContig(op, s[base:base+nRed]))
			}
		})
		return
	}
	rOffsets := offsetsOf(rs, rst[0])
	if !lastReduced && !isArg && nOut > 1 {
		if ks, kst := collapse(kShape, kStride); len(ks) == 1 && kst[0][0] == 1 {
			// The kept elements are contiguous: add whole rows of src into
			// rows of accumulators.
			parallel.For(nOut, max(256, elemGrain/nRed), func(lo, hi int) {
				acc := make([]float64, hi-lo)
				init := reduceInit(op)
				for i := range acc {
					acc[i] = init
				}
				r := 0
				if op == ReduceSum {
					// Four rows a pass: a quarter of the loads and stores
					// of the accumulators.
					for ; r+4 <= len(rOffsets); r += 4 {
						row := func(k int) []T { return s[src.offset+rOffsets[r+k]+kOffsets[0]+lo:][:hi-lo] }
						sum4Rows(acc, row(0), row(1), row(2), row(3))
					}
				}
				for _, ro := range rOffsets[r:] {
					accumulateRow(op, acc, s[src.offset+ro+kOffsets[0]+lo:][:hi-lo])
				}
				for i, v := range acc {
					d[lo+i] = T(v)
				}
			})
			return
		}
	}
	if lastReduced || isArg || nOut == 1 {
		// One output at a time, reducing a (mostly) contiguous run.
		grain := max(1, elemGrain/nRed)
		parallel.For(nOut, grain, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				base := src.offset + kOffsets[o]
				d[o] = T(reduceOne(op, s, base, rOffsets))
			}
		})
		return
	}
	// Reduced axes outside the innermost: accumulate whole rows of outputs,
	// which walks src contiguously.
	grain := max(1, elemGrain/nRed)
	parallel.For(nOut, grain, func(lo, hi int) {
		acc := make([]float64, hi-lo)
		init := reduceInit(op)
		for i := range acc {
			acc[i] = init
		}
		for _, ro := range rOffsets {
			base := src.offset + ro
			for o := lo; o < hi; o++ {
				v := float64(s[base+kOffsets[o]])
				a := &acc[o-lo]
				switch op {
				case ReduceSum:
					*a += v
				case ReduceProd:
					*a *= v
				case ReduceMax:
					if v > *a || v != v {
						*a = v
					}
				case ReduceMin:
					if v < *a || v != v {
						*a = v
					}
				}
			}
		}
		for o := lo; o < hi; o++ {
			d[o] = T(acc[o-lo])
		}
	})
}

// sumBlock is the number of float32 elements the SIMD sum adds in float32
// before moving the partial sum to float64.
const sumBlock = 2048

// reduceChunk is the number of elements one partial result of a long
// reduction covers.
const reduceChunk = 1 << 16

// combine merges two partial results of op (not the arg reductions).
func combine(op ReduceOp, a, b float64) float64 {
	switch op {
	case ReduceSum:
		return a + b
	case ReduceProd:
		return a * b
	case ReduceMax:
		if a != a || b > a || b != b {
			return b
		}
		return a
	case ReduceMin:
		if a != a || b < a || b != b {
			return b
		}
		return a
	}
	panic(fmt.Sprintf("tensor: combine of reduction %d", op))
}

// sum4Rows adds (r0 + r1) + (r2 + r3) into acc elementwise, in float64
// (AVX2 for float32).
func sum4Rows[T float](acc []float64, r0, r1, r2, r3 []T) {
	i := 0
	if a, ok := any(r0).([]float32); ok {
		i = accSum4F32(acc, a, any(r1).([]float32), any(r2).([]float32), any(r3).([]float32))
	}
	r0, r1, r2, r3 = r0[:len(acc)], r1[:len(acc)], r2[:len(acc)], r3[:len(acc)]
	for ; i < len(acc); i++ {
		acc[i] += (float64(r0[i]) + float64(r1[i])) + (float64(r2[i]) + float64(r3[i]))
	}
}

// accumulateRow folds row into acc elementwise with op.
func accumulateRow[T float](op ReduceOp, acc []float64, row []T) {
	row = row[:len(acc)]
	switch op {
	case ReduceSum:
		if r32, ok := any(row).([]float32); ok && accSumF32(acc, r32) {
			return
		}
		for i, v := range row {
			acc[i] += float64(v)
		}
	case ReduceProd:
		for i, v := range row {
			acc[i] *= float64(v)
		}
	case ReduceMax:
		for i, v := range row {
			if x := float64(v); x > acc[i] || x != x {
				acc[i] = x
			}
		}
	case ReduceMin:
		for i, v := range row {
			if x := float64(v); x < acc[i] || x != x {
				acc[i] = x
			}
		}
	}
}

// reduceContig reduces a contiguous run (non-empty for the arg
// reductions).
func reduceContig[T float](op ReduceOp, s []T) float64 {
	switch op {
	case ReduceSum:
		if x, ok := any(s).([]float32); ok && len(x) >= 32 {
			if v, ok := sumF32(x); ok {
				return v
			}
		}
		// Four accumulators break the dependency chain of the adds.
		var a0, a1, a2, a3 float64
		i := 0
		for ; i+4 <= len(s); i += 4 {
			q := s[i : i+4 : i+4]
			a0 += float64(q[0])
			a1 += float64(q[1])
			a2 += float64(q[2])
			a3 += float64(q[3])
		}
		for ; i < len(s); i++ {
			a0 += float64(s[i])
		}
		return (a0 + a1) + (a2 + a3)
	case ReduceProd:
		acc := 1.0
		for _, v := range s {
			acc *= float64(v)
		}
		return acc
	case ReduceMax:
		if x, ok := any(s).([]float32); ok {
			if m, ok := maxMinF32(x, false); ok {
				return m
			}
		}
		acc := T(math.Inf(-1))
		for _, v := range s {
			if v > acc {
				acc = v
			} else if v != v {
				return float64(v)
			}
		}
		return float64(acc)
	case ReduceMin:
		if x, ok := any(s).([]float32); ok {
			if m, ok := maxMinF32(x, true); ok {
				return m
			}
		}
		acc := T(math.Inf(1))
		for _, v := range s {
			if v < acc {
				acc = v
			} else if v != v {
				return float64(v)
			}
		}
		return float64(acc)
	case ReduceArgMax:
		bi := 0
		best := s[0]
		for i, v := range s {
			if v > best {
				best, bi = v, i
			} else if v != v {
				return float64(i)
			}
		}
		if best != best {
			return 0
		}
		return float64(bi)
	case ReduceArgMin:
		bi := 0
		best := s[0]
		for i, v := range s {
			if v < best {
				best, bi = v, i
			} else if v != v {
				return float64(i)
			}
		}
		if best != best {
			return 0
		}
		return float64(bi)
	}
	panic(fmt.Sprintf("tensor: unknown reduction %d", op))
}

// offsetsOf lists the storage offsets of every index of shape (row-major).
func offsetsOf(shape, strides []int) []int {
	n := shapeSize(shape)
	out := make([]int, 0, n)
	if n == 0 {
		return out
	}
	idx := make([]int, len(shape))
	off := 0
	for {
		out = append(out, off)
		d := len(shape) - 1
		for ; d >= 0; d-- {
			idx[d]++
			off += strides[d]
			if idx[d] < shape[d] {
				break
			}
			off -= idx[d] * strides[d]
			idx[d] = 0
		}
		if d < 0 {
			return out
		}
	}
}

func reduceOne[T float](op ReduceOp, s []T, base int, offs []int) float64 {
	switch op {
	case ReduceSum:
		var acc float64
		for _, o := range offs {
			acc += float64(s[base+o])
		}
		return acc
	case ReduceProd:
		acc := 1.0
		for _, o := range offs {
			acc *= float64(s[base+o])
		}
		return acc
	case ReduceMax:
		acc := math.Inf(-1)
		for _, o := range offs {
			v := float64(s[base+o])
			if v > acc || v != v {
				acc = v
				if v != v {
					return v
				}
			}
		}
		return acc
	case ReduceMin:
		acc := math.Inf(1)
		for _, o := range offs {
			v := float64(s[base+o])
			if v < acc || v != v {
				acc = v
				if v != v {
					return v
				}
			}
		}
		return acc
	case ReduceArgMax:
		best, bi := math.Inf(-1), 0
		for i, o := range offs {
			v := float64(s[base+o])
			if v != v {
				return float64(i)
			}
			if v > best {
				best, bi = v, i
			}
		}
		return float64(bi)
	case ReduceArgMin:
		best, bi := math.Inf(1), 0
		for i, o := range offs {
			v := float64(s[base+o])
			if v != v {
				return float64(i)
			}
			if v < best {
				best, bi = v, i
			}
		}
		return float64(bi)
	}
	panic(fmt.Sprintf("tensor: unknown reduction %d", op))
}

func (cpu) MatMul(dst, a, b *Tensor) {
	nd := len(dst.shape)
	m, n := dst.shape[nd-2], dst.shape[nd-1]
	k := a.shape[nd-1]
	batch := shapeSize(dst.shape[:nd-2])
	aOff := offsetsOf(a.shape[:nd-2], a.strides[:nd-2])
	bOff := offsetsOf(b.shape[:nd-2], b.strides[:nd-2])
	ta, lda, a2 := gemmOperand(a)
	tb, ldb, b2 := gemmOperand(b)
	if a2 != a {
		aOff = offsetsOf(a2.shape[:nd-2], a2.strides[:nd-2])
	}
	if b2 != b {
		bOff = offsetsOf(b2.shape[:nd-2], b2.strides[:nd-2])
	}
	if dst.dtype == Float32 {
		matmulT(dst, a2, b2, batch, m, n, k, ta, tb, lda, ldb, aOff, bOff, gemm.Sgemm, gemm.SgemmSerial)
	} else {
		matmulT(dst, a2, b2, batch, m, n, k, ta, tb, lda, ldb, aOff, bOff, gemm.Dgemm, gemm.DgemmSerial)
	}
}

type gemmFunc[T float] func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

func matmulT[T float](dst, a, b *Tensor, batch, m, n, k int, ta, tb bool, lda, ldb int, aOff, bOff []int, par, ser gemmFunc[T]) {
	d, x, y := data[T](dst), data[T](a), data[T](b)
	if m*n == 0 {
		return
	}
	if k == 0 {
		clear(d[dst.offset : dst.offset+dst.Size()])
		return
	}
	mat := m * n
	if batch == 1 || m*n*k >= 1<<18 {
		for i := 0; i < batch; i++ {
			par(ta, tb, m, n, k, 1, x[a.offset+aOff[i]:], lda, y[b.offset+bOff[i]:], ldb, 0, d[dst.offset+i*mat:], n)
		}
		return
	}
	parallel.For(batch, max(1, (1<<16)/max(1, m*n*k)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ser(ta, tb, m, n, k, 1, x[a.offset+aOff[i]:], lda, y[b.offset+bOff[i]:], ldb, 0, d[dst.offset+i*mat:], n)
		}
	})
}

// gemmOperand describes the last two dimensions of t as a BLAS operand:
// row-major (trans false) or column-major (trans true) with a leading
// dimension, copying t when its inner strides fit neither.
func gemmOperand(t *Tensor) (trans bool, ld int, u *Tensor) {
	nd := len(t.shape)
	r, c := t.shape[nd-2], t.shape[nd-1]
	sr, sc := t.strides[nd-2], t.strides[nd-1]
	switch {
	case sc == 1 || c == 1:
		if r == 1 || sr >= max(c, 1) {
			return false, max(sr, c, 1), t
		}
	case sr == 1 || r == 1:
		if c == 1 || sc >= max(r, 1) {
			return true, max(sc, r, 1), t
		}
	}
	u = t.Clone()
	return false, max(c, 1), u
}

func (cpu) Softmax(dst, src *Tensor, axis int, log bool) {
	if dst.dtype == Float32 {
		softmaxT[float32](dst, src, axis, log)
	} else {
		softmaxT[float64](dst, src, axis, log)
	}
}

func softmaxT[T float](dst, src *Tensor, axis int, log bool) {
	n := src.shape[axis]
	// Rows: every index with axis fixed to 0.
	oShape := append([]int(nil), src.shape...)
	oShape[axis] = 1
	sOff := offsetsOf(oShape, src.strides)
	dOff := offsetsOf(oShape, dst.strides)
	ss, ds := src.strides[axis], dst.strides[axis]
	s, d := data[T](src), data[T](dst)
	parallel.For(len(sOff), max(1, elemGrain/max(n, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			so, do := src.offset+sOff[r], dst.offset+dOff[r]
			if s32, ok := any(s).([]float32); ok && ss == 1 && ds == 1 {
				softmaxRow32(any(d).([]float32)[do:do+n], s32[so:so+n], log)
				continue
			}
			mx := math.Inf(-1)
			for i := 0; i < n; i++ {
				mx = math.Max(mx, float64(s[so+i*ss]))
			}
			var sum float64
			for i := 0; i < n; i++ {
				e := math.Exp(float64(s[so+i*ss]) - mx)
				sum += e
				if !log {
					d[do+i*ds] = T(e)
				}
			}
			if log {
				lse := mx + math.Log(sum)
				for i := 0; i < n; i++ {
					d[do+i*ds] = T(float64(s[so+i*ss]) - lse)
				}
			} else {
				inv := 1 / sum
				for i := 0; i < n; i++ {
					d[do+i*ds] = T(float64(d[do+i*ds]) * inv)
				}
			}
		}
	})
}

// softmaxRow32 is the contiguous float32 softmax (or log-softmax) of row
// into out, with float32 exponentials and a float64 sum.
func softmaxRow32(out, row []float32, log bool) {
	if len(row) == 0 {
		return
	}
	var mx float32
	if m, ok := maxMinF32(row, false); ok {
		mx = float32(m)
	} else {
		mx = float32(math.Inf(-1))
		for _, v := range row {
			if v > mx {
				mx = v
			}
		}
	}
	if !affineF32(out, row, 1, -mx) {
		for i, v := range row {
			out[i] = v - mx
		}
	}
	expF32(out, out)
	sum := reduceContig(ReduceSum, out)
	if log {
		lse := mx + float32(math.Log(sum))
		if !affineF32(out, row, 1, -lse) {
			for i, v := range row {
				out[i] = v - lse
			}
		}
		return
	}
	inv := float32(1 / sum)
	if !affineF32(out, out, inv, 0) {
		for i := range out {
			out[i] *= inv
		}
	}
}

func (cpu) IndexSelect(dst, src *Tensor, axis int, idx []int) {
	if dst.IsContiguous() && src.IsContiguous() {
		if dst.dtype == Float32 {
			indexBlocks[float32](dst, src, axis, idx, false)
		} else {
			indexBlocks[float64](dst, src, axis, idx, false)
		}
		return
	}
	for j, i := range idx {
		part := dst.Narrow(axis, j, 1)
		cpuBackend.Copy(part, src.Narrow(axis, i, 1))
	}
}

func (cpu) IndexAdd(dst, src *Tensor, axis int, idx []int) {
	if dst.IsContiguous() && src.IsContiguous() && dst.dtype == src.dtype {
		if dst.dtype == Float32 {
			indexBlocks[float32](dst, src, axis, idx, true)
		} else {
			indexBlocks[float64](dst, src, axis, idx, true)
		}
		return
	}
	for j, i := range idx {
		d := dst.Narrow(axis, i, 1)
		cpuBackend.Binary(OpAdd, d, d, src.Narrow(axis, j, 1))
	}
}

// indexBlocks is IndexSelect (add false: dst[.., j, ..] = src[.., idx[j],
// ..]) or IndexAdd (add true: dst[.., idx[j], ..] += src[.., j, ..]) on
// contiguous tensors, as copies of the contiguous blocks below axis. An
// IndexAdd with repeated indices adds them in order; it is serial over
// the indices, and parallel only over the leading dimensions.
func indexBlocks[T float](dst, src *Tensor, axis int, idx []int, add bool) {
	inner := 1
	for _, d := range dst.shape[axis+1:] {
		inner *= d
	}
	outer := 1
	for _, d := range dst.shape[:axis] {
		outer *= d
	}
	ds, ss := data[T](dst)[dst.offset:], data[T](src)[src.offset:]
	dn, sn := dst.shape[axis], src.shape[axis]
	if !add {
		parallel.For(outer*len(idx), max(1, elemGrain/max(inner, 1)), func(lo, hi int) {
			for k := lo; k < hi; k++ {
				o, j := k/len(idx), k%len(idx)
				d := ds[(o*dn+j)*inner:][:inner]
				copy(d, ss[(o*sn+idx[j])*inner:][:inner])
			}
		})
		return
	}
	parallel.For(outer, max(1, elemGrain/max(inner*len(idx), 1)), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			for j, i := range idx {
				d := ds[(o*dn+i)*inner:][:inner]
				for q, v := range ss[(o*sn+j)*inner:][:inner] {
					d[q] += v
				}
			}
		}
	})
}

// Bernoulli draws with SplitMix64 over (seed, index): the same mask on every
// device and for any number of workers.
func (cpu) Bernoulli(dst *Tensor, keep, scale float64, seed uint64) {
	n := dst.Size()
	thr := uint64(keep * (1 << 53))
	if dst.dtype == Float32 {
		d := dst.st.f32[dst.offset : dst.offset+n]
		s := float32(scale)
		parallel.For(n, elemGrain, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if Hash64(seed, uint64(i))>>11 < thr {
					d[i] = s
				} else {
					d[i] = 0
				}
			}
		})
		return
	}
	d := dst.st.f64[dst.offset : dst.offset+n]
	parallel.For(n, elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if Hash64(seed, uint64(i))>>11 < thr {
				d[i] = scale
			} else {
				d[i] = 0
			}
		}
	})
}

// Hash64 is the counter-based generator behind Bernoulli: SplitMix64's
// finaliser applied to seed and counter. Backends must use the same
// function so that masks agree across devices.
func Hash64(seed, counter uint64) uint64 {
	z := seed + (counter+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
