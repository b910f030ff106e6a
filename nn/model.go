package nn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// Model is a stack of layers with the Keras workflow: Compile, Fit,
// Evaluate, Predict, Summary, Save and Load. A Model is not safe for
// concurrent use, except that Predict may run concurrently with itself
// once the model is built and not training.
type Model struct {
	layers  []Layer
	built   bool
	inShape []int
	dtype   tensor.DType
	seed    uint64

	opt      optim.Optimizer
	loss     Loss
	metrics  []Metric
	compiled bool

	params []*autograd.Variable
	tape   *autograd.Tape
	stop   bool
	step   uint64
	// device holds the weights and runs the layers (the zero Device is the
	// CPU); see To.
	device tensor.Device
}

// To moves the model to dev, tensor.CPU or a GPU (cuda.Open(0) gives one;
// see the cuda package), and returns m: its weights move now, or when the
// model is built, and from then on Fit, Evaluate and Predict copy each
// batch to dev, run the layers, the loss's gradient and the optimizer's
// updates there, and copy back only what the host needs (the loss value,
// the outputs the metrics read, Predict's result). Weights are created on
// the CPU from the model's seed and then moved, so a model starts from the
// same weights on every device. A model trained before the move takes its
// optimizer's state along.
func (m *Model) To(dev tensor.Device) *Model {
	m.device = dev
	if !m.built {
		return m
	}
	for _, w := range m.Weights() {
		w.Value = w.Value.To(dev)
	}
	// A model trained before the move keeps its optimizer's state: it
	// follows the weights (SetState puts each tensor on its parameter's
	// device).
	if so, ok := m.opt.(optim.Stateful); ok {
		if st := so.State(m.params); len(st) > 0 {
			if err := so.SetState(m.params, st); err != nil {
				panic("nn: moving the optimizer state: " + err.Error()) // its own state always fits
			}
		}
	}
	return m
}

// Device returns the device the model runs on.
func (m *Model) Device() tensor.Device { return m.device }

// NewSequential returns a model that applies layers in order. Layers
// without a name get one from their type ("conv2d", "conv2d_1", ...).
func NewSequential(layers ...Layer) *Model {
	m := &Model{}
	for _, l := range layers {
		m.Add(l)
	}
	return m
}

// Add appends a layer (before the model is built).
func (m *Model) Add(l Layer) {
	if l.Name() == "" {
		base := snake(l.Type())
		name := base
		for k := 1; m.hasName(name); k++ {
			name = fmt.Sprintf("%s_%d", base, k)
		}
		l.(namer).setName(name)
	}
	m.layers = append(m.layers, l)
	m.built = false
}

func (m *Model) hasName(name string) bool {
	for _, l := range m.layers {
		if l.Name() == name {
			return true
		}
	}
	return false
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && !(s[i-1] >= 'A' && s[i-1] <= 'Z') && !(s[i-1] >= '0' && s[i-1] <= '9') {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Layers returns the model's layers.
func (m *Model) Layers() []Layer { return slices.Clone(m.layers) }

// SetSeed sets the seed from which Build draws the initial weights
// (default 0): the same seed gives the same weights.
func (m *Model) SetSeed(seed uint64) { m.seed = seed }

// Built reports whether the model's layers have weights.
func (m *Model) Built() bool { return m.built }

// InputShape returns the per-example input shape the model was built for.
func (m *Model) InputShape() []int { return slices.Clone(m.inShape) }

// OutputShape returns the per-example output shape (after Build).
func (m *Model) OutputShape() []int {
	if !m.built || len(m.layers) == 0 {
		return slices.Clone(m.inShape)
	}
	return m.layers[len(m.layers)-1].OutputShape()
}

// DType returns the element type of the weights (after Build).
func (m *Model) DType() tensor.DType { return m.dtype }

// Build creates every layer's weights for per-example inputs of shape in
// (without the batch axis) and element type dt. Fit, Evaluate and Predict
// build an unbuilt model from their data. The error names the first layer
// that cannot take its input.
func (m *Model) Build(in []int, dt tensor.DType) error {
	if len(m.layers) == 0 {
		return errors.New("nn: Build of a model without layers")
	}
	seen := map[string]bool{}
	for _, l := range m.layers {
		if seen[l.Name()] {
			return fmt.Errorf("nn: two layers are named %q", l.Name())
		}
		seen[l.Name()] = true
	}
	rng := tensor.NewRand(m.seed)
	shape := slices.Clone(in)
	for _, l := range m.layers {
		if l.Built() {
			if is, ok := l.(interface{ inputShape() []int }); ok && !slices.Equal(shape, is.inputShape()) {
				return fmt.Errorf("nn: layer %q was built for inputs of shape %v, got %v", l.Name(), is.inputShape(), shape)
			}
			shape = l.OutputShape()
			continue
		}
		if err := l.Build(shape, dt, rng); err != nil {
			return err
		}
		shape = l.OutputShape()
	}
	m.inShape = slices.Clone(in)
	m.dtype = dt
	m.params = m.params[:0]
	for _, l := range m.layers {
		m.params = append(m.params, l.Params()...)
	}
	m.built = true
	if !m.device.IsCPU() {
		m.To(m.device)
	}
	return nil
}

// Params returns every trainable weight.
func (m *Model) Params() []*autograd.Variable { return slices.Clone(m.params) }

// Weights returns every saved weight (trainable and state), in layer
// order.
func (m *Model) Weights() []*autograd.Variable {
	var out []*autograd.Variable
	for _, l := range m.layers {
		out = append(out, l.Weights()...)
	}
	return out
}

// CountParams returns the number of trainable and non-trainable weight
// elements.
func (m *Model) CountParams() (trainable, nonTrainable int) {
	for _, l := range m.layers {
		for _, p := range l.Params() {
			trainable += p.Value.Size()
		}
		for _, w := range l.Weights() {
			nonTrainable += w.Value.Size()
		}
	}
	return trainable, nonTrainable - trainable
}

// Compile sets the optimizer, the loss and the metrics used by Fit and
// Evaluate. metrics may be nil; Metrics("accuracy") makes them by name.
func (m *Model) Compile(opt optim.Optimizer, loss Loss, metrics []Metric) error {
	if opt == nil {
		return errors.New("nn: Compile without an optimizer")
	}
	if loss == nil {
		return errors.New("nn: Compile without a loss")
	}
	seen := map[string]bool{"loss": true}
	for _, mt := range metrics {
		if b, ok := mt.(badMetric); ok {
			return b.err
		}
		if seen[mt.Name()] {
			return fmt.Errorf("nn: metric %q given twice", mt.Name())
		}
		seen[mt.Name()] = true
	}
	m.opt, m.loss, m.metrics = opt, loss, slices.Clone(metrics)
	m.compiled = true
	return nil
}

// Optimizer returns the compiled optimizer (nil before Compile).
func (m *Model) Optimizer() optim.Optimizer { return m.opt }

// Loss returns the compiled loss (nil before Compile).
func (m *Model) Loss() Loss { return m.loss }

// StopTraining asks Fit to stop after the current epoch (callbacks such as
// EarlyStopping call it).
func (m *Model) StopTraining() { m.stop = true }

// ensureBuilt builds the model from a batch's input, or checks that the
// input fits the built model.
func (m *Model) ensureBuilt(x *tensor.Tensor) error {
	if x == nil || x.Dim() < 1 {
		return errors.New("nn: inputs must have a batch axis")
	}
	in := x.Shape()[1:]
	if !m.built {
		return m.Build(in, x.DType())
	}
	if !slices.Equal(in, m.inShape) {
		return fmt.Errorf("nn: the model takes inputs of shape %v per example, got %v (batch %v)", m.inShape, in, x.Shape())
	}
	return nil
}

// input converts a batch to the model's element type, on its device.
func (m *Model) input(x *tensor.Tensor) *tensor.Tensor {
	if x.DType() != m.dtype {
		x = x.AsType(m.dtype)
	}
	return x.To(m.device)
}

// onHost returns the model's outputs pred where the metrics can read them
// (a copy when the model runs on another device; own says whether the
// caller owns the result).
func onHost(pred *tensor.Tensor, own bool) (*tensor.Tensor, bool) {
	if pred == nil || pred.Device().IsCPU() {
		return pred, own
	}
	host := pred.To(tensor.CPU)
	if own {
		tensor.Release(pred)
	}
	return host, true
}

// forward runs the layers on x. When the loss can fuse with the last
// layer's activation it returns the logits and fused=true.
func (m *Model) forward(c *Call, x *autograd.Variable, fuse bool) (out *autograd.Variable, fused bool) {
	last := len(m.layers) - 1
	h := x
	for i := 0; i < len(m.layers); i++ {
		l := m.layers[i]
		c.layer = i
		// Conv2D followed by 2x2 max pooling runs as one fused primitive.
		if i < last {
			if conv, ok := l.(*Conv2DLayer); ok {
				if y := conv.forwardPooled(h, m.layers[i+1]); y != nil {
					h = y
					i++
					continue
				}
			}
		}
		if i == last && fuse {
			if ll, ok := l.(logitsLayer); ok {
				if fl, ok := m.loss.(fusedLoss); ok && fl.Fuses(finalActivation(l)) {
					out, _ := ll.ForwardLogits(c, h)
					return out, true
				}
			}
		}
		h = l.Forward(c, h)
	}
	return h, false
}

// finalActivation returns the activation a layer ends with.
func finalActivation(l Layer) string {
	switch t := l.(type) {
	case *DenseLayer:
		return t.cfg.Activation
	case *Conv2DLayer:
		return t.cfg.Activation
	case *ActivationLayer:
		return t.cfg.Activation
	}
	return ""
}

// probabilities turns fused logits into the model's outputs (a new tensor).
func (m *Model) probabilities(logits *tensor.Tensor) *tensor.Tensor {
	switch finalActivation(m.layers[len(m.layers)-1]) {
	case "softmax":
		return tensor.Softmax(logits, 1)
	case "sigmoid":
		return tensor.Sigmoid(logits)
	}
	return logits.Clone()
}

// lossOf computes the loss of a batch (recorded on the tape when training)
// and returns it with the model's outputs for the metrics (owned by the
// caller when ownPred).
func (m *Model) lossOf(c *Call, xv *autograd.Variable, y, w *tensor.Tensor, needPred bool) (loss *autograd.Variable, pred *tensor.Tensor, ownPred bool) {
	out, fused := m.forward(c, xv, true)
	if fused {
		loss = m.loss.(fusedLoss).ForwardLogits(out, y, w)
		if needPred {
			return loss, m.probabilities(out.Value), true
		}
		return loss, nil, false
	}
	return m.loss.Forward(out, y, w), out.Value, false
}

// checkBatch validates a batch of data for the compiled loss; with
// scanInputs it also looks for NaN and infinite inputs.
func (m *Model) checkBatch(x, y *tensor.Tensor, scanInputs bool) error {
	if x == nil {
		return errors.New("nn: batch without inputs")
	}
	if y == nil {
		return errors.New("nn: batch without targets")
	}
	if y.Dim() == 0 || y.Shape()[0] != x.Shape()[0] {
		return fmt.Errorf("nn: %d inputs (shape %v) but targets of shape %v", x.Shape()[0], x.Shape(), y.Shape())
	}
	if scanInputs {
		if err := checkFinite("input", x); err != nil {
			return fmt.Errorf("nn: %w", err)
		}
	}
	if err := m.loss.Check(m.OutputShape(), y); err != nil {
		return fmt.Errorf("nn: loss %s (model output %v per example): %w", m.loss.Name(), m.OutputShape(), err)
	}
	return nil
}

// checkDataset validates a whole in-memory dataset before training, so that
// bad data is an error before the first step.
func (m *Model) checkDataset(ctx context.Context, ds data.Dataset, what string) error {
	if ds.Len() == 0 {
		return fmt.Errorf("nn: %s has no examples", what)
	}
	x0, _, err := ds.Get(0)
	if err != nil {
		return fmt.Errorf("nn: %s: %w", what, err)
	}
	if x0 == nil {
		return fmt.Errorf("nn: %s example 0 has no input", what)
	}
	if err := m.ensureBuilt(x0.Unsqueeze(0)); err != nil {
		return fmt.Errorf("nn: %s: %w", what, err)
	}
	if td, ok := ds.(*data.TensorDataset); ok {
		if err := m.checkBatch(td.X(), td.Y(), true); err != nil {
			return fmt.Errorf("%w (in %s)", err, what)
		}
		return nil
	}
	if _, ok := ds.(data.Batcher); !ok {
		return nil // checked batch by batch as it is read
	}
	const chunk = 4096
	idx := make([]int, 0, chunk)
	for lo := 0; lo < ds.Len(); lo += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		idx = idx[:0]
		for i := lo; i < min(lo+chunk, ds.Len()); i++ {
			idx = append(idx, i)
		}
		x, y, err := data.Collate(ds, idx)
		if err != nil {
			return fmt.Errorf("nn: %s: %w", what, err)
		}
		if err := m.checkBatch(x, y, true); err != nil {
			return fmt.Errorf("%w (in %s, examples %d-%d)", err, what, lo, lo+len(idx)-1)
		}
	}
	return nil
}

// FitConfig configures Fit.
type FitConfig struct {
	// Epochs is the number of passes over the data (default 1).
	Epochs int
	// InitialEpoch is the epoch to start from (for resumed training).
	InitialEpoch int
	// BatchSize is the number of examples per step (default 32).
	BatchSize int
	// ValidationSplit holds out this fraction of the training data
	// (chosen with Seed) for validation, in [0, 1).
	ValidationSplit float64
	// ValidationData, if set, is evaluated after every epoch (it takes
	// precedence over ValidationSplit).
	ValidationData data.Dataset
	// NoShuffle keeps the examples in order; by default they are shuffled
	// every epoch from Seed, as Keras does.
	NoShuffle bool
	// Seed seeds the shuffling, the validation split and dropout.
	Seed uint64
	// ClassWeight scales the loss of each example by the weight of its
	// class (class indices or one-hot targets).
	ClassWeight map[int]float64
	// Callbacks are called at the start and end of training, epochs and
	// batches, in order.
	Callbacks []Callback
	// Verbose: 0 silent, 1 a progress bar, 2 one line per epoch, written
	// to Progress.
	Verbose int
	// Progress receives the progress output (nothing is printed when nil).
	Progress io.Writer
	// Workers and Prefetch configure the data loader (default 1 worker, 2
	// batches ahead, which suits in-memory data).
	Workers, Prefetch int
}

// History holds the per-epoch values Fit recorded.
type History struct {
	// Epoch lists the epochs run (0-based).
	Epoch []int
	// Values maps "loss", each metric and their "val_" forms to one value
	// per epoch.
	Values map[string][]float64
}

// Last returns the last recorded value of key, or NaN.
func (h *History) Last(key string) float64 {
	v := h.Values[key]
	if len(v) == 0 {
		return math.NaN()
	}
	return v[len(v)-1]
}

// Logs are the values reported to callbacks: "loss", metric names, their
// "val_" forms, and "lr".
type Logs map[string]float64

// FitXY is Fit on in-memory tensors whose first axis indexes the
// examples.
func (m *Model) FitXY(ctx context.Context, x, y *tensor.Tensor, cfg FitConfig) (*History, error) {
	ds, err := data.NewTensorDataset(x, y)
	if err != nil {
		return nil, fmt.Errorf("nn: Fit: %w", err)
	}
	return m.Fit(ctx, ds, cfg)
}

// Fit trains the model on train for cfg.Epochs epochs and returns the
// history of the loss and metrics. It checks the data first (shapes,
// labels in range, finite inputs) and returns an error before any step
// when they do not fit the model. It stops cleanly, returning the history
// so far and ctx's error, when ctx is cancelled.
func (m *Model) Fit(ctx context.Context, train data.Dataset, cfg FitConfig) (*History, error) {
	if !m.compiled {
		return nil, errors.New("nn: Fit before Compile")
	}
	if train == nil {
		return nil, errors.New("nn: Fit without data")
	}
	if cfg.Epochs == 0 {
		cfg.Epochs = 1
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 32
	}
	switch {
	case cfg.Epochs < 0:
		return nil, fmt.Errorf("nn: Fit with %d epochs", cfg.Epochs)
	case cfg.BatchSize < 0:
		return nil, fmt.Errorf("nn: Fit with batch size %d", cfg.BatchSize)
	case !(cfg.ValidationSplit >= 0 && cfg.ValidationSplit < 1):
		return nil, fmt.Errorf("nn: validation split %v outside [0, 1)", cfg.ValidationSplit)
	case cfg.InitialEpoch < 0 || cfg.InitialEpoch > cfg.Epochs:
		return nil, fmt.Errorf("nn: initial epoch %d outside [0, %d]", cfg.InitialEpoch, cfg.Epochs)
	}
	for c, w := range cfg.ClassWeight {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("nn: class weight %v for class %d", w, c)
		}
	}
	val := cfg.ValidationData
	if val == nil && cfg.ValidationSplit > 0 {
		var err error
		train, val, err = data.Split(train, cfg.ValidationSplit, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("nn: validation split: %w", err)
		}
	}
	if err := m.checkDataset(ctx, train, "training data"); err != nil {
		return nil, err
	}
	if val != nil {
		if err := m.checkDataset(ctx, val, "validation data"); err != nil {
			return nil, err
		}
	}
	workers := cfg.Workers
	if workers == 0 {
		workers = 1
	}
	prefetch := cfg.Prefetch
	if prefetch == 0 {
		prefetch = 2
	}
	loader, err := data.NewLoader(train, data.LoaderConfig{BatchSize: cfg.BatchSize, Shuffle: !cfg.NoShuffle, Seed: cfg.Seed, Workers: workers, Prefetch: prefetch})
	if err != nil {
		return nil, fmt.Errorf("nn: %w", err)
	}
	callbacks := slices.Clone(cfg.Callbacks)
	if cfg.Verbose > 0 && cfg.Progress != nil {
		callbacks = append([]Callback{newProgress(cfg.Progress, cfg.Verbose, cfg.Epochs, loader.NumBatches())}, callbacks...)
	}
	hist := &History{Values: map[string][]float64{}}
	m.stop = false
	if m.tape == nil {
		m.tape = autograd.NewTape()
	}
	for _, cb := range callbacks {
		if err := cb.OnTrainBegin(m); err != nil {
			return hist, err
		}
	}
	var last Logs
	for epoch := cfg.InitialEpoch; epoch < cfg.Epochs && !m.stop; epoch++ {
		for _, cb := range callbacks {
			if err := cb.OnEpochBegin(m, epoch); err != nil {
				return hist, err
			}
		}
		logs, err := m.trainEpoch(ctx, loader, epoch, cfg, callbacks)
		if err != nil {
			return hist, err
		}
		if val != nil {
			vl, vm, err := m.Evaluate(ctx, val, max(cfg.BatchSize, 256))
			if err != nil {
				return hist, err
			}
			logs["val_loss"] = vl
			for k, v := range vm {
				logs["val_"+k] = v
			}
		}
		logs["lr"] = m.opt.LR()
		for _, cb := range callbacks {
			if err := cb.OnEpochEnd(m, epoch, logs); err != nil {
				return hist, err
			}
		}
		hist.Epoch = append(hist.Epoch, epoch)
		for k, v := range logs {
			hist.Values[k] = append(hist.Values[k], v)
		}
		last = logs
	}
	for _, cb := range callbacks {
		if err := cb.OnTrainEnd(m, last); err != nil {
			return hist, err
		}
	}
	return hist, nil
}

func (m *Model) trainEpoch(ctx context.Context, loader *data.Loader, epoch int, cfg FitConfig, callbacks []Callback) (Logs, error) {
	for _, mt := range m.metrics {
		mt.Reset()
	}
	var lossSum float64
	var seen int
	batch := 0
	tp := m.tape
	defer tp.Reset()
	_, prechecked := loader.Dataset().(data.Batcher)
	for b, err := range loader.Epoch(ctx, epoch) {
		if err != nil {
			return nil, fmt.Errorf("nn: epoch %d: %w", epoch, err)
		}
		x, y := b.X, b.Y
		// In-memory data was scanned for NaN before training began.
		if err := m.checkBatch(x, y, !prechecked); err != nil {
			return nil, fmt.Errorf("%w (epoch %d, batch %d)", err, epoch, batch)
		}
		x = m.input(x)
		var w *tensor.Tensor
		if cfg.ClassWeight != nil {
			w = classWeights(cfg.ClassWeight, y, m.OutputShape(), x.Shape()[0])
		}
		m.step++
		// Dropout masks follow (seed, epoch, batch), so that training
		// resumed at an epoch (InitialEpoch) repeats an uninterrupted run.
		c := &Call{Training: true, Seed: mix(mix(cfg.Seed, uint64(epoch)), uint64(batch))}
		loss, pred, own := m.lossOf(c, tp.Constant(x), y, w, len(m.metrics) > 0)
		pred, own = onHost(pred, own)
		lv := loss.Value.Item()
		if math.IsNaN(lv) || math.IsInf(lv, 0) {
			return nil, fmt.Errorf("nn: the loss became %v at epoch %d, batch %d (lower the learning rate?)", lv, epoch, batch)
		}
		for _, p := range m.params {
			p.ZeroGrad()
		}
		tp.Backward(loss)
		m.opt.Step(m.params)
		n := x.Shape()[0]
		lossSum += lv * float64(n)
		seen += n
		for _, mt := range m.metrics {
			mt.Update(pred, y)
		}
		if own {
			tensor.Release(pred)
		}
		tp.Reset()
		if len(callbacks) > 0 {
			logs := Logs{"loss": lossSum / float64(seen)}
			for _, mt := range m.metrics {
				logs[mt.Name()] = mt.Result()
			}
			for _, cb := range callbacks {
				if err := cb.OnBatchEnd(m, epoch, batch, logs); err != nil {
					return nil, err
				}
			}
		}
		batch++
	}
	logs := Logs{"loss": lossSum / float64(max(seen, 1))}
	for _, mt := range m.metrics {
		logs[mt.Name()] = mt.Result()
	}
	return logs, nil
}

// TrainOnBatch runs one training step on the batch x, y (forward pass,
// backward pass, optimizer update) and returns the batch's loss, as
// Keras's train_on_batch does: for custom training loops and benchmarks.
// Dropout masks come from seed. The batch is checked as Fit checks its
// data, and the model is built from it if need be.
func (m *Model) TrainOnBatch(x, y *tensor.Tensor, seed uint64) (float64, error) {
	if !m.compiled {
		return 0, errors.New("nn: TrainOnBatch before Compile")
	}
	if err := m.ensureBuilt(x); err != nil {
		return 0, err
	}
	if err := m.checkBatch(x, y, true); err != nil {
		return 0, err
	}
	if m.tape == nil {
		m.tape = autograd.NewTape()
	}
	tp := m.tape
	defer tp.Reset()
	m.step++
	loss, _, _ := m.lossOf(&Call{Training: true, Seed: seed}, tp.Constant(m.input(x)), y, nil, false)
	lv := loss.Value.Item()
	if math.IsNaN(lv) || math.IsInf(lv, 0) {
		return lv, fmt.Errorf("nn: the loss became %v (lower the learning rate?)", lv)
	}
	for _, p := range m.params {
		p.ZeroGrad()
	}
	tp.Backward(loss)
	m.opt.Step(m.params)
	return lv, nil
}

// classWeights returns one weight per example from its class.
func classWeights(cw map[int]float64, y *tensor.Tensor, out []int, n int) *tensor.Tensor {
	classes := targetClasses(y, n)
	if len(out) == 1 && out[0] == 1 {
		// binary: the class is the rounded target
		v := y.Float64s()
		for i := range classes {
			classes[i] = int(math.Round(v[i]))
		}
	}
	w := make([]float64, n)
	for i, c := range classes {
		cwv, ok := cw[c]
		if !ok {
			cwv = 1
		}
		w[i] = cwv
	}
	return tensor.FromSlice(tensor.Float64, w, n)
}

// Evaluate returns the loss and metrics of the model on ds, in batches of
// batchSize (default 256 when 0), without training behaviour (no dropout,
// moving statistics in BatchNormalization).
func (m *Model) Evaluate(ctx context.Context, ds data.Dataset, batchSize int) (float64, map[string]float64, error) {
	if !m.compiled {
		return 0, nil, errors.New("nn: Evaluate before Compile")
	}
	if ds == nil || ds.Len() == 0 {
		return 0, nil, errors.New("nn: Evaluate without data")
	}
	if batchSize == 0 {
		batchSize = 256
	}
	loader, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: batchSize, Workers: 1, Prefetch: 2})
	if err != nil {
		return 0, nil, fmt.Errorf("nn: %w", err)
	}
	metrics := make([]Metric, len(m.metrics))
	for i, mt := range m.metrics {
		fresh, err := MetricByName(mt.Name())
		if err != nil {
			fresh = mt // a user metric: share it
		}
		fresh.Reset()
		metrics[i] = fresh
	}
	tp := autograd.NewInferenceTape()
	defer tp.Reset()
	var lossSum float64
	var seen int
	for b, err := range loader.Epoch(ctx, 0) {
		if err != nil {
			return 0, nil, fmt.Errorf("nn: Evaluate: %w", err)
		}
		if err := m.ensureBuilt(b.X); err != nil {
			return 0, nil, err
		}
		if err := m.checkBatch(b.X, b.Y, true); err != nil {
			return 0, nil, err
		}
		loss, pred, own := m.lossOf(&Call{}, tp.Constant(m.input(b.X)), b.Y, nil, len(metrics) > 0)
		pred, own = onHost(pred, own)
		n := b.X.Shape()[0]
		lossSum += loss.Value.Item() * float64(n)
		seen += n
		for _, mt := range metrics {
			mt.Update(pred, b.Y)
		}
		if own {
			tensor.Release(pred)
		}
		tp.Reset()
	}
	out := map[string]float64{}
	for _, mt := range metrics {
		out[mt.Name()] = mt.Result()
	}
	return lossSum / float64(max(seen, 1)), out, nil
}

// Predict returns the model's outputs for x ([N, ...input shape]), computed
// in batches of batchSize (default 256 when 0) in inference mode.
func (m *Model) Predict(ctx context.Context, x *tensor.Tensor, batchSize int) (*tensor.Tensor, error) {
	if err := m.ensureBuilt(x); err != nil {
		return nil, err
	}
	if batchSize <= 0 {
		batchSize = 256
	}
	if x.DType() != m.dtype {
		x = x.AsType(m.dtype)
	}
	n := x.Shape()[0]
	out := tensor.Empty(m.dtype, append([]int{n}, m.OutputShape()...)...)
	tp := autograd.NewInferenceTape()
	defer tp.Reset()
	for lo := 0; lo < n; lo += batchSize {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+batchSize, n)
		xb := x.Narrow(0, lo, hi-lo)
		if !xb.IsContiguous() {
			xb = xb.Contiguous()
			tp.Keep(xb)
		}
		// Batch by batch to the device, so that only one is there at once.
		if xd := xb.To(m.device); xd != xb {
			xb = xd
			tp.Keep(xb)
		}
		y, _ := m.forward(&Call{}, tp.Constant(xb), false)
		out.Narrow(0, lo, hi-lo).CopyFrom(y.Value.To(tensor.CPU))
		tp.Reset()
	}
	return out, nil
}
