// Package anomaly holds unsupervised outlier detectors: IsolationForest,
// as scikit-learn's, with its own randomised isolation trees.
package anomaly

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("anomaly.IsolationForest", func() classical.Estimator { return NewIsolationForest() })
}

// IsolationForest detects anomalies by how quickly random axis-aligned
// splits isolate a sample (Liu, Ting and Zhou, 2008), as scikit-learn's
// IsolationForest: each of n_estimators trees is grown on max_samples
// samples drawn without replacement (with, when bootstrap), on a random
// max_features subset of the features, splitting on a random non-constant
// feature at a uniform threshold between its smallest and largest value in
// the node, until a node holds one sample, its samples are all equal, or
// the depth reaches ceil(log2(max_samples)). A sample's path length is the
// depth of its leaf plus the expected depth c(n) of an unbuilt tree over the
// leaf's n training samples; ScoreSamples is -2^(-mean path length /
// c(max_samples)), between -1 (most abnormal) and 0.
//
// DecisionFunction is ScoreSamples minus an offset: -0.5 with
// contamination "auto" (the original paper's threshold), or the
// contamination quantile of the training scores. Predict returns -1 for
// outliers (negative decision) and +1 for inliers. Trees are grown in
// parallel, each from its own seed drawn from random_state, so results do
// not depend on the number of workers.
type IsolationForest struct {
	// NEstimators ("n_estimators"), default 100.
	NEstimators int
	// MaxSamples ("max_samples"): "auto" (default, min(256, n_samples)), an
	// int count >= 2 or a fraction of n_samples in (0, 1] (1 means all).
	MaxSamples any
	// Contamination ("contamination"): "auto" (default) or the expected
	// fraction of outliers in (0, 0.5].
	Contamination any
	// MaxFeatures ("max_features"): the fraction of features each tree
	// sees, in (0, 1], default 1.
	MaxFeatures float64
	// Bootstrap ("bootstrap") draws each tree's samples with replacement.
	Bootstrap bool
	// Seed ("random_state").
	Seed uint64

	st ifState
}

type ifState struct {
	NFeatures  int              `json:"n_features"`
	MaxSamples int              `json:"max_samples"`
	Offset     float64          `json:"offset"`
	TreeStart  classical.Floats `json:"tree_start"`
	Feature    classical.Floats `json:"feature"`
	Threshold  classical.Floats `json:"threshold"`
	Left       classical.Floats `json:"left"`
	Right      classical.Floats `json:"right"`
	LeafPath   classical.Floats `json:"leaf_path"`

	nodes []node // compiled from the arrays above for scoring
}

// node is one tree node in the layout scoring walks: feature < 0 marks a
// leaf whose value is its path length; children are absolute indices.
type node struct {
	feature     int32
	left, right int32
	value       float64 // threshold, or path length at a leaf
}

// compile builds nodes from the saved arrays (already validated).
func (s *ifState) compile() {
	s.nodes = make([]node, len(s.Feature))
	for t, st := range s.TreeStart {
		base := int(st)
		end := len(s.Feature)
		if t+1 < len(s.TreeStart) {
			end = int(s.TreeStart[t+1])
		}
		for g := base; g < end; g++ {
			f := int32(s.Feature[g])
			if f < 0 {
				s.nodes[g] = node{feature: -1, value: s.LeafPath[g]}
				continue
			}
			s.nodes[g] = node{feature: f, left: int32(base + int(s.Left[g])), right: int32(base + int(s.Right[g])), value: s.Threshold[g]}
		}
	}
}

// NewIsolationForest returns an IsolationForest with scikit-learn 1.2's
// defaults.
func NewIsolationForest() *IsolationForest {
	return &IsolationForest{NEstimators: 100, MaxSamples: "auto", Contamination: "auto", MaxFeatures: 1}
}

func checkMaxSamples(v any) (any, error) {
	if s, ok := v.(string); ok {
		if s == "auto" {
			return s, nil
		}
		return nil, fmt.Errorf("want \"auto\", an integer >= 2 or a fraction in (0, 1], got %q", s)
	}
	f, err := classical.AsFloat(v)
	if err != nil {
		return nil, fmt.Errorf("want \"auto\", an integer >= 2 or a fraction in (0, 1], got %T", v)
	}
	switch {
	case f > 0 && f <= 1:
		// 1 means all samples (scikit-learn's float 1.0): one sample per
		// tree would isolate nothing.
		return f, nil
	case f >= 2 && f == math.Trunc(f) && f < 1<<31:
		return int(f), nil
	}
	return nil, fmt.Errorf("want \"auto\", an integer >= 2 or a fraction in (0, 1], got %v", v)
}

func checkContamination(v any) (any, error) {
	if s, ok := v.(string); ok && s == "auto" {
		return s, nil
	}
	f, err := classical.AsFloat(v)
	if err != nil || !(f > 0 && f <= 0.5) {
		return nil, fmt.Errorf("want \"auto\" or a fraction in (0, 0.5], got %v", v)
	}
	return f, nil
}

func (m *IsolationForest) params() classical.Params {
	return classical.Params{
		classical.Int("n_estimators", &m.NEstimators),
		classical.Any("max_samples", &m.MaxSamples, checkMaxSamples),
		classical.Any("contamination", &m.Contamination, checkContamination),
		classical.Float("max_features", &m.MaxFeatures),
		classical.Bool("bootstrap", &m.Bootstrap),
		classical.Uint64("random_state", &m.Seed),
	}
}

// GetParams implements classical.Estimator.
func (m *IsolationForest) GetParams() map[string]any { return m.params().Get() }

// SetParams implements classical.Estimator.
func (m *IsolationForest) SetParams(p map[string]any) error {
	return m.params().Set("IsolationForest", p)
}

// Clone implements classical.Estimator.
func (m *IsolationForest) Clone() classical.Estimator {
	return classical.CloneByParams(m, NewIsolationForest)
}

// avgPathLength is c(n), the average path length of an unsuccessful search
// in a binary search tree of n samples.
func avgPathLength(n float64) float64 {
	switch {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	}
	return 2*(math.Log(n-1)+0.5772156649015329) - 2*(n-1)/n
}

// tree is one isolation tree in flat arrays; Feature -1 marks a leaf.
type tree struct {
	feature   []int32
	threshold []float64
	left      []int32
	right     []int32
	leafPath  []float64
}

// Fit grows the forest on X (y is ignored).
func (m *IsolationForest) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "IsolationForest"
	if m.NEstimators < 1 {
		return classical.InvalidParamf(est, "n_estimators must be >= 1, got %d", m.NEstimators)
	}
	if !(m.MaxFeatures > 0 && m.MaxFeatures <= 1) {
		return classical.InvalidParamf(est, "max_features must be a fraction in (0, 1], got %v", m.MaxFeatures)
	}
	ms, err := checkMaxSamples(m.MaxSamples)
	if err != nil {
		return classical.InvalidParamf(est, "max_samples: %v", err)
	}
	cont, err := checkContamination(m.Contamination)
	if err != nil {
		return classical.InvalidParamf(est, "contamination: %v", err)
	}
	xm, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	n, d := xm.Rows, xm.Cols
	var psi int
	switch v := ms.(type) {
	case string:
		psi = min(256, n)
	case int:
		psi = min(v, n)
	case float64:
		psi = max(1, int(v*float64(n)))
	}
	nFeat := max(1, int(m.MaxFeatures*float64(d)))
	maxDepth := int(math.Ceil(math.Log2(float64(max(psi, 2)))))
	master := tensor.NewRand(m.Seed)
	seeds := make([]uint64, m.NEstimators)
	for i := range seeds {
		seeds[i] = master.Uint64()
	}
	trees := make([]tree, m.NEstimators)
	var stop atomic.Bool
	parallel.For(m.NEstimators, 1, func(lo, hi int) {
		for t := lo; t < hi && !stop.Load(); t++ {
			if ctx != nil && ctx.Err() != nil {
				stop.Store(true)
				return
			}
			trees[t] = growTree(xm, psi, nFeat, maxDepth, m.Bootstrap, rand.New(rand.NewPCG(seeds[t], uint64(t))))
		}
	})
	if stop.Load() {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
	}
	st := ifState{NFeatures: d, MaxSamples: psi, Offset: -0.5}
	for _, t := range trees {
		st.TreeStart = append(st.TreeStart, float64(len(st.Feature)))
		for i := range t.feature {
			st.Feature = append(st.Feature, float64(t.feature[i]))
			st.Threshold = append(st.Threshold, t.threshold[i])
			st.Left = append(st.Left, float64(t.left[i]))
			st.Right = append(st.Right, float64(t.right[i]))
			st.LeafPath = append(st.LeafPath, t.leafPath[i])
		}
	}
	m.st = st
	m.st.compile()
	if c, ok := cont.(float64); ok {
		s := m.st.scores(xm)
		m.st.Offset = percentile(s, 100*c)
	}
	return nil
}

// growTree builds one isolation tree on a sample of psi rows.
func growTree(xm classical.Matrix, psi, nFeat, maxDepth int, bootstrap bool, rng *rand.Rand) tree {
	n, d := xm.Rows, xm.Cols
	idx := make([]int, psi)
	if bootstrap {
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
	} else {
		copy(idx, sampleWithout(rng, n, psi))
	}
	feats := make([]int, d)
	for i := range feats {
		feats[i] = i
	}
	if nFeat < d {
		feats = sampleWithout(rng, d, nFeat)
		sort.Ints(feats)
	}
	var t tree
	type item struct{ node, lo, hi, depth int }
	newNode := func() int {
		t.feature = append(t.feature, -1)
		t.threshold = append(t.threshold, 0)
		t.left = append(t.left, -1)
		t.right = append(t.right, -1)
		t.leafPath = append(t.leafPath, 0)
		return len(t.feature) - 1
	}
	stack := []item{{newNode(), 0, psi, 0}}
	order := make([]int, len(feats))
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		rows := idx[it.lo:it.hi]
		cnt := it.hi - it.lo
		split := false
		if it.depth < maxDepth && cnt >= 2 {
			// Draw features in random order until one is not constant in
			// the node.
			copy(order, feats)
			for left := len(order); left > 0 && !split; left-- {
				j := rng.IntN(left)
				f := order[j]
				order[j] = order[left-1]
				lo, hi := math.Inf(1), math.Inf(-1)
				for _, r := range rows {
					v := xm.Data[r*d+f]
					lo, hi = min(lo, v), max(hi, v)
				}
				if hi <= lo {
					continue
				}
				thr := lo + rng.Float64()*(hi-lo)
				if thr >= hi {
					thr = lo
				}
				// Partition rows: x <= thr to the left.
				i, k := 0, len(rows)-1
				for i <= k {
					if xm.Data[rows[i]*d+f] <= thr {
						i++
					} else {
						rows[i], rows[k] = rows[k], rows[i]
						k--
					}
				}
				t.feature[it.node] = int32(f)
				t.threshold[it.node] = thr
				l, r := newNode(), newNode()
				t.left[it.node], t.right[it.node] = int32(l), int32(r)
				stack = append(stack, item{r, it.lo + i, it.hi, it.depth + 1}, item{l, it.lo, it.lo + i, it.depth + 1})
				split = true
			}
		}
		if !split {
			t.leafPath[it.node] = float64(it.depth) + avgPathLength(float64(cnt))
		}
	}
	return t
}

// sampleWithout draws k distinct integers from [0, n) (partial
// Fisher-Yates, in draw order).
func sampleWithout(rng *rand.Rand, n, k int) []int {
	if k*4 < n {
		seen := make(map[int]struct{}, k)
		out := make([]int, 0, k)
		for len(out) < k {
			v := rng.IntN(n)
			if _, dup := seen[v]; !dup {
				seen[v] = struct{}{}
				out = append(out, v)
			}
		}
		return out
	}
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := 0; i < k; i++ {
		j := i + rng.IntN(n-i)
		p[i], p[j] = p[j], p[i]
	}
	return p[:k]
}

// percentile is NumPy's percentile with linear interpolation.
func percentile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	pos := q / 100 * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
}

// scores returns score_samples for the rows of xm.
func (s *ifState) scores(xm classical.Matrix) []float64 {
	n, d := xm.Rows, xm.Cols
	out := make([]float64, n)
	nt := len(s.TreeStart)
	norm := float64(nt) * avgPathLength(float64(s.MaxSamples))
	parallel.For(n, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xm.Data[i*d : (i+1)*d]
			path := 0.0
			nodes := s.nodes
			for t := 0; t < nt; t++ {
				nd := &nodes[int(s.TreeStart[t])]
				for nd.feature >= 0 {
					if row[nd.feature] <= nd.value {
						nd = &nodes[nd.left]
					} else {
						nd = &nodes[nd.right]
					}
				}
				path += nd.value
			}
			if norm > 0 {
				out[i] = -math.Exp2(-path / norm)
			} else {
				out[i] = -1
			}
		}
	})
	return out
}

func (m *IsolationForest) checked(X *tensor.Tensor) (classical.Matrix, error) {
	const est = "IsolationForest"
	if m.st.TreeStart == nil {
		return classical.Matrix{}, classical.NotFitted(est)
	}
	return classical.CheckFeatures(est, X, m.st.NFeatures)
}

// ScoreSamples returns score_samples: the opposite of the anomaly score,
// in [-1, 0]; the lower, the more abnormal.
func (m *IsolationForest) ScoreSamples(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := m.checked(X)
	if err != nil {
		return nil, err
	}
	return classical.Vector(m.st.scores(xm)), nil
}

// DecisionFunction returns ScoreSamples minus offset_: negative for
// outliers.
func (m *IsolationForest) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := m.checked(X)
	if err != nil {
		return nil, err
	}
	s := m.st.scores(xm)
	for i := range s {
		s[i] -= m.st.Offset
	}
	return classical.Vector(s), nil
}

// Predict returns -1 for outliers and +1 for inliers.
func (m *IsolationForest) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	d, err := m.DecisionFunction(X)
	if err != nil {
		return nil, err
	}
	v := d.Float64s()
	for i, s := range v {
		if s < 0 {
			v[i] = -1
		} else {
			v[i] = 1
		}
	}
	return d, nil
}

// FitPredict fits and returns Predict on X.
func (m *IsolationForest) FitPredict(ctx context.Context, X *tensor.Tensor) (*tensor.Tensor, error) {
	if err := m.Fit(ctx, X, nil); err != nil {
		return nil, err
	}
	return m.Predict(X)
}

// Offset returns offset_.
func (m *IsolationForest) Offset() float64 { return m.st.Offset }

// MaxSamplesFitted returns max_samples_, the samples each tree was grown on.
func (m *IsolationForest) MaxSamplesFitted() int { return m.st.MaxSamples }

// TypeName implements classical.Persistable.
func (m *IsolationForest) TypeName() string { return "anomaly.IsolationForest" }

// MarshalState implements classical.Persistable.
func (m *IsolationForest) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(m.st.TreeStart != nil, m.st)
}

// UnmarshalState implements classical.Persistable. It checks that every
// tree is well formed (children after their parent, inside the tree,
// features in range), so that scoring a loaded forest always terminates.
func (m *IsolationForest) UnmarshalState(b []byte) error {
	var st ifState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	total := len(st.Feature)
	if st.NFeatures < 1 || st.MaxSamples < 1 || len(st.TreeStart) == 0 || total == 0 {
		return errors.New("empty forest")
	}
	if math.IsNaN(st.Offset) || math.IsInf(st.Offset, 0) {
		return errors.New("offset not finite")
	}
	for _, a := range []struct {
		name string
		v    []float64
	}{{"threshold", st.Threshold}, {"left", st.Left}, {"right", st.Right}, {"leaf_path", st.LeafPath}} {
		if err := classical.CheckLen(a.name, a.v, total); err != nil {
			return err
		}
	}
	for t, s := range st.TreeStart {
		end := float64(total)
		if t+1 < len(st.TreeStart) {
			end = st.TreeStart[t+1]
		}
		if s != math.Trunc(s) || !(s >= 0 && s < end) || end > float64(total) {
			return errors.New("tree_start out of range")
		}
		if t == 0 && s != 0 {
			return errors.New("tree_start must begin at 0")
		}
		base, size := int(s), int(end)-int(s)
		for i := 0; i < size; i++ {
			g := base + i
			f := st.Feature[g]
			if f == -1 {
				if v := st.LeafPath[g]; !(v >= 0) || math.IsInf(v, 0) {
					return errors.New("leaf_path out of range")
				}
				continue
			}
			if f != math.Trunc(f) || f < 0 || f >= float64(st.NFeatures) {
				return errors.New("feature out of range")
			}
			l, r := st.Left[g], st.Right[g]
			if l != math.Trunc(l) || r != math.Trunc(r) || l <= float64(i) || r <= float64(i) || l >= float64(size) || r >= float64(size) {
				return errors.New("child index out of range")
			}
			if math.IsNaN(st.Threshold[g]) {
				return errors.New("threshold is NaN")
			}
		}
	}
	m.st = st
	m.st.compile()
	return nil
}
