package cluster

import (
	"math"

	"github.com/ember-ml/ember/tensor/gemm"
)

// block is the number of rows whose distances to a set of points are
// computed together (one GEMM call).
const block = 256

// smallDim is the largest feature count for which distances are computed
// by direct loops; above it they go through the GEMM identity
// ||x-c||² = ||x||² - 2 x·c + ||c||².
const smallDim = 8

// rowSqNorms returns ||row i||² for the n rows of x (d columns).
func rowSqNorms(x []float64, n, d int) []float64 {
	out := make([]float64, n)
	for i := range out {
		s := 0.0
		for _, v := range x[i*d : (i+1)*d] {
			s += v * v
		}
		out[i] = s
	}
	return out
}

// sqDistBlock writes the squared Euclidean distances between rows
// [lo, hi) of a and all nb rows of b into out[(i-lo)*nb + j], clipped at
// zero. an and bn are the rows' squared norms (used on the GEMM path).
// It runs on the calling goroutine.
func sqDistBlock(a []float64, an []float64, lo, hi int, b []float64, bn []float64, nb, d int, out []float64) {
	m := hi - lo
	if d <= smallDim {
		for i := 0; i < m; i++ {
			x := a[(lo+i)*d : (lo+i+1)*d]
			row := out[i*nb : (i+1)*nb]
			for j := 0; j < nb; j++ {
				c := b[j*d : (j+1)*d]
				s := 0.0
				for f, v := range x {
					t := v - c[f]
					s += t * t
				}
				row[j] = s
			}
		}
		return
	}
	gemm.DgemmSerial(false, true, m, nb, d, -2, a[lo*d:], d, b, d, 0, out, nb)
	for i := 0; i < m; i++ {
		row := out[i*nb : (i+1)*nb]
		xn := an[lo+i]
		for j := range row {
			v := row[j] + xn + bn[j]
			if v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}

// sqDist is the exact squared Euclidean distance between two rows.
func sqDist(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		t := v - y[i]
		s += t * t
	}
	return s
}

// pairDist returns the distance between x and y under metric
// ("euclidean", "manhattan" or "cosine").
func pairDist(metric string, x, y []float64) float64 {
	switch metric {
	case "manhattan":
		s := 0.0
		for i, v := range x {
			s += math.Abs(v - y[i])
		}
		return s
	case "cosine":
		dot, nx, ny := 0.0, 0.0, 0.0
		for i, v := range x {
			dot += v * y[i]
			nx += v * v
			ny += y[i] * y[i]
		}
		if nx == 0 || ny == 0 {
			return 1
		}
		return 1 - dot/math.Sqrt(nx*ny)
	}
	return math.Sqrt(sqDist(x, y))
}
