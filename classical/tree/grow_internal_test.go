package tree

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
)

// mixedData returns n rows of 8 numeric columns with many ties, 40
// one-hot columns and 4 columns mostly 0 with values either side, a class (3) and a numeric target, and bootstrap-like
// integer weights, zeros included.
func mixedData(n int) (ps *Presorted, cls []int32, y, w []float64) {
	r := rand.New(rand.NewPCG(3, 4))
	const numeric, onehot, mostlyZero = 8, 40, 4
	p := numeric + onehot + mostlyZero
	X := make([]float64, n*p)
	for i := range n {
		for f := range numeric {
			X[i*p+f] = float64(r.IntN(12)) / 4 // many ties
		}
		X[i*p+numeric+r.IntN(onehot)] = 1 // one category per row
		for f := p - mostlyZero; f < p; f++ {
			if r.IntN(20) == 0 {
				X[i*p+f] = float64(r.IntN(11)-5) / 2 // either side of 0
			}
		}
	}
	cls = make([]int32, n)
	y = make([]float64, n)
	w = make([]float64, n)
	for i := range n {
		y[i] = X[i*p] + 2*X[i*p+numeric] - X[i*p+numeric+1] + r.NormFloat64()/4
		cls[i] = int32(min(max(int(y[i]+0.5), 0), 2))
		w[i] = float64(r.IntN(3))
	}
	return Presort(classical.Matrix{Rows: n, Cols: p, Data: X}), cls, y, w
}

// TestSortingModeGrowsTheSameTree grows trees with presorted orderings
// only, with sorting from the root, and with the automatic switch, on data
// with tied numeric columns and one-hot columns, and requires identical
// trees for every criterion.
func TestSortingModeGrowsTheSameTree(t *testing.T) {
	defer func() { sortMode, sparseOff = 0, false }()
	sparseOff = true // see TestSparseSplit
	ps, cls, y, w := mixedData(300)
	for _, c := range []Criterion{Gini, Entropy, SquaredError, AbsoluteError} {
		for _, mf := range []int{0, 3, 7} {
			for _, weighted := range []bool{false, true} {
				tg := Target{Y: y}
				if c.Classification() {
					tg = Target{Class: cls}
				}
				if weighted {
					tg.W = w
				}
				spec := Spec{Criterion: c, NClasses: 3, MaxFeatures: mf, MinSamplesLeaf: 2}
				grow := func(mode int) *Tree {
					sortMode = mode
					tr, err := Grow(context.Background(), ps, tg, spec, rand.New(rand.NewPCG(7, uint64(mf))))
					if err != nil {
						t.Fatal(err)
					}
					return tr
				}
				want := grow(-1)
				for _, mode := range []int{1, 0} {
					if msg := sameTree(grow(mode), want); msg != "" {
						t.Errorf("criterion %v, max features %d, weighted %v, mode %d: %s", c, mf, weighted, mode, msg)
					}
				}
				if len(want.Nodes) < 15 {
					t.Errorf("criterion %v: only %d nodes; the test wants deeper trees", c, len(want.Nodes))
				}
			}
		}
	}
}

// sameTree compares two trees: the structure, features, thresholds and
// sample counts exactly; impurities, weights and values within 1e-12
// relative, as a node's samples may be summed in another order.
func sameTree(got, want *Tree) string {
	if len(got.Nodes) != len(want.Nodes) {
		return fmt.Sprintf("%d nodes, want %d", len(got.Nodes), len(want.Nodes))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }
	for i, g := range got.Nodes {
		w := want.Nodes[i]
		if g.Left != w.Left || g.Right != w.Right || g.Feature != w.Feature || g.Threshold != w.Threshold || g.NSamples != w.NSamples {
			return fmt.Sprintf("node %d is %+v, want %+v", i, g, w)
		}
		if !near(g.Impurity, w.Impurity) || !near(g.WeightedNSamples, w.WeightedNSamples) {
			return fmt.Sprintf("node %d impurity %v weight %v, want %v %v", i, g.Impurity, g.WeightedNSamples, w.Impurity, w.WeightedNSamples)
		}
	}
	for i, v := range got.Value {
		if !near(v, want.Value[i]) {
			return fmt.Sprintf("value %d is %v, want %v", i, v, want.Value[i])
		}
	}
	return ""
}

// TestSparseSplit checks the sparse path (one-hot columns scanned through
// their minority) against bestSplit on the same node's samples in order:
// for every criterion, weighted or not, on random nodes, the same best
// split (a tie within 1e-9 may go either way). With the Gini criterion
// and integer weights the arithmetic is exact, so whole trees are equal.
func TestSparseSplit(t *testing.T) {
	defer func() { sparseOff = false }()
	ps, cls, y, w := mixedData(400)
	nSparse := 0
	for f := range ps.P {
		if ps.sparse(f) {
			nSparse++
		}
	}
	if nSparse != 44 {
		t.Fatalf("%d sparse features, want the 40 one-hot and 4 mostly-zero columns", nSparse)
	}
	r := rand.New(rand.NewPCG(5, 6))
	checked := 0
	real := make([]float64, len(w)) // AdaBoost-like weights
	for i := range real {
		real[i] = w[i] * r.Float64()
	}
	for _, c := range []Criterion{Gini, Entropy, SquaredError} {
		for _, weights := range [][]float64{nil, w, real} {
			weighted := weights != nil
			tg := Target{Y: y}
			if c.Classification() {
				tg = Target{Class: cls}
			}
			tg.W = weights
			g, _, err := newGrower(context.Background(), ps, tg, Spec{Criterion: c, NClasses: 3, MinSamplesLeaf: 1 + r.IntN(2)}, r)
			if err != nil {
				t.Fatal(err)
			}
			for trial := 0; trial < 200; trial++ {
				// A random node: a random subset of the samples moved to
				// [s, e) of samp, in increasing order as samp keeps them.
				m := len(g.samp)
				s := r.IntN(m / 2)
				e := s + 2 + r.IntN(m-s-1)
				if trial%2 == 0 {
					e = s + 2 + r.IntN(8) // small nodes: the run may be absent
				}
				r.Shuffle(m, func(a, b int) { g.samp[a], g.samp[b] = g.samp[b], g.samp[a] })
				slices.Sort(g.samp[s:e])
				for k, i := range g.samp {
					g.pos[i] = int32(k)
				}
				val := make([]float64, g.K)
				wn, _ := g.nodeValue(g.samp[s:e], val)
				g.setNodeTot(s, e, val)
				for f := range ps.P {
					if !ps.sparse(f) {
						continue
					}
					want := split{proxy: math.Inf(-1), feature: -1}
					seg := slices.Clone(g.sortBy(g.samp[s:e], ps.Cols[f]))
					if seg != nil {
						g.bestSplit(f, seg, ps.Cols[f], wn, val, &want)
					}
					got := split{proxy: math.Inf(-1), feature: -1}
					col := ps.Cols[f]
					isConst := seg == nil || col[seg[len(seg)-1]] <= col[seg[0]]+featureThreshold
					seg2, done := g.sparseSplit(f, s, e, wn, val, &got)
					if !done && seg2 != nil {
						g.bestSplit(f, seg2, col, wn, val, &got)
					}
					if done {
						checked++
					}
					if gotConst := !done && (seg2 == nil || col[seg2[len(seg2)-1]] <= col[seg2[0]]+featureThreshold); gotConst != isConst {
						t.Fatalf("criterion %v feature %d node of %d: constant %v, want %v", c, f, e-s, gotConst, isConst)
					}
					// Equal proxies (one sample split off either end, say)
					// may pick either position.
					tie := got.feature < 0 || math.Abs(got.proxy-want.proxy) <= 1e-9*max(1, math.Abs(want.proxy))
					if got.feature != want.feature || !tie || got.pos == want.pos && got.thr != want.thr {
						t.Fatalf("criterion %v weighted %v feature %d node of %d: sparse split %+v, bestSplit %+v", c, weighted, f, e-s, got, want)
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d nodes took the sparse path", checked)
	}
	for _, weighted := range []bool{false, true} {
		tg := Target{Class: cls}
		if weighted {
			tg.W = w
		}
		for _, mf := range []int{0, 5} {
			grow := func(off bool) *Tree {
				sparseOff = off
				tr, err := Grow(context.Background(), ps, tg, Spec{Criterion: Gini, NClasses: 3, MaxFeatures: mf}, rand.New(rand.NewPCG(1, 1)))
				if err != nil {
					t.Fatal(err)
				}
				return tr
			}
			if msg := sameTree(grow(false), grow(true)); msg != "" {
				t.Errorf("gini, weighted %v, max features %d: %s", weighted, mf, msg)
			}
		}
	}
}

// TestModesAgreeOnSparseData grows Gini trees (exact arithmetic with
// integer weights) on many one-hot columns with few ones, where small
// nodes often hold none of a column's majority value, in sorting mode and
// in presorted mode with the sparse path: the trees must be equal.
func TestModesAgreeOnSparseData(t *testing.T) {
	defer func() { sortMode = 0 }()
	m, cls, w := fewOnesData()
	ps := Presort(m)
	for _, mf := range []int{0, 3, 24} {
		for _, wt := range [][]float64{nil, w} {
			grow := func(mode int) *Tree {
				sortMode = mode
				tr, err := Grow(context.Background(), ps, Target{Class: cls, W: wt}, Spec{Criterion: Gini, NClasses: 2, MaxFeatures: mf}, rand.New(rand.NewPCG(1, 1)))
				if err != nil {
					t.Fatal(err)
				}
				return tr
			}
			if msg := sameTree(grow(1), grow(-1)); msg != "" {
				t.Errorf("max features %d, weighted %v: %s", mf, wt != nil, msg)
			}
		}
	}
}

// TestRandomSparseSplit grows extremely randomised trees (Columns, random
// thresholds) with and without the sparse path for one-hot columns: with
// class counts the arithmetic is exact, so the trees must be equal.
func TestRandomSparseSplit(t *testing.T) {
	defer func() { sparseOff = false }()
	m, cls, w := fewOnesData()
	ps := Columns(m)
	nSparse := 0
	for f := range ps.P {
		if ps.sparse(f) {
			nSparse++
		}
	}
	if nSparse < 500 {
		t.Fatalf("%d sparse columns, want the one-hot ones", nSparse)
	}
	for _, c := range []Criterion{Gini, Entropy} {
		for _, mf := range []int{0, 3, 24} {
			for _, wt := range [][]float64{nil, w} {
				grow := func(off bool) *Tree {
					sparseOff = off
					tr, err := Grow(context.Background(), ps, Target{Class: cls, W: wt}, Spec{Criterion: c, NClasses: 2, MaxFeatures: mf, Random: true}, rand.New(rand.NewPCG(1, 1)))
					if err != nil {
						t.Fatal(err)
					}
					return tr
				}
				if msg := sameTree(grow(false), grow(true)); msg != "" {
					t.Errorf("criterion %v, max features %d, weighted %v: %s", c, mf, wt != nil, msg)
				}
			}
		}
	}
}

// fewOnesData returns 500 rows of 6 numeric columns and 600 one-hot
// columns with few ones each, two classes and bootstrap-like weights.
func fewOnesData() (classical.Matrix, []int32, []float64) {
	r := rand.New(rand.NewPCG(3, 4))
	const n, numeric, onehot = 500, 6, 600
	p := numeric + onehot
	X := make([]float64, n*p)
	cls := make([]int32, n)
	w := make([]float64, n)
	for i := range n {
		for f := range numeric {
			X[i*p+f] = float64(r.IntN(30)) / 4
		}
		X[i*p+numeric+r.IntN(onehot)] = 1
		X[i*p+numeric+r.IntN(onehot/10)] = 1
		cls[i] = int32(r.IntN(2))
		if X[i*p] > 3 {
			cls[i] = 1
		}
		w[i] = float64(r.IntN(3))
	}
	return classical.Matrix{Rows: n, Cols: p, Data: X}, cls, w
}

// TestSortedOrder compares sortedOrder (with its one-pass path for two
// values) and columnsOf with plain sorting and indexing.
func TestSortedOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, k := range []int{1, 2, 3, 50} { // distinct values
		for _, n := range []int{0, 1, 2, 7, 100} {
			col := make([]float64, n)
			for i := range col {
				col[i] = float64(r.IntN(k)) - 0.5
			}
			want := make([]int32, n)
			for i := range want {
				want[i] = int32(i)
			}
			slices.SortStableFunc(want, func(a, b int32) int { return cmp.Compare(col[a], col[b]) })
			if got := sortedOrder(col); !slices.Equal(got, want) {
				t.Errorf("%d values, n %d: order %v, want %v (column %v)", k, n, got, want, col)
			}
		}
	}
	m := classical.Matrix{Rows: 300, Cols: 37, Data: make([]float64, 300*37)}
	for i := range m.Data {
		m.Data[i] = r.NormFloat64()
	}
	for f, col := range columnsOf(m) {
		for i, v := range col {
			if v != m.Data[i*37+f] {
				t.Fatalf("columnsOf: column %d row %d is %v, want %v", f, i, v, m.Data[i*37+f])
			}
		}
	}
}

// TestHandBuiltPresorted grows a tree on a Presorted built by hand (every
// ordering, no runs), as callers outside the package may, and checks that
// Columns data is refused by the best splitter.
func TestHandBuiltPresorted(t *testing.T) {
	defer func() { sortMode = 0 }()
	sortMode = -1
	ps := &Presorted{N: 4, P: 1, Cols: [][]float64{{0, 1, 2, 3}}, Order: [][]int32{{0, 1, 2, 3}}}
	tr, err := Grow(context.Background(), ps, Target{Class: []int32{0, 0, 1, 1}}, Spec{Criterion: Gini, NClasses: 2}, rand.New(rand.NewPCG(1, 1)))
	if err != nil || len(tr.Nodes) != 3 || tr.Nodes[0].Threshold != 1.5 {
		t.Fatalf("tree %+v, err %v; want one split at 1.5", tr, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("the best splitter on Columns data did not panic")
		}
	}()
	cols := Columns(classical.Matrix{Rows: 4, Cols: 1, Data: []float64{0, 1, 2, 3}})
	Grow(context.Background(), cols, Target{Class: []int32{0, 0, 1, 1}}, Spec{Criterion: Gini, NClasses: 2}, rand.New(rand.NewPCG(1, 1)))
}
