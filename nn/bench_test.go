package nn

import (
	"context"
	"os"
	"strconv"
	"strings"
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
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		step()
	}
	report(b, b.N*batch, cpuSeconds()-cpu0)
}

// report adds images/s of wall time, images per CPU-second (steadier on a
// shared machine) and the process's peak RSS.
func report(b *testing.B, images int, cpu float64) {
	b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64(images)/cpu, "images/cpu-s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}

// peakRSSMiB reads VmHWM from /proc/self/status (0 where unavailable).
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
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
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if _, err := m.Predict(ctx, x, 256); err != nil {
			b.Fatal(err)
		}
	}
	report(b, b.N*n, cpuSeconds()-cpu0)
}

// BenchmarkCNNFit measures whole Fit epochs (loader, data checks, metrics,
// callbacks) of the seeds' CNN over 1,024 in-memory images, to compare
// with the bare step of BenchmarkCNNTrainStep.
func BenchmarkCNNFit(b *testing.B) {
	const n = 1024
	rng := tensor.NewRand(3)
	x := tensor.RandU(tensor.Float32, rng, 0, 1, n, 1, 28, 28)
	lab := make([]float64, n)
	for i := range lab {
		lab[i] = float64(i % 10)
	}
	y := tensor.FromSlice(tensor.Float32, lab, n)
	m := seedsCNN()
	if err := m.Compile(optim.NewAdam(1e-3), CategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.FitXY(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 64}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if _, err := m.FitXY(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 64, Seed: uint64(i)}); err != nil {
			b.Fatal(err)
		}
	}
	report(b, b.N*n, cpuSeconds()-cpu0)
}

// BenchmarkMLPTrainStep measures one training step of the seeds' MLP
// (Dense 128/64/32 relu with dropout 0.2, Dense 1 sigmoid, binary
// cross-entropy, Adam) on a batch of 32 rows of 20 features; compare with
// bench/peers/torch_mlp.py.
func BenchmarkMLPTrainStep(b *testing.B) {
	const batch = 32
	m := NewSequential(
		Dense(128, WithActivation("relu")), Dropout(0.2),
		Dense(64, WithActivation("relu")), Dropout(0.2),
		Dense(32, WithActivation("relu")),
		Dense(1, WithActivation("sigmoid")),
	)
	if err := m.Compile(optim.NewAdam(1e-3), BinaryCrossentropy(), nil); err != nil {
		b.Fatal(err)
	}
	rng := tensor.NewRand(1)
	x := tensor.RandN(tensor.Float32, rng, batch, 20)
	lab := make([]float64, batch)
	for i := range lab {
		lab[i] = float64(i % 2)
	}
	y := tensor.FromSlice(tensor.Float32, lab, batch, 1)
	if err := m.Build([]int{20}, tensor.Float32); err != nil {
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
	for i := 0; i < 10; i++ {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(b.N*batch)/(cpuSeconds()-cpu0), "rows/cpu-s")
}
