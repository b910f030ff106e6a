package optim

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

type refTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// TestAgainstPyTorch replays three optimizer steps recorded from PyTorch
// 1.13 by bench/peers/torch_nn_ref.py and compares the parameters after
// each, in float32.
func TestAgainstPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/torch_optim.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Version    string `json:"torch_version"`
		Optimizers []struct {
			Name  string         `json:"name"`
			Hyper map[string]any `json:"hyper"`
			Param refTensor      `json:"param"`
			Grads []refTensor    `json:"grads"`
			After []refTensor    `json:"after"`
		} `json:"optimizers"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Optimizers) != 5 {
		t.Fatalf("%d optimizer cases", len(ref.Optimizers))
	}
	for _, c := range ref.Optimizers {
		h := func(k string) float64 { v, _ := c.Hyper[k].(float64); return v }
		var o Optimizer
		switch c.Name {
		case "sgd_nesterov_wd":
			s := NewSGD(h("lr"))
			s.Momentum, s.Nesterov, s.WeightDecay = h("momentum"), true, h("weight_decay")
			o = s
		case "adam":
			a := NewAdam(h("lr"))
			a.Epsilon = h("eps")
			o = a
		case "adamw":
			a := NewAdamW(h("lr"), h("weight_decay"))
			a.Epsilon = h("eps")
			o = a
		case "rmsprop":
			r := NewRMSprop(h("lr"))
			r.Rho, r.Epsilon, r.Momentum = h("rho"), h("eps"), h("momentum")
			o = r
		case "adagrad":
			a := NewAdagrad(h("lr"))
			a.InitialAccumulator, a.Epsilon = h("initial_accumulator"), h("eps")
			o = a
		default:
			t.Fatalf("unknown case %q", c.Name)
		}
		p := autograd.NewParam(tensor.FromSlice(tensor.Float32, c.Param.Data, c.Param.Shape...), "p")
		for step, g := range c.Grads {
			setGrad(p, g.Data)
			o.Step([]*autograd.Variable{p})
			got := p.Value.Float64s()
			for i, w := range c.After[step].Data {
				if d := got[i] - w; d > 1e-5+1e-4*abs(w) || -d > 1e-5+1e-4*abs(w) {
					t.Fatalf("%s step %d element %d: %v, torch %s gives %v", c.Name, step+1, i, got[i], ref.Version, w)
				}
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
