package rl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Space describes a set of observations or actions, like Gymnasium's
// spaces: its shape, whether a value belongs to it, and how to sample one.
type Space interface {
	// Shape is the shape of one value; nil for a Discrete space, whose value
	// is a single index.
	Shape() []int
	// Dim is the length of the []float64 that holds one value.
	Dim() int
	// Contains reports whether x is a member of the space.
	Contains(x []float64) bool
	// Sample draws a uniform member (see Box for unbounded dimensions).
	Sample(r *rand.Rand) []float64
	// String is the Gymnasium-style description, e.g. "Discrete(4)".
	String() string
}

// Discrete is the set {0, 1, ..., N-1}.
type Discrete struct {
	N int
}

// Shape returns nil: a Discrete value is a scalar.
func (d Discrete) Shape() []int { return nil }

// Dim returns 1.
func (d Discrete) Dim() int { return 1 }

// Contains reports whether x is one integer in [0, N).
func (d Discrete) Contains(x []float64) bool {
	return len(x) == 1 && x[0] == math.Trunc(x[0]) && x[0] >= 0 && x[0] < float64(d.N)
}

// ContainsInt reports whether 0 <= a < N.
func (d Discrete) ContainsInt(a int) bool { return a >= 0 && a < d.N }

// Sample returns a uniform member as a one-element slice.
func (d Discrete) Sample(r *rand.Rand) []float64 { return []float64{float64(d.SampleInt(r))} }

// SampleInt returns a uniform member.
func (d Discrete) SampleInt(r *rand.Rand) int { return r.IntN(d.N) }

// String returns "Discrete(N)".
func (d Discrete) String() string { return fmt.Sprintf("Discrete(%d)", d.N) }

// Box is a one-dimensional box of real values, Low[i] <= x[i] <= High[i];
// bounds may be infinite.
type Box struct {
	Low, High []float64
}

// NewBox returns the box [low, high]; it panics if the slices differ in
// length or a low bound exceeds its high bound (a programmer error).
func NewBox(low, high []float64) Box {
	if len(low) != len(high) {
		panic(fmt.Sprintf("rl.NewBox: %d low bounds, %d high bounds", len(low), len(high)))
	}
	for i := range low {
		if !(low[i] <= high[i]) {
			panic(fmt.Sprintf("rl.NewBox: bound %d: low %v > high %v", i, low[i], high[i]))
		}
	}
	return Box{Low: append([]float64(nil), low...), High: append([]float64(nil), high...)}
}

// Shape returns []int{len(Low)}.
func (b Box) Shape() []int { return []int{len(b.Low)} }

// Dim returns len(Low).
func (b Box) Dim() int { return len(b.Low) }

// Contains reports whether x has the box's length and lies within its
// bounds (NaN never does).
func (b Box) Contains(x []float64) bool {
	if len(x) != len(b.Low) {
		return false
	}
	for i, v := range x {
		if !(v >= b.Low[i] && v <= b.High[i]) {
			return false
		}
	}
	return true
}

// Sample draws each value as Gymnasium does: uniform where both bounds are
// finite, low + Exp(1) or high - Exp(1) where one is, standard normal where
// neither is.
func (b Box) Sample(r *rand.Rand) []float64 {
	x := make([]float64, len(b.Low))
	for i := range x {
		lo, hi := b.Low[i], b.High[i]
		switch {
		case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
			x[i] = lo + (hi-lo)*r.Float64()
		case !math.IsInf(lo, 0):
			x[i] = lo + r.ExpFloat64()
		case !math.IsInf(hi, 0):
			x[i] = hi - r.ExpFloat64()
		default:
			x[i] = r.NormFloat64()
		}
	}
	return x
}

// String returns "Box(low, high, (n,))".
func (b Box) String() string {
	f := func(v []float64) string {
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = fmt.Sprintf("%.4g", x)
		}
		return "[" + strings.Join(s, " ") + "]"
	}
	return fmt.Sprintf("Box(%s, %s, (%d,))", f(b.Low), f(b.High), len(b.Low))
}
