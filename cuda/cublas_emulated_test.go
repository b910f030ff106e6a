//go:build !windows

package cuda

import (
	"testing"
	"unsafe"
)

// fakeCublas computes column-major GEMM as cuBLAS defines it, on the
// emulator's memory, so that the row-major to column-major mapping of
// cublas.run (operand swap, transposes, leading dimensions, batch strides)
// is checked by the conformance suite without a GPU.
func fakeCublas(e *emulator) *cublas {
	// at returns element (i, j) of op(X), X stored column-major with ld.
	idx := func(trans int32, i, j int, ld int32) int {
		if trans == cublasOpN {
			return i + j*int(ld)
		}
		return j + i*int(ld)
	}
	extent := func(trans int32, rows, cols int, ld int32) int { // elements spanned by op(X), rows×cols
		if trans != cublasOpN {
			rows, cols = cols, rows
		}
		return (cols-1)*int(ld) + rows
	}
	f32 := func(p uintptr, n int) []float32 {
		b := e.mem(p, uint64(n*4))
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
	}
	f64 := func(p uintptr, n int) []float64 {
		b := e.mem(p, uint64(n*8))
		return unsafe.Slice((*float64)(unsafe.Pointer(&b[0])), n)
	}
	cb := &cublas{lib: "emulated cuBLAS", destroy: func() error { return nil }}
	cb.sgemm = func(h uintptr, ta, tb int32, m, n, k int32, alpha *float32, a uintptr, lda int32, b uintptr, ldb int32, beta *float32, c uintptr, ldc int32) int32 {
		A, B := f32(a, extent(ta, int(m), int(k), lda)), f32(b, extent(tb, int(k), int(n), ldb))
		C := f32(c, (int(n)-1)*int(ldc)+int(m))
		for i := range int(m) {
			for j := range int(n) {
				var s float32
				for p := range int(k) {
					s += A[idx(ta, i, p, lda)] * B[idx(tb, p, j, ldb)]
				}
				o := &C[i+j*int(ldc)]
				if *beta == 0 {
					*o = *alpha * s
				} else {
					*o = *alpha*s + *beta**o
				}
			}
		}
		return 0
	}
	cb.dgemm = func(h uintptr, ta, tb int32, m, n, k int32, alpha *float64, a uintptr, lda int32, b uintptr, ldb int32, beta *float64, c uintptr, ldc int32) int32 {
		A, B := f64(a, extent(ta, int(m), int(k), lda)), f64(b, extent(tb, int(k), int(n), ldb))
		C := f64(c, (int(n)-1)*int(ldc)+int(m))
		for i := range int(m) {
			for j := range int(n) {
				var s float64
				for p := range int(k) {
					s += A[idx(ta, i, p, lda)] * B[idx(tb, p, j, ldb)]
				}
				o := &C[i+j*int(ldc)]
				if *beta == 0 {
					*o = *alpha * s
				} else {
					*o = *alpha*s + *beta**o
				}
			}
		}
		return 0
	}
	return cb
}

// withFakeCublas runs fn with the emulated device using fakeCublas.
func withFakeCublas(dv *Device, fn func()) {
	dv.mu.Lock()
	dv.blas = fakeCublas(emu)
	dv.mu.Unlock()
	defer func() {
		dv.mu.Lock()
		dv.blas = nil
		dv.mu.Unlock()
	}()
	fn()
}

func TestEmulatedCublasMapping(t *testing.T) {
	dv := emulatedDevice(t)
	withFakeCublas(dv, func() {
		if !dv.HasCublas() {
			t.Fatal("fake cuBLAS not installed")
		}
		checkMatMulAndConv(t, dv)
	})
}

// TestEmulatedCublasConformance runs the conformance suite's GEMM users
// (MatMul and Conv2D) with GEMM going through the (emulated) cuBLAS path.
func TestEmulatedCublasConformance(t *testing.T) {
	dv := emulatedDevice(t)
	withFakeCublas(dv, func() {
		runConformance(t, "TestEmulatedCublasConformance", dv.TensorDevice(), []string{"MatMul", "Conv2D"})
	})
}
