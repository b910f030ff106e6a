package ensemble

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("ensemble.HistGradientBoostingClassifier", func() classical.Estimator { return NewHistGradientBoostingClassifier() })
	classical.Register("ensemble.HistGradientBoostingRegressor", func() classical.Estimator { return NewHistGradientBoostingRegressor() })
}

// HGBParams are the hyper-parameters of the histogram gradient boosting
// models (scikit-learn's names and defaults).
type HGBParams struct {
	LearningRate float64 // "learning_rate", default 0.1
	MaxIter      int     // "max_iter": boosting iterations, default 100
	// MaxLeafNodes ("max_leaf_nodes") bounds the leaves of each tree,
	// grown best-first; 0 means no bound (growth then stops at max_depth,
	// min_samples_leaf or when no split gains).
	MaxLeafNodes int
	MaxDepth     int // "max_depth", 0 = no limit
	// MinSamplesLeaf ("min_samples_leaf"), default 20.
	MinSamplesLeaf int
	// L2Regularization ("l2_regularization") is added to the hessian sums
	// of the leaf values and split gains.
	L2Regularization float64
	// MaxBins ("max_bins") is the number of bins for non-missing values,
	// at most 255; missing values get a bin of their own.
	MaxBins int
	// EarlyStopping ("early_stopping"): "auto" (on when there are more
	// than 10,000 samples), "on" or "off". It holds out
	// ValidationFraction of the samples and stops when the validation
	// loss has not improved by Tol in NIterNoChange iterations.
	EarlyStopping      string
	ValidationFraction float64 // "validation_fraction", default 0.1
	NIterNoChange      int     // "n_iter_no_change", default 10
	Tol                float64 // "tol", default 1e-7
	Seed               uint64  // "random_state"
}

func (p *HGBParams) list() classical.Params {
	return classical.Params{
		classical.Float("learning_rate", &p.LearningRate),
		classical.Int("max_iter", &p.MaxIter),
		classical.Int("max_leaf_nodes", &p.MaxLeafNodes),
		classical.Int("max_depth", &p.MaxDepth),
		classical.Int("min_samples_leaf", &p.MinSamplesLeaf),
		classical.Float("l2_regularization", &p.L2Regularization),
		classical.Int("max_bins", &p.MaxBins),
		classical.String("early_stopping", &p.EarlyStopping, "auto", "on", "off"),
		classical.Float("validation_fraction", &p.ValidationFraction),
		classical.Int("n_iter_no_change", &p.NIterNoChange),
		classical.Float("tol", &p.Tol),
		classical.Uint64("random_state", &p.Seed),
	}
}

func defaultHGB() HGBParams {
	return HGBParams{LearningRate: 0.1, MaxIter: 100, MaxLeafNodes: 31, MinSamplesLeaf: 20, MaxBins: 255,
		EarlyStopping: "auto", ValidationFraction: 0.1, NIterNoChange: 10, Tol: 1e-7}
}

func (p *HGBParams) validate(est string) error {
	if !(p.LearningRate > 0) || p.MaxIter < 1 || p.MaxLeafNodes == 1 || p.MaxLeafNodes < 0 || p.MaxDepth < 0 || p.MinSamplesLeaf < 1 ||
		!(p.L2Regularization >= 0) || p.MaxBins < 2 || p.MaxBins > 255 || !(p.ValidationFraction > 0 && p.ValidationFraction < 1) || p.NIterNoChange < 1 {
		return classical.InvalidParamf(est, "need learning_rate > 0, max_iter >= 1, max_leaf_nodes 0 or >= 2, max_depth >= 0, min_samples_leaf >= 1, l2_regularization >= 0, max_bins in [2, 255], validation_fraction in (0, 1), n_iter_no_change >= 1")
	}
	return nil
}

// ---- binning ----

// binMapper maps raw feature values to bins: bin b holds the values in
// (Thr[b-1], Thr[b]]; NaN goes to the missing bin (index 255).
type binMapper struct {
	Thr [][]float64 // per feature, ascending thresholds (nbins-1 of them)
}

const missingBin = 255

func fitBins(xm classical.Matrix, rows []int, maxBins int, rng *rand.Rand) binMapper {
	p := xm.Cols
	if len(rows) > 200000 {
		sub := slices.Clone(rows)
		rng.Shuffle(len(sub), func(i, j int) { sub[i], sub[j] = sub[j], sub[i] })
		rows = sub[:200000]
	}
	bm := binMapper{Thr: make([][]float64, p)}
	parallel.For(p, 1, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			col := make([]float64, 0, len(rows))
			for _, i := range rows {
				if v := xm.Data[i*p+f]; !math.IsNaN(v) {
					col = append(col, v)
				}
			}
			slices.Sort(col)
			distinct := slices.Compact(slices.Clone(col))
			var thr []float64
			if len(distinct) <= maxBins {
				for k := 0; k+1 < len(distinct); k++ {
					thr = append(thr, (distinct[k]+distinct[k+1])*0.5)
				}
			} else {
				n := len(col)
				for q := 1; q < maxBins; q++ {
					pos := float64(q) / float64(maxBins) * float64(n-1)
					lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
					thr = append(thr, (col[lo]+col[hi])*0.5)
				}
				thr = slices.Compact(thr)
			}
			bm.Thr[f] = thr
		}
	})
	return bm
}

// transform bins the given rows of xm column by column: out[f][j].
func (bm binMapper) transform(xm classical.Matrix, rows []int) [][]uint8 {
	p := xm.Cols
	out := make([][]uint8, p)
	parallel.For(p, 1, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			col := make([]uint8, len(rows))
			thr := bm.Thr[f]
			for j, i := range rows {
				v := xm.Data[i*p+f]
				if math.IsNaN(v) {
					col[j] = missingBin
				} else {
					col[j] = uint8(sort.SearchFloat64s(thr, v))
				}
			}
			out[f] = col
		}
	})
	return out
}

// ---- trees ----

// hnode is a node of a histogram tree. Leaves have Left == -1.
type hnode struct {
	Left, Right int32
	Feature     int32
	BinThr      uint8   // go left when bin <= BinThr (non-missing)
	MissLeft    bool    // missing values go left
	Thr         float64 // raw threshold: x <= Thr goes left
	Value       float64 // leaf value (learning rate applied)
}

type htree struct{ Nodes []hnode }

func (t *htree) predictRaw(x []float64) float64 {
	n := 0
	for {
		nd := &t.Nodes[n]
		if nd.Left < 0 {
			return nd.Value
		}
		v := x[nd.Feature]
		var left bool
		if v != v { // NaN
			left = nd.MissLeft
		} else {
			left = v <= nd.Thr
		}
		if left {
			n = int(nd.Left)
		} else {
			n = int(nd.Right)
		}
	}
}

func (t *htree) predictBinned(bins [][]uint8, i int) float64 {
	n := 0
	for {
		nd := &t.Nodes[n]
		if nd.Left < 0 {
			return nd.Value
		}
		b := bins[nd.Feature][i]
		var left bool
		if b == missingBin {
			left = nd.MissLeft
		} else {
			left = b <= nd.BinThr
		}
		if left {
			n = int(nd.Left)
		} else {
			n = int(nd.Right)
		}
	}
}

type binStat struct {
	G, H float64
	N    int64
}

type hsplit struct {
	gain     float64
	feature  int
	bin      int
	missLeft bool
	gl, hl   float64
	nl       int
}

type hleaf struct {
	s, e   int
	depth  int
	id     int32
	hist   []binStat // per feature f, nbins[f]+1 slots from off[f]; the last counts missing values
	G, H   float64
	split  hsplit
	canDiv bool
}

// hgrower grows one tree on binned data with gradients g and hessians h.
type hgrower struct {
	bins     [][]uint8
	nbins    []int // non-missing bins per feature
	off      []int // feature f's histogram slots start at off[f]; off[p] is the total
	p, n     int
	g, h     []float64
	idx, tmp []int32
	og, oh   []float64
	cfg      *HGBParams
	pool     [][]binStat
	// Sparse features (one bin holds at least 7/8 of the samples: one-hot
	// columns): minor[f] lists the other samples, and a node's histogram
	// is summed from those that are in it, the majority slot major[f]
	// being the node's totals minus the rest. pos[i] is sample i's place
	// in idx.
	minor [][]int32
	major []int
	pos   []int32
}

// findSparse fills minor and major for the features with a majority bin.
func (gr *hgrower) findSparse() {
	gr.minor = make([][]int32, gr.p)
	gr.major = make([]int, gr.p)
	gr.pos = make([]int32, gr.n)
	if gr.n < 16 {
		return
	}
	parallel.For(gr.p, 1, func(lo, hi int) {
		var cnt [256]int
		for f := lo; f < hi; f++ {
			clear(cnt[:])
			col := gr.bins[f][:gr.n]
			for _, b := range col {
				cnt[b]++
			}
			best := 0
			for b, c := range cnt {
				if c > cnt[best] {
					best = b
				}
			}
			if 8*cnt[best] < 7*gr.n {
				continue
			}
			minor := make([]int32, 0, gr.n-cnt[best])
			for i, b := range col {
				if int(b) != best {
					minor = append(minor, int32(i))
				}
			}
			gr.minor[f], gr.major[f] = minor, min(best, gr.nbins[f])
		}
	})
}

func (gr *hgrower) getHist() []binStat {
	if k := len(gr.pool); k > 0 {
		h := gr.pool[k-1]
		gr.pool = gr.pool[:k-1]
		return h
	}
	return make([]binStat, gr.off[gr.p])
}

func (gr *hgrower) putHist(h []binStat) { gr.pool = append(gr.pool, h) }

// histogram fills hist with the per-bin sums of the samples idx[s:e].
func (gr *hgrower) histogram(s, e int, hist []binStat) {
	seg := gr.idx[s:e]
	m := e - s
	identity := m == gr.n // the root: idx is 0..n-1
	var og, oh []float64
	if identity {
		og, oh = gr.g, gr.h
	} else {
		og, oh = gr.og[:m], gr.oh[:m]
		for j, i := range seg {
			og[j] = gr.g[i]
			oh[j] = gr.h[i]
		}
	}
	// The node's totals, for the majority slots of sparse features.
	var tot binStat
	for j := range og[:m] {
		tot.G += og[j]
		tot.H += oh[j]
	}
	tot.N = int64(m)
	grain := 1
	if m*gr.p < 20000 {
		grain = gr.p
	}
	parallel.For(gr.p, grain, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			hs := hist[gr.off[f]:gr.off[f+1]:gr.off[f+1]]
			clear(hs)
			nb := len(hs) - 1 // the missing values' slot
			col := gr.bins[f]
			if minor := gr.minor[f]; minor != nil && len(minor) < m {
				rest := tot
				for _, i := range minor {
					if p := int(gr.pos[i]); p >= s && p < e {
						st := &hs[min(int(col[i]), nb)]
						st.G += gr.g[i]
						st.H += gr.h[i]
						st.N++
						rest.G -= gr.g[i]
						rest.H -= gr.h[i]
						rest.N--
					}
				}
				hs[gr.major[f]] = rest
				continue
			}
			if identity {
				col = col[:m]
				for j, b := range col {
					st := &hs[min(int(b), nb)]
					st.G += og[j]
					st.H += oh[j]
					st.N++
				}
			} else {
				for j, i := range seg {
					st := &hs[min(int(col[i]), nb)]
					st.G += og[j]
					st.H += oh[j]
					st.N++
				}
			}
		}
	})
}

func (gr *hgrower) leafValue(G, H float64) float64 {
	return -gr.cfg.LearningRate * G / (H + gr.cfg.L2Regularization)
}

// findSplit finds the best split of leaf l from its histogram.
func (gr *hgrower) findSplit(l *hleaf) {
	l.split = hsplit{gain: 0, feature: -1}
	cfg := gr.cfg
	n := l.e - l.s
	if (cfg.MaxDepth > 0 && l.depth >= cfg.MaxDepth) || n < 2*cfg.MinSamplesLeaf {
		l.canDiv = false
		return
	}
	lam := cfg.L2Regularization
	parentScore := l.G * l.G / (l.H + lam)
	msl := int64(cfg.MinSamplesLeaf)
	const minH = 1e-3
	best := make([]hsplit, gr.p)
	grain := gr.p
	parallel.For(gr.p, grain, func(lo, hi int) {
		for f := lo; f < hi; f++ {
			bs := hsplit{feature: -1}
			hs := l.hist[gr.off[f]:gr.off[f+1]]
			nb := gr.nbins[f]
			miss := hs[nb]
			// Missing values to the right (scan from the left), then to
			// the left (scan with missing added to the left side).
			for pass := 0; pass < 2; pass++ {
				if pass == 1 && miss.N == 0 {
					break
				}
				gl, hl, nl := 0.0, 0.0, int64(0)
				if pass == 1 {
					gl, hl, nl = miss.G, miss.H, miss.N
				}
				last := nb - 1
				if pass == 0 && miss.N > 0 {
					last = nb // all non-missing left, missing right
				}
				for b := 0; b < last; b++ {
					st := hs[b]
					gl += st.G
					hl += st.H
					nl += st.N
					nr := int64(n) - nl
					if nl < msl {
						continue
					}
					if nr < msl {
						break
					}
					hr := l.H - hl
					if hl < minH || hr < minH {
						continue
					}
					gR := l.G - gl
					gain := gl*gl/(hl+lam) + gR*gR/(hr+lam) - parentScore
					if gain > bs.gain {
						bs = hsplit{gain: gain, feature: f, bin: b, missLeft: pass == 1, gl: gl, hl: hl, nl: int(nl)}
					}
				}
			}
			if bs.feature >= 0 && miss.N == 0 {
				// No missing values seen: send them to the larger child.
				bs.missLeft = bs.nl >= n-bs.nl
			}
			best[f] = bs
		}
	})
	for _, bs := range best {
		if bs.feature >= 0 && bs.gain > l.split.gain {
			l.split = bs
		}
	}
	l.canDiv = l.split.feature >= 0
}

// grow grows a tree and returns it with, per leaf, the segment of idx it
// holds (for updating the training predictions).
func (gr *hgrower) grow(thr [][]float64) (*htree, []hleaf) {
	for i := range gr.idx {
		gr.idx[i] = int32(i)
		gr.pos[i] = int32(i)
	}
	t := &htree{}
	root := hleaf{s: 0, e: gr.n, hist: gr.getHist()}
	gr.histogram(0, gr.n, root.hist)
	for _, st := range root.hist[:gr.off[1]] {
		root.G += st.G
		root.H += st.H
	}
	t.Nodes = append(t.Nodes, hnode{Left: -1, Right: -1, Feature: -1})
	root.id = 0
	gr.findSplit(&root)
	open := []hleaf{root}
	var done []hleaf
	nLeaves := 1
	for len(open) > 0 {
		// The open leaf with the largest gain.
		bi := -1
		for i := range open {
			if open[i].canDiv && (bi < 0 || open[i].split.gain > open[bi].split.gain) {
				bi = i
			}
		}
		if bi < 0 || (gr.cfg.MaxLeafNodes > 0 && nLeaves >= gr.cfg.MaxLeafNodes) {
			break
		}
		l := open[bi]
		open = slices.Delete(open, bi, bi+1)
		sp := l.split
		// Partition idx[s:e] stably.
		col := gr.bins[sp.feature]
		seg := gr.idx[l.s:l.e]
		k, j := 0, 0
		r := gr.tmp[:len(seg)]
		bthr := uint8(sp.bin)
		// Missing values (bin 255 > any threshold) go right unless
		// missLeft; branch-free.
		var missL int
		if sp.missLeft {
			missL = 1
		}
		for _, i := range seg {
			b := col[i]
			var lv int
			if b <= bthr {
				lv = 1
			}
			if b == missingBin {
				lv = missL
			}
			seg[k] = i
			r[j] = i
			k += lv
			j += 1 - lv
		}
		copy(seg[k:], r[:j])
		for q, i := range seg {
			gr.pos[i] = int32(l.s + q)
		}
		mid := l.s + k
		lid, rid := int32(len(t.Nodes)), int32(len(t.Nodes)+1)
		thrv := math.Inf(1)
		if sp.bin < len(thr[sp.feature]) {
			thrv = thr[sp.feature][sp.bin]
		}
		t.Nodes[l.id] = hnode{Left: lid, Right: rid, Feature: int32(sp.feature), BinThr: bthr, MissLeft: sp.missLeft, Thr: thrv}
		t.Nodes = append(t.Nodes, hnode{Left: -1, Right: -1, Feature: -1}, hnode{Left: -1, Right: -1, Feature: -1})
		left := hleaf{s: l.s, e: mid, depth: l.depth + 1, id: lid, G: sp.gl, H: sp.hl}
		right := hleaf{s: mid, e: l.e, depth: l.depth + 1, id: rid, G: l.G - sp.gl, H: l.H - sp.hl}
		// Histogram of the smaller child by scanning; the larger one by
		// subtraction from the parent's.
		small, large := &left, &right
		if right.e-right.s < left.e-left.s {
			small, large = &right, &left
		}
		small.hist = gr.getHist()
		gr.histogram(small.s, small.e, small.hist)
		large.hist = l.hist
		for j := range large.hist {
			large.hist[j].G -= small.hist[j].G
			large.hist[j].H -= small.hist[j].H
			large.hist[j].N -= small.hist[j].N
		}
		nLeaves++
		for _, c := range []*hleaf{&left, &right} {
			gr.findSplit(c)
			if !c.canDiv {
				gr.putHist(c.hist)
				c.hist = nil
				done = append(done, *c)
			} else {
				open = append(open, *c)
			}
		}
	}
	for _, l := range open {
		gr.putHist(l.hist)
		l.hist = nil
		done = append(done, l)
	}
	for _, l := range done {
		t.Nodes[l.id].Value = gr.leafValue(l.G, l.H)
	}
	return t, done
}

// ---- the model ----

type hgbModel struct {
	Thr      [][]float64      `json:"bin_thresholds"`
	Baseline classical.Floats `json:"baseline"`
	K        int              `json:"k"`
	NFeat    int              `json:"n_features"`
	Classes  classical.Floats `json:"classes,omitempty"`
	NIter    int              `json:"n_iter"`
	Trees    []hgbTreeState   `json:"trees"`
	trees    []*htree
}

type hgbTreeState struct {
	Left     classical.Floats `json:"left"`
	Right    classical.Floats `json:"right"`
	Feature  classical.Floats `json:"feature"`
	Thr      classical.Floats `json:"threshold"`
	BinThr   classical.Floats `json:"bin_threshold"`
	MissLeft classical.Floats `json:"missing_left"`
	Value    classical.Floats `json:"value"`
}

func (m *hgbModel) fitted() bool { return len(m.trees) > 0 }

func (m *hgbModel) marshal() ([]byte, error) {
	if !m.fitted() {
		return []byte("null"), nil
	}
	cp := *m
	cp.Trees = nil
	for _, t := range m.trees {
		n := len(t.Nodes)
		st := hgbTreeState{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
		for i, nd := range t.Nodes {
			st.Left[i], st.Right[i], st.Feature[i] = float64(nd.Left), float64(nd.Right), float64(nd.Feature)
			st.Thr[i], st.BinThr[i], st.Value[i] = nd.Thr, float64(nd.BinThr), nd.Value
			if nd.MissLeft {
				st.MissLeft[i] = 1
			}
		}
		cp.Trees = append(cp.Trees, st)
	}
	return classical.MarshalFitted(true, &cp)
}

func (m *hgbModel) unmarshal(b []byte) error {
	var st hgbModel
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if st.K < 1 || len(st.Baseline) != st.K || len(st.Trees) == 0 || len(st.Trees)%st.K != 0 || st.NFeat < 1 {
		return errors.New("inconsistent boosting state")
	}
	for _, t := range st.Trees {
		n := len(t.Left)
		if n == 0 || len(t.Right) != n || len(t.Feature) != n || len(t.Thr) != n || len(t.BinThr) != n || len(t.MissLeft) != n || len(t.Value) != n {
			return errors.New("tree arrays of different lengths")
		}
		ht := &htree{Nodes: make([]hnode, n)}
		for i := 0; i < n; i++ {
			l, r, f := t.Left[i], t.Right[i], t.Feature[i]
			nd := hnode{Left: -1, Right: -1, Feature: -1, Value: t.Value[i]}
			if !(l == -1 && r == -1) {
				if l != math.Trunc(l) || r != math.Trunc(r) || l <= float64(i) || r <= float64(i) || l >= float64(n) || r >= float64(n) ||
					f != math.Trunc(f) || f < 0 || f >= float64(st.NFeat) || t.BinThr[i] < 0 || t.BinThr[i] > 254 || math.IsNaN(t.Thr[i]) {
					return fmt.Errorf("tree node %d is malformed", i)
				}
				nd = hnode{Left: int32(l), Right: int32(r), Feature: int32(f), Thr: t.Thr[i], BinThr: uint8(t.BinThr[i]), MissLeft: t.MissLeft[i] != 0}
			}
			ht.Nodes[i] = nd
		}
		st.trees = append(st.trees, ht)
	}
	st.Trees = nil
	*m = st
	return nil
}

func (m *hgbModel) raw(xm classical.Matrix) []float64 {
	K := m.K
	out := make([]float64, xm.Rows*K)
	parallel.For(xm.Rows, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xm.Row(i)
			o := out[i*K : (i+1)*K]
			copy(o, m.Baseline)
			for s, t := range m.trees {
				o[s%K] += t.predictRaw(row)
			}
		}
	})
	return out
}

// hgbLoss computes gradients, hessians and the loss.
type hgbLoss interface {
	baseline(y []float64) []float64
	gradients(raw []float64, y []float64, g, h [][]float64)
	loss(raw []float64, y []float64) float64
}

type squaredLoss struct{}

func (squaredLoss) baseline(y []float64) []float64 {
	s := 0.0
	for _, v := range y {
		s += v
	}
	return []float64{s / float64(len(y))}
}

func (squaredLoss) gradients(raw, y []float64, g, h [][]float64) {
	parallel.For(len(y), 8192, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			g[0][i] = raw[i] - y[i]
			h[0][i] = 1
		}
	})
}

func (squaredLoss) loss(raw, y []float64) float64 {
	s := 0.0
	for i := range y {
		d := raw[i] - y[i]
		s += 0.5 * d * d
	}
	return s / float64(len(y))
}

// logLoss is binomial (K = 1) or multinomial; y holds class indices.
type logLoss struct{ K, nc int }

func (l logLoss) baseline(y []float64) []float64 {
	cnt := make([]float64, l.nc)
	for _, v := range y {
		cnt[int(v)]++
	}
	n := float64(len(y))
	if l.K == 1 {
		p := math.Min(math.Max(cnt[1]/n, 1e-15), 1-1e-15)
		return []float64{math.Log(p / (1 - p))}
	}
	out := make([]float64, l.K)
	mean := 0.0
	for k := range out {
		out[k] = math.Log(math.Max(cnt[k]/n, 1e-15))
		mean += out[k]
	}
	for k := range out {
		out[k] -= mean / float64(l.K)
	}
	return out
}

func (l logLoss) gradients(raw, y []float64, g, h [][]float64) {
	K := l.K
	parallel.For(len(y), 4096, func(lo, hi int) {
		pr := make([]float64, K)
		for i := lo; i < hi; i++ {
			if K == 1 {
				p := expit(raw[i])
				g[0][i] = p - y[i]
				h[0][i] = p * (1 - p)
				continue
			}
			softmax(raw[i*K:(i+1)*K], pr)
			for k := 0; k < K; k++ {
				yk := 0.0
				if int(y[i]) == k {
					yk = 1
				}
				g[k][i] = pr[k] - yk
				h[k][i] = pr[k] * (1 - pr[k])
			}
		}
	})
}

func (l logLoss) loss(raw, y []float64) float64 {
	K := l.K
	s := 0.0
	pr := make([]float64, K)
	for i := range y {
		if K == 1 {
			z := raw[i]
			// log(1 + exp(z)) - y z
			if z > 0 {
				s += z + math.Log1p(math.Exp(-z)) - y[i]*z
			} else {
				s += math.Log1p(math.Exp(z)) - y[i]*z
			}
			continue
		}
		softmax(raw[i*K:(i+1)*K], pr)
		s -= math.Log(math.Max(pr[int(y[i])], 1e-300))
	}
	return s / float64(len(y))
}

// fitHGB fits the booster; y holds targets (regression) or class indices.
func fitHGB(ctx context.Context, est string, p *HGBParams, xm classical.Matrix, y []float64, lf hgbLoss, K int, stratify []int32) (hgbModel, error) {
	if err := p.validate(est); err != nil {
		return hgbModel{}, err
	}
	n := xm.Rows
	rng := rand.New(rand.NewPCG(p.Seed, 0x5bd1e995))
	early := p.EarlyStopping == "on" || (p.EarlyStopping == "auto" && n > 10000)
	var trainRows, valRows []int
	if early {
		trainRows, valRows = splitRows(n, p.ValidationFraction, stratify, rng)
		if len(valRows) == 0 || len(trainRows) == 0 {
			early = false
		}
	}
	if !early {
		trainRows = make([]int, n)
		for i := range trainRows {
			trainRows[i] = i
		}
		valRows = nil
	}
	bm := fitBins(xm, trainRows, p.MaxBins, rng)
	bins := bm.transform(xm, trainRows)
	ytr := make([]float64, len(trainRows))
	for j, i := range trainRows {
		ytr[j] = y[i]
	}
	var vbins [][]uint8
	var yval []float64
	if early {
		vbins = bm.transform(xm, valRows)
		yval = make([]float64, len(valRows))
		for j, i := range valRows {
			yval[j] = y[i]
		}
	}
	m := hgbModel{Thr: bm.Thr, K: K, NFeat: xm.Cols}
	m.Baseline = lf.baseline(ytr)
	nt := len(trainRows)
	raw := make([]float64, nt*K)
	for i := 0; i < nt; i++ {
		copy(raw[i*K:], m.Baseline)
	}
	vraw := make([]float64, len(valRows)*K)
	for i := range valRows {
		copy(vraw[i*K:], m.Baseline)
	}
	g, h := make([][]float64, K), make([][]float64, K)
	for k := range g {
		g[k], h[k] = make([]float64, nt), make([]float64, nt)
	}
	gr := &hgrower{bins: bins, p: xm.Cols, n: nt, idx: make([]int32, nt), tmp: make([]int32, nt),
		og: make([]float64, nt), oh: make([]float64, nt), cfg: p}
	gr.nbins = make([]int, xm.Cols)
	gr.off = make([]int, xm.Cols+1)
	for f := range gr.nbins {
		gr.nbins[f] = len(bm.Thr[f]) + 1
		gr.off[f+1] = gr.off[f] + gr.nbins[f] + 1
	}
	gr.findSparse()
	var scores []float64
	if early {
		scores = append(scores, -lf.loss(vraw, yval))
	}
	for it := 0; it < p.MaxIter; it++ {
		if err := classical.CheckContext(ctx, est); err != nil {
			return hgbModel{}, err
		}
		lf.gradients(raw, ytr, g, h)
		for k := 0; k < K; k++ {
			gr.g, gr.h = g[k], h[k]
			t, leaves := gr.grow(bm.Thr)
			for _, l := range leaves {
				v := t.Nodes[l.id].Value
				for _, i := range gr.idx[l.s:l.e] {
					raw[int(i)*K+k] += v
				}
			}
			if early {
				parallel.For(len(valRows), 2048, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						vraw[i*K+k] += t.predictBinned(vbins, i)
					}
				})
			}
			m.trees = append(m.trees, t)
		}
		m.NIter = it + 1
		if early {
			scores = append(scores, -lf.loss(vraw, yval))
			if shouldStop(scores, p.NIterNoChange, p.Tol) {
				break
			}
		}
	}
	return m, nil
}

// shouldStop is scikit-learn's rule: stop when none of the last n scores
// beats the score n+1 iterations ago by more than tol.
func shouldStop(scores []float64, n int, tol float64) bool {
	if len(scores) < n+1 {
		return false
	}
	ref := scores[len(scores)-n-1]
	for _, s := range scores[len(scores)-n:] {
		if s > ref+tol {
			return false
		}
	}
	return true
}

// splitRows holds out a fraction of the rows (stratified by class when
// stratify is not nil).
func splitRows(n int, frac float64, stratify []int32, rng *rand.Rand) (train, val []int) {
	perm := rng.Perm(n)
	if stratify == nil {
		nv := max(1, int(math.Ceil(frac*float64(n))))
		val = slices.Clone(perm[:nv])
		train = slices.Clone(perm[nv:])
	} else {
		byClass := map[int32][]int{}
		for _, i := range perm {
			byClass[stratify[i]] = append(byClass[stratify[i]], i)
		}
		keys := make([]int32, 0, len(byClass))
		for k := range byClass {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			rows := byClass[k]
			nv := int(math.Round(frac * float64(len(rows))))
			val = append(val, rows[:nv]...)
			train = append(train, rows[nv:]...)
		}
	}
	slices.Sort(train)
	slices.Sort(val)
	return train, val
}

// HistGradientBoostingRegressor is gradient boosting on binned features
// with the squared error, like scikit-learn's and LightGBM: up to 255
// quantile bins per feature plus one for missing values (NaN is accepted
// in X and sent down the side that fits best), histogram subtraction,
// best-first trees, L2 regularisation and early stopping.
type HistGradientBoostingRegressor struct {
	HGBParams
	m hgbModel
}

// NewHistGradientBoostingRegressor returns a model with scikit-learn's
// defaults.
func NewHistGradientBoostingRegressor() *HistGradientBoostingRegressor {
	return &HistGradientBoostingRegressor{HGBParams: defaultHGB()}
}

// GetParams implements classical.Estimator.
func (r *HistGradientBoostingRegressor) GetParams() map[string]any { return r.list().Get() }

// SetParams implements classical.Estimator.
func (r *HistGradientBoostingRegressor) SetParams(m map[string]any) error {
	return r.list().Set("HistGradientBoostingRegressor", m)
}

// Clone implements classical.Estimator.
func (r *HistGradientBoostingRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewHistGradientBoostingRegressor)
}

var nanOK = classical.CheckOptions{AllowNaN: true}

// Fit boosts on X [n, p] (NaN = missing) and targets y [n].
func (r *HistGradientBoostingRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "HistGradientBoostingRegressor"
	xm, ys, err := classical.CheckXYOpts(est, X, y, nanOK)
	if err != nil {
		return err
	}
	m, err := fitHGB(ctx, est, &r.HGBParams, xm, ys, squaredLoss{}, 1, nil)
	if err != nil {
		return err
	}
	r.m = m
	return nil
}

// Predict returns the boosted prediction.
func (r *HistGradientBoostingRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	if !r.m.fitted() {
		return nil, classical.NotFitted("HistGradientBoostingRegressor")
	}
	xm, err := classical.CheckFeaturesOpts("HistGradientBoostingRegressor", X, r.m.NFeat, nanOK)
	if err != nil {
		return nil, err
	}
	return classical.Vector(r.m.raw(xm)), nil
}

// Score returns R² on (X, y).
func (r *HistGradientBoostingRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("HistGradientBoostingRegressor", r.Predict, X, y, classical.R2)
}

// NIter returns the number of boosting iterations run (n_iter_).
func (r *HistGradientBoostingRegressor) NIter() int { return r.m.NIter }

// TypeName implements classical.Persistable.
func (r *HistGradientBoostingRegressor) TypeName() string {
	return "ensemble.HistGradientBoostingRegressor"
}

// MarshalState implements classical.Persistable.
func (r *HistGradientBoostingRegressor) MarshalState() ([]byte, error) { return r.m.marshal() }

// UnmarshalState implements classical.Persistable.
func (r *HistGradientBoostingRegressor) UnmarshalState(b []byte) error {
	var m hgbModel
	if err := m.unmarshal(b); err != nil {
		return err
	}
	if m.K != 1 {
		return errors.New("regressor must have one output")
	}
	r.m = m
	return nil
}

// HistGradientBoostingClassifier is histogram gradient boosting on the
// log-loss: binomial for two classes, multinomial (one tree per class and
// iteration) otherwise. See HistGradientBoostingRegressor.
type HistGradientBoostingClassifier struct {
	HGBParams
	m hgbModel
}

// NewHistGradientBoostingClassifier returns a model with scikit-learn's
// defaults.
func NewHistGradientBoostingClassifier() *HistGradientBoostingClassifier {
	return &HistGradientBoostingClassifier{HGBParams: defaultHGB()}
}

// GetParams implements classical.Estimator.
func (c *HistGradientBoostingClassifier) GetParams() map[string]any { return c.list().Get() }

// SetParams implements classical.Estimator.
func (c *HistGradientBoostingClassifier) SetParams(m map[string]any) error {
	return c.list().Set("HistGradientBoostingClassifier", m)
}

// Clone implements classical.Estimator.
func (c *HistGradientBoostingClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewHistGradientBoostingClassifier)
}

// Fit boosts on X [n, p] (NaN = missing) and labels y [n].
func (c *HistGradientBoostingClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "HistGradientBoostingClassifier"
	xm, ys, err := classical.CheckXYOpts(est, X, y, nanOK)
	if err != nil {
		return err
	}
	classes, idx, err := encodeClasses(est, ys)
	if err != nil {
		return err
	}
	K := nOutputs(len(classes))
	yi := make([]float64, len(idx))
	for i, k := range idx {
		yi[i] = float64(k)
	}
	m, err := fitHGB(ctx, est, &c.HGBParams, xm, yi, logLoss{K: K, nc: len(classes)}, K, idx)
	if err != nil {
		return err
	}
	m.Classes = classes
	c.m = m
	return nil
}

func (c *HistGradientBoostingClassifier) check(X *tensor.Tensor) (classical.Matrix, error) {
	if !c.m.fitted() {
		return classical.Matrix{}, classical.NotFitted("HistGradientBoostingClassifier")
	}
	return classical.CheckFeaturesOpts("HistGradientBoostingClassifier", X, c.m.NFeat, nanOK)
}

// DecisionFunction returns the raw scores: [n] for two classes, [n,
// classes] otherwise.
func (c *HistGradientBoostingClassifier) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return rawScores(c.m.raw(xm), xm.Rows, c.m.K), nil
}

// PredictProba returns the class probabilities [n, classes].
func (c *HistGradientBoostingClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(rawToProba(c.m.raw(xm), xm.Rows, c.m.K), xm.Rows, len(c.m.Classes)), nil
}

// Predict returns the most probable class.
func (c *HistGradientBoostingClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return classical.Vector(rawToLabels(c.m.raw(xm), xm.Rows, c.m.K, c.m.Classes)), nil
}

// Score returns the accuracy on (X, y).
func (c *HistGradientBoostingClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("HistGradientBoostingClassifier", c.Predict, X, y, classical.Accuracy)
}

// Classes returns the sorted labels (classes_).
func (c *HistGradientBoostingClassifier) Classes() []float64 { return slices.Clone(c.m.Classes) }

// NIter returns the number of boosting iterations run (n_iter_).
func (c *HistGradientBoostingClassifier) NIter() int { return c.m.NIter }

// TypeName implements classical.Persistable.
func (c *HistGradientBoostingClassifier) TypeName() string {
	return "ensemble.HistGradientBoostingClassifier"
}

// MarshalState implements classical.Persistable.
func (c *HistGradientBoostingClassifier) MarshalState() ([]byte, error) { return c.m.marshal() }

// UnmarshalState implements classical.Persistable.
func (c *HistGradientBoostingClassifier) UnmarshalState(b []byte) error {
	var m hgbModel
	if err := m.unmarshal(b); err != nil {
		return err
	}
	if err := checkOutputs(len(m.Classes), m.K); err != nil {
		return err
	}
	c.m = m
	return nil
}
