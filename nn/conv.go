package nn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// window computes the convolution/pooling parameters and output size of one
// spatial axis for Keras's "valid" and "same" paddings.
func window(in, k, stride, dil int, padding string) (out, lo, hi int) {
	if padding == "same" {
		out = (in + stride - 1) / stride
		total := max((out-1)*stride+(k-1)*dil+1-in, 0)
		return out, total / 2, total - total/2
	}
	span := (k-1)*dil + 1
	if in < span {
		return 0, 0, 0
	}
	return (in-span)/stride + 1, 0, 0
}

func checkPadding(p string) error {
	if p != "valid" && p != "same" {
		return fmt.Errorf("padding %q, want \"valid\" or \"same\"", p)
	}
	return nil
}

// spatial splits a per-example image shape into channels, height, width;
// (H, W) counts as one channel.
func spatial(in []int) (c, h, w int, ok bool) {
	switch len(in) {
	case 2:
		return 1, in[0], in[1], true
	case 3:
		return in[0], in[1], in[2], true
	}
	return 0, 0, 0, false
}

// as4D views a batch of (H, W) images as [N, 1, H, W].
func as4D(x *autograd.Variable) *autograd.Variable {
	if x.Value.Dim() == 3 {
		s := x.Shape()
		return autograd.Reshape(x, s[0], 1, s[1], s[2])
	}
	return x
}

// ---- Conv2D ----

type convConfig struct {
	Filters    int     `json:"filters"`
	KernelSize [2]int  `json:"kernel_size"`
	Strides    [2]int  `json:"strides"`
	Padding    string  `json:"padding"`
	Dilation   [2]int  `json:"dilation_rate"`
	Activation string  `json:"activation"`
	Alpha      float64 `json:"alpha,omitempty"`
	UseBias    bool    `json:"use_bias"`
	KernelInit string  `json:"kernel_initializer"`
	BiasInit   string  `json:"bias_initializer"`
}

// Conv2DLayer is a 2-D convolution over [N, C, H, W] images (or [N, H, W]
// for one channel), with kernel [filters, C, kh, kw], optional bias and
// activation.
type Conv2DLayer struct {
	base
	cfg          convConfig
	p            tensor.ConvParams
	kernel, bias *autograd.Variable
}

// Conv2D returns a convolution with the given number of filters and a
// kernel×kernel window (Conv2DRect takes a rectangular one). Options: WithStrides, WithPadding,
// WithDilation, WithActivation, WithUseBias, WithKernelInitializer,
// WithBiasInitializer, WithAlpha, WithName.
func Conv2D(filters, kernel int, opts ...Option) *Conv2DLayer {
	return Conv2DRect(filters, kernel, kernel, opts...)
}

// Conv2DRect is Conv2D with a kh×kw kernel.
func Conv2DRect(filters, kh, kw int, opts ...Option) *Conv2DLayer {
	o := collect(opts)
	l := &Conv2DLayer{base: base{typ: "Conv2D", name: o.name}, cfg: convConfig{
		Filters: filters, KernelSize: [2]int{kh, kw}, Padding: deref(o.padding, "valid"),
		Activation: deref(o.activation, "linear"), UseBias: deref(o.useBias, true),
		KernelInit: deref(o.kernelInit, "glorot_uniform"), BiasInit: deref(o.biasInit, "zeros"),
	}}
	l.cfg.Alpha = deref(o.alpha, defaultAlpha(l.cfg.Activation))
	var errS, errD error
	l.cfg.Strides, errS = pair("strides", o.strides, 1)
	l.cfg.Dilation, errD = pair("dilation_rate", o.dilation, 1)
	l.err = firstErr(
		o.check("Conv2D", "activation", "use_bias", "kernel_initializer", "bias_initializer", "alpha", "strides", "padding", "dilation_rate"),
		positive("filters", filters), positive("kernel height", kh), positive("kernel width", kw), errS, errD,
		checkPadding(l.cfg.Padding), checkActivation(l.cfg.Activation),
		checkInitializer(l.cfg.KernelInit), checkInitializer(l.cfg.BiasInit))
	return l
}

func init() {
	register("Conv2D", func(raw json.RawMessage) (Layer, error) {
		var c convConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		l := Conv2DRect(c.Filters, c.KernelSize[0], c.KernelSize[1], WithStrides(c.Strides[:]...), WithPadding(c.Padding),
			WithDilation(c.Dilation[:]...), WithActivation(c.Activation), WithUseBias(c.UseBias),
			WithKernelInitializer(c.KernelInit), WithBiasInitializer(c.BiasInit), WithAlpha(c.Alpha))
		return l, l.err
	})
}

// Build implements Layer.
func (l *Conv2DLayer) Build(in []int, dt tensor.DType, rng *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	c, h, w, ok := spatial(in)
	if !ok {
		return l.errorf("input shape %v, want (channels, height, width) or (height, width)", in)
	}
	k, s, d := l.cfg.KernelSize, l.cfg.Strides, l.cfg.Dilation
	oh, pt, pb := window(h, k[0], s[0], d[0], l.cfg.Padding)
	ow, pl, pr := window(w, k[1], s[1], d[1], l.cfg.Padding)
	if oh <= 0 || ow <= 0 {
		return l.errorf("input shape %v is smaller than the %dx%d kernel (dilation %v)", in, k[0], k[1], d)
	}
	l.p = tensor.ConvParams{KH: k[0], KW: k[1], StrideH: s[0], StrideW: s[1], PadTop: pt, PadBottom: pb, PadLeft: pl, PadRight: pr, DilationH: d[0], DilationW: d[1]}
	l.kernel = autograd.NewParam(initialize(l.cfg.KernelInit, dt, rng, l.cfg.Filters, c, k[0], k[1]), l.name+"/kernel")
	if l.cfg.UseBias {
		l.bias = autograd.NewParam(initialize(l.cfg.BiasInit, dt, rng, l.cfg.Filters), l.name+"/bias")
	}
	return l.finish([]int{l.cfg.Filters, oh, ow})
}

// ForwardLogits implements logitsLayer.
func (l *Conv2DLayer) ForwardLogits(c *Call, x *autograd.Variable) (*autograd.Variable, string) {
	return l.conv(x, "linear"), l.cfg.Activation
}

// Forward implements Layer.
func (l *Conv2DLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	return l.conv(x, l.cfg.Activation)
}

// conv runs the convolution with its bias and activation, fused into one
// primitive where the activation allows.
func (l *Conv2DLayer) conv(x *autograd.Variable, act string) *autograd.Variable {
	if a, ok := fusable(act); ok {
		return autograd.Conv2DBiasAct(as4D(x), l.kernel, l.bias, l.p, a)
	}
	return biasAct(autograd.Conv2D(as4D(x), l.kernel, l.p), l.bias, act, l.cfg.Alpha)
}

// Params implements Layer.
func (l *Conv2DLayer) Params() []*autograd.Variable { return nonNil(l.kernel, l.bias) }

// Weights implements Layer.
func (l *Conv2DLayer) Weights() []*autograd.Variable { return l.Params() }

// Config implements Layer.
func (l *Conv2DLayer) Config() LayerConfig { return l.config(l.cfg) }

// forwardPooled runs the convolution and the following layer next as one
// fused primitive when next is a 2×2, stride-2, unpadded max pooling and
// the activation fuses; it returns nil otherwise.
func (l *Conv2DLayer) forwardPooled(x *autograd.Variable, next Layer) *autograd.Variable {
	pool, ok := next.(*Pooling2DLayer)
	if !ok || !pool.max || pool.cfg.PoolSize != [2]int{2, 2} || pool.cfg.Strides != [2]int{2, 2} || pool.cfg.Padding != "valid" {
		return nil
	}
	a, ok := fusable(l.cfg.Activation)
	if !ok || !x.Value.Device().IsCPU() || l.out[1] < 2 || l.out[2] < 2 {
		return nil
	}
	return autograd.Conv2DBiasActPool(as4D(x), l.kernel, l.bias, l.p, a)
}

// ---- pooling ----

type poolConfig struct {
	PoolSize [2]int `json:"pool_size"`
	Strides  [2]int `json:"strides"`
	Padding  string `json:"padding"`
}

// Pooling2DLayer is MaxPooling2D or AveragePooling2D.
type Pooling2DLayer struct {
	base
	cfg poolConfig
	p   tensor.ConvParams
	max bool
}

// MaxPooling2D returns a layer taking the maximum of each pool×pool window
// (strides default to the pool size). Options: WithStrides, WithPadding,
// WithName.
func MaxPooling2D(pool int, opts ...Option) *Pooling2DLayer {
	return newPool("MaxPooling2D", true, [2]int{pool, pool}, opts)
}

// AveragePooling2D returns a layer taking the mean of each pool×pool window
// (padding excluded from the count, as Keras). Options as MaxPooling2D.
func AveragePooling2D(pool int, opts ...Option) *Pooling2DLayer {
	return newPool("AveragePooling2D", false, [2]int{pool, pool}, opts)
}

func newPool(typ string, isMax bool, size [2]int, opts []Option) *Pooling2DLayer {
	o := collect(opts)
	l := &Pooling2DLayer{base: base{typ: typ, name: o.name}, max: isMax, cfg: poolConfig{PoolSize: size, Padding: deref(o.padding, "valid")}}
	var errS error
	l.cfg.Strides, errS = pair("strides", o.strides, 0)
	if len(o.strides) == 0 {
		l.cfg.Strides = size
	}
	l.err = firstErr(o.check(typ, "strides", "padding"), positive("pool height", size[0]), positive("pool width", size[1]), errS, checkPadding(l.cfg.Padding))
	return l
}

func init() {
	for _, typ := range []string{"MaxPooling2D", "AveragePooling2D"} {
		register(typ, func(raw json.RawMessage) (Layer, error) {
			var c poolConfig
			if err := strictUnmarshal(raw, &c); err != nil {
				return nil, err
			}
			l := newPool(typ, typ == "MaxPooling2D", c.PoolSize, []Option{WithStrides(c.Strides[:]...), WithPadding(c.Padding)})
			return l, l.err
		})
	}
}

// Build implements Layer.
func (l *Pooling2DLayer) Build(in []int, dt tensor.DType, _ *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	c, h, w, ok := spatial(in)
	if !ok {
		return l.errorf("input shape %v, want (channels, height, width) or (height, width)", in)
	}
	k, s := l.cfg.PoolSize, l.cfg.Strides
	oh, pt, pb := window(h, k[0], s[0], 1, l.cfg.Padding)
	ow, pl, pr := window(w, k[1], s[1], 1, l.cfg.Padding)
	if oh <= 0 || ow <= 0 {
		return l.errorf("input shape %v is smaller than the %dx%d pool", in, k[0], k[1])
	}
	l.p = tensor.ConvParams{KH: k[0], KW: k[1], StrideH: s[0], StrideW: s[1], PadTop: pt, PadBottom: pb, PadLeft: pl, PadRight: pr, DilationH: 1, DilationW: 1}
	return l.finish([]int{c, oh, ow})
}

// Forward implements Layer.
func (l *Pooling2DLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	if l.max {
		return autograd.MaxPool2D(as4D(x), l.p)
	}
	return autograd.AvgPool2D(as4D(x), l.p)
}

// Config implements Layer.
func (l *Pooling2DLayer) Config() LayerConfig { return l.config(l.cfg) }

// ---- GlobalAveragePooling2D ----

// GlobalAveragePooling2DLayer averages each channel over height and width:
// [N, C, H, W] to [N, C].
type GlobalAveragePooling2DLayer struct{ base }

// GlobalAveragePooling2D returns a layer averaging each channel over its
// spatial axes.
func GlobalAveragePooling2D(opts ...Option) *GlobalAveragePooling2DLayer {
	o := collect(opts)
	l := &GlobalAveragePooling2DLayer{base: base{typ: "GlobalAveragePooling2D", name: o.name}}
	l.err = o.check(l.typ)
	return l
}

func init() {
	register("GlobalAveragePooling2D", func(raw json.RawMessage) (Layer, error) {
		var c struct{}
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		return GlobalAveragePooling2D(), nil
	})
}

// Build implements Layer.
func (l *GlobalAveragePooling2DLayer) Build(in []int, dt tensor.DType, _ *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	c, _, _, ok := spatial(in)
	if !ok {
		return l.errorf("input shape %v, want (channels, height, width) or (height, width)", in)
	}
	return l.finish([]int{c})
}

// Forward implements Layer.
func (l *GlobalAveragePooling2DLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	return autograd.Mean(as4D(x), 2, 3)
}

// Config implements Layer.
func (l *GlobalAveragePooling2DLayer) Config() LayerConfig { return l.config(struct{}{}) }
