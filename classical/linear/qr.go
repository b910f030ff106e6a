package linear

import (
	"math"

	"github.com/ember-ml/ember/classical"
)

// lstsqQR solves min ||X w − y||² for the (centred) rows of xm by a
// Householder QR factorisation with column pivoting, which never forms
// XᵀX and so keeps the conditioning of X itself. ok is false when X is
// numerically rank deficient (a pivot below 1e-12 of the largest), where
// the caller falls back to a regularised solve close to the minimum-norm
// solution.
func lstsqQR(xm classical.Matrix, mu []float64, y []float64, ymean float64) (w []float64, ok bool) {
	n, p := xm.Rows, xm.Cols
	if n < p {
		return nil, false
	}
	a := make([]float64, n*p)
	b := make([]float64, n)
	for i := 0; i < n; i++ {
		row := xm.Row(i)
		for j, v := range row {
			a[i*p+j] = v - mu[j]
		}
		b[i] = y[i] - ymean
	}
	perm := make([]int, p)
	norms := make([]float64, p) // squared norms of the remaining parts of the columns
	for j := range perm {
		perm[j] = j
	}
	for i := 0; i < n; i++ {
		for j, v := range a[i*p : (i+1)*p] {
			norms[j] += v * v
		}
	}
	diag := make([]float64, p)
	wk := make([]float64, p)
	first := 0.0
	for k := 0; k < p; k++ {
		// Pivot: the remaining column with the largest norm.
		best := k
		for j := k + 1; j < p; j++ {
			if norms[j] > norms[best] {
				best = j
			}
		}
		if best != k {
			for i := 0; i < n; i++ {
				a[i*p+k], a[i*p+best] = a[i*p+best], a[i*p+k]
			}
			norms[k], norms[best] = norms[best], norms[k]
			perm[k], perm[best] = perm[best], perm[k]
		}
		// Householder vector of column k below the diagonal (recomputed
		// norm, the running one loses accuracy).
		s := 0.0
		for i := k; i < n; i++ {
			s += a[i*p+k] * a[i*p+k]
		}
		nrm := math.Sqrt(s)
		if k == 0 {
			first = nrm
		}
		if nrm == 0 || nrm <= 1e-12*first {
			return nil, false
		}
		alpha := -nrm
		if a[k*p+k] < 0 {
			alpha = nrm
		}
		a[k*p+k] -= alpha // v = x - alpha e1, stored in place
		vnorm2 := s - 2*alpha*(a[k*p+k]+alpha) + alpha*alpha
		// vnorm2 = ||x||² - 2 alpha x_k + alpha² with x_k the old value.
		diag[k] = alpha
		if vnorm2 <= 0 {
			return nil, false
		}
		tau := 2 / vnorm2
		// w = vᵀ A[:, k+1:] and vᵀ b, one pass over the rows.
		clear(wk)
		wb := 0.0
		for i := k; i < n; i++ {
			vi := a[i*p+k]
			row := a[i*p : (i+1)*p]
			for j := k + 1; j < p; j++ {
				wk[j] += vi * row[j]
			}
			wb += vi * b[i]
		}
		for i := k; i < n; i++ {
			vi := a[i*p+k] * tau
			row := a[i*p : (i+1)*p]
			for j := k + 1; j < p; j++ {
				row[j] -= vi * wk[j]
			}
			b[i] -= vi * wb
		}
		for j := k + 1; j < p; j++ {
			norms[j] -= a[k*p+j] * a[k*p+j]
		}
	}
	// Back substitution R z = (Qᵀb)[:p], R's diagonal in diag, its upper
	// part in a.
	z := make([]float64, p)
	for k := p - 1; k >= 0; k-- {
		s := b[k]
		for j := k + 1; j < p; j++ {
			s -= a[k*p+j] * z[j]
		}
		z[k] = s / diag[k]
	}
	w = make([]float64, p)
	for k, j := range perm {
		w[j] = z[k]
	}
	return w, true
}
