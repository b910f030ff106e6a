// Package floats holds the small numeric helpers on float64 slices and
// row-major matrices that several classical estimators share, so that
// each is written (and fixed) once.
package floats

import "github.com/ember-ml/ember/classical"

// Argmax returns the index of the largest value of v: the first one on
// ties, 0 for an empty v.
func Argmax(v []float64) int {
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}

// Centered returns a copy of xm's data, row-major, with each column's
// mean subtracted, and the column means.
func Centered(xm classical.Matrix) (x, mean []float64) {
	n, d := xm.Rows, xm.Cols
	mean = make([]float64, d)
	for i := 0; i < n; i++ {
		for j, v := range xm.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	x = make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j, v := range xm.Row(i) {
			x[i*d+j] = v - mean[j]
		}
	}
	return x, mean
}
