package data

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/ember-ml/ember/tensor"
)

// Transform changes one example's input, for example a random
// augmentation. The loader applies it in its worker goroutines, to each
// example of a batch, with a random source that depends only on the
// loader's seed, the epoch and the example's position in the epoch, so the
// result does not depend on the number of workers. Apply must return a
// tensor of the same shape as x; it may modify x in place and return it.
type Transform interface {
	Apply(x *tensor.Tensor, rng *rand.Rand) (*tensor.Tensor, error)
}

// TransformFunc adapts a function to the Transform interface.
type TransformFunc func(x *tensor.Tensor, rng *rand.Rand) (*tensor.Tensor, error)

// Apply calls f.
func (f TransformFunc) Apply(x *tensor.Tensor, rng *rand.Rand) (*tensor.Tensor, error) {
	return f(x, rng)
}

// LoaderConfig configures a Loader.
type LoaderConfig struct {
	// BatchSize is the number of examples a batch (the last one may be
	// smaller unless DropLast). Must be positive.
	BatchSize int
	// Shuffle reorders the examples every epoch, from (Seed, epoch).
	Shuffle bool
	// Seed seeds the shuffle and the Transform's random sources.
	Seed uint64
	// DropLast drops a last batch smaller than BatchSize.
	DropLast bool
	// Workers is the number of goroutines that build batches; 0 means
	// GOMAXPROCS.
	Workers int
	// Prefetch is how many batches may wait, built or being built, ahead
	// of the consumer; 0 means 2*Workers.
	Prefetch int
	// Transform, if set, is applied to every example's input in the
	// workers (augmentation).
	Transform Transform
}

// Batch is one batch of examples: X and Y have the examples on their first
// axis, and Index holds their indices in the dataset.
type Batch struct {
	X, Y  *tensor.Tensor
	Index []int
}

// Loader delivers the batches of a dataset, epoch by epoch.
type Loader struct {
	ds       Dataset
	cfg      LoaderConfig
	workers  int
	prefetch int
}

// NewLoader returns a loader over ds.
func NewLoader(ds Dataset, cfg LoaderConfig) (*Loader, error) {
	if ds == nil {
		return nil, fmt.Errorf("data: NewLoader with a nil dataset")
	}
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: batch size %d is not positive", cfg.BatchSize)
	}
	if cfg.Workers < 0 {
		return nil, fmt.Errorf("data: %d workers is negative", cfg.Workers)
	}
	if cfg.Prefetch < 0 {
		return nil, fmt.Errorf("data: prefetch %d is negative", cfg.Prefetch)
	}
	l := &Loader{ds: ds, cfg: cfg, workers: cfg.Workers, prefetch: cfg.Prefetch}
	if l.workers == 0 {
		l.workers = runtime.GOMAXPROCS(0)
	}
	if l.prefetch == 0 {
		l.prefetch = 2 * l.workers
	}
	return l, nil
}

// Dataset returns the loader's dataset.
func (l *Loader) Dataset() Dataset { return l.ds }

// Config returns the loader's configuration.
func (l *Loader) Config() LoaderConfig { return l.cfg }

// NumBatches returns the number of batches in an epoch.
func (l *Loader) NumBatches() int {
	n, b := l.ds.Len(), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Order returns the order in which the examples of the given epoch are
// visited: 0..Len-1, or a permutation from (Seed, epoch) when shuffling.
func (l *Loader) Order(epoch int) []int {
	n := l.ds.Len()
	if !l.cfg.Shuffle {
		o := make([]int, n)
		for i := range o {
			o[i] = i
		}
		return o
	}
	return permutation(n, l.cfg.Seed, uint64(epoch))
}

// Epoch returns the batches of one epoch, in order. Batches are built by
// the workers up to Prefetch ahead of the consumer. Iteration stops at the
// first error (which is yielded), when the consumer breaks out of the loop,
// or when ctx is cancelled (ctx.Err() is yielded); in every case the
// workers have stopped when the loop ends.
func (l *Loader) Epoch(ctx context.Context, epoch int) iter.Seq2[Batch, error] {
	return func(yield func(Batch, error) bool) {
		nb := l.NumBatches()
		if nb == 0 {
			return
		}
		if err := ctx.Err(); err != nil {
			yield(Batch{}, err)
			return
		}
		order := l.Order(epoch)
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()

		type result struct {
			b   Batch
			err error
		}
		type job struct {
			k   int
			out chan result
		}
		jobs := make(chan job)
		queue := make(chan chan result, l.prefetch)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(queue)
			defer close(jobs)
			for k := range nb {
				out := make(chan result, 1)
				select {
				case queue <- out:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- job{k, out}:
				case <-ctx.Done():
					return
				}
			}
		}()
		// With fewer batches than workers, each batch is split too.
		split := max(1, l.workers/min(nb, l.workers))
		for range min(l.workers, nb) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					if err := ctx.Err(); err != nil {
						j.out <- result{err: err}
						continue
					}
					b, err := l.build(order, epoch, j.k, split)
					j.out <- result{b, err}
				}
			}()
		}
		for out := range queue {
			if err := ctx.Err(); err != nil {
				yield(Batch{}, err)
				return
			}
			var r result
			select {
			case r = <-out:
			case <-ctx.Done():
				yield(Batch{}, ctx.Err())
				return
			}
			if !yield(r.b, r.err) || r.err != nil {
				return
			}
		}
	}
}

// build makes batch k of an epoch, splitting its examples over split
// goroutines when the dataset has no fast Batch path.
func (l *Loader) build(order []int, epoch, k, split int) (Batch, error) {
	bs := l.cfg.BatchSize
	lo := k * bs
	hi := min(lo+bs, len(order))
	idx := slices.Clone(order[lo:hi])
	split = min(split, len(idx))
	var x, y *tensor.Tensor
	var err error
	if split <= 1 || hasFastBatch(l.ds) {
		x, y, err = Collate(l.ds, idx)
	} else {
		xs := make([]*tensor.Tensor, len(idx))
		ys := make([]*tensor.Tensor, len(idx))
		errs := make([]error, len(idx))
		parallelChunks(len(idx), split, func(j int) {
			xs[j], ys[j], errs[j] = l.ds.Get(idx[j])
		})
		for _, e := range errs {
			if e != nil {
				return Batch{}, e
			}
		}
		x, y, err = stackExamples(idx, xs, ys)
	}
	if err != nil {
		return Batch{}, err
	}
	if l.cfg.Transform != nil {
		if !x.IsContiguous() {
			x = x.Clone()
		}
		errs := make([]error, len(idx))
		parallelChunks(len(idx), max(split, 1), func(j int) {
			row := x.Index(j)
			rng := ExampleRand(l.cfg.Seed, epoch, lo+j)
			out, err := l.cfg.Transform.Apply(row, rng)
			switch {
			case err != nil:
				errs[j] = fmt.Errorf("data: transform of example %d: %w", idx[j], err)
			case out == row:
			case !slices.Equal(out.Shape(), row.Shape()):
				errs[j] = fmt.Errorf("data: transform changed the shape of example %d from %v to %v",
					idx[j], row.Shape(), out.Shape())
			default:
				row.CopyFrom(out)
			}
		})
		for _, e := range errs {
			if e != nil {
				return Batch{}, e
			}
		}
	}
	return Batch{X: x, Y: y, Index: idx}, nil
}

// hasFastBatch reports whether ds builds batches without per-example Get
// calls (a Batcher, such as an in-memory dataset or a subset of one).
func hasFastBatch(ds Dataset) bool {
	_, ok := ds.(Batcher)
	return ok
}

// parallelChunks calls fn(0..n-1) on k goroutines (the caller's among
// them), each taking a contiguous chunk.
func parallelChunks(n, k int, fn func(i int)) {
	if k <= 1 || n <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + k - 1) / k
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}(lo, min(lo+chunk, n))
	}
	for i := range min(chunk, n) {
		fn(i)
	}
	wg.Wait()
}

// ExampleRand returns the random source the loader gives its Transform for
// the example at position pos of epoch epoch.
func ExampleRand(seed uint64, epoch, pos int) *rand.Rand {
	s := seed ^ (uint64(epoch)+1)*0x9e3779b97f4a7c15
	return rand.New(rand.NewPCG(s, uint64(pos)*0xbf58476d1ce4e5b9+1))
}
