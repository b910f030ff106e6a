package tensor_test

import (
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/ember-ml/ember/tensor"
)

func TestToGonum(t *testing.T) {
	x := tensor.FromSlice(tensor.Float64, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	m := ToGonumShared(t, x)
	if r, c := m.Dims(); r != 2 || c != 3 || m.At(1, 2) != 6 {
		t.Fatalf("ToGonum: %d×%d, m[1,2]=%v", r, c, m.At(1, 2))
	}
	m.Set(0, 0, -1)
	if x.At(0, 0) != -1 {
		t.Error("ToGonum of a contiguous tensor copied")
	}
	// A view of whole rows' prefix keeps the row stride: still no copy.
	wide := tensor.Arange(tensor.Float64, 0, 20, 1).Reshape(4, 5)
	sub := wide.Narrow(0, 1, 2).Narrow(1, 1, 3)
	ms := tensor.ToGonum(sub)
	if raw := ms.RawMatrix(); raw.Stride != 5 || ms.At(1, 2) != 13 {
		t.Errorf("ToGonum of a sub-matrix: stride %d, m[1,2]=%v", raw.Stride, ms.At(1, 2))
	}
	ms.Set(0, 0, 100)
	if wide.At(1, 1) != 100 {
		t.Error("ToGonum of a sub-matrix copied")
	}
	// Transposed views and float32 tensors are copied.
	mt := tensor.ToGonum(x.T())
	if r, c := mt.Dims(); r != 3 || c != 2 || mt.At(2, 1) != 6 || mt.At(0, 0) != -1 {
		t.Errorf("ToGonum of a transpose: %v", mat.Formatted(mt))
	}
	mt.Set(0, 1, 50)
	if x.At(1, 0) == 50 {
		t.Error("ToGonum of a transpose shares memory")
	}
	m32 := tensor.ToGonum(tensor.FromSlice(tensor.Float32, []float64{1.5, 2}, 1, 2))
	if m32.At(0, 0) != 1.5 || m32.At(0, 1) != 2 {
		t.Error("ToGonum of float32")
	}
	mustPanic(t, "ToGonum of a tensor of shape [3], want 2 dimensions", func() { tensor.ToGonum(tensor.Zeros(tensor.Float64, 3)) })
	mustPanic(t, "ToGonum of an empty matrix [0 3]", func() { tensor.ToGonum(tensor.Zeros(tensor.Float64, 0, 3)) })
}

// ToGonumShared is ToGonum, checking that the result aliases x.
func ToGonumShared(t *testing.T, x *tensor.Tensor) *mat.Dense {
	t.Helper()
	m := tensor.ToGonum(x)
	if &m.RawMatrix().Data[0] != &x.Float64s()[0] {
		t.Error("ToGonum did not share memory")
	}
	return m
}

func TestFromGonum(t *testing.T) {
	d := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	x := tensor.FromGonum(d)
	eq(t, "FromGonum", x, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
	x.Set(9, 1, 1)
	if d.At(1, 1) != 9 {
		t.Error("FromGonum of a Dense copied")
	}
	// A slice of a Dense keeps its stride: a non-contiguous view.
	s := d.Slice(0, 2, 1, 3).(*mat.Dense)
	xs := tensor.FromGonum(s)
	if xs.IsContiguous() || !slices.Equal(xs.Strides(), []int{3, 1}) {
		t.Errorf("FromGonum of a slice: strides %v", xs.Strides())
	}
	eq(t, "FromGonum slice", xs, []int{2, 2}, []float64{2, 3, 9, 6})
	// Ops work on it, and a round trip shares the memory again.
	eq(t, "Sum of a gonum view", tensor.Sum(xs, 0), []int{2}, []float64{11, 9})
	if back := tensor.ToGonum(xs); &back.RawMatrix().Data[0] != &s.RawMatrix().Data[0] {
		t.Error("round trip through gonum copied")
	}
	// Matrices without raw storage are copied.
	xt := tensor.FromGonum(d.T())
	eq(t, "FromGonum of a transpose", xt, []int{3, 2}, []float64{1, 4, 2, 9, 3, 6})
	sym := mat.NewSymDense(2, []float64{1, 2, 2, 3})
	eq(t, "FromGonum of a SymDense", tensor.FromGonum(sym), []int{2, 2}, []float64{1, 2, 2, 3})
}

func TestBlas(t *testing.T) {
	g64 := blas64.General{Rows: 2, Cols: 2, Stride: 3, Data: []float64{1, 2, 0, 3, 4}}
	x := tensor.FromBlas64(g64)
	eq(t, "FromBlas64", x, []int{2, 2}, []float64{1, 2, 3, 4})
	back := tensor.ToBlas64(x)
	if back.Stride != 3 || &back.Data[0] != &g64.Data[0] || len(back.Data) != 5 {
		t.Errorf("ToBlas64 round trip: %+v", back)
	}
	g32 := blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: []float32{1, 2, 3, 4, 5, 6}}
	y := tensor.FromBlas32(g32)
	if y.DType() != tensor.Float32 || !y.IsContiguous() {
		t.Error("FromBlas32: not a contiguous float32 tensor")
	}
	b32 := tensor.ToBlas32(y)
	if &b32.Data[0] != &g32.Data[0] {
		t.Error("ToBlas32 of a contiguous float32 tensor copied")
	}
	// Through the tensor, gonum's BLAS sees the same memory.
	c := tensor.Zeros(tensor.Float32, 3, 3)
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, tensor.ToBlas32(y), tensor.ToBlas32(y), 0, tensor.ToBlas32(c)) // y·yᵀ
	want := tensor.MatMul(y, y.T())
	if !tensor.AllClose(c, want, 1e-6, 0) {
		t.Errorf("gonum Gemm through ToBlas32 = %v, want %v", c, want)
	}
	// Copies: float64 tensor to blas32, transposed view to blas64.
	if b := tensor.ToBlas32(x); b.Stride != 2 || !slices.Equal(b.Data, []float32{1, 2, 3, 4}) {
		t.Errorf("ToBlas32 of float64: %+v", b)
	}
	if b := tensor.ToBlas64(y.T()); b.Rows != 2 || b.Cols != 3 || !slices.Equal(b.Data, []float64{1, 3, 5, 2, 4, 6}) {
		t.Errorf("ToBlas64 of a transposed float32 view: %+v", b)
	}
	mustPanic(t, "FromBlas64 of an inconsistent matrix: 2×2, stride 3, 4 values", func() {
		tensor.FromBlas64(blas64.General{Rows: 2, Cols: 2, Stride: 3, Data: make([]float64, 4)})
	})
	mustPanic(t, "FromBlas32 of an inconsistent matrix: 2×3, stride 2", func() {
		tensor.FromBlas32(blas32.General{Rows: 2, Cols: 3, Stride: 2, Data: make([]float32, 6)})
	})
}
