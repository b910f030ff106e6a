//go:build linux || darwin || freebsd

package openblas

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ebitengine/purego"
)

// Lib is a loaded OpenBLAS. Its methods are safe for concurrent use.
type Lib struct {
	// Path is the name the library was opened by.
	Path string

	sgemm      func(order, ta, tb, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)
	dgemm      func(order, ta, tb, m, n, k int32, alpha float64, a *float64, lda int32, b *float64, ldb int32, beta float64, c *float64, ldc int32)
	setThreads func(n int32)
	getThreads func() int32
	getConfig  func() string
}

// Open loads OpenBLAS, trying libopenblas.so.0, libopenblas.so, common
// install paths and libblas.so.3 in turn. It returns an error wrapping
// ErrNotFound, naming what was tried, when none provides cblas_sgemm.
func Open() (*Lib, error) {
	var errs []string
	for _, name := range candidates {
		h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		l, err := load(h, name)
		if err != nil {
			errs = append(errs, name+": "+err.Error())
			_ = purego.Dlclose(h)
			continue
		}
		return l, nil
	}
	return nil, fmt.Errorf("%w (tried %s)", ErrNotFound, strings.Join(errs, "; "))
}

func load(h uintptr, name string) (l *Lib, err error) {
	for _, sym := range []string{"cblas_sgemm", "cblas_dgemm"} {
		if _, err := purego.Dlsym(h, sym); err != nil {
			return nil, errors.New("no " + sym)
		}
	}
	l = &Lib{Path: name}
	purego.RegisterLibFunc(&l.sgemm, h, "cblas_sgemm")
	purego.RegisterLibFunc(&l.dgemm, h, "cblas_dgemm")
	if _, err := purego.Dlsym(h, "openblas_set_num_threads"); err == nil {
		purego.RegisterLibFunc(&l.setThreads, h, "openblas_set_num_threads")
	}
	if _, err := purego.Dlsym(h, "openblas_get_num_threads"); err == nil {
		purego.RegisterLibFunc(&l.getThreads, h, "openblas_get_num_threads")
	}
	if _, err := purego.Dlsym(h, "openblas_get_config"); err == nil {
		purego.RegisterLibFunc(&l.getConfig, h, "openblas_get_config")
	}
	return l, nil
}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C on row-major float32
// matrices with cblas_sgemm, with the same arguments as gemm.Sgemm.
func (l *Lib) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkDims(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	l.sgemm(cblasRowMajor, trans(transA), trans(transB), int32(m), int32(n), int32(k), alpha, ptr(a), int32(lda), ptr(b), int32(ldb), beta, ptr(c), int32(ldc))
}

// Dgemm is Sgemm for float64, with cblas_dgemm.
func (l *Lib) Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkDims(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	l.dgemm(cblasRowMajor, trans(transA), trans(transB), int32(m), int32(n), int32(k), alpha, ptr(a), int32(lda), ptr(b), int32(ldb), beta, ptr(c), int32(ldc))
}

// SetThreads sets the number of threads OpenBLAS uses, with
// openblas_set_num_threads. It does nothing when the library is a BLAS
// without that call.
func (l *Lib) SetThreads(n int) {
	if l.setThreads != nil {
		l.setThreads(int32(n))
	}
}

// Threads reports the number of threads OpenBLAS uses, or 0 when unknown.
func (l *Lib) Threads() int {
	if l.getThreads == nil {
		return 0
	}
	return int(l.getThreads())
}

// Config returns OpenBLAS's build description (openblas_get_config), or ""
// when the library does not provide it.
func (l *Lib) Config() string {
	if l.getConfig == nil {
		return ""
	}
	return strings.TrimSpace(l.getConfig())
}
