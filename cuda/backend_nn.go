package cuda

import (
	"fmt"

	"github.com/ember-ml/ember/tensor"
)

// matDesc says how the last two dimensions (rows×cols) of a view with
// strides s0 (between rows) and s1 (between columns) reach GEMM: row-major
// with leading dimension ld, or transposed (column-major) with ld. ok is
// false when neither fits (the operand is then copied).
func matDesc(rows, cols, s0, s1 int) (trans bool, ld int, ok bool) {
	if (cols == 1 || s1 == 1) && (rows == 1 || s0 >= max(cols, 1)) {
		if rows == 1 {
			return false, max(cols, 1), true
		}
		return false, s0, true
	}
	if (rows == 1 || s0 == 1) && (cols == 1 || s1 >= max(rows, 1)) {
		if cols == 1 {
			return true, max(rows, 1), true
		}
		return true, s1, true
	}
	return false, 0, false
}

// batchStride returns the single stride that steps through the batch
// dimensions (all but the last two) of a view in row-major batch order, or
// ok=false when they are not evenly spaced.
func batchStride(shape, strides []int) (stride int, ok bool) {
	nb := len(shape) - 2
	stride, inner := 0, 0 // inner: elements per step of the dimension last seen
	seen := false
	for i := nb - 1; i >= 0; i-- {
		if shape[i] == 1 {
			continue
		}
		if !seen {
			stride, inner, seen = strides[i], shape[i], true
			continue
		}
		if strides[i] != stride*inner {
			return 0, false
		}
		inner *= shape[i]
	}
	return stride, true
}

// gemmOperand resolves one MatMul operand: its address, transposition,
// leading dimension and batch stride, copying it to contiguous scratch when
// its strides do not fit (context current). release frees the copy.
func (b *backend) gemmOperand(t *tensor.Tensor) (p uintptr, trans bool, ld, bs int, release func(), err error) {
	sh, st := t.Shape(), t.Strides()
	r := len(sh)
	rows, cols := sh[r-2], sh[r-1]
	trans, ld, ok := matDesc(rows, cols, st[r-2], st[r-1])
	bs, ok2 := batchStride(sh, st)
	if ok && ok2 {
		return addr(t), trans, ld, bs, func() {}, nil
	}
	p, release, err = b.contig(t)
	if err != nil {
		return 0, false, 0, 0, nil, err
	}
	return p, false, max(cols, 1), rows * cols, release, nil
}

func (b *backend) MatMul(dst, x, y *tensor.Tensor) {
	ds := dst.Shape()
	r := len(ds)
	m, n := ds[r-2], ds[r-1]
	k := x.Shape()[r-1]
	batch := 1
	for _, v := range ds[:r-2] {
		batch *= v
	}
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	if k == 0 {
		b.Fill(dst, 0)
		return
	}
	b.run("MatMul", func() error {
		pa, ta, lda, sa, ra, err := b.gemmOperand(x)
		if err != nil {
			return err
		}
		defer ra()
		pb, tb, ldb, sb, rb, err := b.gemmOperand(y)
		if err != nil {
			return err
		}
		defer rb()
		if batch == 1 {
			sa, sb = 0, 0
		}
		return b.dv.gemm(gemmCall{f32: isF32(dst), ta: ta, tb: tb, m: m, n: n, k: k, alpha: 1, beta: 0,
			a: pa, lda: lda, sa: sa, b: pb, ldb: ldb, sb: sb, c: addr(dst), ldc: n, sc: m * n, batch: batch})
	})
}

// convShapeOf gathers the geometry of a convolution or pooling window over
// x[N,C,H,W] with output OH×OW.
func convShapeOf(xs []int, oh, ow int, p tensor.ConvParams) convShape {
	return convShape{n: xs[0], c: xs[1], h: xs[2], w: xs[3], oh: oh, ow: ow, kh: p.KH, kw: p.KW,
		sh: max(p.StrideH, 1), sw: max(p.StrideW, 1), pt: p.PadTop, pl: p.PadLeft,
		dh: max(p.DilationH, 1), dw: max(p.DilationW, 1)}
}

// colBudget bounds the scratch space of a convolution (the im2col columns
// and the output or gradient reordered for one GEMM), in bytes; batches are
// processed in chunks of images that fit.
const colBudget = 256 << 20

// chunkImages returns how many images' scratch of perImage elements fits
// the budget (at least 1).
func chunkImages(n, perImage, esize int) int {
	per := max(perImage*esize, 1)
	return max(1, min(n, colBudget/per))
}

// permuteRaw copies the [a][b][rest] block at src into [b][a][rest] order at
// dst (contiguous, type dt); the context is current.
func (b *backend) permuteRaw(dst, src uintptr, dt tensor.DType, na, nb, rest int) error {
	n := na * nb * rest
	if n == 0 {
		return nil
	}
	// dst index (j, i, r) reads src (i, j, r).
	l := mergeLayout([]int{nb, na, rest}, []int{rest, nb * rest, 1}, 0)
	a := new(kargs).ptr(dst).layout(contiguousLayout(n)).ptr(src).layout(l).i64(n)
	sf := sfx(dt)
	return b.dv.launch("ember_copy_"+sf+"_"+sf, gridFor(n), 1, 1, blockSize, 1, a)
}

// convScratch allocates the columns [CKK][chunk*OHW] and the reordered
// output/gradient [F][chunk*OHW] for chunks of images.
func (b *backend) convScratch(dt tensor.DType, s convShape, f int) (chunk int, col, y *Buffer, err error) {
	ckk, ohw := s.c*s.kh*s.kw, s.oh*s.ow
	chunk = chunkImages(s.n, (ckk+f)*ohw, dt.Size())
	if col, err = b.tmp(dt, chunk*ckk*ohw); err != nil {
		return 0, nil, nil, err
	}
	if y, err = b.tmp(dt, chunk*f*ohw); err != nil {
		b.dv.alloc.put(col)
		return 0, nil, nil, err
	}
	return chunk, col, y, nil
}

// convChunks runs body over chunks of the samples of a convolution pass,
// with the operands a and c made contiguous on the device (pointers pa,
// pc) and convScratch's column and output buffers; n0 is the chunk's first
// sample and cs the shape with the chunk's sample count.
func (b *backend) convChunks(dt tensor.DType, s convShape, f int, a, c *tensor.Tensor, body func(pa, pc uintptr, col, y *Buffer, n0 int, cs convShape) error) error {
	pa, ra, err := b.contig(a)
	if err != nil {
		return err
	}
	defer ra()
	pc, rc, err := b.contig(c)
	if err != nil {
		return err
	}
	defer rc()
	chunk, col, y, err := b.convScratch(dt, s, f)
	if err != nil {
		return err
	}
	defer b.dv.alloc.put(col)
	defer b.dv.alloc.put(y)
	for n0 := 0; n0 < s.n; n0 += chunk {
		cs := s
		cs.n = min(chunk, s.n-n0)
		if err := body(pa, pc, col, y, n0, cs); err != nil {
			return err
		}
	}
	return nil
}

func (b *backend) Conv2D(dst, x, w *tensor.Tensor, p tensor.ConvParams) {
	ds := dst.Shape()
	s := convShapeOf(x.Shape(), ds[2], ds[3], p)
	f := ds[1]
	ckk, ohw := s.c*s.kh*s.kw, s.oh*s.ow
	if dst.Size() == 0 {
		return
	}
	if ckk == 0 {
		b.Fill(dst, 0)
		return
	}
	dt := dst.DType()
	b.run("Conv2D", func() error {
		es := dt.Size()
		return b.convChunks(dt, s, f, x, w, func(px, pw uintptr, col, y *Buffer, n0 int, cs convShape) error {
			cols := cs.n * ohw
			xo := px + uintptr(n0*s.c*s.h*s.w*es)
			if err := b.dv.launch("ember_im2col_"+sfx(dt), gridFor(ckk*cols), 1, 1, blockSize, 1, new(kargs).ptr(col.ptr).ptr(xo).conv(cs)); err != nil {
				return err
			}
			// y[F, n*OHW] = W[F, CKK] · col[CKK, n*OHW], then y -> dst[n, F, OHW].
			err := b.dv.gemm(gemmCall{f32: isF32(dst), m: f, n: cols, k: ckk, alpha: 1,
				a: pw, lda: ckk, b: col.ptr, ldb: cols, c: y.ptr, ldc: cols, batch: 1})
			if err != nil {
				return err
			}
			return b.permuteRaw(addr(dst)+uintptr(n0*f*ohw*es), y.ptr, dt, f, cs.n, ohw)
		})
	})
}

func (b *backend) Conv2DBackwardData(dx, dy, w *tensor.Tensor, p tensor.ConvParams) {
	dys := dy.Shape()
	s := convShapeOf(dx.Shape(), dys[2], dys[3], p)
	f := dys[1]
	ckk, ohw := s.c*s.kh*s.kw, s.oh*s.ow
	if dx.Size() == 0 {
		return
	}
	if ckk == 0 || ohw == 0 || f == 0 {
		b.Fill(dx, 0)
		return
	}
	dt := dx.DType()
	b.run("Conv2DBackwardData", func() error {
		es := dt.Size()
		return b.convChunks(dt, s, f, dy, w, func(pdy, pw uintptr, col, y *Buffer, n0 int, cs convShape) error {
			cols := cs.n * ohw
			// y[F, n*OHW] <- dy[n, F, OHW]; col[CKK, n*OHW] = Wᵀ · y; col2im.
			if err := b.permuteRaw(y.ptr, pdy+uintptr(n0*f*ohw*es), dt, cs.n, f, ohw); err != nil {
				return err
			}
			err := b.dv.gemm(gemmCall{f32: isF32(dx), ta: true, m: ckk, n: cols, k: f, alpha: 1,
				a: pw, lda: ckk, b: y.ptr, ldb: cols, c: col.ptr, ldc: cols, batch: 1})
			if err != nil {
				return err
			}
			tot := cs.n * s.c * s.h * s.w
			xo := addr(dx) + uintptr(n0*s.c*s.h*s.w*es)
			return b.dv.launch("ember_col2im_"+sfx(dt), gridFor(tot), 1, 1, blockSize, 1, new(kargs).ptr(xo).ptr(col.ptr).conv(cs))
		})
	})
}

func (b *backend) Conv2DBackwardFilter(dw, x, dy *tensor.Tensor, p tensor.ConvParams) {
	dys := dy.Shape()
	s := convShapeOf(x.Shape(), dys[2], dys[3], p)
	f := dys[1]
	ckk, ohw := s.c*s.kh*s.kw, s.oh*s.ow
	if dw.Size() == 0 {
		return
	}
	if s.n == 0 || ohw == 0 {
		b.Fill(dw, 0)
		return
	}
	dt := dw.DType()
	b.run("Conv2DBackwardFilter", func() error {
		es := dt.Size()
		beta := 0.0
		return b.convChunks(dt, s, f, x, dy, func(px, pdy uintptr, col, y *Buffer, n0 int, cs convShape) error {
			cols := cs.n * ohw
			xo := px + uintptr(n0*s.c*s.h*s.w*es)
			if err := b.dv.launch("ember_im2col_"+sfx(dt), gridFor(ckk*cols), 1, 1, blockSize, 1, new(kargs).ptr(col.ptr).ptr(xo).conv(cs)); err != nil {
				return err
			}
			if err := b.permuteRaw(y.ptr, pdy+uintptr(n0*f*ohw*es), dt, cs.n, f, ohw); err != nil {
				return err
			}
			// dw[F, CKK] (+)= y[F, n*OHW] · colᵀ[n*OHW, CKK]
			err := b.dv.gemm(gemmCall{f32: isF32(dw), tb: true, m: f, n: ckk, k: cols, alpha: 1, beta: beta,
				a: y.ptr, lda: cols, b: col.ptr, ldb: cols, c: addr(dw), ldc: ckk, batch: 1})
			beta = 1
			return err
		})
	})
}

func (b *backend) pool(op string, dst, x *tensor.Tensor, p tensor.ConvParams, isMax bool) {
	if dst.Size() == 0 {
		return
	}
	ds := dst.Shape()
	s := convShapeOf(x.Shape(), ds[2], ds[3], p)
	b.run(op, func() error {
		px, rx, err := b.contig(x)
		if err != nil {
			return err
		}
		defer rx()
		n := dst.Size()
		a := new(kargs).ptr(addr(dst)).ptr(px).conv(s).i32(b2i(isMax))
		return b.dv.launch("ember_pool_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func (b *backend) MaxPool2D(dst, x *tensor.Tensor, p tensor.ConvParams) {
	b.pool("MaxPool2D", dst, x, p, true)
}

func (b *backend) AvgPool2D(dst, x *tensor.Tensor, p tensor.ConvParams) {
	b.pool("AvgPool2D", dst, x, p, false)
}

func (b *backend) poolBackward(op string, dx, dy, x *tensor.Tensor, p tensor.ConvParams, isMax bool) {
	if dx.Size() == 0 {
		return
	}
	dys := dy.Shape()
	s := convShapeOf(dx.Shape(), dys[2], dys[3], p)
	b.run(op, func() error {
		pdy, rdy, err := b.contig(dy)
		if err != nil {
			return err
		}
		defer rdy()
		var px uintptr
		if isMax {
			var rx func()
			px, rx, err = b.contig(x)
			if err != nil {
				return err
			}
			defer rx()
		}
		n := dx.Size()
		a := new(kargs).ptr(addr(dx)).ptr(pdy).ptr(px).conv(s).i32(b2i(isMax))
		return b.dv.launch("ember_pool_bwd_"+sfx(dx.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func (b *backend) MaxPool2DBackward(dx, dy, x *tensor.Tensor, p tensor.ConvParams) {
	b.poolBackward("MaxPool2DBackward", dx, dy, x, p, true)
}

func (b *backend) AvgPool2DBackward(dx, dy *tensor.Tensor, p tensor.ConvParams) {
	b.poolBackward("AvgPool2DBackward", dx, dy, nil, p, false)
}

// bernoulliThreshold is the 53-bit threshold the CPU backend compares
// Hash64(seed, i)>>11 with.
func bernoulliThreshold(keep float64) uint64 { return uint64(keep * (1 << 53)) }

func (b *backend) Bernoulli(dst *tensor.Tensor, keep, scale float64, seed uint64) {
	n := dst.Size()
	if n == 0 {
		return
	}
	b.run("Bernoulli", func() error {
		a := new(kargs).ptr(addr(dst)).i64(n).u64(seed).u64(bernoulliThreshold(keep)).real(isF32(dst), scale)
		return b.dv.launch("ember_bernoulli_"+sfx(dst.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

// optimizer runs one fused update kernel over param's elements; grad is
// made contiguous first.
func (b *backend) optimizer(op string, param, grad *tensor.Tensor, build func(a *kargs, g uintptr)) {
	n := param.Size()
	if n == 0 {
		return
	}
	if !param.IsContiguous() {
		panic(fmt.Sprintf("cuda: %s on a non-contiguous parameter is not implemented on cuda", op))
	}
	b.run(op, func() error {
		pg, rg, err := b.contig(grad)
		if err != nil {
			return err
		}
		defer rg()
		a := new(kargs)
		build(a, pg)
		return b.dv.launch("ember_"+op+"_"+sfx(param.DType()), gridFor(n), 1, 1, blockSize, 1, a)
	})
}

func (b *backend) SGDStep(param, grad, vel *tensor.Tensor, h tensor.OptimizerStep) {
	f := isF32(param)
	var pv uintptr
	if vel != nil && h.Beta1 != 0 {
		pv = addr(vel)
	} else {
		h.Beta1 = 0
	}
	b.optimizer("sgd", param, grad, func(a *kargs, g uintptr) {
		a.ptr(addr(param)).ptr(g).ptr(pv).i64(param.Size()).real(f, h.LR).real(f, h.Beta1).real(f, h.WeightDecay).i32(b2i(h.Nesterov))
	})
}

func (b *backend) AdamStep(param, grad, m, v *tensor.Tensor, h tensor.OptimizerStep) {
	f := isF32(param)
	c := adamConsts(h)
	b.optimizer("adam", param, grad, func(a *kargs, g uintptr) {
		a.ptr(addr(param)).ptr(g).ptr(addr(m)).ptr(addr(v)).i64(param.Size()).real(f, h.Beta1).real(f, h.Beta2).
			real(f, c.stepSize).real(f, c.invSqrtBC2).real(f, h.Eps).real(f, h.WeightDecay).real(f, c.decay).i32(b2i(h.Decoupled))
	})
}

func (b *backend) RMSpropStep(param, grad, sq, mom *tensor.Tensor, h tensor.OptimizerStep) {
	f := isF32(param)
	var pm uintptr
	if mom != nil && h.Beta1 != 0 {
		pm = addr(mom)
	} else {
		h.Beta1 = 0
	}
	b.optimizer("rmsprop", param, grad, func(a *kargs, g uintptr) {
		a.ptr(addr(param)).ptr(g).ptr(addr(sq)).ptr(pm).i64(param.Size()).real(f, h.LR).real(f, h.Beta2).
			real(f, h.Eps).real(f, h.WeightDecay).real(f, h.Beta1)
	})
}

func (b *backend) AdagradStep(param, grad, sum *tensor.Tensor, h tensor.OptimizerStep) {
	f := isF32(param)
	b.optimizer("adagrad", param, grad, func(a *kargs, g uintptr) {
		a.ptr(addr(param)).ptr(g).ptr(addr(sum)).i64(param.Size()).real(f, h.LR).real(f, h.Eps).real(f, h.WeightDecay)
	})
}
