package ensemble

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sparseBins returns binned data for n samples: 20 one-hot columns (a
// few ones), 5 mostly missing ones with three bins, and 5 dense ones with
// eight bins, and its bin counts.
func sparseBins(r *rand.Rand, n int) ([][]uint8, []int) {
	const p = 30
	bins := make([][]uint8, p)
	nbins := make([]int, p)
	for f := range bins {
		bins[f] = make([]uint8, n)
		nbins[f] = 2
		switch {
		case f < 20:
			for i := range bins[f] {
				if r.IntN(40) == 0 {
					bins[f][i] = 1
				}
			}
		case f < 25:
			nbins[f] = 3
			for i := range bins[f] {
				bins[f][i] = missingBin
				if r.IntN(12) == 0 {
					bins[f][i] = uint8(r.IntN(3))
				}
			}
		default:
			nbins[f] = 8
			for i := range bins[f] {
				bins[f][i] = uint8(r.IntN(8))
			}
		}
	}
	return bins, nbins
}

// newTestGrower returns a grower on bins with random gradients and
// hessians.
func newTestGrower(r *rand.Rand, bins [][]uint8, nbins []int, cfg *HGBParams) *hgrower {
	p, n := len(bins), len(bins[0])
	gr := &hgrower{bins: bins, nbins: nbins, p: p, n: n, idx: make([]int32, n), tmp: make([]int32, n),
		g: make([]float64, n), h: make([]float64, n), og: make([]float64, n), oh: make([]float64, n), cfg: cfg}
	gr.off = make([]int, p+1)
	for f := range nbins {
		gr.off[f+1] = gr.off[f] + nbins[f] + 1
	}
	for i := range gr.g {
		gr.g[i], gr.h[i] = r.NormFloat64(), r.Float64()
	}
	gr.findSparse()
	return gr
}

// TestSparseHistogram compares the histograms summed from a sparse
// feature's minority samples (the majority slot by subtraction) with the
// full scan, on random nodes of one-hot and mostly-missing columns.
func TestSparseHistogram(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 7))
	const n, p = 600, 30
	bins, nbins := sparseBins(r, n)
	gr := newTestGrower(r, bins, nbins, nil)
	nSparse := 0
	for _, m := range gr.minor {
		if m != nil {
			nSparse++
		}
	}
	if nSparse != 25 {
		t.Fatalf("%d sparse features, want 25", nSparse)
	}
	minor := gr.minor
	for trial := 0; trial < 50; trial++ {
		perm := r.Perm(n)
		for k, i := range perm {
			gr.idx[k] = int32(i)
			gr.pos[i] = int32(k)
		}
		s := r.IntN(n / 2)
		e := s + 1 + r.IntN(n-s)
		if trial == 0 {
			s, e = 0, n // the whole set, as at the root (but in another order)
		}
		sparse, dense := make([]binStat, gr.off[p]), make([]binStat, gr.off[p])
		gr.minor = minor
		gr.histogram(s, e, sparse)
		gr.minor = make([][]int32, p)
		gr.histogram(s, e, dense)
		for k := range dense {
			a, b := sparse[k], dense[k]
			if a.N != b.N || math.Abs(a.G-b.G) > 1e-9 || math.Abs(a.H-b.H) > 1e-9 {
				t.Fatalf("node [%d, %d) slot %d: sparse %+v, full scan %+v", s, e, k, a, b)
			}
		}
	}
}

// TestSparseHistogramTrees grows whole trees with and without the sparse
// histograms: the same splits, leaf values within rounding.
func TestSparseHistogramTrees(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	bins, nbins := sparseBins(r, 2000)
	thr := make([][]float64, len(bins))
	for f, nb := range nbins {
		for b := 0; b+1 < nb; b++ {
			thr[f] = append(thr[f], float64(b)+0.5)
		}
	}
	cfg := &HGBParams{LearningRate: 0.1, MaxLeafNodes: 31, MinSamplesLeaf: 5, L2Regularization: 0.1}
	gr := newTestGrower(r, bins, nbins, cfg)
	minor := gr.minor
	grow := func(sparse bool) (*htree, []hleaf) {
		gr.minor = make([][]int32, gr.p)
		if sparse {
			gr.minor = minor
		}
		return gr.grow(thr)
	}
	t1, l1 := grow(true)
	t2, _ := grow(false)
	if len(t1.Nodes) != len(t2.Nodes) || len(t1.Nodes) < 41 {
		t.Fatalf("%d and %d nodes (want equal, and at least 41)", len(t1.Nodes), len(t2.Nodes))
	}
	usedSparse := false
	for i, a := range t1.Nodes {
		b := t2.Nodes[i]
		if a.Left != b.Left || a.Feature != b.Feature || a.BinThr != b.BinThr || a.MissLeft != b.MissLeft || math.Abs(a.Value-b.Value) > 1e-12 {
			t.Fatalf("node %d: sparse %+v, full scan %+v", i, a, b)
		}
		usedSparse = usedSparse || a.Left >= 0 && a.Feature < 25
	}
	if !usedSparse {
		t.Error("no split on a sparse feature; the test does not exercise the sparse path")
	}
	if len(l1) == 0 {
		t.Error("no leaves")
	}
}
