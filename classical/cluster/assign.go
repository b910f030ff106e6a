package cluster

import (
	"math"

	"github.com/ember-ml/ember/internal/parallel"
)

// maxChunks bounds the number of row chunks the parallel passes split the
// data into. The split depends only on the number of rows, never on the
// number of workers, and partial results are combined in chunk order, so
// results are identical whatever the machine.
const maxChunks = 64

// chunking returns the number of chunks and the rows per chunk for n rows.
func chunking(n int) (nChunks, size int) {
	nChunks = min((n+block-1)/block, maxChunks)
	if nChunks < 1 {
		nChunks = 1
	}
	size = (n + nChunks - 1) / nChunks
	nChunks = (n + size - 1) / size
	return nChunks, size
}

// assignRange labels rows [lo, hi) of x (d columns, squared norms xn) with
// their nearest center (k centers, squared norms cn), writing labels and the
// squared distances to that center. buf needs block*k entries on the GEMM
// path (d > smallDim). It returns how many labels changed.
func assignRange(x, xn []float64, lo, hi, d int, centers, cn []float64, k int, labels []int32, dist []float64, buf []float64) int {
	changed := 0
	if d == 2 {
		// The dominant low-dimensional case: ||c||² - 2x·c per center
		// (the ||x||² term does not change the argmin), as scikit-learn's
		// GEMM formulation, with the loop over centers kept tight.
		cc := centers[:2*k]
		cnk := cn[:k]
		for i := lo; i < hi; i++ {
			x0, x1 := x[2*i], x[2*i+1]
			best, bi := math.Inf(1), 0
			for j, c := range cnk {
				v := c - 2*(x0*cc[2*j]+x1*cc[2*j+1])
				if v < best {
					best, bi = v, j
				}
			}
			if labels[i] != int32(bi) {
				changed++
				labels[i] = int32(bi)
			}
			dist[i] = max(best+x0*x0+x1*x1, 0)
		}
		return changed
	}
	if d <= smallDim {
		for i := lo; i < hi; i++ {
			row := x[i*d : (i+1)*d]
			best, bi := math.Inf(1), 0
			for j := 0; j < k; j++ {
				c := centers[j*d : (j+1)*d]
				s := 0.0
				for f, v := range row {
					t := v - c[f]
					s += t * t
				}
				if s < best {
					best, bi = s, j
				}
			}
			if labels[i] != int32(bi) {
				changed++
				labels[i] = int32(bi)
			}
			dist[i] = best
		}
		return changed
	}
	for b := lo; b < hi; b += block {
		e := min(b+block, hi)
		sqDistBlock(x, xn, b, e, centers, cn, k, d, buf)
		for i := b; i < e; i++ {
			row := buf[(i-b)*k : (i-b+1)*k]
			best, bi := math.Inf(1), 0
			for j, v := range row {
				if v < best {
					best, bi = v, j
				}
			}
			if labels[i] != int32(bi) {
				changed++
				labels[i] = int32(bi)
			}
			dist[i] = best
		}
	}
	return changed
}

// assignAll labels every row of x in parallel and returns the labels and
// squared distances to the nearest center.
func assignAll(x []float64, n, d int, centers []float64, k int) ([]int32, []float64) {
	var xn []float64
	if d > smallDim {
		xn = rowSqNorms(x, n, d)
	}
	cn := rowSqNorms(centers, k, d)
	labels := make([]int32, n)
	dist := make([]float64, n)
	nc, size := chunking(n)
	parallel.For(nc, 1, func(clo, chi int) {
		var buf []float64
		if d > smallDim {
			buf = make([]float64, block*k)
		}
		for c := clo; c < chi; c++ {
			lo, hi := c*size, min((c+1)*size, n)
			assignRange(x, xn, lo, hi, d, centers, cn, k, labels, dist, buf)
		}
	})
	return labels, dist
}

// orderedSum adds per-chunk partial values in chunk order.
func orderedSum(parts []float64) float64 {
	s := 0.0
	for _, v := range parts {
		s += v
	}
	return s
}

// inertiaOf returns Σ ||x_i - centers[labels_i]||², computed exactly
// (without the GEMM identity), in parallel with an ordered reduction.
func inertiaOf(x []float64, n, d int, centers []float64, labels []int32) float64 {
	nc, size := chunking(n)
	parts := make([]float64, nc)
	parallel.For(nc, 1, func(clo, chi int) {
		for c := clo; c < chi; c++ {
			s := 0.0
			for i := c * size; i < min((c+1)*size, n); i++ {
				l := int(labels[i])
				s += sqDist(x[i*d:(i+1)*d], centers[l*d:(l+1)*d])
			}
			parts[c] = s
		}
	})
	return orderedSum(parts)
}
