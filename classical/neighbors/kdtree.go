package neighbors

import (
	"container/heap"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
)

// kdTree splits the samples at the median of their widest dimension until
// a node holds at most leafSize of them; each node keeps its bounding box
// so that queries prune by the distance to the box.
type kdTree struct {
	x     classical.Matrix
	idx   []int // sample order: each node owns idx[lo:hi]
	nodes []kdNode
	leaf  int
}

type kdNode struct {
	lo, hi      int
	left, right int // child node indices, -1 for leaves
	min, max    []float64
}

func buildKDTree(x classical.Matrix, leafSize int) *kdTree {
	t := &kdTree{x: x, idx: make([]int, x.Rows), leaf: leafSize}
	for i := range t.idx {
		t.idx[i] = i
	}
	t.build(0, x.Rows)
	return t
}

func (t *kdTree) build(lo, hi int) int {
	p := t.x.Cols
	mn, mx := make([]float64, p), make([]float64, p)
	for j := 0; j < p; j++ {
		mn[j], mx[j] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range t.idx[lo:hi] {
		for j, v := range t.x.Row(i) {
			mn[j] = math.Min(mn[j], v)
			mx[j] = math.Max(mx[j], v)
		}
	}
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{lo: lo, hi: hi, left: -1, right: -1, min: mn, max: mx})
	if hi-lo <= t.leaf {
		return id
	}
	dim := 0
	for j := 1; j < p; j++ {
		if mx[j]-mn[j] > mx[dim]-mn[dim] {
			dim = j
		}
	}
	if mx[dim] == mn[dim] {
		return id // all points equal
	}
	seg := t.idx[lo:hi]
	slices.SortFunc(seg, func(a, b int) int {
		va, vb := t.x.At(a, dim), t.x.At(b, dim)
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return a - b
	})
	mid := lo + (hi-lo)/2
	l := t.build(lo, mid)
	r := t.build(mid, hi)
	t.nodes[id].left, t.nodes[id].right = l, r
	return id
}

// boxDist returns the p-th power of the distance from q to node n's box.
func (t *kdTree) boxDist(q []float64, n *kdNode, p float64) float64 {
	s := 0.0
	for j, v := range q {
		d := 0.0
		if v < n.min[j] {
			d = n.min[j] - v
		} else if v > n.max[j] {
			d = v - n.max[j]
		}
		switch p {
		case 1:
			s += d
		case 2:
			s += d * d
		default:
			s += math.Pow(d, p)
		}
	}
	return s
}

// query leaves the k nearest samples to q in h (distances as p-th powers).
func (t *kdTree) query(q []float64, k int, p float64, h *maxHeap) {
	*h = (*h)[:0]
	t.visit(0, q, k, p, h)
}

func (t *kdTree) visit(id int, q []float64, k int, p float64, h *maxHeap) {
	n := &t.nodes[id]
	if len(*h) == k && t.boxDist(q, n, p) > (*h)[0].d {
		return
	}
	if n.left < 0 {
		for _, i := range t.idx[n.lo:n.hi] {
			d := minkowskiPow(q, t.x.Row(i), p)
			if len(*h) < k {
				heap.Push(h, item{d, i})
			} else if top := (*h)[0]; d < top.d || (d == top.d && i < top.i) {
				(*h)[0] = item{d, i}
				heap.Fix(h, 0)
			}
		}
		return
	}
	a, b := n.left, n.right
	if t.boxDist(q, &t.nodes[b], p) < t.boxDist(q, &t.nodes[a], p) {
		a, b = b, a
	}
	t.visit(a, q, k, p, h)
	t.visit(b, q, k, p, h)
}
