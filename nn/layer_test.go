package nn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

type layerCase struct {
	name  string
	make  func() Layer
	in    []int
	train bool // check gradients in training mode
}

func layerCases() []layerCase {
	var cs []layerCase
	for _, act := range activationNames {
		cs = append(cs, layerCase{"dense_" + act, func() Layer { return Dense(3, WithActivation(act)) }, []int{4}, false})
		cs = append(cs, layerCase{"activation_" + act, func() Layer { return Activation(act) }, []int{5}, false})
	}
	cs = append(cs,
		layerCase{"dense_nobias_he", func() Layer {
			return Dense(2, WithUseBias(false), WithKernelInitializer("he_normal"))
		}, []int{3}, false},
		layerCase{"conv_valid", func() Layer { return Conv2D(2, 3, WithActivation("relu")) }, []int{2, 5, 5}, false},
		layerCase{"conv_same_stride", func() Layer {
			return Conv2D(3, 3, WithStrides(2), WithPadding("same"), WithActivation("tanh"))
		}, []int{2, 5, 6}, false},
		layerCase{"conv_dilation_rect", func() Layer {
			return Conv2DRect(2, 2, 3, WithDilation(2), WithActivation("gelu"))
		}, []int{1, 6, 7}, false},
		layerCase{"conv_hw_input", func() Layer { return Conv2D(2, 2, WithBiasInitializer("random_normal")) }, []int{4, 4}, false},
		layerCase{"maxpool_valid", func() Layer { return MaxPooling2D(2) }, []int{2, 4, 5}, false},
		layerCase{"maxpool_same_stride1", func() Layer { return MaxPooling2D(3, WithStrides(1), WithPadding("same")) }, []int{2, 4, 4}, false},
		layerCase{"avgpool_same", func() Layer { return AveragePooling2D(2, WithPadding("same")) }, []int{1, 5, 5}, false},
		layerCase{"global_avg_pool", func() Layer { return GlobalAveragePooling2D() }, []int{3, 3, 2}, false},
		layerCase{"flatten", func() Layer { return Flatten() }, []int{2, 3, 2}, false},
		layerCase{"batchnorm_dense_train", func() Layer { return BatchNormalization() }, []int{3}, true},
		layerCase{"batchnorm_conv_train", func() Layer { return BatchNormalization(WithMomentum(0.9)) }, []int{2, 3, 3}, true},
		layerCase{"batchnorm_infer", func() Layer { return BatchNormalization(WithEpsilon(0.01)) }, []int{2, 2, 2}, false},
		layerCase{"dropout_train", func() Layer { return Dropout(0.4) }, []int{6}, true},
		layerCase{"dropout_seeded_infer", func() Layer { return Dropout(0.4, WithSeed(3)) }, []int{6}, false},
	)
	return cs
}

// TestLayerBattery runs every layer through the same checks: build and
// shape inference, config round trip, gradients of the input and every
// parameter against central differences in float64, and Save/Load.
func TestLayerBattery(t *testing.T) {
	for _, c := range layerCases() {
		t.Run(c.name, func(t *testing.T) {
			l := c.make()
			m := NewSequential(l)
			m.SetSeed(7)
			if err := m.Build(c.in, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			const n = 3
			x := tensor.RandN(tensor.Float64, tensor.NewRand(11), append([]int{n}, c.in...)...)
			call := func() *Call { return &Call{Training: c.train, Seed: 99} }

			// Shape inference.
			out := l.Forward(call(), autograd.Constant(x))
			if want := append([]int{n}, l.OutputShape()...); !slices.Equal(out.Shape(), want) {
				t.Fatalf("forward shape %v, OutputShape says %v", out.Shape(), want)
			}

			// Config round trip.
			cfg := l.Config()
			raw, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var back LayerConfig
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			l2, err := LayerFromConfig(back)
			if err != nil {
				t.Fatal(err)
			}
			raw2, _ := json.Marshal(l2.Config())
			if !bytes.Equal(raw, raw2) {
				t.Fatalf("config round trip:\n%s\n%s", raw, raw2)
			}

			// Gradients.
			if err := checkLayerGrad(l, x, call); err != nil {
				t.Fatal(err)
			}

			// Save and Load give identical outputs (inference mode).
			dir := filepath.Join(t.TempDir(), "m")
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			lm, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			p1, err := m.Predict(context.Background(), x, 0)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := lm.Predict(context.Background(), x, 2)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p1.Float64s(), p2.Float64s()) {
				t.Fatalf("predictions differ after Save/Load")
			}
		})
	}
}

// checkLayerGrad compares the gradients of sum(layer(x) * r) with respect
// to x and every parameter with central differences.
func checkLayerGrad(l Layer, x *tensor.Tensor, call func() *Call) error {
	out := l.Forward(call(), autograd.Constant(x))
	r := tensor.RandN(tensor.Float64, tensor.NewRand(5), out.Shape()...)
	f := func() float64 {
		return tensor.Dot(l.Forward(call(), autograd.Constant(x)).Value, r)
	}
	tp := autograd.NewTape()
	xv := tp.Variable(x)
	for _, p := range l.Params() {
		p.ZeroGrad()
	}
	o := l.Forward(call(), xv)
	tp.Backward(autograd.Sum(autograd.Mul(o, tp.Constant(r))))
	type target struct {
		name string
		val  []float64
		grad *tensor.Tensor
	}
	targets := []target{{"input", x.Float64s(), xv.Gradient()}}
	for _, p := range l.Params() {
		targets = append(targets, target{p.Name, p.Value.Float64s(), p.Gradient()})
	}
	for _, tg := range targets {
		var g []float64
		if tg.grad != nil {
			g = tg.grad.Clone().Float64s()
		} else {
			g = make([]float64, len(tg.val))
		}
		for j := range tg.val {
			orig := tg.val[j]
			const eps = 1e-6
			tg.val[j] = orig + eps
			fp := f()
			tg.val[j] = orig - eps
			fm := f()
			tg.val[j] = orig
			num := (fp - fm) / (2 * eps)
			if math.IsNaN(g[j]) || math.Abs(g[j]-num) > 1e-5+1e-4*math.Abs(num) {
				return fmt.Errorf("gradient of %s element %d: analytic %v, numerical %v", tg.name, j, g[j], num)
			}
		}
	}
	tp.Reset()
	return nil
}

func TestLayerConfigErrors(t *testing.T) {
	cases := []struct {
		l    Layer
		in   []int
		want string
	}{
		{Dense(0), []int{3}, "units 0"},
		{Dense(2, WithPadding("same")), []int{3}, "padding does not apply"},
		{Dense(2), []int{3, 4}, "add Flatten"},
		{Conv2D(2, 5), []int{1, 3, 3}, "smaller than the 5x5 kernel"},
		{Conv2D(2, 3, WithPadding("full")), []int{1, 5, 5}, `padding "full"`},
		{Conv2D(2, 3, WithStrides(1, 2, 3)), []int{1, 5, 5}, "strides"},
		{Conv2D(2, 3), []int{10}, "want (channels, height, width)"},
		{MaxPooling2D(4), []int{1, 3, 3}, "smaller than the 4x4 pool"},
		{Dropout(1), []int{3}, "rate 1"},
		{BatchNormalization(WithMomentum(2)), []int{3}, "momentum 2"},
		{Activation("swishy"), []int{3}, "swishy"},
		{Dense(3, WithKernelInitializer("magic")), []int{3}, "magic"},
	}
	for _, c := range cases {
		m := NewSequential(c.l)
		err := m.Build(c.in, tensor.Float32)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.want)) || !bytes.Contains([]byte(err.Error()), []byte(c.l.Name())) {
			t.Errorf("%s on %v: error %v, want one naming the layer and %q", c.l.Type(), c.in, err, c.want)
		}
	}
	if _, err := LayerFromConfig(LayerConfig{Type: "Dense", Name: "d", Config: json.RawMessage(`{"units": 2, "bogus": 1}`)}); err == nil {
		t.Error("unknown config field accepted")
	}
	if _, err := LayerFromConfig(LayerConfig{Type: "Teleport"}); err == nil {
		t.Error("unknown layer type accepted")
	}
}

func TestInitializers(t *testing.T) {
	rng := tensor.NewRand(1)
	for _, name := range initializerNames {
		w := initialize(name, tensor.Float64, rng, 200, 100)
		v := w.Float64s()
		var mean, sq float64
		for _, x := range v {
			mean += x
			sq += x * x
		}
		mean /= float64(len(v))
		std := math.Sqrt(sq/float64(len(v)) - mean*mean)
		var want float64
		switch name {
		case "glorot_uniform", "glorot_normal":
			want = math.Sqrt(2.0 / 300)
		case "he_normal", "he_uniform":
			want = math.Sqrt(2.0 / 200)
		case "lecun_normal", "lecun_uniform":
			want = math.Sqrt(1.0 / 200)
		case "random_normal":
			want = 0.05
		case "random_uniform":
			want = 0.05 / math.Sqrt(3)
		case "zeros", "ones":
			want = 0
		}
		if math.Abs(std-want) > 0.05*want+1e-12 {
			t.Errorf("%s: std %v, want %v", name, std, want)
		}
		if name == "ones" && mean != 1 {
			t.Errorf("ones: mean %v", mean)
		}
	}
}
