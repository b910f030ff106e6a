// Package parallel runs loops over index ranges on a fixed pool of worker
// goroutines sized by GOMAXPROCS. Work is split into chunks whose bounds depend
// only on the problem size and the grain, never on the number of workers, so
// reductions that combine per-chunk partial results in chunk order give the
// same answer however many workers ran them.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// batch tracks the chunks of one For call still running.
type batch struct {
	left atomic.Int64
	done chan struct{}
}

func (b *batch) finish() {
	if b.left.Add(-1) == 0 {
		close(b.done)
	}
}

type job struct {
	fn     func(lo, hi int)
	lo, hi int
	b      *batch
}

func (j job) run() {
	j.fn(j.lo, j.hi)
	j.b.finish()
}

var (
	startOnce sync.Once
	jobs      chan job
	workers   int
)

func start() {
	workers = runtime.GOMAXPROCS(0)
	jobs = make(chan job, 4*workers)
	for i := 0; i < workers; i++ {
		go func() {
			for j := range jobs {
				j.run()
			}
		}()
	}
}

// Workers reports the number of worker goroutines in the pool.
func Workers() int {
	startOnce.Do(start)
	return workers
}

// Chunks returns the number of chunks For splits n items into for the given
// grain (the smallest chunk worth handing to a worker).
func Chunks(n, grain int) int {
	if n <= 0 {
		return 0
	}
	if grain < 1 {
		grain = 1
	}
	return (n + grain - 1) / grain
}

// For calls fn(lo, hi) over [0, n) in chunks of grain items (the last may be
// shorter), on the worker pool, and returns when all chunks are done. The
// calling goroutine works too. When the whole range fits in one chunk, or the
// pool has a single worker, fn runs inline with no synchronisation.
func For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	startOnce.Do(start)
	if n <= grain || workers == 1 {
		for lo := 0; lo < n; lo += grain {
			fn(lo, min(lo+grain, n))
		}
		return
	}
	b := &batch{done: make(chan struct{})}
	b.left.Store(int64(Chunks(n, grain)))
	for lo := grain; lo < n; lo += grain {
		j := job{fn: fn, lo: lo, hi: min(lo+grain, n), b: b}
		select {
		case jobs <- j:
		default:
			// The queue is full (nested or concurrent use): run it here
			// rather than block.
			j.run()
		}
	}
	job{fn: fn, lo: 0, hi: min(grain, n), b: b}.run()
	// While our chunks are out, help with whatever is queued (ours or a
	// nested call's), so that For may be called from inside For without
	// deadlock.
	for {
		select {
		case <-b.done:
			return
		case j := <-jobs:
			j.run()
		}
	}
}

// ForN splits [0, n) into exactly parts nearly equal chunks (fewer when n is
// smaller) and runs them as For does. Chunk i covers
// [i*n/parts, (i+1)*n/parts).
func ForN(n, parts int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	parts = max(1, min(parts, n))
	For(parts, 1, func(plo, phi int) {
		for p := plo; p < phi; p++ {
			fn(p*n/parts, (p+1)*n/parts)
		}
	})
}
