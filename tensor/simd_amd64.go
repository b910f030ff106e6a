//go:build !noasm && amd64

package tensor

import (
	"math"

	xcpu "golang.org/x/sys/cpu"
)

// AVX2 loops for the hottest float32 elementwise ops and sums
// (simd_amd64.s). The Go loops are used without AVX2 and under the build
// tag noasm.

var (
	hasAVX2 = xcpu.X86.HasAVX2
	hasFMA  = xcpu.X86.HasAVX2 && xcpu.X86.HasFMA
)

//go:noescape
func expF32AVX2(d, s []float32)

//go:noescape
func sigmoidF32AVX2(d, s []float32)

//go:noescape
func tanhF32AVX2(d, s []float32)

//go:noescape
func reluF32AVX2(d, s []float32)

//go:noescape
func accSumF32AVX2(acc []float64, row []float32)

//go:noescape
func transpose8x8F32AVX2(d []float32, ldd int, s []float32, lds int)

// transposeF32 sets d[i*ldd+j] = s[j*lds+i] for i < rows, j < cols, in 8×8
// blocks, and reports whether it ran.
func transposeF32(d []float32, ldd int, s []float32, lds int, rows, cols int) bool {
	if !hasAVX2 {
		return false
	}
	r8, c8 := rows&^7, cols&^7
	for i := 0; i < r8; i += 8 {
		for j := 0; j < c8; j += 8 {
			transpose8x8F32AVX2(d[i*ldd+j:][:7*ldd+8], ldd, s[j*lds+i:][:7*lds+8], lds)
		}
	}
	for i := 0; i < rows; i++ {
		j0 := c8
		if i >= r8 {
			j0 = 0
		}
		for j := j0; j < cols; j++ {
			d[i*ldd+j] = s[j*lds+i]
		}
	}
	return true
}

//go:noescape
func maxF32AVX2(x []float32) (m float32, nan bool)

//go:noescape
func minF32AVX2(x []float32) (m float32, nan bool)

// maxMinF32 returns the maximum (or, with isMin, the minimum) of x, NaN
// when x holds one, and reports whether it ran (x needs 8 elements).
func maxMinF32(x []float32, isMin bool) (float64, bool) {
	if !hasAVX2 || len(x) < 8 {
		return 0, false
	}
	var m float32
	var nan bool
	if isMin {
		m, nan = minF32AVX2(x)
	} else {
		m, nan = maxF32AVX2(x)
	}
	if nan {
		return math.NaN(), true
	}
	return float64(m), true
}

//go:noescape
func accSum4F32AVX2(acc []float64, r0, r1, r2, r3 []float32)

// accSum4F32 adds (r0 + r1) + (r2 + r3) into acc elementwise, in float64,
// and returns how many leading elements it did (the caller does the rest).
func accSum4F32(acc []float64, r0, r1, r2, r3 []float32) int {
	if !hasAVX2 {
		return 0
	}
	n := len(acc)
	accSum4F32AVX2(acc, r0[:n], r1[:n], r2[:n], r3[:n])
	return n &^ 3
}

// accSumF32 adds row into acc elementwise and reports whether it ran.
func accSumF32(acc []float64, row []float32) bool {
	if !hasAVX2 {
		return false
	}
	accSumF32AVX2(acc, row[:len(acc)])
	return true
}

//go:noescape
func affineF32AVX2(d, s []float32, a, b float32)

// reluF32 sets d[i] = max(0, s[i]) and reports whether it ran.
func reluF32(d, s []float32) bool {
	if !hasAVX2 {
		return false
	}
	reluF32AVX2(d, s[:len(d)])
	return true
}

// affineF32 sets d[i] = s[i]*a + b and reports whether it ran.
func affineF32(d, s []float32, a, b float32) bool {
	if !hasAVX2 {
		return false
	}
	affineF32AVX2(d, s[:len(d)], a, b)
	return true
}

// tanhF32 sets d[i] = tanh(s[i]).
func tanhF32(d, s []float32) {
	n := 0
	if hasFMA {
		tanhF32AVX2(d, s)
		n = len(d) &^ 7
	}
	for i := n; i < len(d); i++ {
		d[i] = tanhf(s[i])
	}
}

// sigmoidF32 sets d[i] = 1/(1+e**-s[i]).
func sigmoidF32(d, s []float32) {
	n := 0
	if hasFMA {
		sigmoidF32AVX2(d, s)
		n = len(d) &^ 7
	}
	for i := n; i < len(d); i++ {
		d[i] = 1 / (1 + expf(-s[i]))
	}
}

// expF32 sets d[i] = e**s[i] (s at least as long as d).
func expF32(d, s []float32) {
	n := 0
	if hasFMA {
		expF32AVX2(d, s)
		n = len(d) &^ 7
	}
	for i := n; i < len(d); i++ {
		d[i] = expf(s[i])
	}
}

//go:noescape
func addF32AVX2(d, a, b []float32)

//go:noescape
func mulF32AVX2(d, a, b []float32)

//go:noescape
func sumF32AVX2(x []float32) float32

// addF32 sets d[i] = a[i] + b[i] and reports whether it ran.
func addF32(d, a, b []float32) bool {
	if !hasAVX2 {
		return false
	}
	addF32AVX2(d, a[:len(d)], b[:len(d)])
	return true
}

// mulF32 sets d[i] = a[i] * b[i] and reports whether it ran.
func mulF32(d, a, b []float32) bool {
	if !hasAVX2 {
		return false
	}
	mulF32AVX2(d, a[:len(d)], b[:len(d)])
	return true
}

// sumF32 returns the sum of x, accumulating float32 blocks of sumBlock
// elements in float64, and reports whether it ran.
func sumF32(x []float32) (float64, bool) {
	if !hasAVX2 {
		return 0, false
	}
	var acc float64
	for len(x) > 0 {
		n := min(len(x), sumBlock)
		acc += float64(sumF32AVX2(x[:n]))
		x = x[n:]
	}
	return acc, true
}
