package gemm

import "fmt"

// PackedA is alpha·op(A) packed once for many products with different
// right-hand sides: a convolution's filters, multiplied with the columns of
// every sample, are packed once per call instead of once per sample.
type PackedA[T Float] struct {
	kern *kernel[T]
	m, k int
	data []T
}

func activeKernel[T Float]() *kernel[T] {
	ks := active.Load()
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&ks.s).(*kernel[T])
	}
	return any(&ks.d).(*kernel[T])
}

// PackA packs alpha·op(A), an m×k matrix (A is k×m when transA), for
// MulSerial. It returns nil when op(A) does not fit one cache block of the
// active micro-kernel (or is empty); callers then use Sgemm or Dgemm.
func PackA[T Float](transA bool, m, k int, alpha T, a []T, lda int) *PackedA[T] {
	kern := activeKernel[T]()
	if m <= 0 || k <= 0 || m > kern.mc || k > kern.kc {
		return nil
	}
	rows, cols := m, k
	if transA {
		rows, cols = k, m
	}
	if lda < max(1, cols) || len(a) < (rows-1)*lda+cols {
		panic(fmt.Sprintf("gemm: PackA of %d×%d (trans %v) with lda %d and %d values", m, k, transA, lda, len(a)))
	}
	p := &PackedA[T]{kern: kern, m: m, k: k, data: make([]T, roundUp(m, kern.mr)*k)}
	packA(transA, a, lda, 0, 0, m, k, kern.mr, alpha, p.data)
	return p
}

// MulSerial sets C = P·op(B) + beta·C on the calling goroutine, where P is
// the packed m×k matrix, op(B) is k×n and C is m×n with row stride ldc. The
// result is bitwise that of SgemmSerial or DgemmSerial on the same operands.
func (p *PackedA[T]) MulSerial(transB bool, n int, b []T, ldb int, beta T, c []T, ldc int) {
	m, k, kern := p.m, p.k, p.kern
	rows, cols := k, n
	if transB {
		rows, cols = n, k
	}
	if n < 0 || ldb < max(1, cols) || ldc < max(1, n) || (n > 0 && (len(b) < (rows-1)*ldb+cols || len(c) < (m-1)*ldc+n)) {
		panic(fmt.Sprintf("gemm: MulSerial of %d×%d by op(B) %d×%d (trans %v, ldb %d, %d values) into %d values with ldc %d",
			m, k, k, n, transB, ldb, len(b), len(c), ldc))
	}
	if n == 0 {
		return
	}
	nr := kern.nr
	nc := min(kern.nc, roundUp(n, nr), max(nr, roundUp(smallMPanel/k, nr)))
	buf, pool := getBuffers[T]()
	buf.b = grow(buf.b, nc*k)
	buf.tile = grow(buf.tile, kern.mr*nr)
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		packB(transB, b, ldb, 0, jc, k, nb, nr, buf.b)
		macro(kern, k, m, 0, nb, p.data, buf.b, beta, c[jc:], ldc, buf.tile)
	}
	pool.Put(buf)
}
