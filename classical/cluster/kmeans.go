package cluster

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// KMeans is k-means clustering with Lloyd's algorithm, as scikit-learn's
// KMeans: k-means++ (or random) initialisation run n_init times from one
// seeded generator, the run with the lowest inertia kept. With more than
// eight features the distances to the centers go through the GEMM identity
// ||x-c||² = ||x||² - 2x·c + ||c||² (tensor/gemm) in blocks of 256 rows;
// with eight or fewer, direct loops with Hamerly's bounds, which skip the
// samples whose nearest center provably did not change (the labels are
// those of plain Lloyd iterations) and cluster sums updated by the samples
// that change cluster only. The data are centred before the
// iterations (as scikit-learn does) and each pass runs in parallel over a
// fixed split of the rows, so results do not depend on the number of
// workers.
type KMeans struct {
	// NClusters ("n_clusters") is the number of clusters k, default 8.
	NClusters int
	// Init ("init") is "k-means++" (default) or "random" (k distinct
	// samples).
	Init string
	// InitCenters ("init_centers"), when not nil, holds explicit starting
	// centers, n_clusters rows of n_features values, row-major (scikit-learn's
	// init=ndarray); Init is then ignored and a single run is made (as
	// scikit-learn does, whatever n_init says).
	InitCenters []float64
	// NInit ("n_init") is the number of initialisations, default 10.
	NInit int
	// MaxIter ("max_iter") bounds the Lloyd iterations of one run, default 300.
	MaxIter int
	// Tol ("tol") stops a run when the squared movement of the centers is at
	// most tol times the mean feature variance, default 1e-4.
	Tol float64
	// Seed ("random_state") seeds the initialisations, default 0.
	Seed uint64

	st kmState
}

type kmState struct {
	Centers classical.Array  `json:"centers"`
	Labels  classical.Floats `json:"labels"`
	Inertia float64          `json:"inertia"`
	NIter   int              `json:"n_iter"`
}

func (s *kmState) fitted() bool { return len(s.Centers.Data) > 0 }

func (s *kmState) k() int { return s.Centers.Shape[0] }
func (s *kmState) d() int { return s.Centers.Shape[1] }

// checkX checks X against the fitted centers of the estimator est.
func (s *kmState) checkX(est string, X *tensor.Tensor) (classical.Matrix, error) {
	if !s.fitted() {
		return classical.Matrix{}, classical.NotFitted(est)
	}
	return classical.CheckFeatures(est, X, s.d())
}

func (s *kmState) unmarshal(b []byte) error {
	var st kmState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := st.Centers.Check("centers", -1, -1); err != nil {
		return err
	}
	if st.Centers.Shape[0] < 1 || st.Centers.Shape[1] < 1 {
		return errors.New("centers: empty")
	}
	for _, v := range st.Centers.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("centers: not finite")
		}
	}
	for _, l := range st.Labels {
		if !(l >= 0 && l < float64(st.Centers.Shape[0])) || l != math.Trunc(l) {
			return errors.New("labels: out of range")
		}
	}
	*s = st
	return nil
}

// NewKMeans returns a KMeans with scikit-learn 1.2's defaults and k clusters.
func NewKMeans(k int) *KMeans {
	return &KMeans{NClusters: k, Init: "k-means++", NInit: 10, MaxIter: 300, Tol: 1e-4}
}

func (m *KMeans) params() classical.Params {
	return classical.Params{
		classical.Int("n_clusters", &m.NClusters),
		classical.String("init", &m.Init, "k-means++", "random"),
		classical.FloatSlice("init_centers", &m.InitCenters),
		classical.Int("n_init", &m.NInit),
		classical.Int("max_iter", &m.MaxIter),
		classical.Float("tol", &m.Tol),
		classical.Uint64("random_state", &m.Seed),
	}
}

// GetParams implements classical.Estimator.
func (m *KMeans) GetParams() map[string]any { return m.params().Get() }

// SetParams implements classical.Estimator.
func (m *KMeans) SetParams(p map[string]any) error { return m.params().Set("KMeans", p) }

// Clone implements classical.Estimator.
func (m *KMeans) Clone() classical.Estimator {
	return classical.CloneByParams(m, func() *KMeans { return NewKMeans(8) })
}

func (m *KMeans) check(n, d int) error {
	const est = "KMeans"
	switch {
	case m.NClusters < 1:
		return classical.InvalidParamf(est, "n_clusters must be >= 1, got %d", m.NClusters)
	case m.NInit < 1:
		return classical.InvalidParamf(est, "n_init must be >= 1, got %d", m.NInit)
	case m.MaxIter < 1:
		return classical.InvalidParamf(est, "max_iter must be >= 1, got %d", m.MaxIter)
	case !(m.Tol >= 0) || math.IsInf(m.Tol, 0):
		return classical.InvalidParamf(est, "tol must be a finite number >= 0, got %v", m.Tol)
	case m.Init != "k-means++" && m.Init != "random":
		return classical.InvalidParamf(est, "init must be \"k-means++\" or \"random\", got %q", m.Init)
	}
	if n < m.NClusters {
		return classical.Invalidf(est, "n_samples=%d should be >= n_clusters=%d", n, m.NClusters)
	}
	if m.InitCenters != nil {
		if len(m.InitCenters) != m.NClusters*d {
			return classical.InvalidParamf(est, "init_centers has %d values; want n_clusters*n_features = %d*%d", len(m.InitCenters), m.NClusters, d)
		}
		for _, v := range m.InitCenters {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return classical.InvalidParamf(est, "init_centers contains %v", v)
			}
		}
	}
	return nil
}

// Fit clusters X (y is ignored).
func (m *KMeans) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "KMeans"
	xm, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	n, d := xm.Rows, xm.Cols
	if err := m.check(n, d); err != nil {
		return err
	}
	x, mean := floats.Centered(xm)
	tol := m.Tol * meanVariance(x, n, d)
	rng := tensor.NewRand(m.Seed)
	k := m.NClusters
	var best *lloydResult
	runs := m.NInit
	if m.InitCenters != nil {
		runs = 1 // every run would start from the same centers
	}
	for run := 0; run < runs; run++ {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
		var init []float64
		var seed *ppSeed
		switch {
		case m.InitCenters != nil:
			init = slices.Clone(m.InitCenters)
			for i := range init {
				init[i] -= mean[i%d]
			}
		case m.Init == "random":
			init = randomInit(x, n, d, k, rng)
		default:
			init, seed = kmeansPlusPlus(x, n, d, k, rng)
		}
		r, err := lloyd(ctx, est, x, n, d, k, init, seed, m.MaxIter, tol)
		if err != nil {
			return err
		}
		if best == nil || r.inertia < best.inertia {
			best = r
		}
	}
	for i := range best.centers {
		best.centers[i] += mean[i%d]
	}
	m.st = kmState{Centers: classical.NewArray(best.centers, k, d), Labels: labelFloats(best.labels), Inertia: best.inertia, NIter: best.nIter}
	return nil
}

// FitPredict fits and returns the training labels.
func (m *KMeans) FitPredict(ctx context.Context, X *tensor.Tensor) (*tensor.Tensor, error) {
	if err := m.Fit(ctx, X, nil); err != nil {
		return nil, err
	}
	return classical.Vector(slices.Clone(m.st.Labels)), nil
}

// Predict returns the index of the nearest center for each row of X.
func (m *KMeans) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return predictCenters("KMeans", &m.st, X)
}

// Transform returns the Euclidean distances of each row of X to every
// center, [n, n_clusters].
func (m *KMeans) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	return transformCenters("KMeans", &m.st, X)
}

// Score returns the opposite of the inertia of X against the centers
// (larger is better), as scikit-learn's KMeans.score; y is ignored.
func (m *KMeans) Score(X, _ *tensor.Tensor) (float64, error) {
	return scoreCenters("KMeans", &m.st, X)
}

// Centers returns cluster_centers_ [n_clusters, n_features], nil before Fit.
func (m *KMeans) Centers() *tensor.Tensor { return centersTensor(&m.st) }

// Labels returns labels_, the cluster of each training sample.
func (m *KMeans) Labels() []float64 { return slices.Clone(m.st.Labels) }

// Inertia returns inertia_, the sum of squared distances of the training
// samples to their nearest center.
func (m *KMeans) Inertia() float64 { return m.st.Inertia }

// NIter returns n_iter_, the Lloyd iterations of the best run.
func (m *KMeans) NIter() int { return m.st.NIter }

// TypeName implements classical.Persistable.
func (m *KMeans) TypeName() string { return "cluster.KMeans" }

// MarshalState implements classical.Persistable.
func (m *KMeans) MarshalState() ([]byte, error) { return classical.MarshalFitted(m.st.fitted(), m.st) }

// UnmarshalState implements classical.Persistable.
func (m *KMeans) UnmarshalState(b []byte) error { return m.st.unmarshal(b) }

func predictCenters(est string, s *kmState, X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := s.checkX(est, X)
	if err != nil {
		return nil, err
	}
	labels, _ := assignAll(xm.Data, xm.Rows, xm.Cols, s.Centers.Data, s.k())
	return classical.Vector(labelFloats(labels)), nil
}

// labelFloats returns cluster labels as float64s, as labels_ and Predict
// hand them out.
func labelFloats(labels []int32) []float64 {
	out := make([]float64, len(labels))
	for i, l := range labels {
		out[i] = float64(l)
	}
	return out
}

func transformCenters(est string, s *kmState, X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := s.checkX(est, X)
	if err != nil {
		return nil, err
	}
	n, d, k := xm.Rows, xm.Cols, s.k()
	out := make([]float64, n*k)
	xn := rowSqNorms(xm.Data, n, d)
	cn := rowSqNorms(s.Centers.Data, k, d)
	parallel.For((n+block-1)/block, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			r0, r1 := b*block, min((b+1)*block, n)
			sqDistBlock(xm.Data, xn, r0, r1, s.Centers.Data, cn, k, d, out[r0*k:r1*k])
		}
	})
	for i, v := range out {
		out[i] = math.Sqrt(v)
	}
	return tensor.FromFloat64(out, n, k), nil
}

func scoreCenters(est string, s *kmState, X *tensor.Tensor) (float64, error) {
	xm, err := s.checkX(est, X)
	if err != nil {
		return 0, err
	}
	labels, _ := assignAll(xm.Data, xm.Rows, xm.Cols, s.Centers.Data, s.k())
	return -inertiaOf(xm.Data, xm.Rows, xm.Cols, s.Centers.Data, labels), nil
}

func centersTensor(s *kmState) *tensor.Tensor {
	if !s.fitted() {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(s.Centers.Data), s.k(), s.d())
}

// meanVariance returns the mean over features of the (population)
// variance of centred data x.
func meanVariance(x []float64, n, d int) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s / float64(n) / float64(d)
}

// randomInit picks k distinct samples (scikit-learn's init="random").
func randomInit(x []float64, n, d, k int, rng *rand.Rand) []float64 {
	perm := rng.Perm(n)
	c := make([]float64, k*d)
	for j := 0; j < k; j++ {
		copy(c[j*d:(j+1)*d], x[perm[j]*d:(perm[j]+1)*d])
	}
	return c
}

// kmeansPlusPlus is scikit-learn's greedy k-means++: the first center is a
// uniform sample, each next one the best of 2+ln(k) candidates drawn with
// probability proportional to the squared distance to the centers so far.
func kmeansPlusPlus(x []float64, n, d, k int, rng *rand.Rand) ([]float64, *ppSeed) {
	centers := make([]float64, k*d)
	first := rng.IntN(n)
	copy(centers[:d], x[first*d:(first+1)*d])
	closest := make([]float64, n)
	labels := make([]int32, n)
	nc, size := chunking(n)
	// cum holds prefix sums of closest within each chunk and tot each
	// chunk's total, kept up to date by the passes that change closest:
	// sampling proportionally to closest is then a walk over the chunk
	// totals and a binary search inside one chunk.
	cum := make([]float64, n)
	tot := make([]float64, nc)
	parallel.For(nc, 1, func(clo, chi int) {
		for ch := clo; ch < chi; ch++ {
			s := 0.0
			for i := ch * size; i < min((ch+1)*size, n); i++ {
				v := sqDist(x[i*d:(i+1)*d], centers[:d])
				closest[i] = v
				s += v
				cum[i] = s
			}
			tot[ch] = s
		}
	})
	pot := orderedSum(tot)
	trials := 2 + int(math.Log(float64(k)))
	cand := make([]int, trials)
	parts := make([]float64, nc*trials)
	for c := 1; c < k; c++ {
		for t := range cand {
			r := rng.Float64() * pot
			ch, acc := 0, 0.0
			for ch < nc-1 && acc+tot[ch] < r {
				acc += tot[ch]
				ch++
			}
			lo, hi := ch*size, min((ch+1)*size, n)
			idx := lo + sort.SearchFloat64s(cum[lo:hi], r-acc)
			cand[t] = min(idx, n-1)
		}
		// Pass 1: the potential of each candidate, without storing its
		// distances; pass 2 updates the closest distances for the winner.
		parallel.For(nc, 1, func(clo, chi int) {
			for ch := clo; ch < chi; ch++ {
				lo, hi := ch*size, min((ch+1)*size, n)
				pp := parts[ch*trials : (ch+1)*trials]
				clear(pp)
				if d == 2 {
					// One pass over the rows for all candidates.
					cc := make([]float64, 2*trials)
					for t, ci := range cand {
						cc[2*t], cc[2*t+1] = x[2*ci], x[2*ci+1]
					}
					// Four candidates at a time in registers.
					for t0 := 0; t0 < trials; t0 += 4 {
						var q [4][2]float64
						for t := range q {
							tt := min(t0+t, trials-1)
							q[t] = [2]float64{cc[2*tt], cc[2*tt+1]}
						}
						var s0, s1, s2, s3 float64
						for i := lo; i < hi; i++ {
							x0, x1, cl := x[2*i], x[2*i+1], closest[i]
							a, b := x0-q[0][0], x1-q[0][1]
							s0 += min(a*a+b*b, cl)
							a, b = x0-q[1][0], x1-q[1][1]
							s1 += min(a*a+b*b, cl)
							a, b = x0-q[2][0], x1-q[2][1]
							s2 += min(a*a+b*b, cl)
							a, b = x0-q[3][0], x1-q[3][1]
							s3 += min(a*a+b*b, cl)
						}
						for t, v := range [4]float64{s0, s1, s2, s3} {
							if t0+t < trials {
								pp[t0+t] = v
							}
						}
					}
					continue
				}
				for t, ci := range cand {
					cr := x[ci*d : (ci+1)*d]
					p := 0.0
					for i := lo; i < hi; i++ {
						p += min(sqDist(x[i*d:(i+1)*d], cr), closest[i])
					}
					pp[t] = p
				}
			}
		})
		bestT, bestPot := 0, math.Inf(1)
		for t := range cand {
			p := 0.0
			for ch := 0; ch < nc; ch++ {
				p += parts[ch*trials+t]
			}
			if p < bestPot {
				bestT, bestPot = t, p
			}
		}
		pot = bestPot
		ci := cand[bestT]
		cr := x[ci*d : (ci+1)*d]
		parallel.For(nc, 1, func(clo, chi int) {
			for ch := clo; ch < chi; ch++ {
				s := 0.0
				lo, hi := ch*size, min((ch+1)*size, n)
				if d == 2 {
					c0, c1 := cr[0], cr[1]
					xs, cl, cs, lb := x[2*lo:2*hi], closest[lo:hi], cum[lo:hi], labels[lo:hi]
					for i := range cl {
						a, b := xs[2*i]-c0, xs[2*i+1]-c1
						v := a*a + b*b
						if v < cl[i] {
							cl[i], lb[i] = v, int32(c)
						}
						s += cl[i]
						cs[i] = s
					}
				} else {
					for i := lo; i < hi; i++ {
						if v := sqDist(x[i*d:(i+1)*d], cr); v < closest[i] {
							closest[i], labels[i] = v, int32(c)
						}
						s += closest[i]
						cum[i] = s
					}
				}
				tot[ch] = s
			}
		})
		copy(centers[c*d:(c+1)*d], cr)
	}
	return centers, &ppSeed{labels: labels, closest: closest}
}

// ppSeed is what k-means++ learned on the way: each sample's nearest
// center and squared distance to it, which seed Hamerly's bounds.
type ppSeed struct {
	labels  []int32
	closest []float64
}

type lloydResult struct {
	centers []float64
	labels  []int32
	inertia float64
	nIter   int
}

// lloyd runs Lloyd's iterations from init as scikit-learn's
// _kmeans_single_lloyd does: stop when no label changes (strict
// convergence) or when the centers' total squared shift is at most tol;
// empty clusters are given the samples farthest from their centers.
func lloyd(ctx context.Context, est string, x []float64, n, d, k int, init []float64, seed *ppSeed, maxIter int, tol float64) (*lloydResult, error) {
	var xn []float64
	if d > smallDim {
		xn = rowSqNorms(x, n, d)
	}
	centers := init
	next := make([]float64, k*d)
	labels := make([]int32, n)
	for i := range labels {
		labels[i] = -1
	}
	dist := make([]float64, n)
	nc, size := chunking(n)
	psum := make([]float64, nc*k*d)
	pcnt := make([]float64, nc*k)
	pchg := make([]int, nc)
	counts := make([]float64, k)
	var bufs [][]float64
	if d > smallDim {
		bufs = make([][]float64, nc)
		for i := range bufs {
			bufs[i] = make([]float64, block*k)
		}
	}
	// Few features: Hamerly's bounds skip the points whose center cannot
	// have changed (same labels as plain Lloyd). Many: GEMM distances.
	var hb *hamerly
	if d <= smallDim {
		hb = newHamerly(n, k)
		hb.sums, hb.counts = make([]float64, k*d), make([]float64, k)
		if seed != nil {
			// k-means++ already knows each sample's nearest center and
			// the distance to it; 0 is a valid lower bound for the rest.
			copy(labels, seed.labels)
			for i, v := range seed.closest {
				hb.upper[i] = math.Sqrt(v)
			}
			for i, l := range labels {
				hb.add(x[i*d:(i+1)*d], int(l), d, hb.sums, hb.counts)
			}
		}
	} else {
		seed = nil
	}
	strict := false
	it := 0
	for ; it < maxIter; it++ {
		if it%8 == 7 {
			if err := classical.CheckContext(ctx, est); err != nil {
				return nil, err
			}
		}
		var cn []float64
		if hb != nil {
			hb.prepare(centers, d)
		} else {
			cn = rowSqNorms(centers, k, d)
		}
		parallel.For(nc, 1, func(clo, chi int) {
			for c := clo; c < chi; c++ {
				lo, hi := c*size, min((c+1)*size, n)
				var buf []float64
				if bufs != nil {
					buf = bufs[c]
				}
				ps := psum[c*k*d : (c+1)*k*d]
				pc := pcnt[c*k : (c+1)*k]
				clear(ps)
				clear(pc)
				if hb != nil {
					pchg[c] = hb.assign(x, lo, hi, d, centers, k, labels, it == 0 && seed == nil, ps, pc)
					continue
				}
				pchg[c] = assignRange(x, xn, lo, hi, d, centers, cn, k, labels, dist, buf)
				if d == 2 {
					for i := lo; i < hi; i++ {
						l := int(labels[i])
						pc[l]++
						ps[2*l] += x[2*i]
						ps[2*l+1] += x[2*i+1]
					}
				} else {
					for i := lo; i < hi; i++ {
						l := int(labels[i])
						pc[l]++
						dst := ps[l*d : (l+1)*d]
						for f, v := range x[i*d : (i+1)*d] {
							dst[f] += v
						}
					}
				}
			}
		})
		changed := 0
		if hb != nil {
			// The bounded E-step reports only the samples that changed
			// cluster: the running sums move by those deltas.
			for c := 0; c < nc; c++ {
				changed += pchg[c]
				for j, v := range psum[c*k*d : (c+1)*k*d] {
					hb.sums[j] += v
				}
				for j, v := range pcnt[c*k : (c+1)*k] {
					hb.counts[j] += v
				}
			}
			copy(next, hb.sums)
			copy(counts, hb.counts)
		} else {
			clear(next)
			clear(counts)
			for c := 0; c < nc; c++ {
				changed += pchg[c]
				for j, v := range psum[c*k*d : (c+1)*k*d] {
					next[j] += v
				}
				for j, v := range pcnt[c*k : (c+1)*k] {
					counts[j] += v
				}
			}
		}
		relocateEmpty(x, d, labels, centers, next, counts)
		shift := 0.0
		for j := 0; j < k; j++ {
			if counts[j] > 0 {
				inv := 1 / counts[j]
				for f := 0; f < d; f++ {
					next[j*d+f] *= inv
				}
			} else {
				copy(next[j*d:(j+1)*d], centers[j*d:(j+1)*d])
			}
			shift += sqDist(next[j*d:(j+1)*d], centers[j*d:(j+1)*d])
		}
		if hb != nil {
			for j := 0; j < k; j++ {
				hb.delta[j] = math.Sqrt(sqDist(next[j*d:(j+1)*d], centers[j*d:(j+1)*d]))
			}
		}
		centers, next = next, centers
		// scikit-learn's labels start at -1, so the first iteration never
		// counts as converged.
		if changed == 0 && it > 0 {
			strict = true
			break
		}
		if shift <= tol {
			break
		}
	}
	nIter := min(it+1, maxIter)
	if !strict {
		// A last E-step against the final centers, as scikit-learn does.
		if hb != nil {
			hb.prepare(centers, d)
			parallel.For(nc, 1, func(clo, chi int) {
				for c := clo; c < chi; c++ {
					hb.assign(x, c*size, min((c+1)*size, n), d, centers, k, labels, false, nil, nil)
				}
			})
		} else {
			labels, _ = assignAll(x, n, d, centers, k)
		}
	}
	return &lloydResult{centers: centers, labels: labels, inertia: inertiaOf(x, n, d, centers, labels), nIter: nIter}, nil
}

// relocateEmpty gives each empty cluster the sample farthest from its
// (old) center (scikit-learn's _relocate_empty_clusters_dense), adjusting
// the un-normalised sums and counts.
func relocateEmpty(x []float64, d int, labels []int32, old, sums, counts []float64) {
	var empty []int
	for j, c := range counts {
		if c == 0 {
			empty = append(empty, j)
		}
	}
	if len(empty) == 0 {
		return
	}
	n := len(labels)
	dist := make([]float64, n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
		l := int(labels[i])
		dist[i] = sqDist(x[i*d:(i+1)*d], old[l*d:(l+1)*d])
	}
	sort.SliceStable(idx, func(a, b int) bool { return dist[idx[a]] > dist[idx[b]] })
	for e, j := range empty {
		if e >= len(idx) {
			break
		}
		far := idx[e]
		from := int(labels[far])
		row := x[far*d : (far+1)*d]
		for f, v := range row {
			sums[from*d+f] -= v
			sums[j*d+f] = v
		}
		counts[j] = 1
		counts[from]--
	}
}

// Elbow fits a clone of proto (its parameters but n_clusters) for every k
// in ks and returns the inertias, the data of an elbow plot. proto may be
// nil for the defaults.
func Elbow(ctx context.Context, X *tensor.Tensor, ks []int, proto *KMeans) ([]float64, error) {
	if proto == nil {
		proto = NewKMeans(8)
	}
	out := make([]float64, len(ks))
	for i, k := range ks {
		m := proto.Clone().(*KMeans)
		m.NClusters = k
		if err := m.Fit(ctx, X, nil); err != nil {
			return nil, err
		}
		out[i] = m.Inertia()
	}
	return out, nil
}

// hamerly holds the bounds of Hamerly's accelerated Lloyd iteration
// (Hamerly, "Making k-means even faster", 2010): for each sample an upper
// bound on the distance to its center and a lower bound on the distance to
// every other center, updated by how far the centers moved. A sample is
// re-examined only when the bounds no longer prove its center nearest, so
// the labels are those of plain Lloyd iterations.
type hamerly struct {
	upper, lower []float64
	delta        []float64 // how far each center moved in the last update
	half         []float64 // half the distance from each center to its nearest other
	maxD, secD   float64
	maxJ         int
	// sums and counts are the per-cluster sums and sizes under the
	// current labels, kept up to date by the deltas of each E-step.
	sums, counts []float64
}

func newHamerly(n, k int) *hamerly {
	return &hamerly{upper: make([]float64, n), lower: make([]float64, n), delta: make([]float64, k), half: make([]float64, k)}
}

// prepare computes the per-iteration quantities from the current centers
// and the last movements.
func (h *hamerly) prepare(centers []float64, d int) {
	k := len(h.half)
	for j := range h.half {
		h.half[j] = math.Inf(1)
	}
	for a := 0; a < k; a++ {
		for b := a + 1; b < k; b++ {
			v := 0.5 * math.Sqrt(sqDist(centers[a*d:(a+1)*d], centers[b*d:(b+1)*d]))
			h.half[a] = min(h.half[a], v)
			h.half[b] = min(h.half[b], v)
		}
	}
	h.maxD, h.secD, h.maxJ = 0, 0, -1
	for j, v := range h.delta {
		if v > h.maxD {
			h.secD, h.maxD, h.maxJ = h.maxD, v, j
		} else if v > h.secD {
			h.secD = v
		}
	}
}

// assign relabels rows [lo, hi), records in ps and pc (when not nil) how
// the per-cluster sums and counts change (rows leaving and joining
// clusters), and returns how many labels changed; first computes every
// distance (the bounds are not set yet).
func (h *hamerly) assign(x []float64, lo, hi, d int, centers []float64, k int, labels []int32, first bool, ps, pc []float64) int {
	changed := 0
	// Bounds carry rounding error; a small relative margin keeps the
	// skipping test conservative.
	const margin = 1 + 1e-9
	upper, lower, delta, half := h.upper, h.lower, h.delta, h.half
	maxD, secD, maxJ := h.maxD, h.secD, h.maxJ
	for i := lo; i < hi; i++ {
		if !first {
			a := int(labels[i])
			u := upper[i] + delta[a]
			l := lower[i] - maxD
			if a == maxJ {
				l = lower[i] - secD
			}
			z := l
			if hz := half[a]; hz > z {
				z = hz
			}
			upper[i], lower[i] = u, l
			if u*margin < z {
				continue
			}
			u = math.Sqrt(sqDist(x[i*d:(i+1)*d], centers[a*d:(a+1)*d]))
			upper[i] = u
			if u*margin < z {
				continue
			}
		}
		row := x[i*d : (i+1)*d]
		best, second, bi := math.Inf(1), math.Inf(1), 0
		if d == 2 {
			x0, x1 := row[0], row[1]
			cc := centers[:2*k]
			for j := 0; j < k; j++ {
				a, b := x0-cc[2*j], x1-cc[2*j+1]
				v := a*a + b*b
				if v < best {
					second, best, bi = best, v, j
				} else if v < second {
					second = v
				}
			}
		} else {
			for j := 0; j < k; j++ {
				v := sqDist(row, centers[j*d:(j+1)*d])
				if v < best {
					second, best, bi = best, v, j
				} else if v < second {
					second = v
				}
			}
		}
		if old := labels[i]; old != int32(bi) {
			changed++
			labels[i] = int32(bi)
			if ps != nil {
				if old >= 0 {
					h.sub(row, int(old), d, ps, pc)
				}
				h.add(row, bi, d, ps, pc)
			}
		}
		upper[i], lower[i] = math.Sqrt(best), math.Sqrt(second)
	}
	return changed
}

// sub removes row from the sum and count of cluster a.
func (h *hamerly) sub(row []float64, a, d int, ps, pc []float64) {
	pc[a]--
	dst := ps[a*d : (a+1)*d]
	for f, v := range row {
		dst[f] -= v
	}
}

// add adds row to the sum and count of cluster a (nothing when ps is nil).
func (h *hamerly) add(row []float64, a, d int, ps, pc []float64) {
	if ps == nil {
		return
	}
	pc[a]++
	if d == 2 {
		ps[2*a] += row[0]
		ps[2*a+1] += row[1]
		return
	}
	dst := ps[a*d : (a+1)*d]
	for f, v := range row {
		dst[f] += v
	}
}
