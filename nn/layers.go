package nn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// ---- Dense ----

type denseConfig struct {
	Units      int     `json:"units"`
	Activation string  `json:"activation"`
	Alpha      float64 `json:"alpha,omitempty"`
	UseBias    bool    `json:"use_bias"`
	KernelInit string  `json:"kernel_initializer"`
	BiasInit   string  `json:"bias_initializer"`
}

// DenseLayer is a fully connected layer: act(x @ kernel + bias) on inputs
// of shape [N, features].
type DenseLayer struct {
	base
	cfg          denseConfig
	kernel, bias *autograd.Variable
}

// Dense returns a fully connected layer with the given number of units.
// Options: WithActivation, WithUseBias, WithKernelInitializer,
// WithBiasInitializer, WithAlpha, WithName.
func Dense(units int, opts ...Option) *DenseLayer {
	o := collect(opts)
	l := &DenseLayer{base: base{typ: "Dense", name: o.name}, cfg: denseConfig{
		Units: units, Activation: deref(o.activation, "linear"), UseBias: deref(o.useBias, true),
		KernelInit: deref(o.kernelInit, "glorot_uniform"), BiasInit: deref(o.biasInit, "zeros"),
	}}
	l.cfg.Alpha = deref(o.alpha, defaultAlpha(l.cfg.Activation))
	l.err = firstErr(
		o.check("Dense", "activation", "use_bias", "kernel_initializer", "bias_initializer", "alpha"),
		positive("units", units), checkActivation(l.cfg.Activation),
		checkInitializer(l.cfg.KernelInit), checkInitializer(l.cfg.BiasInit))
	return l
}

func init() {
	register("Dense", func(raw json.RawMessage) (Layer, error) {
		var c denseConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		l := Dense(c.Units, WithActivation(c.Activation), WithUseBias(c.UseBias), WithKernelInitializer(c.KernelInit), WithBiasInitializer(c.BiasInit), WithAlpha(c.Alpha))
		return l, l.err
	})
}

// Build implements Layer.
func (l *DenseLayer) Build(in []int, dt tensor.DType, rng *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	if len(in) != 1 {
		return l.errorf("input shape %v, want one feature axis (add Flatten before Dense)", in)
	}
	l.kernel = autograd.NewParam(initialize(l.cfg.KernelInit, dt, rng, in[0], l.cfg.Units), l.name+"/kernel")
	if l.cfg.UseBias {
		l.bias = autograd.NewParam(initialize(l.cfg.BiasInit, dt, rng, l.cfg.Units), l.name+"/bias")
	}
	return l.finish([]int{l.cfg.Units})
}

// Kernel returns the [in, units] weight matrix.
func (l *DenseLayer) Kernel() *autograd.Variable { return l.kernel }

// Bias returns the bias (nil without one).
func (l *DenseLayer) Bias() *autograd.Variable { return l.bias }

// ForwardLogits implements logitsLayer.
func (l *DenseLayer) ForwardLogits(c *Call, x *autograd.Variable) (*autograd.Variable, string) {
	return biasAct(autograd.MatMul(x, l.kernel), l.bias, "linear", 0), l.cfg.Activation
}

// Forward implements Layer.
func (l *DenseLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	return biasAct(autograd.MatMul(x, l.kernel), l.bias, l.cfg.Activation, l.cfg.Alpha)
}

// Params implements Layer.
func (l *DenseLayer) Params() []*autograd.Variable { return nonNil(l.kernel, l.bias) }

// Weights implements Layer.
func (l *DenseLayer) Weights() []*autograd.Variable { return l.Params() }

// Config implements Layer.
func (l *DenseLayer) Config() LayerConfig { return l.config(l.cfg) }

// biasAct adds the bias (if any) and applies the activation, fused in one
// pass where the activation allows.
func biasAct(y, bias *autograd.Variable, act string, alpha float64) *autograd.Variable {
	if bias != nil {
		if a, ok := fusable(act); ok {
			return autograd.BiasAct(y, bias, a)
		}
		y = autograd.BiasAct(y, bias, autograd.Linear)
	}
	return applyActivation(act, alpha, y)
}

// ---- Dropout ----

type dropoutConfig struct {
	Rate float64 `json:"rate"`
	Seed *uint64 `json:"seed,omitempty"`
}

// DropoutLayer zeroes a random fraction of its inputs while training and
// scales the rest by 1/(1-rate); it passes inputs through unchanged
// otherwise.
type DropoutLayer struct {
	base
	cfg   dropoutConfig
	calls uint64
}

// Dropout returns a dropout layer with the given rate in [0, 1).
func Dropout(rate float64, opts ...Option) *DropoutLayer {
	o := collect(opts)
	l := &DropoutLayer{base: base{typ: "Dropout", name: o.name}, cfg: dropoutConfig{Rate: rate, Seed: o.seed}}
	l.err = o.check("Dropout", "seed")
	if l.err == nil && !(rate >= 0 && rate < 1) {
		l.err = fmt.Errorf("rate %v outside [0, 1)", rate)
	}
	return l
}

func init() {
	register("Dropout", func(raw json.RawMessage) (Layer, error) {
		var c dropoutConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		var opts []Option
		if c.Seed != nil {
			opts = append(opts, WithSeed(*c.Seed))
		}
		l := Dropout(c.Rate, opts...)
		return l, l.err
	})
}

// Build implements Layer.
func (l *DropoutLayer) Build(in []int, dt tensor.DType, _ *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	return l.finish(in)
}

// Forward implements Layer.
func (l *DropoutLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	if !c.Training || l.cfg.Rate == 0 {
		return x
	}
	seed := c.seed()
	if l.cfg.Seed != nil {
		l.calls++
		seed = mix(*l.cfg.Seed, l.calls)
	}
	return autograd.Dropout(x, l.cfg.Rate, seed)
}

// Config implements Layer.
func (l *DropoutLayer) Config() LayerConfig { return l.config(l.cfg) }

// ---- Flatten ----

// FlattenLayer reshapes each example to one axis.
type FlattenLayer struct{ base }

// Flatten returns a layer that flattens each example, [N, ...] to [N, k].
func Flatten(opts ...Option) *FlattenLayer {
	o := collect(opts)
	l := &FlattenLayer{base: base{typ: "Flatten", name: o.name}}
	l.err = o.check("Flatten")
	return l
}

func init() {
	register("Flatten", func(raw json.RawMessage) (Layer, error) {
		var c struct{}
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		return Flatten(), nil
	})
}

// Build implements Layer.
func (l *FlattenLayer) Build(in []int, dt tensor.DType, _ *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	return l.finish([]int{prod(in)})
}

// Forward implements Layer.
func (l *FlattenLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	if x.Value.Dim() == 2 {
		return x
	}
	return autograd.Flatten(x)
}

// Config implements Layer.
func (l *FlattenLayer) Config() LayerConfig { return l.config(struct{}{}) }

// ---- BatchNormalization ----

type batchNormConfig struct {
	Momentum float64 `json:"momentum"`
	Epsilon  float64 `json:"epsilon"`
}

// BatchNormalizationLayer normalizes each channel (axis 1: the features of
// [N, F], the channels of [N, C, H, W]) by the batch's statistics while
// training and by moving averages of them otherwise, then scales by gamma
// and shifts by beta.
type BatchNormalizationLayer struct {
	base
	cfg                   batchNormConfig
	gamma, beta           *autograd.Variable
	movingMean, movingVar *autograd.Variable
}

// BatchNormalization returns a batch-normalization layer. Options:
// WithMomentum (default 0.99), WithEpsilon (default 1e-3), WithName.
func BatchNormalization(opts ...Option) *BatchNormalizationLayer {
	o := collect(opts)
	l := &BatchNormalizationLayer{base: base{typ: "BatchNormalization", name: o.name}, cfg: batchNormConfig{
		Momentum: deref(o.momentum, 0.99), Epsilon: deref(o.epsilon, 1e-3)}}
	l.err = o.check("BatchNormalization", "momentum", "epsilon")
	if l.err == nil && !(l.cfg.Momentum >= 0 && l.cfg.Momentum <= 1) {
		l.err = fmt.Errorf("momentum %v outside [0, 1]", l.cfg.Momentum)
	}
	if l.err == nil && !(l.cfg.Epsilon > 0) {
		l.err = fmt.Errorf("epsilon %v, want > 0", l.cfg.Epsilon)
	}
	return l
}

func init() {
	register("BatchNormalization", func(raw json.RawMessage) (Layer, error) {
		var c batchNormConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		l := BatchNormalization(WithMomentum(c.Momentum), WithEpsilon(c.Epsilon))
		return l, l.err
	})
}

// Build implements Layer.
func (l *BatchNormalizationLayer) Build(in []int, dt tensor.DType, _ *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	if len(in) != 1 && len(in) != 3 {
		return l.errorf("input shape %v, want (features) or (channels, height, width)", in)
	}
	c := in[0]
	l.gamma = autograd.NewParam(tensor.Ones(dt, c), l.name+"/gamma")
	l.beta = autograd.NewParam(tensor.Zeros(dt, c), l.name+"/beta")
	l.movingMean = autograd.Constant(tensor.Zeros(dt, c))
	l.movingMean.Name = l.name + "/moving_mean"
	l.movingVar = autograd.Constant(tensor.Ones(dt, c))
	l.movingVar.Name = l.name + "/moving_variance"
	return l.finish(in)
}

// Forward implements Layer.
func (l *BatchNormalizationLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	if !c.Training {
		return autograd.BatchNormInference(x, l.gamma, l.beta, l.movingMean.Value, l.movingVar.Value, l.cfg.Epsilon)
	}
	y, mean, vr := autograd.BatchNorm(x, l.gamma, l.beta, l.cfg.Epsilon)
	m := l.cfg.Momentum
	if dev := l.movingMean.Value.Device(); !dev.IsCPU() {
		// The statistics live on the device: update host copies and
		// write them back (C values a step).
		mm, mv := l.movingMean.Value.To(tensor.CPU), l.movingVar.Value.To(tensor.CPU)
		updateMoving(mm, mean, m)
		updateMoving(mv, vr, m)
		l.movingMean.Value.CopyFrom(mm.To(dev))
		l.movingVar.Value.CopyFrom(mv.To(dev))
		return y
	}
	updateMoving(l.movingMean.Value, mean, m)
	updateMoving(l.movingVar.Value, vr, m)
	return y
}

// updateMoving sets avg = avg·m + batch·(1 − m) in place (avg on the CPU).
func updateMoving(avg *tensor.Tensor, batch []float64, m float64) {
	a := avg.Float64s()
	for i := range batch {
		a[i] = a[i]*m + batch[i]*(1-m)
	}
	if avg.DType() != tensor.Float64 {
		// Float64s copied: write back.
		copy(avg.Float32s(), toF32(a))
	}
}

// Params implements Layer.
func (l *BatchNormalizationLayer) Params() []*autograd.Variable { return nonNil(l.gamma, l.beta) }

// Weights implements Layer.
func (l *BatchNormalizationLayer) Weights() []*autograd.Variable {
	return nonNil(l.gamma, l.beta, l.movingMean, l.movingVar)
}

// Config implements Layer.
func (l *BatchNormalizationLayer) Config() LayerConfig { return l.config(l.cfg) }

// ---- helpers ----

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func positive(what string, v int) error {
	if v <= 0 {
		return fmt.Errorf("%s %d, want > 0", what, v)
	}
	return nil
}

func nonNil(vs ...*autograd.Variable) []*autograd.Variable {
	out := make([]*autograd.Variable, 0, len(vs))
	for _, v := range vs {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

func prod(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
