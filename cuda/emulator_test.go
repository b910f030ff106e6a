//go:build !windows

package cuda

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/ember-ml/ember/tensor"
)

// The host emulator runs the real kernels of kernels/ember.cu, compiled for
// the CPU with g++ (kernels/host_shim.h, kernels/host_harness.cpp), behind a
// fake driver whose device memory is host memory. It checks everything on
// the Go side (argument packing, layouts, launch parameters, the conv and
// GEMM plans, the allocator), the kernels' index arithmetic and the
// shared-memory reductions and tiled GEMM against the conformance suite,
// without a GPU. It does not check the PTX, the real driver, cuBLAS,
// or concurrency between blocks (blocks run one at a time; the kernels with
// shared memory run their threads concurrently, the others one per block).

// emuOrdinal is the fake device's ordinal (tensor device cuda:63), chosen so
// as not to collide with a real GPU.
const emuOrdinal = 63

type emulator struct {
	mu     sync.Mutex
	allocs map[uintptr][]byte
	kernel func(name *byte) uint64
	launch func(fn uint64, gx, gy, gz, bx, by uint32, params *uintptr)
	tiled  func(on int32)
}

var emu *emulator

var (
	emuOnce sync.Once
	emuDev  *Device
	emuErr  string
)

// emulatedDevice builds the host library (once per test binary) and opens
// the emulated device, or skips the test with the reason.
func emulatedDevice(t *testing.T) *Device {
	t.Helper()
	if testing.Short() {
		t.Skip("host emulation of the kernels is skipped in -short mode")
	}
	emuOnce.Do(func() {
		cxx, err := exec.LookPath("g++")
		if err != nil {
			emuErr = "g++ not found: cannot build the host emulation of the kernels"
			return
		}
		lib, err := buildHostLib(cxx)
		if err != nil {
			emuErr = err.Error()
			return
		}
		h, err := purego.Dlopen(lib, purego.RTLD_NOW|purego.RTLD_LOCAL)
		if err != nil {
			emuErr = err.Error()
			return
		}
		e := &emulator{allocs: map[uintptr][]byte{}}
		purego.RegisterLibFunc(&e.kernel, h, "ember_host_kernel")
		purego.RegisterLibFunc(&e.launch, h, "ember_host_launch")
		purego.RegisterLibFunc(&e.tiled, h, "ember_host_tiled_gemm")
		emu = e
		dv, err := openWith(e.driver(), emuOrdinal, false)
		if err != nil {
			emuErr = err.Error()
			return
		}
		emuDev = dv
	})
	if emuDev == nil {
		if emuErr == "" || emuErr[:3] == "g++" {
			t.Skip(emuErr)
		}
		t.Fatal(emuErr)
	}
	return emuDev
}

// buildHostLib compiles the host emulation library, or reuses the one a
// previous run (or the parent of a child test process) built from the same
// sources: it lives in the temp directory under a hash of the sources.
func buildHostLib(cxx string) (string, error) {
	h := sha256.New()
	for _, f := range []string{"kernels/ember.cu", "kernels/host_shim.h", "kernels/host_harness.cpp"} {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("emberhost-%x", h.Sum(nil)[:8]))
	lib := filepath.Join(dir, "libemberhost.so")
	if _, err := os.Stat(lib); err == nil {
		return lib, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "build-*.so")
	if err != nil {
		return "", err
	}
	tmp.Close()
	cmd := exec.Command(cxx, "-O1", "-std=c++14", "-pthread", "-shared", "-fPIC", "-DEMBER_HOST", "-Ikernels",
		"kernels/host_harness.cpp", "-o", tmp.Name())
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("building the host emulation: %v\n%s", err, out)
	}
	return lib, os.Rename(tmp.Name(), lib)
}

// mem returns the host bytes behind device address p, n bytes long.
func (e *emulator) mem(p uintptr, n uint64) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	for base, b := range e.allocs {
		if p >= base && p+uintptr(n) <= base+uintptr(len(b)) {
			off := p - base
			return b[off : off+uintptr(n)]
		}
	}
	panic("emulator: access outside every device allocation")
}

func (e *emulator) driver() *driver {
	const ok cuResult = 0
	return &driver{
		cuInit:             func(uint32) cuResult { return ok },
		cuDriverGetVersion: func(v *int32) cuResult { *v = 11080; return ok },
		cuDeviceGetCount:   func(n *int32) cuResult { *n = emuOrdinal + 1; return ok },
		cuDeviceGet:        func(d *int32, o int32) cuResult { *d = o; return ok },
		cuDeviceGetName: func(name *byte, n int32, _ int32) cuResult {
			copy(unsafe.Slice(name, n), "ember host emulator\x00")
			return ok
		},
		cuDeviceTotalMem: func(b *uint64, _ int32) cuResult { *b = 1 << 30; return ok },
		cuDeviceGetAttribute: func(v *int32, attr int32, _ int32) cuResult {
			*v = map[int32]int32{attrComputeMajor: 5, attrComputeMinor: 2}[attr]
			return ok
		},
		cuDevicePrimaryCtxRetain:  func(c *uintptr, _ int32) cuResult { *c = 1; return ok },
		cuDevicePrimaryCtxRelease: func(int32) cuResult { return ok },
		cuCtxSetCurrent:           func(uintptr) cuResult { return ok },
		cuCtxSynchronize:          func() cuResult { return ok },
		cuMemAlloc: func(p *uintptr, n uint64) cuResult {
			b := make([]byte, n)
			for i := range b { // garbage, as fresh device memory may hold
				b[i] = 0x7f
			}
			*p = uintptr(unsafe.Pointer(&b[0]))
			e.mu.Lock()
			e.allocs[*p] = b
			e.mu.Unlock()
			return ok
		},
		cuMemFree: func(p uintptr) cuResult {
			e.mu.Lock()
			delete(e.allocs, p)
			e.mu.Unlock()
			return ok
		},
		cuMemcpyHtoD: func(dst uintptr, src unsafe.Pointer, n uint64) cuResult {
			copy(e.mem(dst, n), unsafe.Slice((*byte)(src), n))
			return ok
		},
		cuMemcpyDtoH: func(dst unsafe.Pointer, src uintptr, n uint64) cuResult {
			copy(unsafe.Slice((*byte)(dst), n), e.mem(src, n))
			return ok
		},
		cuMemcpyDtoD: func(dst, src uintptr, n uint64) cuResult {
			copy(e.mem(dst, n), e.mem(src, n))
			return ok
		},
		cuMemsetD8: func(dst uintptr, v uint8, n uint64) cuResult {
			b := e.mem(dst, n)
			for i := range b {
				b[i] = v
			}
			return ok
		},
		cuMemGetInfo:        func(f, t *uint64) cuResult { *f, *t = 1<<30, 1<<30; return ok },
		cuStreamCreate:      func(s *uintptr, _ uint32) cuResult { *s = 1; return ok },
		cuStreamDestroy:     func(uintptr) cuResult { return ok },
		cuStreamSynchronize: func(uintptr) cuResult { return ok },
		cuModuleLoadData:    func(m *uintptr, _ *byte) cuResult { *m = 1; return ok },
		cuModuleUnload:      func(uintptr) cuResult { return ok },
		cuModuleGetFunction: func(fn *uintptr, _ uintptr, name *byte) cuResult {
			k := e.kernel(name)
			if k == 0 {
				return 500 // CUDA_ERROR_NOT_FOUND
			}
			*fn = uintptr(k)
			return ok
		},
		cuLaunchKernel: func(f uintptr, gx, gy, gz, bx, by, bz, shared uint32, stream uintptr, params *uintptr, extra uintptr) cuResult {
			e.launch(uint64(f), gx, gy, gz, bx, by, params)
			return ok
		},
		cuGetErrorName: func(r cuResult, s **byte) cuResult { return 1 },
		cuMemHostAlloc: func(p *unsafe.Pointer, n uint64, _ uint32) cuResult {
			b := make([]byte, n)
			*p = unsafe.Pointer(&b[0])
			e.mu.Lock()
			e.allocs[uintptr(*p)] = b
			e.mu.Unlock()
			return ok
		},
		cuMemFreeHost: func(p unsafe.Pointer) cuResult {
			e.mu.Lock()
			delete(e.allocs, uintptr(p))
			e.mu.Unlock()
			return ok
		},
		cuDevicePrimaryCtxGetState: func(int32, *uint32, *int32) cuResult { return ok },
	}
}

func TestEmulatedDeviceOpens(t *testing.T) {
	dv := emulatedDevice(t)
	if dv.Name != "ember host emulator" || dv.Major != 5 || dv.Minor != 2 || dv.HasCublas() {
		t.Fatalf("emulated device: %v (cublas %v)", dv, dv.HasCublas())
	}
	names := make([]string, 0, len(dv.fns))
	for n := range dv.fns {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) != len(kernelNames()) {
		t.Fatalf("resolved %d kernels, want %d", len(names), len(kernelNames()))
	}
}

// TestEmulatedConformance runs the backend conformance suite against the
// CUDA backend with the kernels executed on the host.
func TestEmulatedConformance(t *testing.T) {
	dv := emulatedDevice(t)
	runConformance(t, "TestEmulatedConformance", dv.TensorDevice(), conformanceWithoutConcat)
}

func TestEmulatedMatMulAndConvPlans(t *testing.T) {
	checkMatMulAndConv(t, emulatedDevice(t))
}

// checkMatMulAndConv compares MatMul with strided operands and convolution
// (forward and backward) on dv with the CPU.
func checkMatMulAndConv(t *testing.T, dv *Device) {
	t.Helper()
	dev := dv.TensorDevice()
	rng := tensor.NewRand(1)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		// Batched matmul with a transposed, a broadcast and a sliced operand.
		a := tensor.RandN(dt, rng, 3, 5, 4)
		b := tensor.RandN(dt, rng, 4, 7)
		want := tensor.MatMul(a, b.Slice(1, 1, 6, 1))
		got := tensor.MatMul(a.To(dev), b.To(dev).Slice(1, 1, 6, 1)).To(tensor.CPU)
		assertClose(t, "matmul", got, want, 1e-5)
		at := tensor.MatMul(a.Transpose(1, 2).To(dev).Transpose(1, 2), b.To(dev).Slice(1, 1, 6, 1)).To(tensor.CPU)
		assertClose(t, "matmul of a transposed view", at, want, 1e-5)

		// Convolution forward and both backward passes, with padding,
		// stride and dilation, in chunks of images.
		x := tensor.RandN(dt, rng, 3, 2, 7, 6)
		w := tensor.RandN(dt, rng, 4, 2, 3, 2)
		p := tensor.ConvParams{KH: 3, KW: 2, StrideH: 2, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 0, DilationH: 1, DilationW: 2}
		y := tensor.Conv2D(x, w, p)
		gy := tensor.Conv2D(x.To(dev), w.To(dev), p).To(tensor.CPU)
		assertClose(t, "conv2d", gy, y, 1e-5)
		dy := tensor.RandN(dt, rng, y.Shape()...)
		dx := tensor.Conv2DBackwardData(dy, w, x.Shape(), p)
		gdx := tensor.Conv2DBackwardData(dy.To(dev), w.To(dev), x.Shape(), p).To(tensor.CPU)
		assertClose(t, "conv2d backward data", gdx, dx, 1e-5)
		dw := tensor.Conv2DBackwardFilter(x, dy, w.Shape(), p)
		gdw := tensor.Conv2DBackwardFilter(x.To(dev), dy.To(dev), w.Shape(), p).To(tensor.CPU)
		assertClose(t, "conv2d backward filter", gdw, dw, 1e-4)
	}
}

// TestEmulatedTiledGEMM runs ember's own tiled GEMM kernel (what MatMul uses
// without cuBLAS) with emulated threads and barriers, on shapes that are not
// multiples of the tile, with transposed operands and batches.
func TestEmulatedTiledGEMM(t *testing.T) {
	dv := emulatedDevice(t)
	emu.tiled(1)
	defer emu.tiled(0)
	dev := dv.TensorDevice()
	rng := tensor.NewRand(2)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		a := tensor.RandN(dt, rng, 2, 5, 9)
		b := tensor.RandN(dt, rng, 2, 7, 9)
		want := tensor.MatMul(a, b.Transpose(1, 2))
		got := tensor.MatMul(a.To(dev), b.To(dev).Transpose(1, 2)).To(tensor.CPU)
		assertClose(t, "tiled gemm, B transposed", got, want, 1e-5)
		c := tensor.RandN(dt, rng, 9, 6)
		want = tensor.MatMul(a.Transpose(1, 2).Contiguous().Transpose(1, 2), c)
		got = tensor.MatMul(a.Transpose(1, 2).To(dev).Transpose(1, 2), c.To(dev)).To(tensor.CPU)
		assertClose(t, "tiled gemm, A transposed, B broadcast", got, want, 1e-5)
	}
}

func assertClose(t *testing.T, what string, got, want *tensor.Tensor, tol float64) {
	t.Helper()
	g, w := got.Float64s(), want.Float64s()
	if len(g) != len(w) {
		t.Fatalf("%s: %d values, want %d", what, len(g), len(w))
	}
	for i := range g {
		d := g[i] - w[i]
		if d < 0 {
			d = -d
		}
		if d > tol*(1+max(w[i], -w[i])) {
			t.Fatalf("%s %v: element %d = %v, want %v", what, got.DType(), i, g[i], w[i])
		}
	}
}

// TestEmulatedStridedCopy writes a strided device view in place through
// Backend.Copy, from a transposed source of the other dtype.
func TestEmulatedStridedCopy(t *testing.T) {
	dv := emulatedDevice(t)
	dev := dv.TensorDevice()
	big := tensor.Full(tensor.Float32, 777, 2, 5).To(dev)
	view := big.Slice(1, 1, 5, 2) // 2x2, strides (5, 2), offset 1
	src := tensor.FromSlice(tensor.Float64, []float64{1, 3, 2, 4}, 2, 2).To(dev).Transpose(0, 1)
	dev.Backend().Copy(view, src)
	want := []float32{777, 1, 777, 2, 777, 777, 3, 777, 4, 777}
	got := big.To(tensor.CPU).Float32s()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after a strided Copy: %v, want %v", got, want)
		}
	}
}
