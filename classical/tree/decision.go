// Package tree holds CART decision trees like scikit-learn's:
// DecisionTreeClassifier (gini, entropy) and DecisionTreeRegressor
// (squared error, absolute error), with max_depth, min_samples_split,
// min_samples_leaf, max_features, class weights, the "best" and "random"
// splitters, feature importances, and export of a fitted tree as text
// rules (export_text) and as Graphviz DOT (export_graphviz).
//
// The grower (Grow) works on presorted feature columns: each feature's
// sample order is computed once and partitioned stably as nodes split, so
// finding the best split of a node costs a linear scan per feature rather
// than a sort. Forests and boosting in package ensemble share the same
// presort across all their trees.
package tree

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("tree.DecisionTreeClassifier", func() classical.Estimator { return NewDecisionTreeClassifier() })
	classical.Register("tree.DecisionTreeRegressor", func() classical.Estimator { return NewDecisionTreeRegressor() })
}

// Params are the hyper-parameters shared by the two decision trees.
type Params struct {
	Criterion string // "criterion"
	// Splitter ("splitter") is "best" or "random" (one random threshold
	// per feature, as extra trees do).
	Splitter string
	// MaxDepth ("max_depth") limits the depth; 0 means no limit (None).
	MaxDepth            int
	MinSamplesSplit     int     // "min_samples_split", default 2
	MinSamplesLeaf      int     // "min_samples_leaf", default 1
	MinImpurityDecrease float64 // "min_impurity_decrease", default 0
	// MaxFeatures ("max_features") is nil (all), "sqrt", "log2", an int
	// or a float fraction (see CheckMaxFeatures).
	MaxFeatures any
	// Seed ("random_state") seeds the feature draws.
	Seed uint64
}

func (p *Params) list(criteria ...string) classical.Params {
	return classical.Params{
		classical.String("criterion", &p.Criterion, criteria...),
		classical.String("splitter", &p.Splitter, "best", "random"),
		classical.Int("max_depth", &p.MaxDepth),
		classical.Int("min_samples_split", &p.MinSamplesSplit),
		classical.Int("min_samples_leaf", &p.MinSamplesLeaf),
		classical.Float("min_impurity_decrease", &p.MinImpurityDecrease),
		classical.Any("max_features", &p.MaxFeatures, CheckMaxFeatures),
		classical.Uint64("random_state", &p.Seed),
	}
}

// Spec validates p and returns the grower's Spec for p features.
func (p *Params) Spec(est string, nFeatures, nClasses int) (Spec, error) {
	c, ok := ParseCriterion(p.Criterion)
	if !ok {
		return Spec{}, classical.InvalidParamf(est, "unknown criterion %q", p.Criterion)
	}
	if p.MaxDepth < 0 || p.MinSamplesSplit < 2 || p.MinSamplesLeaf < 1 || !(p.MinImpurityDecrease >= 0) {
		return Spec{}, classical.InvalidParamf(est, "need max_depth >= 0 (0: none), min_samples_split >= 2, min_samples_leaf >= 1, min_impurity_decrease >= 0; got %d, %d, %d, %v",
			p.MaxDepth, p.MinSamplesSplit, p.MinSamplesLeaf, p.MinImpurityDecrease)
	}
	if _, err := CheckMaxFeatures(p.MaxFeatures); err != nil {
		return Spec{}, classical.InvalidParamf(est, "%v", err)
	}
	return Spec{
		Criterion: c, NClasses: nClasses, MaxDepth: p.MaxDepth,
		MinSamplesSplit: p.MinSamplesSplit, MinSamplesLeaf: p.MinSamplesLeaf,
		MinImpurityDecrease: p.MinImpurityDecrease,
		MaxFeatures:         ResolveMaxFeatures(p.MaxFeatures, nFeatures),
		Random:              p.Splitter == "random",
	}, nil
}

// NewRand returns the generator used for seed.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// DecisionTreeClassifier is a CART classification tree.
type DecisionTreeClassifier struct {
	Params
	// ClassWeight ("class_weight") is nil, "balanced" or a map from label
	// to weight.
	ClassWeight any

	tree    *Tree
	classes []float64
}

// NewDecisionTreeClassifier returns a classifier with scikit-learn's
// defaults (gini, best splitter, fully grown).
func NewDecisionTreeClassifier() *DecisionTreeClassifier {
	return &DecisionTreeClassifier{Params: Params{Criterion: "gini", Splitter: "best", MinSamplesSplit: 2, MinSamplesLeaf: 1}}
}

func (c *DecisionTreeClassifier) params() classical.Params {
	return append(c.list("gini", "entropy", "log_loss"), classical.Any("class_weight", &c.ClassWeight, CheckClassWeight))
}

// GetParams implements classical.Estimator.
func (c *DecisionTreeClassifier) GetParams() map[string]any { return c.params().Get() }

// SetParams implements classical.Estimator.
func (c *DecisionTreeClassifier) SetParams(m map[string]any) error {
	return c.params().Set("DecisionTreeClassifier", m)
}

// Clone implements classical.Estimator.
func (c *DecisionTreeClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewDecisionTreeClassifier)
}

// Fit grows the tree on X [n, p] and labels y [n].
func (c *DecisionTreeClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	return c.FitWeighted(ctx, X, y, nil)
}

// FitWeighted is Fit with per-sample weights sw (nil: all 1), multiplied by
// the class weights.
func (c *DecisionTreeClassifier) FitWeighted(ctx context.Context, X, y *tensor.Tensor, sw []float64) error {
	const est = "DecisionTreeClassifier"
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	classes, idx := EncodeClasses(ys)
	spec, err := c.Spec(est, xm.Cols, len(classes))
	if err != nil {
		return err
	}
	if !spec.Criterion.Classification() {
		return classical.InvalidParamf(est, "criterion %q is for regression", c.Criterion)
	}
	w, err := combineWeights(est, classical.ClassWeights(c.ClassWeight, classes, idx), sw)
	if err != nil {
		return err
	}
	t, err := Grow(ctx, prepare(xm, spec), Target{Class: idx, W: w}, spec, NewRand(c.Seed))
	if err != nil {
		return wrapCancel(est, err)
	}
	c.tree, c.classes = t, classes
	return nil
}

func wrapCancel(est string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: fit cancelled: %w", est, err)
	}
	return err
}

func combineWeights(est string, cw, sw []float64) ([]float64, error) {
	if sw == nil {
		if cw == nil {
			return nil, nil
		}
		for _, v := range cw {
			if v != 1 {
				return cw, nil
			}
		}
		return nil, nil
	}
	if len(sw) != len(cw) {
		return nil, classical.Invalidf(est, "%d sample weights for %d samples", len(sw), len(cw))
	}
	out := make([]float64, len(sw))
	pos := false
	for i, v := range sw {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, classical.Invalidf(est, "sample weight %d is %v; want a finite weight >= 0", i, v)
		}
		out[i] = v * cw[i]
		pos = pos || out[i] > 0
	}
	if !pos {
		return nil, classical.Invalidf(est, "every sample weight is 0")
	}
	return out, nil
}

func (c *DecisionTreeClassifier) check(X *tensor.Tensor) (classical.Matrix, error) {
	if c.tree == nil {
		return classical.Matrix{}, classical.NotFitted("DecisionTreeClassifier")
	}
	return classical.CheckFeatures("DecisionTreeClassifier", X, c.tree.NFeatures)
}

// PredictProba returns the class probabilities [n, classes]: the class
// fractions of each sample's leaf.
func (c *DecisionTreeClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	K := len(c.classes)
	out := make([]float64, xm.Rows*K)
	parallel.For(xm.Rows, 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			LeafProba(c.tree, c.tree.Leaf(xm.Row(i)), out[i*K:(i+1)*K])
		}
	})
	return tensor.FromFloat64(out, xm.Rows, K), nil
}

// LeafProba writes the class fractions of leaf n of t into dst.
func LeafProba(t *Tree, n int, dst []float64) {
	v := t.NodeValue(n)
	s := 0.0
	for _, x := range v {
		s += x
	}
	for k, x := range v {
		if s > 0 {
			dst[k] = x / s
		} else {
			dst[k] = 1 / float64(len(v))
		}
	}
}

// Predict returns the most probable class of each sample.
func (c *DecisionTreeClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	out := make([]float64, xm.Rows)
	for i := range out {
		out[i] = c.classes[floats.Argmax(c.tree.NodeValue(c.tree.Leaf(xm.Row(i))))]
	}
	return classical.Vector(out), nil
}

// Score returns the accuracy on (X, y).
func (c *DecisionTreeClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("DecisionTreeClassifier", c, X, y)
}

// Classes returns the sorted class labels (classes_).
func (c *DecisionTreeClassifier) Classes() []float64 { return slices.Clone(c.classes) }

// Tree returns the fitted tree (tree_), nil before Fit.
func (c *DecisionTreeClassifier) Tree() *Tree { return c.tree }

// FeatureImportances returns feature_importances_ (nil before Fit).
func (c *DecisionTreeClassifier) FeatureImportances() []float64 {
	if c.tree == nil {
		return nil
	}
	return c.tree.Importances()
}

// Apply returns the leaf id of each sample.
func (c *DecisionTreeClassifier) Apply(X *tensor.Tensor) ([]int, error) {
	xm, err := c.check(X)
	if err != nil {
		return nil, err
	}
	return apply(c.tree, xm), nil
}

func apply(t *Tree, xm classical.Matrix) []int {
	out := make([]int, xm.Rows)
	for i := range out {
		out[i] = t.Leaf(xm.Row(i))
	}
	return out
}

// ExportText returns the tree's rules as indented text, like
// scikit-learn's export_text.
func (c *DecisionTreeClassifier) ExportText(o ExportOptions) (string, error) {
	if c.tree == nil {
		return "", classical.NotFitted("DecisionTreeClassifier")
	}
	return exportText(c.tree, c.classes, o)
}

// ExportDOT returns the tree in Graphviz DOT, like export_graphviz
// (render with `dot -Tpng tree.dot -o tree.png`).
func (c *DecisionTreeClassifier) ExportDOT(o ExportOptions) (string, error) {
	if c.tree == nil {
		return "", classical.NotFitted("DecisionTreeClassifier")
	}
	crit := c.Criterion
	if crit == "log_loss" {
		crit = "entropy"
	}
	return exportDOT(c.tree, c.classes, crit, o)
}

type clsState struct {
	Classes classical.Floats `json:"classes"`
	Tree    *Tree            `json:"tree"`
}

// TypeName implements classical.Persistable.
func (c *DecisionTreeClassifier) TypeName() string { return "tree.DecisionTreeClassifier" }

// MarshalState implements classical.Persistable.
func (c *DecisionTreeClassifier) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(c.tree != nil, clsState{c.classes, c.tree})
}

// UnmarshalState implements classical.Persistable.
func (c *DecisionTreeClassifier) UnmarshalState(b []byte) error {
	var st clsState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if st.Tree == nil || len(st.Classes) == 0 || st.Tree.NValues != len(st.Classes) {
		return errors.New("tree and classes missing or inconsistent")
	}
	c.tree, c.classes = st.Tree, st.Classes
	return nil
}

// DecisionTreeRegressor is a CART regression tree.
type DecisionTreeRegressor struct {
	Params
	tree *Tree
}

// NewDecisionTreeRegressor returns a regressor with scikit-learn's
// defaults (squared error, best splitter, fully grown).
func NewDecisionTreeRegressor() *DecisionTreeRegressor {
	return &DecisionTreeRegressor{Params: Params{Criterion: "squared_error", Splitter: "best", MinSamplesSplit: 2, MinSamplesLeaf: 1}}
}

func (r *DecisionTreeRegressor) params() classical.Params {
	return r.list("squared_error", "friedman_mse", "absolute_error")
}

// GetParams implements classical.Estimator.
func (r *DecisionTreeRegressor) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *DecisionTreeRegressor) SetParams(m map[string]any) error {
	return r.params().Set("DecisionTreeRegressor", m)
}

// Clone implements classical.Estimator.
func (r *DecisionTreeRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewDecisionTreeRegressor)
}

// Fit grows the tree on X [n, p] and targets y [n].
func (r *DecisionTreeRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	return r.FitWeighted(ctx, X, y, nil)
}

// FitWeighted is Fit with per-sample weights sw (nil: all 1).
func (r *DecisionTreeRegressor) FitWeighted(ctx context.Context, X, y *tensor.Tensor, sw []float64) error {
	const est = "DecisionTreeRegressor"
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	spec, err := r.Spec(est, xm.Cols, 0)
	if err != nil {
		return err
	}
	if spec.Criterion.Classification() {
		return classical.InvalidParamf(est, "criterion %q is for classification", r.Criterion)
	}
	var w []float64
	if sw != nil {
		ones := make([]float64, len(ys))
		for i := range ones {
			ones[i] = 1
		}
		if w, err = combineWeights(est, ones, sw); err != nil {
			return err
		}
	}
	t, err := Grow(ctx, prepare(xm, spec), Target{Y: ys, W: w}, spec, NewRand(r.Seed))
	if err != nil {
		return wrapCancel(est, err)
	}
	r.tree = t
	return nil
}

// Predict returns the value of each sample's leaf.
func (r *DecisionTreeRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	if r.tree == nil {
		return nil, classical.NotFitted("DecisionTreeRegressor")
	}
	xm, err := classical.CheckFeatures("DecisionTreeRegressor", X, r.tree.NFeatures)
	if err != nil {
		return nil, err
	}
	out := make([]float64, xm.Rows)
	for i := range out {
		out[i] = r.tree.Value[r.tree.Leaf(xm.Row(i))]
	}
	return classical.Vector(out), nil
}

// Score returns R² on (X, y).
func (r *DecisionTreeRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("DecisionTreeRegressor", r, X, y)
}

// Tree returns the fitted tree (tree_), nil before Fit.
func (r *DecisionTreeRegressor) Tree() *Tree { return r.tree }

// FeatureImportances returns feature_importances_ (nil before Fit).
func (r *DecisionTreeRegressor) FeatureImportances() []float64 {
	if r.tree == nil {
		return nil
	}
	return r.tree.Importances()
}

// ExportText returns the tree's rules as indented text.
func (r *DecisionTreeRegressor) ExportText(o ExportOptions) (string, error) {
	if r.tree == nil {
		return "", classical.NotFitted("DecisionTreeRegressor")
	}
	return exportText(r.tree, nil, o)
}

// ExportDOT returns the tree in Graphviz DOT.
func (r *DecisionTreeRegressor) ExportDOT(o ExportOptions) (string, error) {
	if r.tree == nil {
		return "", classical.NotFitted("DecisionTreeRegressor")
	}
	crit := r.Criterion
	if crit == "friedman_mse" {
		crit = "squared_error"
	}
	return exportDOT(r.tree, nil, crit, o)
}

// TypeName implements classical.Persistable.
func (r *DecisionTreeRegressor) TypeName() string { return "tree.DecisionTreeRegressor" }

// MarshalState implements classical.Persistable.
func (r *DecisionTreeRegressor) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(r.tree != nil, r.tree)
}

// UnmarshalState implements classical.Persistable.
func (r *DecisionTreeRegressor) UnmarshalState(b []byte) error {
	var t Tree
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	if t.NValues != 1 {
		return errors.New("regression tree must have one value per node")
	}
	r.tree = &t
	return nil
}

// prepare returns the column store Grow needs for spec.
func prepare(xm classical.Matrix, spec Spec) *Presorted {
	if spec.Random {
		return Columns(xm)
	}
	return Presort(xm)
}
