package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/tensor"
)

// MiniBatchKMeans is k-means fitted on random mini-batches, as
// scikit-learn's MiniBatchKMeans: n_init k-means++ (or random) starts on a
// random subset of init_size samples, the one with the lowest inertia on a
// validation subset kept; then each step draws batch_size samples with
// replacement, moves each center towards the mean of its batch samples with
// a per-center learning rate 1/count, now and then re-seeds centers that
// attract too few samples (reassignment_ratio), and stops after max_iter
// passes over the data or when the smoothed batch inertia has not improved
// for max_no_improvement steps. Labels and inertia are computed on the
// whole of X at the end.
type MiniBatchKMeans struct {
	// NClusters ("n_clusters"), default 8.
	NClusters int
	// Init ("init"): "k-means++" (default) or "random".
	Init string
	// NInit ("n_init"), default 3.
	NInit int
	// MaxIter ("max_iter") is the number of passes over the data, default 100.
	MaxIter int
	// BatchSize ("batch_size"), default 1024.
	BatchSize int
	// InitSize ("init_size") is the number of samples the initialisation
	// sees; 0 means 3*batch_size.
	InitSize int
	// Tol ("tol"): stop when the squared movement of the centers in a step
	// is at most tol times the mean feature variance; 0 (default) disables it.
	Tol float64
	// MaxNoImprovement ("max_no_improvement"), default 10; 0 disables it.
	MaxNoImprovement int
	// ReassignmentRatio ("reassignment_ratio"), default 0.01.
	ReassignmentRatio float64
	// Seed ("random_state"), default 0.
	Seed uint64

	st     kmState
	nSteps int
}

// NewMiniBatchKMeans returns a MiniBatchKMeans with scikit-learn 1.2's
// defaults and k clusters.
func NewMiniBatchKMeans(k int) *MiniBatchKMeans {
	return &MiniBatchKMeans{NClusters: k, Init: "k-means++", NInit: 3, MaxIter: 100, BatchSize: 1024,
		MaxNoImprovement: 10, ReassignmentRatio: 0.01}
}

func (m *MiniBatchKMeans) params() classical.Params {
	return classical.Params{
		classical.Int("n_clusters", &m.NClusters),
		classical.String("init", &m.Init, "k-means++", "random"),
		classical.Int("n_init", &m.NInit),
		classical.Int("max_iter", &m.MaxIter),
		classical.Int("batch_size", &m.BatchSize),
		classical.Int("init_size", &m.InitSize),
		classical.Float("tol", &m.Tol),
		classical.Int("max_no_improvement", &m.MaxNoImprovement),
		classical.Float("reassignment_ratio", &m.ReassignmentRatio),
		classical.Uint64("random_state", &m.Seed),
	}
}

// GetParams implements classical.Estimator.
func (m *MiniBatchKMeans) GetParams() map[string]any { return m.params().Get() }

// SetParams implements classical.Estimator.
func (m *MiniBatchKMeans) SetParams(p map[string]any) error {
	return m.params().Set("MiniBatchKMeans", p)
}

// Clone implements classical.Estimator.
func (m *MiniBatchKMeans) Clone() classical.Estimator {
	return classical.CloneByParams(m, func() *MiniBatchKMeans { return NewMiniBatchKMeans(8) })
}

// Fit clusters X (y is ignored).
func (m *MiniBatchKMeans) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "MiniBatchKMeans"
	xm, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	switch {
	case m.NClusters < 1:
		return classical.InvalidParamf(est, "n_clusters must be >= 1, got %d", m.NClusters)
	case m.NInit < 1 || m.MaxIter < 1 || m.BatchSize < 1 || m.InitSize < 0 || m.MaxNoImprovement < 0:
		return classical.InvalidParamf(est, "n_init, max_iter and batch_size must be >= 1, init_size and max_no_improvement >= 0")
	case !(m.Tol >= 0) || math.IsInf(m.Tol, 0) || !(m.ReassignmentRatio >= 0) || math.IsInf(m.ReassignmentRatio, 0):
		return classical.InvalidParamf(est, "tol and reassignment_ratio must be finite and >= 0")
	}
	n, d, k := xm.Rows, xm.Cols, m.NClusters
	if n < k {
		return classical.Invalidf(est, "n_samples=%d should be >= n_clusters=%d", n, k)
	}
	x := xm.Data
	batch := min(m.BatchSize, n)
	initSize := m.InitSize
	if initSize == 0 {
		initSize = 3 * batch
	}
	if initSize < k {
		initSize = 3 * k
	}
	initSize = min(initSize, n)
	tol := 0.0
	if m.Tol > 0 {
		xc, _ := floats.Centered(xm)
		tol = m.Tol * meanVariance(xc, n, d)
	}
	rng := tensor.NewRand(m.Seed)
	valid := gatherRows(x, d, randInts(rng, n, initSize))
	var centers []float64
	bestInertia := math.Inf(1)
	for run := 0; run < m.NInit; run++ {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
		sub := gatherRows(x, d, randInts(rng, n, initSize))
		var c []float64
		if m.Init == "random" {
			c = randomInit(sub, initSize, d, k, rng)
		} else {
			c, _ = kmeansPlusPlus(sub, initSize, d, k, rng)
		}
		l, _ := assignAll(valid, initSize, d, c, k)
		in := inertiaOf(valid, initSize, d, c, l)
		if centers == nil || in < bestInertia {
			centers, bestInertia = c, in
		}
	}
	counts := make([]float64, k)
	next := make([]float64, k*d)
	nSteps := m.MaxIter * n / batch
	var ewa, ewaMin float64
	haveEWA, haveMin := false, false
	noImprove, sinceReassign := 0, 0
	step := 0
	for ; step < nSteps; step++ {
		if step%32 == 31 {
			if err := classical.CheckContext(ctx, est); err != nil {
				return err
			}
		}
		xb := gatherRows(x, d, randInts(rng, n, batch))
		labels, dist := assignAll(xb, batch, d, centers, k)
		inertia := 0.0
		for _, v := range dist {
			inertia += v
		}
		// Update: a weighted running mean per center.
		bsum := make([]float64, k*d)
		bcnt := make([]float64, k)
		for i, l := range labels {
			bcnt[l]++
			for f, v := range xb[i*d : (i+1)*d] {
				bsum[int(l)*d+f] += v
			}
		}
		for j := 0; j < k; j++ {
			if bcnt[j] == 0 {
				copy(next[j*d:(j+1)*d], centers[j*d:(j+1)*d])
				continue
			}
			w := counts[j]
			counts[j] += bcnt[j]
			for f := 0; f < d; f++ {
				next[j*d+f] = (centers[j*d+f]*w + bsum[j*d+f]) / counts[j]
			}
		}
		sinceReassign += batch
		reassign := false
		if slices.Contains(counts, 0) || sinceReassign >= 10*k {
			sinceReassign, reassign = 0, true
		}
		if reassign && m.ReassignmentRatio > 0 {
			reassignSmall(xb, batch, d, next, counts, m.ReassignmentRatio, rng)
		}
		shift := 0.0
		if tol > 0 {
			shift = sqDist(next, centers)
		}
		centers, next = next, centers
		// Convergence on the exponentially weighted batch inertia.
		if step == 0 {
			continue
		}
		bi := inertia / float64(batch)
		if !haveEWA {
			ewa, haveEWA = bi, true
		} else {
			alpha := min(float64(batch)*2/float64(n+1), 1)
			ewa = ewa*(1-alpha) + bi*alpha
		}
		if tol > 0 && shift <= tol {
			step++
			break
		}
		if !haveMin || ewa < ewaMin {
			noImprove, ewaMin, haveMin = 0, ewa, true
		} else {
			noImprove++
		}
		if m.MaxNoImprovement > 0 && noImprove >= m.MaxNoImprovement {
			step++
			break
		}
	}
	labels, _ := assignAll(x, n, d, centers, k)
	m.nSteps = step
	m.st = kmState{Centers: classical.NewArray(centers, k, d), Labels: labelFloats(labels), Inertia: inertiaOf(x, n, d, centers, labels),
		NIter: int(math.Ceil(float64(step*batch) / float64(n)))}
	return nil
}

// reassignSmall moves the centers whose count is below ratio times the
// largest count to random batch samples (at most half the batch), and sets
// their counts to the smallest count among the others.
func reassignSmall(xb []float64, nb, d int, centers, counts []float64, ratio float64, rng *rand.Rand) {
	mx := slices.Max(counts)
	k := len(counts)
	re := make([]bool, k)
	nre := 0
	for j, c := range counts {
		if c < ratio*mx {
			re[j] = true
			nre++
		}
	}
	if half := nb / 2; nre > half {
		order := make([]int, k)
		for j := range order {
			order[j] = j
		}
		sort.SliceStable(order, func(a, b int) bool { return counts[order[a]] < counts[order[b]] })
		for _, j := range order[half:] {
			re[j] = false
		}
		nre = half
	}
	if nre == 0 {
		return
	}
	pick := rng.Perm(nb)[:nre]
	minOther := math.Inf(1)
	for j, c := range counts {
		if !re[j] && c < minOther {
			minOther = c
		}
	}
	p := 0
	for j := range re {
		if re[j] {
			copy(centers[j*d:(j+1)*d], xb[pick[p]*d:(pick[p]+1)*d])
			p++
			if !math.IsInf(minOther, 1) {
				counts[j] = minOther
			}
		}
	}
}

// randInts draws m indices in [0, n) with replacement.
func randInts(rng *rand.Rand, n, m int) []int {
	out := make([]int, m)
	for i := range out {
		out[i] = rng.IntN(n)
	}
	return out
}

// gatherRows copies the given rows of x (d columns) into a new matrix.
func gatherRows(x []float64, d int, rows []int) []float64 {
	out := make([]float64, len(rows)*d)
	for i, r := range rows {
		copy(out[i*d:(i+1)*d], x[r*d:(r+1)*d])
	}
	return out
}

// FitPredict fits and returns the training labels.
func (m *MiniBatchKMeans) FitPredict(ctx context.Context, X *tensor.Tensor) (*tensor.Tensor, error) {
	if err := m.Fit(ctx, X, nil); err != nil {
		return nil, err
	}
	return classical.Vector(slices.Clone(m.st.Labels)), nil
}

// Predict returns the index of the nearest center for each row of X.
func (m *MiniBatchKMeans) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return predictCenters("MiniBatchKMeans", &m.st, X)
}

// Transform returns the distances of each row of X to every center.
func (m *MiniBatchKMeans) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	return transformCenters("MiniBatchKMeans", &m.st, X)
}

// Score returns the opposite of the inertia of X; y is ignored.
func (m *MiniBatchKMeans) Score(X, _ *tensor.Tensor) (float64, error) {
	return scoreCenters("MiniBatchKMeans", &m.st, X)
}

// Centers returns cluster_centers_, nil before Fit.
func (m *MiniBatchKMeans) Centers() *tensor.Tensor { return centersTensor(&m.st) }

// Labels returns labels_ for the training samples.
func (m *MiniBatchKMeans) Labels() []float64 { return slices.Clone(m.st.Labels) }

// Inertia returns inertia_ on the whole training set.
func (m *MiniBatchKMeans) Inertia() float64 { return m.st.Inertia }

// NIter returns n_iter_, the passes over the data (rounded up).
func (m *MiniBatchKMeans) NIter() int { return m.st.NIter }

// TypeName implements classical.Persistable.
func (m *MiniBatchKMeans) TypeName() string { return "cluster.MiniBatchKMeans" }

// MarshalState implements classical.Persistable.
func (m *MiniBatchKMeans) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(m.st.fitted(), m.st)
}

// UnmarshalState implements classical.Persistable.
func (m *MiniBatchKMeans) UnmarshalState(b []byte) error { return m.st.unmarshal(b) }

// NSteps returns n_steps_, the mini-batch steps taken.
func (m *MiniBatchKMeans) NSteps() int { return m.nSteps }
