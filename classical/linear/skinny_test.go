package linear

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/sparse"
	"github.com/ember-ml/ember/tensor"
)

// TestLogistic checks log(1+eᶻ) and σ(z) (assembly where the CPU has AVX2
// and FMA, with a Go tail) against math.Log1p and math.Exp at every tail
// length, from z = 0 to past exp's underflow, to a few ulps.
func TestLogistic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ulps := func(got, want float64) float64 {
		if got == want {
			return 0
		}
		return math.Abs(got-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
	}
	for n := 0; n <= 37; n++ {
		z := make([]float64, n)
		for i := range z {
			z[i] = rng.NormFloat64() * math.Pow(10, float64(i%6)-3)
		}
		if n > 4 {
			z[1], z[2], z[3], z[4] = 0, 800, -800, math.Log(math.Sqrt2-1) // u = 1 + e at √2
		}
		lse, sg := make([]float64, n), make([]float64, n)
		logistic(lse, sg, z)
		for i, zi := range z {
			e := math.Exp(-math.Abs(zi))
			wl, ws := math.Log1p(e)+math.Max(zi, 0), 1/(1+e)
			if zi <= 0 {
				ws = e / (1 + e)
			}
			if u := ulps(lse[i], wl); u > 4 && math.Abs(lse[i]-wl) > 1e-300 {
				t.Fatalf("n=%d z=%v: log(1+eᶻ) = %v, want %v (%v ulps)", n, zi, lse[i], wl, u)
			}
			if u := ulps(sg[i], ws); u > 4 && math.Abs(sg[i]-ws) > 1e-300 {
				t.Fatalf("n=%d z=%v: σ = %v, want %v (%v ulps)", n, zi, sg[i], ws, u)
			}
		}
	}
}

// TestBinaryLogisticSparse compares the loss and gradient on sparse rows
// with the dense pass, on a one-hot-like X over two blocks of rows (with
// empty rows).
func TestBinaryLogisticSparse(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	n, p := skinnyBlock+300, 60
	x := make([]float64, n*p)
	y := make([]int, n)
	sw := make([]float64, n)
	swSum := 0.0
	for i := 0; i < n; i++ {
		if i%17 != 0 { // every 17th row stays empty
			x[i*p+r.IntN(p)] = 1
			x[i*p+r.IntN(p)] = r.NormFloat64()
		}
		y[i] = r.IntN(2)
		sw[i] = 0.5 + r.Float64()
		swSum += sw[i]
	}
	a, ok := sparse.FromDense(x, n, p)
	if !ok {
		t.Fatal("a one-hot-like X is not taken as sparse")
	}
	w := make([]float64, p)
	for j := range w {
		w[j] = r.NormFloat64()
	}
	g1, g2 := make([]float64, p), make([]float64, p)
	l1, b1 := binaryLogistic(g1, x, n, p, w, 0.3, y, sw, swSum)
	l2, b2 := binaryLogisticSparse(g2, a, n, p, w, 0.3, y, sw, swSum)
	near := func(u, v float64) bool { return math.Abs(u-v) <= 1e-12*max(1, math.Abs(v)) }
	if !near(l2, l1) || !near(b2, b1) {
		t.Fatalf("sparse loss %v, intercept gradient %v; dense %v, %v", l2, b2, l1, b1)
	}
	for j := range g1 {
		if !near(g2[j], g1[j]) {
			t.Fatalf("gradient %d: sparse %v, dense %v", j, g2[j], g1[j])
		}
	}
}

// TestSparseRowsFits fits SGDClassifier (hinge and log loss), SGDRegressor
// and LogisticRegression (binary and multinomial) on a one-hot table, with and without the
// sparse-row paths: SGD must give bitwise the same weights (zeros add
// nothing to its sums), L-BFGS the same within 1e-7.
func TestSparseRowsFits(t *testing.T) {
	defer func() { denseOnly = false }()
	r := rand.New(rand.NewPCG(7, 8))
	const n, p = 300, 40
	x := make([]float64, n*p)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		a, b := r.IntN(20), 20+r.IntN(20)
		x[i*p+a], x[i*p+b] = 1, 1
		if (a+b)%3 == 0 || r.IntN(10) == 0 {
			y[i] = 1
		}
	}
	y3 := make([]float64, n) // three classes, for the multinomial loss
	for i := range y3 {
		y3[i] = float64(i % 3)
		if x[i*p+i%7] != 0 {
			y3[i] = 2
		}
	}
	X, Y, Y3 := tensor.FromFloat64(x, n, p), tensor.FromFloat64(y, n), tensor.FromFloat64(y3, n)
	coefs := func(m classical.Estimator) []float64 {
		switch m := m.(type) {
		case *SGDRegressor:
			return m.Coef()
		case interface{ Coef() *tensor.Tensor }:
			return m.Coef().Float64s()
		}
		panic("no coefficients")
	}
	for name, mk := range map[string]func() classical.Estimator{
		"sgd_hinge": func() classical.Estimator { return NewSGDClassifier() },
		"sgd_log":   func() classical.Estimator { m := NewSGDClassifier(); m.Loss = "log_loss"; return m },
		"sgd_reg":   func() classical.Estimator { return NewSGDRegressor() },
		"logistic":  func() classical.Estimator { return NewLogisticRegression() },
		"logistic3": func() classical.Estimator { return NewLogisticRegression() },
	} {
		target := Y
		if name == "logistic3" {
			target = Y3
		}
		fit := func(dense bool) []float64 {
			denseOnly = dense
			m := mk()
			if err := m.Fit(context.Background(), X, target); err != nil {
				t.Fatal(err)
			}
			return coefs(m)
		}
		a, b := fit(false), fit(true)
		tol := 0.0
		if name == "logistic" || name == "logistic3" {
			tol = 1e-7
		}
		for j := range b {
			if math.Abs(a[j]-b[j]) > tol {
				t.Fatalf("%s: coef[%d] = %v with sparse rows, %v dense", name, j, a[j], b[j])
			}
		}
	}
}
