package cuda

import (
	"encoding/binary"
	"errors"
	"math"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ember-ml/ember/tensor"
)

// openOrSkip opens GPU 0 or skips the test with the reason.
func openOrSkip(t *testing.T) *Device {
	t.Helper()
	dv, err := Open(0)
	if err != nil {
		t.Skipf("no CUDA device: %v", err)
	}
	return dv
}

func TestOpenErrorPath(t *testing.T) {
	before := runtime.NumGoroutine()
	dv, err := Open(0)
	if err == nil {
		t.Skipf("a CUDA device is present (%v); the error path is not reachable here", dv)
	}
	if !errors.Is(err, ErrNoDriver) && !errors.Is(err, ErrNoDevice) {
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("Open error %v (%T) is neither ErrNoDriver, ErrNoDevice nor a driver Error", err, err)
		}
	}
	if !strings.HasPrefix(err.Error(), "cuda: ") {
		t.Errorf("error %q does not name the package", err)
	}
	// A second call returns the same error without retrying the load.
	if _, err2 := Open(0); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second Open: %v, want %v", err2, err)
	}
	if _, err := Count(); err == nil {
		t.Errorf("Count succeeded although Open failed")
	}
	if _, err := Open(-1); err == nil {
		t.Errorf("Open(-1) succeeded")
	}
	// No goroutine is left behind by the failed load.
	// (Transient runtime goroutines, such as a finalizer run, are waited
	// out: the machine may be heavily loaded.)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before, %d after a failed Open", before, n)
	}
}

func TestOpenDriverMissingLibrary(t *testing.T) {
	_, err := openDriver([]string{"libember-no-such-cuda.so.1"})
	if !errors.Is(err, ErrNoDriver) {
		t.Fatalf("openDriver with a missing library: %v, want ErrNoDriver", err)
	}
	if !strings.Contains(err.Error(), "libember-no-such-cuda.so.1") {
		t.Errorf("error %q does not name what was tried", err)
	}
}

func TestPTXHasEveryKernel(t *testing.T) {
	if !strings.Contains(ptx, ".version") || !strings.Contains(ptx, ".target sm_52") {
		t.Fatalf("embedded PTX lacks a .version/.target sm_52 header (regenerate with go generate ./cuda)")
	}
	entries := map[string]bool{}
	for _, m := range regexp.MustCompile(`\.entry\s+([A-Za-z0-9_]+)\s*\(`).FindAllStringSubmatch(ptx, -1) {
		entries[m[1]] = true
	}
	names := kernelNames()
	if len(names) != 2*len(kernelBases)+4 {
		t.Fatalf("kernelNames: %d names", len(names))
	}
	for _, name := range names {
		if !entries[name] {
			t.Errorf("kernel %s is launched by the Go side but missing from kernels/ember.ptx", name)
		}
	}
}

func TestSizeClass(t *testing.T) {
	for _, c := range []struct{ in, want int }{
		{0, 512}, {1, 512}, {512, 512}, {513, 1024}, {4000, 4096}, {1 << 20, 1 << 20},
		{1<<20 + 1, 2 << 20}, {5<<20 + 7, 6 << 20}, {64 << 20, 64 << 20}, {64<<20 + 1, 80 << 20}, {100 << 20, 112 << 20},
	} {
		if got := sizeClass(c.in); got != c.want {
			t.Errorf("sizeClass(%d) = %d, want %d", c.in, got, c.want)
		}
	}
	for n := 1; n < 300<<20; n = n*3/2 + 1 {
		if c := sizeClass(n); c < n || (n > 4096 && float64(c) > 2*float64(n)) {
			t.Fatalf("sizeClass(%d) = %d", n, c)
		}
	}
}

func TestGridAndBlock(t *testing.T) {
	for _, c := range []struct {
		n    int
		want uint32
	}{{0, 1}, {1, 1}, {256, 1}, {257, 2}, {256 * 100, 100}, {1 << 40, maxGrid}} {
		if got := gridFor(c.n); got != c.want {
			t.Errorf("gridFor(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		red  int
		want uint32
	}{{1, 32}, {32, 32}, {33, 64}, {200, 256}, {100000, 256}} {
		if got := reduceBlock(c.red); got != c.want {
			t.Errorf("reduceBlock(%d) = %d, want %d", c.red, got, c.want)
		}
	}
}

func TestKargsPacking(t *testing.T) {
	var l layout
	l.ndim = 2
	l.shape[0], l.shape[1] = 3, 4
	l.stride[0], l.stride[1] = 4, 1
	l.offset = 7
	a := new(kargs).i32(5).ptr(0x1000).f32(1.5).f64(2.25).layout(l).conv(convShape{n: 1, dw: 9})
	wantOffs := []int{0, 8, 16, 24, 32, 32 + layoutBytes}
	if len(a.offs) != len(wantOffs) {
		t.Fatalf("offs %v", a.offs)
	}
	for i, o := range wantOffs {
		if a.offs[i] != o {
			t.Fatalf("offs = %v, want %v", a.offs, wantOffs)
		}
	}
	le := binary.LittleEndian
	if le.Uint32(a.buf[0:]) != 5 || le.Uint64(a.buf[8:]) != 0x1000 ||
		math.Float32frombits(le.Uint32(a.buf[16:])) != 1.5 || math.Float64frombits(le.Uint64(a.buf[24:])) != 2.25 {
		t.Fatalf("scalar values misplaced: % x", a.buf[:32])
	}
	lb := a.buf[32:]
	if le.Uint64(lb) != 2 || le.Uint64(lb[8:]) != 3 || le.Uint64(lb[16:]) != 4 ||
		le.Uint64(lb[8+8*maxDims:]) != 4 || le.Uint64(lb[16+8*maxDims:]) != 1 || le.Uint64(lb[8+16*maxDims:]) != 7 {
		t.Fatalf("layout bytes wrong")
	}
	cb := a.buf[32+layoutBytes:]
	if len(cb) != 14*4 || le.Uint32(cb) != 1 || le.Uint32(cb[13*4:]) != 9 {
		t.Fatalf("conv shape bytes wrong: % x", cb)
	}
	if layoutBytes != 144 {
		t.Fatalf("layoutBytes = %d, want sizeof(Layout) = 144", layoutBytes)
	}
	// A negative int32 and real() in both widths.
	b := new(kargs).i32(-1).real(true, 3).real(false, 3)
	if le.Uint32(b.buf) != 0xffffffff || math.Float32frombits(le.Uint32(b.buf[4:])) != 3 || b.offs[2] != 8 ||
		math.Float64frombits(le.Uint64(b.buf[8:])) != 3 {
		t.Fatalf("kargs %v % x", b.offs, b.buf)
	}
}

func TestLayoutsMergeAndBroadcast(t *testing.T) {
	x := tensor.New(tensor.Float32, 2, 3, 4)
	l := layouts(x.Shape(), x)[0]
	if l.ndim != 1 || l.shape[0] != 24 || l.stride[0] != 1 {
		t.Fatalf("contiguous 2x3x4: %+v", l)
	}
	// A transposed view does not merge; a broadcast row has stride 0.
	xt := x.Transpose(1, 2) // 2x4x3
	row := tensor.New(tensor.Float32, 1, 1, 3).Expand(2, 4, 3)
	ls := layouts(xt.Shape(), xt, row)
	if ls[0].ndim != 3 || ls[0].stride != [maxDims]int{12, 1, 4} {
		t.Fatalf("transposed: %+v", ls[0])
	}
	if ls[1].stride != [maxDims]int{0, 0, 1} {
		t.Fatalf("broadcast: %+v", ls[1])
	}
	// Size-1 dimensions vanish; the offset of a slice is kept.
	s := x.Slice(1, 1, 2, 1) // 2x1x4
	l = layouts(s.Shape(), s)[0]
	if l.ndim != 2 || l.shape[0] != 2 || l.shape[1] != 4 || l.stride[0] != 12 || l.stride[1] != 1 || l.offset != 4 {
		t.Fatalf("slice: %+v", l)
	}
	// mergeLayout agrees with layouts for one operand.
	m := mergeLayout(xt.Shape(), xt.Strides(), xt.Offset())
	if m != ls[0] {
		t.Fatalf("mergeLayout %+v != layouts %+v", m, ls[0])
	}
}

func TestReducePerm(t *testing.T) {
	s, st, out, red := reducePerm([]int{2, 3, 4}, []int{12, 4, 1}, []bool{false, true, false})
	if out != 8 || red != 3 || !equalInts(s, []int{2, 4, 3}) || !equalInts(st, []int{12, 1, 4}) {
		t.Fatalf("reducePerm: %v %v %d %d", s, st, out, red)
	}
	s, st = axisLast([]int{2, 3, 4}, []int{12, 4, 1}, 0)
	if !equalInts(s, []int{3, 4, 2}) || !equalInts(st, []int{4, 1, 12}) {
		t.Fatalf("axisLast: %v %v", s, st)
	}
	if reduceIdentity(tensor.ReduceProd) != 1 || !math.IsInf(reduceIdentity(tensor.ReduceMax), -1) || reduceIdentity(tensor.ReduceSum) != 0 {
		t.Fatal("reduceIdentity")
	}
}

func TestMatDescAndBatchStride(t *testing.T) {
	for _, c := range []struct {
		rows, cols, s0, s1 int
		trans              bool
		ld                 int
		ok                 bool
	}{
		{3, 4, 4, 1, false, 4, true},   // row-major
		{3, 4, 1, 3, true, 3, true},    // transposed view of a 4x3
		{3, 4, 8, 1, false, 8, true},   // row-major with padding (a column slice)
		{1, 4, 0, 1, false, 4, true},   // single row, any row stride
		{3, 1, 1, 0, false, 1, true},   // single column: rows step by 1
		{3, 4, 4, 2, false, 0, false},  // every other column: copy
		{3, 4, 2, 12, false, 0, false}, // neither
	} {
		tr, ld, ok := matDesc(c.rows, c.cols, c.s0, c.s1)
		if ok != c.ok || (ok && (tr != c.trans || ld != c.ld)) {
			t.Errorf("matDesc(%d,%d,%d,%d) = %v,%d,%v want %v,%d,%v", c.rows, c.cols, c.s0, c.s1, tr, ld, ok, c.trans, c.ld, c.ok)
		}
	}
	if s, ok := batchStride([]int{2, 3, 4, 5}, []int{60, 20, 5, 1}); !ok || s != 20 {
		t.Errorf("contiguous batch: %d %v", s, ok)
	}
	if s, ok := batchStride([]int{2, 3, 4, 5}, []int{0, 0, 5, 1}); !ok || s != 0 {
		t.Errorf("broadcast batch: %d %v", s, ok)
	}
	if _, ok := batchStride([]int{2, 3, 4, 5}, []int{20, 40, 5, 1}); ok {
		t.Errorf("permuted batch accepted")
	}
	if s, ok := batchStride([]int{4, 5}, []int{5, 1}); !ok || s != 0 {
		t.Errorf("no batch: %d %v", s, ok)
	}
}

func TestCublasArgsSwap(t *testing.T) {
	g := gemmCall{ta: true, m: 2, n: 3, k: 4, a: 100, lda: 2, b: 200, ldb: 3, ldc: 3, batch: 1}
	ta, tb, m, n, k, a, lda, b, ldb, err := g.cublasArgs()
	if err != nil || ta != cublasOpN || tb != cublasOpT || m != 3 || n != 2 || k != 4 || a != 200 || lda != 3 || b != 100 || ldb != 2 {
		t.Fatalf("cublasArgs: %v %v %v %v %v %v %v %v %v %v", ta, tb, m, n, k, a, lda, b, ldb, err)
	}
	g.k = 1 << 31
	if _, _, _, _, _, _, _, _, _, err := g.cublasArgs(); err == nil {
		t.Fatal("k = 2^31 accepted")
	}
}

func TestChunkImagesAndThreshold(t *testing.T) {
	if c := chunkImages(64, (288+64)*121, 4); c != 64 {
		t.Errorf("MNIST-sized conv chunk = %d, want 64", c)
	}
	if c := chunkImages(1000, colBudget/4/10, 4); c != 10 {
		t.Errorf("chunk = %d, want 10", c)
	}
	if c := chunkImages(5, colBudget, 4); c != 1 {
		t.Errorf("oversized image chunk = %d, want 1", c)
	}
	if bernoulliThreshold(1) != 1<<53 || bernoulliThreshold(0) != 0 || bernoulliThreshold(0.5) != 1<<52 {
		t.Error("bernoulliThreshold")
	}
	c := adamConsts(tensor.OptimizerStep{LR: 0.1, Beta1: 0.9, Beta2: 0.999, WeightDecay: 0.01, Step: 1})
	if math.Abs(c.stepSize-1) > 1e-12 || math.Abs(c.invSqrtBC2-1/math.Sqrt(0.001)) > 1e-9 || math.Abs(c.decay-0.999) > 1e-15 {
		t.Errorf("adamConsts = %+v", c)
	}
}

// fakeBackend stands in for a GPU so that bufOf can be checked against the
// tensor package's storage: only Alloc and Upload are called by To.
type fakeBackend struct {
	tensor.Backend
	dev     tensor.Device
	lastBuf *Buffer
}

func (f *fakeBackend) Name() string          { return "fake" }
func (f *fakeBackend) Device() tensor.Device { return f.dev }
func (f *fakeBackend) Alloc(dt tensor.DType, n int) tensor.DeviceMemory {
	f.lastBuf = &Buffer{ptr: 0xdead000, n: n, esize: dt.Size()}
	return f.lastBuf
}
func (f *fakeBackend) Upload(dst, src *tensor.Tensor) {}

func TestBufOfReadsTensorStorage(t *testing.T) {
	fb := &fakeBackend{dev: tensor.Device{Type: tensor.CUDADevice, Index: 97}}
	tensor.RegisterBackend(fb)
	x := tensor.New(tensor.Float32, 2, 3).To(fb.dev)
	if got := bufOf(x); got != fb.lastBuf {
		t.Fatalf("bufOf = %p, want the allocated %p", got, fb.lastBuf)
	}
	v := x.Slice(0, 1, 2, 1)
	if addr(v) != 0xdead000+3*4 {
		t.Fatalf("addr of a slice = %#x", addr(v))
	}
	defer func() {
		if recover() == nil {
			t.Fatal("bufOf of a CPU tensor did not panic")
		}
	}()
	bufOf(tensor.New(tensor.Float32, 1))
}

func TestConformance(t *testing.T) {
	dv := openOrSkip(t)
	runConformance(t, "TestConformance", dv.TensorDevice(), conformanceWithoutConcat)
}

func TestAllocatorCacheWithoutDriver(t *testing.T) {
	dv := &Device{}
	dv.alloc.dev = dv
	a := &dv.alloc
	// A finalized buffer is queued, then drained into its size class, and
	// the next request of that class reuses it without the driver.
	collected(&Buffer{dev: dv, ptr: 0x1000, bytes: 1024})
	collected(&Buffer{dev: dv, ptr: 0}) // already freed: ignored
	a.inUse = 1024
	b, err := a.get(1000)
	if err != nil || b.ptr != 0x1000 || b.bytes != 1024 {
		t.Fatalf("get(1000) = %+v, %v; want the cached 0x1000", b, err)
	}
	if a.inUse != 1024 || a.cached != 0 {
		t.Fatalf("inUse %d cached %d", a.inUse, a.cached)
	}
	dv.Free(b)
	if b.ptr != 0 || a.cached != 1024 || a.inUse != 0 || len(a.free[1024]) != 1 {
		t.Fatalf("after Free: ptr %#x cached %d inUse %d", b.ptr, a.cached, a.inUse)
	}
	dv.Free(b) // a second Free is a no-op
	if a.cached != 1024 {
		t.Fatalf("double Free counted twice")
	}
	if _, err := a.get(-1); err == nil {
		t.Fatal("negative size accepted")
	}
}

// TestCublasLibraryBinds loads cuBLAS where the machine has it and checks
// that every entry point resolves; without a GPU, cublasCreate then fails
// with a status, which is the expected outcome here.
func TestCublasLibraryBinds(t *testing.T) {
	b, err := openCublas(0)
	if err == nil {
		if err := b.destroy(); err != nil {
			t.Error(err)
		}
		return
	}
	msg := err.Error()
	if strings.Contains(msg, " lacks ") {
		t.Fatalf("cuBLAS found but an entry point is missing: %v", err)
	}
	if !strings.Contains(msg, "cublasCreate: status") {
		t.Skipf("no cuBLAS library: %v", err)
	}
	t.Logf("cuBLAS bound; without a device: %v", err)
}
