package cuda

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ember-ml/ember/tensor"
)

// Device is an opened GPU: a primary context, a stream that all of ember's
// work on it is ordered on, the loaded kernels, a caching allocator and, when
// libcublas is present, a cuBLAS handle. Its methods are safe for concurrent
// use; work is serialised on the device's stream.
type Device struct {
	// Ordinal is the device's index in the driver's enumeration.
	Ordinal int
	// Name is the product name ("NVIDIA H200").
	Name string
	// Major and Minor are the compute capability.
	Major, Minor int
	// TotalMem is the device memory in bytes.
	TotalMem uint64

	d      *driver
	dev    int32
	ctx    uintptr
	stream uintptr

	mu     sync.Mutex // serialises calls that make the context current
	alloc  allocator
	mod    uintptr
	fns    map[string]uintptr
	blas   *cublas
	closed bool
}

// Attribute numbers of cuDeviceGetAttribute.
const (
	attrComputeMajor = 75
	attrComputeMinor = 76
)

// Count returns the number of CUDA devices, or an error when there is no
// usable driver.
func Count() (int, error) {
	d, err := loadDriver()
	if err != nil {
		return 0, err
	}
	var n int32
	if err := d.check("cuDeviceGetCount", d.cuDeviceGetCount(&n)); err != nil {
		return 0, err
	}
	return int(n), nil
}

var (
	openMu sync.Mutex
	opened = map[int]*Device{}
)

// Open opens GPU number ordinal: it loads the driver (once), retains the
// device's primary context, creates a stream, loads the embedded kernels and,
// if found, cuBLAS, and registers the GPU's tensor.Backend so that tensors
// move to it with t.To(dv.TensorDevice()). Opening the same ordinal twice returns the same Device.
// The error wraps ErrNoDriver when the machine has no NVIDIA driver and
// ErrNoDevice when it has no such device.
func Open(ordinal int) (*Device, error) {
	if ordinal < 0 {
		return nil, fmt.Errorf("cuda: device ordinal %d is negative", ordinal)
	}
	d, err := loadDriver()
	if err != nil {
		return nil, err
	}
	return openWith(d, ordinal, true)
}

// openWith opens a device through driver d; tests pass a host emulation of
// the driver, without cuBLAS.
func openWith(d *driver, ordinal int, withBlas bool) (*Device, error) {
	openMu.Lock()
	defer openMu.Unlock()
	if dv := opened[ordinal]; dv != nil {
		return dv, nil
	}
	var n int32
	if err := d.check("cuDeviceGetCount", d.cuDeviceGetCount(&n)); err != nil {
		return nil, err
	}
	if ordinal >= int(n) {
		return nil, fmt.Errorf("%w: ordinal %d, and the driver reports %d device(s)", ErrNoDevice, ordinal, n)
	}
	dv := &Device{Ordinal: ordinal, d: d, fns: map[string]uintptr{}}
	dv.alloc.dev = dv
	if err := dv.init(withBlas); err != nil {
		return nil, err
	}
	opened[ordinal] = dv
	tensor.RegisterBackend(&backend{dv: dv, dev: dv.TensorDevice()})
	return dv, nil
}

func (dv *Device) init(withBlas bool) error {
	d := dv.d
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := d.check("cuDeviceGet", d.cuDeviceGet(&dv.dev, int32(dv.Ordinal))); err != nil {
		return err
	}
	name := make([]byte, 256)
	if err := d.check("cuDeviceGetName", d.cuDeviceGetName(&name[0], int32(len(name)), dv.dev)); err != nil {
		return err
	}
	dv.Name = cString(&name[0])
	var maj, mnr int32
	if err := d.check("cuDeviceGetAttribute", d.cuDeviceGetAttribute(&maj, attrComputeMajor, dv.dev)); err != nil {
		return err
	}
	if err := d.check("cuDeviceGetAttribute", d.cuDeviceGetAttribute(&mnr, attrComputeMinor, dv.dev)); err != nil {
		return err
	}
	dv.Major, dv.Minor = int(maj), int(mnr)
	if err := d.check("cuDeviceTotalMem", d.cuDeviceTotalMem(&dv.TotalMem, dv.dev)); err != nil {
		return err
	}
	if err := d.check("cuDevicePrimaryCtxRetain", d.cuDevicePrimaryCtxRetain(&dv.ctx, dv.dev)); err != nil {
		return err
	}
	if err := d.check("cuCtxSetCurrent", d.cuCtxSetCurrent(dv.ctx)); err != nil {
		d.cuDevicePrimaryCtxRelease(dv.dev)
		return err
	}
	if err := d.check("cuStreamCreate", d.cuStreamCreate(&dv.stream, 0)); err != nil {
		d.cuDevicePrimaryCtxRelease(dv.dev)
		return err
	}
	if err := dv.loadModule(); err != nil {
		d.cuStreamDestroy(dv.stream)
		d.cuDevicePrimaryCtxRelease(dv.dev)
		return err
	}
	// cuBLAS is optional: without it MatMul uses ember's own GEMM kernel.
	if withBlas {
		if b, err := openCublas(dv.stream); err == nil {
			dv.blas = b
		}
	}
	return nil
}

// String describes the device ("cuda:0 NVIDIA H200 (sm_90, 139.8 GiB)").
func (dv *Device) String() string {
	return fmt.Sprintf("cuda:%d %s (sm_%d%d, %.1f GiB)", dv.Ordinal, dv.Name, dv.Major, dv.Minor, float64(dv.TotalMem)/(1<<30))
}

// HasCublas reports whether cuBLAS was found and is used for GEMM.
func (dv *Device) HasCublas() bool { return dv.blas != nil }

// do runs fn on a locked OS thread with the device's context current,
// holding the device's lock.
func (dv *Device) do(fn func() error) error {
	dv.mu.Lock()
	defer dv.mu.Unlock()
	if dv.closed {
		return errors.New("cuda: device is closed")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := dv.d.check("cuCtxSetCurrent", dv.d.cuCtxSetCurrent(dv.ctx)); err != nil {
		return err
	}
	return fn()
}

// Synchronize waits for all work queued on the device's stream.
func (dv *Device) Synchronize() error {
	return dv.do(func() error { return dv.d.check("cuStreamSynchronize", dv.d.cuStreamSynchronize(dv.stream)) })
}

// MemInfo returns the free and total device memory in bytes.
func (dv *Device) MemInfo() (free, total uint64, err error) {
	err = dv.do(func() error { return dv.d.check("cuMemGetInfo", dv.d.cuMemGetInfo(&free, &total)) })
	return free, total, err
}

// Close frees cached memory, unloads the kernels and releases the context.
// Buffers still held become invalid.
func (dv *Device) Close() error {
	err := dv.do(func() error {
		d := dv.d
		errs := []error{dv.alloc.trim()}
		if dv.blas != nil {
			errs = append(errs, dv.blas.destroy())
		}
		errs = append(errs, d.check("cuModuleUnload", d.cuModuleUnload(dv.mod)))
		errs = append(errs, d.check("cuStreamDestroy", d.cuStreamDestroy(dv.stream)))
		errs = append(errs, d.check("cuDevicePrimaryCtxRelease", d.cuDevicePrimaryCtxRelease(dv.dev)))
		dv.closed = true
		return errors.Join(errs...)
	})
	openMu.Lock()
	if opened[dv.Ordinal] == dv {
		delete(opened, dv.Ordinal)
	}
	openMu.Unlock()
	return err
}

// Buffer is device memory from the caching allocator.
type Buffer struct {
	dev   *Device
	ptr   uintptr
	bytes int // the allocation's size class
	n     int // elements, for tensor.DeviceMemory
	esize int
}

// Len returns the number of elements the buffer was allocated for.
func (b *Buffer) Len() int { return b.n }

// Ptr returns the device address.
func (b *Buffer) Ptr() uintptr { return b.ptr }

// Alloc returns a buffer of at least bytes bytes (uninitialised). Free
// returns it to the cache; a buffer that becomes unreachable without Free
// returns there too, after a garbage collection.
func (dv *Device) Alloc(bytes int) (*Buffer, error) {
	var b *Buffer
	err := dv.do(func() error {
		var err error
		b, err = dv.alloc.get(bytes)
		return err
	})
	if err != nil {
		return nil, err
	}
	runtime.SetFinalizer(b, collected)
	return b, nil
}

// Free returns b to the device's cache. Work already queued on the stream
// that uses b runs before any later use of the same memory, since all work
// is ordered on one stream.
func (dv *Device) Free(b *Buffer) {
	if b == nil || b.ptr == 0 {
		return
	}
	dv.mu.Lock()
	dv.alloc.put(b)
	dv.mu.Unlock()
}

// CopyIn copies len(src) bytes from host memory at src into b at byte
// offset off. It returns when the copy is done.
func (dv *Device) CopyIn(b *Buffer, off int, src unsafe.Pointer, bytes int) error {
	if off < 0 || off+bytes > b.bytes {
		return fmt.Errorf("cuda: CopyIn of %d bytes at %d into a %d-byte buffer", bytes, off, b.bytes)
	}
	if bytes == 0 {
		return nil
	}
	return dv.do(func() error {
		if err := dv.d.check("cuStreamSynchronize", dv.d.cuStreamSynchronize(dv.stream)); err != nil {
			return err
		}
		return dv.d.check("cuMemcpyHtoD", dv.d.cuMemcpyHtoD(b.ptr+uintptr(off), src, uint64(bytes)))
	})
}

// CopyOut copies bytes bytes from b at byte offset off to host memory at
// dst, after the work queued on the stream has finished.
func (dv *Device) CopyOut(dst unsafe.Pointer, b *Buffer, off int, bytes int) error {
	if off < 0 || off+bytes > b.bytes {
		return fmt.Errorf("cuda: CopyOut of %d bytes at %d from a %d-byte buffer", bytes, off, b.bytes)
	}
	if bytes == 0 {
		return nil
	}
	return dv.do(func() error {
		if err := dv.d.check("cuStreamSynchronize", dv.d.cuStreamSynchronize(dv.stream)); err != nil {
			return err
		}
		return dv.d.check("cuMemcpyDtoH", dv.d.cuMemcpyDtoH(dst, b.ptr+uintptr(off), uint64(bytes)))
	})
}

// PinnedBuffer is page-locked host memory (cuMemHostAlloc), which the device
// copies to and from faster than ordinary Go memory.
type PinnedBuffer struct {
	dev *Device
	ptr unsafe.Pointer
	n   int
}

// Bytes returns the pinned memory as a byte slice (valid until Free).
func (p *PinnedBuffer) Bytes() []byte { return unsafe.Slice((*byte)(p.ptr), p.n) }

// Float32s returns the pinned memory as float32s (valid until Free).
func (p *PinnedBuffer) Float32s() []float32 {
	return unsafe.Slice((*float32)(p.ptr), p.n/4)
}

// AllocPinned returns bytes bytes of page-locked host memory.
func (dv *Device) AllocPinned(bytes int) (*PinnedBuffer, error) {
	if bytes <= 0 {
		return nil, fmt.Errorf("cuda: pinned allocation of %d bytes", bytes)
	}
	p := &PinnedBuffer{dev: dv, n: bytes}
	err := dv.do(func() error {
		return dv.d.check("cuMemHostAlloc", dv.d.cuMemHostAlloc(&p.ptr, uint64(bytes), 0))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Free releases the pinned memory.
func (p *PinnedBuffer) Free() error {
	if p.ptr == nil {
		return nil
	}
	err := p.dev.do(func() error { return p.dev.d.check("cuMemFreeHost", p.dev.d.cuMemFreeHost(p.ptr)) })
	p.ptr = nil
	return err
}
