package autograd

import (
	"math"
	"sync"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

func randn(seed uint64, shape ...int) *tensor.Tensor {
	return tensor.RandN(tensor.Float64, tensor.NewRand(seed), shape...)
}

func randu(seed uint64, lo, hi float64, shape ...int) *tensor.Tensor {
	return tensor.RandU(tensor.Float64, tensor.NewRand(seed), lo, hi, shape...)
}

// TestGradCheckPrimitives runs the numerical gradient check over every
// differentiable primitive of the package.
func TestGradCheckPrimitives(t *testing.T) {
	conv := tensor.ConvParams{StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
	conv2 := tensor.ConvParams{StrideH: 2, StrideW: 1, DilationH: 1, DilationW: 2}
	pool := tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	pool3 := tensor.ConvParams{KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
	onehot := tensor.OneHot(tensor.Float64, []int{2, 0, 1}, 4)
	probs := tensor.Softmax(randn(50, 3, 4), 1)
	w3 := tensor.FromSlice(tensor.Float64, []float64{1, 0.5, 2}, 3)
	bin := tensor.FromSlice(tensor.Float64, []float64{1, 0, 1, 1, 0, 0}, 3, 2)
	one := func(f func(a *Variable) *Variable) func(xs []*Variable) *Variable {
		return func(xs []*Variable) *Variable { return f(xs[0]) }
	}
	two := func(f func(a, b *Variable) *Variable) func(xs []*Variable) *Variable {
		return func(xs []*Variable) *Variable { return f(xs[0], xs[1]) }
	}
	cases := []struct {
		name   string
		f      func(xs []*Variable) *Variable
		inputs []*tensor.Tensor
		wrt    []int
	}{
		{"add", two(Add), []*tensor.Tensor{randn(1, 2, 3), randn(2, 2, 3)}, nil},
		{"add_broadcast", two(Add), []*tensor.Tensor{randn(1, 2, 3), randn(2, 3)}, nil},
		{"add_broadcast_keep", two(Add), []*tensor.Tensor{randn(1, 2, 1, 4), randn(2, 3, 1)}, nil},
		{"sub_broadcast", two(Sub), []*tensor.Tensor{randn(3, 2, 3), randn(4, 2, 1)}, nil},
		{"mul_broadcast", two(Mul), []*tensor.Tensor{randn(5, 2, 3), randn(6, 1, 3)}, nil},
		{"mul_same", func(xs []*Variable) *Variable { return Mul(xs[0], xs[0]) }, []*tensor.Tensor{randn(5, 2, 3)}, nil},
		{"div_broadcast", two(Div), []*tensor.Tensor{randn(7, 2, 3), randu(8, 0.5, 2, 3)}, nil},
		{"add_scalar", one(func(a *Variable) *Variable { return AddScalar(a, 2) }), []*tensor.Tensor{randn(9, 4)}, nil},
		{"mul_scalar", one(func(a *Variable) *Variable { return MulScalar(a, -3) }), []*tensor.Tensor{randn(9, 4)}, nil},
		{"neg", one(Neg), []*tensor.Tensor{randn(10, 2, 2)}, nil},
		{"exp", one(Exp), []*tensor.Tensor{randn(11, 2, 3)}, nil},
		{"log", one(Log), []*tensor.Tensor{randu(12, 0.5, 3, 2, 3)}, nil},
		{"sqrt", one(Sqrt), []*tensor.Tensor{randu(13, 0.5, 3, 2, 3)}, nil},
		{"pow", one(func(a *Variable) *Variable { return Pow(a, 2.5) }), []*tensor.Tensor{randu(14, 0.5, 2, 5)}, nil},
		{"square", one(Square), []*tensor.Tensor{randn(14, 5)}, nil},
		{"tanh", one(Tanh), []*tensor.Tensor{randn(15, 2, 3)}, nil},
		{"sigmoid", one(Sigmoid), []*tensor.Tensor{randn(16, 2, 3)}, nil},
		{"relu", one(Relu), []*tensor.Tensor{randn(17, 3, 4)}, nil},
		{"leaky_relu", one(func(a *Variable) *Variable { return LeakyRelu(a, 0.2) }), []*tensor.Tensor{randn(18, 3, 4)}, nil},
		{"elu", one(func(a *Variable) *Variable { return Elu(a, 1.5) }), []*tensor.Tensor{randn(19, 3, 4)}, nil},
		{"gelu", one(Gelu), []*tensor.Tensor{randn(20, 3, 4)}, nil},
		{"softplus", one(Softplus), []*tensor.Tensor{randn(21, 3, 4)}, nil},
		{"abs", one(Abs), []*tensor.Tensor{randn(22, 3, 4)}, nil},
		{"clip", one(func(a *Variable) *Variable { return Clip(a, -0.55, 0.45) }), []*tensor.Tensor{randn(23, 3, 4)}, nil},
		{"sum_all", one(func(a *Variable) *Variable { return Sum(a) }), []*tensor.Tensor{randn(24, 2, 3, 4)}, nil},
		{"sum_axes", one(func(a *Variable) *Variable { return Sum(a, 0, 2) }), []*tensor.Tensor{randn(25, 2, 3, 4)}, nil},
		{"sum_keep", one(func(a *Variable) *Variable { return SumKeep(a, -1) }), []*tensor.Tensor{randn(25, 2, 3, 4)}, nil},
		{"mean", one(func(a *Variable) *Variable { return Mean(a, 1) }), []*tensor.Tensor{randn(26, 2, 3, 4)}, nil},
		{"mean_keep", one(func(a *Variable) *Variable { return MeanKeep(a, 0, 2) }), []*tensor.Tensor{randn(26, 2, 3, 4)}, nil},
		{"max", one(func(a *Variable) *Variable { return Max(a, 1) }), []*tensor.Tensor{randn(27, 2, 5, 3)}, nil},
		{"max_all", one(func(a *Variable) *Variable { return Max(a) }), []*tensor.Tensor{randn(28, 4, 3)}, nil},
		{"max_keep", one(func(a *Variable) *Variable { return MaxKeep(a, -1) }), []*tensor.Tensor{randn(28, 4, 3)}, nil},
		{"matmul", two(MatMul), []*tensor.Tensor{randn(29, 3, 4), randn(30, 4, 5)}, nil},
		{"matmul_batch", two(MatMul), []*tensor.Tensor{randn(31, 2, 3, 4), randn(32, 4, 2)}, nil},
		{"matmul_vec", two(MatMul), []*tensor.Tensor{randn(33, 4), randn(34, 4, 3)}, nil},
		{"matmul_matvec", two(MatMul), []*tensor.Tensor{randn(33, 3, 4), randn(34, 4)}, nil},
		{"matmul_transposed", func(xs []*Variable) *Variable { return MatMul(Transpose(xs[0], 0, 1), xs[1]) }, []*tensor.Tensor{randn(35, 4, 3), randn(36, 4, 2)}, nil},
		{"reshape", one(func(a *Variable) *Variable { return Mul(Reshape(a, 3, -1), Reshape(a, 3, -1)) }), []*tensor.Tensor{randn(37, 2, 3, 2)}, nil},
		{"flatten", one(Flatten), []*tensor.Tensor{randn(37, 2, 3, 2)}, nil},
		{"permute", one(func(a *Variable) *Variable { return Exp(Permute(a, 2, 0, 1)) }), []*tensor.Tensor{randn(38, 2, 3, 4)}, nil},
		{"transpose", one(func(a *Variable) *Variable { return Transpose(a, 0, 1) }), []*tensor.Tensor{randn(39, 2, 3)}, nil},
		{"slice", one(func(a *Variable) *Variable { return Slice(a, 1, 1, 5, 2) }), []*tensor.Tensor{randn(40, 2, 6)}, nil},
		{"narrow", one(func(a *Variable) *Variable { return Narrow(a, 0, 1, 2) }), []*tensor.Tensor{randn(41, 4, 3)}, nil},
		{"concat", func(xs []*Variable) *Variable { return Concat(1, xs[0], xs[1], xs[0]) }, []*tensor.Tensor{randn(42, 2, 3), randn(43, 2, 1)}, nil},
		{"index_select", one(func(a *Variable) *Variable { return IndexSelect(a, 0, []int{2, 0, 2}) }), []*tensor.Tensor{randn(44, 3, 2)}, nil},
		{"gather", one(func(a *Variable) *Variable { return Gather(a, []int{1, 0, 2}) }), []*tensor.Tensor{randn(45, 3, 3)}, nil},
		{"softmax", one(func(a *Variable) *Variable { return Softmax(a, 1) }), []*tensor.Tensor{randn(46, 3, 4)}, nil},
		{"softmax_axis0", one(func(a *Variable) *Variable { return Softmax(a, 0) }), []*tensor.Tensor{randn(46, 3, 4)}, nil},
		{"log_softmax", one(func(a *Variable) *Variable { return LogSoftmax(a, -1) }), []*tensor.Tensor{randn(47, 3, 4)}, nil},
		{"conv2d_same", func(xs []*Variable) *Variable { return Conv2D(xs[0], xs[1], conv) }, []*tensor.Tensor{randn(48, 2, 2, 5, 5), randn(49, 3, 2, 3, 3)}, nil},
		{"conv2d_stride_dilation", func(xs []*Variable) *Variable { return Conv2D(xs[0], xs[1], conv2) }, []*tensor.Tensor{randn(50, 2, 2, 7, 7), randn(51, 2, 2, 2, 3)}, nil},
		{"max_pool2d", one(func(a *Variable) *Variable { return MaxPool2D(a, pool) }), []*tensor.Tensor{randn(52, 2, 2, 4, 6)}, nil},
		{"max_pool2d_padded", one(func(a *Variable) *Variable { return MaxPool2D(a, pool3) }), []*tensor.Tensor{randn(53, 1, 2, 4, 4)}, nil},
		{"avg_pool2d", one(func(a *Variable) *Variable { return AvgPool2D(a, pool3) }), []*tensor.Tensor{randn(54, 2, 1, 4, 5)}, nil},
		{"dropout", one(func(a *Variable) *Variable { return Dropout(a, 0.4, 99) }), []*tensor.Tensor{randn(55, 4, 5)}, nil},
		{"bias_act_linear", two(func(a, b *Variable) *Variable { return BiasAct(a, b, Linear) }), []*tensor.Tensor{randn(56, 3, 4), randn(57, 4)}, nil},
		{"bias_act_relu", two(func(a, b *Variable) *Variable { return BiasAct(a, b, ReluAct) }), []*tensor.Tensor{randn(58, 2, 3, 2, 2), randn(59, 3)}, nil},
		{"bias_act_sigmoid", two(func(a, b *Variable) *Variable { return BiasAct(a, b, SigmoidAct) }), []*tensor.Tensor{randn(60, 3, 4), randn(61, 4)}, nil},
		{"bias_act_tanh", two(func(a, b *Variable) *Variable { return BiasAct(a, b, TanhAct) }), []*tensor.Tensor{randn(62, 2, 2, 3), randn(63, 2)}, nil},
		{"softmax_cross_entropy", one(func(a *Variable) *Variable { return SoftmaxCrossEntropy(a, onehot, nil) }), []*tensor.Tensor{randn(64, 3, 4)}, nil},
		{"softmax_cross_entropy_soft_weighted", one(func(a *Variable) *Variable { return SoftmaxCrossEntropy(a, probs, w3) }), []*tensor.Tensor{randn(65, 3, 4)}, nil},
		{"sparse_softmax_cross_entropy", one(func(a *Variable) *Variable { return SparseSoftmaxCrossEntropy(a, []int{3, 1, 0}, w3) }), []*tensor.Tensor{randn(66, 3, 4)}, nil},
		{"sigmoid_bce", one(func(a *Variable) *Variable { return SigmoidBinaryCrossEntropy(a, bin, w3) }), []*tensor.Tensor{randn(67, 3, 2)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckGrad(c.f, c.inputs, CheckConfig{Wrt: c.wrt}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestForwardValues(t *testing.T) {
	x := tensor.FromSlice(tensor.Float64, []float64{-1, 0.5, 2}, 3)
	tests := []struct {
		name string
		got  *Variable
		want []float64
	}{
		{"relu", Relu(Constant(x)), []float64{0, 0.5, 2}},
		{"clip", Clip(Constant(x), -0.5, 1), []float64{-0.5, 0.5, 1}},
		{"leaky", LeakyRelu(Constant(x), 0.1), []float64{-0.1, 0.5, 2}},
		{"sum", Sum(Constant(x)), []float64{1.5}},
		{"max", Max(Constant(x)), []float64{2}},
		{"bce", SigmoidBinaryCrossEntropy(Constant(tensor.FromSlice(tensor.Float64, []float64{0}, 1, 1)), tensor.FromSlice(tensor.Float64, []float64{1}, 1, 1), nil), []float64{math.Log(2)}},
		{"ce", SparseSoftmaxCrossEntropy(Constant(tensor.FromSlice(tensor.Float64, []float64{0, 0}, 1, 2)), []int{1}, nil), []float64{math.Log(2)}},
	}
	for _, tt := range tests {
		got := tt.got.Value.Float64s()
		for i := range tt.want {
			if math.Abs(got[i]-tt.want[i]) > 1e-12 {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

func TestAccumulateAndZeroGrad(t *testing.T) {
	w := NewParam(tensor.FromSlice(tensor.Float64, []float64{1, 2}, 2), "w")
	x := tensor.FromSlice(tensor.Float64, []float64{3, 4}, 2)
	step := func() {
		tp := NewTape()
		loss := Sum(Mul(tp.Constant(x), w)) // d/dw = x
		tp.Backward(loss)
		tp.Reset()
	}
	step()
	step()
	if g := w.Gradient().Float64s(); g[0] != 6 || g[1] != 8 {
		t.Fatalf("accumulated grad %v, want [6 8]", g)
	}
	w.ZeroGrad()
	if w.Gradient() != nil {
		t.Fatal("gradient after ZeroGrad not nil")
	}
	step()
	if g := w.Gradient().Float64s(); g[0] != 3 || g[1] != 4 {
		t.Fatalf("grad after ZeroGrad %v, want [3 4]", g)
	}
}

func TestNoGradRecordsNothing(t *testing.T) {
	w := NewParam(randn(1, 3, 3), "w")
	y := MatMul(Constant(randn(2, 2, 3)), w)
	if y.RequiresGrad() || y.Tape() != nil {
		t.Fatal("computation from a Constant recorded a graph")
	}
	tp := NewTape()
	y = Relu(MatMul(tp.Constant(randn(2, 2, 3)), w))
	if !y.RequiresGrad() || tp.Len() != 2 {
		t.Fatalf("tape recorded %d ops, want 2", tp.Len())
	}
	z := Exp(tp.Constant(randn(3, 2)))
	if z.RequiresGrad() || tp.Len() != 2 {
		t.Fatal("op on constants only was recorded")
	}
}

// TestConcurrentInference runs no-grad inference in goroutines beside a
// training step on the same parameters (run with -race).
func TestConcurrentInference(t *testing.T) {
	w := NewParam(randn(1, 4, 4), "w")
	x := randn(2, 8, 4)
	want := MatMul(Constant(x), w).Value.Float64s()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				got := Tanh(MatMul(Constant(x), w)).Value.Float64s()
				if math.Abs(got[0]-math.Tanh(want[0])) > 1e-12 {
					t.Error("concurrent inference gave a different value")
					return
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		tp := NewTape()
		tp.Backward(Sum(Tanh(MatMul(tp.Constant(x), w))))
		tp.Reset()
	}
	wg.Wait()
	if w.Gradient() == nil {
		t.Fatal("training goroutine produced no gradient")
	}
}

func TestBackwardHandComputed(t *testing.T) {
	// f = sum((a*b + a)^2) with a = [1, 2], b = [3, 4]:
	// df/da = 2(ab+a)(b+1) = [32, 100]; df/db = 2(ab+a)a = [8, 40].
	tp := NewTape()
	a := tp.Variable(tensor.FromSlice(tensor.Float64, []float64{1, 2}, 2))
	b := tp.Variable(tensor.FromSlice(tensor.Float64, []float64{3, 4}, 2))
	u := Add(Mul(a, b), a)
	tp.Backward(Sum(Mul(u, u)))
	ga, gb := a.Grad.Float64s(), b.Grad.Float64s()
	if ga[0] != 32 || ga[1] != 100 || gb[0] != 8 || gb[1] != 40 {
		t.Fatalf("grads %v %v, want [32 100] [8 40]", ga, gb)
	}
}

func TestFloat32Training(t *testing.T) {
	// A float32 fused path must agree with the float64 one.
	x64 := randn(3, 4, 5)
	b64 := randn(4, 5)
	run := func(dt tensor.DType) []float64 {
		tp := NewTape()
		x := tp.Variable(x64.AsType(dt))
		b := NewParam(b64.AsType(dt).Clone(), "b")
		y := BiasAct(x, b, ReluAct)
		tp.Backward(SparseSoftmaxCrossEntropy(y, []int{0, 1, 2, 3}, nil))
		out := append(x.Grad.Float64s(), b.Grad.Float64s()...)
		tp.Reset()
		return out
	}
	a, b := run(tensor.Float32), run(tensor.Float64)
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-5 {
			t.Fatalf("float32 grad %v differs from float64 %v at %d", a[i], b[i], i)
		}
	}
}
