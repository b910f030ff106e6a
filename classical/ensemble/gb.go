package ensemble

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("ensemble.GradientBoostingClassifier", func() classical.Estimator { return NewGradientBoostingClassifier() })
	classical.Register("ensemble.GradientBoostingRegressor", func() classical.Estimator { return NewGradientBoostingRegressor() })
}

// GBParams are the hyper-parameters of the gradient-boosted trees.
type GBParams struct {
	Loss         string  // "loss"
	LearningRate float64 // "learning_rate", default 0.1
	NEstimators  int     // "n_estimators", default 100
	// Subsample ("subsample") is the fraction of samples (drawn without
	// replacement) each tree is fitted on; below 1 gives stochastic
	// gradient boosting.
	Subsample           float64
	MaxDepth            int     // "max_depth", default 3 (0: no limit)
	MinSamplesSplit     int     // "min_samples_split", default 2
	MinSamplesLeaf      int     // "min_samples_leaf", default 1
	MinImpurityDecrease float64 // "min_impurity_decrease"
	MaxFeatures         any     // "max_features" (nil: all)
	// Alpha ("alpha") is the quantile of the Huber loss's threshold.
	Alpha float64
	Seed  uint64 // "random_state"
}

func (p *GBParams) list(losses ...string) classical.Params {
	return classical.Params{
		classical.String("loss", &p.Loss, losses...),
		classical.Float("learning_rate", &p.LearningRate),
		classical.Int("n_estimators", &p.NEstimators),
		classical.Float("subsample", &p.Subsample),
		classical.Int("max_depth", &p.MaxDepth),
		classical.Int("min_samples_split", &p.MinSamplesSplit),
		classical.Int("min_samples_leaf", &p.MinSamplesLeaf),
		classical.Float("min_impurity_decrease", &p.MinImpurityDecrease),
		classical.Any("max_features", &p.MaxFeatures, tree.CheckMaxFeatures),
		classical.Float("alpha", &p.Alpha),
		classical.Uint64("random_state", &p.Seed),
	}
}

func (p *GBParams) spec(est string, nFeatures int) (tree.Spec, error) {
	if p.NEstimators < 1 || !(p.LearningRate > 0) || !(p.Subsample > 0 && p.Subsample <= 1) || !(p.Alpha > 0 && p.Alpha < 1) {
		return tree.Spec{}, classical.InvalidParamf(est, "need n_estimators >= 1, learning_rate > 0, subsample in (0, 1], alpha in (0, 1); got %d, %v, %v, %v",
			p.NEstimators, p.LearningRate, p.Subsample, p.Alpha)
	}
	tp := tree.Params{Criterion: "friedman_mse", MaxDepth: p.MaxDepth, MinSamplesSplit: p.MinSamplesSplit,
		MinSamplesLeaf: p.MinSamplesLeaf, MinImpurityDecrease: p.MinImpurityDecrease, MaxFeatures: p.MaxFeatures}
	return tp.Spec(est, nFeatures, 0)
}

// gbModel is the fitted state of a gradient-boosting model: the initial
// raw scores and, per stage, one tree per output whose leaf values are
// the (unscaled) stage updates.
type gbModel struct {
	Init    classical.Floats `json:"init"`
	Trees   []*tree.Tree     `json:"trees"` // stage-major: Trees[s*K+k]
	K       int              `json:"k"`
	LR      float64          `json:"learning_rate"`
	NFeat   int              `json:"n_features"`
	Classes classical.Floats `json:"classes,omitempty"`
}

func (m *gbModel) fitted() bool { return len(m.Trees) > 0 }

func (m *gbModel) validate() error {
	if m.K < 1 || len(m.Init) != m.K || len(m.Trees) == 0 || len(m.Trees)%m.K != 0 {
		return errors.New("inconsistent boosting state")
	}
	return checkTrees(m.Trees, m.NFeat, 1)
}

// raw returns the raw scores [n, K].
func (m *gbModel) raw(xm classical.Matrix) []float64 {
	K := m.K
	out := make([]float64, xm.Rows*K)
	parallel.For(xm.Rows, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xm.Row(i)
			o := out[i*K : (i+1)*K]
			copy(o, m.Init)
			for s, t := range m.Trees {
				o[s%K] += m.LR * t.Value[t.Leaf(row)]
			}
		}
	})
	return out
}

func (m *gbModel) importances() []float64 {
	if !m.fitted() {
		return nil
	}
	return sumImportances(m.Trees, m.NFeat)
}

// boost runs the stages. grad fills the negative gradient (residual) of
// output k from the current raw scores; leaf, when not nil, returns the
// value of a leaf from the in-bag samples that fell into it.
func boost(ctx context.Context, est string, p *GBParams, xm classical.Matrix, m *gbModel, raw []float64,
	grad func(k int, res []float64), leaf func(k int, idx []int32, res []float64) float64) error {
	spec, err := p.spec(est, xm.Cols)
	if err != nil {
		return err
	}
	n, K := xm.Rows, m.K
	ps := tree.Presort(xm)
	rng := tree.NewRand(p.Seed)
	res := make([]float64, n)
	var w []float64
	nIn := n
	if p.Subsample < 1 {
		w = make([]float64, n)
		nIn = max(1, int(p.Subsample*float64(n)))
	}
	leafOf := make([]int32, n)
	for s := 0; s < p.NEstimators; s++ {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
		if w != nil {
			clear(w)
			for _, i := range rng.Perm(n)[:nIn] {
				w[i] = 1
			}
		}
		for k := 0; k < K; k++ {
			grad(k, res)
			t, err := tree.Grow(ctx, ps, tree.Target{Y: res, W: w}, spec, rng)
			if err != nil {
				return fmt.Errorf("%s: %w", est, err)
			}
			parallel.For(n, 2048, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					leafOf[i] = int32(leafIndex(t, ps, i))
				}
			})
			if leaf != nil {
				// Group in-bag samples by leaf and recompute the values.
				groups := map[int32][]int32{}
				for i := 0; i < n; i++ {
					if w == nil || w[i] > 0 {
						groups[leafOf[i]] = append(groups[leafOf[i]], int32(i))
					}
				}
				for l, idx := range groups {
					t.Value[l] = leaf(k, idx, res)
				}
			}
			for i := 0; i < n; i++ {
				raw[i*K+k] += p.LearningRate * t.Value[leafOf[i]]
			}
			m.Trees = append(m.Trees, t)
		}
	}
	return nil
}

// leafIndex finds the leaf of training sample i using the column store.
func leafIndex(t *tree.Tree, ps *tree.Presorted, i int) int {
	n := 0
	for {
		nd := &t.Nodes[n]
		if nd.Left < 0 {
			return n
		}
		if ps.Cols[nd.Feature][i] <= nd.Threshold {
			n = int(nd.Left)
		} else {
			n = int(nd.Right)
		}
	}
}

// GradientBoostingRegressor fits regression trees stage by stage on the
// negative gradient of the loss ("squared_error", "absolute_error" or
// "huber"), like scikit-learn's.
type GradientBoostingRegressor struct {
	GBParams
	m gbModel
}

// NewGradientBoostingRegressor returns a model with scikit-learn's
// defaults: squared error, 100 stages of depth-3 trees, learning rate 0.1.
func NewGradientBoostingRegressor() *GradientBoostingRegressor {
	return &GradientBoostingRegressor{GBParams: GBParams{Loss: "squared_error", LearningRate: 0.1, NEstimators: 100, Subsample: 1, MaxDepth: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1, Alpha: 0.9}}
}

func (r *GradientBoostingRegressor) params() classical.Params {
	return r.list("squared_error", "absolute_error", "huber")
}

// GetParams implements classical.Estimator.
func (r *GradientBoostingRegressor) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *GradientBoostingRegressor) SetParams(m map[string]any) error {
	return r.params().Set("GradientBoostingRegressor", m)
}

// Clone implements classical.Estimator.
func (r *GradientBoostingRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewGradientBoostingRegressor)
}

// weightedPercentile returns the smallest of the sorted values whose
// cumulative count reaches q (in [0, 1]) of the total.
func percentile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	target := q * float64(len(s))
	for i := range s {
		if float64(i+1) >= target {
			return s[i]
		}
	}
	return s[len(s)-1]
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	w := make([]float64, len(s))
	for i := range w {
		w[i] = 1
	}
	return tree.WeightedMedian(s, w)
}

// Fit runs the boosting stages on X [n, p] and targets y [n].
func (r *GradientBoostingRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "GradientBoostingRegressor"
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	n := xm.Rows
	var init float64
	switch r.Loss {
	case "squared_error":
		for _, v := range ys {
			init += v
		}
		init /= float64(n)
	case "absolute_error", "huber":
		init = median(ys)
	default:
		return classical.InvalidParamf(est, "unknown loss %q", r.Loss)
	}
	m := gbModel{Init: []float64{init}, K: 1, LR: r.LearningRate, NFeat: xm.Cols}
	raw := make([]float64, n)
	for i := range raw {
		raw[i] = init
	}
	diff := make([]float64, n)
	var gamma float64
	grad := func(_ int, res []float64) {
		for i := range res {
			diff[i] = ys[i] - raw[i]
		}
		switch r.Loss {
		case "squared_error":
			copy(res, diff)
		case "absolute_error":
			for i, d := range diff {
				res[i] = sign(d)
			}
		case "huber":
			abs := make([]float64, n)
			for i, d := range diff {
				abs[i] = math.Abs(d)
			}
			gamma = percentile(abs, r.Alpha)
			for i, d := range diff {
				if math.Abs(d) <= gamma {
					res[i] = d
				} else {
					res[i] = gamma * sign(d)
				}
			}
		}
	}
	var leaf func(int, []int32, []float64) float64
	switch r.Loss {
	case "absolute_error":
		leaf = func(_ int, idx []int32, _ []float64) float64 {
			d := make([]float64, len(idx))
			for j, i := range idx {
				d[j] = diff[i]
			}
			return median(d)
		}
	case "huber":
		leaf = func(_ int, idx []int32, _ []float64) float64 {
			d := make([]float64, len(idx))
			for j, i := range idx {
				d[j] = diff[i]
			}
			med := median(d)
			s := 0.0
			for _, v := range d {
				dm := v - med
				s += sign(dm) * math.Min(math.Abs(dm), gamma)
			}
			return med + s/float64(len(d))
		}
	}
	if err := boost(ctx, est, &r.GBParams, xm, &m, raw, grad, leaf); err != nil {
		return err
	}
	r.m = m
	return nil
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// Predict returns init + learning_rate · Σ tree(x).
func (r *GradientBoostingRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	if !r.m.fitted() {
		return nil, classical.NotFitted("GradientBoostingRegressor")
	}
	xm, err := classical.CheckFeatures("GradientBoostingRegressor", X, r.m.NFeat)
	if err != nil {
		return nil, err
	}
	return classical.Vector(r.m.raw(xm)), nil
}

// Score returns R² on (X, y).
func (r *GradientBoostingRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("GradientBoostingRegressor", r.Predict, X, y, classical.R2)
}

// FeatureImportances returns feature_importances_ (nil before Fit).
func (r *GradientBoostingRegressor) FeatureImportances() []float64 { return r.m.importances() }

// TypeName implements classical.Persistable.
func (r *GradientBoostingRegressor) TypeName() string { return "ensemble.GradientBoostingRegressor" }

// MarshalState implements classical.Persistable.
func (r *GradientBoostingRegressor) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(r.m.fitted(), &r.m)
}

// UnmarshalState implements classical.Persistable.
func (r *GradientBoostingRegressor) UnmarshalState(b []byte) error {
	var m gbModel
	if err := classical.UnmarshalStrict(b, &m); err != nil {
		return err
	}
	if err := m.validate(); err != nil {
		return err
	}
	if m.K != 1 {
		return errors.New("regressor must have one output")
	}
	r.m = m
	return nil
}

// GradientBoostingClassifier boosts regression trees on the log-loss
// (binomial for two classes, multinomial with one tree per class and
// stage otherwise), with Newton steps in the leaves as scikit-learn does.
type GradientBoostingClassifier struct {
	GBParams
	m gbModel
}

// NewGradientBoostingClassifier returns a model with scikit-learn's
// defaults: log-loss, 100 stages of depth-3 trees, learning rate 0.1.
func NewGradientBoostingClassifier() *GradientBoostingClassifier {
	return &GradientBoostingClassifier{GBParams: GBParams{Loss: "log_loss", LearningRate: 0.1, NEstimators: 100, Subsample: 1, MaxDepth: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1, Alpha: 0.9}}
}

func (c *GradientBoostingClassifier) params() classical.Params {
	return c.list("log_loss", "deviance")
}

// GetParams implements classical.Estimator.
func (c *GradientBoostingClassifier) GetParams() map[string]any { return c.params().Get() }

// SetParams implements classical.Estimator.
func (c *GradientBoostingClassifier) SetParams(m map[string]any) error {
	return c.params().Set("GradientBoostingClassifier", m)
}

// Clone implements classical.Estimator.
func (c *GradientBoostingClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewGradientBoostingClassifier)
}

// Fit runs the boosting stages on X [n, p] and labels y [n].
func (c *GradientBoostingClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "GradientBoostingClassifier"
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	classes, idx, err := encodeClasses(est, ys)
	if err != nil {
		return err
	}
	n, nc := xm.Rows, len(classes)
	K := nOutputs(nc)
	prior := make([]float64, nc)
	for _, k := range idx {
		prior[k]++
	}
	init := make([]float64, K)
	if K == 1 {
		p := prior[1] / float64(n)
		init[0] = math.Log(p / (1 - p))
	} else {
		for k := range init {
			init[k] = math.Log(max(prior[k]/float64(n), 1e-300))
		}
	}
	m := gbModel{Init: init, K: K, LR: c.LearningRate, NFeat: xm.Cols, Classes: classes}
	raw := make([]float64, n*K)
	for i := 0; i < n; i++ {
		copy(raw[i*K:], init)
	}
	prob := make([]float64, n*K)
	yk := func(i, k int) float64 {
		if K == 1 {
			return float64(idx[i])
		}
		if int(idx[i]) == k {
			return 1
		}
		return 0
	}
	grad := func(k int, res []float64) {
		if k == 0 {
			// Probabilities from the raw scores at the start of the stage.
			for i := 0; i < n; i++ {
				if K == 1 {
					prob[i] = expit(raw[i])
				} else {
					softmax(raw[i*K:(i+1)*K], prob[i*K:(i+1)*K])
				}
			}
		}
		for i := range res {
			res[i] = yk(i, k) - prob[i*K+k]
		}
	}
	leaf := func(k int, ids []int32, res []float64) float64 {
		num, den := 0.0, 0.0
		for _, i := range ids {
			r := res[i]
			y := yk(int(i), k)
			num += r
			den += (y - r) * (1 - y + r)
		}
		if K > 1 {
			num *= float64(K-1) / float64(K)
		}
		if math.Abs(den) < 1e-150 {
			return 0
		}
		return num / den
	}
	if err := boost(ctx, est, &c.GBParams, xm, &m, raw, grad, leaf); err != nil {
		return err
	}
	c.m = m
	return nil
}

func expit(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func softmax(z, dst []float64) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = math.Max(mx, v)
	}
	s := 0.0
	for k, v := range z {
		dst[k] = math.Exp(v - mx)
		s += dst[k]
	}
	for k := range dst {
		dst[k] /= s
	}
}

func (c *GradientBoostingClassifier) check(X *tensor.Tensor) (classical.Matrix, error) {
	if !c.m.fitted() {
		return classical.Matrix{}, classical.NotFitted("GradientBoostingClassifier")
	}
	return classical.CheckFeatures("GradientBoostingClassifier", X, c.m.NFeat)
}

// DecisionFunction returns the raw scores: [n] for two classes, [n,
// classes] otherwise.
func (c *GradientBoostingClassifier) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return rawScores(c.m.raw(xm), xm.Rows, c.m.K), nil
}

// PredictProba returns the class probabilities [n, classes].
func (c *GradientBoostingClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(rawToProba(c.m.raw(xm), xm.Rows, c.m.K), xm.Rows, len(c.m.Classes)), nil
}

// rawToProba maps raw scores [n, K] to probabilities [n, classes] (K = 1:
// the sigmoid of the binary score).
func rawToProba(raw []float64, n, K int) []float64 {
	if K == 1 {
		out := make([]float64, 2*n)
		for i, z := range raw {
			p := expit(z)
			out[2*i], out[2*i+1] = 1-p, p
		}
		return out
	}
	out := make([]float64, n*K)
	for i := 0; i < n; i++ {
		softmax(raw[i*K:(i+1)*K], out[i*K:(i+1)*K])
	}
	return out
}

// Predict returns the most probable class.
func (c *GradientBoostingClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return classical.Vector(rawToLabels(c.m.raw(xm), xm.Rows, c.m.K, c.m.Classes)), nil
}

func rawToLabels(raw []float64, n, K int, classes []float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		if K == 1 {
			if raw[i] > 0 {
				out[i] = classes[1]
			} else {
				out[i] = classes[0]
			}
		} else {
			out[i] = classes[floats.Argmax(raw[i*K:(i+1)*K])]
		}
	}
	return out
}

// Score returns the accuracy on (X, y).
func (c *GradientBoostingClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("GradientBoostingClassifier", c.Predict, X, y, classical.Accuracy)
}

// Classes returns the sorted labels (classes_).
func (c *GradientBoostingClassifier) Classes() []float64 { return slices.Clone(c.m.Classes) }

// FeatureImportances returns feature_importances_ (nil before Fit).
func (c *GradientBoostingClassifier) FeatureImportances() []float64 { return c.m.importances() }

// TypeName implements classical.Persistable.
func (c *GradientBoostingClassifier) TypeName() string { return "ensemble.GradientBoostingClassifier" }

// MarshalState implements classical.Persistable.
func (c *GradientBoostingClassifier) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(c.m.fitted(), &c.m)
}

// UnmarshalState implements classical.Persistable.
func (c *GradientBoostingClassifier) UnmarshalState(b []byte) error {
	var m gbModel
	if err := classical.UnmarshalStrict(b, &m); err != nil {
		return err
	}
	if err := m.validate(); err != nil {
		return err
	}
	if err := checkOutputs(len(m.Classes), m.K); err != nil {
		return err
	}
	c.m = m
	return nil
}
