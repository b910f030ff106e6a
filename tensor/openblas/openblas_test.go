package openblas

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ember-ml/ember/tensor/gemm"
)

func open(t *testing.T) *Lib {
	t.Helper()
	l, err := Open()
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Open error %v does not wrap ErrNotFound", err)
		}
		t.Skipf("OpenBLAS not available: %v", err)
	}
	return l
}

// TestAgreesWithGemm checks OpenBLAS against ember's GEMM on every
// transposition, with padded strides and alpha/beta.
func TestAgreesWithGemm(t *testing.T) {
	l := open(t)
	t.Logf("loaded %s: %s (threads %d)", l.Path, l.Config(), l.Threads())
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][3]int{{1, 1, 1}, {7, 5, 3}, {65, 33, 130}, {128, 96, 64}} {
		for tr := 0; tr < 4; tr++ {
			tA, tB := tr&1 != 0, tr&2 != 0
			m, n, k := s[0], s[1], s[2]
			ra, ca, rb, cb := m, k, k, n
			if tA {
				ra, ca = k, m
			}
			if tB {
				rb, cb = n, k
			}
			lda, ldb, ldc := ca+1, cb+2, n+3
			a := make([]float64, ra*lda)
			b := make([]float64, rb*ldb)
			c := make([]float64, m*ldc)
			for _, x := range [][]float64{a, b, c} {
				for i := range x {
					x[i] = rng.Float64() - 0.5
				}
			}
			want := append([]float64(nil), c...)
			gemm.Dgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, want, ldc)
			got := append([]float64(nil), c...)
			l.Dgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, got, ldc)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12*float64(k) {
					t.Fatalf("Dgemm %v tA=%v tB=%v: C[%d] = %v, gemm gives %v", s, tA, tB, i, got[i], want[i])
				}
			}
			a32, b32, c32 := to32(a), to32(b), to32(c)
			want32 := append([]float32(nil), c32...)
			gemm.Sgemm(tA, tB, m, n, k, 1.5, a32, lda, b32, ldb, 0.5, want32, ldc)
			l.Sgemm(tA, tB, m, n, k, 1.5, a32, lda, b32, ldb, 0.5, c32, ldc)
			for i := range c32 {
				if math.Abs(float64(c32[i]-want32[i])) > 1e-5*float64(k) {
					t.Fatalf("Sgemm %v tA=%v tB=%v: C[%d] = %v, gemm gives %v", s, tA, tB, i, c32[i], want32[i])
				}
			}
		}
	}
}

func TestThreads(t *testing.T) {
	l := open(t)
	if l.Threads() == 0 {
		t.Skip("library has no openblas_get_num_threads")
	}
	old := l.Threads()
	defer l.SetThreads(old)
	l.SetThreads(1)
	if got := l.Threads(); got != 1 {
		t.Errorf("after SetThreads(1), Threads() = %d", got)
	}
}

func TestShortSlicePanics(t *testing.T) {
	l := open(t)
	defer func() {
		if r := recover(); r == nil {
			t.Error("no panic for a short slice")
		}
	}()
	l.Sgemm(false, false, 4, 4, 4, 1, make([]float32, 3), 4, make([]float32, 16), 4, 0, make([]float32, 16), 4)
}

func to32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}
