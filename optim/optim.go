// Package optim updates a model's parameters from their gradients: SGD
// (momentum, Nesterov, weight decay), Adam, AdamW, RMSprop and Adagrad, each
// a fused kernel on the parameters' own device that allocates nothing per
// step once its state exists; learning-rate schedules (StepLR,
// ExponentialLR, CosineAnnealing, ReduceLROnPlateau); and gradient clipping
// by global norm and by value.
//
// An optimizer keeps its per-parameter state (moments, velocities) keyed by
// the parameter variable, created on the first Step that sees a gradient for
// it. Parameters without a gradient (Gradient() == nil) are skipped and
// their state is left untouched.
package optim

import (
	"fmt"
	"math"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// Optimizer updates parameters in place from their accumulated gradients.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	Step(params []*autograd.Variable)
	// LR returns the current learning rate.
	LR() float64
	// SetLR sets the learning rate used by the following steps (schedules
	// and callbacks call it between epochs).
	SetLR(lr float64)
}

// Configurable is implemented by every optimizer of this package: it names
// the algorithm and gives its hyper-parameters, for saving a training
// configuration.
type Configurable interface {
	Name() string
	Config() map[string]any
}

// Clip holds the optional gradient clipping an optimizer applies before
// each update, as Keras's clipnorm and clipvalue: ClipNorm > 0 rescales the
// gradients of all parameters together so their global L2 norm is at most
// ClipNorm; ClipValue > 0 clamps every gradient element to
// [-ClipValue, ClipValue]. Norm clipping runs first.
type Clip struct {
	ClipNorm  float64
	ClipValue float64
}

func (c Clip) apply(params []*autograd.Variable) {
	if c.ClipNorm > 0 {
		ClipGradNorm(params, c.ClipNorm)
	}
	if c.ClipValue > 0 {
		ClipGradValue(params, c.ClipValue)
	}
}

func (c Clip) config(m map[string]any) map[string]any {
	if c.ClipNorm > 0 {
		m["clipnorm"] = c.ClipNorm
	}
	if c.ClipValue > 0 {
		m["clipvalue"] = c.ClipValue
	}
	return m
}

// GlobalNorm returns the L2 norm of the gradients of params taken
// together (parameters without a gradient count as zero).
func GlobalNorm(params []*autograd.Variable) float64 {
	var s float64
	for _, p := range params {
		g := p.Gradient()
		if g == nil {
			continue
		}
		s += sumSquares(g)
	}
	return math.Sqrt(s)
}

func sumSquares(g *tensor.Tensor) float64 {
	if g.Device().IsCPU() && g.IsContiguous() {
		var s float64
		if g.DType() == tensor.Float32 {
			var acc float32
			for i, v := range g.Float32s() {
				acc += v * v
				if i&1023 == 1023 {
					s += float64(acc)
					acc = 0
				}
			}
			return s + float64(acc)
		}
		for _, v := range g.Float64s() {
			s += v * v
		}
		return s
	}
	return tensor.Dot(g, g)
}

// ClipGradNorm rescales the gradients of params in place so that their
// global L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_ does,
// and returns the norm before clipping. It panics if maxNorm is not
// positive.
func ClipGradNorm(params []*autograd.Variable, maxNorm float64) float64 {
	if !(maxNorm > 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm with max norm %v, want > 0", maxNorm))
	}
	n := GlobalNorm(params)
	if n <= maxNorm || n == 0 || math.IsNaN(n) {
		return n
	}
	scale := maxNorm / (n + 1e-6)
	for _, p := range params {
		if g := p.Gradient(); g != nil {
			tensor.UnaryTo(g, tensor.OpMulScalar, g, scale, 0)
		}
	}
	return n
}

// ClipGradValue clamps every gradient element of params to [-v, v] in
// place. It panics if v is not positive.
func ClipGradValue(params []*autograd.Variable, v float64) {
	if !(v > 0) {
		panic(fmt.Sprintf("optim: ClipGradValue with bound %v, want > 0", v))
	}
	for _, p := range params {
		if g := p.Gradient(); g != nil {
			tensor.UnaryTo(g, tensor.OpClip, g, -v, v)
		}
	}
}

// stateOf returns the state slots of p, creating n zeroed tensors like p's
// value on first use.
func stateOf(m map[*autograd.Variable][]*tensor.Tensor, p *autograd.Variable, n int) []*tensor.Tensor {
	s, ok := m[p]
	if !ok {
		s = make([]*tensor.Tensor, n)
		for i := range s {
			s[i] = tensor.ZerosLike(p.Value)
		}
		m[p] = s
	}
	return s
}

func checkLR(op string, lr float64) {
	if !(lr >= 0) || math.IsInf(lr, 0) {
		panic(fmt.Sprintf("optim: %s learning rate %v, want a finite value >= 0", op, lr))
	}
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, in PyTorch's formulation:
// g += wd*p; v = momentum*v + g; p -= lr*(nesterov ? g + momentum*v : v).
type SGD struct {
	LearningRate float64
	Momentum     float64
	Nesterov     bool
	WeightDecay  float64
	Clip

	vel map[*autograd.Variable][]*tensor.Tensor
}

// NewSGD returns plain SGD with the learning rate lr; set the fields for
// momentum, Nesterov and weight decay.
func NewSGD(lr float64) *SGD {
	checkLR("SGD", lr)
	return &SGD{LearningRate: lr}
}

// Step implements Optimizer.
func (o *SGD) Step(params []*autograd.Variable) {
	o.Clip.apply(params)
	if o.vel == nil {
		o.vel = map[*autograd.Variable][]*tensor.Tensor{}
	}
	h := tensor.OptimizerStep{LR: o.LearningRate, Beta1: o.Momentum, WeightDecay: o.WeightDecay, Nesterov: o.Nesterov}
	for _, p := range params {
		g := p.Gradient()
		if g == nil {
			continue
		}
		var v *tensor.Tensor
		if o.Momentum != 0 {
			v = stateOf(o.vel, p, 1)[0]
		}
		tensor.SGDStep(p.Value, g, v, h)
	}
}

// LR implements Optimizer.
func (o *SGD) LR() float64 { return o.LearningRate }

// SetLR implements Optimizer.
func (o *SGD) SetLR(lr float64) { checkLR("SGD", lr); o.LearningRate = lr }

// Name implements Configurable.
func (o *SGD) Name() string { return "SGD" }

// Config implements Configurable.
func (o *SGD) Config() map[string]any {
	return o.Clip.config(map[string]any{"learning_rate": o.LearningRate, "momentum": o.Momentum, "nesterov": o.Nesterov, "weight_decay": o.WeightDecay})
}

// Adam is the Adam optimizer (Kingma and Ba), with bias correction and
// PyTorch's placement of epsilon: p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
// WeightDecay adds wd*p to the gradient (L2, as torch.optim.Adam). The step
// count t is kept per parameter.
type Adam struct {
	LearningRate float64
	Beta1, Beta2 float64
	Epsilon      float64
	WeightDecay  float64
	Clip

	decoupled bool
	state     map[*autograd.Variable]*adamState
}

type adamState struct {
	m, v *tensor.Tensor
	step int
}

// NewAdam returns Adam with the learning rate lr and Keras's defaults
// beta1 0.9, beta2 0.999, epsilon 1e-7.
func NewAdam(lr float64) *Adam {
	checkLR("Adam", lr)
	return &Adam{LearningRate: lr, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// NewAdamW returns Adam with decoupled weight decay (Loshchilov and
// Hutter): each step first scales p by 1 - lr*weightDecay. Keras's and
// PyTorch's default weightDecay is 0.004 and 0.01 respectively.
func NewAdamW(lr, weightDecay float64) *Adam {
	o := NewAdam(lr)
	o.WeightDecay = weightDecay
	o.decoupled = true
	return o
}

// Step implements Optimizer.
func (o *Adam) Step(params []*autograd.Variable) {
	o.Clip.apply(params)
	if o.state == nil {
		o.state = map[*autograd.Variable]*adamState{}
	}
	h := tensor.OptimizerStep{LR: o.LearningRate, Beta1: o.Beta1, Beta2: o.Beta2, Eps: o.Epsilon, WeightDecay: o.WeightDecay, Decoupled: o.decoupled}
	for _, p := range params {
		g := p.Gradient()
		if g == nil {
			continue
		}
		s := o.state[p]
		if s == nil {
			s = &adamState{m: tensor.ZerosLike(p.Value), v: tensor.ZerosLike(p.Value)}
			o.state[p] = s
		}
		s.step++
		h.Step = s.step
		tensor.AdamStep(p.Value, g, s.m, s.v, h)
	}
}

// LR implements Optimizer.
func (o *Adam) LR() float64 { return o.LearningRate }

// SetLR implements Optimizer.
func (o *Adam) SetLR(lr float64) { checkLR(o.Name(), lr); o.LearningRate = lr }

// Name implements Configurable ("Adam" or "AdamW").
func (o *Adam) Name() string {
	if o.decoupled {
		return "AdamW"
	}
	return "Adam"
}

// Config implements Configurable.
func (o *Adam) Config() map[string]any {
	return o.Clip.config(map[string]any{"learning_rate": o.LearningRate, "beta_1": o.Beta1, "beta_2": o.Beta2, "epsilon": o.Epsilon, "weight_decay": o.WeightDecay})
}

// RMSprop divides the gradient by a running root mean square of recent
// gradients: sq = rho*sq + (1-rho)*g^2; u = g/(sqrt(sq)+eps); with momentum
// mu, b = mu*b + u and p -= lr*b, else p -= lr*u (PyTorch's formulation).
type RMSprop struct {
	LearningRate float64
	Rho          float64
	Momentum     float64
	Epsilon      float64
	WeightDecay  float64
	Clip

	state map[*autograd.Variable][]*tensor.Tensor
}

// NewRMSprop returns RMSprop with the learning rate lr and Keras's defaults
// rho 0.9, epsilon 1e-7, no momentum.
func NewRMSprop(lr float64) *RMSprop {
	checkLR("RMSprop", lr)
	return &RMSprop{LearningRate: lr, Rho: 0.9, Epsilon: 1e-7}
}

// Step implements Optimizer.
func (o *RMSprop) Step(params []*autograd.Variable) {
	o.Clip.apply(params)
	if o.state == nil {
		o.state = map[*autograd.Variable][]*tensor.Tensor{}
	}
	h := tensor.OptimizerStep{LR: o.LearningRate, Beta1: o.Momentum, Beta2: o.Rho, Eps: o.Epsilon, WeightDecay: o.WeightDecay}
	for _, p := range params {
		g := p.Gradient()
		if g == nil {
			continue
		}
		s := stateOf(o.state, p, 2)
		var mom *tensor.Tensor
		if o.Momentum != 0 {
			mom = s[1]
		}
		tensor.RMSpropStep(p.Value, g, s[0], mom, h)
	}
}

// LR implements Optimizer.
func (o *RMSprop) LR() float64 { return o.LearningRate }

// SetLR implements Optimizer.
func (o *RMSprop) SetLR(lr float64) { checkLR("RMSprop", lr); o.LearningRate = lr }

// Name implements Configurable.
func (o *RMSprop) Name() string { return "RMSprop" }

// Config implements Configurable.
func (o *RMSprop) Config() map[string]any {
	return o.Clip.config(map[string]any{"learning_rate": o.LearningRate, "rho": o.Rho, "momentum": o.Momentum, "epsilon": o.Epsilon, "weight_decay": o.WeightDecay})
}

// Adagrad scales each parameter's step by the root of its accumulated
// squared gradients: s += g^2; p -= lr*g/(sqrt(s)+eps). The accumulator
// starts at InitialAccumulator.
type Adagrad struct {
	LearningRate       float64
	InitialAccumulator float64
	Epsilon            float64
	WeightDecay        float64
	Clip

	state map[*autograd.Variable]*tensor.Tensor
}

// NewAdagrad returns Adagrad with the learning rate lr and Keras's defaults
// initial accumulator 0.1 and epsilon 1e-7.
func NewAdagrad(lr float64) *Adagrad {
	checkLR("Adagrad", lr)
	return &Adagrad{LearningRate: lr, InitialAccumulator: 0.1, Epsilon: 1e-7}
}

// Step implements Optimizer.
func (o *Adagrad) Step(params []*autograd.Variable) {
	o.Clip.apply(params)
	if o.state == nil {
		o.state = map[*autograd.Variable]*tensor.Tensor{}
	}
	h := tensor.OptimizerStep{LR: o.LearningRate, Eps: o.Epsilon, WeightDecay: o.WeightDecay}
	for _, p := range params {
		g := p.Gradient()
		if g == nil {
			continue
		}
		s := o.state[p]
		if s == nil {
			s = tensor.ZerosLike(p.Value)
			if o.InitialAccumulator != 0 {
				s.Fill(o.InitialAccumulator)
			}
			o.state[p] = s
		}
		tensor.AdagradStep(p.Value, g, s, h)
	}
}

// LR implements Optimizer.
func (o *Adagrad) LR() float64 { return o.LearningRate }

// SetLR implements Optimizer.
func (o *Adagrad) SetLR(lr float64) { checkLR("Adagrad", lr); o.LearningRate = lr }

// Name implements Configurable.
func (o *Adagrad) Name() string { return "Adagrad" }

// Config implements Configurable.
func (o *Adagrad) Config() map[string]any {
	return o.Clip.config(map[string]any{"learning_rate": o.LearningRate, "initial_accumulator_value": o.InitialAccumulator, "epsilon": o.Epsilon, "weight_decay": o.WeightDecay})
}
