package cuda

import (
	"errors"
	"math/bits"
	"runtime"
	"sync"
	"time"
)

// allocator caches device allocations by size class so that a training
// loop's repeated shapes reuse memory instead of calling cuMemAlloc and
// cuMemFree (which synchronise the device). Callers hold the device's lock.
type allocator struct {
	dev    *Device
	free   map[int][]uintptr
	cached int // bytes held in free lists
	inUse  int // bytes handed out

	// Buffers whose tensors the garbage collector found unreachable are
	// queued here by their finalizers (which must not take the device
	// lock) and moved to the free lists on the next allocation.
	pendMu  sync.Mutex
	pending []*Buffer
}

// collected is the finalizer of buffers handed to users: memory a tensor
// dropped without Release comes back to the cache.
func collected(b *Buffer) {
	if b.ptr == 0 {
		return
	}
	a := &b.dev.alloc
	a.pendMu.Lock()
	a.pending = append(a.pending, &Buffer{dev: b.dev, ptr: b.ptr, bytes: b.bytes})
	a.pendMu.Unlock()
}

// drain moves finalized buffers to the free lists.
func (a *allocator) drain() {
	a.pendMu.Lock()
	p := a.pending
	a.pending = nil
	a.pendMu.Unlock()
	for _, b := range p {
		a.put(b)
	}
}

// Size classes: powers of two from 512 B up to 1 MiB, then multiples of
// 1 MiB up to 64 MiB, then multiples of 16 MiB. This bounds the waste of a
// rounded allocation to about half for small ones and a few percent above.
const (
	minClass   = 512
	smallLimit = 1 << 20
	midLimit   = 64 << 20
	midStep    = 1 << 20
	bigStep    = 16 << 20
)

// sizeClass returns the number of bytes actually allocated for a request.
func sizeClass(n int) int {
	switch {
	case n <= minClass:
		return minClass
	case n <= smallLimit:
		return 1 << bits.Len(uint(n-1))
	case n <= midLimit:
		return (n + midStep - 1) / midStep * midStep
	}
	return (n + bigStep - 1) / bigStep * bigStep
}

func (a *allocator) get(bytes int) (*Buffer, error) {
	if bytes < 0 {
		return nil, errors.New("cuda: negative allocation size")
	}
	c := sizeClass(bytes)
	a.drain()
	if l := a.free[c]; len(l) > 0 {
		p := l[len(l)-1]
		a.free[c] = l[:len(l)-1]
		a.cached -= c
		a.inUse += c
		return &Buffer{dev: a.dev, ptr: p, bytes: c}, nil
	}
	d := a.dev.d
	var p uintptr
	r := d.cuMemAlloc(&p, uint64(c))
	if r == errOutOfMemory {
		// Collect tensors dropped without Release, give the cache back to
		// the driver and try once more.
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // let finalizers queue their buffers
		a.drain()
		if err := a.trim(); err != nil {
			return nil, err
		}
		r = d.cuMemAlloc(&p, uint64(c))
	}
	if err := d.check("cuMemAlloc", r); err != nil {
		return nil, err
	}
	a.inUse += c
	return &Buffer{dev: a.dev, ptr: p, bytes: c}, nil
}

func (a *allocator) put(b *Buffer) {
	if a.free == nil {
		a.free = map[int][]uintptr{}
	}
	a.free[b.bytes] = append(a.free[b.bytes], b.ptr)
	a.cached += b.bytes
	a.inUse -= b.bytes
	b.ptr = 0
}

// trim frees every cached allocation.
func (a *allocator) trim() error {
	var errs []error
	for c, l := range a.free {
		for _, p := range l {
			errs = append(errs, a.dev.d.check("cuMemFree", a.dev.d.cuMemFree(p)))
		}
		delete(a.free, c)
	}
	a.cached = 0
	return errors.Join(errs...)
}

// TrimCache returns the allocator's cached (unused) device memory to the
// driver.
func (dv *Device) TrimCache() error { return dv.do(dv.alloc.trim) }

// MemStats returns the bytes handed out by the allocator and those cached
// for reuse.
func (dv *Device) MemStats() (inUse, cached int) {
	dv.mu.Lock()
	defer dv.mu.Unlock()
	return dv.alloc.inUse, dv.alloc.cached
}
