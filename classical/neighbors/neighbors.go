// Package neighbors holds scikit-learn's nearest-neighbour estimators:
// KNeighborsClassifier and KNeighborsRegressor with uniform or distance
// weights and Minkowski distances. Euclidean searches by brute force run on
// the tensor GEMM (‖x‖² + ‖t‖² − 2x·t, in blocks of queries); a k-d tree
// serves low-dimensional data (Algorithm "kd_tree", or "auto" below 16
// features).
package neighbors

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("neighbors.KNeighborsClassifier", func() classical.Estimator { return NewKNeighborsClassifier() })
	classical.Register("neighbors.KNeighborsRegressor", func() classical.Estimator { return NewKNeighborsRegressor() })
}

// base holds what both estimators share: parameters and the training set.
type base struct {
	NNeighbors int     // "n_neighbors", default 5
	Weights    string  // "weights": "uniform" (default) or "distance"
	Algorithm  string  // "algorithm": "auto" (default), "brute" or "kd_tree"
	LeafSize   int     // "leaf_size" of the k-d tree, default 30
	P          float64 // "p" of the Minkowski distance, default 2 (1: Manhattan)

	x    classical.Matrix
	y    []float64
	tree *kdTree
}

func defaults() base {
	return base{NNeighbors: 5, Weights: "uniform", Algorithm: "auto", LeafSize: 30, P: 2}
}

func (b *base) params() classical.Params {
	return classical.Params{
		classical.Int("n_neighbors", &b.NNeighbors),
		classical.String("weights", &b.Weights, "uniform", "distance"),
		classical.String("algorithm", &b.Algorithm, "auto", "brute", "kd_tree"),
		classical.Int("leaf_size", &b.LeafSize),
		classical.Float("p", &b.P),
	}
}

func (b *base) fit(est string, X, y *tensor.Tensor) (classical.Matrix, []float64, error) {
	b.x, b.y, b.tree = classical.Matrix{}, nil, nil
	if b.NNeighbors < 1 || b.LeafSize < 1 || !(b.P >= 1) || math.IsInf(b.P, 0) {
		return classical.Matrix{}, nil, classical.InvalidParamf(est, "need n_neighbors >= 1, leaf_size >= 1, p >= 1 (finite); got %d, %d, %v", b.NNeighbors, b.LeafSize, b.P)
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return xm, nil, err
	}
	if b.NNeighbors > xm.Rows {
		return xm, nil, classical.Invalidf(est, "n_neighbors=%d is more than the %d training samples", b.NNeighbors, xm.Rows)
	}
	xm.Data = slices.Clone(xm.Data)
	return xm, slices.Clone(ys), nil
}

func (b *base) set(xm classical.Matrix, ys []float64) {
	b.x, b.y = xm, ys
	if b.useTree() {
		b.tree = buildKDTree(xm, b.LeafSize)
	}
}

func (b *base) useTree() bool {
	switch b.Algorithm {
	case "kd_tree":
		return true
	case "brute":
		return false
	}
	return b.x.Cols < 16 && b.NNeighbors < b.x.Rows/2
}

// KNeighbors returns, for each row of X, the distances to its k nearest
// training samples (ascending) and their indices, each [n, k].
func (b *base) kneighbors(est string, X *tensor.Tensor, k int) (dist []float64, idx []int, n int, err error) {
	if b.y == nil {
		return nil, nil, 0, classical.NotFitted(est)
	}
	q, err := classical.CheckFeatures(est, X, b.x.Cols)
	if err != nil {
		return nil, nil, 0, err
	}
	if k < 1 || k > b.x.Rows {
		return nil, nil, 0, classical.Invalidf(est, "k=%d must be in [1, %d]", k, b.x.Rows)
	}
	dist = make([]float64, q.Rows*k)
	idx = make([]int, q.Rows*k)
	if b.tree != nil {
		parallel.For(q.Rows, 16, func(lo, hi int) {
			h := &maxHeap{}
			for i := lo; i < hi; i++ {
				b.tree.query(q.Row(i), k, b.P, h)
				fillSorted(h, dist[i*k:(i+1)*k], idx[i*k:(i+1)*k], b.P)
			}
		})
		return dist, idx, q.Rows, nil
	}
	b.brute(q, k, dist, idx)
	return dist, idx, q.Rows, nil
}

// brute finds the neighbours of every query against every training sample.
// Euclidean distances come from one GEMM per block of queries (into a
// reused buffer); the selection of the k smallest then runs over each row
// in parallel, finishing ‖q‖² + ‖t‖² − 2q·t on the fly.
func (b *base) brute(q classical.Matrix, k int, dist []float64, idx []int) {
	nt := b.x.Rows
	var trSq []float64
	var trT *tensor.Tensor
	if b.P == 2 {
		trSq = rowSq(b.x)
		trT = b.x.Tensor().T()
	}
	const block = 128
	buf := make([]float64, min(block, q.Rows)*nt)
	for lo := 0; lo < q.Rows; lo += block {
		hi := min(lo+block, q.Rows)
		m := hi - lo
		d2 := buf[:m*nt]
		var qs []float64
		if b.P == 2 {
			qb := classical.Matrix{Rows: m, Cols: q.Cols, Data: q.Data[lo*q.Cols : hi*q.Cols]}
			tensor.MatMulTo(tensor.FromFloat64(d2, m, nt), qb.Tensor(), trT)
			qs = rowSq(qb)
		}
		parallel.For(m, 4, func(a, z int) {
			h := make(maxHeap, 0, k)
			for i := a; i < z; i++ {
				h = h[:0]
				row := d2[i*nt : (i+1)*nt]
				qi := q.Row(lo + i)
				// worst is the largest distance kept once the heap is full.
				worst := math.Inf(1)
				add := func(d float64, j int) {
					if len(h) < k {
						heap.Push(&h, item{d, j})
						if len(h) == k {
							worst = h[0].d
						}
					} else if d < worst {
						h[0] = item{d, j}
						heap.Fix(&h, 0)
						worst = h[0].d
					}
				}
				if qs != nil {
					qi2, trSq := qs[i], trSq[:len(row)]
					for j, v := range row {
						// ‖q‖² + ‖t‖² − 2q·t, clamped at 0 (rounding).
						d := qi2 + trSq[j] - 2*v
						if d < 0 {
							d = 0
						}
						if d < worst || len(h) < k {
							add(d, j)
						}
					}
				} else {
					for j := range row {
						add(minkowskiPow(qi, b.x.Row(j), b.P), j)
					}
				}
				g := lo + i
				fillSorted(&h, dist[g*k:(g+1)*k], idx[g*k:(g+1)*k], b.P)
			}
		})
	}
}

func rowSq(m classical.Matrix) []float64 {
	out := make([]float64, m.Rows)
	for i := range out {
		s := 0.0
		for _, v := range m.Row(i) {
			s += v * v
		}
		out[i] = s
	}
	return out
}

// minkowskiPow returns Σ|aᵢ − bᵢ|ᵖ (the p-th power of the distance).
func minkowskiPow(a, b []float64, p float64) float64 {
	s := 0.0
	switch p {
	case 1:
		for i, v := range a {
			s += math.Abs(v - b[i])
		}
	case 2:
		for i, v := range a {
			d := v - b[i]
			s += d * d
		}
	default:
		for i, v := range a {
			s += math.Pow(math.Abs(v-b[i]), p)
		}
	}
	return s
}

// fillSorted empties h into ascending distances (converted from p-th
// powers) and indices; equal distances keep the smaller index first.
func fillSorted(h *maxHeap, dist []float64, idx []int, p float64) {
	items := slices.Clone(*h)
	slices.SortFunc(items, func(a, b item) int {
		if a.d != b.d {
			if a.d < b.d {
				return -1
			}
			return 1
		}
		return a.i - b.i
	})
	for r, it := range items {
		idx[r] = it.i
		switch p {
		case 1:
			dist[r] = it.d
		case 2:
			dist[r] = math.Sqrt(it.d)
		default:
			dist[r] = math.Pow(it.d, 1/p)
		}
	}
	*h = (*h)[:0]
}

type item struct {
	d float64
	i int
}

// maxHeap keeps the k best candidates with the worst on top.
type maxHeap []item

func (h maxHeap) Len() int { return len(h) }
func (h maxHeap) Less(a, b int) bool {
	if h[a].d != h[b].d {
		return h[a].d > h[b].d
	}
	return h[a].i > h[b].i
}
func (h maxHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *maxHeap) Push(x any)   { *h = append(*h, x.(item)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// weights returns the neighbour weights of one query: 1 for uniform; 1/d
// for distance, or, when some distances are 0, 1 for those and 0 for the
// rest (as scikit-learn).
func (b *base) weights(d []float64) []float64 {
	w := make([]float64, len(d))
	if b.Weights != "distance" {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	zero := false
	for _, v := range d {
		zero = zero || v == 0
	}
	for i, v := range d {
		switch {
		case zero && v == 0:
			w[i] = 1
		case !zero:
			w[i] = 1 / v
		}
	}
	return w
}

type state struct {
	X     classical.Array  `json:"x"`
	Y     classical.Floats `json:"y"`
	Extra classical.Floats `json:"classes,omitempty"`
}

func (b *base) marshal(extra []float64) ([]byte, error) {
	return classical.MarshalFitted(b.y != nil, state{classical.NewArray(b.x.Data, b.x.Rows, b.x.Cols), b.y, extra})
}

func (b *base) unmarshal(data []byte) (extra []float64, err error) {
	var st state
	if err := classical.UnmarshalStrict(data, &st); err != nil {
		return nil, err
	}
	if err := st.X.Check("x", len(st.Y), -1); err != nil {
		return nil, err
	}
	if len(st.Y) < 1 || st.X.Shape[1] < 1 {
		return nil, fmt.Errorf("empty training set")
	}
	if b.NNeighbors > len(st.Y) || b.NNeighbors < 1 || b.LeafSize < 1 {
		return nil, fmt.Errorf("n_neighbors %d or leaf_size %d does not fit %d samples", b.NNeighbors, b.LeafSize, len(st.Y))
	}
	b.set(classical.Matrix{Rows: st.X.Shape[0], Cols: st.X.Shape[1], Data: st.X.Data}, st.Y)
	return st.Extra, nil
}

// KNeighborsClassifier predicts the (weighted) majority class of the k
// nearest training samples.
type KNeighborsClassifier struct {
	base
	classes []float64
	yIdx    []int
}

// NewKNeighborsClassifier returns a classifier with scikit-learn's
// defaults (5 neighbours, uniform weights, Euclidean distance).
func NewKNeighborsClassifier() *KNeighborsClassifier {
	return &KNeighborsClassifier{base: defaults()}
}

// GetParams implements classical.Estimator.
func (c *KNeighborsClassifier) GetParams() map[string]any { return c.params().Get() }

// SetParams implements classical.Estimator.
func (c *KNeighborsClassifier) SetParams(m map[string]any) error {
	return c.params().Set("KNeighborsClassifier", m)
}

// Clone implements classical.Estimator.
func (c *KNeighborsClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewKNeighborsClassifier)
}

// Fit stores the training set (and builds the k-d tree when used).
func (c *KNeighborsClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	c.classes, c.yIdx = nil, nil
	xm, ys, err := c.fit("KNeighborsClassifier", X, y)
	if err != nil {
		return err
	}
	c.set(xm, ys)
	c.classes, c.yIdx = classical.Classes(ys)
	return nil
}

// KNeighbors returns the distances [n, k] (ascending) and indices [n, k]
// of the k nearest training samples of each row of X.
func (c *KNeighborsClassifier) KNeighbors(X *tensor.Tensor, k int) (dist *tensor.Tensor, idx []int, err error) {
	d, i, n, err := c.kneighbors("KNeighborsClassifier", X, k)
	if err != nil {
		return nil, nil, err
	}
	return tensor.FromFloat64(d, n, k), i, nil
}

// PredictProba returns the weighted share of each class among the
// neighbours, [n, classes].
func (c *KNeighborsClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	k := c.NNeighbors
	d, idx, n, err := c.kneighbors("KNeighborsClassifier", X, k)
	if err != nil {
		return nil, err
	}
	K := len(c.classes)
	out := make([]float64, n*K)
	for i := 0; i < n; i++ {
		w := c.weights(d[i*k : (i+1)*k])
		row := out[i*K : (i+1)*K]
		s := 0.0
		for r, j := range idx[i*k : (i+1)*k] {
			row[c.yIdx[j]] += w[r]
			s += w[r]
		}
		for a := range row {
			row[a] /= s
		}
	}
	return tensor.FromFloat64(out, n, K), nil
}

// Predict returns the class with the largest weighted vote (ties to the
// smaller label).
func (c *KNeighborsClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	pr, err := c.PredictProba(X)
	if err != nil {
		return nil, err
	}
	out := make([]float64, pr.Shape()[0])
	for i, a := range tensor.ArgMax(pr, 1) {
		out[i] = c.classes[a]
	}
	return classical.Vector(out), nil
}

// Classes returns the sorted class labels.
func (c *KNeighborsClassifier) Classes() []float64 { return slices.Clone(c.classes) }

// Score returns the accuracy on (X, y).
func (c *KNeighborsClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("KNeighborsClassifier", c, X, y)
}

// TypeName implements classical.Persistable.
func (c *KNeighborsClassifier) TypeName() string { return "neighbors.KNeighborsClassifier" }

// MarshalState implements classical.Persistable.
func (c *KNeighborsClassifier) MarshalState() ([]byte, error) { return c.marshal(nil) }

// UnmarshalState implements classical.Persistable.
func (c *KNeighborsClassifier) UnmarshalState(b []byte) error {
	if _, err := c.unmarshal(b); err != nil {
		return err
	}
	c.classes, c.yIdx = classical.Classes(c.y)
	return nil
}

// KNeighborsRegressor predicts the (weighted) mean target of the k nearest
// training samples.
type KNeighborsRegressor struct{ base }

// NewKNeighborsRegressor returns a regressor with scikit-learn's defaults.
func NewKNeighborsRegressor() *KNeighborsRegressor { return &KNeighborsRegressor{base: defaults()} }

// GetParams implements classical.Estimator.
func (r *KNeighborsRegressor) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *KNeighborsRegressor) SetParams(m map[string]any) error {
	return r.params().Set("KNeighborsRegressor", m)
}

// Clone implements classical.Estimator.
func (r *KNeighborsRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewKNeighborsRegressor)
}

// Fit stores the training set (and builds the k-d tree when used).
func (r *KNeighborsRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	xm, ys, err := r.fit("KNeighborsRegressor", X, y)
	if err != nil {
		return err
	}
	r.set(xm, ys)
	return nil
}

// KNeighbors returns the distances [n, k] and indices [n, k] of the k
// nearest training samples of each row of X.
func (r *KNeighborsRegressor) KNeighbors(X *tensor.Tensor, k int) (dist *tensor.Tensor, idx []int, err error) {
	d, i, n, err := r.kneighbors("KNeighborsRegressor", X, k)
	if err != nil {
		return nil, nil, err
	}
	return tensor.FromFloat64(d, n, k), i, nil
}

// Predict returns the weighted mean of the neighbours' targets.
func (r *KNeighborsRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	k := r.NNeighbors
	d, idx, n, err := r.kneighbors("KNeighborsRegressor", X, k)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		w := r.weights(d[i*k : (i+1)*k])
		s, ws := 0.0, 0.0
		for a, j := range idx[i*k : (i+1)*k] {
			s += w[a] * r.y[j]
			ws += w[a]
		}
		out[i] = s / ws
	}
	return classical.Vector(out), nil
}

// Score returns R² on (X, y).
func (r *KNeighborsRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("KNeighborsRegressor", r, X, y)
}

// TypeName implements classical.Persistable.
func (r *KNeighborsRegressor) TypeName() string { return "neighbors.KNeighborsRegressor" }

// MarshalState implements classical.Persistable.
func (r *KNeighborsRegressor) MarshalState() ([]byte, error) { return r.marshal(nil) }

// UnmarshalState implements classical.Persistable.
func (r *KNeighborsRegressor) UnmarshalState(b []byte) error {
	_, err := r.unmarshal(b)
	return err
}
