package nn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// File names inside a saved model directory.
const (
	ArchitectureFile = "model.json"
	WeightsFile      = "model.safetensors"
)

const formatName = "ember.nn.Sequential"

type savedModel struct {
	Format     string          `json:"format"`
	Version    int             `json:"format_version"`
	DType      string          `json:"dtype"`
	InputShape []int           `json:"input_shape"`
	Layers     []LayerConfig   `json:"layers"`
	Training   *trainingConfig `json:"training_config,omitempty"`
}

type trainingConfig struct {
	Optimizer *optimizerConfig `json:"optimizer,omitempty"`
	Loss      string           `json:"loss"`
	LossDelta float64          `json:"loss_delta,omitempty"`
	Metrics   []string         `json:"metrics"`
}

type optimizerConfig struct {
	Name   string         `json:"name"`
	Config map[string]any `json:"config"`
}

// Save writes the model to the directory dir (created if needed): the
// architecture and training configuration as JSON in model.json and the
// weights in model.safetensors, named "layer/weight". Each file is written
// to a temporary file and renamed into place, so a crash never leaves a
// half-written file behind.
func (m *Model) Save(dir string) error {
	if !m.built {
		return errors.New("nn: Save of an unbuilt model (call Build or Fit first)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("nn: Save: %w", err)
	}
	sm := savedModel{Format: formatName, Version: 1, DType: m.dtype.String(), InputShape: m.inShape}
	for _, l := range m.layers {
		sm.Layers = append(sm.Layers, l.Config())
	}
	if m.compiled {
		tc := &trainingConfig{Loss: m.loss.Name(), Metrics: metricNames(m.metrics)}
		if r, ok := m.loss.(regression); ok && r.name == "huber" {
			tc.LossDelta = r.delta
		}
		if c, ok := m.opt.(optim.Configurable); ok {
			tc.Optimizer = &optimizerConfig{Name: c.Name(), Config: c.Config()}
		}
		sm.Training = tc
	}
	arch, err := json.MarshalIndent(sm, "", "  ")
	if err != nil {
		return fmt.Errorf("nn: Save: %w", err)
	}
	weights := map[string]*tensor.Tensor{}
	for _, w := range m.Weights() {
		weights[w.Name] = w.Value
	}
	meta := map[string]string{"format": "ember", "model": formatName}
	if err := writeFileAtomic(filepath.Join(dir, WeightsFile), func(w io.Writer) error {
		return WriteSafetensors(w, weights, meta)
	}); err != nil {
		return fmt.Errorf("nn: Save weights: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, ArchitectureFile), func(w io.Writer) error {
		_, err := w.Write(append(arch, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("nn: Save architecture: %w", err)
	}
	return nil
}

// maxArchitecture bounds model.json.
const maxArchitecture = 16 << 20

// Load reads a model saved by Save from dir: it rebuilds the layers from
// model.json, checks that model.safetensors holds exactly the weights they
// need, each with the right name, type and shape, and copies them in. A
// saved training configuration is compiled back (optimizer state is not
// saved: training resumes with fresh moments). Every problem is an error
// naming it; a corrupt file never panics.
func Load(dir string) (*Model, error) {
	arch, err := readLimited(filepath.Join(dir, ArchitectureFile), maxArchitecture)
	if err != nil {
		return nil, fmt.Errorf("nn: Load: %w", err)
	}
	var sm savedModel
	dec := json.NewDecoder(bytes.NewReader(arch))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sm); err != nil {
		return nil, fmt.Errorf("nn: Load %s: %v", ArchitectureFile, err)
	}
	if sm.Format != formatName || sm.Version != 1 {
		return nil, fmt.Errorf("nn: Load: %s has format %q version %d, want %q version 1", ArchitectureFile, sm.Format, sm.Version, formatName)
	}
	dt, err := tensor.ParseDType(sm.DType)
	if err != nil {
		return nil, fmt.Errorf("nn: Load: %w", err)
	}
	if len(sm.Layers) == 0 {
		return nil, fmt.Errorf("nn: Load: %s lists no layers", ArchitectureFile)
	}
	if len(sm.InputShape) == 0 || len(sm.InputShape) > 8 {
		return nil, fmt.Errorf("nn: Load: input shape %v", sm.InputShape)
	}
	total := 1
	for _, d := range sm.InputShape {
		if d <= 0 || d > 1<<24 || total > (1<<24)/d {
			return nil, fmt.Errorf("nn: Load: input shape %v", sm.InputShape)
		}
		total *= d
	}
	m := &Model{}
	for _, c := range sm.Layers {
		l, err := LayerFromConfig(c)
		if err != nil {
			return nil, fmt.Errorf("nn: Load: %w", err)
		}
		m.Add(l)
	}
	wb, err := readLimited(filepath.Join(dir, WeightsFile), 1<<34)
	if err != nil {
		return nil, fmt.Errorf("nn: Load: %w", err)
	}
	// No layer can need more weights than the file holds: this bounds what
	// a corrupt architecture can make Build allocate.
	if err := buildSafely(m, sm.InputShape, dt, len(wb)/dt.Size()); err != nil {
		return nil, fmt.Errorf("nn: Load: %w", err)
	}
	ts, _, err := ReadSafetensors(wb)
	if err != nil {
		return nil, fmt.Errorf("nn: Load %s: %w", WeightsFile, err)
	}
	if err := m.SetWeights(ts); err != nil {
		return nil, fmt.Errorf("nn: Load %s: %w", WeightsFile, err)
	}
	if tc := sm.Training; tc != nil {
		if err := m.compileFrom(tc); err != nil {
			return nil, fmt.Errorf("nn: Load training config: %w", err)
		}
	}
	return m, nil
}

// buildSafely builds m, turning a panic from a nonsensical saved
// configuration into an error.
func buildSafely(m *Model, in []int, dt tensor.DType, maxWeights int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("building the saved architecture: %v", r)
		}
	}()
	// Bound the weights a saved architecture may ask for before allocating.
	shape := slices.Clone(in)
	for _, l := range m.layers {
		var n int
		switch t := l.(type) {
		case *DenseLayer:
			n = prod(shape) * t.cfg.Units
		case *Conv2DLayer:
			c := 1
			if len(shape) == 3 {
				c = shape[0]
			}
			n = t.cfg.Filters * c * t.cfg.KernelSize[0] * t.cfg.KernelSize[1]
		}
		if n < 0 || n > maxWeights {
			return fmt.Errorf("layer %q would need %d weights, more than the weights file holds (%d)", l.Name(), n, maxWeights)
		}
		if err := l.Build(shape, dt, tensor.NewRand(0)); err != nil {
			return err
		}
		shape = l.OutputShape()
	}
	return m.Build(in, dt)
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// SetWeights copies named tensors into the model's weights. The set of
// names must be exactly the model's ("layer/weight"), and each tensor must
// have its weight's shape and type; the error names every mismatch.
func (m *Model) SetWeights(ts map[string]*tensor.Tensor) error {
	if !m.built {
		return errors.New("nn: SetWeights on an unbuilt model")
	}
	var problems []string
	want := map[string]bool{}
	for _, w := range m.Weights() {
		want[w.Name] = true
		t, ok := ts[w.Name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing weight %q (%v %v)", w.Name, w.Value.DType(), w.Value.Shape()))
		case t.DType() != w.Value.DType():
			problems = append(problems, fmt.Sprintf("weight %q is %v, want %v", w.Name, t.DType(), w.Value.DType()))
		case !slices.Equal(t.Shape(), w.Value.Shape()):
			problems = append(problems, fmt.Sprintf("weight %q has shape %v, want %v", w.Name, t.Shape(), w.Value.Shape()))
		}
	}
	var extra []string
	for n := range ts {
		if !want[n] {
			extra = append(extra, fmt.Sprintf("%q", n))
		}
	}
	slices.Sort(extra)
	if len(extra) > 0 {
		problems = append(problems, "unexpected weights "+strings.Join(extra, ", "))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	for _, w := range m.Weights() {
		w.Value.CopyFrom(ts[w.Name])
	}
	return nil
}

func (m *Model) compileFrom(tc *trainingConfig) error {
	var loss Loss
	var err error
	if tc.Loss == "huber" {
		if !(tc.LossDelta > 0) {
			return fmt.Errorf("huber delta %v", tc.LossDelta)
		}
		loss = Huber(tc.LossDelta)
	} else if loss, err = LossByName(tc.Loss); err != nil {
		return err
	}
	var opt optim.Optimizer = optim.NewAdam(1e-3)
	if tc.Optimizer != nil {
		if opt, err = optimizerFromConfig(tc.Optimizer); err != nil {
			return err
		}
	}
	var metrics []Metric
	for _, n := range tc.Metrics {
		mt, err := MetricByName(n)
		if err != nil {
			return err
		}
		metrics = append(metrics, mt)
	}
	return m.Compile(opt, loss, metrics)
}

func optimizerFromConfig(oc *optimizerConfig) (o optim.Optimizer, err error) {
	num := func(key string, def float64) float64 {
		if v, ok := oc.Config[key].(float64); ok {
			return v
		}
		return def
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("optimizer %s: %v", oc.Name, r)
		}
	}()
	clip := optim.Clip{ClipNorm: num("clipnorm", 0), ClipValue: num("clipvalue", 0)}
	lr := num("learning_rate", 1e-3)
	switch oc.Name {
	case "SGD":
		s := optim.NewSGD(lr)
		s.Momentum, s.WeightDecay, s.Clip = num("momentum", 0), num("weight_decay", 0), clip
		s.Nesterov, _ = oc.Config["nesterov"].(bool)
		return s, nil
	case "Adam", "AdamW":
		a := optim.NewAdam(lr)
		if oc.Name == "AdamW" {
			a = optim.NewAdamW(lr, num("weight_decay", 0))
		} else {
			a.WeightDecay = num("weight_decay", 0)
		}
		a.Beta1, a.Beta2, a.Epsilon, a.Clip = num("beta_1", 0.9), num("beta_2", 0.999), num("epsilon", 1e-7), clip
		return a, nil
	case "RMSprop":
		r := optim.NewRMSprop(lr)
		r.Rho, r.Momentum, r.Epsilon, r.WeightDecay, r.Clip = num("rho", 0.9), num("momentum", 0), num("epsilon", 1e-7), num("weight_decay", 0), clip
		return r, nil
	case "Adagrad":
		a := optim.NewAdagrad(lr)
		a.InitialAccumulator, a.Epsilon, a.WeightDecay, a.Clip = num("initial_accumulator_value", 0.1), num("epsilon", 1e-7), num("weight_decay", 0), clip
		return a, nil
	}
	return nil, fmt.Errorf("unknown optimizer %q", oc.Name)
}
