package tensor_test

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

func mustPanic(t *testing.T, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one containing %q", want)
			return
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, want) {
			t.Errorf("panic %q, want one containing %q", msg, want)
		}
	}()
	fn()
}

func eq(t *testing.T, what string, got *tensor.Tensor, shape []int, want []float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), shape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), shape)
		return
	}
	if g := got.Float64s(); !slices.Equal(g, want) {
		t.Errorf("%s = %v, want %v", what, g, want)
	}
}

func TestConstructors(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		eq(t, "New", tensor.New(dt, 2, 3), []int{2, 3}, make([]float64, 6))
		eq(t, "Zeros", tensor.Zeros(dt, 3), []int{3}, []float64{0, 0, 0})
		eq(t, "Ones", tensor.Ones(dt, 2, 2), []int{2, 2}, []float64{1, 1, 1, 1})
		eq(t, "Full", tensor.Full(dt, -1.5, 3), []int{3}, []float64{-1.5, -1.5, -1.5})
		eq(t, "Scalar", tensor.Scalar(dt, 4), []int{}, []float64{4})
		eq(t, "FromSlice", tensor.FromSlice(dt, []float64{1, 2, 3, 4, 5, 6}, 3, 2), []int{3, 2}, []float64{1, 2, 3, 4, 5, 6})
		eq(t, "FromSlice vector", tensor.FromSlice(dt, []float64{1, 2}), []int{2}, []float64{1, 2})
		eq(t, "Arange", tensor.Arange(dt, 0, 5, 1), []int{5}, []float64{0, 1, 2, 3, 4})
		eq(t, "Arange step", tensor.Arange(dt, 1, 2, 0.25), []int{4}, []float64{1, 1.25, 1.5, 1.75})
		eq(t, "Arange down", tensor.Arange(dt, 3, 0, -1), []int{3}, []float64{3, 2, 1})
		eq(t, "Arange empty", tensor.Arange(dt, 3, 0, 1), []int{0}, []float64{})
		eq(t, "Linspace", tensor.Linspace(dt, 0, 1, 5), []int{5}, []float64{0, 0.25, 0.5, 0.75, 1})
		eq(t, "Linspace 1", tensor.Linspace(dt, 2, 3, 1), []int{1}, []float64{2})
		eq(t, "Eye", tensor.Eye(dt, 3), []int{3, 3}, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})
		z := tensor.ZerosLike(tensor.Ones(dt, 2, 5))
		eq(t, "ZerosLike", z, []int{2, 5}, make([]float64, 10))
		if e := tensor.EmptyLike(z); e.DType() != dt || !slices.Equal(e.Shape(), []int{2, 5}) {
			t.Errorf("EmptyLike: %v %v", e.DType(), e.Shape())
		}
		if e := tensor.Empty(dt, 4, 0); e.Size() != 0 || e.Dim() != 2 {
			t.Errorf("Empty [4 0]: size %d dim %d", e.Size(), e.Dim())
		}
		// Pooled memory is cleared for zero-filled constructors.
		big := tensor.Full(dt, 7, 1000)
		tensor.Release(big)
		if s := tensor.Zeros(dt, 1000); tensor.Sum(s).Item() != 0 {
			t.Errorf("%v Zeros after Release: reused memory not cleared", dt)
		}
		if big.Size() != 0 {
			t.Errorf("Release left %d elements", big.Size())
		}
		tensor.Release(nil)
	}
	f := []float32{1, 2, 3, 4}
	x := tensor.FromFloat32(f, 2, 2)
	f[3] = 9
	if x.At(1, 1) != 9 {
		t.Error("FromFloat32 copied its data")
	}
	d := []float64{1, 2}
	y := tensor.FromFloat64(d)
	y.Float64s()[0] = 5
	if d[0] != 5 || y.DType() != tensor.Float64 {
		t.Error("Float64s of a contiguous tensor does not alias")
	}
	mustPanic(t, "FromSlice with 3 values for shape [2 2]", func() { tensor.FromSlice(tensor.Float32, []float64{1, 2, 3}, 2, 2) })
	mustPanic(t, "FromFloat32 with 1 values for shape [2]", func() { tensor.FromFloat32([]float32{1}, 2) })
	mustPanic(t, "New: negative dimension", func() { tensor.New(tensor.Float32, 2, -1) })
	mustPanic(t, "more than", func() { tensor.New(tensor.Float32, 1<<30, 1<<30) })
	mustPanic(t, "Arange with step 0", func() { tensor.Arange(tensor.Float32, 0, 1, 0) })
}

func TestFromValues(t *testing.T) {
	x, err := tensor.FromValues(tensor.Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "FromValues", x, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
	for _, c := range []struct {
		vals  []float64
		shape []int
		want  string
	}{
		{[]float64{1, 2, 3}, []int{2, 2}, "3 values for shape [2 2]"},
		{nil, []int{-1, 0}, "negative dimension"},
		{nil, []int{1 << 40, 1 << 40, 0}, "more than"},
		{[]float64{1}, []int{1 << 62, 1 << 62}, "more than"},
	} {
		if _, err := tensor.FromValues(tensor.Float32, c.vals, c.shape...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FromValues(%v, %v) error %v, want %q", c.vals, c.shape, err, c.want)
		}
	}
	if _, err := tensor.FromValues(tensor.DType(9), nil); err == nil {
		t.Error("FromValues with a bad dtype: no error")
	}
}

func TestRandSeeded(t *testing.T) {
	a := tensor.RandN(tensor.Float32, tensor.NewRand(3), 100)
	b := tensor.RandN(tensor.Float32, tensor.NewRand(3), 100)
	c := tensor.RandN(tensor.Float32, tensor.NewRand(4), 100)
	if !slices.Equal(a.Float32s(), b.Float32s()) || slices.Equal(a.Float32s(), c.Float32s()) {
		t.Error("RandN is not determined by its seed")
	}
	u := tensor.RandU(tensor.Float64, tensor.NewRand(1), 2, 3, 10000).Float64s()
	mean := 0.0
	for _, v := range u {
		if v < 2 || v >= 3 {
			t.Fatalf("RandU value %v outside [2, 3)", v)
		}
		mean += v / float64(len(u))
	}
	if math.Abs(mean-2.5) > 0.02 {
		t.Errorf("RandU mean %v, want about 2.5", mean)
	}
	n := tensor.RandN(tensor.Float64, tensor.NewRand(2), 20000)
	if m, s := tensor.Mean(n).Item(), tensor.Std(n, 1).Item(); math.Abs(m) > 0.03 || math.Abs(s-1) > 0.03 {
		t.Errorf("RandN mean %v std %v", m, s)
	}
}

func TestDTypeAndAccessors(t *testing.T) {
	for s, want := range map[string]tensor.DType{"float32": tensor.Float32, "f64": tensor.Float64, "F32": tensor.Float32} {
		if got, err := tensor.ParseDType(s); err != nil || got != want {
			t.Errorf("ParseDType(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := tensor.ParseDType("int8"); err == nil || !strings.Contains(err.Error(), `"int8"`) {
		t.Errorf("ParseDType(int8) error %v", err)
	}
	if tensor.Float32.Size() != 4 || tensor.Float64.Size() != 8 || tensor.Float64.String() != "float64" || tensor.DType(7).String() != "DType(7)" {
		t.Error("DType Size/String")
	}
	x := tensor.FromSlice(tensor.Float32, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if x.Dim() != 2 || x.Size() != 6 || x.Len() != 2 || !slices.Equal(x.Strides(), []int{3, 1}) || x.Offset() != 0 {
		t.Errorf("accessors: dim %d size %d len %d strides %v", x.Dim(), x.Size(), x.Len(), x.Strides())
	}
	if !x.Device().IsCPU() || x.Device().String() != "cpu" || (tensor.Device{Type: tensor.CUDADevice, Index: 1}).String() != "cuda:1" {
		t.Error("Device")
	}
	x.Set(-7, 1, 2)
	if x.At(1, 2) != -7 || x.Storage32()[5] != -7 {
		t.Error("Set/At/Storage32")
	}
	if tensor.Scalar(tensor.Float64, 3).Item() != 3 || tensor.Scalar(tensor.Float64, 3).Len() != 1 {
		t.Error("Item/Len of a scalar")
	}
	mustPanic(t, "At with 1 indices on shape [2 3]", func() { x.At(1) })
	mustPanic(t, "At index [2 0] out of range for shape [2 3]", func() { x.At(2, 0) })
	mustPanic(t, "Item on a tensor of shape [2 3]", func() { x.Item() })
	mustPanic(t, "Storage64 on a float32 tensor", func() { x.Storage64() })
	mustPanic(t, "Storage32 on a float64 tensor", func() { tensor.Zeros(tensor.Float64, 1).Storage32() })
	mustPanic(t, "no backend registered for device cuda:3", func() { tensor.Device{Type: tensor.CUDADevice, Index: 3}.Backend() })
	if tensor.CPUBackend().Name() != "cpu" || tensor.CPU.Backend().Device() != tensor.CPU {
		t.Error("CPU backend")
	}
}

func TestString(t *testing.T) {
	x := tensor.FromSlice(tensor.Float32, []float64{1, 2.5, 3, 4}, 2, 2)
	if got, want := x.String(), "tensor([2 2], float32, [[1, 2.5], [3, 4]])"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	long := tensor.Arange(tensor.Float64, 0, 10, 1)
	if got, want := long.String(), "tensor([10], float64, [0, 1, 2, ..., 7, 8, 9])"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := tensor.Scalar(tensor.Float64, 2).String(), "tensor([], float64, 2)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestViews(t *testing.T) {
	x := tensor.Arange(tensor.Float32, 0, 24, 1).Reshape(2, 3, 4)
	if !x.IsContiguous() {
		t.Fatal("Arange.Reshape not contiguous")
	}
	r := x.Reshape(4, -1)
	if !r.SharesStorage(x) || !slices.Equal(r.Shape(), []int{4, 6}) {
		t.Errorf("Reshape of a contiguous tensor: shape %v shares %v", r.Shape(), r.SharesStorage(x))
	}
	p := x.Permute(2, 0, 1)
	if !p.SharesStorage(x) || !slices.Equal(p.Shape(), []int{4, 2, 3}) || !slices.Equal(p.Strides(), []int{1, 12, 4}) || p.IsContiguous() {
		t.Errorf("Permute: shape %v strides %v", p.Shape(), p.Strides())
	}
	if p.At(3, 1, 2) != x.At(1, 2, 3) {
		t.Error("Permute element")
	}
	// Reshape of a non-contiguous view copies, in row-major order of the view.
	pr := p.Reshape(-1)
	if pr.SharesStorage(x) || pr.At(1) != 4 || pr.At(6) != 1 {
		t.Errorf("Reshape of a permuted view: %v", pr.Float64s()[:8])
	}
	tr := x.Transpose(0, -1)
	if !slices.Equal(tr.Shape(), []int{4, 3, 2}) || tr.At(3, 2, 1) != 23 {
		t.Errorf("Transpose: %v", tr.Shape())
	}
	m := x.Index(1)
	eq(t, "Index", m.Narrow(0, 1, 2).Narrow(1, 1, 2), []int{2, 2}, []float64{17, 18, 21, 22})
	if m.Offset() != 12 || !m.SharesStorage(x) {
		t.Errorf("Index offset %d", m.Offset())
	}
	eq(t, "T", m.T(), []int{4, 3}, []float64{12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23})
	v := tensor.Arange(tensor.Float64, 0, 10, 1)
	eq(t, "Slice step", v.Slice(0, 1, 8, 3), []int{3}, []float64{1, 4, 7})
	eq(t, "Slice negative", v.Slice(0, -3, -1, 1), []int{2}, []float64{7, 8})
	eq(t, "Slice clamp", v.Slice(0, 8, 100, 1), []int{2}, []float64{8, 9})
	eq(t, "Slice empty", v.Slice(0, 5, 2, 1), []int{0}, []float64{})
	eq(t, "Slice of slice", v.Slice(0, 1, 10, 2).Slice(0, 1, 5, 2), []int{2}, []float64{3, 7})
	u := v.Reshape(2, 5).Unsqueeze(1)
	if !slices.Equal(u.Shape(), []int{2, 1, 5}) || u.At(1, 0, 2) != 7 {
		t.Errorf("Unsqueeze: %v", u.Shape())
	}
	if got := v.Unsqueeze(-1).Shape(); !slices.Equal(got, []int{10, 1}) {
		t.Errorf("Unsqueeze(-1): %v", got)
	}
	if got := u.Squeeze().Shape(); !slices.Equal(got, []int{2, 5}) {
		t.Errorf("Squeeze: %v", got)
	}
	if got := tensor.Zeros(tensor.Float32, 1, 3, 1).Squeeze(-1).Shape(); !slices.Equal(got, []int{1, 3}) {
		t.Errorf("Squeeze(-1): %v", got)
	}
	e := tensor.FromSlice(tensor.Float32, []float64{1, 2, 3}, 3, 1).Expand(2, 3, 4)
	if !slices.Equal(e.Strides(), []int{0, 1, 0}) {
		t.Errorf("Expand strides %v", e.Strides())
	}
	eq(t, "Expand", e.Index(1), []int{3, 4}, []float64{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3})
	if f := x.Flatten(); !slices.Equal(f.Shape(), []int{2, 12}) {
		t.Errorf("Flatten: %v", f.Shape())
	}
	if f := tensor.Scalar(tensor.Float32, 1).Flatten(); !slices.Equal(f.Shape(), []int{1, 1}) {
		t.Errorf("Flatten scalar: %v", f.Shape())
	}
	// Writes through a view reach the base.
	x.Index(0).Narrow(1, 2, 1).Fill(-1)
	if x.At(0, 0, 2) != -1 || x.At(0, 2, 2) != -1 || x.At(0, 0, 3) != 3 || x.At(1, 0, 2) != 14 {
		t.Error("Fill through a strided view")
	}
	x.Index(1).T().CopyFrom(tensor.Zeros(tensor.Float64, 4, 3))
	if tensor.Sum(x.Index(1)).Item() != 0 || x.At(0, 1, 1) != 5 {
		t.Error("CopyFrom a float64 tensor into a transposed float32 view")
	}
	// Strided destinations from strided, broadcast and overlapping sources.
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		m := tensor.FromSlice(dt, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3)
		d := tensor.Zeros(dt, 3, 5)
		d.Narrow(1, 1, 3).CopyFrom(m.T()) // a block of columns from a transposed view
		want := []float64{0, 1, 4, 7, 0, 0, 2, 5, 8, 0, 0, 3, 6, 9, 0}
		if got := d.Float64s(); !slices.Equal(got, want) {
			t.Errorf("%v CopyFrom a transposed view into a column block: %v, want %v", dt, got, want)
		}
		d.Narrow(1, 0, 2).CopyFrom(tensor.FromSlice(dt, []float64{-1, -2}, 2)) // broadcast row
		if got := d.Float64s()[:5]; !slices.Equal(got, []float64{-1, -2, 4, 7, 0}) {
			t.Errorf("%v CopyFrom a broadcast row into a column block: %v", dt, got)
		}
		m.T().CopyFrom(m) // the same storage: reads go through a temporary
		if got := m.Float64s(); !slices.Equal(got, []float64{1, 4, 7, 2, 5, 8, 3, 6, 9}) {
			t.Errorf("%v m.T().CopyFrom(m) = %v, want the transpose", dt, got)
		}
	}
	sh, err := tensor.BroadcastShapes([]int{3, 1}, []int{4}, []int{2, 1, 1})
	if err != nil || !slices.Equal(sh, []int{2, 3, 4}) {
		t.Errorf("BroadcastShapes = %v, %v", sh, err)
	}
	if _, err := tensor.BroadcastShapes([]int{3}, []int{4}); err == nil || !strings.Contains(err.Error(), "[[3] [4]]") {
		t.Errorf("BroadcastShapes error %v", err)
	}

	mustPanic(t, "Reshape [2 3 4] (24 elements) to [5 5] (25 elements)", func() { x.Reshape(5, 5) })
	mustPanic(t, "Reshape [2 3 4] (24 elements) to [5 -1]", func() { x.Reshape(5, -1) })
	mustPanic(t, "Reshape [2 3 4] to [-1 -1]: bad dimension", func() { x.Reshape(-1, -1) })
	mustPanic(t, "Permute [2 3 4] with repeated axis", func() { x.Permute(0, 0, 1) })
	mustPanic(t, "Permute axis 3 out of range for 3 dimensions", func() { x.Permute(0, 1, 3) })
	mustPanic(t, "Narrow axis 1 [2, 4) of shape [2 3 4]", func() { x.Narrow(1, 2, 2) })
	mustPanic(t, "Slice with step 0", func() { x.Slice(0, 0, 1, 0) })
	mustPanic(t, "Index 2 of shape [2 3 4]", func() { x.Index(2) })
	mustPanic(t, "Squeeze axis 1 of shape [2 3 4]", func() { x.Squeeze(1) })
	mustPanic(t, "Unsqueeze axis 5 of shape [2 3 4]", func() { x.Unsqueeze(5) })
	mustPanic(t, "Expand [2 3 4] to [2 5 4]", func() { x.Expand(2, 5, 4) })
	mustPanic(t, "T on shape [10]", func() { v.T() })
	mustPanic(t, "CopyFrom [3] into [2 2]", func() { tensor.Zeros(tensor.Float32, 2, 2).CopyFrom(tensor.Zeros(tensor.Float32, 3)) })
}

func TestShapeMismatchMessages(t *testing.T) {
	a := tensor.Zeros(tensor.Float32, 2, 3)
	b := tensor.Zeros(tensor.Float32, 4, 5)
	mustPanic(t, "tensor: Mul shape mismatch: [2 3] and [4 5] do not broadcast", func() { tensor.Mul(a, b) })
	mustPanic(t, "tensor: MatMul shape mismatch: [2 3] and [4 5]", func() { tensor.MatMul(a, b) })
	mustPanic(t, "tensor: Where shape mismatch: cond [2 3], a [4 5], b [2 3]", func() { tensor.Where(a, b, a) })
	mustPanic(t, "tensor: Dot shape mismatch: [2 3] and [4 5]", func() { tensor.Dot(a, b) })
	mustPanic(t, "tensor: Add with float32 and float64 operands (shapes [2 3] and [2 3])", func() {
		tensor.Add(a, tensor.Zeros(tensor.Float64, 2, 3))
	})
	mustPanic(t, "tensor: Sub into dst [3 2] float32", func() { tensor.BinaryTo(tensor.Zeros(tensor.Float32, 3, 2), tensor.OpSub, a, a) })
	mustPanic(t, "tensor: IndexAdd shape mismatch: src [4 5], want [1 3] for dst [2 3]", func() { tensor.IndexAdd(a, 0, []int{1}, b) })
	mustPanic(t, "tensor: Stack [2 3] with [4 5]", func() { tensor.Stack(0, a, b) })
	mustPanic(t, "tensor: Concat [2 3] with [2 3] (float32, float64)", func() { tensor.Concat(0, a, tensor.Zeros(tensor.Float64, 2, 3)) })
	mustPanic(t, "tensor: Gather shape mismatch: tensor [2 3] with 3 indices", func() { tensor.Gather(a, []int{0, 0, 0}) })
	mustPanic(t, "tensor: Scatter shape mismatch: values [2 3] with 2 indices", func() { tensor.Scatter(a, []int{0, 0}, 3) })
	mustPanic(t, "tensor: MaxPool2D on shape [2 3], want N,C,H,W", func() { tensor.MaxPool2D(a, tensor.ConvParams{KH: 2, KW: 2}) })
	mustPanic(t, "tensor: SGDStep state [4 5] float32 does not match parameter [2 3] float32", func() {
		tensor.SGDStep(a, b, nil, tensor.OptimizerStep{LR: 1})
	})
	mustPanic(t, "tensor: Conv2D input [1 1 2 2] too small", func() {
		tensor.Conv2D(tensor.Zeros(tensor.Float32, 1, 1, 2, 2), tensor.Zeros(tensor.Float32, 1, 1, 3, 3), tensor.ConvParams{})
	})
	mustPanic(t, "tensor: ArgMax/ArgMin over empty axis 0 of shape [0 3]", func() { tensor.ArgMax(tensor.Zeros(tensor.Float32, 0, 3), 0) })
}

func TestMisc(t *testing.T) {
	a := tensor.FromSlice(tensor.Float64, []float64{1, 2, 3}, 3)
	b := tensor.FromSlice(tensor.Float64, []float64{4, 5, 6}, 3)
	if got := tensor.Dot(a, b); got != 32 {
		t.Errorf("Dot = %v, want 32", got)
	}
	if !tensor.AllClose(a, tensor.AddScalar(a, 1e-9), 0, 1e-8) || tensor.AllClose(a, b, 0.1, 0) || tensor.AllClose(a, a.Reshape(1, 3), 1, 1) {
		t.Error("AllClose")
	}
	nan := tensor.FromSlice(tensor.Float64, []float64{math.NaN()}, 1)
	if tensor.AllClose(nan, nan, 1, 1) {
		t.Error("AllClose: NaN compared equal")
	}
	eq(t, "Gelu", tensor.Gelu(tensor.FromSlice(tensor.Float64, []float64{0}, 1)), []int{1}, []float64{0})
	eq(t, "IsNaN", tensor.IsNaN(tensor.FromSlice(tensor.Float64, []float64{math.NaN(), 1}, 2)), []int{2}, []float64{1, 0})
}

// TestReleaseReuses checks that a loop which releases its intermediates
// allocates far fewer bytes than its tensors hold: the pool recycles them.
func TestReleaseReuses(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops entries at random under the race detector")
	}
	x := tensor.RandN(tensor.Float32, tensor.NewRand(1), 256, 256)
	y := tensor.RandN(tensor.Float32, tensor.NewRand(2), 256, 256)
	step := func() {
		s := tensor.Add(x, y)
		m := tensor.MatMul(s, y)
		tensor.Release(s)
		tensor.Release(m)
	}
	step()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const iters = 50
	for range iters {
		step()
	}
	runtime.ReadMemStats(&after)
	held := int64(iters * 2 * 4 * x.Size())
	got := int64(after.TotalAlloc - before.TotalAlloc)
	t.Logf("%d iterations: %d bytes allocated, %d bytes of tensors", iters, got, held)
	if got > held/4 {
		t.Errorf("%d iterations allocated %d bytes; their tensors hold %d (the pool is not reused)", iters, got, held)
	}
}
