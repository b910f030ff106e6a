package optim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// Stateful is an optimizer whose per-parameter state (moments, velocities,
// accumulators, step counts) can be saved and restored, so that training
// resumed from a checkpoint continues exactly as if it had not stopped.
// Every optimizer in this package implements it.
//
// State names each tensor "<i>/<slot>", i being the parameter's position
// in params; parameters without state yet are left out. SetState checks
// every name, shape and dtype against params and returns an error naming
// the first mismatch, leaving the optimizer unchanged.
type Stateful interface {
	State(params []*autograd.Variable) map[string]*tensor.Tensor
	SetState(params []*autograd.Variable, state map[string]*tensor.Tensor) error
}

var (
	_ Stateful = (*SGD)(nil)
	_ Stateful = (*Adam)(nil)
	_ Stateful = (*RMSprop)(nil)
	_ Stateful = (*Adagrad)(nil)
)

func key(i int, slot string) string { return strconv.Itoa(i) + "/" + slot }

// scalar holds an integer (a step count) as a 0-d float64 tensor.
func scalar(n int) *tensor.Tensor { return tensor.FromFloat64([]float64{float64(n)}) }

// parseState checks the names of st against params and the given slots and
// returns, for each parameter index present, its tensors by slot.
func parseState(op string, params []*autograd.Variable, st map[string]*tensor.Tensor, slots ...string) (map[int]map[string]*tensor.Tensor, error) {
	out := map[int]map[string]*tensor.Tensor{}
	for name, t := range st {
		is, slot, ok := strings.Cut(name, "/")
		i, err := strconv.Atoi(is)
		if !ok || err != nil || i < 0 || i >= len(params) || !slices.Contains(slots, slot) {
			return nil, fmt.Errorf("optim: %s state: unexpected entry %q (want <param index>/%s for %d parameters)", op, name, strings.Join(slots, "|"), len(params))
		}
		if t == nil {
			return nil, fmt.Errorf("optim: %s state: %q is nil", op, name)
		}
		if slot != "step" {
			p := params[i].Value
			if !slices.Equal(t.Shape(), p.Shape()) || t.DType() != p.DType() {
				return nil, fmt.Errorf("optim: %s state: %q is %v %v; parameter %d is %v %v", op, name, t.DType(), t.Shape(), i, p.DType(), p.Shape())
			}
		} else if t.Size() != 1 {
			return nil, fmt.Errorf("optim: %s state: %q has %d values, want 1", op, name, t.Size())
		}
		if out[i] == nil {
			out[i] = map[string]*tensor.Tensor{}
		}
		out[i][slot] = t
	}
	for i, m := range out {
		if len(m) != len(slots) {
			return nil, fmt.Errorf("optim: %s state: parameter %d has %d of the slots %v", op, i, len(m), slots)
		}
	}
	return out, nil
}

// State implements Stateful: the velocity of each parameter ("<i>/velocity").
func (o *SGD) State(params []*autograd.Variable) map[string]*tensor.Tensor {
	st := map[string]*tensor.Tensor{}
	for i, p := range params {
		if v, ok := o.vel[p]; ok {
			st[key(i, "velocity")] = v[0].Clone()
		}
	}
	return st
}

// SetState implements Stateful.
func (o *SGD) SetState(params []*autograd.Variable, st map[string]*tensor.Tensor) error {
	m, err := parseState("SGD", params, st, "velocity")
	if err != nil {
		return err
	}
	o.vel = map[*autograd.Variable][]*tensor.Tensor{}
	for i, s := range m {
		o.vel[params[i]] = []*tensor.Tensor{like(s["velocity"], params[i])}
	}
	return nil
}

// State implements Stateful: the moments and step count of each parameter
// ("<i>/m", "<i>/v", "<i>/step").
func (o *Adam) State(params []*autograd.Variable) map[string]*tensor.Tensor {
	st := map[string]*tensor.Tensor{}
	for i, p := range params {
		if s, ok := o.state[p]; ok {
			st[key(i, "m")], st[key(i, "v")], st[key(i, "step")] = s.m.Clone(), s.v.Clone(), scalar(s.step)
		}
	}
	return st
}

// SetState implements Stateful.
func (o *Adam) SetState(params []*autograd.Variable, st map[string]*tensor.Tensor) error {
	m, err := parseState(o.Name(), params, st, "m", "v", "step")
	if err != nil {
		return err
	}
	o.state = map[*autograd.Variable]*adamState{}
	for i, s := range m {
		o.state[params[i]] = &adamState{m: like(s["m"], params[i]), v: like(s["v"], params[i]), step: int(s["step"].Item())}
	}
	return nil
}

// State implements Stateful: the running averages of each parameter
// ("<i>/square_avg", "<i>/momentum").
func (o *RMSprop) State(params []*autograd.Variable) map[string]*tensor.Tensor {
	st := map[string]*tensor.Tensor{}
	for i, p := range params {
		if s, ok := o.state[p]; ok {
			st[key(i, "square_avg")], st[key(i, "momentum")] = s[0].Clone(), s[1].Clone()
		}
	}
	return st
}

// SetState implements Stateful.
func (o *RMSprop) SetState(params []*autograd.Variable, st map[string]*tensor.Tensor) error {
	m, err := parseState("RMSprop", params, st, "square_avg", "momentum")
	if err != nil {
		return err
	}
	o.state = map[*autograd.Variable][]*tensor.Tensor{}
	for i, s := range m {
		o.state[params[i]] = []*tensor.Tensor{like(s["square_avg"], params[i]), like(s["momentum"], params[i])}
	}
	return nil
}

// State implements Stateful: the accumulated squared gradients of each
// parameter ("<i>/sum").
func (o *Adagrad) State(params []*autograd.Variable) map[string]*tensor.Tensor {
	st := map[string]*tensor.Tensor{}
	for i, p := range params {
		if s, ok := o.state[p]; ok {
			st[key(i, "sum")] = s.Clone()
		}
	}
	return st
}

// SetState implements Stateful.
func (o *Adagrad) SetState(params []*autograd.Variable, st map[string]*tensor.Tensor) error {
	m, err := parseState("Adagrad", params, st, "sum")
	if err != nil {
		return err
	}
	o.state = map[*autograd.Variable]*tensor.Tensor{}
	for i, s := range m {
		o.state[params[i]] = like(s["sum"], params[i])
	}
	return nil
}

// like returns a copy of the state tensor t on the device of parameter p,
// so that a state saved from (or read on) the host resumes on a model
// that runs on a GPU.
func like(t *tensor.Tensor, p *autograd.Variable) *tensor.Tensor {
	if dev := p.Value.Device(); t.Device() != dev {
		return t.To(dev)
	}
	return t.Clone()
}
