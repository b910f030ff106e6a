package cluster

import (
	"context"
	"errors"
	"math"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// maxCondensed bounds the pairwise distance matrix of the nearest-neighbour
// chain (2^29 float64 values, 4 GiB: about 32,000 samples).
const maxCondensed = 1 << 29

// AgglomerativeClustering is bottom-up hierarchical clustering, as
// scikit-learn's AgglomerativeClustering (which calls scipy's linkage):
// ward, complete and average linkage by the nearest-neighbour chain
// algorithm on the condensed distance matrix (O(n²) memory), single linkage
// by Prim's minimum spanning tree (O(n) memory). The full merge tree is
// kept (Children, Distances, LinkageMatrix) and cut at n_clusters, or where
// merges reach distance_threshold. There is no Predict: like
// scikit-learn's, the model labels only the samples it was fitted on
// (Labels, FitPredict).
type AgglomerativeClustering struct {
	// NClusters ("n_clusters") is the number of clusters to cut the tree
	// into, default 2; it must be 0 when DistanceThreshold is set.
	NClusters int
	// Linkage ("linkage"): "ward" (default), "complete", "average" or
	// "single".
	Linkage string
	// Metric ("metric"): "euclidean" (default; the only one for ward),
	// "manhattan" or "cosine".
	Metric string
	// DistanceThreshold ("distance_threshold"), when > 0, cuts the tree
	// where merges reach this distance instead of at n_clusters.
	DistanceThreshold float64

	st aggState
}

type aggState struct {
	Children  classical.Floats `json:"children"`
	Distances classical.Floats `json:"distances"`
	Counts    classical.Floats `json:"counts"`
	Labels    classical.Floats `json:"labels"`
	NClusters int              `json:"n_clusters"`
}

// NewAgglomerativeClustering returns ward clustering into k clusters.
func NewAgglomerativeClustering(k int) *AgglomerativeClustering {
	return &AgglomerativeClustering{NClusters: k, Linkage: "ward", Metric: "euclidean"}
}

func (a *AgglomerativeClustering) params() classical.Params {
	return classical.Params{
		classical.Int("n_clusters", &a.NClusters),
		classical.String("linkage", &a.Linkage, "ward", "complete", "average", "single"),
		classical.String("metric", &a.Metric, "euclidean", "manhattan", "cosine"),
		classical.Float("distance_threshold", &a.DistanceThreshold),
	}
}

// GetParams implements classical.Estimator.
func (a *AgglomerativeClustering) GetParams() map[string]any { return a.params().Get() }

// SetParams implements classical.Estimator.
func (a *AgglomerativeClustering) SetParams(p map[string]any) error {
	return a.params().Set("AgglomerativeClustering", p)
}

// Clone implements classical.Estimator.
func (a *AgglomerativeClustering) Clone() classical.Estimator {
	return classical.CloneByParams(a, func() *AgglomerativeClustering { return NewAgglomerativeClustering(2) })
}

// Fit builds the merge tree of X and cuts it (y is ignored).
func (a *AgglomerativeClustering) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "AgglomerativeClustering"
	thr := a.DistanceThreshold
	switch {
	case !(thr >= 0) || math.IsInf(thr, 0):
		return classical.InvalidParamf(est, "distance_threshold must be a finite number >= 0 (0: unused), got %v", thr)
	case thr > 0 && a.NClusters != 0:
		return classical.InvalidParamf(est, "exactly one of n_clusters and distance_threshold must be set; set n_clusters to 0 to cut at distance_threshold=%v", thr)
	case thr == 0 && a.NClusters < 1:
		return classical.InvalidParamf(est, "n_clusters must be >= 1, got %d", a.NClusters)
	}
	xm, err := classical.CheckXOpts(est, X, classical.CheckOptions{MinSamples: 2})
	if err != nil {
		return err
	}
	n := xm.Rows
	if thr == 0 && a.NClusters > n {
		return classical.Invalidf(est, "n_samples=%d should be >= n_clusters=%d", n, a.NClusters)
	}
	// scikit-learn's single linkage keeps each MST edge's orientation
	// where scipy puts the smaller id first.
	z, err := linkage(ctx, est, xm, a.Linkage, a.Metric, a.Linkage != "single")
	if err != nil {
		return err
	}
	st := aggState{Children: make([]float64, 2*(n-1)), Distances: make([]float64, n-1), Counts: make([]float64, n-1)}
	for i := 0; i < n-1; i++ {
		st.Children[2*i], st.Children[2*i+1] = z[4*i], z[4*i+1]
		st.Distances[i], st.Counts[i] = z[4*i+2], z[4*i+3]
	}
	k := a.NClusters
	if thr > 0 {
		k = 1
		for _, d := range st.Distances {
			if d >= thr {
				k++
			}
		}
	}
	st.NClusters = k
	st.Labels = hcCut(k, st.Children, n)
	a.st = st
	return nil
}

// FitPredict fits and returns the labels of X.
func (a *AgglomerativeClustering) FitPredict(ctx context.Context, X *tensor.Tensor) (*tensor.Tensor, error) {
	if err := a.Fit(ctx, X, nil); err != nil {
		return nil, err
	}
	return classical.Vector(slices.Clone(a.st.Labels)), nil
}

// Labels returns labels_, nil before Fit.
func (a *AgglomerativeClustering) Labels() []float64 { return slices.Clone(a.st.Labels) }

// NClustersFitted returns n_clusters_, the number of clusters found.
func (a *AgglomerativeClustering) NClustersFitted() int { return a.st.NClusters }

// Children returns children_: merge i joined nodes Children[i][0] and
// Children[i][1], where nodes below n_samples are samples and node
// n_samples+j is the cluster made by merge j.
func (a *AgglomerativeClustering) Children() [][2]int {
	out := make([][2]int, len(a.st.Distances))
	for i := range out {
		out[i] = [2]int{int(a.st.Children[2*i]), int(a.st.Children[2*i+1])}
	}
	return out
}

// Distances returns distances_, the linkage distance of each merge.
func (a *AgglomerativeClustering) Distances() []float64 { return slices.Clone(a.st.Distances) }

// LinkageMatrix returns the merge tree in scipy's linkage format, the data
// of a dendrogram: [n_samples-1, 4] rows (child a, child b, distance,
// number of samples under the new node), with the smaller child first as
// scipy writes it. Nil before Fit.
func (a *AgglomerativeClustering) LinkageMatrix() *tensor.Tensor {
	m := len(a.st.Distances)
	if m == 0 {
		return nil
	}
	z := make([]float64, 4*m)
	for i := 0; i < m; i++ {
		c0, c1 := a.st.Children[2*i], a.st.Children[2*i+1]
		z[4*i], z[4*i+1], z[4*i+2], z[4*i+3] = min(c0, c1), max(c0, c1), a.st.Distances[i], a.st.Counts[i]
	}
	return tensor.FromFloat64(z, m, 4)
}

// TypeName implements classical.Persistable.
func (a *AgglomerativeClustering) TypeName() string { return "cluster.AgglomerativeClustering" }

// MarshalState implements classical.Persistable.
func (a *AgglomerativeClustering) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(a.st.Labels != nil, a.st)
}

// UnmarshalState implements classical.Persistable.
func (a *AgglomerativeClustering) UnmarshalState(b []byte) error {
	var st aggState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	n := len(st.Labels)
	if n < 2 {
		return errors.New("labels: fewer than 2 samples")
	}
	if err := classical.CheckLen("children", st.Children, 2*(n-1)); err != nil {
		return err
	}
	if err := classical.CheckLen("distances", st.Distances, n-1); err != nil {
		return err
	}
	if err := classical.CheckLen("counts", st.Counts, n-1); err != nil {
		return err
	}
	for i, c := range st.Children {
		if c != math.Trunc(c) || c < 0 || c >= float64(n+i/2) {
			return errors.New("children: node index out of range")
		}
	}
	if st.NClusters < 1 || st.NClusters > n {
		return errors.New("n_clusters out of range")
	}
	for _, l := range st.Labels {
		if l != math.Trunc(l) || l < 0 || l >= float64(st.NClusters) {
			return errors.New("labels out of range")
		}
	}
	a.st = st
	return nil
}

// Linkage computes the hierarchical clustering of the rows of X as scipy's
// scipy.cluster.hierarchy.linkage(X, method, metric) does and returns its
// matrix Z [n-1, 4]: row i merges clusters Z[i,0] < Z[i,1] (ids below n are
// samples, n+j is the cluster of row j) at distance Z[i,2] into a cluster
// of Z[i,3] samples; rows are sorted by distance. method is "ward",
// "complete", "average", "weighted" or "single"; metric "euclidean",
// "manhattan" or "cosine" (ward needs euclidean).
func Linkage(ctx context.Context, X *tensor.Tensor, method, metric string) (*tensor.Tensor, error) {
	xm, err := classical.CheckXOpts("Linkage", X, classical.CheckOptions{MinSamples: 2})
	if err != nil {
		return nil, err
	}
	z, err := linkage(ctx, "Linkage", xm, method, metric, true)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(z, xm.Rows-1, 4), nil
}

func linkage(ctx context.Context, est string, xm classical.Matrix, method, metric string, smallerFirst bool) ([]float64, error) {
	switch metric {
	case "euclidean", "manhattan", "cosine":
	default:
		return nil, classical.InvalidParamf(est, "metric must be euclidean, manhattan or cosine, got %q", metric)
	}
	n := xm.Rows
	switch method {
	case "single":
		return mstSingle(ctx, est, xm, metric, smallerFirst)
	case "ward", "complete", "average", "weighted":
	default:
		return nil, classical.InvalidParamf(est, "linkage must be ward, complete, average, weighted or single, got %q", method)
	}
	if method == "ward" && metric != "euclidean" {
		return nil, classical.InvalidParamf(est, "ward linkage needs the euclidean metric, got %q", metric)
	}
	if float64(n)*float64(n-1)/2 > maxCondensed {
		return nil, classical.Invalidf(est, "%d samples need a %d-entry distance matrix, more than the limit of %d; use single linkage, or KMeans or MiniBatchKMeans", n, n*(n-1)/2, maxCondensed)
	}
	D := make([]float64, n*(n-1)/2)
	parallel.For(n, 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xi := xm.Row(i)
			base := condensed(n, i, i+1)
			for j := i + 1; j < n; j++ {
				D[base+j-i-1] = pairDist(metric, xi, xm.Row(j))
			}
		}
	})
	if err := classical.CheckContext(ctx, est); err != nil {
		return nil, err
	}
	return nnChain(ctx, est, D, n, method)
}

// condensed is the index of pair (i, j), i < j, in a condensed matrix.
func condensed(n, i, j int) int {
	if i > j {
		i, j = j, i
	}
	return n*i - i*(i+1)/2 + (j - i - 1)
}

// nnChain is scipy's nn_chain: the nearest-neighbour chain algorithm with
// Lance-Williams updates.
func nnChain(ctx context.Context, est string, D []float64, n int, method string) ([]float64, error) {
	z := make([]float64, 4*(n-1))
	size := make([]int, n)
	for i := range size {
		size[i] = 1
	}
	chain := make([]int, n)
	cl := 0
	for k := 0; k < n-1; k++ {
		if k%256 == 255 {
			if err := classical.CheckContext(ctx, est); err != nil {
				return nil, err
			}
		}
		if cl == 0 {
			cl = 1
			for i := 0; i < n; i++ {
				if size[i] > 0 {
					chain[0] = i
					break
				}
			}
		}
		var x, y int
		var cur float64
		for {
			x = chain[cl-1]
			if cl > 1 {
				y = chain[cl-2]
				cur = D[condensed(n, x, y)]
			} else {
				cur = math.Inf(1)
			}
			for i := 0; i < n; i++ {
				if size[i] == 0 || i == x {
					continue
				}
				if d := D[condensed(n, x, i)]; d < cur {
					cur, y = d, i
				}
			}
			if cl > 1 && y == chain[cl-2] {
				break
			}
			chain[cl] = y
			cl++
		}
		cl -= 2
		if x > y {
			x, y = y, x
		}
		nx, ny := size[x], size[y]
		z[4*k], z[4*k+1], z[4*k+2], z[4*k+3] = float64(x), float64(y), cur, float64(nx+ny)
		size[x] = 0
		size[y] = nx + ny
		for i := 0; i < n; i++ {
			ni := size[i]
			if ni == 0 || i == y {
				continue
			}
			dx, dy := D[condensed(n, i, x)], D[condensed(n, i, y)]
			var nd float64
			switch method {
			case "complete":
				nd = max(dx, dy)
			case "average":
				nd = (float64(nx)*dx + float64(ny)*dy) / float64(nx+ny)
			case "weighted":
				nd = 0.5 * (dx + dy)
			default: // ward
				t := 1 / float64(nx+ny+ni)
				nd = math.Sqrt(float64(ni+nx)*t*dx*dx + float64(ni+ny)*t*dy*dy - float64(ni)*t*cur*cur)
			}
			D[condensed(n, i, y)] = nd
		}
	}
	sortAndLabel(z, n, true)
	return z, nil
}

// mstSingle is scipy's mst_single_linkage (Prim's algorithm), computing
// distances on the fly.
func mstSingle(ctx context.Context, est string, xm classical.Matrix, metric string, smallerFirst bool) ([]float64, error) {
	n := xm.Rows
	z := make([]float64, 4*(n-1))
	merged := make([]bool, n)
	D := make([]float64, n)
	for i := range D {
		D[i] = math.Inf(1)
	}
	x := 0
	for k := 0; k < n-1; k++ {
		if k%256 == 255 {
			if err := classical.CheckContext(ctx, est); err != nil {
				return nil, err
			}
		}
		merged[x] = true
		xr := xm.Row(x)
		parallel.For(n, 2048, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if !merged[i] {
					if d := pairDist(metric, xr, xm.Row(i)); D[i] > d {
						D[i] = d
					}
				}
			}
		})
		cur, y := math.Inf(1), -1
		for i := 0; i < n; i++ {
			if !merged[i] && D[i] < cur {
				cur, y = D[i], i
			}
		}
		if y < 0 { // only reachable with infinite distances
			for i := 0; i < n; i++ {
				if !merged[i] {
					y = i
					break
				}
			}
		}
		z[4*k], z[4*k+1], z[4*k+2] = float64(x), float64(y), cur
		x = y
	}
	sortAndLabel(z, n, smallerFirst)
	return z, nil
}

// sortAndLabel sorts the merges by distance (stably) and renames the
// clusters as scipy's label() does: each merge's children become the ids
// of their current roots (smaller first when smallerFirst) and the size is
// recorded.
func sortAndLabel(z []float64, n int, smallerFirst bool) {
	m := n - 1
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return z[4*order[a]+2] < z[4*order[b]+2] })
	s := make([]float64, len(z))
	for i, o := range order {
		copy(s[4*i:4*i+4], z[4*o:4*o+4])
	}
	copy(z, s)
	parent := make([]int, 2*n-1)
	size := make([]int, 2*n-1)
	for i := range parent {
		parent[i] = i
		if i < n {
			size[i] = 1
		}
	}
	find := func(x int) int {
		r := x
		for parent[r] != r {
			r = parent[r]
		}
		for parent[x] != r {
			parent[x], x = r, parent[x]
		}
		return r
	}
	next := n
	for i := 0; i < m; i++ {
		xr, yr := find(int(z[4*i])), find(int(z[4*i+1]))
		if smallerFirst && xr > yr {
			xr, yr = yr, xr
		}
		z[4*i], z[4*i+1] = float64(xr), float64(yr)
		parent[xr], parent[yr] = next, next
		size[next] = size[xr] + size[yr]
		z[4*i+3] = float64(size[next])
		next++
	}
}

// hcCut cuts the tree into k clusters, numbering them as scikit-learn's
// _hc_cut does (the order of a Python heapq of negated node ids).
func hcCut(k int, children []float64, n int) []float64 {
	labels := make([]float64, n)
	if n < 2 {
		return labels
	}
	root := max(int(children[2*(n-2)]), int(children[2*(n-2)+1])) + 1
	h := []int{-root}
	for c := 0; c < k-1; c++ {
		node := -h[0]
		a, b := int(children[2*(node-n)]), int(children[2*(node-n)+1])
		h = heapPush(h, -a)
		h = heapPushPop(h, -b)
	}
	var stack []int
	for lab, v := range h {
		stack = append(stack[:0], -v)
		for len(stack) > 0 {
			node := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if node < n {
				labels[node] = float64(lab)
				continue
			}
			stack = append(stack, int(children[2*(node-n)]), int(children[2*(node-n)+1]))
		}
	}
	return labels
}

// heapPush and heapPushPop mirror CPython's heapq on a min-heap of ints.
func heapPush(h []int, item int) []int {
	h = append(h, item)
	siftDown(h, 0, len(h)-1)
	return h
}

func heapPushPop(h []int, item int) []int {
	if len(h) > 0 && h[0] < item {
		h[0] = item
		siftUp(h, 0)
	}
	return h
}

func siftDown(h []int, start, pos int) {
	item := h[pos]
	for pos > start {
		parent := (pos - 1) >> 1
		if item < h[parent] {
			h[pos] = h[parent]
			pos = parent
			continue
		}
		break
	}
	h[pos] = item
}

func siftUp(h []int, pos int) {
	end, start, item := len(h), pos, h[pos]
	child := 2*pos + 1
	for child < end {
		if r := child + 1; r < end && !(h[child] < h[r]) {
			child = r
		}
		h[pos] = h[child]
		pos = child
		child = 2*pos + 1
	}
	h[pos] = item
	siftDown(h, start, pos)
}
