package linear

import (
	"math"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
)

// qrChunk is the number of rows one block of the tall-skinny QR factors
// at a time (it stays in cache).
const qrChunk = 1024

// lstsqQR solves min ||X w − y||² for the rows of xm centred by mu and
// ymean, by a Householder QR factorisation, never forming XᵀX, so that the
// conditioning is that of X itself. Tall matrices are factored as a
// tall-skinny QR: each block of qrChunk rows is reduced to its p×p R (in
// parallel, in cache), the stacked R factors (which have the singular
// values of X) are then factored with column pivoting. ok is false when X
// is numerically rank deficient (a pivot below 1e-12 of the largest, or
// fewer rows than columns): the caller then falls back to a regularised
// solve close to the minimum-norm solution.
func lstsqQR(xm classical.Matrix, mu []float64, y []float64, ymean float64) (w []float64, ok bool) {
	n, p := xm.Rows, xm.Cols
	if n < p {
		return nil, false
	}
	load := func(lo, hi int, a, b []float64) {
		for i := lo; i < hi; i++ {
			row := xm.Row(i)
			dst := a[(i-lo)*p : (i-lo+1)*p]
			for j, v := range row {
				dst[j] = v - mu[j]
			}
			b[i-lo] = y[i] - ymean
		}
	}
	nc := n / qrChunk
	if nc < 2 {
		a := make([]float64, n*p)
		b := make([]float64, n)
		load(0, n, a, b)
		return solveQR(a, b, n, p)
	}
	// Chunk c covers rows [c*qrChunk, (c+1)*qrChunk), the last one also
	// the remainder.
	S := make([]float64, nc*p*p)
	t := make([]float64, nc*p)
	parallel.For(nc, 1, func(lo, hi int) {
		a := make([]float64, 2*qrChunk*p)
		b := make([]float64, 2*qrChunk)
		for c := lo; c < hi; c++ {
			r0, r1 := c*qrChunk, (c+1)*qrChunk
			if c == nc-1 {
				r1 = n
			}
			m := r1 - r0
			load(r0, r1, a, b)
			diag, _ := householder(a[:m*p], b[:m], m, p, false)
			R := S[c*p*p : (c+1)*p*p]
			for k := 0; k < p; k++ {
				R[k*p+k] = diag[k]
				copy(R[k*p+k+1:(k+1)*p], a[k*p+k+1:(k+1)*p])
				t[c*p+k] = b[k]
			}
		}
	})
	return solveQR(S, t, nc*p, p)
}

// solveQR factors a [m, p] with column pivoting and solves R z = Qᵀb.
func solveQR(a, b []float64, m, p int) ([]float64, bool) {
	diag, perm := householder(a, b, m, p, true)
	if perm == nil {
		return nil, false
	}
	z := make([]float64, p)
	for k := p - 1; k >= 0; k-- {
		s := b[k]
		for j := k + 1; j < p; j++ {
			s -= a[k*p+j] * z[j]
		}
		z[k] = s / diag[k]
	}
	w := make([]float64, p)
	for k, j := range perm {
		w[j] = z[k]
	}
	return w, true
}

// householder reduces a [m, p] (row-major, m >= p) in place to R (its
// diagonal returned, the rest above the diagonal of a) and applies the
// same reflections to b. With pivot, columns are chosen by largest
// remaining norm and perm (the original column of each position) is nil
// when a pivot falls below 1e-12 of the first (rank deficient); without,
// a zero column is left as it is.
func householder(a, b []float64, m, p int, pivot bool) (diag []float64, perm []int) {
	diag = make([]float64, p)
	perm = make([]int, p)
	for j := range perm {
		perm[j] = j
	}
	var norms []float64
	if pivot {
		norms = make([]float64, p)
		for i := 0; i < m; i++ {
			for j, v := range a[i*p : (i+1)*p] {
				norms[j] += v * v
			}
		}
	}
	wk := make([]float64, p)
	first := 0.0
	for k := 0; k < p; k++ {
		if pivot {
			best := k
			for j := k + 1; j < p; j++ {
				if norms[j] > norms[best] {
					best = j
				}
			}
			if best != k {
				for i := 0; i < m; i++ {
					a[i*p+k], a[i*p+best] = a[i*p+best], a[i*p+k]
				}
				norms[k], norms[best] = norms[best], norms[k]
				perm[k], perm[best] = perm[best], perm[k]
			}
		}
		s := 0.0
		for i := k; i < m; i++ {
			s += a[i*p+k] * a[i*p+k]
		}
		nrm := math.Sqrt(s)
		if k == 0 {
			first = nrm
		}
		if pivot && (nrm == 0 || nrm <= 1e-12*first) {
			return diag, nil
		}
		if nrm == 0 {
			continue // nothing to reflect; R's diagonal entry is 0
		}
		alpha := -nrm
		if a[k*p+k] < 0 {
			alpha = nrm
		}
		a[k*p+k] -= alpha // v = x − alpha e₁, stored in place
		// ||v||² = ||x||² − 2 alpha x_k + alpha², x_k the old value.
		vnorm2 := s - 2*alpha*(a[k*p+k]+alpha) + alpha*alpha
		diag[k] = alpha
		if !(vnorm2 > 0) {
			if pivot {
				return diag, nil
			}
			continue
		}
		tau := 2 / vnorm2
		clear(wk)
		wb := 0.0
		for i := k; i < m; i++ {
			vi := a[i*p+k]
			row := a[i*p : (i+1)*p]
			for j := k + 1; j < p; j++ {
				wk[j] += vi * row[j]
			}
			wb += vi * b[i]
		}
		for i := k; i < m; i++ {
			vi := a[i*p+k] * tau
			row := a[i*p : (i+1)*p]
			for j := k + 1; j < p; j++ {
				row[j] -= vi * wk[j]
			}
			b[i] -= vi * wb
		}
		if pivot {
			for j := k + 1; j < p; j++ {
				norms[j] -= a[k*p+j] * a[k*p+j]
			}
		}
	}
	return diag, perm
}
