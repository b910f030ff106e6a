package nn

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

func tinyModel(t *testing.T) *Model {
	t.Helper()
	m := NewSequential(Dense(2, WithActivation("softmax")))
	if err := m.Compile(optim.NewSGD(0.1), SparseCategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	if err := m.Build([]int{3}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	m := tinyModel(t)
	es := EarlyStopping("val_loss", 2)
	es.RestoreBestWeights = true
	_ = es.OnTrainBegin(m)
	k := m.Params()[0].Value
	losses := []float64{1, 0.5, 0.7, 0.6}
	var bestKernel []float64
	for e, l := range losses {
		k.Fill(float64(e)) // the weights "of" epoch e
		if e == 1 {
			bestKernel = k.Clone().Float64s()
		}
		if err := es.OnEpochEnd(m, e, Logs{"val_loss": l}); err != nil {
			t.Fatal(err)
		}
		if m.stop != (e == 3) {
			t.Fatalf("epoch %d: stop=%v", e, m.stop)
		}
	}
	if best, at := es.Best(); best != 0.5 || at != 1 || es.StoppedEpoch != 3 {
		t.Fatalf("best %v at %d, stopped %d", best, at, es.StoppedEpoch)
	}
	_ = es.OnTrainEnd(m, nil)
	if got := k.Float64s(); got[0] != bestKernel[0] {
		t.Fatalf("weights not restored: %v", got[:2])
	}
	// Accuracy is maximised in auto mode; a missing key is an error.
	acc := EarlyStopping("val_accuracy", 1)
	_ = acc.OnTrainBegin(m)
	m.stop = false
	_ = acc.OnEpochEnd(m, 0, Logs{"val_accuracy": 0.5})
	_ = acc.OnEpochEnd(m, 1, Logs{"val_accuracy": 0.9})
	if m.stop {
		t.Fatal("an accuracy increase counted as no improvement")
	}
	if err := acc.OnEpochEnd(m, 2, Logs{"loss": 1}); err == nil || !strings.Contains(err.Error(), "val_accuracy") {
		t.Fatalf("missing monitor: %v", err)
	}
}

func TestModelCheckpointSavesBestOnly(t *testing.T) {
	m := tinyModel(t)
	dir := t.TempDir()
	cp := ModelCheckpoint(filepath.Join(dir, "ep{epoch}"), true)
	_ = cp.OnTrainBegin(m)
	for e, l := range []float64{1, 2, 0.5} {
		if err := cp.OnEpochEnd(m, e, Logs{"val_loss": l}); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]bool{"ep1": true, "ep2": false, "ep3": true} {
		_, err := os.Stat(filepath.Join(dir, name, WeightsFile))
		if (err == nil) != want {
			t.Errorf("%s saved=%v, want %v", name, err == nil, want)
		}
	}
}

func TestFitCallbacksOrderSchedulersAndCSV(t *testing.T) {
	x, y := blobs(64, 3, 2, 3)
	m := NewSequential(Dense(2, WithActivation("softmax")))
	if err := m.Compile(optim.NewSGD(1), SparseCategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	var events []string
	rec := CallbackFuncs{
		TrainBegin: func(*Model) error { events = append(events, "train"); return nil },
		EpochBegin: func(_ *Model, e int) error { events = append(events, "epoch"); return nil },
		BatchEnd:   func(_ *Model, e, b int, l Logs) error { events = append(events, "batch"); return nil },
		EpochEnd: func(m *Model, e int, l Logs) error {
			events = append(events, "end")
			return nil
		},
		TrainEnd: func(*Model, Logs) error { events = append(events, "done"); return nil },
	}
	csvPath := filepath.Join(t.TempDir(), "log.csv")
	h, err := m.FitXY(context.Background(), x, y, FitConfig{
		Epochs: 3, BatchSize: 32, NoShuffle: true,
		Callbacks: []Callback{LearningRateScheduler(optim.StepLR{Initial: 0.4, StepSize: 1, Gamma: 0.5}), rec, CSVLogger(csvPath)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "train epoch batch batch end epoch batch batch end epoch batch batch end done"
	if got := strings.Join(events, " "); got != want {
		t.Fatalf("events %q\nwant %q", got, want)
	}
	if lr := h.Values["lr"]; len(lr) != 3 || lr[0] != 0.4 || lr[1] != 0.2 || lr[2] != 0.1 {
		t.Fatalf("lr history %v", lr)
	}
	csv, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 4 || lines[0] != "epoch,accuracy,loss,lr" || !strings.HasPrefix(lines[3], "2,") {
		t.Fatalf("csv:\n%s", csv)
	}

	// A callback error stops Fit and is returned.
	boom := errors.New("boom")
	_, err = m.FitXY(context.Background(), x, y, FitConfig{Epochs: 3, Callbacks: []Callback{CallbackFuncs{EpochEnd: func(*Model, int, Logs) error { return boom }}}})
	if !errors.Is(err, boom) {
		t.Fatalf("callback error: %v", err)
	}

	// ReduceLROnPlateau through a callback.
	r := ReduceLROnPlateau("loss", &optim.ReduceLROnPlateau{Factor: 0.5, Patience: 0})
	m2 := tinyModel(t)
	_ = r.OnEpochEnd(m2, 0, Logs{"loss": 1})
	_ = r.OnEpochEnd(m2, 1, Logs{"loss": 2})
	if m2.Optimizer().LR() != 0.05 {
		t.Fatalf("lr %v after a plateau", m2.Optimizer().LR())
	}
}

func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Unix(0, 0)
	p := newProgress(&buf, 2, 3, 10)
	p.now = func() time.Time { return clock }
	_ = p.OnEpochBegin(nil, 0)
	for b := 0; b < 10; b++ {
		_ = p.OnBatchEnd(nil, 0, b, Logs{"loss": 1})
	}
	clock = clock.Add(2 * time.Second)
	_ = p.OnEpochEnd(nil, 0, Logs{"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "val_accuracy": 0.75, "lr": 0.001})
	want := "Epoch 1/3\n10/10 - 2s - 200ms/step - loss: 0.2500 - accuracy: 0.8750 - val_loss: 0.5000 - val_accuracy: 0.7500\n"
	if buf.String() != want {
		t.Fatalf("verbose 2:\n%q\nwant\n%q", buf.String(), want)
	}

	buf.Reset()
	p = newProgress(&buf, 1, 1, 4)
	clock = time.Unix(0, 0)
	p.now = func() time.Time { return clock }
	_ = p.OnEpochBegin(nil, 0)
	clock = clock.Add(time.Second)
	_ = p.OnBatchEnd(nil, 0, 0, Logs{"loss": 2})
	clock = clock.Add(time.Second)
	_ = p.OnBatchEnd(nil, 0, 1, Logs{"loss": 1.5})
	clock = clock.Add(2 * time.Second)
	_ = p.OnBatchEnd(nil, 0, 2, Logs{"loss": 1})
	_ = p.OnBatchEnd(nil, 0, 3, Logs{"loss": 1})
	_ = p.OnEpochEnd(nil, 0, Logs{"loss": 1})
	want = "Epoch 1/1\n" +
		"\r1/4 [=======>......................] - ETA: 3s - loss: 2.0000" +
		"\r2/4 [===============>..............] - ETA: 2s - loss: 1.5000" +
		"\r3/4 [======================>.......] - ETA: 1s - loss: 1.0000" +
		"\r4/4 [==============================] - 4s 1s/step - loss: 1.0000\n"
	if buf.String() != want {
		t.Fatalf("verbose 1:\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestClassWeightAndCancel(t *testing.T) {
	// With a zero learning rate the epoch's loss is the class-weighted
	// mean: class 1 weighted 0.5, class 0 weighted 2, divided by N.
	x, y := blobs(40, 2, 2, 8)
	m := NewSequential(Dense(2, WithActivation("softmax")))
	if err := m.Compile(optim.NewSGD(0), SparseCategoricalCrossentropy(), nil); err != nil {
		t.Fatal(err)
	}
	h, err := m.FitXY(context.Background(), x, y, FitConfig{Epochs: 1, BatchSize: 40, ClassWeight: map[int]float64{0: 2, 1: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(context.Background(), x, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for i, c := range y.Float64s() {
		w := 2.0
		if c == 1 {
			w = 0.5
		}
		want -= w * math.Log(p.At(i, int(c)))
	}
	want /= 40
	if got := h.Last("loss"); math.Abs(got-want) > 1e-5 {
		t.Fatalf("class-weighted loss %v, want %v", got, want)
	}

	// Cancelling from a callback stops Fit with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	epochs := 0
	h, err = m.FitXY(ctx, x, y, FitConfig{Epochs: 5, Callbacks: []Callback{CallbackFuncs{EpochEnd: func(*Model, int, Logs) error {
		epochs++
		cancel()
		return nil
	}}}})
	if !errors.Is(err, context.Canceled) || epochs != 1 || len(h.Epoch) != 1 {
		t.Fatalf("cancel: err %v after %d epochs, history %v", err, epochs, h.Epoch)
	}
}
