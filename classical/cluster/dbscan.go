package cluster

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync/atomic"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// DBSCAN is density-based clustering, as scikit-learn's DBSCAN with the
// Euclidean metric: a sample with at least min_samples samples (itself
// included) within eps is a core sample; clusters are the connected groups
// of core samples plus the non-core samples within eps of them; the rest
// is noise, labelled -1. Clusters are numbered, and border samples
// reachable from two clusters given to the first, in the same order as
// scikit-learn, so labels match it exactly. Neighbourhoods are found with a
// grid of eps-sized cells for up to three features, and by brute force in
// blocks otherwise (O(n²) time); memory is proportional to the number of
// neighbour pairs.
//
// Predict (an addition to scikit-learn's API, which has only
// fit_predict) gives a new sample the label of its nearest core sample when
// that is within eps, and -1 otherwise. On the training samples it returns
// Labels except for border samples within eps of core samples of two
// clusters, which it gives to the nearer one.
type DBSCAN struct {
	// Eps ("eps") is the neighbourhood radius, default 0.5.
	Eps float64
	// MinSamples ("min_samples") is the neighbourhood count, the sample
	// included, that makes a core sample, default 5.
	MinSamples int

	st dbState
}

type dbState struct {
	Labels     classical.Floats `json:"labels"`
	Core       classical.Floats `json:"core_sample_indices"`
	Components classical.Array  `json:"components"`
}

// NewDBSCAN returns a DBSCAN with radius eps and min_samples minSamples.
func NewDBSCAN(eps float64, minSamples int) *DBSCAN { return &DBSCAN{Eps: eps, MinSamples: minSamples} }

func (m *DBSCAN) params() classical.Params {
	return classical.Params{classical.Float("eps", &m.Eps), classical.Int("min_samples", &m.MinSamples)}
}

// GetParams implements classical.Estimator.
func (m *DBSCAN) GetParams() map[string]any { return m.params().Get() }

// SetParams implements classical.Estimator.
func (m *DBSCAN) SetParams(p map[string]any) error { return m.params().Set("DBSCAN", p) }

// Clone implements classical.Estimator.
func (m *DBSCAN) Clone() classical.Estimator {
	return classical.CloneByParams(m, func() *DBSCAN { return NewDBSCAN(0.5, 5) })
}

// Fit clusters X (y is ignored).
func (m *DBSCAN) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "DBSCAN"
	if !(m.Eps > 0) || math.IsInf(m.Eps, 0) {
		return classical.InvalidParamf(est, "eps must be a finite number > 0, got %v", m.Eps)
	}
	if m.MinSamples < 1 {
		return classical.InvalidParamf(est, "min_samples must be >= 1, got %d", m.MinSamples)
	}
	xm, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	n, d := xm.Rows, xm.Cols
	var nb [][]int32
	if d <= 3 && gridOK(xm.Data, m.Eps) {
		nb, err = gridNeighbors(ctx, est, xm.Data, n, d, m.Eps)
	} else {
		nb, err = radiusNeighbors(ctx, est, xm.Data, n, d, m.Eps)
	}
	if err != nil {
		return err
	}
	core := make([]bool, n)
	var coreIdx []float64
	for i, l := range nb {
		if len(l) >= m.MinSamples {
			core[i] = true
			coreIdx = append(coreIdx, float64(i))
		}
	}
	labels := make([]float64, n)
	for i := range labels {
		labels[i] = -1
	}
	// scikit-learn's dbscan_inner: a depth-first expansion from each
	// unlabelled core sample in index order.
	label := 0.0
	var stack []int
	for i := 0; i < n; i++ {
		if labels[i] != -1 || !core[i] {
			continue
		}
		v := i
		for {
			if labels[v] == -1 {
				labels[v] = label
				if core[v] {
					for _, u := range nb[v] {
						if labels[u] == -1 {
							stack = append(stack, int(u))
						}
					}
				}
			}
			if len(stack) == 0 {
				break
			}
			v = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		}
		label++
	}
	comp := make([]float64, 0, len(coreIdx)*d)
	for _, c := range coreIdx {
		comp = append(comp, xm.Row(int(c))...)
	}
	m.st = dbState{Labels: labels, Core: coreIdx, Components: classical.NewArray(comp, len(coreIdx), d)}
	return nil
}

// radiusNeighbors returns, for each row, the indices of the rows within
// eps (itself included), in increasing order. Candidates are screened with
// GEMM distances and confirmed with exact ones.
func radiusNeighbors(ctx context.Context, est string, x []float64, n, d int, eps float64) ([][]int32, error) {
	out := make([][]int32, n)
	xn := rowSqNorms(x, n, d)
	e2 := eps * eps
	nblocks := (n + block - 1) / block
	var cancelled atomic.Bool
	parallel.For(nblocks, 1, func(lo, hi int) {
		buf := make([]float64, block*min(n, 4096))
		for b := lo; b < hi; b++ {
			if ctx != nil && ctx.Err() != nil {
				cancelled.Store(true)
				return
			}
			r0, r1 := b*block, min((b+1)*block, n)
			for c0 := 0; c0 < n; c0 += 4096 {
				c1 := min(c0+4096, n)
				w := c1 - c0
				sqDistBlock(x, xn, r0, r1, x[c0*d:c1*d], xn[c0:c1], w, d, buf)
				for i := r0; i < r1; i++ {
					row := buf[(i-r0)*w : (i-r0+1)*w]
					xi := x[i*d : (i+1)*d]
					slack := 1e-9 * (xn[i] + e2)
					for j, v := range row {
						jj := c0 + j
						if d <= smallDim {
							if v <= e2 {
								out[i] = append(out[i], int32(jj))
							}
						} else if v <= e2+slack && sqDist(xi, x[jj*d:(jj+1)*d]) <= e2 {
							out[i] = append(out[i], int32(jj))
						}
					}
				}
			}
		}
	})
	if cancelled.Load() {
		return nil, classical.CheckContext(ctx, est)
	}
	return out, nil
}

// FitPredict fits and returns the labels of X.
func (m *DBSCAN) FitPredict(ctx context.Context, X *tensor.Tensor) (*tensor.Tensor, error) {
	if err := m.Fit(ctx, X, nil); err != nil {
		return nil, err
	}
	return classical.Vector(slices.Clone(m.st.Labels)), nil
}

// Predict labels each row of X with the cluster of its nearest core sample
// when that is within eps, and -1 (noise) otherwise.
func (m *DBSCAN) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "DBSCAN"
	if m.st.Labels == nil {
		return nil, classical.NotFitted(est)
	}
	d := m.st.Components.Shape[1]
	xm, err := classical.CheckFeatures(est, X, d)
	if err != nil {
		return nil, err
	}
	out := make([]float64, xm.Rows)
	nc := len(m.st.Core)
	if nc == 0 {
		for i := range out {
			out[i] = -1
		}
		return classical.Vector(out), nil
	}
	labels, dist := assignAll(xm.Data, xm.Rows, d, m.st.Components.Data, nc)
	e2 := m.Eps * m.Eps
	for i, l := range labels {
		out[i] = -1
		c := m.st.Components.Data[int(l)*d : (int(l)+1)*d]
		if dist[i] <= e2*(1+1e-9) && sqDist(xm.Row(i), c) <= e2 {
			out[i] = m.st.Labels[int(m.st.Core[l])]
		}
	}
	return classical.Vector(out), nil
}

// Labels returns labels_ (-1 for noise), nil before Fit.
func (m *DBSCAN) Labels() []float64 { return slices.Clone(m.st.Labels) }

// CoreSampleIndices returns core_sample_indices_.
func (m *DBSCAN) CoreSampleIndices() []int {
	out := make([]int, len(m.st.Core))
	for i, c := range m.st.Core {
		out[i] = int(c)
	}
	return out
}

// Components returns components_, the core samples [n_core, n_features].
func (m *DBSCAN) Components() *tensor.Tensor {
	if m.st.Labels == nil {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(m.st.Components.Data), m.st.Components.Shape...)
}

// TypeName implements classical.Persistable.
func (m *DBSCAN) TypeName() string { return "cluster.DBSCAN" }

// MarshalState implements classical.Persistable.
func (m *DBSCAN) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(m.st.Labels != nil, m.st)
}

// UnmarshalState implements classical.Persistable.
func (m *DBSCAN) UnmarshalState(b []byte) error {
	var st dbState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	n := len(st.Labels)
	if n == 0 {
		return errors.New("labels: empty")
	}
	if err := st.Components.Check("components", len(st.Core), -1); err != nil {
		return err
	}
	if st.Components.Shape[1] < 1 {
		return errors.New("components: no features")
	}
	for _, v := range st.Components.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("components: not finite")
		}
	}
	for _, l := range st.Labels {
		if l != math.Trunc(l) || l < -1 || l >= float64(n) {
			return errors.New("labels out of range")
		}
	}
	for _, c := range st.Core {
		if c != math.Trunc(c) || c < 0 || c >= float64(n) {
			return errors.New("core_sample_indices out of range")
		}
	}
	m.st = st
	return nil
}

// gridOK reports whether eps-sized cell coordinates of x fit comfortably
// in an int64.
func gridOK(x []float64, eps float64) bool {
	for _, v := range x {
		if math.Abs(v)/eps > 1e15 {
			return false
		}
	}
	return true
}

// gridNeighbors is radiusNeighbors for up to three features: samples are
// hashed into cells of side eps and each sample compares itself with the
// samples of the 3^d cells around its own, with exact distances.
func gridNeighbors(ctx context.Context, est string, x []float64, n, d int, eps float64) ([][]int32, error) {
	cellOf := func(i int) [3]int64 {
		var c [3]int64
		for f := 0; f < d; f++ {
			c[f] = int64(math.Floor(x[i*d+f] / eps))
		}
		return c
	}
	cells := map[[3]int64][]int32{}
	for i := 0; i < n; i++ {
		c := cellOf(i)
		cells[c] = append(cells[c], int32(i))
	}
	var offsets [][3]int64
	span := [3]int64{}
	for f := 0; f < 3; f++ {
		if f < d {
			span[f] = 1
		}
	}
	for a := -span[0]; a <= span[0]; a++ {
		for b := -span[1]; b <= span[1]; b++ {
			for c := -span[2]; c <= span[2]; c++ {
				offsets = append(offsets, [3]int64{a, b, c})
			}
		}
	}
	e2 := eps * eps
	out := make([][]int32, n)
	var cancelled atomic.Bool
	parallel.For(n, 1024, func(lo, hi int) {
		if ctx != nil && ctx.Err() != nil {
			cancelled.Store(true)
			return
		}
		for i := lo; i < hi; i++ {
			c := cellOf(i)
			xi := x[i*d : (i+1)*d]
			for _, o := range offsets {
				for _, j := range cells[[3]int64{c[0] + o[0], c[1] + o[1], c[2] + o[2]}] {
					if sqDist(xi, x[int(j)*d:(int(j)+1)*d]) <= e2 {
						out[i] = append(out[i], j)
					}
				}
			}
		}
	})
	if cancelled.Load() {
		return nil, classical.CheckContext(ctx, est)
	}
	return out, nil
}
