package autograd

import (
	"testing"

	"github.com/ember-ml/ember/tensor"
)

func TestGradCheckFusedConvAndPool(t *testing.T) {
	same := tensor.ConvParams{PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
	strided := tensor.ConvParams{StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 2}
	pool := tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	x := randn(60, 2, 3, 5, 6)
	w := randn(61, 4, 3, 3, 3)
	b := randn(62, 4)
	for _, c := range []struct {
		name string
		p    tensor.ConvParams
		act  Activation
		bias bool
	}{
		{"relu_same", same, ReluAct, true},
		{"tanh_strided", strided, TanhAct, true},
		{"sigmoid_nobias", same, SigmoidAct, false},
		{"linear", strided, Linear, true},
	} {
		f := func(xs []*Variable) *Variable {
			var bv *Variable
			if c.bias {
				bv = xs[2]
			}
			return Conv2DBiasAct(xs[0], xs[1], bv, c.p, c.act)
		}
		if err := CheckGrad(f, []*tensor.Tensor{x, w, b}, CheckConfig{}); err != nil {
			t.Errorf("Conv2DBiasAct %s: %v", c.name, err)
		}
		// Same values as the unfused composition.
		var bv *Variable
		if c.bias {
			bv = Constant(b)
		} else {
			bv = Constant(tensor.Zeros(tensor.Float64, 4))
		}
		fused := Conv2DBiasAct(Constant(x), Constant(w), bv, c.p, c.act).Value
		plain := BiasAct(Conv2D(Constant(x), Constant(w), c.p), bv, c.act).Value
		if !tensor.AllClose(fused, plain, 1e-12, 1e-12) {
			t.Errorf("Conv2DBiasAct %s differs from BiasAct(Conv2D)", c.name)
		}
	}
	for _, shape := range [][]int{{2, 2, 4, 6}, {1, 3, 5, 7}} {
		xp := randn(63, shape...)
		f := func(xs []*Variable) *Variable { return MaxPool2D(xs[0], pool) }
		if err := CheckGrad(f, []*tensor.Tensor{xp}, CheckConfig{}); err != nil {
			t.Errorf("MaxPool2D 2x2 %v: %v", shape, err)
		}
		got := MaxPool2D(Constant(xp), pool).Value
		want := tensor.MaxPool2D(xp, pool)
		if !tensor.AllClose(got, want, 0, 0) {
			t.Errorf("MaxPool2D 2x2 fast path %v differs from tensor.MaxPool2D", shape)
		}
	}
}

func TestInferenceTapeRecordsNothing(t *testing.T) {
	tp := NewInferenceTape()
	w := NewParam(randn(70, 3, 2), "w")
	x := tp.Constant(randn(71, 4, 3))
	y := Relu(MatMul(x, w))
	if tp.Len() != 0 || y.RequiresGrad() {
		t.Fatalf("inference tape recorded %d ops (requires grad %v)", tp.Len(), y.RequiresGrad())
	}
	want := tensor.Relu(tensor.MatMul(x.Value, w.Value))
	if !tensor.AllClose(y.Value, want, 0, 0) {
		t.Fatal("inference tape changed values")
	}
	tp.Reset()
	if y.Value.Size() != 0 {
		t.Fatal("Reset did not release the intermediate")
	}
}

func TestGradCheckConvBiasActPool(t *testing.T) {
	same := tensor.ConvParams{PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
	valid := tensor.ConvParams{}
	pool := tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	b := randn(82, 3)
	for _, c := range []struct {
		name string
		x    *tensor.Tensor
		p    tensor.ConvParams
		act  Activation
		bias bool
	}{
		{"relu_same_even", randn(80, 2, 2, 4, 6), same, ReluAct, true},
		{"tanh_valid_odd", randn(81, 2, 2, 7, 5), valid, TanhAct, true},
		{"sigmoid_nobias", randn(83, 1, 2, 6, 6), same, SigmoidAct, false},
		{"linear", randn(84, 2, 2, 5, 5), same, Linear, true},
	} {
		w := randn(85, 3, 2, 3, 3)
		f := func(xs []*Variable) *Variable {
			var bv *Variable
			if c.bias {
				bv = xs[2]
			}
			return Conv2DBiasActPool(xs[0], xs[1], bv, c.p, c.act)
		}
		if err := CheckGrad(f, []*tensor.Tensor{c.x, w, b}, CheckConfig{}); err != nil {
			t.Errorf("Conv2DBiasActPool %s: %v", c.name, err)
		}
		var bv *Variable
		if c.bias {
			bv = Constant(b)
		}
		fused := Conv2DBiasActPool(Constant(c.x), Constant(w), bv, c.p, c.act).Value
		plain := MaxPool2D(Conv2DBiasAct(Constant(c.x), Constant(w), bv, c.p, c.act), pool).Value
		if !tensor.AllClose(fused, plain, 1e-12, 1e-12) {
			t.Errorf("Conv2DBiasActPool %s differs from MaxPool2D(Conv2DBiasAct)", c.name)
		}
	}
}
