// Package nn is ember's Keras-like neural-network API: layers (Dense,
// Conv2D, pooling, BatchNormalization, Dropout, ...) that build themselves
// from the first input shape they see, a Sequential Model with Compile,
// Fit, Evaluate and Predict, losses, metrics, callbacks, a Keras-style
// Summary, and Save/Load as safetensors weights beside a JSON architecture.
//
// Images are channels-first, [N, C, H, W], as in PyTorch: a Conv2D layer
// takes per-example shapes (C, H, W), or (H, W) for one channel. Dense
// kernels are stored [in, out] as in Keras; Conv2D kernels [out, in, kh,
// kw] as in PyTorch.
//
// Layers run on autograd variables; training uses the fused primitives
// (bias plus activation in one pass, a Conv2D followed by 2×2 max pooling
// as one step, softmax fused with cross-entropy) and a tape that hands
// every intermediate tensor back to the allocator after each step, so a
// training loop reuses the same memory. Models run on the CPU, or on a GPU
// after Model.To (see the cuda package): the same layers, with the fused
// CPU loops replaced by tensor ops that run on the device.
package nn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// Layer is one stage of a network.
type Layer interface {
	// Name returns the layer's unique name in its model ("dense_1").
	Name() string
	// Type returns the layer's kind ("Dense").
	Type() string
	// Build creates the layer's weights for per-example inputs of shape in
	// (without the batch dimension) and element type dt, drawing initial
	// values from rng. It returns an error naming the layer and the shape
	// when the layer cannot take that input.
	Build(in []int, dt tensor.DType, rng *rand.Rand) error
	// Built reports whether Build has succeeded.
	Built() bool
	// OutputShape returns the per-example output shape (after Build).
	OutputShape() []int
	// Forward computes the layer on a batch.
	Forward(c *Call, x *autograd.Variable) *autograd.Variable
	// Params returns the trainable weights (after Build).
	Params() []*autograd.Variable
	// Weights returns every weight that is saved: the trainable ones, then
	// non-trainable state such as BatchNormalization's moving statistics.
	Weights() []*autograd.Variable
	// Config describes the layer for saving.
	Config() LayerConfig
}

// Call carries the state of one forward pass through the layers.
type Call struct {
	// Training selects training behaviour (dropout active, batch
	// statistics in BatchNormalization).
	Training bool
	// Seed seeds the randomness of this pass (dropout masks); each layer
	// derives its own stream from it and its position.
	Seed  uint64
	layer int
}

// seed returns the random seed for the current layer.
func (c *Call) seed() uint64 {
	return mix(c.Seed, uint64(c.layer)+1)
}

func mix(a, b uint64) uint64 {
	z := a ^ (b * 0x9e3779b97f4a7c15)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// LayerConfig is the saved description of a layer: its type, name and
// hyper-parameters (a JSON object specific to the type).
type LayerConfig struct {
	Type   string          `json:"type"`
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config"`
}

// base holds what every layer shares.
type base struct {
	name    string
	typ     string
	built   bool
	in, out []int
	dtype   tensor.DType
	err     error // a configuration error, reported by Build
}

func (b *base) Name() string        { return b.name }
func (b *base) Type() string        { return b.typ }
func (b *base) Built() bool         { return b.built }
func (b *base) OutputShape() []int  { return slices.Clone(b.out) }
func (b *base) setName(name string) { b.name = name }
func (b *base) inputShape() []int   { return slices.Clone(b.in) }

// Params returns nothing for layers without weights.
func (b *base) Params() []*autograd.Variable { return nil }

// Weights returns nothing for layers without weights.
func (b *base) Weights() []*autograd.Variable { return nil }

func (b *base) errorf(format string, args ...any) error {
	return fmt.Errorf("nn: layer %q (%s): %s", b.name, b.typ, fmt.Sprintf(format, args...))
}

// start checks the configuration error and records the input shape.
func (b *base) start(in []int, dt tensor.DType) error {
	if b.err != nil {
		return b.errorf("%v", b.err)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return b.errorf("element type %v, want float32 or float64", dt)
	}
	for _, d := range in {
		if d <= 0 {
			return b.errorf("input shape %v has a non-positive dimension", in)
		}
	}
	b.in = slices.Clone(in)
	b.dtype = dt
	return nil
}

func (b *base) finish(out []int) error {
	b.out = slices.Clone(out)
	b.built = true
	return nil
}

func (b *base) config(v any) LayerConfig {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("nn: config of %s: %v", b.typ, err))
	}
	return LayerConfig{Type: b.typ, Name: b.name, Config: raw}
}

// namer is implemented by layers whose name can be set.
type namer interface{ setName(string) }

// layerFactories maps a layer type to a constructor from its JSON config.
var layerFactories = map[string]func(raw json.RawMessage) (Layer, error){}

func register(typ string, f func(raw json.RawMessage) (Layer, error)) { layerFactories[typ] = f }

// strictUnmarshal decodes raw into v, rejecting unknown fields.
func strictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytesReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the config object")
	}
	return nil
}

// LayerFromConfig makes an unbuilt layer from its saved description.
func LayerFromConfig(c LayerConfig) (Layer, error) {
	f, ok := layerFactories[c.Type]
	if !ok {
		return nil, fmt.Errorf("nn: unknown layer type %q (layer %q)", c.Type, c.Name)
	}
	raw := c.Config
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	l, err := f(raw)
	if err != nil {
		return nil, fmt.Errorf("nn: config of layer %q (%s): %w", c.Name, c.Type, err)
	}
	if c.Name != "" {
		l.(namer).setName(c.Name)
	}
	return l, nil
}

// Option sets a hyper-parameter of a layer. Options that do not apply to a
// layer are reported as an error when the layer is built.
type Option func(*options)

type options struct {
	name       string
	activation *string
	kernelInit *string
	biasInit   *string
	useBias    *bool
	strides    []int
	padding    *string
	dilation   []int
	momentum   *float64
	epsilon    *float64
	alpha      *float64
	seed       *uint64
}

func collect(opts []Option) *options {
	o := &options{}
	for _, f := range opts {
		f(o)
	}
	return o
}

// WithName names the layer (default: its type in snake case and a number).
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithActivation sets the activation applied to the layer's output:
// "linear" (default), "relu", "sigmoid", "tanh", "softmax", "leaky_relu",
// "elu", "gelu", "softplus".
func WithActivation(name string) Option { return func(o *options) { o.activation = &name } }

// WithKernelInitializer sets how a Dense or Conv2D kernel starts:
// "glorot_uniform" (default), "glorot_normal", "he_normal", "he_uniform",
// "lecun_normal", "lecun_uniform", "random_normal", "random_uniform",
// "zeros", "ones".
func WithKernelInitializer(name string) Option { return func(o *options) { o.kernelInit = &name } }

// WithBiasInitializer sets how a bias starts (default "zeros"); the names
// are those of WithKernelInitializer.
func WithBiasInitializer(name string) Option { return func(o *options) { o.biasInit = &name } }

// WithUseBias turns the bias of Dense or Conv2D on (default) or off.
func WithUseBias(use bool) Option { return func(o *options) { o.useBias = &use } }

// WithStrides sets the stride of Conv2D or a pooling layer: one value for
// both axes, or (height, width).
func WithStrides(s ...int) Option { return func(o *options) { o.strides = s } }

// WithPadding sets "valid" (no padding, the default) or "same" (output
// size ceil(input/stride), as Keras) for Conv2D and pooling layers.
func WithPadding(p string) Option { return func(o *options) { o.padding = &p } }

// WithDilation sets the dilation rate of Conv2D: one value or (height,
// width).
func WithDilation(d ...int) Option { return func(o *options) { o.dilation = d } }

// WithMomentum sets BatchNormalization's moving-average momentum (Keras's
// meaning: moving = moving*momentum + batch*(1-momentum); default 0.99).
func WithMomentum(m float64) Option { return func(o *options) { o.momentum = &m } }

// WithEpsilon sets BatchNormalization's variance epsilon (default 1e-3).
func WithEpsilon(e float64) Option { return func(o *options) { o.epsilon = &e } }

// WithAlpha sets the slope of leaky_relu (default 0.3, as Keras) or the
// scale of elu (default 1).
func WithAlpha(a float64) Option { return func(o *options) { o.alpha = &a } }

// WithSeed fixes the seed of a Dropout layer's masks (by default they
// derive from the Fit seed).
func WithSeed(s uint64) Option { return func(o *options) { o.seed = &s } }

// check records options that the layer does not take.
func (o *options) check(typ string, allowed ...string) error {
	has := map[string]bool{
		"activation": o.activation != nil, "kernel_initializer": o.kernelInit != nil,
		"bias_initializer": o.biasInit != nil, "use_bias": o.useBias != nil, "strides": o.strides != nil,
		"padding": o.padding != nil, "dilation_rate": o.dilation != nil, "momentum": o.momentum != nil,
		"epsilon": o.epsilon != nil, "alpha": o.alpha != nil, "seed": o.seed != nil,
	}
	for k, v := range has {
		if v && !slices.Contains(allowed, k) {
			return fmt.Errorf("option %s does not apply to %s", k, typ)
		}
	}
	return nil
}

// pair expands one or two ints into two.
func pair(what string, v []int, def int) ([2]int, error) {
	switch len(v) {
	case 0:
		return [2]int{def, def}, nil
	case 1:
		v = []int{v[0], v[0]}
	case 2:
	default:
		return [2]int{}, fmt.Errorf("%s %v: give one value or two", what, v)
	}
	if v[0] <= 0 || v[1] <= 0 {
		return [2]int{}, fmt.Errorf("%s %v must be positive", what, v)
	}
	return [2]int{v[0], v[1]}, nil
}
