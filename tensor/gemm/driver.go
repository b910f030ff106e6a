package gemm

import (
	"sync"

	"github.com/ember-ml/ember/internal/parallel"
)

// Float is the set of element types the kernels handle.
type Float interface {
	~float32 | ~float64
}

// microKernel computes the mr×nr tile C = A·B + beta·C from a packed A
// micro-panel (k steps of mr values) and a packed B micro-panel (k steps of
// nr values); C has row stride ldc. Only the first rows rows of C are read
// and written, and, when the kernel has maskCols, only the first cols
// columns (otherwise cols must be nr). When beta is zero C is only written.
type microKernel[T Float] func(k int, a, b, c *T, ldc int, beta T, rows, cols int)

// kernel is one micro-kernel with its register tile and cache blocking.
type kernel[T Float] struct {
	mr, nr     int  // register tile
	mc, kc, nc int  // cache blocks; mc is a multiple of mr, nc of nr
	maskCols   bool // fn handles cols < nr itself
	fn         microKernel[T]
}

// buffers holds one goroutine's packing space.
type buffers[T Float] struct {
	a, b, tile []T
}

var (
	poolS = sync.Pool{New: func() any { return new(buffers[float32]) }}
	poolD = sync.Pool{New: func() any { return new(buffers[float64]) }}
)

func getBuffers[T Float]() (*buffers[T], *sync.Pool) {
	var zero T
	var p *sync.Pool
	switch any(zero).(type) {
	case float32:
		p = &poolS
	default:
		p = &poolD
	}
	return p.Get().(*buffers[T]), p
}

func grow[T Float](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	// Round up so that kernels with different blockings share the buffer.
	return make([]T, n, n+n/4)
}

// smallMPanel is the number of elements of a packed B panel when A fits
// in one block (about 512 KiB of float32).
const smallMPanel = 1 << 17

// serial runs the blocked algorithm on the calling goroutine.
func serial[T Float](kern *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr := kern.mr, kern.nr
	mc := min(kern.mc, roundUp(m, mr))
	kc := min(kern.kc, k)
	nc := min(kern.nc, roundUp(n, nr))
	if m <= mc {
		// One block of A: each packed panel of B is used once, right after
		// packing, so keep it small enough to stay in L2 between the two.
		nc = min(nc, max(nr, roundUp(smallMPanel/kc, nr)))
	}

	buf, pool := getBuffers[T]()
	buf.a = grow(buf.a, mc*kc)
	buf.b = grow(buf.b, nc*kc)
	buf.tile = grow(buf.tile, mr*nr)

	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(transB, b, ldb, pc, jc, kb, nb, nr, buf.b)
			bt := beta
			if pc > 0 {
				bt = 1
			}
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				packA(transA, a, lda, ic, pc, mb, kb, mr, alpha, buf.a)
				macro(kern, kb, mb, 0, nb, buf.a, buf.b, bt, c[ic*ldc+jc:], ldc, buf.tile)
			}
		}
	}
	pool.Put(buf)
}

// macro multiplies a packed mb×kb block of A by columns [j0, j1) of a
// packed kb×nb panel of B into C, whose top-left element is c[0]. j0 is a
// multiple of nr.
func macro[T Float](kern *kernel[T], kb, mb, j0, j1 int, ap, bp []T, beta T, c []T, ldc int, tile []T) {
	mr, nr, fn := kern.mr, kern.nr, kern.fn
	for jr := j0; jr < j1; jr += nr {
		nrr := min(nr, j1-jr)
		bpan := &bp[jr*kb]
		for ir := 0; ir < mb; ir += mr {
			mrr := min(mr, mb-ir)
			apan := &ap[ir*kb]
			off := ir*ldc + jr
			if nrr == nr || kern.maskCols {
				fn(kb, apan, bpan, &c[off], ldc, beta, mrr, nrr)
				continue
			}
			fn(kb, apan, bpan, &tile[0], nr, 0, mr, nr)
			mergeTile(tile, nr, mrr, nrr, beta, c[off:], ldc)
		}
	}
}

// parallelGemm runs the blocked algorithm on up to threads workers. For
// each kc×nc panel of B, the workers first pack it together into one
// shared buffer, then multiply chunks of rows × columns of C, each packing
// its own rows of A. Chunks are aligned to the mr×nr tile grid and are
// handed out dynamically, so a late worker only means less help; which
// worker computes a tile never changes its value.
func parallelGemm[T Float](kern *kernel[T], threads int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr := kern.mr, kern.nr
	kc := min(kern.kc, k)
	nc := min(kern.nc, roundUp(n, nr))

	// Row chunks: about three per thread, at most mc rows.
	rowChunk := min(kern.mc, max(mr, roundUp((m+3*threads-1)/(3*threads), mr)))
	rowChunks := (m + rowChunk - 1) / rowChunk

	shared, pool := getBuffers[T]()
	shared.b = grow(shared.b, nc*kc)
	bp := shared.b

	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		npan := (nb + nr - 1) / nr
		// Column chunks when there are too few row chunks to go round.
		colChunks := 1
		if rowChunks < 3*threads {
			colChunks = min(npan, (3*threads+rowChunks-1)/rowChunks)
		}
		colChunk := (npan + colChunks - 1) / colChunks * nr
		colChunks = (nb + colChunk - 1) / colChunk
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			bt := beta
			if pc > 0 {
				bt = 1
			}
			grain := max(1, (npan+2*threads-1)/(2*threads))
			parallel.For(npan, grain, func(lo, hi int) {
				j0 := lo * nr
				packB(transB, b, ldb, pc, jc+j0, kb, min(nb, hi*nr)-j0, nr, bp[j0*kb:])
			})
			parallel.For(rowChunks*colChunks, 1, func(lo, hi int) {
				buf, pool := getBuffers[T]()
				buf.a = grow(buf.a, rowChunk*kb)
				buf.tile = grow(buf.tile, mr*nr)
				for ch := lo; ch < hi; ch++ {
					ri, ci := ch/colChunks, ch%colChunks
					i0 := ri * rowChunk
					mb := min(rowChunk, m-i0)
					j0 := ci * colChunk
					j1 := min(nb, j0+colChunk)
					packA(transA, a, lda, i0, pc, mb, kb, mr, alpha, buf.a)
					macro(kern, kb, mb, j0, j1, buf.a, bp, bt, c[i0*ldc+jc:], ldc, buf.tile)
				}
				pool.Put(buf)
			})
		}
	}
	pool.Put(shared)
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// mergeTile writes the top-left mrr×nrr part of an edge tile into C.
func mergeTile[T Float](tile []T, nr, mrr, nrr int, beta T, c []T, ldc int) {
	for i := 0; i < mrr; i++ {
		src := tile[i*nr : i*nr+nrr]
		dst := c[i*ldc : i*ldc+nrr]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}

// packA packs the mb×kb block of alpha·op(A) at (ic, pc) into micro-panels
// of mr rows: panel r holds, for each p, the mr values of rows
// r*mr..r*mr+mr-1 at column p, zero-padded past mb.
func packA[T Float](trans bool, a []T, lda, ic, pc, mb, kb, mr int, alpha T, dst []T) {
	for ir := 0; ir < mb; ir += mr {
		mrr := min(mr, mb-ir)
		d := dst[ir*kb : ir*kb+kb*mr]
		if trans {
			// op(A)[i][p] = a[p*lda+i]: each p is a contiguous run of rows.
			runs(d, mr, mrr, a, lda, pc*lda+ic+ir, kb, alpha)
		} else {
			interleave(d, mr, mrr, a, lda, (ic+ir)*lda+pc, kb, alpha)
		}
	}
}

// packB packs the kb×nb block of op(B) at (pc, jc) into micro-panels of nr
// columns: panel j holds, for each p, the nr values of row p at columns
// j*nr..j*nr+nr-1, zero-padded past nb.
func packB[T Float](trans bool, b []T, ldb, pc, jc, kb, nb, nr int, dst []T) {
	for jr := 0; jr < nb; jr += nr {
		nrr := min(nr, nb-jr)
		d := dst[jr*kb : jr*kb+kb*nr]
		if trans {
			// op(B)[p][j] = b[j*ldb+p]: each column j is a contiguous run of p.
			interleave(d, nr, nrr, b, ldb, (jc+jr)*ldb+pc, kb, 1)
		} else {
			runs(d, nr, nrr, b, ldb, pc*ldb+jc+jr, kb, 1)
		}
	}
}

// runs sets d[p*w+i] = alpha*src[off+p*ld+i] for p < kb, i < cnt, and zero
// for cnt <= i < w: kb contiguous runs of cnt values.
func runs[T Float](d []T, w, cnt int, src []T, ld, off, kb int, alpha T) {
	if cnt == w && alpha == 1 {
		// Fixed-size copies compile to a few vector moves.
		switch w {
		case 32:
			for p := 0; p < kb; p++ {
				*(*[32]T)(d[p*32:]) = *(*[32]T)(src[off+p*ld:])
			}
			return
		case 16:
			for p := 0; p < kb; p++ {
				*(*[16]T)(d[p*16:]) = *(*[16]T)(src[off+p*ld:])
			}
			return
		case 8:
			for p := 0; p < kb; p++ {
				*(*[8]T)(d[p*8:]) = *(*[8]T)(src[off+p*ld:])
			}
			return
		}
	}
	for p := 0; p < kb; p++ {
		row := d[p*w : p*w+w]
		s := src[off+p*ld:][:cnt]
		if alpha == 1 {
			copy(row, s)
		} else {
			for i, v := range s {
				row[i] = alpha * v
			}
		}
		clear(row[cnt:])
	}
}

// interleave sets d[p*w+i] = alpha*src[off+i*ld+p] for i < cnt, p < kb,
// and zero for cnt <= i < w: it interleaves cnt rows of src.
func interleave[T Float](d []T, w, cnt int, src []T, ld, off, kb int, alpha T) {
	if interleaveAsm(d, w, cnt, src, ld, off, kb, alpha) {
		return
	}
	interleaveGo(d, w, cnt, src, ld, off, kb, alpha)
}

// interleaveGo is interleave in Go.
func interleaveGo[T Float](d []T, w, cnt int, src []T, ld, off, kb int, alpha T) {
	// Blocks of pb steps keep the written part of d in L1 while groups of
	// four rows are read as four sequential streams.
	const pb = 128
	for p0 := 0; p0 < kb; p0 += pb {
		p1 := min(kb, p0+pb)
		i := 0
		for ; i+4 <= cnt; i += 4 {
			base := off + i*ld
			r0 := src[base:][:p1]
			r1 := src[base+ld:][:p1]
			r2 := src[base+2*ld:][:p1]
			r3 := src[base+3*ld:][:p1]
			dd := d[i:]
			if alpha == 1 {
				for p := p0; p < p1; p++ {
					q := dd[p*w:][:4]
					q[0], q[1], q[2], q[3] = r0[p], r1[p], r2[p], r3[p]
				}
				continue
			}
			for p := p0; p < p1; p++ {
				q := dd[p*w:][:4]
				q[0], q[1], q[2], q[3] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p]
			}
		}
		for ; i < cnt; i++ {
			r := src[off+i*ld:][:p1]
			for p := p0; p < p1; p++ {
				d[p*w+i] = alpha * r[p]
			}
		}
		if cnt < w {
			for p := p0; p < p1; p++ {
				clear(d[p*w+cnt : p*w+w])
			}
		}
	}
}
