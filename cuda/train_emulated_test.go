package cuda

import (
	"math"
	"testing"

	"github.com/ember-ml/ember/autograd"
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
