package tensor

import (
	"math/bits"
	"sync"
)

// The CPU allocator keeps released buffers in power-of-two size classes so
// that a training loop, which allocates the same shapes every step, reuses
// memory instead of churning the garbage collector. Buffers below minPooled
// elements are left to the garbage collector.
const minPooled = 256

var (
	pool32 [64]sync.Pool
	pool64 [64]sync.Pool
)

func sizeClass(n int) int { return bits.Len(uint(n - 1)) }

func getF32(n int, zero bool) []float32 {
	if n < minPooled {
		return make([]float32, n)
	}
	c := sizeClass(n)
	if p, ok := pool32[c].Get().(*[]float32); ok {
		s := (*p)[:n]
		if zero {
			clear(s)
		}
		return s
	}
	return make([]float32, n, 1<<c)
}

func putF32(s []float32) {
	if cap(s) < minPooled || cap(s)&(cap(s)-1) != 0 {
		return
	}
	s = s[:cap(s)]
	pool32[sizeClass(cap(s))].Put(&s)
}

func getF64(n int, zero bool) []float64 {
	if n < minPooled {
		return make([]float64, n)
	}
	c := sizeClass(n)
	if p, ok := pool64[c].Get().(*[]float64); ok {
		s := (*p)[:n]
		if zero {
			clear(s)
		}
		return s
	}
	return make([]float64, n, 1<<c)
}

func putF64(s []float64) {
	if cap(s) < minPooled || cap(s)&(cap(s)-1) != 0 {
		return
	}
	s = s[:cap(s)]
	pool64[sizeClass(cap(s))].Put(&s)
}
