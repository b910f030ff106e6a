package sparse

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestProducts compares MulVec, MulTVec, Dot and AddTo with dense loops,
// over one and several blocks, with empty rows, and checks when a matrix
// counts as sparse.
func TestProducts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 50, Block + 77} {
		const p = 40
		x := make([]float64, n*p)
		for i := 0; i < n; i++ {
			if i%5 == 4 {
				continue // an empty row
			}
			x[i*p+r.IntN(p)] = 1
			x[i*p+r.IntN(p)] = r.NormFloat64()
		}
		a, ok := FromDense(x, n, p)
		if !ok {
			t.Fatalf("n %d: a one-hot-like matrix is not taken as sparse", n)
		}
		w, rv := make([]float64, p), make([]float64, n)
		for j := range w {
			w[j] = r.NormFloat64()
		}
		for i := range rv {
			rv[i] = r.NormFloat64()
		}
		z, g := make([]float64, n), make([]float64, p)
		a.MulVec(z, w)
		a.MulTVec(g, rv)
		for i := 0; i < n; i++ {
			want := 0.0
			for j := 0; j < p; j++ {
				want += x[i*p+j] * w[j]
			}
			if math.Abs(z[i]-want) > 1e-12 || math.Abs(a.Dot(i, w)-want) > 1e-12 {
				t.Fatalf("n %d row %d: X·w = %v (Dot %v), want %v", n, i, z[i], a.Dot(i, w), want)
			}
		}
		for j := 0; j < p; j++ {
			want := 0.0
			for i := 0; i < n; i++ {
				want += x[i*p+j] * rv[i]
			}
			if math.Abs(g[j]-want) > 1e-9 {
				t.Fatalf("n %d column %d: Xᵀ·r = %v, want %v", n, j, g[j], want)
			}
		}
	}
	// The K-column products.
	for _, n := range []int{30, Block + 5} {
		const p, k = 20, 3
		x := make([]float64, n*p)
		for i := 0; i < n; i++ {
			x[i*p+r.IntN(p)] = r.NormFloat64()
		}
		a, _ := FromDense(x, n, p)
		w, rm := make([]float64, p*k), make([]float64, n*k)
		for j := range w {
			w[j] = r.NormFloat64()
		}
		for j := range rm {
			rm[j] = r.NormFloat64()
		}
		z, g := make([]float64, n*k), make([]float64, p*k)
		a.MulMat(z, w, k)
		a.MulTMat(g, rm, k)
		for i := 0; i < n; i++ {
			for c := 0; c < k; c++ {
				want := 0.0
				for j := 0; j < p; j++ {
					want += x[i*p+j] * w[j*k+c]
				}
				if math.Abs(z[i*k+c]-want) > 1e-12 {
					t.Fatalf("n %d: (X·W)[%d,%d] = %v, want %v", n, i, c, z[i*k+c], want)
				}
			}
		}
		for j := 0; j < p; j++ {
			for c := 0; c < k; c++ {
				want := 0.0
				for i := 0; i < n; i++ {
					want += x[i*p+j] * rm[i*k+c]
				}
				if math.Abs(g[j*k+c]-want) > 1e-9 {
					t.Fatalf("n %d: (Xᵀ·R)[%d,%d] = %v, want %v", n, j, c, g[j*k+c], want)
				}
			}
		}
	}
	dense := make([]float64, 16*8)
	for i := range dense {
		if i%7 == 0 { // 19 of 128 nonzero: more than one in eight
			dense[i] = 1
		}
	}
	if _, ok := FromDense(dense, 16, 8); ok {
		t.Error("a matrix with more than one nonzero in eight is taken as sparse")
	}
	if _, ok := FromDense(nil, 0, 5); ok {
		t.Error("an empty matrix is taken as sparse")
	}
}
