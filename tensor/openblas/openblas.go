// Package openblas calls OpenBLAS's GEMM, loaded at run time with purego: no
// cgo, no C headers, and no link-time dependency. It exists so that ember's
// own GEMM (package tensor/gemm) can be compared with OpenBLAS in one
// process, and chosen instead of it where OpenBLAS is installed. Open
// returns an error on a machine without the library.
package openblas

import (
	"errors"
	"fmt"
)

// Library names tried by Open, in order.
var candidates = []string{
	"libopenblas.so.0",
	"libopenblas.so",
	"/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
	"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
	"/usr/lib64/libopenblas.so.0",
	"/usr/local/lib/libopenblas.so.0",
	"/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
	"/usr/local/opt/openblas/lib/libopenblas.dylib",
	"libblas.so.3",
}

// ErrNotFound is returned (wrapped) by Open when no usable library is found.
var ErrNotFound = errors.New("openblas: library not found")

// CBLAS enumerations (cblas.h).
const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

func trans(t bool) int32 {
	if t {
		return cblasTrans
	}
	return cblasNoTrans
}

// checkDims panics, as gemm does, when the slices cannot hold the matrices.
func checkDims(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("openblas: gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	for _, x := range []struct {
		name              string
		rows, cols, l, ld int
	}{{"a", ra, ca, la, lda}, {"b", rb, cb, lb, ldb}, {"c", m, n, lc, ldc}} {
		if x.ld < max(1, x.cols) || (x.rows > 0 && x.cols > 0 && x.l < (x.rows-1)*x.ld+x.cols) {
			panic(fmt.Sprintf("openblas: gemm: %s is %d×%d with ld=%d but len=%d (m=%d n=%d k=%d)", x.name, x.rows, x.cols, x.ld, x.l, m, n, k))
		}
		if x.ld > 1<<31-1 || x.rows > 1<<31-1 {
			panic(fmt.Sprintf("openblas: gemm: %s dimensions exceed 32-bit BLAS integers (m=%d n=%d k=%d)", x.name, m, n, k))
		}
	}
}

func ptr[T any](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}
