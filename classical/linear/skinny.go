package linear

import "github.com/ember-ml/ember/internal/parallel"

// The logistic loss needs X·W and Xᵀ·R with W and R only K columns wide
// (K = 1 for binary problems). A general GEMM wastes most of its
// micro-kernel on such shapes and packs all of X on every call, so these
// two products run as direct row loops over fixed blocks of rows, in
// parallel. The blocks do not depend on the number of workers and their
// partial sums are added in block order, so results are bit-for-bit the
// same on any number of cores.

const skinnyBlock = 2048

// skinnyMul sets z [n, K] = X [n, p] · W [p, K] (all row-major).
func skinnyMul(z, x []float64, n, p int, w []float64, K int) {
	nb := (n + skinnyBlock - 1) / skinnyBlock
	parallel.For(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for i := b * skinnyBlock; i < min((b+1)*skinnyBlock, n); i++ {
				xi := x[i*p : (i+1)*p]
				zi := z[i*K : (i+1)*K]
				if K == 1 {
					s := 0.0
					for j, v := range xi {
						s += v * w[j]
					}
					zi[0] = s
					continue
				}
				clear(zi)
				for j, v := range xi {
					wj := w[j*K : (j+1)*K]
					for k := range zi {
						zi[k] += v * wj[k]
					}
				}
			}
		}
	})
}

// skinnyMulT sets g [p, K] = Xᵀ [p, n] · R [n, K].
func skinnyMulT(g, x []float64, n, p int, r []float64, K int) {
	nb := (n + skinnyBlock - 1) / skinnyBlock
	part := make([]float64, nb*p*K)
	parallel.For(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			acc := part[b*p*K : (b+1)*p*K]
			for i := b * skinnyBlock; i < min((b+1)*skinnyBlock, n); i++ {
				xi := x[i*p : (i+1)*p]
				ri := r[i*K : (i+1)*K]
				if K == 1 {
					rv := ri[0]
					if rv == 0 {
						continue
					}
					for j, v := range xi {
						acc[j] += v * rv
					}
					continue
				}
				for j, v := range xi {
					aj := acc[j*K : (j+1)*K]
					for k, rv := range ri {
						aj[k] += v * rv
					}
				}
			}
		}
	})
	clear(g[:p*K])
	for b := 0; b < nb; b++ {
		for t, v := range part[b*p*K : (b+1)*p*K] {
			g[t] += v
		}
	}
}
