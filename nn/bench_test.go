package nn

import (
	"context"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// seedsCNN is the seeds' MNIST network.
func seedsCNN() *Model {
	return NewSequential(
		Conv2D(32, 3, WithActivation("relu")),
		MaxPooling2D(2),
		Conv2D(64, 3, WithActivation("relu")),
		MaxPooling2D(2),
		Flatten(),
		Dense(128, WithActivation("relu")),
		Dropout(0.5),
		Dense(10, WithActivation("softmax")),
	)
}

// BenchmarkCNNTrainStep measures one training step (forward, backward,
// Adam) of the seeds' CNN on a batch of 64 MNIST-shaped images; compare
// with bench/peers/torch_cnn.py.
func BenchmarkCNNTrainStep(b *testing.B) {
	const batch = 64
	m := seedsCNN()
	if err := m.Compile(optim.NewAdam(1e-3), CategoricalCrossentropy(), nil); err != nil {
		b.Fatal(err)
	}
	rng := tensor.NewRand(1)
	x := tensor.RandU(tensor.Float32, rng, 0, 1, batch, 1, 28, 28)
	lab := make([]float64, batch)
	for i := range lab {
		lab[i] = float64(i % 10)
	}
	y := tensor.FromSlice(tensor.Float32, lab, batch)
	if err := m.Build([]int{1, 28, 28}, tensor.Float32); err != nil {
		b.Fatal(err)
	}
	m.tape = autograd.NewTape()
	step := func() {
		m.step++
		loss, _, _ := m.lossOf(&Call{Training: true, Seed: m.step}, m.tape.Constant(x), y, nil, false)
		for _, p := range m.params {
			p.ZeroGrad()
		}
		m.tape.Backward(loss)
		m.opt.Step(m.params)
		m.tape.Reset()
	}
	for i := 0; i < 3; i++ {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkCNNPredict measures inference of the seeds' CNN in batches of
// 256.
func BenchmarkCNNPredict(b *testing.B) {
	const n = 1024
	m := seedsCNN()
	x := tensor.RandU(tensor.Float32, tensor.NewRand(2), 0, 1, n, 1, 28, 28)
	ctx := context.Background()
	if _, err := m.Predict(ctx, x, 256); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Predict(ctx, x, 256); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "images/s")
}
