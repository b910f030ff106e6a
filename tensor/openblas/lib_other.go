//go:build !(linux || darwin || freebsd)

package openblas

import "errors"

// Lib is a loaded OpenBLAS; on this platform it cannot be loaded.
type Lib struct {
	// Path is the name the library was opened by.
	Path string
}

// Open returns an error wrapping ErrNotFound: loading OpenBLAS at run time
// is supported on Linux, macOS and FreeBSD only.
func Open() (*Lib, error) {
	return nil, errors.Join(ErrNotFound, errors.New("openblas: run-time loading not supported on this platform"))
}

// Sgemm panics: no library can be open on this platform.
func (l *Lib) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	panic("openblas: not supported on this platform")
}

// Dgemm panics: no library can be open on this platform.
func (l *Lib) Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	panic("openblas: not supported on this platform")
}

// SetThreads does nothing on this platform.
func (l *Lib) SetThreads(n int) {}

// Threads returns 0 on this platform.
func (l *Lib) Threads() int { return 0 }

// Config returns "" on this platform.
func (l *Lib) Config() string { return "" }
