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

// serial runs the blocked algorithm on the calling goroutine.
func serial[T Float](kern *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr := kern.mr, kern.nr
	mc := min(kern.mc, roundUp(m, mr))
	kc := min(kern.kc, k)
	nc := min(kern.nc, roundUp(n, nr))

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
			for p := 0; p < kb; p++ {
				src := a[(pc+p)*lda+ic+ir:]
				src = src[:mrr]
				row := d[p*mr : p*mr+mr]
				for i, v := range src {
					row[i] = alpha * v
				}
				clear(row[mrr:])
			}
			continue
		}
		// Four rows at a time: four sequential read streams, and each p
		// writes four adjacent values.
		i := 0
		for ; i+4 <= mrr; i += 4 {
			base := (ic+ir+i)*lda + pc
			r0 := a[base:][:kb]
			r1 := a[base+lda:][:kb]
			r2 := a[base+2*lda:][:kb]
			r3 := a[base+3*lda:][:kb]
			dd := d[i:]
			if alpha == 1 {
				for p := 0; p < kb; p++ {
					q := dd[p*mr:][:4]
					q[0], q[1], q[2], q[3] = r0[p], r1[p], r2[p], r3[p]
				}
				continue
			}
			for p := 0; p < kb; p++ {
				q := dd[p*mr:][:4]
				q[0], q[1], q[2], q[3] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p]
			}
		}
		for ; i < mrr; i++ {
			src := a[(ic+ir+i)*lda+pc:]
			src = src[:kb]
			for p, v := range src {
				d[p*mr+i] = alpha * v
			}
		}
		if mrr < mr {
			for p := 0; p < kb; p++ {
				clear(d[p*mr+mrr : p*mr+mr])
			}
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
		if !trans {
			for p := 0; p < kb; p++ {
				row := d[p*nr : p*nr+nr]
				copy(row, b[(pc+p)*ldb+jc+jr:][:nrr])
				if nrr < nr {
					clear(row[nrr:])
				}
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p]: each column j is a contiguous run of p.
		for j := 0; j < nrr; j++ {
			src := b[(jc+jr+j)*ldb+pc:]
			src = src[:kb]
			for p, v := range src {
				d[p*nr+j] = v
			}
		}
		if nrr < nr {
			for p := 0; p < kb; p++ {
				clear(d[p*nr+nrr : p*nr+nr])
			}
		}
	}
}
