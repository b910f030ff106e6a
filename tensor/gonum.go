package tensor

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Conversions to and from gonum. Where the layout allows (a CPU matrix whose
// rows are contiguous, with a row stride at least as long as a row) the
// result shares memory with its source: writes through one are seen by the
// other, so do not Release a tensor whose storage gonum still uses. Other
// layouts, and conversions between float32 and float64, copy.

// rowMajor reports whether the 2-D CPU tensor t can be described as a
// row-major matrix (unit column stride, row stride >= cols) and returns the
// row stride.
func (t *Tensor) rowMajor() (stride int, ok bool) {
	r, c := t.shape[0], t.shape[1]
	sr, sc := t.strides[0], t.strides[1]
	if c > 1 && sc != 1 {
		return 0, false
	}
	if r == 1 {
		return max(c, 1), true
	}
	if sr < c || sr < 1 {
		return 0, false
	}
	return sr, true
}

func (t *Tensor) mustMatrix(op string) {
	t.mustCPU(op)
	if t.Dim() != 2 {
		panic(fmt.Sprintf("tensor: %s of a tensor of shape %v, want 2 dimensions", op, t.shape))
	}
}

// rawLen is the length of the storage a row-major r×c matrix with row
// stride s spans.
func rawLen(r, c, s int) int {
	if r == 0 || c == 0 {
		return 0
	}
	return (r-1)*s + c
}

// ToGonum returns the 2-D float64 CPU tensor t as a *mat.Dense that shares
// t's memory when t's rows are contiguous, and a copy otherwise (a
// transposed view, a float32 tensor). It panics for other ranks and for
// empty matrices, which mat.Dense cannot represent.
func ToGonum(t *Tensor) *mat.Dense {
	t.mustMatrix("ToGonum")
	r, c := t.shape[0], t.shape[1]
	if r == 0 || c == 0 {
		panic(fmt.Sprintf("tensor: ToGonum of an empty matrix %v", t.shape))
	}
	var d mat.Dense
	d.SetRawMatrix(ToBlas64(t))
	return &d
}

// FromGonum returns the float64 tensor holding m. A *mat.Dense (or any
// matrix with a RawMatrix method) is viewed without copying, with m's row
// stride; other matrices, and transposed views such as m.T(), are copied.
func FromGonum(m mat.Matrix) *Tensor {
	if rm, ok := m.(mat.RawMatrixer); ok {
		return FromBlas64(rm.RawMatrix())
	}
	r, c := m.Dims()
	t := New(Float64, r, c)
	d := t.st.f64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d[i*c+j] = m.At(i, j)
		}
	}
	return t
}

// ToBlas64 returns the 2-D CPU tensor t as a blas64.General, sharing t's
// memory when t is float64 with contiguous rows and copying otherwise.
func ToBlas64(t *Tensor) blas64.General {
	t.mustMatrix("ToBlas64")
	r, c := t.shape[0], t.shape[1]
	if t.dtype == Float64 {
		if s, ok := t.rowMajor(); ok {
			return blas64.General{Rows: r, Cols: c, Stride: s, Data: t.st.f64[t.offset : t.offset+rawLen(r, c, s)]}
		}
	}
	return blas64.General{Rows: r, Cols: c, Stride: max(c, 1), Data: t.Float64s()}
}

// FromBlas64 returns a float64 tensor viewing g's memory (no copy), with
// g's row stride. It panics when g is inconsistent (a stride shorter than a
// row, or data too short for its shape).
func FromBlas64(g blas64.General) *Tensor {
	checkGeneral("FromBlas64", g.Rows, g.Cols, g.Stride, len(g.Data))
	return &Tensor{dtype: Float64, shape: []int{g.Rows, g.Cols}, strides: []int{g.Stride, 1}, st: &storage{f64: g.Data}}
}

// ToBlas32 returns the 2-D CPU tensor t as a blas32.General, sharing t's
// memory when t is float32 with contiguous rows and copying otherwise.
func ToBlas32(t *Tensor) blas32.General {
	t.mustMatrix("ToBlas32")
	r, c := t.shape[0], t.shape[1]
	if t.dtype == Float32 {
		if s, ok := t.rowMajor(); ok {
			return blas32.General{Rows: r, Cols: c, Stride: s, Data: t.st.f32[t.offset : t.offset+rawLen(r, c, s)]}
		}
	}
	return blas32.General{Rows: r, Cols: c, Stride: max(c, 1), Data: t.Float32s()}
}

// FromBlas32 returns a float32 tensor viewing g's memory (no copy).
func FromBlas32(g blas32.General) *Tensor {
	checkGeneral("FromBlas32", g.Rows, g.Cols, g.Stride, len(g.Data))
	return &Tensor{dtype: Float32, shape: []int{g.Rows, g.Cols}, strides: []int{g.Stride, 1}, st: &storage{f32: g.Data}}
}

func checkGeneral(op string, r, c, s, n int) {
	if r < 0 || c < 0 || s < 1 || s < c || n < rawLen(r, c, s) {
		panic(fmt.Sprintf("tensor: %s of an inconsistent matrix: %d×%d, stride %d, %d values", op, r, c, s, n))
	}
}
