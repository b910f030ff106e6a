// Package gemm holds ember's general matrix multiply kernels on row-major
// float32 and float64 slices, in the BLAS calling convention.
//
// The implementation follows the GotoBLAS/BLIS structure: op(B) is packed
// into kc×nc panels, op(A) into mc×kc blocks (with alpha folded in), and a
// register-blocked mr×nr micro-kernel multiplies packed micro-panels. The
// micro-kernels are written in Go assembly for AVX-512 and AVX2+FMA and
// chosen at run time from the CPU's features; a pure-Go kernel is used
// everywhere else and under the build tag noasm.
//
// The multi-threaded entry points pack each panel of B once, together, and
// hand out chunks of C aligned to the micro-tile grid; every element of C
// is computed by one thread with the same k blocking and the same kernel,
// so the result is bitwise identical whatever the number of threads.
package gemm

import (
	"fmt"
	"sync/atomic"

	"github.com/ember-ml/ember/internal/parallel"
)

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where
// op(X) is X, or Xᵀ when the matching trans flag is set. op(A) is m×k, op(B)
// is k×n and C is m×n; lda, ldb and ldc are the row strides of A, B and C as
// stored. When beta is zero C is not read (NaNs in it do not propagate).
// Large problems run on the worker pool of internal/parallel.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ks := active.Load()
	run(&ks.s, true, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ks := active.Load()
	run(&ks.d, true, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmSerial is Sgemm on the calling goroutine only, for callers that
// already run in parallel.
func SgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ks := active.Load()
	run(&ks.s, false, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// DgemmSerial is Dgemm on the calling goroutine only.
func DgemmSerial(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ks := active.Load()
	run(&ks.d, false, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// kernelSet is one named micro-kernel family for both element types.
type kernelSet struct {
	name string
	s    kernel[float32]
	d    kernel[float64]
}

var (
	// available lists the kernel sets this machine can run, best first;
	// the last is always the generic one.
	available []*kernelSet
	active    atomic.Pointer[kernelSet]
	threadCap atomic.Int64
)

func init() {
	available = append(asmKernels(), genericKernels())
	active.Store(available[0])
}

// Kernel returns the name of the micro-kernel in use: "avx512", "avx2" or
// "generic".
func Kernel() string { return active.Load().name }

// Tile returns the micro-tile of the kernel in use, for float32 (double
// false) or float64: a product computes C in blocks of mr rows and nr
// columns, so a C whose sides are not multiples of these wastes part of
// the kernel's work. Callers free to choose between C and Cᵀ can use it.
func Tile(double bool) (mr, nr int) {
	ks := active.Load()
	if double {
		return ks.d.mr, ks.d.nr
	}
	return ks.s.mr, ks.s.nr
}

// Kernels returns the names of the micro-kernels this machine can run, the
// fastest first. "generic" is always among them.
func Kernels() []string {
	names := make([]string, len(available))
	for i, ks := range available {
		names[i] = ks.name
	}
	return names
}

// UseKernel makes the named micro-kernel the one used by every later call,
// and returns a function that restores the previous one. It returns an error
// when the machine cannot run that kernel. It is meant for tests and
// benchmarks; calls running concurrently may use either kernel.
func UseKernel(name string) (restore func(), err error) {
	for _, ks := range available {
		if ks.name == name {
			old := active.Swap(ks)
			return func() { active.Store(old) }, nil
		}
	}
	return nil, fmt.Errorf("gemm: kernel %q not available on this machine (have %v)", name, Kernels())
}

// SetThreads caps the number of threads the multi-threaded entry points use
// and returns the previous cap; n <= 0 means as many as the worker pool has
// (GOMAXPROCS). It is meant for benchmarks.
func SetThreads(n int) (old int) {
	if n < 0 {
		n = 0
	}
	return int(threadCap.Swap(int64(n)))
}

// threads returns the number of threads a parallel call may use.
func threads() int {
	w := parallel.Workers()
	if c := int(threadCap.Load()); c > 0 && c < w {
		return c
	}
	return w
}

// minWorkPerThread is the m*n*k volume below which a problem is not worth
// splitting further (about 0.1 ms of work on one core).
const minWorkPerThread = 128 * 128 * 128

func run[T Float](kern *kernel[T], par bool, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	check(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	parts := 1
	if par {
		work := int64(m) * int64(n) * int64(k)
		parts = int(min(int64(threads()), max(1, work/minWorkPerThread)))
	}
	if parts <= 1 {
		serial(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	parallelGemm(kern, parts, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func scaleC[T Float](m, n int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		if beta == 1 {
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// check panics when the dimensions or the slices are inconsistent.
func check(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	checkMat("A", transA, m, n, k, ra, ca, la, lda)
	checkMat("B", transB, m, n, k, rb, cb, lb, ldb)
	checkMat("C", false, m, n, k, m, n, lc, ldc)
}

func checkMat(name string, trans bool, m, n, k, rows, cols, l, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: ld%s=%d < %d columns of %s (%d×%d stored, trans=%v) for m=%d n=%d k=%d",
			lower(name), ld, cols, name, rows, cols, trans, m, n, k))
	}
	if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: len(%s)=%d < %d needed for %d×%d with ld=%d (trans=%v) for m=%d n=%d k=%d",
			lower(name), l, (rows-1)*ld+cols, rows, cols, ld, trans, m, n, k))
	}
}

func lower(s string) string {
	switch s {
	case "A":
		return "a"
	case "B":
		return "b"
	}
	return "c"
}
