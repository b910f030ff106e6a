package selection

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// Grid maps parameter names (nested through pipelines:
// "classifier__max_depth") to the values to try.
type Grid map[string][]any

// Candidates returns every combination of g's values, as scikit-learn's
// ParameterGrid orders them: names sorted, the last name varying fastest.
func (g Grid) Candidates() []map[string]any {
	keys := slices.Sorted(maps.Keys(g))
	out := []map[string]any{{}}
	for _, k := range keys {
		var next []map[string]any
		for _, c := range out {
			for _, v := range g[k] {
				m := maps.Clone(c)
				m[k] = v
				next = append(next, m)
			}
		}
		out = next
	}
	return out
}

// Distribution is something RandomizedSearchCV can sample a parameter
// value from.
type Distribution interface {
	Sample(r *rand.Rand) any
}

type choice []any

func (c choice) Sample(r *rand.Rand) any { return c[r.IntN(len(c))] }

// Choice samples uniformly from the given values.
func Choice(values ...any) Distribution { return choice(values) }

// validator is implemented by the distributions this package makes, so
// that a bad range is an error from Fit rather than a panic.
type validator interface{ validate() error }

type uniform struct{ lo, hi float64 }

func (u uniform) validate() error {
	if math.IsNaN(u.lo) || math.IsNaN(u.hi) || math.IsInf(u.lo, 0) || math.IsInf(u.hi, 0) || u.hi < u.lo {
		return fmt.Errorf("Uniform(%v, %v): want finite lo <= hi", u.lo, u.hi)
	}
	return nil
}

func (u uniform) Sample(r *rand.Rand) any { return u.lo + r.Float64()*(u.hi-u.lo) }

// Uniform samples a float64 uniformly from [lo, hi).
func Uniform(lo, hi float64) Distribution { return uniform{lo, hi} }

type logUniform struct{ lo, hi float64 }

func (u logUniform) validate() error {
	if !(u.lo > 0) || !(u.hi >= u.lo) || math.IsInf(u.hi, 0) {
		return fmt.Errorf("LogUniform(%v, %v): want 0 < lo <= hi, finite", u.lo, u.hi)
	}
	return nil
}

func (u logUniform) Sample(r *rand.Rand) any {
	return math.Exp(math.Log(u.lo) + r.Float64()*(math.Log(u.hi)-math.Log(u.lo)))
}

// LogUniform samples a float64 whose logarithm is uniform on
// [log lo, log hi) (scipy's loguniform), for C, alpha, gamma...
func LogUniform(lo, hi float64) Distribution { return logUniform{lo, hi} }

type randInt struct{ lo, hi int }

func (u randInt) validate() error {
	if u.hi <= u.lo {
		return fmt.Errorf("RandInt(%d, %d): want lo < hi", u.lo, u.hi)
	}
	return nil
}

func (u randInt) Sample(r *rand.Rand) any { return u.lo + r.IntN(u.hi-u.lo) }

// RandInt samples an int uniformly from [lo, hi).
func RandInt(lo, hi int) Distribution { return randInt{lo, hi} }

// Distributions maps parameter names to what RandomizedSearchCV samples.
type Distributions map[string]Distribution

// SearchResults is the table of a search (scikit-learn's cv_results_):
// one entry per candidate, in the order they were generated.
type SearchResults struct {
	Params         []map[string]any
	SplitTest      [][]float64 // [candidate][fold]
	MeanTestScore  []float64
	StdTestScore   []float64
	RankTestScore  []int
	SplitTrain     [][]float64 // with ReturnTrainScore
	MeanTrainScore []float64   // with ReturnTrainScore
	MeanFitTime    []float64   // seconds
	MeanScoreTime  []float64   // seconds
}

// Search is GridSearchCV or RandomizedSearchCV: it cross-validates
// clones of an estimator for each candidate parameter set, in parallel
// over (candidate, fold) pairs, ranks them by mean test score, and refits
// the best on all the data. After Fit it predicts with the refitted best
// estimator. classical.Save stores the fitted search (its results and the
// refitted best estimator, not its options; see persist.go), or save just
// s.BestEstimator().
type Search struct {
	est     classical.Estimator
	grid    Grid
	dists   Distributions
	random  bool
	opts    []Option
	c       *config
	results *SearchResults
	best    int
	bestEst classical.Estimator
}

// NewGridSearchCV returns a search over every combination in grid.
// Options: CV, CVSplitter, Scoring, Scorer, Jobs, Verbose, Refit,
// ReturnTrainScore, ErrorScore.
func NewGridSearchCV(est classical.Estimator, grid Grid, opts ...Option) *Search {
	return &Search{est: est, grid: grid, opts: opts, c: newConfig(opts), best: -1}
}

// NewRandomizedSearchCV returns a search over NIter (default 10)
// candidates sampled from dists with Seed. When every distribution is a
// Choice, candidates are drawn without replacement from the full grid,
// as scikit-learn does. Other options as NewGridSearchCV.
func NewRandomizedSearchCV(est classical.Estimator, dists Distributions, opts ...Option) *Search {
	return &Search{est: est, dists: dists, random: true, opts: opts, c: newConfig(opts), best: -1}
}

func (s *Search) name() string {
	if s.random {
		return "RandomizedSearchCV"
	}
	return "GridSearchCV"
}

// candidates returns the parameter sets to evaluate. A Distribution that
// panics while sampling is reported as an error.
func (s *Search) candidates() (out []map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, classical.InvalidParamf(s.name(), "sampling a distribution panicked: %v", r)
		}
	}()
	if !s.random {
		if len(s.grid) == 0 {
			return []map[string]any{{}}, nil
		}
		for k, v := range s.grid {
			if len(v) == 0 {
				return nil, classical.InvalidParamf(s.name(), "grid entry %q has no values", k)
			}
		}
		return s.grid.Candidates(), nil
	}
	if s.c.nIter < 1 {
		return nil, classical.InvalidParamf(s.name(), "n_iter must be >= 1, got %d", s.c.nIter)
	}
	keys := slices.Sorted(maps.Keys(s.dists))
	allChoice := true
	for _, k := range keys {
		d := s.dists[k]
		if d == nil {
			return nil, classical.InvalidParamf(s.name(), "distribution %q is nil", k)
		}
		c, ok := d.(choice)
		if ok && len(c) == 0 {
			return nil, classical.InvalidParamf(s.name(), "Choice for %q has no values", k)
		}
		if v, isV := d.(validator); isV {
			if err := v.validate(); err != nil {
				return nil, classical.InvalidParamf(s.name(), "%s: %v", k, err)
			}
		}
		allChoice = allChoice && ok
	}
	r := rng(s.c.seed)
	if allChoice {
		g := Grid{}
		for _, k := range keys {
			g[k] = s.dists[k].(choice)
		}
		all := g.Candidates()
		n := min(s.c.nIter, len(all))
		perm := r.Perm(len(all))[:n]
		out = make([]map[string]any, n)
		for i, j := range perm {
			out[i] = all[j]
		}
		return out, nil
	}
	out = make([]map[string]any, s.c.nIter)
	for i := range out {
		m := map[string]any{}
		for _, k := range keys {
			m[k] = s.dists[k].Sample(r)
		}
		out[i] = m
	}
	return out, nil
}

// Fit evaluates every candidate with cross-validation and, unless
// Refit(false), refits the best one on all of X and y.
func (s *Search) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	s.results, s.best, s.bestEst = nil, -1, nil
	if s.est == nil {
		return classical.InvalidParamf(s.name(), "no estimator")
	}
	cands, err := s.candidates()
	if err != nil {
		return err
	}
	folds, sc, err := prepare(s.c, s.est, X, y)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name(), err)
	}
	r := &runner{c: s.c, score: sc, folds: folds}
	if err := r.run(ctx, s.est, cands); err != nil {
		return fmt.Errorf("%s: %w", s.name(), err)
	}
	nf := len(folds)
	res := &SearchResults{Params: cands}
	for ci := range cands {
		test := make([]float64, nf)
		train := make([]float64, nf)
		fitT, scT := 0.0, 0.0
		for f := 0; f < nf; f++ {
			fr := r.results[ci*nf+f]
			test[f], train[f] = fr.test, fr.train
			fitT += fr.fit
			scT += fr.scoreT
		}
		res.SplitTest = append(res.SplitTest, test)
		res.MeanTestScore = append(res.MeanTestScore, Mean(test))
		res.StdTestScore = append(res.StdTestScore, Std(test))
		res.MeanFitTime = append(res.MeanFitTime, fitT/float64(nf))
		res.MeanScoreTime = append(res.MeanScoreTime, scT/float64(nf))
		if s.c.trainScore {
			res.SplitTrain = append(res.SplitTrain, train)
			res.MeanTrainScore = append(res.MeanTrainScore, Mean(train))
		}
	}
	res.RankTestScore = rank(res.MeanTestScore)
	s.results = res
	if f := s.c.onCandidate; f != nil {
		for i, p := range cands {
			if err := f(i, p, res.MeanTestScore[i], res.StdTestScore[i]); err != nil {
				return fmt.Errorf("%s: candidate %d: %w", s.name(), i, err)
			}
		}
	}
	best := 0
	for i, v := range res.RankTestScore {
		if v < res.RankTestScore[best] {
			best = i
		}
	}
	s.best = best
	if !s.c.refit {
		return nil
	}
	e := s.est.Clone()
	if err := e.SetParams(cands[best]); err != nil {
		return fmt.Errorf("%s: %w", s.name(), err)
	}
	if err := e.Fit(ctx, X, y); err != nil {
		return fmt.Errorf("%s: refitting the best candidate %s: %w", s.name(), fmtParams(cands[best]), err)
	}
	s.bestEst = e
	return nil
}

// rank gives rank 1 to the highest score, equal scores the same (lowest)
// rank, and NaN the worst rank, as scikit-learn's rankdata(method="min").
func rank(v []float64) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) float64 {
		if math.IsNaN(v[i]) {
			return math.Inf(-1)
		}
		return v[i]
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) > key(idx[b]) })
	out := make([]int, len(v))
	for k, i := range idx {
		if k > 0 && key(i) == key(idx[k-1]) {
			out[i] = out[idx[k-1]]
		} else {
			out[i] = k + 1
		}
	}
	return out
}

// Results returns the per-candidate table (nil before Fit).
func (s *Search) Results() *SearchResults { return s.results }

// BestIndex returns the index of the best candidate in Results (-1 before
// Fit).
func (s *Search) BestIndex() int { return s.best }

// BestParams returns the best candidate's parameters (nil before Fit).
func (s *Search) BestParams() map[string]any {
	if s.best < 0 {
		return nil
	}
	return maps.Clone(s.results.Params[s.best])
}

// BestScore returns the best candidate's mean cross-validated score (NaN
// before Fit).
func (s *Search) BestScore() float64 {
	if s.best < 0 {
		return math.NaN()
	}
	return s.results.MeanTestScore[s.best]
}

// BestEstimator returns the best candidate refitted on all the data (nil
// before Fit or with Refit(false)).
func (s *Search) BestEstimator() classical.Estimator { return s.bestEst }

// BaseEstimator returns the estimator the search clones.
func (s *Search) BaseEstimator() classical.Estimator { return s.est }

func (s *Search) fitted() (classical.Estimator, error) {
	if s.bestEst == nil {
		if s.best >= 0 {
			return nil, classical.InvalidParamf(s.name(), "the search ran with Refit(false); there is no refitted estimator")
		}
		return nil, classical.NotFitted(s.name())
	}
	return s.bestEst, nil
}

// Predict predicts with the refitted best estimator.
func (s *Search) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	e, err := s.fitted()
	if err != nil {
		return nil, err
	}
	p, ok := e.(classical.Predictor)
	if !ok {
		return nil, classical.InvalidParamf(s.name(), "%T cannot predict", e)
	}
	return p.Predict(X)
}

// PredictProba returns the refitted best classifier's probabilities.
func (s *Search) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	e, err := s.fitted()
	if err != nil {
		return nil, err
	}
	c, ok := e.(classical.Classifier)
	if !ok {
		return nil, classical.InvalidParamf(s.name(), "%T has no PredictProba", e)
	}
	return c.PredictProba(X)
}

// Classes returns the refitted best classifier's classes (nil otherwise).
func (s *Search) Classes() []float64 {
	if c, ok := s.bestEst.(classical.Classifier); ok {
		return c.Classes()
	}
	return nil
}

// Score scores the refitted best estimator on (X, y) with the search's
// scoring.
func (s *Search) Score(X, y *tensor.Tensor) (float64, error) {
	e, err := s.fitted()
	if err != nil {
		return 0, err
	}
	sc, err := s.c.scorer()
	if err != nil {
		return 0, err
	}
	return sc(e, X, y)
}

// GetParams returns the wrapped estimator's parameters as
// "estimator__name".
func (s *Search) GetParams() map[string]any {
	m := map[string]any{}
	if s.est != nil {
		for k, v := range s.est.GetParams() {
			m["estimator__"+k] = v
		}
	}
	return m
}

// SetParams sets "estimator__name" parameters of the wrapped estimator.
func (s *Search) SetParams(m map[string]any) error {
	inner := map[string]any{}
	for k, v := range m {
		head, rest, ok := classical.SplitNested(k)
		if !ok || head != "estimator" || s.est == nil {
			return classical.UnknownParam(s.name(), k, []string{"estimator__..."})
		}
		inner[rest] = v
	}
	if len(inner) == 0 {
		return nil
	}
	return s.est.SetParams(inner)
}

// Clone returns an unfitted search over a clone of the estimator with the
// same candidates and options.
func (s *Search) Clone() classical.Estimator {
	c := &Search{grid: s.grid, dists: s.dists, random: s.random, opts: s.opts, c: newConfig(s.opts), best: -1}
	if s.est != nil {
		c.est = s.est.Clone()
	}
	return c
}

var (
	_ classical.Classifier = (*Search)(nil)
	_ classical.Scorer     = (*Search)(nil)
)
