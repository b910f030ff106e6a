package svm_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/tensor"
)

// TestLinearSVCSparseRows fits LinearSVC on a one-hot encoded table (X
// mostly zeros, so its products run over the nonzeros) and with the dense
// products: the same coefficients and intercepts, two and three classes.
func TestLinearSVCSparseRows(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	const n, p = 400, 60
	x := make([]float64, n*p)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		a, b := r.IntN(30), 30+r.IntN(30)
		x[i*p+a], x[i*p+b] = 1, 1
		y[i] = float64((a + b/7) % 3)
	}
	X := tensor.FromFloat64(x, n, p)
	for _, classes := range []int{2, 3} {
		Y := make([]float64, n)
		for i, v := range y {
			Y[i] = math.Mod(v, float64(classes))
		}
		yt := tensor.FromFloat64(Y, n)
		fit := func(dense bool) *svm.LinearSVC {
			defer svm.SetDenseOnly(dense)()
			m := svm.NewLinearSVC()
			if err := m.Fit(context.Background(), X, yt); err != nil {
				t.Fatal(err)
			}
			return m
		}
		sparse, dense := fit(false), fit(true)
		cs, cd := sparse.Coef().Float64s(), dense.Coef().Float64s()
		for j := range cd {
			if math.Abs(cs[j]-cd[j]) > 1e-6 {
				t.Fatalf("%d classes: coef[%d] = %v with sparse products, %v with dense", classes, j, cs[j], cd[j])
			}
		}
		is, id := sparse.Intercept(), dense.Intercept()
		for k := range id {
			if math.Abs(is[k]-id[k]) > 1e-6 {
				t.Fatalf("%d classes: intercept %v with sparse products, %v with dense", classes, is, id)
			}
		}
	}
}

// TestSVCSparseRows fits an RBF SVC on a one-hot table with the kernel's
// dot products by sparse rows and by GEMM: the same support vectors and
// decision values.
func TestSVCSparseRows(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	const n, p = 300, 60
	x := make([]float64, n*p)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		a, b := r.IntN(30), 30+r.IntN(30)
		x[i*p+a], x[i*p+b] = 1, 1
		if (a+b)%3 == 0 || r.IntN(8) == 0 {
			y[i] = 1
		}
	}
	X, Y := tensor.FromFloat64(x, n, p), tensor.FromFloat64(y, n)
	fit := func(dense bool) []float64 {
		defer svm.SetDenseOnly(dense)()
		m := svm.NewSVC()
		if err := m.Fit(context.Background(), X, Y); err != nil {
			t.Fatal(err)
		}
		d, err := m.DecisionFunction(X)
		if err != nil {
			t.Fatal(err)
		}
		return d.Float64s()
	}
	a, b := fit(false), fit(true)
	for i := range b {
		if math.Abs(a[i]-b[i]) > 1e-5 {
			t.Fatalf("decision value %d: %v with sparse dot products, %v with GEMM", i, a[i], b[i])
		}
	}
}
