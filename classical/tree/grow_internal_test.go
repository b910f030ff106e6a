package tree

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ember-ml/ember/classical"
)

// TestSortingModeGrowsTheSameTree grows trees with presorted orderings
// only, with sorting from the root, and with the automatic switch, on data
// with tied numeric columns and one-hot columns, and requires identical
// trees for every criterion.
func TestSortingModeGrowsTheSameTree(t *testing.T) {
	defer func() { sortMode = 0 }()
	r := rand.New(rand.NewPCG(3, 4))
	const n, numeric, onehot = 300, 8, 40
	p := numeric + onehot
	X := make([]float64, n*p)
	for i := range n {
		for f := range numeric {
			X[i*p+f] = float64(r.IntN(12)) / 4 // many ties
		}
		X[i*p+numeric+r.IntN(onehot)] = 1 // one category per row
	}
	cls := make([]int32, n)
	y := make([]float64, n)
	w := make([]float64, n)
	for i := range n {
		y[i] = X[i*p] + 2*X[i*p+numeric] - X[i*p+numeric+1] + r.NormFloat64()/4
		cls[i] = int32(min(max(int(y[i]+0.5), 0), 2))
		w[i] = float64(r.IntN(3)) // bootstrap-like counts, zeros included
	}
	ps := Presort(classical.Matrix{Rows: n, Cols: p, Data: X})
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
