package cluster

import (
	"math"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// SilhouetteSamples returns the silhouette coefficient of each sample, as
// scikit-learn's silhouette_samples with the Euclidean metric: (b-a) /
// max(a, b), where a is the mean distance to the other samples of its
// cluster and b the smallest mean distance to the samples of another
// cluster; 0 for a sample alone in its cluster. labels holds one value per
// row of X (any values; -1 is a cluster like the others), with between 2
// and n-1 distinct values. Time O(n²·features), memory O(n·clusters).
func SilhouetteSamples(X, labels *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "SilhouetteSamples"
	xm, err := classical.CheckX(est, X)
	if err != nil {
		return nil, err
	}
	ys, err := classical.CheckY(est, labels, xm.Rows)
	if err != nil {
		return nil, err
	}
	classes, lab := classical.Classes(ys)
	n, d, L := xm.Rows, xm.Cols, len(classes)
	if L < 2 || L > n-1 {
		return nil, classical.Invalidf(est, "number of labels is %d; valid values are 2 to n_samples - 1 = %d (inclusive)", L, n-1)
	}
	count := make([]float64, L)
	for _, l := range lab {
		count[l]++
	}
	x := xm.Data
	xn := rowSqNorms(x, n, d)
	out := make([]float64, n)
	const cols = 4096
	parallel.For((n+block-1)/block, 1, func(lo, hi int) {
		buf := make([]float64, block*min(n, cols))
		sums := make([]float64, block*L)
		for b := lo; b < hi; b++ {
			r0, r1 := b*block, min((b+1)*block, n)
			clear(sums)
			for c0 := 0; c0 < n; c0 += cols {
				c1 := min(c0+cols, n)
				w := c1 - c0
				sqDistBlock(x, xn, r0, r1, x[c0*d:c1*d], xn[c0:c1], w, d, buf)
				for i := r0; i < r1; i++ {
					row := buf[(i-r0)*w : (i-r0+1)*w]
					s := sums[(i-r0)*L : (i-r0+1)*L]
					for j, v := range row {
						if c0+j != i {
							s[lab[c0+j]] += math.Sqrt(v)
						}
					}
				}
			}
			for i := r0; i < r1; i++ {
				s := sums[(i-r0)*L : (i-r0+1)*L]
				own := lab[i]
				if count[own] < 2 {
					out[i] = 0
					continue
				}
				a := s[own] / (count[own] - 1)
				bm := math.Inf(1)
				for c := 0; c < L; c++ {
					if c != own {
						bm = min(bm, s[c]/count[c])
					}
				}
				if m := max(a, bm); m > 0 {
					out[i] = (bm - a) / m
				}
			}
		}
	})
	return classical.Vector(out), nil
}

// SilhouetteScore returns the mean silhouette coefficient over all samples
// (see SilhouetteSamples): near 1 for dense, well separated clusters, near
// 0 for overlapping ones, negative for wrong assignments.
func SilhouetteScore(X, labels *tensor.Tensor) (float64, error) {
	s, err := SilhouetteSamples(X, labels)
	if err != nil {
		return 0, err
	}
	sum := 0.0
	for _, v := range s.Float64s() {
		sum += v
	}
	return sum / float64(s.Shape()[0]), nil
}
