package gemm

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPackedA checks that PackA + MulSerial gives bitwise the result of
// the serial GEMM, for every kernel, both transpositions and beta.
func TestPackedA(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.Float64() - 0.5)
		}
		return s
	}
	for _, kn := range Kernels() {
		restore, err := UseKernel(kn)
		if err != nil {
			t.Fatal(err)
		}
		for _, sz := range [][3]int{{1, 1, 1}, {64, 121, 288}, {13, 70, 9}, {33, 2100, 17}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					lda, ldb := k, n
					if ta {
						lda = m
					}
					if tb {
						ldb = k
					}
					a, b := fill(m*k), fill(k*n)
					c0 := fill(m * n)
					want := slices.Clone(c0)
					SgemmSerial(ta, tb, m, n, k, 0.5, a, lda, b, ldb, 2, want, n)
					p := PackA(ta, m, k, float32(0.5), a, lda)
					if p == nil {
						// Too big for one block of this kernel; only the
						// smallest problem must always pack.
						if m*k == 1 {
							t.Fatalf("%s: PackA(1×1) = nil", kn)
						}
						continue
					}
					got := slices.Clone(c0)
					p.MulSerial(tb, n, b, ldb, 2, got, n)
					if !slices.Equal(got, want) {
						t.Errorf("%s %dx%dx%d ta=%v tb=%v: packed result differs from SgemmSerial", kn, m, n, k, ta, tb)
					}
				}
			}
		}
		if p := PackA(false, 5000, 10, float32(1), make([]float32, 50000), 10); p != nil {
			t.Errorf("%s: PackA of a 5000-row A did not refuse", kn)
		}
		restore()
	}
	d := PackA(false, 3, 2, 1.0, []float64{1, 2, 3, 4, 5, 6}, 2)
	c := make([]float64, 6)
	d.MulSerial(false, 2, []float64{1, 0, 0, 1}, 2, 0, c, 2)
	if !slices.Equal(c, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("float64 A·I = %v", c)
	}
}
