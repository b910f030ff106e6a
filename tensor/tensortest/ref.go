package tensortest

import (
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/tensor"
)

// ref is a naive host array used to compute expected results.
type ref struct {
	shape []int
	v     []float64
}

func refOf(t *tensor.Tensor) ref {
	c := t.To(tensor.CPU)
	return ref{shape: slices.Clone(c.Shape()), v: slices.Clone(c.Float64s())}
}

func newRef(shape ...int) ref {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return ref{shape: slices.Clone(shape), v: make([]float64, n)}
}

func (r ref) strides() []int {
	st := make([]int, len(r.shape))
	s := 1
	for i := len(r.shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= r.shape[i]
	}
	return st
}

func (r ref) off(idx ...int) int {
	st := r.strides()
	o := 0
	for i, v := range idx {
		o += v * st[i]
	}
	return o
}

func (r ref) at(idx ...int) float64 { return r.v[r.off(idx...)] }

// bAt reads r at an index of a broadcast shape (right-aligned; size-1
// dimensions repeat).
func (r ref) bAt(idx []int) float64 {
	lead := len(idx) - len(r.shape)
	o := 0
	st := r.strides()
	for i := range r.shape {
		if r.shape[i] != 1 {
			o += idx[lead+i] * st[i]
		}
	}
	return r.v[o]
}

func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return idx
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// round returns v rounded to dt.
func round(dt tensor.DType, v float64) float64 {
	if dt == tensor.Float32 {
		return float64(float32(v))
	}
	return v
}

// tol is the default tolerance of a dtype.
func tol(dt tensor.DType) float64 {
	if dt == tensor.Float32 {
		return 2e-5
	}
	return 1e-12
}

// closeTo reports |got-want| <= t*(1+|want|), treating NaN == NaN and equal
// infinities as equal.
func closeTo(got, want, t float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= t*(1+math.Abs(want))
}

// diff describes the first mismatch between got and want, or returns "".
func diff(got *tensor.Tensor, want ref, t float64) string {
	if !slices.Equal(got.Shape(), want.shape) {
		return fmt.Sprintf("shape %v, want %v", got.Shape(), want.shape)
	}
	g := got.To(tensor.CPU).Float64s()
	for i := range g {
		if !closeTo(g[i], want.v[i], t) {
			return fmt.Sprintf("at %v: got %.9g, want %.9g (and %d elements in all)", unravel(i, want.shape), g[i], want.v[i], len(g))
		}
	}
	return ""
}
