// Package ensemble holds scikit-learn's tree ensembles and meta-estimators:
// RandomForest and ExtraTrees (classifier and regressor, bootstrap,
// out-of-bag scores, feature importances), GradientBoosting (log-loss,
// squared, absolute and Huber losses, subsampling), AdaBoost (SAMME.R,
// SAMME and AdaBoost.R2), a histogram-based gradient boosting like
// LightGBM, XGBoost's "hist" and HistGradientBoosting (binned features,
// native missing values, early stopping, L2 regularisation, multi-class),
// and the VotingClassifier and BaggingClassifier meta-estimators.
//
// Trees of a forest are grown in parallel on internal/parallel's pool.
// Each tree draws from its own generator seeded by (random_state, tree
// index) and is stored at its index, so a fitted forest is the same
// whatever the number of workers.
package ensemble

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("ensemble.RandomForestClassifier", func() classical.Estimator { return NewRandomForestClassifier() })
	classical.Register("ensemble.RandomForestRegressor", func() classical.Estimator { return NewRandomForestRegressor() })
	classical.Register("ensemble.ExtraTreesClassifier", func() classical.Estimator { return NewExtraTreesClassifier() })
	classical.Register("ensemble.ExtraTreesRegressor", func() classical.Estimator { return NewExtraTreesRegressor() })
}

// ForestParams are the hyper-parameters of the forests.
type ForestParams struct {
	NEstimators         int     // "n_estimators", default 100
	Criterion           string  // "criterion"
	MaxDepth            int     // "max_depth", 0 = no limit
	MinSamplesSplit     int     // "min_samples_split", default 2
	MinSamplesLeaf      int     // "min_samples_leaf", default 1
	MinImpurityDecrease float64 // "min_impurity_decrease"
	// MaxFeatures ("max_features"): nil (all), "sqrt", "log2", an int or
	// a fraction.
	MaxFeatures any
	Bootstrap   bool // "bootstrap": grow each tree on a bootstrap sample
	OOBScore    bool // "oob_score": score on the out-of-bag samples
	// MaxSamples ("max_samples") is the fraction of samples drawn for each
	// bootstrap sample; 0 means n.
	MaxSamples float64
	Seed       uint64 // "random_state"
}

func (p *ForestParams) list(criteria ...string) classical.Params {
	return classical.Params{
		classical.Int("n_estimators", &p.NEstimators),
		classical.String("criterion", &p.Criterion, criteria...),
		classical.Int("max_depth", &p.MaxDepth),
		classical.Int("min_samples_split", &p.MinSamplesSplit),
		classical.Int("min_samples_leaf", &p.MinSamplesLeaf),
		classical.Float("min_impurity_decrease", &p.MinImpurityDecrease),
		classical.Any("max_features", &p.MaxFeatures, tree.CheckMaxFeatures),
		classical.Bool("bootstrap", &p.Bootstrap),
		classical.Bool("oob_score", &p.OOBScore),
		classical.Float("max_samples", &p.MaxSamples),
		classical.Uint64("random_state", &p.Seed),
	}
}

func (p *ForestParams) spec(est string, nFeatures, nClasses int, random bool) (tree.Spec, error) {
	if p.NEstimators < 1 {
		return tree.Spec{}, classical.InvalidParamf(est, "n_estimators must be >= 1, got %d", p.NEstimators)
	}
	if p.MaxSamples < 0 || p.MaxSamples > 1 {
		return tree.Spec{}, classical.InvalidParamf(est, "max_samples must be a fraction in (0, 1] (0: all), got %v", p.MaxSamples)
	}
	if p.OOBScore && !p.Bootstrap {
		return tree.Spec{}, classical.InvalidParamf(est, "oob_score needs bootstrap")
	}
	tp := tree.Params{Criterion: p.Criterion, MaxDepth: p.MaxDepth, MinSamplesSplit: p.MinSamplesSplit,
		MinSamplesLeaf: p.MinSamplesLeaf, MinImpurityDecrease: p.MinImpurityDecrease, MaxFeatures: p.MaxFeatures}
	s, err := tp.Spec(est, nFeatures, nClasses)
	s.Random = random
	return s, err
}

// treeRand returns the generator of tree t of a model seeded with seed.
func treeRand(seed uint64, t int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(t)*0x9e3779b97f4a7c15+0x632be59bd9b4e019))
}

// bootstrapCounts draws m of n samples with replacement and returns how
// often each was drawn.
func bootstrapCounts(rng *rand.Rand, n, m int) []float64 {
	c := make([]float64, n)
	for k := 0; k < m; k++ {
		c[rng.IntN(n)]++
	}
	return c
}

// forest is the fitted state shared by the four forests.
type forest struct {
	Trees   []*tree.Tree     `json:"trees"`
	Classes classical.Floats `json:"classes"`
	NFeat   int              `json:"n_features"`
	OOB     float64          `json:"oob_score"`
	HasOOB  bool             `json:"has_oob"`
}

func (f *forest) fitted() bool { return len(f.Trees) > 0 }

// grow fits the trees of a forest.
func growForest(ctx context.Context, est string, p *ForestParams, xm classical.Matrix, tg tree.Target, spec tree.Spec, classWeight any, classes []float64) ([]*tree.Tree, [][]float64, error) {
	var ps *tree.Presorted
	if spec.Random {
		ps = tree.Columns(xm)
	} else {
		ps = tree.Presort(xm)
	}
	n := xm.Rows
	m := n
	if p.MaxSamples > 0 {
		m = max(1, int(math.Round(p.MaxSamples*float64(n))))
	}
	trees := make([]*tree.Tree, p.NEstimators)
	var inBag [][]float64
	if p.Bootstrap {
		inBag = make([][]float64, p.NEstimators)
	}
	errs := make([]error, p.NEstimators)
	parallel.For(p.NEstimators, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			if ctx != nil && ctx.Err() != nil {
				errs[t] = ctx.Err()
				return
			}
			rng := treeRand(p.Seed, t)
			ttg := tg
			if p.Bootstrap {
				c := bootstrapCounts(rng, n, m)
				inBag[t] = c
				w := make([]float64, n)
				var sub []float64
				if s, ok := classWeight.(string); ok && s == "balanced_subsample" {
					sub = subsampleWeights(c, tg.Class, len(classes))
				}
				for i := range w {
					w[i] = c[i]
					if tg.W != nil {
						w[i] *= tg.W[i]
					}
					if sub != nil {
						w[i] *= sub[i]
					}
				}
				ttg.W = w
			}
			tr, err := tree.Grow(ctx, ps, ttg, spec, rng)
			trees[t], errs[t] = tr, err
		}
	})
	for _, err := range errs {
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, nil, fmt.Errorf("%s: fit cancelled: %w", est, err)
			}
			return nil, nil, err
		}
	}
	return trees, inBag, nil
}

// subsampleWeights is class_weight "balanced_subsample": balanced weights
// computed on the bootstrap sample.
func subsampleWeights(counts []float64, cls []int32, K int) []float64 {
	cc := make([]float64, K)
	tot := 0.0
	for i, c := range counts {
		cc[cls[i]] += c
		tot += c
	}
	w := make([]float64, len(counts))
	for i := range w {
		if cc[cls[i]] > 0 {
			w[i] = tot / (float64(K) * cc[cls[i]])
		}
	}
	return w
}

// forestClassifier implements RandomForestClassifier and
// ExtraTreesClassifier.
type forestClassifier struct {
	ForestParams
	// ClassWeight ("class_weight"): nil, "balanced", "balanced_subsample"
	// or a map from label to weight.
	ClassWeight any
	name        string
	extra       bool
	f           forest
}

func (c *forestClassifier) params() classical.Params {
	return append(c.list("gini", "entropy", "log_loss"), classical.Any("class_weight", &c.ClassWeight, tree.CheckClassWeight))
}

// GetParams implements classical.Estimator.
func (c *forestClassifier) GetParams() map[string]any { return c.params().Get() }

// SetParams implements classical.Estimator.
func (c *forestClassifier) SetParams(m map[string]any) error { return c.params().Set(c.name, m) }

// Fit grows the forest on X [n, p] and labels y [n].
func (c *forestClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	xm, ys, err := classical.CheckXY(c.name, X, y)
	if err != nil {
		return err
	}
	classes, idx := tree.EncodeClasses(ys)
	spec, err := c.spec(c.name, xm.Cols, len(classes), c.extra)
	if err != nil {
		return err
	}
	if !spec.Criterion.Classification() {
		return classical.InvalidParamf(c.name, "criterion %q is for regression", c.Criterion)
	}
	tg := tree.Target{Class: idx}
	if s, ok := c.ClassWeight.(string); !ok || s != "balanced_subsample" || !c.Bootstrap {
		cw := c.ClassWeight
		if ok && s == "balanced_subsample" {
			cw = "balanced"
		}
		if cw != nil {
			tg.W = classical.ClassWeights(cw, classes, idx)
		}
	}
	trees, inBag, err := growForest(ctx, c.name, &c.ForestParams, xm, tg, spec, c.ClassWeight, classes)
	if err != nil {
		return err
	}
	c.f = forest{Trees: trees, Classes: classes, NFeat: xm.Cols}
	if c.OOBScore {
		c.f.HasOOB = true
		c.f.OOB = oobClassifier(trees, inBag, xm, idx, len(classes))
	}
	return nil
}

func oobClassifier(trees []*tree.Tree, inBag [][]float64, xm classical.Matrix, idx []int32, K int) float64 {
	n := xm.Rows
	acc := make([]float64, n*K)
	seen := make([]bool, n)
	parallel.For(n, 256, func(lo, hi int) {
		pr := make([]float64, K)
		for i := lo; i < hi; i++ {
			for t, tr := range trees {
				if inBag[t][i] > 0 {
					continue
				}
				tree.LeafProba(tr, tr.Leaf(xm.Row(i)), pr)
				for k := range pr {
					acc[i*K+k] += pr[k]
				}
				seen[i] = true
			}
		}
	})
	ok, cnt := 0, 0
	for i := 0; i < n; i++ {
		if !seen[i] {
			continue
		}
		cnt++
		if floats.Argmax(acc[i*K:(i+1)*K]) == int(idx[i]) {
			ok++
		}
	}
	if cnt == 0 {
		return 0
	}
	return float64(ok) / float64(cnt)
}

func (c *forestClassifier) check(X *tensor.Tensor) (classical.Matrix, error) {
	if !c.f.fitted() {
		return classical.Matrix{}, classical.NotFitted(c.name)
	}
	return classical.CheckFeatures(c.name, X, c.f.NFeat)
}

// PredictProba returns the mean over trees of the leaf class fractions.
func (c *forestClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(forestProba(c.f.Trees, xm, len(c.f.Classes)), xm.Rows, len(c.f.Classes)), nil
}

func forestProba(trees []*tree.Tree, xm classical.Matrix, K int) []float64 {
	out := make([]float64, xm.Rows*K)
	inv := 1 / float64(len(trees))
	grain := max(1, 4096/len(trees))
	parallel.For(xm.Rows, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xm.Row(i)
			o := out[i*K : (i+1)*K]
			for _, tr := range trees {
				v := tr.NodeValue(tr.Leaf(row))
				s := 0.0
				for _, x := range v {
					s += x
				}
				if s > 0 {
					s = 1 / s
				}
				for k, x := range v {
					o[k] += x * s
				}
			}
			for k := range o {
				o[k] *= inv
			}
		}
	})
	return out
}

// Predict returns the class with the largest mean probability.
func (c *forestClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	K := len(c.f.Classes)
	pr := forestProba(c.f.Trees, xm, K)
	out := make([]float64, xm.Rows)
	for i := range out {
		out[i] = c.f.Classes[floats.Argmax(pr[i*K:(i+1)*K])]
	}
	return classical.Vector(out), nil
}

// Score returns the accuracy on (X, y).
func (c *forestClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith(c.name, c.Predict, X, y, classical.Accuracy)
}

// Classes returns the sorted labels (classes_).
func (c *forestClassifier) Classes() []float64 { return slices.Clone(c.f.Classes) }

// Trees returns the fitted trees (estimators_).
func (c *forestClassifier) Trees() []*tree.Tree { return c.f.Trees }

// FeatureImportances returns the mean of the trees' normalised
// importances (feature_importances_), nil before Fit.
func (c *forestClassifier) FeatureImportances() []float64 { return c.f.importances() }

// OOBScoreValue returns the out-of-bag accuracy (oob_score_); ok is false when
// the forest was not fitted with oob_score.
func (c *forestClassifier) OOBScoreValue() (score float64, ok bool) { return c.f.OOB, c.f.HasOOB }

func (f *forest) importances() []float64 {
	if !f.fitted() {
		return nil
	}
	return sumImportances(f.Trees, f.NFeat)
}

// MarshalState implements classical.Persistable.
func (c *forestClassifier) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(c.f.fitted(), &c.f)
}

// UnmarshalState implements classical.Persistable.
func (c *forestClassifier) UnmarshalState(b []byte) error {
	var f forest
	if err := classical.UnmarshalStrict(b, &f); err != nil {
		return err
	}
	if err := f.validate(len(f.Classes)); err != nil {
		return err
	}
	if len(f.Classes) == 0 {
		return errors.New("no classes")
	}
	c.f = f
	return nil
}

func (f *forest) validate(nValues int) error {
	if len(f.Trees) == 0 {
		return errors.New("forest has no trees")
	}
	for i, t := range f.Trees {
		if t == nil || t.NFeatures != f.NFeat || t.NValues != nValues {
			return fmt.Errorf("tree %d is missing or does not match the forest (%d features, %d values)", i, f.NFeat, nValues)
		}
	}
	return nil
}

// RandomForestClassifier averages the class probabilities of trees grown
// on bootstrap samples with a random subset of features at each split.
type RandomForestClassifier struct{ forestClassifier }

// NewRandomForestClassifier returns a forest with scikit-learn's defaults:
// 100 trees, gini, max_features "sqrt", bootstrap.
func NewRandomForestClassifier() *RandomForestClassifier {
	return &RandomForestClassifier{forestClassifier{ForestParams: ForestParams{NEstimators: 100, Criterion: "gini", MinSamplesSplit: 2, MinSamplesLeaf: 1, MaxFeatures: "sqrt", Bootstrap: true}, name: "RandomForestClassifier"}}
}

// Clone implements classical.Estimator.
func (c *RandomForestClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewRandomForestClassifier)
}

// TypeName implements classical.Persistable.
func (c *RandomForestClassifier) TypeName() string { return "ensemble.RandomForestClassifier" }

// ExtraTreesClassifier averages extremely randomised trees: one random
// threshold per drawn feature, grown on the whole sample by default.
type ExtraTreesClassifier struct{ forestClassifier }

// NewExtraTreesClassifier returns extra trees with scikit-learn's
// defaults: 100 trees, gini, max_features "sqrt", no bootstrap.
func NewExtraTreesClassifier() *ExtraTreesClassifier {
	return &ExtraTreesClassifier{forestClassifier{ForestParams: ForestParams{NEstimators: 100, Criterion: "gini", MinSamplesSplit: 2, MinSamplesLeaf: 1, MaxFeatures: "sqrt"}, name: "ExtraTreesClassifier", extra: true}}
}

// Clone implements classical.Estimator.
func (c *ExtraTreesClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewExtraTreesClassifier)
}

// TypeName implements classical.Persistable.
func (c *ExtraTreesClassifier) TypeName() string { return "ensemble.ExtraTreesClassifier" }

// forestRegressor implements RandomForestRegressor and
// ExtraTreesRegressor.
type forestRegressor struct {
	ForestParams
	name  string
	extra bool
	f     forest
}

func (r *forestRegressor) params() classical.Params {
	return r.list("squared_error", "friedman_mse", "absolute_error")
}

// GetParams implements classical.Estimator.
func (r *forestRegressor) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *forestRegressor) SetParams(m map[string]any) error { return r.params().Set(r.name, m) }

// Fit grows the forest on X [n, p] and targets y [n].
func (r *forestRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	xm, ys, err := classical.CheckXY(r.name, X, y)
	if err != nil {
		return err
	}
	spec, err := r.spec(r.name, xm.Cols, 0, r.extra)
	if err != nil {
		return err
	}
	if spec.Criterion.Classification() {
		return classical.InvalidParamf(r.name, "criterion %q is for classification", r.Criterion)
	}
	trees, inBag, err := growForest(ctx, r.name, &r.ForestParams, xm, tree.Target{Y: ys}, spec, nil, nil)
	if err != nil {
		return err
	}
	r.f = forest{Trees: trees, NFeat: xm.Cols}
	if r.OOBScore {
		n := xm.Rows
		sum := make([]float64, n)
		cnt := make([]float64, n)
		parallel.For(n, 256, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				for t, tr := range trees {
					if inBag[t][i] == 0 {
						sum[i] += tr.Value[tr.Leaf(xm.Row(i))]
						cnt[i]++
					}
				}
			}
		})
		var yt, yp []float64
		for i := 0; i < n; i++ {
			if cnt[i] > 0 {
				yt = append(yt, ys[i])
				yp = append(yp, sum[i]/cnt[i])
			}
		}
		r.f.HasOOB, r.f.OOB = true, classical.R2(yt, yp)
	}
	return nil
}

// Predict returns the mean of the trees' predictions.
func (r *forestRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	if !r.f.fitted() {
		return nil, classical.NotFitted(r.name)
	}
	xm, err := classical.CheckFeatures(r.name, X, r.f.NFeat)
	if err != nil {
		return nil, err
	}
	out := make([]float64, xm.Rows)
	inv := 1 / float64(len(r.f.Trees))
	parallel.For(xm.Rows, max(1, 4096/len(r.f.Trees)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xm.Row(i)
			s := 0.0
			for _, tr := range r.f.Trees {
				s += tr.Value[tr.Leaf(row)]
			}
			out[i] = s * inv
		}
	})
	return classical.Vector(out), nil
}

// Score returns R² on (X, y).
func (r *forestRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith(r.name, r.Predict, X, y, classical.R2)
}

// Trees returns the fitted trees (estimators_).
func (r *forestRegressor) Trees() []*tree.Tree { return r.f.Trees }

// FeatureImportances returns feature_importances_ (nil before Fit).
func (r *forestRegressor) FeatureImportances() []float64 { return r.f.importances() }

// OOBScoreValue returns the out-of-bag R² (oob_score_); ok is false when
// the forest was not fitted with oob_score.
func (r *forestRegressor) OOBScoreValue() (score float64, ok bool) { return r.f.OOB, r.f.HasOOB }

// MarshalState implements classical.Persistable.
func (r *forestRegressor) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(r.f.fitted(), &r.f)
}

// UnmarshalState implements classical.Persistable.
func (r *forestRegressor) UnmarshalState(b []byte) error {
	var f forest
	if err := classical.UnmarshalStrict(b, &f); err != nil {
		return err
	}
	if err := f.validate(1); err != nil {
		return err
	}
	r.f = f
	return nil
}

// RandomForestRegressor averages regression trees grown on bootstrap
// samples.
type RandomForestRegressor struct{ forestRegressor }

// NewRandomForestRegressor returns a forest with scikit-learn's defaults:
// 100 trees, squared error, all features, bootstrap.
func NewRandomForestRegressor() *RandomForestRegressor {
	return &RandomForestRegressor{forestRegressor{ForestParams: ForestParams{NEstimators: 100, Criterion: "squared_error", MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true}, name: "RandomForestRegressor"}}
}

// Clone implements classical.Estimator.
func (r *RandomForestRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewRandomForestRegressor)
}

// TypeName implements classical.Persistable.
func (r *RandomForestRegressor) TypeName() string { return "ensemble.RandomForestRegressor" }

// ExtraTreesRegressor averages extremely randomised regression trees.
type ExtraTreesRegressor struct{ forestRegressor }

// NewExtraTreesRegressor returns extra trees with scikit-learn's
// defaults: 100 trees, squared error, all features, no bootstrap.
func NewExtraTreesRegressor() *ExtraTreesRegressor {
	return &ExtraTreesRegressor{forestRegressor{ForestParams: ForestParams{NEstimators: 100, Criterion: "squared_error", MinSamplesSplit: 2, MinSamplesLeaf: 1}, name: "ExtraTreesRegressor", extra: true}}
}

// Clone implements classical.Estimator.
func (r *ExtraTreesRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewExtraTreesRegressor)
}

// TypeName implements classical.Persistable.
func (r *ExtraTreesRegressor) TypeName() string { return "ensemble.ExtraTreesRegressor" }

// scoreWith predicts X and scores the prediction against y with metric.
func scoreWith(est string, predict func(*tensor.Tensor) (*tensor.Tensor, error), X, y *tensor.Tensor, metric func(a, b []float64) float64) (float64, error) {
	pred, err := predict(X)
	if err != nil {
		return 0, err
	}
	ys, err := classical.CheckY(est, y, pred.Shape()[0])
	if err != nil {
		return 0, err
	}
	return metric(ys, pred.Float64s()), nil
}
