package nn

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/optim"
)

// TestMNISTCNNAccuracy trains the seeds' CNN on the real MNIST for three
// epochs and checks the target of 99.0% test accuracy. It needs
// the data (EMBER_MNIST=dir, e.g. ../shared/data/mnist) and minutes of CPU,
// so it is skipped unless asked for and under -short (EMBER_MNIST_SEED
// sets the seed of the weights, shuffling and dropout; default 1):
//
//	EMBER_MNIST=../shared/data/mnist go test ./nn -run MNIST -v -timeout 2h
func TestMNISTCNNAccuracy(t *testing.T) {
	dir := os.Getenv("EMBER_MNIST")
	if dir == "" || testing.Short() {
		t.Skip("set EMBER_MNIST to the MNIST directory to run (slow)")
	}
	train, test, err := data.LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := seedsCNN()
	if err := m.Compile(optim.NewAdam(1e-3), CategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	var accs []float64
	seed := uint64(1)
	if s, err := strconv.ParseUint(os.Getenv("EMBER_MNIST_SEED"), 10, 64); err == nil {
		seed = s
	}
	m.SetSeed(seed)
	_, err = m.Fit(ctx, train, FitConfig{Epochs: 3, BatchSize: 64, Seed: seed, Callbacks: []Callback{CallbackFuncs{
		EpochEnd: func(m *Model, epoch int, logs Logs) error {
			_, met, err := m.Evaluate(ctx, test, 500)
			if err != nil {
				return err
			}
			accs = append(accs, met["accuracy"])
			t.Logf("epoch %d: loss %.4f train accuracy %.4f test accuracy %.4f (%.0fs)", epoch+1, logs["loss"], logs["accuracy"], met["accuracy"], time.Since(start).Seconds())
			return nil
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if final := accs[len(accs)-1]; final < 0.99 {
		t.Errorf("test accuracy %.4f after 3 epochs, want >= 0.99", final)
	}
}

// TestMNISTMemory reports the peak RSS of loading MNIST and training the
// seeds' CNN on it for 200 steps, or a whole epoch with EMBER_MNIST_FULL=1
// (EMBER_MNIST as above):
//
//	EMBER_MNIST=../shared/data/mnist go test ./nn -run MNISTMemory -v
func TestMNISTMemory(t *testing.T) {
	dir := os.Getenv("EMBER_MNIST")
	if dir == "" || testing.Short() {
		t.Skip("set EMBER_MNIST to the MNIST directory to run")
	}
	train, _, err := data.LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after LoadMNIST: peak RSS %.0f MiB", peakRSSMiB())
	idx := make([]int, 64*200)
	for i := range idx {
		idx[i] = i
	}
	m := seedsCNN()
	if err := m.Compile(optim.NewAdam(1e-3), CategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	var ds data.Dataset = data.Subset(train, idx)
	what := "200 training steps"
	if os.Getenv("EMBER_MNIST_FULL") != "" {
		ds, what = train, "one epoch (938 steps)"
	}
	if _, err := m.Fit(context.Background(), ds, FitConfig{Epochs: 1, BatchSize: 64}); err != nil {
		t.Fatal(err)
	}
	t.Logf("after %s: peak RSS %.0f MiB", what, peakRSSMiB())
}
