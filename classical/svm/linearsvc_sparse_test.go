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
