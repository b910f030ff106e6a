package optim

import (
	"math"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// param returns a float64 parameter holding vals with gradient grad.
func param(t *testing.T, vals, grad []float64) *autograd.Variable {
	t.Helper()
	p := autograd.NewParam(tensor.FromSlice(tensor.Float64, vals, len(vals)), "p")
	setGrad(p, grad)
	return p
}

// setGrad gives p the gradient g through a real backward pass: the
// gradient of sum(p*g) is g.
func setGrad(p *autograd.Variable, g []float64) {
	tp := autograd.NewTape()
	p.ZeroGrad()
	c := tp.Constant(tensor.FromSlice(p.Value.DType(), g, len(g)))
	tp.Backward(autograd.Sum(autograd.Mul(p, c)))
	tp.Reset()
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %.10g, want %.10g (all %v vs %v)", what, i, got[i], want[i], got, want)
		}
	}
}

func TestSGDHandComputed(t *testing.T) {
	// Plain: p = 1 - 0.1*0.5 = 0.95; p = -2 - 0.1*(-1) = -1.9.
	p := param(t, []float64{1, -2}, []float64{0.5, -1})
	NewSGD(0.1).Step([]*autograd.Variable{p})
	near(t, "sgd", p.Value.Float64s(), []float64{0.95, -1.9}, 1e-12)

	// Momentum 0.9, two steps with gradient 1: v1 = 1, p = 1-0.1 = 0.9;
	// v2 = 0.9+1 = 1.9, p = 0.9-0.19 = 0.71.
	p = param(t, []float64{1}, []float64{1})
	o := NewSGD(0.1)
	o.Momentum = 0.9
	o.Step([]*autograd.Variable{p})
	setGrad(p, []float64{1})
	o.Step([]*autograd.Variable{p})
	near(t, "momentum", p.Value.Float64s(), []float64{0.71}, 1e-12)

	// Nesterov: step 1 v=1, update g+0.9v = 1.9, p = 1-0.19 = 0.81;
	// step 2 v = 1.9, update 1+0.9*1.9 = 2.71, p = 0.81-0.271 = 0.539.
	p = param(t, []float64{1}, []float64{1})
	o = NewSGD(0.1)
	o.Momentum, o.Nesterov = 0.9, true
	o.Step([]*autograd.Variable{p})
	setGrad(p, []float64{1})
	o.Step([]*autograd.Variable{p})
	near(t, "nesterov", p.Value.Float64s(), []float64{0.539}, 1e-12)

	// Weight decay 0.5: g = 1 + 0.5*2 = 2, p = 2 - 0.1*2 = 1.8.
	p = param(t, []float64{2}, []float64{1})
	o = NewSGD(0.1)
	o.WeightDecay = 0.5
	o.Step([]*autograd.Variable{p})
	near(t, "weight decay", p.Value.Float64s(), []float64{1.8}, 1e-12)
}

func TestAdamHandComputed(t *testing.T) {
	// First Adam step moves each parameter by lr*g/(|g|+eps') (bias
	// correction makes m̂ = g and v̂ = g²): 1 - 0.01 and -1 + 0.01.
	p := param(t, []float64{1, -1}, []float64{3, -0.2})
	o := NewAdam(0.01)
	o.Epsilon = 1e-8
	o.Step([]*autograd.Variable{p})
	near(t, "adam step 1", p.Value.Float64s(), []float64{0.99, -0.99}, 1e-7)

	// Second step with gradient 1 after 3:
	// m = 0.9*0.3 + 0.1 = 0.37, m̂ = 0.37/0.19; v = 0.999*0.009 + 0.001 = 0.009991,
	// v̂ = 0.009991/0.001999; p = 0.99 - 0.01*m̂/sqrt(v̂).
	setGrad(p, []float64{1, -0.2})
	o.Step([]*autograd.Variable{p})
	mh := 0.37 / 0.19
	vh := 0.009991 / (1 - 0.999*0.999)
	near(t, "adam step 2", p.Value.Float64s()[:1], []float64{0.99 - 0.01*mh/math.Sqrt(vh)}, 1e-7)
	// Constant gradient: m̂ = g, v̂ = g², step = lr again.
	near(t, "adam step 2 const", p.Value.Float64s()[1:], []float64{-0.98}, 1e-7)
}

func TestAdamW(t *testing.T) {
	// Decoupled decay: p = 2*(1-0.1*0.5) = 1.9, then the Adam step of 0.1.
	p := param(t, []float64{2}, []float64{4})
	o := NewAdamW(0.1, 0.5)
	o.Epsilon = 1e-8
	o.Step([]*autograd.Variable{p})
	near(t, "adamw", p.Value.Float64s(), []float64{1.8}, 1e-7)
	if o.Name() != "AdamW" || NewAdam(1).Name() != "Adam" {
		t.Fatalf("names %q %q", o.Name(), NewAdam(1).Name())
	}
}

func TestRMSpropHandComputed(t *testing.T) {
	// sq = 0.1*4 = 0.4; p = 1 - 0.01*2/sqrt(0.4).
	p := param(t, []float64{1}, []float64{2})
	o := NewRMSprop(0.01)
	o.Epsilon = 0
	o.Step([]*autograd.Variable{p})
	near(t, "rmsprop", p.Value.Float64s(), []float64{1 - 0.01*2/math.Sqrt(0.4)}, 1e-12)

	// With momentum 0.5, two steps of gradient 2:
	// u1 = 2/sqrt(0.4), b1 = u1; sq2 = 0.36+0.4 = 0.76, u2 = 2/sqrt(0.76), b2 = 0.5*b1+u2.
	p = param(t, []float64{1}, []float64{2})
	o = NewRMSprop(0.01)
	o.Epsilon, o.Momentum = 0, 0.5
	o.Step([]*autograd.Variable{p})
	setGrad(p, []float64{2})
	o.Step([]*autograd.Variable{p})
	u1, u2 := 2/math.Sqrt(0.4), 2/math.Sqrt(0.76)
	near(t, "rmsprop momentum", p.Value.Float64s(), []float64{1 - 0.01*u1 - 0.01*(0.5*u1+u2)}, 1e-12)
}

func TestAdagradHandComputed(t *testing.T) {
	// s = 0.1 + 9 = 9.1; p = 1 - 0.5*3/sqrt(9.1).
	p := param(t, []float64{1}, []float64{3})
	o := NewAdagrad(0.5)
	o.Epsilon = 0
	o.Step([]*autograd.Variable{p})
	near(t, "adagrad", p.Value.Float64s(), []float64{1 - 0.5*3/math.Sqrt(9.1)}, 1e-12)
	// s = 9.1 + 1 = 10.1.
	setGrad(p, []float64{1})
	o.Step([]*autograd.Variable{p})
	near(t, "adagrad 2", p.Value.Float64s(), []float64{1 - 0.5*3/math.Sqrt(9.1) - 0.5/math.Sqrt(10.1)}, 1e-12)
}

func TestSkipsParamsWithoutGradient(t *testing.T) {
	p := autograd.NewParam(tensor.FromSlice(tensor.Float32, []float64{1, 2}, 2), "p")
	for _, o := range []Optimizer{NewSGD(0.1), NewAdam(0.1), NewRMSprop(0.1), NewAdagrad(0.1)} {
		o.Step([]*autograd.Variable{p})
		near(t, "untouched", p.Value.Float64s(), []float64{1, 2}, 0)
	}
}

func TestFloat32MatchesFloat64(t *testing.T) {
	mk := func(dt tensor.DType) *autograd.Variable {
		v := autograd.NewParam(tensor.FromSlice(dt, []float64{0.5, -1.5, 2, 0}, 4), "p")
		setGrad(v, []float64{0.1, -0.3, 2, -1})
		return v
	}
	for _, newOpt := range []func() Optimizer{
		func() Optimizer { o := NewSGD(0.1); o.Momentum = 0.9; return o },
		func() Optimizer { return NewAdam(0.01) },
		func() Optimizer { return NewRMSprop(0.01) },
		func() Optimizer { return NewAdagrad(0.1) },
	} {
		a, b := mk(tensor.Float32), mk(tensor.Float64)
		oa, ob := newOpt(), newOpt()
		for i := 0; i < 3; i++ {
			oa.Step([]*autograd.Variable{a})
			ob.Step([]*autograd.Variable{b})
		}
		near(t, "f32 vs f64", a.Value.Float64s(), b.Value.Float64s(), 1e-5)
	}
}

func TestClipping(t *testing.T) {
	a := param(t, []float64{0, 0}, []float64{3, 4})
	b := param(t, []float64{0}, []float64{12})
	ps := []*autograd.Variable{a, b}
	if n := GlobalNorm(ps); math.Abs(n-13) > 1e-12 {
		t.Fatalf("global norm %v, want 13", n)
	}
	if n := ClipGradNorm(ps, 6.5); math.Abs(n-13) > 1e-12 {
		t.Fatalf("ClipGradNorm returned %v, want 13", n)
	}
	near(t, "clip norm a", a.Gradient().Float64s(), []float64{1.5, 2}, 1e-6)
	near(t, "clip norm b", b.Gradient().Float64s(), []float64{6}, 1e-6)
	// Below the bound: unchanged.
	ClipGradNorm(ps, 100)
	near(t, "unclipped", b.Gradient().Float64s(), []float64{6}, 1e-6)
	ClipGradValue(ps, 1.75)
	near(t, "clip value a", a.Gradient().Float64s(), []float64{1.5, 1.75}, 1e-6)
	near(t, "clip value b", b.Gradient().Float64s(), []float64{1.75}, 0)

	// Clip through an optimizer: gradient 10 clipped to 1 then SGD lr 1.
	p := param(t, []float64{0}, []float64{10})
	o := NewSGD(1)
	o.ClipValue = 1
	o.Step([]*autograd.Variable{p})
	near(t, "optimizer clipvalue", p.Value.Float64s(), []float64{-1}, 0)
	if o.Config()["clipvalue"] != 1.0 {
		t.Fatalf("config %v lacks clipvalue", o.Config())
	}
}

func TestNoAllocationPerStep(t *testing.T) {
	p := autograd.NewParam(tensor.RandN(tensor.Float32, tensor.NewRand(1), 64, 32), "w")
	q := autograd.NewParam(tensor.RandN(tensor.Float32, tensor.NewRand(2), 32), "b")
	ps := []*autograd.Variable{p, q}
	setGrad(q, make([]float64, 32))
	tp := autograd.NewTape()
	tp.Backward(autograd.Sum(autograd.Mul(p, tp.Constant(tensor.Ones(tensor.Float32, 64, 32)))))
	tp.Reset()
	for _, o := range []Optimizer{NewSGD(0.1), NewAdam(0.01), NewRMSprop(0.01), NewAdagrad(0.1)} {
		o.Step(ps) // creates state
		allocs := testing.AllocsPerRun(20, func() { o.Step(ps) })
		// The worker pool's per-call bookkeeping is the only allocation
		// left: a few small objects per parameter, never the state.
		if allocs > 8 {
			t.Errorf("%T allocates %.0f objects per step", o, allocs)
		}
	}
}
