//go:build !windows

package cuda

import (
	"context"
	"math"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// cnnSteps trains a small CNN (conv+bias, max-pool, dropout, dense,
// softmax cross-entropy, Adam) for a few steps on dev from fixed weights and
// data, and returns the losses and the final weights on the host.
func cnnSteps(t *testing.T, dev tensor.Device, steps int) (losses []float64, params []*tensor.Tensor) {
	t.Helper()
	rng := tensor.NewRand(3)
	dt := tensor.Float32
	w1 := autograd.NewParam(tensor.MulScalar(tensor.RandN(dt, rng, 4, 1, 3, 3), 0.3).To(dev), "w1")
	b1 := autograd.NewParam(tensor.Zeros(dt, 4).To(dev), "b1")
	w2 := autograd.NewParam(tensor.MulScalar(tensor.RandN(dt, rng, 36, 5), 0.2).To(dev), "w2")
	b2 := autograd.NewParam(tensor.Zeros(dt, 5).To(dev), "b2")
	x := tensor.RandN(dt, rng, 6, 1, 8, 8).To(dev)
	labels := []int{0, 1, 2, 3, 4, 0}
	oh := make([]float64, 6*5)
	for i, l := range labels {
		oh[i*5+l] = 1
	}
	onehot := tensor.FromSlice(dt, oh, 6, 5).To(dev)
	ps := []*autograd.Variable{w1, b1, w2, b2}
	opt := optim.NewAdam(1e-2)
	conv := tensor.ConvParams{KH: 3, KW: 3}
	pool := tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	for s := range steps {
		tp := autograd.NewTape()
		// The fused Conv2DBiasAct and BiasAct, and the backward pass of the
		// elementwise activations (autograd's mapGrad), read host memory (CPU
		// only at the time of writing), so the layers are composed from ops
		// that run on any device, and max-pooling is the only nonlinearity.
		h := autograd.Add(autograd.Conv2D(tp.Constant(x), w1, conv), autograd.Reshape(b1, 1, 4, 1, 1))
		h = autograd.MaxPool2D(h, pool)
		h = autograd.Dropout(autograd.Flatten(h), 0.25, uint64(s+1))
		logits := autograd.Add(autograd.MatMul(h, w2), b2)
		// SparseSoftmaxCrossEntropy reads host memory too: cross-entropy
		// as the mean of -onehot·log_softmax.
		loss := autograd.Neg(autograd.Mean(autograd.Sum(autograd.Mul(autograd.LogSoftmax(logits, 1), tp.Constant(onehot)), 1)))
		tp.Backward(loss)
		losses = append(losses, loss.Value.To(tensor.CPU).Item())
		opt.Step(ps)
	}
	for _, p := range ps {
		if p.Value.Device() != dev {
			t.Fatalf("parameter %s moved to %v", p.Name, p.Value.Device())
		}
		params = append(params, p.Value.To(tensor.CPU))
	}
	return losses, params
}

// TestEmulatedTrainingMatchesCPU trains the same small CNN on the CPU and on
// the emulated CUDA device: losses and weights agree, so autograd, the
// fused ops, dropout masks and Adam run wholly on the device.
func TestEmulatedTrainingMatchesCPU(t *testing.T) {
	dv := emulatedDevice(t)
	cl, cp := cnnSteps(t, tensor.CPU, 3)
	gl, gp := cnnSteps(t, dv.TensorDevice(), 3)
	for i := range cl {
		if math.Abs(cl[i]-gl[i]) > 1e-4*(1+math.Abs(cl[i])) {
			t.Fatalf("step %d loss: cpu %v, cuda %v", i, cl[i], gl[i])
		}
	}
	if cl[2] >= cl[0] {
		t.Errorf("loss did not fall: %v", cl)
	}
	for i := range cp {
		assertClose(t, "trained weights", gp[i], cp[i], 1e-3)
	}
}

// fitCNN trains a small Keras-style CNN (Conv2D+relu, max-pooling,
// BatchNormalization, Conv2D+bias+relu, Dense+tanh, Dropout, a softmax Dense fused with the
// sparse cross-entropy, Adam) with nn's Fit on dev, then evaluates and
// predicts; everything but the data starts on the CPU. The convolution has
// no bias, as usual before batch normalization: the normalisation nearly
// cancels that bias's gradient, and Adam's normalised steps would amplify
// the float differences between two devices into different weights.
func fitCNN(t *testing.T, dev tensor.Device) (hist *nn.History, loss float64, acc float64, pred *tensor.Tensor, weights []*tensor.Tensor) {
	t.Helper()
	rng := tensor.NewRand(5)
	n := 24
	x := tensor.RandU(tensor.Float32, rng, 0, 0.3, n, 1, 10, 10)
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = float64(i % 3)
		// class c brightens row 2+3c, so the classes can be learned
		for j := range 10 {
			x.Set(1, i, 0, 2+3*(i%3), j)
		}
	}
	y := tensor.FromSlice(tensor.Float32, ys, n)
	ds, err := data.NewTensorDataset(x, y)
	if err != nil {
		t.Fatal(err)
	}
	m := nn.NewSequential(
		nn.Conv2D(4, 3, nn.WithActivation("relu"), nn.WithUseBias(false)),
		nn.MaxPooling2D(2),
		nn.BatchNormalization(),
		nn.Conv2D(4, 3, nn.WithActivation("relu")),
		nn.Flatten(),
		nn.Dense(8, nn.WithActivation("tanh")),
		nn.Dropout(0.25),
		nn.Dense(3, nn.WithActivation("softmax")),
	)
	m.SetSeed(7)
	m.To(dev)
	if err := m.Compile(optim.NewAdam(1e-2), nn.SparseCategoricalCrossentropy(), nn.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if hist, err = m.Fit(ctx, ds, nn.FitConfig{Epochs: 3, BatchSize: 8, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	loss, metrics, err := m.Evaluate(ctx, ds, 12)
	if err != nil {
		t.Fatal(err)
	}
	if pred, err = m.Predict(ctx, x, 10); err != nil {
		t.Fatal(err)
	}
	for _, w := range m.Weights() {
		if w.Value.Device() != dev {
			t.Fatalf("weight %s is on %v, want %v", w.Name, w.Value.Device(), dev)
		}
		weights = append(weights, w.Value.To(tensor.CPU))
	}
	return hist, loss, metrics["accuracy"], pred, weights
}

// TestEmulatedModelFitMatchesCPU runs nn's Keras workflow (Fit, Evaluate,
// Predict) on the emulated CUDA device after Model.To and on the CPU: the
// per-epoch losses, metrics, predictions and trained weights agree, and
// the weights stay on the device.
func TestEmulatedModelFitMatchesCPU(t *testing.T) {
	dv := emulatedDevice(t)
	ch, cl, ca, cp, cw := fitCNN(t, tensor.CPU)
	gh, gl, ga, gp, gw := fitCNN(t, dv.TensorDevice())
	for e := range ch.Values["loss"] {
		c, g := ch.Values["loss"][e], gh.Values["loss"][e]
		if math.Abs(c-g) > 1e-5*(1+math.Abs(c)) {
			t.Fatalf("epoch %d loss: cpu %v, cuda %v", e, c, g)
		}
	}
	if math.Abs(cl-gl) > 1e-5*(1+cl) || ca != ga {
		t.Errorf("Evaluate: cpu loss %v accuracy %v, cuda %v %v", cl, ca, gl, ga)
	}
	assertClose(t, "Predict", gp, cp, 1e-5)
	for i := range cw {
		assertClose(t, "trained weights", gw[i], cw[i], 1e-5)
	}
	if l := ch.Values["loss"]; l[len(l)-1] >= l[0] {
		t.Errorf("loss did not fall: %v", l)
	}
}

// fitMLP fits a two-layer network with nn's Fit on dev: sigmoid hidden
// units and a linear output with the mean squared error, or a sigmoid
// output with the binary cross-entropy (fused with it); it returns the
// per-epoch losses.
func fitMLP(t *testing.T, dev tensor.Device, binary bool) []float64 {
	t.Helper()
	rng := tensor.NewRand(9)
	x := tensor.RandN(tensor.Float32, rng, 32, 5)
	y := tensor.Sum(x.Narrow(1, 0, 2), 1) // a target the network can learn
	loss, out := nn.MeanSquaredError(), nn.Dense(1)
	if binary {
		y = tensor.UnaryTo(nil, tensor.OpStep, y, 0, 0)
		loss, out = nn.BinaryCrossentropy(), nn.Dense(1, nn.WithActivation("sigmoid"))
	}
	ds, err := data.NewTensorDataset(x, y.Reshape(32, 1))
	if err != nil {
		t.Fatal(err)
	}
	m := nn.NewSequential(nn.Dense(6, nn.WithActivation("sigmoid")), out)
	m.SetSeed(3)
	m.To(dev)
	if err := m.Compile(optim.NewSGD(0.5), loss, nil); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(context.Background(), ds, nn.FitConfig{Epochs: 4, BatchSize: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return h.Values["loss"]
}

// TestEmulatedRegressionAndBinaryFit checks the sigmoid activation, the
// mean squared error and the binary cross-entropy on the emulated device
// against the CPU.
func TestEmulatedRegressionAndBinaryFit(t *testing.T) {
	dv := emulatedDevice(t)
	for _, binary := range []bool{false, true} {
		c, g := fitMLP(t, tensor.CPU, binary), fitMLP(t, dv.TensorDevice(), binary)
		for e := range c {
			if math.Abs(c[e]-g[e]) > 1e-5*(1+math.Abs(c[e])) {
				t.Fatalf("binary=%v epoch %d loss: cpu %v, cuda %v", binary, e, c[e], g[e])
			}
		}
		if c[len(c)-1] >= c[0] {
			t.Errorf("binary=%v: loss did not fall: %v", binary, c)
		}
	}
}

// TestEmulatedBatchNormGradients compares BatchNorm (batch statistics) and
// BatchNormInference (fixed statistics) and the gradients of their inputs,
// scale and shift on the emulated device with the CPU's fused loops.
func TestEmulatedBatchNormGradients(t *testing.T) {
	dv := emulatedDevice(t)
	run := func(dev tensor.Device, inference bool) []*tensor.Tensor {
		rng := tensor.NewRand(4)
		tp := autograd.NewTape()
		x := autograd.NewParam(tensor.RandN(tensor.Float32, rng, 3, 2, 4, 4).To(dev), "x")
		gamma := autograd.NewParam(tensor.RandN(tensor.Float32, rng, 2).To(dev), "gamma")
		beta := autograd.NewParam(tensor.RandN(tensor.Float32, rng, 2).To(dev), "beta")
		w := tp.Constant(tensor.RandN(tensor.Float32, rng, 3, 2, 4, 4).To(dev))
		// x + 0 puts the parameters' graph on the tape.
		xin := autograd.Add(x, tp.Constant(tensor.Zeros(tensor.Float32, 3, 2, 4, 4).To(dev)))
		var y *autograd.Variable
		if inference {
			mean := tensor.FromSlice(tensor.Float32, []float64{0.3, -0.2}, 2).To(dev)
			variance := tensor.FromSlice(tensor.Float32, []float64{1.5, 0.7}, 2).To(dev)
			y = autograd.BatchNormInference(xin, gamma, beta, mean, variance, 1e-3)
		} else {
			y, _, _ = autograd.BatchNorm(xin, gamma, beta, 1e-3)
		}
		tp.Backward(autograd.Sum(autograd.Mul(y, w)))
		return []*tensor.Tensor{y.Value.To(tensor.CPU), x.Gradient().To(tensor.CPU), gamma.Gradient().To(tensor.CPU), beta.Gradient().To(tensor.CPU)}
	}
	for _, inference := range []bool{false, true} {
		c, g := run(tensor.CPU, inference), run(dv.TensorDevice(), inference)
		for i, what := range []string{"output", "input gradient", "scale gradient", "shift gradient"} {
			assertClose(t, what, g[i], c[i], 1e-5)
		}
	}
}

// TestEmulatedMoveMidTraining trains one epoch on the CPU, moves the model
// (weights and Adam's moments) to the emulated device and trains another:
// the result equals two epochs on the CPU.
func TestEmulatedMoveMidTraining(t *testing.T) {
	dv := emulatedDevice(t)
	rng := tensor.NewRand(6)
	x := tensor.RandN(tensor.Float32, rng, 32, 6)
	y := tensor.FromSlice(tensor.Float32, func() []float64 {
		v := make([]float64, 32)
		for i := range v {
			v[i] = float64(i % 3)
		}
		return v
	}(), 32)
	run := func(move bool) []*tensor.Tensor {
		m := nn.NewSequential(nn.Dense(8, nn.WithActivation("relu")), nn.Dense(3, nn.WithActivation("softmax")))
		m.SetSeed(2)
		if err := m.Compile(optim.NewAdam(1e-2), nn.SparseCategoricalCrossentropy(), nil); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := m.FitXY(ctx, x, y, nn.FitConfig{Epochs: 1, BatchSize: 8, NoShuffle: true}); err != nil {
			t.Fatal(err)
		}
		if move {
			m.To(dv.TensorDevice())
		}
		if _, err := m.FitXY(ctx, x, y, nn.FitConfig{Epochs: 1, BatchSize: 8, NoShuffle: true}); err != nil {
			t.Fatal(err)
		}
		var out []*tensor.Tensor
		for _, w := range m.Weights() {
			out = append(out, w.Value.To(tensor.CPU))
		}
		return out
	}
	cpu, moved := run(false), run(true)
	for i := range cpu {
		assertClose(t, "weights after moving mid-training", moved[i], cpu[i], 1e-5)
	}
}

// TestEmulatedActivations trains a small network with each activation on
// the CPU and on the emulated device: leaky_relu, elu, gelu and softplus
// take autograd's host round trip for their gradients, the others device
// formulas; the trained weights agree.
func TestEmulatedActivations(t *testing.T) {
	dv := emulatedDevice(t)
	rng := tensor.NewRand(8)
	x := tensor.RandN(tensor.Float32, rng, 16, 4)
	y := tensor.RandN(tensor.Float32, rng, 16, 2)
	for _, act := range []string{"relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "softplus"} {
		run := func(dev tensor.Device) []*tensor.Tensor {
			m := nn.NewSequential(nn.Dense(5), nn.Activation(act), nn.Dense(2))
			m.SetSeed(4)
			m.To(dev)
			if err := m.Compile(optim.NewSGD(0.1), nn.MeanSquaredError(), nil); err != nil {
				t.Fatal(err)
			}
			if _, err := m.FitXY(context.Background(), x, y, nn.FitConfig{Epochs: 3, BatchSize: 4, NoShuffle: true}); err != nil {
				t.Fatalf("%s on %v: %v", act, dev, err)
			}
			var out []*tensor.Tensor
			for _, w := range m.Weights() {
				out = append(out, w.Value.To(tensor.CPU))
			}
			return out
		}
		cpu, dev := run(tensor.CPU), run(dv.TensorDevice())
		for i := range cpu {
			assertClose(t, act+" weights", dev[i], cpu[i], 1e-5)
		}
	}
}
