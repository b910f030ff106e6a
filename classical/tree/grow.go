package tree

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
)

// Criterion is the impurity a split minimises.
type Criterion int

// The criteria: Gini and Entropy for classification, SquaredError and
// AbsoluteError for regression.
const (
	Gini Criterion = iota
	Entropy
	SquaredError
	AbsoluteError
)

// ParseCriterion maps scikit-learn's names ("gini", "entropy", "log_loss",
// "squared_error", "friedman_mse", "absolute_error") to a Criterion.
func ParseCriterion(s string) (Criterion, bool) {
	switch s {
	case "gini":
		return Gini, true
	case "entropy", "log_loss":
		return Entropy, true
	case "squared_error", "friedman_mse":
		return SquaredError, true
	case "absolute_error":
		return AbsoluteError, true
	}
	return 0, false
}

// Classification reports whether c is a classification criterion.
func (c Criterion) Classification() bool { return c == Gini || c == Entropy }

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: values closer than
// this are not split apart.
const featureThreshold = 1e-7

// epsilon is scikit-learn's EPSILON (the float64 machine epsilon).
const epsilon = 2.220446049250313e-16

// Presorted holds X column by column with, for each feature, the sample
// indices sorted by value. It is computed once and shared by every tree
// grown on the same X (forests, boosting).
type Presorted struct {
	N, P  int
	Cols  [][]float64 // Cols[f][i]: feature f of sample i
	Order [][]int32   // Order[f]: 0..N-1 sorted by Cols[f] (ties by index)
	// Run[f] is the longest run of one value in Order[f], when it holds
	// at least 7/8 of the samples (a sparse feature: a one-hot column, a
	// count that is mostly zero); Lo == Hi otherwise. Nil: no feature is
	// sparse. Columns fills Order and Run only for its sparse features.
	Run []Run
}

// Run is a block Order[f][Lo:Hi] of samples that share the value Val.
type Run struct {
	Lo, Hi int
	Val    float64
}

// sparse reports whether feature f has a majority run.
func (ps *Presorted) sparse(f int) bool { return ps.Run != nil && ps.Run[f].Hi > ps.Run[f].Lo }

// Presort prepares m for Grow.
func Presort(m classical.Matrix) *Presorted {
	n, p := m.Rows, m.Cols
	ps := &Presorted{N: n, P: p, Cols: columnsOf(m), Order: make([][]int32, p), Run: make([]Run, p)}
	parallel.For(p, 1, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			col := ps.Cols[f]
			ord := sortedOrder(col)
			ps.Order[f] = ord
			best := Run{}
			for lo := 0; lo < n; {
				hi := lo + 1
				for hi < n && col[ord[hi]] == col[ord[lo]] {
					hi++
				}
				if hi-lo > best.Hi-best.Lo {
					best = Run{lo, hi, col[ord[lo]]}
				}
				lo = hi
			}
			if 8*(best.Hi-best.Lo) >= 7*n && n >= 16 {
				ps.Run[f] = best
			}
		}
	})
	return ps
}

// sortedOrder returns 0..len(col)-1 sorted by col, ties by index. A column
// of at most two values (a one-hot column) is sorted by one stable pass.
func sortedOrder(col []float64) []int32 {
	n := len(col)
	ord := make([]int32, n)
	if n == 0 {
		return ord
	}
	lo, hi := col[0], col[0]
	two := true
	for _, v := range col {
		switch {
		case v == lo || v == hi:
		case lo == hi:
			lo, hi = min(lo, v), max(lo, v)
		default:
			two = false
		}
		if !two {
			break
		}
	}
	if two {
		k := 0
		for i, v := range col {
			if v == lo {
				ord[k] = int32(i)
				k++
			}
		}
		for i, v := range col {
			if v != lo {
				ord[k] = int32(i)
				k++
			}
		}
		return ord
	}
	for i := range ord {
		ord[i] = int32(i)
	}
	slices.SortFunc(ord, func(a, b int32) int {
		if c := cmp.Compare(col[a], col[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return ord
}

// columnsOf returns the columns of m, sixteen at a time: each row's
// sixteen values are read together, and the sixteen columns written are
// sequential streams.
func columnsOf(m classical.Matrix) [][]float64 {
	n, p := m.Rows, m.Cols
	buf := make([]float64, n*p)
	cols := make([][]float64, p)
	for f := range cols {
		cols[f] = buf[f*n : (f+1)*n : (f+1)*n]
	}
	const fb = 16
	parallel.For((p+fb-1)/fb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			f0, f1 := b*fb, min((b+1)*fb, p)
			for i := 0; i < n; i++ {
				row := m.Data[i*p+f0 : i*p+f1]
				for k, v := range row {
					cols[f0+k][i] = v
				}
			}
		}
	})
	return cols
}

// Spec configures Grow.
type Spec struct {
	Criterion Criterion
	// NClasses is the number of classes (classification criteria).
	NClasses int
	// MaxDepth limits the depth (root has depth 0); 0 means no limit.
	MaxDepth int
	// MinSamplesSplit is the least number of samples a node needs to be
	// split (at least 2).
	MinSamplesSplit int
	// MinSamplesLeaf is the least number of samples in each child.
	MinSamplesLeaf int
	// MinImpurityDecrease: a split must decrease the weighted impurity by
	// at least this much.
	MinImpurityDecrease float64
	// MaxFeatures is the number of features drawn at each node (0: all).
	MaxFeatures int
	// Random draws one random threshold per feature (extremely randomised
	// trees) instead of searching the best one.
	Random bool
}

// Target is what a tree learns: Class (class indices in [0, NClasses))
// for classification criteria, Y for regression criteria. W holds
// non-negative sample weights (nil: all 1); samples of weight 0 are left
// out.
type Target struct {
	Class []int32
	Y     []float64
	W     []float64
}

type split struct {
	feature int
	pos     int // number of samples going left
	thr     float64
	proxy   float64
}

type grower struct {
	ctx    context.Context
	ps     *Presorted
	spec   Spec
	tg     Target
	K      int
	ord    [][]int32 // per feature, the active samples; node segments are contiguous
	samp   []int32   // the active samples, partitioned like ord
	left   []uint8   // per sample: 1 when it goes left at the current split
	tmp    []int32
	sorted []int32 // a node's samples sorted by one feature, in sorting mode
	pos    []int32 // per sample: its index in samp (-1: inactive)
	minLo  []int32 // a node's samples below a sparse feature's majority value
	minHi  []int32 // and above it
	// nodeTot is the node's class weights, or its sum of w·y in a
	// one-element slice, for sparseSplit.
	nodeTot []float64
	sumBuf  [1]float64
	nDense  int // features without a majority run (see sparse)
	rng     *rand.Rand
	t       *Tree
	perm    []int // the identity, shuffled in part by findSplit and restored
	swaps   []int // findSplit's swaps, to undo
	denseF  []int // the features with a presorted ordering
	cntL    []float64
	cntR    []float64
	wTot    float64
	mtry    int
	colBuf  []float64
	err     error
	steps   int
	// absolute error scratch
	fw, fwy, gw, gwy []float64
	rank             []int32
	ysort, wsort     []float64
}

// Grow grows one tree on ps with the given target and spec. rng draws the
// features examined at each node (and the thresholds of random splits).
// It returns ctx.Err() when ctx is cancelled.
func Grow(ctx context.Context, ps *Presorted, tg Target, spec Spec, rng *rand.Rand) (*Tree, error) {
	g, sorting, err := newGrower(ctx, ps, tg, spec, rng)
	if err != nil {
		return nil, err
	}
	constant := make([]bool, ps.P)
	g.wTot = g.weightOf(g.samp)
	rootVal := make([]float64, g.K)
	rw, rimp := g.nodeValue(g.samp, rootVal)
	g.build(0, len(g.samp), 0, sorting, constant, nodeStats{rw, rimp, rootVal})
	if g.err != nil {
		return nil, g.err
	}
	return g.t, nil
}

// newGrower prepares the orderings and scratch space of Grow, and reports
// whether the root starts in sorting mode.
func newGrower(ctx context.Context, ps *Presorted, tg Target, spec Spec, rng *rand.Rand) (*grower, bool, error) {
	g := &grower{ctx: ctx, ps: ps, spec: spec, tg: tg, rng: rng}
	if spec.Criterion.Classification() {
		g.K = spec.NClasses
	} else {
		g.K = 1
	}
	g.mtry = spec.MaxFeatures
	if g.mtry <= 0 || g.mtry > ps.P {
		g.mtry = ps.P
	}
	// Active samples: weight > 0.
	active := ps.N
	if tg.W != nil {
		active = 0
		for _, w := range tg.W {
			if w > 0 {
				active++
			}
		}
	}
	for f := 0; f < ps.P; f++ {
		if !g.sparse(f) {
			g.nDense++
		}
	}
	sorting := !spec.Random && g.sortingPays(active)
	if !spec.Random && !sorting {
		g.ord = make([][]int32, ps.P)
		dense := 0
		for f := 0; f < ps.P; f++ {
			if !g.sparse(f) {
				if ps.Order == nil || ps.Order[f] == nil {
					panic("tree: Grow with the best splitter needs Presort, not Columns")
				}
				dense++
			}
		}
		// One slack entry: the branch-free filter below writes one past
		// a feature's segment (into the next one, written afterwards).
		buf := make([]int32, active*dense+1)
		var act []int
		if tg.W != nil {
			act = make([]int, ps.N)
			for i, w := range tg.W {
				if w > 0 {
					act[i] = 1
				}
			}
		}
		d := 0
		for f := 0; f < ps.P; f++ {
			if g.sparse(f) {
				continue // no ordering: see sparseSplit
			}
			o := buf[d*active : (d+1)*active+1]
			d++
			if tg.W == nil {
				copy(o, ps.Order[f])
			} else {
				k := 0
				for _, i := range ps.Order[f] {
					o[k] = i
					k += act[i]
				}
			}
			g.ord[f] = o[:active:active]
		}
	}
	g.samp = make([]int32, active)
	if tg.W == nil {
		for i := range g.samp {
			g.samp[i] = int32(i)
		}
	} else {
		k := 0
		for i, w := range tg.W {
			if w > 0 {
				g.samp[k] = int32(i)
				k++
			}
		}
	}
	g.left = make([]uint8, ps.N)
	g.tmp = make([]int32, active)
	g.sorted = make([]int32, active)
	if g.ord != nil || spec.Random && ps.Run != nil {
		g.pos = make([]int32, ps.N)
		for i := range g.pos {
			g.pos[i] = -1
		}
		for k, i := range g.samp {
			g.pos[i] = int32(k)
		}
		g.minLo = make([]int32, active)
		g.minHi = make([]int32, active)
	}
	g.colBuf = make([]float64, active)
	g.perm = make([]int, ps.P)
	for i := range g.perm {
		g.perm[i] = i
	}
	g.swaps = make([]int, ps.P)
	for f, o := range g.ord {
		if o != nil {
			g.denseF = append(g.denseF, f)
		}
	}
	g.cntL = make([]float64, g.K)
	g.cntR = make([]float64, g.K)
	g.t = &Tree{NFeatures: ps.P, NValues: g.K}
	if active == 0 {
		return nil, false, classical.Invalidf("tree", "every sample has weight 0")
	}
	if spec.Criterion == AbsoluteError {
		g.fw = make([]float64, active+1)
		g.fwy = make([]float64, active+1)
		g.gw = make([]float64, active+1)
		g.gwy = make([]float64, active+1)
		g.rank = make([]int32, ps.N)
		g.ysort = make([]float64, active)
		g.wsort = make([]float64, active)
	}
	return g, sorting, nil
}

func (g *grower) w(i int32) float64 {
	if g.tg.W == nil {
		return 1
	}
	return g.tg.W[i]
}

func (g *grower) weightOf(idx []int32) float64 {
	if g.tg.W == nil {
		return float64(len(idx))
	}
	s := 0.0
	for _, i := range idx {
		s += g.tg.W[i]
	}
	return s
}

// nodeValue fills val (K entries) with the node's value (class weights or
// mean / median) and returns its weight and impurity.
func (g *grower) nodeValue(idx []int32, val []float64) (wn, imp float64) {
	switch g.spec.Criterion {
	case Gini, Entropy:
		clear(val)
		for _, i := range idx {
			val[g.tg.Class[i]] += g.w(i)
		}
		for _, c := range val {
			wn += c
		}
		return wn, classImpurity(g.spec.Criterion, val, wn)
	case SquaredError:
		s, s2 := 0.0, 0.0
		for _, i := range idx {
			w, y := g.w(i), g.tg.Y[i]
			wn += w
			s += w * y
			s2 += w * y * y
		}
		mean := s / wn
		val[0] = mean
		return wn, max(s2/wn-mean*mean, 0)
	default: // AbsoluteError
		ys := make([]float64, len(idx))
		ws := make([]float64, len(idx))
		o := make([]int, len(idx))
		for k, i := range idx {
			o[k] = k
			ys[k] = g.tg.Y[i]
			ws[k] = g.w(i)
			wn += ws[k]
		}
		slices.SortFunc(o, func(a, b int) int { return cmp.Compare(ys[a], ys[b]) })
		sy := make([]float64, len(o))
		sw := make([]float64, len(o))
		for k, j := range o {
			sy[k], sw[k] = ys[j], ws[j]
		}
		med := WeightedMedian(sy, sw)
		val[0] = med
		for k := range sy {
			imp += sw[k] * math.Abs(sy[k]-med)
		}
		return wn, imp / wn
	}
}

// WeightedMedian returns the weighted median of sorted values ys with
// weights ws as scikit-learn computes it: the first value where the
// cumulative weight reaches half the total, averaged with the next one
// when it reaches exactly half.
func WeightedMedian(ys, ws []float64) float64 {
	tot := 0.0
	for _, w := range ws {
		tot += w
	}
	half := tot / 2
	c := 0.0
	for k := range ys {
		c += ws[k]
		if c >= half {
			if c == half && k+1 < len(ys) {
				return (ys[k] + ys[k+1]) / 2
			}
			return ys[k]
		}
	}
	return ys[len(ys)-1]
}

func xlogx(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x * math.Log(x)
}

func classImpurity(c Criterion, cnt []float64, wn float64) float64 {
	if wn <= 0 {
		return 0
	}
	if c == Gini {
		s := 0.0
		for _, v := range cnt {
			s += v * v
		}
		return 1 - s/(wn*wn)
	}
	e := 0.0
	for _, v := range cnt {
		if v > 0 {
			p := v / wn
			e -= p * math.Log2(p)
		}
	}
	return e
}

// nodeStats are a node's weight, impurity and value, computed by its
// parent.
type nodeStats struct {
	w, imp float64
	val    []float64
}

// build grows the node holding samples [s, e) of every ordering and
// returns its id.
//
// The best splitter has two ways to see a node's samples in the order of a
// feature. With presorted orderings (sorting false) every ordering is
// partitioned at every split: P·n work per node, however few features are
// drawn. In sorting mode only the drawn features are sorted, from the
// node's samples: about mtry·n·log n. A node switches to sorting when that
// is much cheaper (many features, few drawn, as with one-hot encoded
// categories), and its subtree stays there. Both grow the same tree (node
// values may differ in the last bits, summed in another order). In the
// presorted mode, sparse features (mostly one value) keep no ordering at
// all: sparseSplit scans only their other values.
//
// The sparse path computes a candidate's quality from the left and node
// totals rather than step by step; with non-integer weights or targets the
// last bits can differ, so of two equally good splits it may pick the
// other one.
func (g *grower) build(s, e, depth int, sorting bool, constant []bool, st nodeStats) int32 {
	if g.err != nil {
		return -1
	}
	if g.steps++; g.steps&63 == 0 && g.ctx != nil {
		if err := g.ctx.Err(); err != nil {
			g.err = err
			return -1
		}
	}
	id := int32(len(g.t.Nodes))
	val, wn, imp := st.val, st.w, st.imp
	g.t.Nodes = append(g.t.Nodes, Node{Left: -1, Right: -1, Feature: -1, Impurity: imp, NSamples: int32(e - s), WeightedNSamples: wn})
	g.t.Value = append(g.t.Value, val...)
	n := e - s
	sp := g.spec
	leaf := (sp.MaxDepth > 0 && depth >= sp.MaxDepth) || n < max(sp.MinSamplesSplit, 2) || n < 2*max(sp.MinSamplesLeaf, 1) || imp <= epsilon
	if leaf {
		return id
	}
	best, ok := g.findSplit(s, e, wn, val, sorting, constant)
	if !ok {
		return id
	}
	nL := best.pos
	var lIdx, rIdx []int32
	bestSparse := !sp.Random && !sorting && g.ord[best.feature] == nil
	if sp.Random || sorting || bestSparse {
		// Only samp is kept (or ordered by this feature): partition it by
		// the threshold.
		g.partitionBy(g.samp[s:e], g.ps.Cols[best.feature], best.thr)
		lIdx, rIdx = g.samp[s:s+nL], g.samp[s+nL:e]
	} else {
		lIdx, rIdx = g.ord[best.feature][s:s+nL], g.ord[best.feature][s+nL:e]
	}
	// Impurity decrease of the split, weighted as scikit-learn does.
	valL, valR := make([]float64, g.K), make([]float64, g.K)
	wL, impL := g.nodeValue(lIdx, valL)
	wR, impR := g.nodeValue(rIdx, valR)
	improvement := wn / g.wTot * (imp - wR/wn*impR - wL/wn*impL)
	if improvement+epsilon < sp.MinImpurityDecrease {
		return id
	}
	childSorting := sorting
	if sp.Random && g.pos != nil {
		for k := s; k < e; k++ {
			g.pos[g.samp[k]] = int32(k)
		}
	}
	if !sp.Random && !sorting {
		// Partition every ordering (and samp) stably: left samples first.
		// Orderings are only needed below children that may split, and
		// not when they switch to sorting.
		for _, i := range lIdx {
			g.left[i] = 1
		}
		childSorting = g.sortingPays(max(nL, e-s-nL))
		needOrders := !childSorting && !(g.surelyLeaf(nL, depth+1, impL) && g.surelyLeaf(e-s-nL, depth+1, impR))
		if needOrders {
			for _, f := range g.denseF {
				if f == best.feature || constant[f] {
					continue
				}
				g.partition(g.ord[f][s:e])
			}
		}
		if !bestSparse {
			g.partition(g.samp[s:e])
		}
		for k := s; k < e; k++ {
			g.pos[g.samp[k]] = int32(k)
		}
		for _, i := range lIdx {
			g.left[i] = 0
		}
	}
	g.t.Nodes[id].Feature = int32(best.feature)
	g.t.Nodes[id].Threshold = best.thr
	l := g.build(s, s+nL, depth+1, childSorting, slices.Clone(constant), nodeStats{wL, impL, valL})
	r := g.build(s+nL, e, depth+1, childSorting, constant, nodeStats{wR, impR, valR})
	g.t.Nodes[id].Left, g.t.Nodes[id].Right = l, r
	return id
}

// surelyLeaf reports whether a node of n samples at depth with impurity
// imp will be a leaf whatever its samples.
func (g *grower) surelyLeaf(n, depth int, imp float64) bool {
	sp := g.spec
	return (sp.MaxDepth > 0 && depth >= sp.MaxDepth) || n < max(sp.MinSamplesSplit, 2) || n < 2*max(sp.MinSamplesLeaf, 1) || imp <= epsilon
}

// sortMode forces the sorting mode on (1) or off (-1) for tests; 0 lets
// sortingPays decide.
var sortMode = 0

// sortingPays reports whether sorting the drawn features of a node of n
// samples costs well under partitioning every presorted ordering (the
// dense features'; sparse ones keep none).
func (g *grower) sortingPays(n int) bool {
	if sortMode != 0 {
		return sortMode > 0
	}
	logn := 1
	for m := n; m > 1; m >>= 1 {
		logn++
	}
	return g.nDense > 4*g.mtry*logn
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// partition moves the samples marked left to the front of seg, keeping
// the order of both halves.
func (g *grower) partition(seg []int32) {
	k, j := 0, 0
	r := g.tmp[:len(seg)]
	left := g.left
	for _, i := range seg {
		l := int(left[i])
		seg[k] = i
		r[j] = i
		k += l
		j += 1 - l
	}
	copy(seg[k:], r[:j])
}

// partitionBy moves the samples with col[i] <= thr to the front of seg,
// keeping the order of both halves.
func (g *grower) partitionBy(seg []int32, col []float64, thr float64) {
	k, j := 0, 0
	r := g.tmp[:len(seg)]
	for _, i := range seg {
		l := int(b2u(col[i] <= thr))
		seg[k] = i
		r[j] = i
		k += l
		j += 1 - l
	}
	copy(seg[k:], r[:j])
}

// sortBy returns the samples idx (in increasing order, as samp keeps
// them) sorted by col, ties by index: the order of a presorted segment. It
// returns nil when col is constant on idx. The result lives in g.sorted
// until the next call.
func (g *grower) sortBy(idx []int32, col []float64) []int32 {
	// Most features of a small node of one-hot columns are constant:
	// find out with one comparison per sample.
	v0 := col[idx[0]]
	k0 := 1
	for k0 < len(idx) && col[idx[k0]] == v0 {
		k0++
	}
	if k0 == len(idx) {
		return nil
	}
	lo, hi := v0, v0
	for _, i := range idx[k0:] {
		v := col[i]
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	if hi <= lo+featureThreshold {
		return nil
	}
	nLo, nHi := 0, 0
	for _, i := range idx {
		v := col[i]
		nLo += int(b2u(v == lo))
		nHi += int(b2u(v == hi))
	}
	out := g.sorted[:len(idx)]
	if nLo+nHi == len(idx) {
		// Two values (a one-hot column): a stable partition sorts.
		r := g.tmp[:nHi+1] // one slack entry for the branch-free writes
		k, j := 0, 0
		for _, i := range idx {
			h := int(b2u(col[i] == hi))
			out[k] = i
			r[j] = i
			k += 1 - h
			j += h
		}
		copy(out[k:], r[:j])
		return out
	}
	copy(out, idx)
	slices.SortFunc(out, func(a, b int32) int {
		if c := cmp.Compare(col[a], col[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return out
}

// findSplit searches the features drawn for this node. constant marks
// features known to be constant in the node (updated in place).
func (g *grower) findSplit(s, e int, wn float64, val []float64, sorting bool, constant []bool) (split, bool) {
	p := g.ps.P
	// perm is the identity between calls: the draws below swap entries
	// and the deferred loop swaps them back, in O(features drawn).
	drawn := 0
	defer func() {
		for i := drawn - 1; i >= 0; i-- {
			j := g.swaps[i]
			g.perm[i], g.perm[j] = g.perm[j], g.perm[i]
		}
	}()
	best := split{proxy: math.Inf(-1), feature: -1}
	if g.pos != nil && !sorting {
		g.setNodeTot(s, e, val)
	}
	visited, nonConst := 0, 0
	for i := 0; i < p && (visited < g.mtry || nonConst == 0); i++ {
		j := i + g.rng.IntN(p-i)
		g.perm[i], g.perm[j] = g.perm[j], g.perm[i]
		g.swaps[i] = j
		drawn++
		f := g.perm[i]
		visited++
		if constant[f] {
			continue
		}
		col := g.ps.Cols[f]
		if g.spec.Random {
			var ok bool
			if g.pos != nil && g.sparse(f) {
				ok = g.randomSparseSplit(f, s, e, wn, val, &best)
			} else {
				ok = g.randomSplit(f, g.samp[s:e], col, wn, val, &best)
			}
			if !ok {
				constant[f] = true
				continue
			}
			nonConst++
			continue
		}
		var seg []int32
		switch {
		case sorting:
			seg = g.sortBy(g.samp[s:e], col)
		case g.ord[f] == nil:
			var done bool
			if seg, done = g.sparseSplit(f, s, e, wn, val, &best); done {
				nonConst++
				continue
			}
		default:
			seg = g.ord[f][s:e]
		}
		if seg == nil || col[seg[len(seg)-1]] <= col[seg[0]]+featureThreshold {
			constant[f] = true
			continue
		}
		nonConst++
		g.bestSplit(f, seg, col, wn, val, &best)
	}
	return best, best.feature >= 0
}

func (g *grower) bestSplit(f int, seg []int32, col []float64, wn float64, val []float64, best *split) {
	m := len(seg)
	msl := max(g.spec.MinSamplesLeaf, 1)
	W := g.tg.W
	switch g.spec.Criterion {
	case Gini:
		L, R := g.cntL, g.cntR
		clear(L)
		copy(R, val)
		sqL, sqR := 0.0, 0.0
		for _, c := range R {
			sqR += c * c
		}
		wL, wR := 0.0, wn
		cls := g.tg.Class
		v := col[seg[0]]
		for j := 0; j < m-1; j++ {
			i := seg[j]
			k := cls[i]
			wi := 1.0
			if W != nil {
				wi = W[i]
			}
			sqL += wi * (2*L[k] + wi)
			L[k] += wi
			sqR += wi * (wi - 2*R[k])
			R[k] -= wi
			wL += wi
			wR -= wi
			vn := col[seg[j+1]]
			if vn <= v+featureThreshold {
				v = vn
				continue
			}
			nl := j + 1
			if nl < msl {
				v = vn
				continue
			}
			if m-nl < msl {
				break
			}
			if pr := sqL/wL + sqR/wR; pr > best.proxy {
				*best = split{feature: f, pos: nl, thr: midpoint(v, vn), proxy: pr}
			}
			v = vn
		}
	case Entropy:
		L, R := g.cntL, g.cntR
		clear(L)
		copy(R, val)
		eL, eR := 0.0, 0.0
		for _, c := range R {
			eR += xlogx(c)
		}
		wL, wR := 0.0, wn
		cls := g.tg.Class
		v := col[seg[0]]
		for j := 0; j < m-1; j++ {
			i := seg[j]
			k := cls[i]
			wi := 1.0
			if W != nil {
				wi = W[i]
			}
			eL += xlogx(L[k]+wi) - xlogx(L[k])
			L[k] += wi
			eR += xlogx(R[k]-wi) - xlogx(R[k])
			R[k] -= wi
			wL += wi
			wR -= wi
			vn := col[seg[j+1]]
			if vn <= v+featureThreshold {
				v = vn
				continue
			}
			nl := j + 1
			if nl < msl {
				v = vn
				continue
			}
			if m-nl < msl {
				break
			}
			if pr := eL - xlogx(wL) + eR - xlogx(wR); pr > best.proxy {
				*best = split{feature: f, pos: nl, thr: midpoint(v, vn), proxy: pr}
			}
			v = vn
		}
	case SquaredError:
		Y := g.tg.Y
		sT := 0.0
		for _, i := range seg {
			if W != nil {
				sT += W[i] * Y[i]
			} else {
				sT += Y[i]
			}
		}
		sL, wL := 0.0, 0.0
		v := col[seg[0]]
		for j := 0; j < m-1; j++ {
			i := seg[j]
			wi := 1.0
			if W != nil {
				wi = W[i]
			}
			sL += wi * Y[i]
			wL += wi
			vn := col[seg[j+1]]
			if vn <= v+featureThreshold {
				v = vn
				continue
			}
			nl := j + 1
			if nl < msl {
				v = vn
				continue
			}
			if m-nl < msl {
				break
			}
			sR, wR := sT-sL, wn-wL
			if pr := sL*sL/wL + sR*sR/wR; pr > best.proxy {
				*best = split{feature: f, pos: nl, thr: midpoint(v, vn), proxy: pr}
			}
			v = vn
		}
	case AbsoluteError:
		g.absSplit(f, seg, col, best)
	}
}

// midpoint is scikit-learn's threshold between two consecutive values.
func midpoint(a, b float64) float64 {
	t := a/2 + b/2
	if t == b || math.IsInf(t, 0) || math.IsNaN(t) {
		t = a
	}
	return t
}

// absSplit searches the best split of seg on feature f for the absolute
// error, with Fenwick trees over the ranks of y so that each candidate
// costs O(log m).
func (g *grower) absSplit(f int, seg []int32, col []float64, best *split) {
	m := len(seg)
	msl := max(g.spec.MinSamplesLeaf, 1)
	// Ranks of the node's samples by y.
	o := make([]int32, m)
	copy(o, seg)
	Y := g.tg.Y
	slices.SortFunc(o, func(a, b int32) int {
		if c := cmp.Compare(Y[a], Y[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for r, i := range o {
		g.rank[i] = int32(r)
		g.ysort[r] = Y[i]
		g.wsort[r] = g.w(i)
	}
	ys, ws := g.ysort[:m], g.wsort[:m]
	lw, lwy := g.fw[:m+1], g.fwy[:m+1]
	rw, rwy := g.gw[:m+1], g.gwy[:m+1]
	clear(lw)
	clear(lwy)
	clear(rw)
	clear(rwy)
	for r := 0; r < m; r++ {
		fenAdd(rw, r, ws[r])
		fenAdd(rwy, r, ws[r]*ys[r])
	}
	wL, wR := 0.0, 0.0
	sL, sR := 0.0, 0.0
	for r := 0; r < m; r++ {
		wR += ws[r]
		sR += ws[r] * ys[r]
	}
	v := col[seg[0]]
	for j := 0; j < m-1; j++ {
		i := seg[j]
		r := int(g.rank[i])
		wi, yi := ws[r], ys[r]
		fenAdd(lw, r, wi)
		fenAdd(lwy, r, wi*yi)
		fenAdd(rw, r, -wi)
		fenAdd(rwy, r, -wi*yi)
		wL += wi
		wR -= wi
		sL += wi * yi
		sR -= wi * yi
		vn := col[seg[j+1]]
		if vn <= v+featureThreshold {
			v = vn
			continue
		}
		nl := j + 1
		if nl < msl {
			v = vn
			continue
		}
		if m-nl < msl {
			break
		}
		dl := absDev(lw, lwy, ys, wL, sL)
		dr := absDev(rw, rwy, ys, wR, sR)
		if pr := -(dl + dr); pr > best.proxy {
			*best = split{feature: f, pos: nl, thr: midpoint(v, vn), proxy: pr}
		}
		v = vn
	}
}

func fenAdd(t []float64, i int, v float64) {
	for i++; i < len(t); i += i & -i {
		t[i] += v
	}
}

func fenSum(t []float64, i int) float64 { // sum of [0, i]
	s := 0.0
	for i++; i > 0; i -= i & -i {
		s += t[i]
	}
	return s
}

// absDev returns Σ w|y - median| of the set in the Fenwick trees tw, twy
// (weights and weighted ys by rank) with total weight W and sum S.
func absDev(tw, twy []float64, ys []float64, W, S float64) float64 {
	// Find the smallest rank r with prefix weight >= W/2.
	half := W / 2
	pos, acc := 0, 0.0
	step := 1
	for step*2 < len(tw) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if pos+step < len(tw) && acc+tw[pos+step] < half*(1-1e-12) {
			pos += step
			acc += tw[pos]
		}
	}
	r := min(pos, len(ys)-1) // 0-based rank
	med := ys[r]
	wb := fenSum(tw, r)
	sb := fenSum(twy, r)
	return med*wb - sb + (S - sb) - med*(W-wb)
}

// randomSplit draws one threshold uniformly between the feature's minimum
// and maximum among the node's samples seg (in any order) and scores it.
// It returns false when the feature is constant in the node.
func (g *grower) randomSplit(f int, seg []int32, col []float64, wn float64, val []float64, best *split) bool {
	m := len(seg)
	msl := max(g.spec.MinSamplesLeaf, 1)
	xs := g.colBuf[:m]
	lo, hi := math.Inf(1), math.Inf(-1)
	for j, i := range seg {
		v := col[i]
		xs[j] = v
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	if hi <= lo+featureThreshold {
		return false
	}
	thr := lo + g.rng.Float64()*(hi-lo)
	if thr >= hi {
		thr = lo
	}
	var pr float64
	nl := 0
	switch g.spec.Criterion {
	case Gini, Entropy:
		L := g.cntL
		clear(L)
		wL := 0.0
		cls := g.tg.Class
		if g.tg.W == nil && g.K == 2 {
			// Branch-free counts for the common unweighted binary case.
			n1 := 0
			for j, i := range seg {
				var l int
				if xs[j] <= thr {
					l = 1
				}
				nl += l
				n1 += l & int(cls[i])
			}
			L[0], L[1], wL = float64(nl-n1), float64(n1), float64(nl)
		} else {
			for j, i := range seg {
				if xs[j] <= thr {
					wi := g.w(i)
					L[cls[i]] += wi
					wL += wi
					nl++
				}
			}
		}
		if nl < msl || m-nl < msl {
			return true
		}
		wR := wn - wL
		if g.spec.Criterion == Gini {
			a, b := 0.0, 0.0
			for k := range L {
				a += L[k] * L[k]
				r := val[k] - L[k]
				b += r * r
			}
			pr = a/wL + b/wR
		} else {
			for k := range L {
				pr += xlogx(L[k]) + xlogx(val[k]-L[k])
			}
			pr -= xlogx(wL) + xlogx(wR)
		}
	case SquaredError:
		sL, wL := 0.0, 0.0
		Y := g.tg.Y
		if g.tg.W == nil {
			for j, i := range seg {
				var l float64
				if xs[j] <= thr {
					l = 1
				}
				sL += l * Y[i]
				wL += l
			}
			nl = int(wL)
		} else {
			for j, i := range seg {
				if xs[j] <= thr {
					wi := g.w(i)
					sL += wi * Y[i]
					wL += wi
					nl++
				}
			}
		}
		if nl < msl || m-nl < msl {
			return true
		}
		sT := val[0] * wn
		sR, wR := sT-sL, wn-wL
		pr = sL*sL/wL + sR*sR/wR
	case AbsoluteError:
		var li, ri []int32
		for j, i := range seg {
			if xs[j] <= thr {
				li = append(li, i)
			} else {
				ri = append(ri, i)
			}
		}
		nl = len(li)
		if nl < msl || m-nl < msl {
			return true
		}
		tmp := make([]float64, 1)
		wL, iL := g.nodeValue(li, tmp)
		wR, iR := g.nodeValue(ri, tmp)
		pr = -(wL*iL + wR*iR)
	}
	if pr > best.proxy {
		*best = split{feature: f, pos: nl, thr: thr, proxy: pr}
	}
	return true
}

// Columns prepares m for Grow with the random splitter only (no sort).
func Columns(m classical.Matrix) *Presorted {
	n, p := m.Rows, m.Cols
	ps := &Presorted{N: n, P: p, Cols: columnsOf(m), Order: make([][]int32, p), Run: make([]Run, p)}
	parallel.For(p, 1, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			ps.Order[f], ps.Run[f] = sparseOrder(ps.Cols[f])
		}
	})
	return ps
}
