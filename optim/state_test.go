package optim_test

import (
	"strings"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// stepOnce sets a fixed gradient on every parameter and steps.
func stepOnce(o optim.Optimizer, params []*autograd.Variable, k float64) {
	for _, p := range params {
		tp := autograd.NewTape()
		p.ZeroGrad()
		c := tensor.ZerosLike(p.Value)
		c.Fill(k)
		tp.Backward(autograd.Sum(autograd.Mul(autograd.Mul(p, tp.Constant(c)), p))) // the constant first: it carries the tape
		tp.Reset()
	}
	o.Step(params)
}

func newParams() []*autograd.Variable {
	return []*autograd.Variable{
		autograd.NewParam(tensor.FromFloat32([]float32{1, -2, 3, 0.5}, 2, 2), "a"),
		autograd.NewParam(tensor.FromFloat32([]float32{0.25, -1}, 2), "b"),
	}
}

func TestStateRoundTripContinuesExactly(t *testing.T) {
	makers := map[string]func() optim.Optimizer{
		"sgd":     func() optim.Optimizer { o := optim.NewSGD(0.1); o.Momentum = 0.9; o.Nesterov = true; return o },
		"adam":    func() optim.Optimizer { return optim.NewAdam(0.01) },
		"adamw":   func() optim.Optimizer { return optim.NewAdamW(0.01, 0.01) },
		"rmsprop": func() optim.Optimizer { o := optim.NewRMSprop(0.01); o.Momentum = 0.5; return o },
		"adagrad": func() optim.Optimizer { return optim.NewAdagrad(0.1) },
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			a, pa := mk(), newParams()
			for k := range 3 {
				stepOnce(a, pa, float64(k+1))
			}
			st := a.(optim.Stateful).State(pa)
			if len(st) == 0 {
				t.Fatal("no state after three steps")
			}
			// A fresh optimizer and fresh copies of the parameters.
			b, pb := mk(), newParams()
			for i := range pb {
				pb[i].Value.CopyFrom(pa[i].Value)
			}
			if err := b.(optim.Stateful).SetState(pb, st); err != nil {
				t.Fatal(err)
			}
			stepOnce(a, pa, 4)
			stepOnce(b, pb, 4)
			for i := range pa {
				x, y := pa[i].Value.Float64s(), pb[i].Value.Float64s()
				for j := range x {
					if x[j] != y[j] {
						t.Fatalf("param %d[%d]: continued %v, restored %v", i, j, x[j], y[j])
					}
				}
			}
		})
	}
}

func TestSetStateErrors(t *testing.T) {
	o, p := optim.NewAdam(0.01), newParams()
	stepOnce(o, p, 1)
	good := o.State(p)
	for name, mutate := range map[string]func(map[string]*tensor.Tensor){
		"unknown slot":  func(s map[string]*tensor.Tensor) { s["0/q"] = tensor.Zeros(tensor.Float32, 2, 2) },
		"index too big": func(s map[string]*tensor.Tensor) { s["7/m"] = tensor.Zeros(tensor.Float32, 2, 2) },
		"wrong shape":   func(s map[string]*tensor.Tensor) { s["0/m"] = tensor.Zeros(tensor.Float32, 4) },
		"wrong dtype":   func(s map[string]*tensor.Tensor) { s["0/v"] = tensor.Zeros(tensor.Float64, 2, 2) },
		"missing slot":  func(s map[string]*tensor.Tensor) { delete(s, "1/step") },
		"not an index":  func(s map[string]*tensor.Tensor) { s["x/m"] = tensor.Zeros(tensor.Float32, 2, 2) },
	} {
		st := map[string]*tensor.Tensor{}
		for k, v := range good {
			st[k] = v
		}
		mutate(st)
		err := optim.NewAdam(0.01).SetState(p, st)
		if err == nil || !strings.Contains(err.Error(), "state") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
