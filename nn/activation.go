package nn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// activationNames lists the activations a layer accepts.
var activationNames = []string{"linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "gelu", "softplus"}

// checkActivation validates an activation name.
func checkActivation(name string) error {
	for _, n := range activationNames {
		if n == name {
			return nil
		}
	}
	return fmt.Errorf("unknown activation %q (want one of %v)", name, activationNames)
}

// fusable returns the autograd activation that BiasAct fuses, if any.
func fusable(name string) (autograd.Activation, bool) {
	switch name {
	case "linear", "":
		return autograd.Linear, true
	case "relu":
		return autograd.ReluAct, true
	case "sigmoid":
		return autograd.SigmoidAct, true
	case "tanh":
		return autograd.TanhAct, true
	}
	return 0, false
}

// applyActivation applies a named activation to x; softmax runs over axis 1.
func applyActivation(name string, alpha float64, x *autograd.Variable) *autograd.Variable {
	switch name {
	case "linear", "":
		return x
	case "relu":
		return autograd.Relu(x)
	case "sigmoid":
		return autograd.Sigmoid(x)
	case "tanh":
		return autograd.Tanh(x)
	case "softmax":
		return autograd.Softmax(x, 1)
	case "leaky_relu":
		return autograd.LeakyRelu(x, alpha)
	case "elu":
		return autograd.Elu(x, alpha)
	case "gelu":
		return autograd.Gelu(x)
	case "softplus":
		return autograd.Softplus(x)
	}
	panic(fmt.Sprintf("nn: unknown activation %q", name))
}

func defaultAlpha(name string) float64 {
	if name == "leaky_relu" {
		return 0.3
	}
	return 1
}

// logitsLayer is implemented by layers whose final activation a loss can
// fuse with (softmax with cross-entropy, sigmoid with binary
// cross-entropy): ForwardLogits returns the output before the activation
// and the activation's name.
type logitsLayer interface {
	ForwardLogits(c *Call, x *autograd.Variable) (*autograd.Variable, string)
}

type activationConfig struct {
	Activation string   `json:"activation"`
	Alpha      *float64 `json:"alpha,omitempty"`
}

// ActivationLayer applies an activation function elementwise (softmax over
// the features of axis 1).
type ActivationLayer struct {
	base
	cfg   activationConfig
	alpha float64
}

// Activation returns a layer applying the named activation (see
// WithActivation for the names); WithAlpha sets leaky_relu's slope or
// elu's scale.
func Activation(name string, opts ...Option) *ActivationLayer {
	o := collect(opts)
	l := &ActivationLayer{base: base{typ: "Activation", name: o.name}, cfg: activationConfig{Activation: name, Alpha: o.alpha}}
	l.err = o.check("Activation", "alpha")
	if l.err == nil {
		l.err = checkActivation(name)
	}
	l.alpha = defaultAlpha(name)
	if o.alpha != nil {
		l.alpha = *o.alpha
	}
	return l
}

func init() {
	register("Activation", func(raw json.RawMessage) (Layer, error) {
		var c activationConfig
		if err := strictUnmarshal(raw, &c); err != nil {
			return nil, err
		}
		var opts []Option
		if c.Alpha != nil {
			opts = append(opts, WithAlpha(*c.Alpha))
		}
		l := Activation(c.Activation, opts...)
		return l, l.err
	})
}

// Build implements Layer.
func (l *ActivationLayer) Build(in []int, dt tensor.DType, _ *rand.Rand) error {
	if err := l.start(in, dt); err != nil {
		return err
	}
	if l.cfg.Activation == "softmax" && len(in) < 1 {
		return l.errorf("softmax needs a feature axis, input shape %v", in)
	}
	return l.finish(in)
}

// Forward implements Layer.
func (l *ActivationLayer) Forward(c *Call, x *autograd.Variable) *autograd.Variable {
	return applyActivation(l.cfg.Activation, l.alpha, x)
}

// ForwardLogits implements logitsLayer.
func (l *ActivationLayer) ForwardLogits(c *Call, x *autograd.Variable) (*autograd.Variable, string) {
	return x, l.cfg.Activation
}

// Config implements Layer.
func (l *ActivationLayer) Config() LayerConfig { return l.config(l.cfg) }
