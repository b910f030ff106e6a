package rl

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/tensor"
)

// QNetwork maps observations to one Q-value per action with an nn.Model:
// a Sequential stack of Dense layers, ReLU between them and a linear
// output, in float32. As a Policy it acts greedily (the lowest action among
// ties). It is saved and loaded as an nn model directory (model.json and
// model.safetensors).
type QNetwork struct {
	// Model is the network; Save and nn.Load read and write it.
	Model *nn.Model
	// Sizes are the layer widths: observation dimension, hidden layers,
	// number of actions.
	Sizes []int
	// Params are the model's trainable kernels [in, out] and biases [out],
	// layer by layer.
	Params []*autograd.Variable

	mlp bool      // Dense+ReLU stack with a linear output: Act runs on the weights directly
	act []float32 // scratch for QValues
}

// NewQNetwork returns a network with the given layer widths (observation
// dimension, hidden widths, actions), initialised as PyTorch's nn.Linear
// (and so Stable-Baselines3) does: weights and biases uniform in
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
	var layers []nn.Layer
	for l := 1; l < len(sizes); l++ {
		act := "relu"
		if l == len(sizes)-1 {
			act = "linear"
		}
		layers = append(layers, nn.Dense(sizes[l], nn.WithActivation(act)))
	}
	m := nn.NewSequential(layers...)
	m.SetSeed(rng.Uint64())
	if err := m.Build([]int{sizes[0]}, tensor.Float32); err != nil {
		return nil, fmt.Errorf("rl: Q-network: %w", err)
	}
	n := &QNetwork{Model: m, Sizes: append([]int(nil), sizes...), Params: m.Params(), mlp: true}
	for l := 0; l+1 < len(sizes); l++ {
		bound := 1 / math.Sqrt(float64(sizes[l]))
		for _, p := range n.Params[2*l : 2*l+2] {
			w := p.Value.Float32s()
			for i := range w {
				w[i] = float32(-bound + 2*bound*rng.Float64())
			}
		}
	}
	return n, nil
}

// fromModel wraps a loaded model, checking that it maps a vector to a
// vector.
func fromModel(m *nn.Model) (*QNetwork, error) {
	in, out := m.InputShape(), m.OutputShape()
	if len(in) != 1 || len(out) != 1 || m.DType() != tensor.Float32 {
		return nil, fmt.Errorf("rl: Q-network model maps %v to %v in %v, want float32 vectors to vectors", in, out, m.DType())
	}
	n := &QNetwork{Model: m, Sizes: []int{in[0]}, Params: m.Params(), mlp: true}
	layers := m.Layers()
	for i, l := range layers {
		var c struct {
			Units      int    `json:"units"`
			Activation string `json:"activation"`
			UseBias    bool   `json:"use_bias"`
		}
		cfg := l.Config()
		want := "relu"
		if i == len(layers)-1 {
			want = "linear"
		}
		if cfg.Type != "Dense" || json.Unmarshal(cfg.Config, &c) != nil || c.Activation != want || !c.UseBias {
			n.mlp = false
		}
		n.Sizes = append(n.Sizes, l.OutputShape()...)
	}
	if n.mlp && len(n.Params) != 2*len(layers) {
		n.mlp = false
	}
	return n, nil
}

// Forward returns the Q-values [batch, actions] of a batch of observations
// x [batch, obs]. With x on a tape it records the computation; with a
// Constant it is inference.
func (n *QNetwork) Forward(x *autograd.Variable) *autograd.Variable {
	h := x
	c := &nn.Call{Training: true}
	for _, l := range n.Model.Layers() {
		h = l.Forward(c, h)
	}
	return h
}

// QValues returns the Q-values of one observation; the slice is reused by
// the next call. For a Dense/ReLU stack it computes directly on the
// weights, allocating nothing.
func (n *QNetwork) QValues(obs []float64) []float32 {
	if !n.mlp {
		x := make([]float32, len(obs))
		for i, v := range obs {
			x[i] = float32(v)
		}
		q := n.Forward(autograd.Constant(tensor.FromFloat32(x, 1, len(x)))).Value.Float32s()
		n.act = append(n.act[:0], q...)
		return n.act
	}
	widest := 0
	for _, s := range n.Sizes {
		widest = max(widest, s)
	}
	if len(n.act) < 2*widest {
		n.act = make([]float32, 2*widest)
	}
	cur, nxt := n.act[:widest], n.act[widest:2*widest]
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

// CopyFrom sets n's weights to src's (same architecture), or with tau < 1
// moves them towards src: n = tau*src + (1-tau)*n (Polyak averaging).
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
	c, err := NewQNetwork(n.Sizes, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		panic(err) // the sizes were valid for n
	}
	c.CopyFrom(n, 1)
	return c
}

// Save writes the network as an nn model directory (model.json and
// model.safetensors), atomically file by file.
func (n *QNetwork) Save(dir string) error { return n.Model.Save(dir) }

// LoadQNetwork reads a network saved by Save (or any nn model mapping a
// float32 vector to one value per action).
func LoadQNetwork(dir string) (*QNetwork, error) {
	m, err := nn.Load(dir)
	if err != nil {
		return nil, err
	}
	return fromModel(m)
}
