// Package sparse holds a mostly-zero matrix by compressed sparse rows. The
// classical estimators take dense matrices; a one-hot encoded table is
// mostly zeros, and the linear models' products X·w and Xᵀ·r then run
// over the nonzeros only.
package sparse

import "github.com/ember-ml/ember/internal/parallel"

// Rows is an n×p matrix by compressed sparse rows: the nonzeros of row i
// are Val[Ptr[i]:Ptr[i+1]], in the columns Col[Ptr[i]:Ptr[i+1]].
type Rows struct {
	N, P int
	Ptr  []int
	Col  []int32
	Val  []float64
}

// FromDense returns the nonzeros of the row-major n×p matrix x by rows,
// when at most one value in eight is nonzero; otherwise false.
func FromDense(x []float64, n, p int) (Rows, bool) {
	if n == 0 || p == 0 {
		return Rows{}, false
	}
	// Count the nonzeros, stopping as soon as there are too many: a dense
	// X costs an eighth of a pass.
	nnz, limit := 0, n*p/8
	for _, v := range x[:n*p] {
		if v != 0 {
			if nnz++; nnz > limit {
				return Rows{}, false
			}
		}
	}
	a := Rows{N: n, P: p, Ptr: make([]int, n+1), Col: make([]int32, 0, nnz), Val: make([]float64, 0, nnz)}
	for i := 0; i < n; i++ {
		for j, v := range x[i*p : (i+1)*p] {
			if v != 0 {
				a.Col = append(a.Col, int32(j))
				a.Val = append(a.Val, v)
			}
		}
		a.Ptr[i+1] = len(a.Col)
	}
	return a, true
}

// Dot returns row i · w.
func (a Rows) Dot(i int, w []float64) float64 {
	s := 0.0
	for k := a.Ptr[i]; k < a.Ptr[i+1]; k++ {
		s += a.Val[k] * w[a.Col[k]]
	}
	return s
}

// AddTo adds alpha · row i to g.
func (a Rows) AddTo(g []float64, i int, alpha float64) {
	for k := a.Ptr[i]; k < a.Ptr[i+1]; k++ {
		g[a.Col[k]] += alpha * a.Val[k]
	}
}

// Block is the number of rows a worker takes at a time in MulVec and
// MulTVec.
const Block = 2048

// MulVec sets z = X·w.
func (a Rows) MulVec(z, w []float64) {
	nb := (a.N + Block - 1) / Block
	parallel.For(nb, 1, func(lo, hi int) {
		for i := lo * Block; i < min(hi*Block, a.N); i++ {
			z[i] = a.Dot(i, w)
		}
	})
}

// MulTVec sets g = Xᵀ·r. Blocks of rows are summed separately and added
// in block order, so the result does not depend on the number of workers.
func (a Rows) MulTVec(g, r []float64) {
	nb := (a.N + Block - 1) / Block
	if nb == 1 {
		clear(g)
		for i, ri := range r[:a.N] {
			a.AddTo(g, i, ri)
		}
		return
	}
	part := make([]float64, nb*a.P)
	parallel.For(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			acc := part[b*a.P : (b+1)*a.P]
			for i := b * Block; i < min((b+1)*Block, a.N); i++ {
				a.AddTo(acc, i, r[i])
			}
		}
	})
	clear(g)
	for b := 0; b < nb; b++ {
		for j, v := range part[b*a.P : (b+1)*a.P] {
			g[j] += v
		}
	}
}

// MulMat sets z [N, k] = X·W for W [P, k], all row-major.
func (a Rows) MulMat(z, w []float64, k int) {
	nb := (a.N + Block - 1) / Block
	parallel.For(nb, 1, func(lo, hi int) {
		for i := lo * Block; i < min(hi*Block, a.N); i++ {
			zi := z[i*k : (i+1)*k]
			clear(zi)
			for q := a.Ptr[i]; q < a.Ptr[i+1]; q++ {
				v, wj := a.Val[q], w[int(a.Col[q])*k:][:k]
				for c := range zi {
					zi[c] += v * wj[c]
				}
			}
		}
	})
}

// MulTMat sets g [P, k] = Xᵀ·R for R [N, k], all row-major, adding
// per-block partial sums in block order (as MulTVec).
func (a Rows) MulTMat(g, r []float64, k int) {
	nb := (a.N + Block - 1) / Block
	add := func(acc []float64, i int) {
		ri := r[i*k : (i+1)*k]
		for q := a.Ptr[i]; q < a.Ptr[i+1]; q++ {
			v, gj := a.Val[q], acc[int(a.Col[q])*k:][:k]
			for c, x := range ri {
				gj[c] += v * x
			}
		}
	}
	if nb == 1 {
		clear(g[:a.P*k])
		for i := 0; i < a.N; i++ {
			add(g, i)
		}
		return
	}
	part := make([]float64, nb*a.P*k)
	parallel.For(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			acc := part[b*a.P*k : (b+1)*a.P*k]
			for i := b * Block; i < min((b+1)*Block, a.N); i++ {
				add(acc, i)
			}
		}
	})
	clear(g[:a.P*k])
	for b := 0; b < nb; b++ {
		for j, v := range part[b*a.P*k : (b+1)*a.P*k] {
			g[j] += v
		}
	}
}
