package data

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-ml/ember/tensor"
)

// rangeDataset returns a dataset whose example i is x = [i, 10*i], y = i.
func rangeDataset(t *testing.T, n int) *TensorDataset {
	t.Helper()
	xs := make([]float64, 2*n)
	ys := make([]float64, n)
	for i := range n {
		xs[2*i], xs[2*i+1] = float64(i), float64(10*i)
		ys[i] = float64(i)
	}
	ds, err := NewTensorDataset(tensor.FromSlice(tensor.Float32, xs, n, 2), tensor.FromSlice(tensor.Float32, ys, n))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// getOnly hides the Batch method so the loader collates Get results.
type getOnly struct {
	Dataset
	gets atomic.Int64
	fail int // Get(fail) returns an error when fail >= 0
	slow time.Duration
}

func (g *getOnly) Get(i int) (x, y *tensor.Tensor, err error) {
	g.gets.Add(1)
	if g.slow > 0 {
		time.Sleep(g.slow)
	}
	if i == g.fail {
		return nil, nil, errors.New("boom")
	}
	return g.Dataset.Get(i)
}

func TestNewTensorDatasetErrors(t *testing.T) {
	if _, err := NewTensorDataset(tensor.New(tensor.Float32, 3, 2), tensor.New(tensor.Float32, 4)); err == nil {
		t.Fatal("mismatched lengths accepted")
	}
	if _, err := NewTensorDataset(tensor.Scalar(tensor.Float32, 1), nil); err == nil {
		t.Fatal("scalar x accepted")
	}
	if _, err := NewTensorDataset(nil, nil); err == nil {
		t.Fatal("nil x accepted")
	}
	ds := rangeDataset(t, 3)
	if _, _, err := ds.Get(3); err == nil {
		t.Fatal("Get out of range accepted")
	}
	x, y, err := ds.Get(2)
	if err != nil || x.At(1) != 20 || y.Dim() != 0 || y.Item() != 2 {
		t.Fatalf("Get(2) = %v %v %v", x, y, err)
	}
}

func collect(t *testing.T, l *Loader, epoch int) ([][]int, [][]float32) {
	t.Helper()
	var idx [][]int
	var xs [][]float32
	for b, err := range l.Epoch(context.Background(), epoch) {
		if err != nil {
			t.Fatal(err)
		}
		idx = append(idx, b.Index)
		xs = append(xs, slices.Clone(b.X.Float32s()))
		labels, err := Labels(b.Y)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(labels, b.Index) {
			t.Fatalf("labels %v for indices %v", labels, b.Index)
		}
		for j, i := range b.Index {
			if b.X.At(j, 0) != float64(i) || b.X.At(j, 1) != float64(10*i) {
				t.Fatalf("batch row %d = %v, want example %d", j, b.X.Index(j), i)
			}
		}
	}
	return idx, xs
}

func TestLoaderOrderAndBatches(t *testing.T) {
	ds := rangeDataset(t, 10)
	for _, tc := range []struct {
		drop  bool
		sizes []int
	}{{false, []int{4, 4, 2}}, {true, []int{4, 4}}} {
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 4, DropLast: tc.drop, Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		if l.NumBatches() != len(tc.sizes) {
			t.Fatalf("NumBatches = %d, want %d", l.NumBatches(), len(tc.sizes))
		}
		idx, _ := collect(t, l, 0)
		var flat []int
		for k, b := range idx {
			if len(b) != tc.sizes[k] {
				t.Fatalf("batch %d has %d examples, want %d", k, len(b), tc.sizes[k])
			}
			flat = append(flat, b...)
		}
		want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}[:len(flat)]
		if !slices.Equal(flat, want) {
			t.Fatalf("order %v, want %v", flat, want)
		}
	}
}

func TestLoaderShuffleDeterministic(t *testing.T) {
	ds := rangeDataset(t, 50)
	run := func(workers int, epoch int) []int {
		l, err := NewLoader(&getOnly{Dataset: ds, fail: -1}, LoaderConfig{BatchSize: 7, Shuffle: true, Seed: 42, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		idx, _ := collect(t, l, epoch)
		return slices.Concat(idx...)
	}
	a, b := run(1, 0), run(4, 0)
	if !slices.Equal(a, b) {
		t.Fatal("shuffle depends on the number of workers")
	}
	c := run(2, 1)
	if slices.Equal(a, c) {
		t.Fatal("epochs 0 and 1 have the same order")
	}
	s := slices.Clone(a)
	slices.Sort(s)
	for i, v := range s {
		if v != i {
			t.Fatalf("epoch is not a permutation: %v", a)
		}
	}
}

func TestLoaderTransformReproducible(t *testing.T) {
	ds := rangeDataset(t, 20)
	noise := TransformFunc(func(x *tensor.Tensor, rng *rand.Rand) (*tensor.Tensor, error) {
		return tensor.AddScalar(x, rng.Float64()), nil
	})
	run := func(workers int) [][]float32 {
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 3, Shuffle: true, Seed: 7, Workers: workers, Transform: noise})
		if err != nil {
			t.Fatal(err)
		}
		var out [][]float32
		for b, err := range l.Epoch(context.Background(), 3) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, slices.Clone(b.X.Float32s()))
			for j, i := range b.Index {
				d := b.X.At(j, 0) - float64(i)
				if d2 := b.X.At(j, 1) - float64(10*i); d < 0 || d >= 1 || math.Abs(d2-d) > 1e-4 {
					t.Fatalf("transform not applied per example: row %v for example %d", b.X.Index(j), i)
				}
			}
		}
		return out
	}
	a, b := run(1), run(5)
	for k := range a {
		if !slices.Equal(a[k], b[k]) {
			t.Fatalf("batch %d differs between 1 and 5 workers", k)
		}
	}
	// The dataset itself is untouched.
	if x, _, _ := ds.Get(4); x.At(0) != 4 {
		t.Fatal("transform modified the dataset")
	}
}

func TestLoaderErrorStops(t *testing.T) {
	ds := &getOnly{Dataset: rangeDataset(t, 20), fail: 9}
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 4, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	n, gotErr := 0, error(nil)
	for _, err := range l.Epoch(context.Background(), 0) {
		if err != nil {
			gotErr = err
			break
		}
		n++
	}
	if gotErr == nil || n != 2 {
		t.Fatalf("got %d batches then %v; want 2 batches then an error", n, gotErr)
	}
}

func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines leaked: %d before, %d after", before, runtime.NumGoroutine())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLoaderCancelAndBreakNoLeak(t *testing.T) {
	ds := &getOnly{Dataset: rangeDataset(t, 400), fail: -1, slow: time.Millisecond}
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 4, Workers: 4, Prefetch: 3})
	if err != nil {
		t.Fatal(err)
	}
	// A full epoch first, so that any lazily started worker pools (the
	// tensor package's) exist before counting goroutines.
	for _, err := range l.Epoch(context.Background(), 9) {
		if err != nil {
			t.Fatal(err)
		}
	}
	ds.gets.Store(0)
	before := runtime.NumGoroutine()

	// Break after two batches: the workers stop and do not build the rest.
	n := 0
	for _, err := range l.Epoch(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 2 {
			break
		}
	}
	waitGoroutines(t, before)
	if g := ds.gets.Load(); g >= 400 {
		t.Fatalf("%d Gets after a break at batch 2: the loader did not stop", g)
	}

	// Cancel the context mid-epoch: the loop yields context.Canceled.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n = 0
	var last error
	for _, err := range l.Epoch(ctx, 1) {
		if err != nil {
			last = err
			break
		}
		n++
		if n == 3 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Fatalf("after cancel got %v, want context.Canceled", last)
	}
	waitGoroutines(t, before)

	// An already cancelled context yields its error at once.
	for _, err := range l.Epoch(ctx, 2) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	}
	waitGoroutines(t, before)
}

func TestLoaderConfigErrors(t *testing.T) {
	ds := rangeDataset(t, 3)
	for _, cfg := range []LoaderConfig{{BatchSize: 0}, {BatchSize: 1, Workers: -1}, {BatchSize: 1, Prefetch: -2}} {
		if _, err := NewLoader(ds, cfg); err == nil {
			t.Fatalf("config %+v accepted", cfg)
		}
	}
	if _, err := NewLoader(nil, LoaderConfig{BatchSize: 1}); err == nil {
		t.Fatal("nil dataset accepted")
	}
}

func TestSplitAndSubset(t *testing.T) {
	ds := rangeDataset(t, 10).WithClassNames([]string{"a"})
	tr, va, err := Split(ds, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 7 || va.Len() != 3 {
		t.Fatalf("split sizes %d/%d, want 7/3", tr.Len(), va.Len())
	}
	tr2, va2, _ := Split(ds, 0.3, 1)
	seen := map[float64]bool{}
	for _, part := range [][2]Dataset{{tr, tr2}, {va, va2}} {
		for i := range part[0].Len() {
			_, y1, _ := part[0].Get(i)
			_, y2, _ := part[1].Get(i)
			if y1.Item() != y2.Item() {
				t.Fatal("Split is not deterministic for a seed")
			}
			if seen[y1.Item()] {
				t.Fatalf("example %v in both parts", y1.Item())
			}
			seen[y1.Item()] = true
		}
	}
	if len(seen) != 10 {
		t.Fatalf("split covers %d examples, want 10", len(seen))
	}
	if _, _, err := Split(ds, 1, 0); err == nil {
		t.Fatal("fraction 1 accepted")
	}
	s := Subset(Subset(ds, []int{9, 8, 7}), []int{2, 0})
	x, y, err := Collate(s, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if y.At(0) != 7 || y.At(1) != 9 || x.At(1, 1) != 90 {
		t.Fatalf("nested subset batch x=%v y=%v", x, y)
	}
	if c := s.(ClassNamer).ClassNames(); len(c) != 1 || c[0] != "a" {
		t.Fatalf("subset class names %v", c)
	}
	if _, _, err := s.Get(2); err == nil {
		t.Fatal("subset Get out of range accepted")
	}
	if _, _, err := Subset(ds, []int{11}).Get(0); err == nil {
		t.Fatal("subset index past the dataset accepted")
	}
}

func TestStratifiedSplit(t *testing.T) {
	ds := rangeDataset(t, 20)
	labels := make([]int, 20)
	for i := range labels {
		if i >= 15 {
			labels[i] = 1 // 15 of class 0, 5 of class 1
		}
	}
	tr, va, err := StratifiedSplit(ds, labels, 0.2, 3)
	if err != nil {
		t.Fatal(err)
	}
	count := func(d Dataset) (c0, c1 int) {
		for i := range d.Len() {
			_, y, _ := d.Get(i)
			if labels[int(y.Item())] == 0 {
				c0++
			} else {
				c1++
			}
		}
		return
	}
	if a, b := count(va); a != 3 || b != 1 {
		t.Fatalf("validation has %d/%d of classes 0/1, want 3/1", a, b)
	}
	if a, b := count(tr); a != 12 || b != 4 {
		t.Fatalf("training has %d/%d of classes 0/1, want 12/4", a, b)
	}
}

// With fewer batches than workers, the loader splits each batch's Gets and
// transforms over several goroutines; the result is the same.
func TestLoaderSplitsSmallEpochs(t *testing.T) {
	ds := rangeDataset(t, 30)
	noise := TransformFunc(func(x *tensor.Tensor, rng *rand.Rand) (*tensor.Tensor, error) {
		return tensor.AddScalar(x, rng.Float64()), nil
	})
	run := func(workers int) [][]float32 {
		g := &getOnly{Dataset: ds, fail: -1}
		l, err := NewLoader(g, LoaderConfig{BatchSize: 16, Shuffle: true, Seed: 3, Workers: workers, Transform: noise})
		if err != nil {
			t.Fatal(err)
		}
		var out [][]float32
		for b, err := range l.Epoch(context.Background(), 0) {
			if err != nil {
				t.Fatal(err)
			}
			for j, i := range b.Index {
				if d := b.X.At(j, 0) - float64(i); d < 0 || d >= 1 {
					t.Fatalf("row %d holds %v, not example %d", j, b.X.Index(j), i)
				}
			}
			out = append(out, slices.Clone(b.X.Float32s()))
		}
		if g.gets.Load() != 30 {
			t.Fatalf("%d Gets for 30 examples", g.gets.Load())
		}
		return out
	}
	a, b := run(1), run(8)
	for k := range a {
		if !slices.Equal(a[k], b[k]) {
			t.Fatalf("batch %d differs between 1 and 8 workers", k)
		}
	}
}

func TestSubsetBatcherOnlyOverBatcher(t *testing.T) {
	ds := rangeDataset(t, 10)
	if _, ok := Subset(ds, []int{1, 2}).(Batcher); !ok {
		t.Fatal("subset of an in-memory dataset lost the Batch path")
	}
	if _, ok := Subset(Subset(ds, []int{1, 2}), []int{0}).(Batcher); !ok {
		t.Fatal("nested subset lost the Batch path")
	}
	g := &getOnly{Dataset: ds, fail: -1}
	s := Subset(Subset(g, []int{5, 6, 7}), []int{2, 0})
	if _, ok := s.(Batcher); ok {
		t.Fatal("subset of a Get-only dataset claims a Batch path")
	}
	x, _, err := Collate(s, []int{0, 1})
	if err != nil || x.At(0, 0) != 7 || x.At(1, 0) != 5 {
		t.Fatalf("collate of a Get-only subset: %v %v", x, err)
	}
	tr, _, _ := Split(g, 0.5, 1)
	if _, ok := tr.(Batcher); ok {
		t.Fatal("Split of a Get-only dataset claims a Batch path")
	}
}

func TestTensorDatasetBatchLayouts(t *testing.T) {
	base := tensor.FromSlice(tensor.Float64, []float64{0, 1, 2, 3, 4, 5}, 2, 3)
	for _, x := range []*tensor.Tensor{base.T(), base.T().Contiguous(), base.T().Contiguous().AsType(tensor.Float32), base.Narrow(1, 1, 2).T()} {
		ds, err := NewTensorDataset(x, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, y, err := ds.Batch([]int{1, 0, 1})
		if err != nil || y != nil {
			t.Fatal(err)
		}
		for j, i := range []int{1, 0, 1} {
			for k := range x.Shape()[1] {
				if b.At(j, k) != x.At(i, k) || b.DType() != x.DType() {
					t.Fatalf("batch of %v (contiguous %v): row %d = %v, want row %d of x", x.Shape(), x.IsContiguous(), j, b.Index(j), i)
				}
			}
		}
	}
}
