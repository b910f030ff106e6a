package autograd

import (
	"math"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

func TestGradCheckBatchNorm(t *testing.T) {
	for _, shape := range [][]int{{5, 3}, {3, 2, 3, 2}} {
		c := shape[1]
		x := randn(90, shape...)
		gamma := randu(91, 0.5, 2, c)
		beta := randn(92, c)
		train := func(xs []*Variable) *Variable {
			y, _, _ := BatchNorm(xs[0], xs[1], xs[2], 1e-3)
			return y
		}
		if err := CheckGrad(train, []*tensor.Tensor{x, gamma, beta}, CheckConfig{}); err != nil {
			t.Errorf("BatchNorm %v: %v", shape, err)
		}
		mean := randn(93, c)
		vr := randu(94, 0.5, 2, c)
		infer := func(xs []*Variable) *Variable {
			return BatchNormInference(xs[0], xs[1], xs[2], mean, vr, 1e-3)
		}
		if err := CheckGrad(infer, []*tensor.Tensor{x, gamma, beta}, CheckConfig{}); err != nil {
			t.Errorf("BatchNormInference %v: %v", shape, err)
		}
	}
}

func TestBatchNormValues(t *testing.T) {
	// Channel 0 holds 1, 3 (mean 2, var 1); channel 1 holds 2, 6 (mean 4, var 4).
	x := tensor.FromSlice(tensor.Float32, []float64{1, 2, 3, 6}, 2, 2)
	g := tensor.FromSlice(tensor.Float32, []float64{2, 1}, 2)
	b := tensor.FromSlice(tensor.Float32, []float64{0.5, -1}, 2)
	y, mean, vr := BatchNorm(Constant(x), NewParam(g, "g"), NewParam(b, "b"), 0)
	want := []float64{-1.5, -2, 2.5, 0}
	for i, v := range y.Value.Float64s() {
		if math.Abs(v-want[i]) > 1e-6 {
			t.Fatalf("BatchNorm = %v, want %v", y.Value.Float64s(), want)
		}
	}
	if mean[0] != 2 || mean[1] != 4 || vr[0] != 1 || vr[1] != 4 {
		t.Fatalf("mean %v var %v", mean, vr)
	}
	inf := BatchNormInference(Constant(x), Constant(g), Constant(b),
		tensor.FromSlice(tensor.Float32, []float64{2, 0}, 2), tensor.FromSlice(tensor.Float32, []float64{1, 4}, 2), 0)
	wantInf := []float64{-1.5, 0, 2.5, 2}
	for i, v := range inf.Value.Float64s() {
		if math.Abs(v-wantInf[i]) > 1e-6 {
			t.Fatalf("BatchNormInference = %v, want %v", inf.Value.Float64s(), wantInf)
		}
	}
}
