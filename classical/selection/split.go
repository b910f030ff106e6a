// Package selection holds scikit-learn's model selection tools: seeded
// (optionally stratified) train/test splits, KFold and StratifiedKFold,
// CrossValScore and CrossValidate, and GridSearchCV and RandomizedSearchCV
// over estimators and pipelines with named parameters. Work runs in
// parallel on all cores (Jobs(-1)) with results that do not depend on the
// number of workers, reports progress when Verbose, and stops when its
// context is cancelled.
package selection

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// Fold is one train/test split of sample indices.
type Fold struct {
	Train, Test []int
}

// Splitter produces cross-validation folds.
type Splitter interface {
	Split(X, y *tensor.Tensor) ([]Fold, error)
}

// KFold splits the samples into NSplits consecutive folds (shuffled first
// when Shuffle is set, with Seed); the first n % NSplits folds have one
// more sample, as in scikit-learn.
type KFold struct {
	NSplits int
	Shuffle bool
	Seed    uint64
}

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)) }

func nSamples(X *tensor.Tensor) (int, error) {
	if X == nil || X.Dim() < 1 {
		return 0, classical.Invalidf("selection", "X must be [n_samples, n_features]")
	}
	return X.Shape()[0], nil
}

// Split implements Splitter.
func (k KFold) Split(X, _ *tensor.Tensor) ([]Fold, error) {
	n, err := nSamples(X)
	if err != nil {
		return nil, err
	}
	if k.NSplits < 2 || k.NSplits > n {
		return nil, classical.Invalidf("KFold", "n_splits=%d must be in [2, n_samples=%d]", k.NSplits, n)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if k.Shuffle {
		r := rng(k.Seed)
		r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	folds := make([]Fold, k.NSplits)
	start := 0
	for f := range folds {
		size := n / k.NSplits
		if f < n%k.NSplits {
			size++
		}
		test := slices.Clone(idx[start : start+size])
		train := append(slices.Clone(idx[:start]), idx[start+size:]...)
		sort.Ints(test)
		sort.Ints(train)
		folds[f] = Fold{Train: train, Test: test}
		start += size
	}
	return folds, nil
}

// StratifiedKFold is KFold that keeps the class proportions of y in each
// fold. Without shuffling the folds are exactly scikit-learn's.
type StratifiedKFold struct {
	NSplits int
	Shuffle bool
	Seed    uint64
}

// Split implements Splitter.
func (k StratifiedKFold) Split(X, y *tensor.Tensor) ([]Fold, error) {
	n, err := nSamples(X)
	if err != nil {
		return nil, err
	}
	ys, err := classical.CheckY("StratifiedKFold", y, n)
	if err != nil {
		return nil, err
	}
	if k.NSplits < 2 || k.NSplits > n {
		return nil, classical.Invalidf("StratifiedKFold", "n_splits=%d must be in [2, n_samples=%d]", k.NSplits, n)
	}
	// Classes numbered in order of first appearance (scikit-learn's
	// y_encoded).
	code := map[float64]int{}
	enc := make([]int, n)
	for i, v := range ys {
		c, ok := code[v]
		if !ok {
			c = len(code)
			code[v] = c
		}
		enc[i] = c
	}
	nc := len(code)
	counts := make([]int, nc)
	for _, c := range enc {
		counts[c]++
	}
	if slices.Max(counts) < k.NSplits {
		return nil, classical.Invalidf("StratifiedKFold", "n_splits=%d is greater than the number of members in every class", k.NSplits)
	}
	order := slices.Clone(enc)
	sort.Ints(order)
	alloc := make([][]int, k.NSplits) // [fold][class]
	for f := range alloc {
		alloc[f] = make([]int, nc)
		for i := f; i < n; i += k.NSplits {
			alloc[f][order[i]]++
		}
	}
	testFold := make([]int, n)
	r := rng(k.Seed)
	for c := 0; c < nc; c++ {
		var folds []int
		for f := 0; f < k.NSplits; f++ {
			for j := 0; j < alloc[f][c]; j++ {
				folds = append(folds, f)
			}
		}
		if k.Shuffle {
			r.Shuffle(len(folds), func(i, j int) { folds[i], folds[j] = folds[j], folds[i] })
		}
		j := 0
		for i, e := range enc {
			if e == c {
				testFold[i] = folds[j]
				j++
			}
		}
	}
	out := make([]Fold, k.NSplits)
	for i, f := range testFold {
		for g := range out {
			if g == f {
				out[g].Test = append(out[g].Test, i)
			} else {
				out[g].Train = append(out[g].Train, i)
			}
		}
	}
	return out, nil
}

// Rows returns the rows idx of X (a copy), or nil for a nil X.
func Rows(X *tensor.Tensor, idx []int) *tensor.Tensor {
	if X == nil {
		return nil
	}
	return tensor.IndexSelect(X, 0, idx)
}

// TrainTestSplit splits X and y into random train and test sets with
// testSize (a fraction in (0, 1), or a count >= 1) samples in the test
// set. Options: Seed(s) (default 0), Stratify() to keep y's class
// proportions. y may be nil.
func TrainTestSplit(X, y *tensor.Tensor, testSize float64, opts ...Option) (Xtr, Xte, ytr, yte *tensor.Tensor, err error) {
	c := newConfig(opts)
	if _, err := classical.CheckXOpts("TrainTestSplit", X, classical.CheckOptions{AllowNaN: true, MinSamples: 2}); err != nil {
		return nil, nil, nil, nil, err
	}
	n := X.Shape()[0]
	var ys []float64
	if y != nil {
		if ys, err = classical.CheckY("TrainTestSplit", y, n); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	if math.IsNaN(testSize) || testSize <= 0 || testSize >= float64(n) {
		return nil, nil, nil, nil, classical.Invalidf("TrainTestSplit", "test size %v: want a fraction in (0, 1) or a count in [1, %d)", testSize, n)
	}
	nTest := int(testSize)
	if testSize > 0 && testSize < 1 {
		nTest = int(math.Ceil(testSize * float64(n)))
	}
	if nTest < 1 || nTest >= n || (testSize >= 1 && testSize != math.Trunc(testSize)) {
		return nil, nil, nil, nil, classical.Invalidf("TrainTestSplit", "test size %v gives %d test samples of %d; need at least 1 of each", testSize, nTest, n)
	}
	r := rng(c.seed)
	var test []int
	if c.stratify {
		if ys == nil {
			return nil, nil, nil, nil, classical.Invalidf("TrainTestSplit", "Stratify needs y")
		}
		classes, idx := classical.Classes(ys)
		byClass := make([][]int, len(classes))
		for i, k := range idx {
			byClass[k] = append(byClass[k], i)
		}
		for k, members := range byClass {
			if len(members) < 2 {
				return nil, nil, nil, nil, classical.Invalidf("TrainTestSplit", "class %v has only %d member; stratifying needs at least 2 per class", classes[k], len(members))
			}
		}
		if nTest < len(classes) || n-nTest < len(classes) {
			return nil, nil, nil, nil, classical.Invalidf("TrainTestSplit", "%d test and %d train samples cannot hold all %d classes; change the test size", nTest, n-nTest, len(classes))
		}
		// Largest-remainder allocation of the test samples over classes.
		alloc := make([]int, len(classes))
		type rem struct {
			k int
			r float64
		}
		var rems []rem
		got := 0
		for k, members := range byClass {
			exact := float64(nTest) * float64(len(members)) / float64(n)
			alloc[k] = int(math.Floor(exact))
			got += alloc[k]
			rems = append(rems, rem{k, exact - math.Floor(exact)})
		}
		sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
		for i := 0; got < nTest; i++ {
			k := rems[i%len(rems)].k
			if alloc[k] < len(byClass[k]) {
				alloc[k]++
				got++
			}
		}
		for k, members := range byClass {
			m := slices.Clone(members)
			r.Shuffle(len(m), func(i, j int) { m[i], m[j] = m[j], m[i] })
			test = append(test, m[:alloc[k]]...)
		}
		r.Shuffle(len(test), func(i, j int) { test[i], test[j] = test[j], test[i] })
	} else {
		perm := r.Perm(n)
		test = perm[:nTest]
	}
	inTest := make([]bool, n)
	for _, i := range test {
		inTest[i] = true
	}
	var train []int
	for _, i := range r.Perm(n) {
		if !inTest[i] {
			train = append(train, i)
		}
	}
	Xtr, Xte = Rows(X, train), Rows(X, test)
	if y != nil {
		ytr, yte = Rows(y, train), Rows(y, test)
	}
	return Xtr, Xte, ytr, yte, nil
}

// Option configures splits, cross-validation and searches.
type Option func(*config)

type config struct {
	cv          Splitter
	k           int
	scoring     string
	jobs        int
	seed        uint64
	stratify    bool
	shuffle     bool
	verbose     io.Writer
	trainScore  bool
	refit       bool
	nIter       int
	errorScore  *float64
	scorerFunc  ScoreFunc
	scorerLabel string
	onCandidate CandidateFunc
}

func newConfig(opts []Option) *config {
	c := &config{k: 5, jobs: 1, refit: true, nIter: 10}
	for _, o := range opts {
		o(c)
	}
	return c
}

// CandidateFunc receives, in candidate order, each searched parameter set
// with its mean and standard deviation of the test score over the folds.
// It is how a search logs to an experiment-tracking run (one step per
// candidate); an error stops the search, which returns it.
type CandidateFunc func(i int, params map[string]any, meanTest, stdTest float64) error

// OnCandidate makes a search call f for every candidate once the
// cross-validation is done, before the best is refitted.
func OnCandidate(f CandidateFunc) Option { return func(c *config) { c.onCandidate = f } }

// CV sets k-fold cross-validation (StratifiedKFold for classifiers,
// KFold otherwise, as scikit-learn; default 5).
func CV(k int) Option { return func(c *config) { c.k = k; c.cv = nil } }

// CVSplitter sets an explicit splitter.
func CVSplitter(s Splitter) Option { return func(c *config) { c.cv = s } }

// Scoring names the score: "accuracy", "r2", "neg_mean_squared_error",
// "neg_root_mean_squared_error", "neg_mean_absolute_error", "f1",
// "f1_macro", "f1_weighted", "roc_auc", "neg_log_loss"; empty (default)
// uses the estimator's Score.
func Scoring(name string) Option { return func(c *config) { c.scoring = name } }

// Scorer sets a custom score function (larger is better); label names it
// in results and progress.
func Scorer(label string, f ScoreFunc) Option {
	return func(c *config) { c.scorerFunc, c.scorerLabel = f, label }
}

// Jobs sets the number of parallel workers; -1 (or 0) uses GOMAXPROCS.
func Jobs(n int) Option { return func(c *config) { c.jobs = n } }

// Seed sets the random seed of splits and random searches.
func Seed(s uint64) Option { return func(c *config) { c.seed = s } }

// Shuffle shuffles the samples (seeded by Seed) before the default CV(k)
// folds are cut, as KFold(shuffle=True) and StratifiedKFold(shuffle=True)
// do: use it when the rows are sorted (by class, date, ...).
func Shuffle() Option { return func(c *config) { c.shuffle = true } }

// Stratify keeps class proportions in TrainTestSplit.
func Stratify() Option { return func(c *config) { c.stratify = true } }

// Verbose writes a progress bar to w.
func Verbose(w io.Writer) Option { return func(c *config) { c.verbose = w } }

// ReturnTrainScore also scores each fit on its training fold.
func ReturnTrainScore() Option { return func(c *config) { c.trainScore = true } }

// Refit sets whether searches refit the best candidate on all the data
// (default true).
func Refit(b bool) Option { return func(c *config) { c.refit = b } }

// NIter sets the number of candidates RandomizedSearchCV samples
// (default 10).
func NIter(n int) Option { return func(c *config) { c.nIter = n } }

// ErrorScore makes a failing fit score v instead of failing the whole
// search (scikit-learn's error_score).
func ErrorScore(v float64) Option { return func(c *config) { c.errorScore = &v } }

func (c *config) splitter(est classical.Estimator) Splitter {
	if c.cv != nil {
		return c.cv
	}
	if isClassifier(est) {
		return StratifiedKFold{NSplits: c.k, Shuffle: c.shuffle, Seed: c.seed}
	}
	return KFold{NSplits: c.k, Shuffle: c.shuffle, Seed: c.seed}
}

// isClassifier reports whether est is a classifier; for a pipeline (or
// anything with a Final step) and a search (BaseEstimator) the estimator
// inside decides, since pipelines have a PredictProba method whatever
// their final step.
func isClassifier(est classical.Estimator) bool {
	type finaler interface{ Final() classical.Estimator }
	type based interface{ BaseEstimator() classical.Estimator }
	if f, ok := est.(finaler); ok {
		return isClassifier(f.Final())
	}
	if b, ok := est.(based); ok {
		return isClassifier(b.BaseEstimator())
	}
	_, ok := est.(classical.Classifier)
	return ok
}

func fmtParams(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := "{"
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %v", k, p[k])
	}
	return s + "}"
}
