package cuda

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// ErrNoDriver is wrapped by the error Open returns when the CUDA driver
// library (libcuda.so.1) cannot be loaded: the machine has no NVIDIA driver.
var ErrNoDriver = errors.New("cuda: no CUDA driver (libcuda.so.1 not found)")

// ErrNoDevice is wrapped by the error Open returns when the driver loads but
// reports no device with the requested ordinal.
var ErrNoDevice = errors.New("cuda: no CUDA device")

// cuResult is a CUresult from the driver API.
type cuResult int32

// driver holds the driver API entry points, resolved once.
type driver struct {
	cuInit                     func(flags uint32) cuResult
	cuDriverGetVersion         func(v *int32) cuResult
	cuDeviceGetCount           func(n *int32) cuResult
	cuDeviceGet                func(dev *int32, ordinal int32) cuResult
	cuDeviceGetName            func(name *byte, n int32, dev int32) cuResult
	cuDeviceTotalMem           func(bytes *uint64, dev int32) cuResult
	cuDeviceGetAttribute       func(v *int32, attr int32, dev int32) cuResult
	cuDevicePrimaryCtxRetain   func(ctx *uintptr, dev int32) cuResult
	cuDevicePrimaryCtxRelease  func(dev int32) cuResult
	cuCtxSetCurrent            func(ctx uintptr) cuResult
	cuCtxSynchronize           func() cuResult
	cuMemAlloc                 func(ptr *uintptr, bytes uint64) cuResult
	cuMemFree                  func(ptr uintptr) cuResult
	cuMemcpyHtoD               func(dst uintptr, src unsafe.Pointer, bytes uint64) cuResult
	cuMemcpyDtoH               func(dst unsafe.Pointer, src uintptr, bytes uint64) cuResult
	cuMemcpyDtoD               func(dst uintptr, src uintptr, bytes uint64) cuResult
	cuMemsetD8                 func(dst uintptr, v uint8, n uint64) cuResult
	cuMemGetInfo               func(free, total *uint64) cuResult
	cuStreamCreate             func(s *uintptr, flags uint32) cuResult
	cuStreamDestroy            func(s uintptr) cuResult
	cuStreamSynchronize        func(s uintptr) cuResult
	cuModuleLoadData           func(mod *uintptr, image *byte) cuResult
	cuModuleUnload             func(mod uintptr) cuResult
	cuModuleGetFunction        func(fn *uintptr, mod uintptr, name *byte) cuResult
	cuLaunchKernel             func(f uintptr, gx, gy, gz, bx, by, bz, shared uint32, stream uintptr, params *uintptr, extra uintptr) cuResult
	cuGetErrorName             func(r cuResult, s **byte) cuResult
	cuMemHostAlloc             func(p *unsafe.Pointer, bytes uint64, flags uint32) cuResult
	cuMemFreeHost              func(p unsafe.Pointer) cuResult
	cuDevicePrimaryCtxGetState func(dev int32, flags *uint32, active *int32) cuResult
}

// symbols maps each field of driver to its exported name; versioned names
// (_v2) are the ones the current API headers map the plain names to.
func (d *driver) symbols() []struct {
	fn   any
	name string
} {
	return []struct {
		fn   any
		name string
	}{
		{&d.cuInit, "cuInit"},
		{&d.cuDriverGetVersion, "cuDriverGetVersion"},
		{&d.cuDeviceGetCount, "cuDeviceGetCount"},
		{&d.cuDeviceGet, "cuDeviceGet"},
		{&d.cuDeviceGetName, "cuDeviceGetName"},
		{&d.cuDeviceTotalMem, "cuDeviceTotalMem_v2"},
		{&d.cuDeviceGetAttribute, "cuDeviceGetAttribute"},
		{&d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"},
		{&d.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"},
		{&d.cuCtxSetCurrent, "cuCtxSetCurrent"},
		{&d.cuCtxSynchronize, "cuCtxSynchronize"},
		{&d.cuMemAlloc, "cuMemAlloc_v2"},
		{&d.cuMemFree, "cuMemFree_v2"},
		{&d.cuMemcpyHtoD, "cuMemcpyHtoD_v2"},
		{&d.cuMemcpyDtoH, "cuMemcpyDtoH_v2"},
		{&d.cuMemcpyDtoD, "cuMemcpyDtoD_v2"},
		{&d.cuMemsetD8, "cuMemsetD8_v2"},
		{&d.cuMemGetInfo, "cuMemGetInfo_v2"},
		{&d.cuStreamCreate, "cuStreamCreate"},
		{&d.cuStreamDestroy, "cuStreamDestroy_v2"},
		{&d.cuStreamSynchronize, "cuStreamSynchronize"},
		{&d.cuModuleLoadData, "cuModuleLoadData"},
		{&d.cuModuleUnload, "cuModuleUnload"},
		{&d.cuModuleGetFunction, "cuModuleGetFunction"},
		{&d.cuLaunchKernel, "cuLaunchKernel"},
		{&d.cuGetErrorName, "cuGetErrorName"},
		{&d.cuMemHostAlloc, "cuMemHostAlloc"},
		{&d.cuMemFreeHost, "cuMemFreeHost"},
		{&d.cuDevicePrimaryCtxGetState, "cuDevicePrimaryCtxGetState"},
	}
}

var (
	drvOnce sync.Once
	drv     *driver
	drvErr  error
)

// loadDriver loads and initialises the driver once per process; later calls
// return the same result.
// register binds the Go function pointed to by fn to the symbol name of the
// library h.
func register(fn any, h uintptr, name string) error {
	addr, err := dlsym(h, name)
	if err != nil {
		return err
	}
	purego.RegisterFunc(fn, addr)
	return nil
}

func loadDriver() (*driver, error) {
	drvOnce.Do(func() { drv, drvErr = openDriver(driverLibs) })
	return drv, drvErr
}

func openDriver(names []string) (*driver, error) {
	var tried []string
	var h uintptr
	for _, name := range names {
		var err error
		h, err = dlopen(name)
		if err == nil {
			break
		}
		tried = append(tried, err.Error())
	}
	if h == 0 {
		return nil, fmt.Errorf("%w (tried %s)", ErrNoDriver, strings.Join(tried, "; "))
	}
	d := &driver{}
	for _, s := range d.symbols() {
		if err := register(s.fn, h, s.name); err != nil {
			return nil, fmt.Errorf("cuda: driver library lacks %s (driver too old?)", s.name)
		}
	}
	if r := d.cuInit(0); r != 0 {
		if r == errNoDevice {
			return nil, fmt.Errorf("%w: cuInit: %s", ErrNoDevice, d.errName(r))
		}
		return nil, fmt.Errorf("cuda: cuInit failed: %s", d.errName(r))
	}
	return d, nil
}

// Driver API result codes used by the Go side.
const (
	errOutOfMemory cuResult = 2
	errNoDevice    cuResult = 100
	errInvalidDev  cuResult = 101
)

// errName returns the driver's name for r ("CUDA_ERROR_OUT_OF_MEMORY").
func (d *driver) errName(r cuResult) string {
	var p *byte
	if d.cuGetErrorName != nil && d.cuGetErrorName(r, &p) == 0 && p != nil {
		return cString(p)
	}
	return fmt.Sprintf("CUresult %d", int32(r))
}

// check turns a CUresult into an error naming the call.
func (d *driver) check(call string, r cuResult) error {
	if r == 0 {
		return nil
	}
	return &Error{Call: call, Code: int(r), Name: d.errName(r)}
}

// Error is a failed driver or cuBLAS call.
type Error struct {
	Call string // the API function
	Code int    // its status code
	Name string // the status code's name
}

// Error describes the failed call.
func (e *Error) Error() string { return fmt.Sprintf("cuda: %s: %s (%d)", e.Call, e.Name, e.Code) }

// cString copies a NUL-terminated C string.
func cString(p *byte) string {
	if p == nil {
		return ""
	}
	var b []byte
	for q := p; *q != 0; q = (*byte)(addPtr(q, 1)) {
		b = append(b, *q)
	}
	return string(b)
}
