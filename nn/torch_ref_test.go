package nn

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

type refTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (r refTensor) tensor() *tensor.Tensor {
	if r.Shape == nil {
		return nil
	}
	return tensor.FromSlice(tensor.Float32, r.Data, r.Shape...)
}

type torchRef struct {
	Version string                       `json:"torch_version"`
	Layers  []map[string]json.RawMessage `json:"layers"`
	Losses  []struct {
		Name  string    `json:"name"`
		Input refTensor `json:"input"`
		Y     refTensor `json:"y"`
		Loss  float64   `json:"loss"`
		Grad  refTensor `json:"grad"`
	} `json:"losses"`
}

func loadTorchRef(t *testing.T) *torchRef {
	t.Helper()
	raw, err := os.ReadFile("testdata/torch_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref torchRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

// closeTo compares within relative error 1e-4 (plus a small absolute
// floor for values near zero), as float32 allows.
func closeTo(t *testing.T, what string, got *tensor.Tensor, want refTensor) {
	t.Helper()
	g := got.Float64s()
	if len(g) != len(want.Data) {
		t.Fatalf("%s: %d values (shape %v), torch has %d (shape %v)", what, len(g), got.Shape(), len(want.Data), want.Shape)
	}
	for i, w := range want.Data {
		if math.Abs(g[i]-w) > 1e-4*math.Abs(w)+2e-5 {
			t.Fatalf("%s[%d] = %v, torch %v", what, i, g[i], w)
		}
	}
}

// TestLayersAgainstPyTorch rebuilds each recorded case, runs forward and
// backward of sum(out*r), and compares output and gradients with PyTorch
// 1.13 (bench/peers/torch_nn_ref.py).
func TestLayersAgainstPyTorch(t *testing.T) {
	ref := loadTorchRef(t)
	for _, c := range ref.Layers {
		var name string
		_ = json.Unmarshal(c["name"], &name)
		get := func(k string) refTensor {
			var r refTensor
			if raw, ok := c[k]; ok {
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Fatal(err)
				}
			}
			return r
		}
		x := get("x").tensor()
		var l Layer
		training := false
		switch name {
		case "dense_relu":
			l = Dense(3, WithActivation("relu"))
		case "dense_tanh_nobias":
			l = Dense(2, WithActivation("tanh"), WithUseBias(false))
		case "conv_stride2_same_relu":
			l = Conv2D(4, 3, WithStrides(2), WithPadding("same"), WithActivation("relu"))
		case "conv_dilation2_valid":
			l = Conv2DRect(3, 3, 2, WithDilation(2))
		case "max_pool_2":
			l = MaxPooling2D(2)
		case "avg_pool_2":
			l = AveragePooling2D(2)
		case "global_avg_pool":
			l = GlobalAveragePooling2D()
		case "batch_norm_train":
			l = BatchNormalization(WithMomentum(0.5))
			training = true
		case "batch_norm_eval":
			l = BatchNormalization()
		default:
			t.Fatalf("unknown case %q", name)
		}
		m := NewSequential(l)
		if err := m.Build(x.Shape()[1:], tensor.Float32); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ws := map[string]*tensor.Tensor{}
		for _, w := range m.Weights() {
			key := w.Name[len(l.Name())+1:]
			rt := get(key)
			if rt.Shape == nil && (key == "moving_mean" || key == "moving_variance") {
				ws[w.Name] = w.Value.Clone() // keep the initial statistics
				continue
			}
			if rt.Shape == nil {
				t.Fatalf("%s: no reference for weight %s", name, key)
			}
			ws[w.Name] = rt.tensor()
		}
		if err := m.SetWeights(ws); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tp := autograd.NewTape()
		xv := tp.Variable(x)
		out := l.Forward(&Call{Training: training}, xv)
		closeTo(t, name+" output", out.Value, get("out"))
		tp.Backward(autograd.Sum(autograd.Mul(out, tp.Constant(get("r").tensor()))))
		closeTo(t, name+" grad x", xv.Gradient(), get("grad_x"))
		for _, p := range l.Params() {
			key := p.Name[len(l.Name())+1:]
			closeTo(t, name+" grad "+key, p.Gradient(), get("grad_"+key))
		}
		tp.Reset()
		if name == "batch_norm_train" {
			// Momentum 0.5 from (0, 1): moving = 0.5*initial + 0.5*batch.
			bn := l.(*BatchNormalizationLayer)
			mean, vr := get("batch_mean"), get("batch_var")
			for i := range mean.Data {
				mean.Data[i] *= 0.5
				vr.Data[i] = 0.5 + 0.5*vr.Data[i]
			}
			closeTo(t, "moving mean", bn.movingMean.Value, mean)
			closeTo(t, "moving variance", bn.movingVar.Value, vr)
		}
	}
}

func TestLossesAgainstPyTorch(t *testing.T) {
	ref := loadTorchRef(t)
	for _, c := range ref.Losses {
		in, y := c.Input.tensor(), c.Y.tensor()
		tp := autograd.NewTape()
		v := tp.Variable(in)
		var loss *autograd.Variable
		switch c.Name {
		case "sparse_categorical_crossentropy_logits":
			loss = SparseCategoricalCrossentropy().(fusedLoss).ForwardLogits(v, y, nil)
		case "categorical_crossentropy_logits":
			loss = CategoricalCrossentropy().(fusedLoss).ForwardLogits(v, y, nil)
		case "categorical_crossentropy_probs":
			loss = CategoricalCrossentropy().Forward(v, y, nil)
		case "binary_crossentropy_logits":
			loss = BinaryCrossentropy().(fusedLoss).ForwardLogits(v, y, nil)
		case "binary_crossentropy_probs":
			loss = BinaryCrossentropy().Forward(v, y, nil)
		default:
			l, err := LossByName(c.Name)
			if err != nil {
				t.Fatal(err)
			}
			loss = l.Forward(v, y, nil)
		}
		if got := loss.Value.Item(); math.Abs(got-c.Loss) > 1e-4*math.Abs(c.Loss)+1e-6 {
			t.Fatalf("%s: loss %v, torch %v", c.Name, got, c.Loss)
		}
		tp.Backward(loss)
		closeTo(t, c.Name+" grad", v.Gradient(), c.Grad)
		tp.Reset()
	}
}
