package adapt

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/tensor"
)

// Network serves a neural network saved with nn's Model.Save whose last
// layer gives class probabilities (softmax) or, with one output and kind
// regressor, a value.
type Network struct {
	mu    sync.Mutex // one forward pass at a time; the server batches
	model *nn.Model
	info  serve.Info
}

// NewNetwork wraps a built model. Image models take [C, H, W] inputs;
// models with a flat input take rows of features.
func NewNetwork(m *nn.Model, meta Meta) (*Network, error) {
	if !m.Built() {
		return nil, fmt.Errorf("the network is not built")
	}
	in, out := m.InputShape(), m.OutputShape()
	if len(out) != 1 {
		return nil, fmt.Errorf("the network's output shape %v is not a vector", out)
	}
	n := &Network{model: m, info: serve.Info{Name: meta.Name, Version: meta.Version, Kind: meta.Kind, Batched: true}}
	if len(in) == 1 {
		n.info.NumFeatures, n.info.FeatureNames = in[0], meta.FeatureNames
		if len(meta.FeatureNames) > 0 && len(meta.FeatureNames) != in[0] {
			return nil, fmt.Errorf("serving metadata names %d features; the network takes %d", len(meta.FeatureNames), in[0])
		}
	} else {
		n.info.InputShape = in
		if len(meta.InputShape) > 0 && !slices.Equal(meta.InputShape, in) {
			return nil, fmt.Errorf("serving metadata gives input shape %v; the network takes %v", meta.InputShape, in)
		}
	}
	if n.info.Kind == "" {
		n.info.Kind = serve.Classifier
		if out[0] == 1 {
			n.info.Kind = serve.Regressor
		}
	}
	if n.info.Kind == serve.Classifier {
		k := out[0]
		if k == 1 {
			k = 2 // a sigmoid output: probability of class 1
		}
		switch {
		case len(meta.Classes) == k:
			n.info.Classes = meta.Classes
		case len(meta.Classes) == 0:
			for i := range k {
				n.info.Classes = append(n.info.Classes, strconv.Itoa(i))
			}
		default:
			return nil, fmt.Errorf("serving metadata names %d classes; the network has %d outputs", len(meta.Classes), out[0])
		}
	}
	return n, nil
}

// Info describes the model.
func (n *Network) Info() serve.Info { return n.info }

// Model returns the served network.
func (n *Network) Model() *nn.Model { return n.model }

// Predict runs the network on x: [n, features] or [n, C, H, W].
func (n *Network) Predict(ctx context.Context, x *tensor.Tensor) (serve.Output, error) {
	if x.DType() != n.model.DType() {
		x = x.AsType(n.model.DType())
	}
	n.mu.Lock()
	y, err := n.model.Predict(ctx, x, 256)
	n.mu.Unlock()
	if err != nil {
		return serve.Output{}, err
	}
	rows, k := y.Shape()[0], y.Shape()[1]
	v := y.Float64s()
	out := serve.Output{Predictions: make([]float64, rows)}
	if n.info.Kind == serve.Regressor {
		for i := range rows {
			out.Predictions[i] = v[i*k]
		}
		return out, nil
	}
	out.Probabilities = make([][]float64, rows)
	for i := range rows {
		var p []float64
		if k == 1 { // sigmoid
			p = []float64{1 - v[i], v[i]}
		} else {
			p = slices.Clone(v[i*k : (i+1)*k])
		}
		best := 0
		for j := range p {
			if p[j] > p[best] {
				best = j
			}
		}
		out.Predictions[i], out.Probabilities[i] = float64(best), p
	}
	return out, nil
}
