package rl

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// QNetwork is a multilayer perceptron from observations to one Q-value per
// action: Dense layers with ReLU between them and a linear output, float32
// weights as autograd parameters. As a Policy it acts greedily (the lowest
// action among ties).
type QNetwork struct {
	// Sizes are the layer widths: observation dimension, hidden layers,
	// number of actions.
	Sizes []int
	// Params are the kernels [in, out] and biases [out] of each layer, in
	// order.
	Params []*autograd.Variable

	act []float32 // scratch for Act
}

// NewQNetwork returns a network with the given layer widths, initialised
// as PyTorch's nn.Linear does: weights and biases uniform in
// ±1/sqrt(fan_in).
func NewQNetwork(sizes []int, rng *rand.Rand) (*QNetwork, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("rl: Q-network needs at least input and output sizes, got %v", sizes)
	}
	for _, s := range sizes {
		if s <= 0 || s > 1<<20 {
			return nil, fmt.Errorf("rl: Q-network layer width %d in %v", s, sizes)
		}
	}
	n := &QNetwork{Sizes: append([]int(nil), sizes...)}
	for l := 0; l+1 < len(sizes); l++ {
		in, out := sizes[l], sizes[l+1]
		bound := 1 / math.Sqrt(float64(in))
		n.Params = append(n.Params,
			autograd.NewParam(tensor.RandU(tensor.Float32, rng, -bound, bound, in, out), fmt.Sprintf("dense_%d/kernel", l)),
			autograd.NewParam(tensor.RandU(tensor.Float32, rng, -bound, bound, out), fmt.Sprintf("dense_%d/bias", l)))
	}
	return n, nil
}

// Forward returns the Q-values [batch, actions] of a batch of observations
// x [batch, obs]. With x from a tape it records the computation; with a
// Constant it is inference.
func (n *QNetwork) Forward(x *autograd.Variable) *autograd.Variable {
	h := x
	for l := 0; 2*l < len(n.Params); l++ {
		act := autograd.ReluAct
		if 2*l+2 == len(n.Params) {
			act = autograd.Linear
		}
		h = autograd.BiasAct(autograd.MatMul(h, n.Params[2*l]), n.Params[2*l+1], act)
	}
	return h
}

// QValues returns the Q-values of one observation, computed directly on
// the weights (no tensors allocated); the slice is reused by the next call.
func (n *QNetwork) QValues(obs []float64) []float32 {
	widest := 0
	for _, s := range n.Sizes {
		widest = max(widest, s)
	}
	if len(n.act) < 2*widest {
		n.act = make([]float32, 2*widest)
	}
	cur, nxt := n.act[:widest], n.act[widest:]
	for i, v := range obs {
		cur[i] = float32(v)
	}
	for l := 0; 2*l < len(n.Params); l++ {
		in, out := n.Sizes[l], n.Sizes[l+1]
		w := n.Params[2*l].Value.Float32s()
		b := n.Params[2*l+1].Value.Float32s()
		o := nxt[:out]
		copy(o, b)
		for i := 0; i < in; i++ {
			xi := cur[i]
			if xi == 0 {
				continue
			}
			row := w[i*out : (i+1)*out]
			for j, wv := range row {
				o[j] += xi * wv
			}
		}
		if 2*l+2 < len(n.Params) {
			for j, v := range o {
				if v < 0 {
					o[j] = 0
				}
			}
		}
		cur, nxt = nxt, cur
	}
	return cur[:n.Sizes[len(n.Sizes)-1]]
}

// Act returns the action with the largest Q-value. An observation of the
// wrong length gives action 0.
func (n *QNetwork) Act(obs []float64) int {
	if len(obs) != n.Sizes[0] {
		return 0
	}
	return argmax32(n.QValues(obs))
}

func argmax32(q []float32) int {
	best := 0
	for a, v := range q {
		if v > q[best] {
			best = a
		}
	}
	return best
}

// CopyFrom sets n's weights to src's (same sizes), or with tau < 1 moves
// them towards src: n = tau*src + (1-tau)*n (Polyak averaging).
func (n *QNetwork) CopyFrom(src *QNetwork, tau float64) {
	for i, p := range n.Params {
		d, s := p.Value.Float32s(), src.Params[i].Value.Float32s()
		if tau >= 1 {
			copy(d, s)
			continue
		}
		t := float32(tau)
		for j := range d {
			d[j] += t * (s[j] - d[j])
		}
	}
}

// Clone returns a copy of the network with its own weights.
func (n *QNetwork) Clone() *QNetwork {
	c := &QNetwork{Sizes: append([]int(nil), n.Sizes...)}
	for _, p := range n.Params {
		v := tensor.New(tensor.Float32, p.Value.Shape()...)
		copy(v.Float32s(), p.Value.Float32s())
		c.Params = append(c.Params, autograd.NewParam(v, p.Name))
	}
	return c
}

type qnetworkFile struct {
	Format string      `json:"format"`
	Sizes  []int       `json:"sizes"`
	Params [][]float32 `json:"params"`
}

const qnetworkFormat = "ember.rl.qnetwork/1"

// Save writes the network (layer sizes and weights) as JSON to path,
// atomically.
func (n *QNetwork) Save(path string) error {
	f := qnetworkFile{Format: qnetworkFormat, Sizes: n.Sizes}
	for _, p := range n.Params {
		f.Params = append(f.Params, p.Value.Float32s())
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// LoadQNetwork reads a network written by QNetwork.Save, checking its
// format, sizes and values.
func LoadQNetwork(path string) (*QNetwork, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseQNetwork(b)
}

func parseQNetwork(b []byte) (*QNetwork, error) {
	var f qnetworkFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("rl: Q-network: %w", err)
	}
	if f.Format != qnetworkFormat {
		return nil, fmt.Errorf("rl: Q-network: format %q, want %q", f.Format, qnetworkFormat)
	}
	if len(f.Sizes) < 2 || len(f.Params) != 2*(len(f.Sizes)-1) {
		return nil, fmt.Errorf("rl: Q-network: %d sizes and %d weight arrays", len(f.Sizes), len(f.Params))
	}
	n := &QNetwork{Sizes: f.Sizes}
	for l := 0; l+1 < len(f.Sizes); l++ {
		in, out := f.Sizes[l], f.Sizes[l+1]
		if in <= 0 || out <= 0 || in > 1<<20 || out > 1<<20 {
			return nil, fmt.Errorf("rl: Q-network: layer %d is %dx%d", l, in, out)
		}
		w, bias := f.Params[2*l], f.Params[2*l+1]
		if len(w) != in*out || len(bias) != out {
			return nil, fmt.Errorf("rl: Q-network: layer %d has %d weights and %d biases, want %d and %d", l, len(w), len(bias), in*out, out)
		}
		n.Params = append(n.Params,
			autograd.NewParam(tensor.FromFloat32(w, in, out), fmt.Sprintf("dense_%d/kernel", l)),
			autograd.NewParam(tensor.FromFloat32(bias, out), fmt.Sprintf("dense_%d/bias", l)))
	}
	return n, nil
}
