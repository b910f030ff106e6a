package linear

import (
	"math"

	"github.com/ember-ml/ember/classical/internal/sparse"

	"github.com/ember-ml/ember/internal/parallel"
)

// The logistic loss needs X·W and Xᵀ·R with W and R only K columns wide
// (K = 1 for binary problems). A general GEMM wastes most of its
// micro-kernel on such shapes and packs all of X on every call, so these
// two products run as direct row loops over fixed blocks of rows, in
// parallel. The blocks do not depend on the number of workers and their
// partial sums are added in block order, so results are bit-for-bit the
// same on any number of cores.

const skinnyBlock = 2048

// skinnyMul sets z [n, K] = X [n, p] · W [p, K] (all row-major), for
// the multinomial loss (binaryLogistic does K = 1 in one pass).
func skinnyMul(z, x []float64, n, p int, w []float64, K int) {
	nb := (n + skinnyBlock - 1) / skinnyBlock
	parallel.For(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for i := b * skinnyBlock; i < min((b+1)*skinnyBlock, n); i++ {
				xi := x[i*p : (i+1)*p]
				zi := z[i*K : (i+1)*K]
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

// sumsAndXty sets sums [p] to the column sums of X [n, p] and xty [p] to
// Xᵀy in one pass, four rows at a time, over fixed blocks of rows in
// parallel (partial sums added in block order).
func sumsAndXty(sums, xty, x []float64, n, p int, y []float64) {
	nb := (n + skinnyBlock - 1) / skinnyBlock
	part := make([]float64, nb*2*p)
	parallel.For(nb, 1, func(lo, hi int) {
		for bk := lo; bk < hi; bk++ {
			s, g := part[bk*2*p:bk*2*p+p], part[bk*2*p+p:(bk+1)*2*p]
			i, i1 := bk*skinnyBlock, min((bk+1)*skinnyBlock, n)
			for ; i+4 <= i1; i += 4 {
				x0, x1, x2, x3 := x[i*p:(i+1)*p], x[(i+1)*p:(i+2)*p], x[(i+2)*p:(i+3)*p], x[(i+3)*p:(i+4)*p]
				y0, y1, y2, y3 := y[i], y[i+1], y[i+2], y[i+3]
				for j := range s {
					a, b, c, d := x0[j], x1[j], x2[j], x3[j]
					s[j] += (a + b) + (c + d)
					g[j] += (a*y0 + b*y1) + (c*y2 + d*y3)
				}
			}
			for ; i < i1; i++ {
				for j, v := range x[i*p : (i+1)*p] {
					s[j] += v
					g[j] += v * y[i]
				}
			}
		}
	})
	clear(sums[:p])
	clear(xty[:p])
	for bk := 0; bk < nb; bk++ {
		for j := 0; j < p; j++ {
			sums[j] += part[bk*2*p+j]
			xty[j] += part[bk*2*p+p+j]
		}
	}
}

// logistic sets lse[i] = log(1 + exp(z[i])) and sg[i] = σ(z[i]) =
// 1/(1 + exp(−z[i])), stably, with one exponential exp(−|z|) each. The
// bulk runs in assembly where the CPU has AVX2 and FMA.
func logistic(lse, sg, z []float64) {
	lse, sg = lse[:len(z)], sg[:len(z)]
	for i := logisticBulk(lse, sg, z); i < len(z); i++ {
		zi := z[i]
		e := math.Exp(-math.Abs(zi))
		l := math.Log1p(e)
		s := 1 / (1 + e)
		if zi > 0 {
			l += zi
		} else {
			s = e / (1 + e)
		}
		lse[i], sg[i] = l, s
	}
}

// binaryLogistic evaluates the binary logistic loss and its gradient with
// two passes over each block of rows of X (the block stays in cache): z =
// xᵢ·w + b for every row, then, after the loss terms sᵢ·(log(1+eᶻ) − yᵢz)
// and the residuals rᵢ = sᵢ(σ(z) − yᵢ)/swSum, the gradient Xᵀr (written
// to g [p]); the residuals' sum is the intercept's gradient. Rows go four
// at a time, so that w and the gradient's partial sums are read once per
// four rows and the four dot products run as independent chains. Blocks
// run in parallel; their partial sums are added in block order, so the
// result does not depend on the number of workers.
func binaryLogistic(g, x []float64, n, p int, w []float64, b float64, y []int, sw []float64, swSum float64) (loss, gb float64) {
	w = w[:p]
	return logisticBlocks(g, n, p, func(i0, i1 int, gw, z, lse, r []float64) (float64, float64) {
		m := i1 - i0
		xb := x[i0*p : i1*p]
		t := 0
		for ; t+4 <= m; t += 4 {
			x0, x1, x2, x3 := xb[t*p:(t+1)*p], xb[(t+1)*p:(t+2)*p], xb[(t+2)*p:(t+3)*p], xb[(t+3)*p:(t+4)*p]
			var s0, s1, s2, s3 float64
			for j, wj := range w {
				s0 += x0[j] * wj
				s1 += x1[j] * wj
				s2 += x2[j] * wj
				s3 += x3[j] * wj
			}
			z[t], z[t+1], z[t+2], z[t+3] = s0+b, s1+b, s2+b, s3+b
		}
		for ; t < m; t++ {
			xt := xb[t*p : (t+1)*p]
			s := 0.0
			for j, wj := range w {
				s += xt[j] * wj
			}
			z[t] = s + b
		}
		bl, bg := logisticResiduals(lse, r, z, y[i0:i1], sw[i0:i1], swSum)
		t = 0
		for ; t+4 <= m; t += 4 {
			x0, x1, x2, x3 := xb[t*p:(t+1)*p], xb[(t+1)*p:(t+2)*p], xb[(t+2)*p:(t+3)*p], xb[(t+3)*p:(t+4)*p]
			r0, r1, r2, r3 := r[t], r[t+1], r[t+2], r[t+3]
			for j := range gw {
				gw[j] += (r0*x0[j] + r1*x1[j]) + (r2*x2[j] + r3*x3[j])
			}
		}
		for ; t < m; t++ {
			xt := xb[t*p : (t+1)*p]
			for j := range gw {
				gw[j] += r[t] * xt[j]
			}
		}
		return bl, bg
	})
}

// logisticBlocks runs a binary logistic pass over fixed blocks of rows, in
// parallel: pass computes one block's rows [i0, i1), adding their gradient
// to gw (p values, zero on entry) and returning their loss and intercept
// gradient, with z, lse and r as scratch of the block's length. The
// blocks' results are added in block order (addBlocks).
func logisticBlocks(g []float64, n, p int, pass func(i0, i1 int, gw, z, lse, r []float64) (loss, gb float64)) (loss, gb float64) {
	nb := (n + skinnyBlock - 1) / skinnyBlock
	part := make([]float64, nb*(p+2)) // per block: gradient, loss, intercept
	parallel.For(nb, 1, func(lo, hi int) {
		buf := make([]float64, 3*skinnyBlock)
		for bk := lo; bk < hi; bk++ {
			acc := part[bk*(p+2) : (bk+1)*(p+2)]
			i0, i1 := bk*skinnyBlock, min((bk+1)*skinnyBlock, n)
			m := i1 - i0
			acc[p], acc[p+1] = pass(i0, i1, acc[:p], buf[:m], buf[skinnyBlock:skinnyBlock+m], buf[2*skinnyBlock:2*skinnyBlock+m])
		}
	})
	return addBlocks(g[:p], part, nb)
}

// logisticResiduals computes, for a block's z, the loss terms and the
// residuals rᵢ = sᵢ(σ(zᵢ) − yᵢ)/swSum (into r), and returns the block's
// loss and residual sums. lse is scratch.
func logisticResiduals(lse, r, z []float64, y []int, sw []float64, swSum float64) (loss, rsum float64) {
	logistic(lse, r, z)
	for t, zt := range z {
		yt := float64(y[t])
		loss += sw[t] * (lse[t] - yt*zt)
		r[t] = sw[t] * (r[t] - yt) / swSum
		rsum += r[t]
	}
	return loss, rsum
}

// binaryLogisticSparse is binaryLogistic for X by sparse rows: the same
// blocks, loss and residuals, with the products over the nonzeros only.
func binaryLogisticSparse(g []float64, a sparse.Rows, n, p int, w []float64, b float64, y []int, sw []float64, swSum float64) (loss, gb float64) {
	return logisticBlocks(g, n, p, func(i0, i1 int, gw, z, lse, r []float64) (float64, float64) {
		for t := range z {
			z[t] = a.Dot(i0+t, w) + b
		}
		bl, bg := logisticResiduals(lse, r, z, y[i0:i1], sw[i0:i1], swSum)
		for t, rt := range r {
			a.AddTo(gw, i0+t, rt)
		}
		return bl, bg
	})
}

// addBlocks adds the per-block partial results of binaryLogistic, in
// block order: each block's gradient (len(g) values) into g, its loss and
// intercept gradient into the returned sums.
func addBlocks(g, part []float64, nb int) (loss, gb float64) {
	p := len(g)
	clear(g)
	for bk := 0; bk < nb; bk++ {
		acc := part[bk*(p+2) : (bk+1)*(p+2)]
		for j, v := range acc[:p] {
			g[j] += v
		}
		loss += acc[p]
		gb += acc[p+1]
	}
	return loss, gb
}
