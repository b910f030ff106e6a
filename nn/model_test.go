package nn

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// blobs returns n points in d dimensions from k well-separated Gaussian
// clusters, and their class indices.
func blobs(n, d, k int, seed uint64) (*tensor.Tensor, *tensor.Tensor) {
	rng := tensor.NewRand(seed)
	centers := make([]float64, k*d)
	for i := range centers {
		centers[i] = rng.NormFloat64() * 4
	}
	x := make([]float64, n*d)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		c := rng.IntN(k)
		y[i] = float64(c)
		for j := 0; j < d; j++ {
			x[i*d+j] = centers[c*d+j] + rng.NormFloat64()*0.5
		}
	}
	return tensor.FromSlice(tensor.Float32, x, n, d), tensor.FromSlice(tensor.Float32, y, n)
}

func TestFitMLPClassifies(t *testing.T) {
	x, y := blobs(600, 5, 3, 1)
	m := NewSequential(Dense(16, WithActivation("relu")), Dropout(0.1), Dense(3, WithActivation("softmax")))
	if err := m.Compile(optim.NewAdam(0.01), SparseCategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h, err := m.FitXY(context.Background(), x, y, FitConfig{Epochs: 5, BatchSize: 32, ValidationSplit: 0.2, Seed: 3, Verbose: 2, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epoch) != 5 {
		t.Fatalf("history has %d epochs", len(h.Epoch))
	}
	if acc := h.Last("val_accuracy"); acc < 0.95 {
		t.Fatalf("validation accuracy %v after 5 epochs on separable blobs\n%s", acc, out.String())
	}
	if h.Values["loss"][4] >= h.Values["loss"][0] {
		t.Fatalf("loss did not fall: %v", h.Values["loss"])
	}
	if !strings.Contains(out.String(), "Epoch 5/5") || !strings.Contains(out.String(), "val_accuracy: ") {
		t.Fatalf("progress output:\n%s", out.String())
	}
}

func TestFitBinaryAndRegression(t *testing.T) {
	x, yc := blobs(400, 4, 2, 5)
	m := NewSequential(Dense(8, WithActivation("tanh")), Dense(1, WithActivation("sigmoid")))
	if err := m.Compile(optim.NewAdam(0.05), BinaryCrossentropy(), Metrics("accuracy", "auc", "precision", "recall")); err != nil {
		t.Fatal(err)
	}
	h, err := m.FitXY(context.Background(), x, yc.Reshape(400, 1), FitConfig{Epochs: 5, BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if h.Last("accuracy") < 0.95 || h.Last("auc") < 0.97 {
		t.Fatalf("binary: %v", h.Values)
	}

	// Regression: y = 2*x0 - x1 + 0.5.
	rng := tensor.NewRand(9)
	xs := tensor.RandN(tensor.Float32, rng, 512, 2)
	xv := xs.Float64s()
	yv := make([]float64, 512)
	for i := range yv {
		yv[i] = 2*xv[2*i] - xv[2*i+1] + 0.5
	}
	yr := tensor.FromSlice(tensor.Float32, yv, 512, 1)
	for _, loss := range []Loss{MeanSquaredError(), MeanAbsoluteError(), Huber(1)} {
		r := NewSequential(Dense(1))
		if err := r.Compile(optim.NewAdam(0.1), loss, Metrics("mae")); err != nil {
			t.Fatal(err)
		}
		h, err := r.FitXY(context.Background(), xs, yr, FitConfig{Epochs: 20, BatchSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		if h.Last("mae") > 0.1 {
			t.Errorf("%s: mae %v after 20 epochs on a linear target", loss.Name(), h.Last("mae"))
		}
	}
}

func TestFitRejectsBadData(t *testing.T) {
	ctx := context.Background()
	x, y := blobs(20, 3, 3, 1)
	newModel := func() *Model {
		m := NewSequential(Dense(4, WithActivation("relu")), Dense(3, WithActivation("softmax")))
		if err := m.Compile(optim.NewSGD(0.1), SparseCategoricalCrossentropy(), nil); err != nil {
			t.Fatal(err)
		}
		return m
	}
	check := func(name string, err error, want ...string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: error %q lacks %q", name, err, w)
			}
		}
	}
	_, err := newModel().FitXY(ctx, x, tensor.Zeros(tensor.Float32, 19), FitConfig{})
	check("length mismatch", err, "20", "19")

	bad := y.Clone()
	bad.Set(3, 7)
	_, err = newModel().FitXY(ctx, x, bad, FitConfig{})
	check("label out of range", err, "label 3", "example 7", "[0, 3)")

	nan := x.Clone()
	nan.Set(math.NaN(), 2, 1)
	_, err = newModel().FitXY(ctx, nan, y, FitConfig{})
	check("NaN input", err, "NaN")

	m := NewSequential(Conv2D(2, 3), Dense(3))
	if err := m.Compile(optim.NewSGD(0.1), SparseCategoricalCrossentropy(), nil); err != nil {
		t.Fatal(err)
	}
	_, err = m.FitXY(ctx, x, y, FitConfig{})
	check("shape", err, "conv2d", "Conv2D", "[3]")

	m = NewSequential(Dense(3, WithActivation("nope")))
	if err := m.Compile(optim.NewSGD(0.1), SparseCategoricalCrossentropy(), nil); err != nil {
		t.Fatal(err)
	}
	_, err = m.FitXY(ctx, x, y, FitConfig{})
	check("bad activation", err, "dense", "nope")

	if err := newModel().Compile(optim.NewSGD(0.1), SparseCategoricalCrossentropy(), Metrics("nope")); err == nil {
		t.Fatal("unknown metric compiled")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = newModel().FitXY(cctx, x, y, FitConfig{})
	if err == nil {
		t.Fatal("cancelled context: no error")
	}
}

func TestSaveLoadIdenticalPredictions(t *testing.T) {
	ctx := context.Background()
	rng := tensor.NewRand(4)
	x := tensor.RandN(tensor.Float32, rng, 16, 1, 8, 8)
	y := tensor.FromSlice(tensor.Float32, []float64{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, 16)
	m := NewSequential(
		Conv2D(4, 3, WithActivation("relu"), WithPadding("same")),
		BatchNormalization(),
		MaxPooling2D(2),
		Conv2D(4, 3, WithStrides(2), WithActivation("elu")),
		Flatten(),
		Dense(8, WithActivation("gelu")),
		Dropout(0.3),
		Dense(4, WithActivation("softmax")),
	)
	if err := m.Compile(optim.NewAdam(1e-3), CategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.FitXY(ctx, x, y, FitConfig{Epochs: 2, BatchSize: 4}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "model")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	l, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := m.Predict(ctx, x, 5)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := l.Predict(ctx, x, 7)
	if err != nil {
		t.Fatal(err)
	}
	a, b := p1.Float32s(), p2.Float32s()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("prediction %d differs after Save/Load: %v vs %v", i, a[i], b[i])
		}
	}
	if m.Summary() != l.Summary() {
		t.Fatalf("summaries differ:\n%s\n%s", m.Summary(), l.Summary())
	}
	if l.Loss().Name() != "categorical_crossentropy" || l.Optimizer().(*optim.Adam).LearningRate != 1e-3 {
		t.Fatalf("training config not restored: %v %v", l.Loss().Name(), l.Optimizer())
	}
	// Loaded models train on.
	if _, err := l.FitXY(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 8}); err != nil {
		t.Fatal(err)
	}

	// A weight with a wrong shape is an error naming it.
	ts := map[string]*tensor.Tensor{}
	for _, w := range m.Weights() {
		ts[w.Name] = w.Value
	}
	ts["dense/kernel"] = tensor.Zeros(tensor.Float32, 3, 3)
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, ts, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, WeightsFile), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), `"dense/kernel" has shape [3 3]`) {
		t.Fatalf("Load with a wrong shape: %v", err)
	}
	// Truncated weights.
	if err := os.WriteFile(filepath.Join(dir, WeightsFile), buf.Bytes()[:buf.Len()-5], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Fatal("Load of truncated weights succeeded")
	}
}

func TestSummary(t *testing.T) {
	m := NewSequential(
		Conv2D(32, 3, WithActivation("relu")), MaxPooling2D(2),
		Conv2D(64, 3, WithActivation("relu")), MaxPooling2D(2),
		Flatten(), Dense(128, WithActivation("relu")), Dropout(0.5), Dense(10, WithActivation("softmax")))
	if err := m.Build([]int{1, 28, 28}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	s := m.Summary()
	for _, want := range []string{
		"conv2d (Conv2D)             (None, 32, 26, 26)        320",
		"conv2d_1 (Conv2D)           (None, 64, 11, 11)        18,496",
		"max_pooling2d_1 (MaxPooling2D) (None, 64, 5, 5)",
		"dense (Dense)               (None, 128)               204,928",
		"dense_1 (Dense)             (None, 10)                1,290",
		"Total params: 225,034",
		"Non-trainable params: 0",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

var _ = data.NewTensorDataset

func TestConcurrentPredict(t *testing.T) {
	m := NewSequential(Conv2D(3, 3, WithActivation("relu")), BatchNormalization(), MaxPooling2D(2), Flatten(), Dropout(0.5), Dense(4, WithActivation("softmax")))
	x := tensor.RandN(tensor.Float32, tensor.NewRand(3), 12, 1, 8, 8)
	want, err := m.Predict(context.Background(), x, 5)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			got, err := m.Predict(context.Background(), x, 3)
			if err == nil && !tensor.AllClose(got, want, 0, 0) {
				err = fmt.Errorf("concurrent Predict gave different outputs")
			}
			errs <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestTrainOnBatch checks that one step lowers the loss of the batch it
// trains on, that it matches a one-batch Fit without shuffling, and that
// bad batches give errors.
func TestTrainOnBatch(t *testing.T) {
	newModel := func() *Model {
		m := NewSequential(Dense(8, WithActivation("tanh")), Dense(3, WithActivation("softmax")))
		m.SetSeed(4)
		if err := m.Compile(optim.NewSGD(0.1), SparseCategoricalCrossentropy(), nil); err != nil {
			t.Fatal(err)
		}
		return m
	}
	rng := tensor.NewRand(2)
	x := tensor.RandN(tensor.Float32, rng, 12, 5)
	y := tensor.FromSlice(tensor.Float32, []float64{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, 12)
	m := newModel()
	l0, err := m.TrainOnBatch(x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	l1, err := m.TrainOnBatch(x, y, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !(l1 < l0) {
		t.Errorf("loss %v after one step, %v before", l1, l0)
	}
	f := newModel()
	h, err := f.FitXY(context.Background(), x, y, FitConfig{Epochs: 2, BatchSize: 12, NoShuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Values["loss"]; math.Abs(got[0]-l0) > 1e-6 || math.Abs(got[1]-l1) > 1e-6 {
		t.Errorf("Fit losses %v, TrainOnBatch %v %v", got, l0, l1)
	}
	if _, err := m.TrainOnBatch(x, tensor.FromSlice(tensor.Float32, []float64{7}, 1), 3); err == nil {
		t.Error("mismatched labels accepted")
	}
	if _, err := NewSequential(Dense(2)).TrainOnBatch(x, y, 1); err == nil {
		t.Error("TrainOnBatch before Compile accepted")
	}
}
