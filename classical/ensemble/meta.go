package ensemble

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("ensemble.VotingClassifier", func() classical.Estimator { return NewVotingClassifier() })
	classical.Register("ensemble.BaggingClassifier", func() classical.Estimator { return NewBaggingClassifier(nil) })
}

// Named is an estimator with a name, for VotingClassifier.
type Named struct {
	Name      string
	Estimator classical.Estimator
}

// VotingClassifier combines classifiers by majority vote of their labels
// ("hard") or by the weighted mean of their class probabilities ("soft").
// Its children's parameters are named "name__param".
type VotingClassifier struct {
	Estimators []Named
	Voting     string    // "voting": "hard" (default) or "soft"
	Weights    []float64 // "weights": one per estimator (nil: equal)
	classes    []float64
	fitted     bool
}

// NewVotingClassifier returns a hard-voting ensemble of the estimators.
func NewVotingClassifier(est ...Named) *VotingClassifier {
	return &VotingClassifier{Estimators: est, Voting: "hard"}
}

func (v *VotingClassifier) own() classical.Params {
	return classical.Params{
		classical.String("voting", &v.Voting, "hard", "soft"),
		classical.FloatSlice("weights", &v.Weights),
	}
}

// GetParams returns "voting", "weights" and every estimator's parameters
// as "name__param".
func (v *VotingClassifier) GetParams() map[string]any {
	m := v.own().Get()
	for _, e := range v.Estimators {
		classical.NestParams(m, e.Name, e.Estimator)
	}
	return m
}

// SetParams sets own and "name__param" parameters.
func (v *VotingClassifier) SetParams(m map[string]any) error {
	index := func(name string) int {
		i := slices.IndexFunc(v.Estimators, func(e Named) bool { return e.Name == name })
		if i < 0 || v.Estimators[i].Estimator == nil {
			return -1
		}
		return i
	}
	own, groups, err := classical.SplitNestedParams("VotingClassifier", m, index, v.paramNames)
	if err != nil {
		return err
	}
	for k := range own {
		if !slices.Contains(v.own().Names(), k) {
			return classical.UnknownParam("VotingClassifier", k, v.paramNames())
		}
	}
	if err := v.own().Set("VotingClassifier", own); err != nil {
		return err
	}
	for i, g := range groups {
		if err := v.Estimators[i].Estimator.SetParams(g); err != nil {
			return fmt.Errorf("VotingClassifier estimator %q: %w", v.Estimators[i].Name, err)
		}
	}
	return nil
}

func (v *VotingClassifier) paramNames() []string {
	names := v.own().Names()
	for _, e := range v.Estimators {
		names = append(names, e.Name+"__...")
	}
	return names
}

// Clone returns an unfitted VotingClassifier of cloned estimators.
func (v *VotingClassifier) Clone() classical.Estimator {
	c := &VotingClassifier{Voting: v.Voting, Weights: slices.Clone(v.Weights)}
	for _, e := range v.Estimators {
		var ce classical.Estimator
		if e.Estimator != nil {
			ce = e.Estimator.Clone()
		}
		c.Estimators = append(c.Estimators, Named{e.Name, ce})
	}
	return c
}

func (v *VotingClassifier) validate() error {
	const est = "VotingClassifier"
	if len(v.Estimators) == 0 {
		return classical.InvalidParamf(est, "no estimators")
	}
	if v.Weights != nil && len(v.Weights) != len(v.Estimators) {
		return classical.InvalidParamf(est, "%d weights for %d estimators", len(v.Weights), len(v.Estimators))
	}
	seen := map[string]bool{}
	for _, e := range v.Estimators {
		if e.Name == "" || strings.Contains(e.Name, "__") || seen[e.Name] {
			return classical.InvalidParamf(est, "estimator names must be unique, non-empty and free of \"__\": %q", e.Name)
		}
		seen[e.Name] = true
		switch e.Estimator.(type) {
		case classical.Classifier:
		case classical.Predictor:
			if v.Voting == "soft" {
				return classical.InvalidParamf(est, "soft voting needs PredictProba; %q (%T) has none", e.Name, e.Estimator)
			}
		default:
			return classical.InvalidParamf(est, "estimator %q (%T) cannot predict", e.Name, e.Estimator)
		}
	}
	return nil
}

// Fit fits every estimator on (X, y).
func (v *VotingClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "VotingClassifier"
	if err := v.validate(); err != nil {
		return err
	}
	_, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	v.fitted = false
	v.classes, _ = classical.Classes(ys)
	for _, e := range v.Estimators {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
		if err := e.Estimator.Fit(ctx, X, y); err != nil {
			return fmt.Errorf("VotingClassifier estimator %q: %w", e.Name, err)
		}
	}
	v.fitted = true
	return nil
}

func (v *VotingClassifier) weight(i int) float64 {
	if v.Weights == nil {
		return 1
	}
	return v.Weights[i]
}

// scores returns the weighted votes or mean probabilities [n, classes].
func (v *VotingClassifier) scores(X *tensor.Tensor) ([]float64, int, error) {
	if !v.fitted {
		return nil, 0, classical.NotFitted("VotingClassifier")
	}
	K := len(v.classes)
	var out []float64
	n := 0
	wsum := 0.0
	for i, e := range v.Estimators {
		w := v.weight(i)
		wsum += w
		if v.Voting == "soft" {
			c := e.Estimator.(classical.Classifier)
			p, err := c.PredictProba(X)
			if err != nil {
				return nil, 0, fmt.Errorf("VotingClassifier estimator %q: %w", e.Name, err)
			}
			n = p.Shape()[0]
			if out == nil {
				out = make([]float64, n*K)
			}
			cols := columnMap(c.Classes(), v.classes)
			pd := p.Float64s()
			kc := p.Shape()[1]
			for r := 0; r < n; r++ {
				for j, col := range cols {
					if col >= 0 {
						out[r*K+col] += w * pd[r*kc+j]
					}
				}
			}
		} else {
			pr, err := e.Estimator.(classical.Predictor).Predict(X)
			if err != nil {
				return nil, 0, fmt.Errorf("VotingClassifier estimator %q: %w", e.Name, err)
			}
			n = pr.Shape()[0]
			if out == nil {
				out = make([]float64, n*K)
			}
			for r, lab := range pr.Float64s() {
				if k, ok := slices.BinarySearch(v.classes, lab); ok {
					out[r*K+k] += w
				}
			}
		}
	}
	if v.Voting == "soft" && wsum > 0 {
		for i := range out {
			out[i] /= wsum
		}
	}
	return out, n, nil
}

// columnMap maps each of the estimator's classes to its column among all.
func columnMap(est, all []float64) []int {
	m := make([]int, len(est))
	for j, c := range est {
		k, ok := slices.BinarySearch(all, c)
		if !ok {
			k = -1
		}
		m[j] = k
	}
	return m
}

// Predict returns the class with the most (weighted) votes, or the
// largest mean probability for soft voting.
func (v *VotingClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	s, n, err := v.scores(X)
	if err != nil {
		return nil, err
	}
	K := len(v.classes)
	out := make([]float64, n)
	for i := range out {
		out[i] = v.classes[floats.Argmax(s[i*K:(i+1)*K])]
	}
	return classical.Vector(out), nil
}

// PredictProba returns the weighted mean of the estimators' class
// probabilities (soft voting only).
func (v *VotingClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	if v.Voting != "soft" {
		if _, _, err := v.scores(X); err != nil {
			return nil, err
		}
		return nil, classical.InvalidParamf("VotingClassifier", "PredictProba needs voting \"soft\"")
	}
	s, n, err := v.scores(X)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64(s, n, len(v.classes)), nil
}

// Score returns the accuracy on (X, y).
func (v *VotingClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("VotingClassifier", v.Predict, X, y, classical.Accuracy)
}

// Classes returns the sorted labels seen in Fit.
func (v *VotingClassifier) Classes() []float64 { return slices.Clone(v.classes) }

// TypeName implements classical.Persistable.
func (v *VotingClassifier) TypeName() string { return "ensemble.VotingClassifier" }

type namedDoc struct {
	Name string              `json:"name"`
	Doc  *classical.Document `json:"estimator"`
}

type votingState struct {
	Estimators []namedDoc       `json:"estimators"`
	Classes    classical.Floats `json:"classes"`
	Fitted     bool             `json:"fitted"`
}

// MarshalState implements classical.Persistable: the estimators are
// stored as nested documents, fitted or not.
func (v *VotingClassifier) MarshalState() ([]byte, error) {
	st := votingState{Classes: v.classes, Fitted: v.fitted}
	for _, e := range v.Estimators {
		d, err := classical.Encode(e.Estimator)
		if err != nil {
			return nil, fmt.Errorf("estimator %q: %w", e.Name, err)
		}
		st.Estimators = append(st.Estimators, namedDoc{e.Name, d})
	}
	return json.Marshal(st)
}

// UnmarshalState implements classical.Persistable.
func (v *VotingClassifier) UnmarshalState(b []byte) error {
	var st votingState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	nv := &VotingClassifier{Voting: v.Voting, Weights: v.Weights}
	for _, d := range st.Estimators {
		e, err := classical.Decode(d.Doc)
		if err != nil {
			return fmt.Errorf("estimator %q: %w", d.Name, err)
		}
		nv.Estimators = append(nv.Estimators, Named{d.Name, e})
	}
	if err := nv.validate(); err != nil {
		return err
	}
	if st.Fitted && len(st.Classes) == 0 {
		return errors.New("fitted without classes")
	}
	v.Estimators, v.classes, v.fitted = nv.Estimators, st.Classes, st.Fitted
	return nil
}

// BaggingClassifier fits clones of a base classifier on random samples
// (bootstrap by default) and random feature subsets, in parallel, and
// averages their class probabilities (or votes, when the base has no
// PredictProba). The base's parameters are named "estimator__param".
type BaggingClassifier struct {
	// Estimator is the base classifier (default DecisionTreeClassifier).
	Estimator         classical.Estimator
	NEstimators       int     // "n_estimators", default 10
	MaxSamples        float64 // "max_samples": fraction of samples drawn, default 1
	MaxFeatures       float64 // "max_features": fraction of features drawn, default 1
	Bootstrap         bool    // "bootstrap": samples with replacement, default true
	BootstrapFeatures bool    // "bootstrap_features": features with replacement
	Seed              uint64  // "random_state"

	ests    []classical.Estimator
	feats   [][]int
	classes []float64
	nFeat   int
}

// NewBaggingClassifier returns bagging of base (nil: a
// DecisionTreeClassifier) with scikit-learn's defaults.
func NewBaggingClassifier(base classical.Estimator) *BaggingClassifier {
	if base == nil {
		base = tree.NewDecisionTreeClassifier()
	}
	return &BaggingClassifier{Estimator: base, NEstimators: 10, MaxSamples: 1, MaxFeatures: 1, Bootstrap: true}
}

func (b *BaggingClassifier) own() classical.Params {
	return classical.Params{
		classical.Int("n_estimators", &b.NEstimators),
		classical.Float("max_samples", &b.MaxSamples),
		classical.Float("max_features", &b.MaxFeatures),
		classical.Bool("bootstrap", &b.Bootstrap),
		classical.Bool("bootstrap_features", &b.BootstrapFeatures),
		classical.Uint64("random_state", &b.Seed),
	}
}

// GetParams returns own parameters and the base's as "estimator__param".
func (b *BaggingClassifier) GetParams() map[string]any {
	m := b.own().Get()
	classical.NestParams(m, "estimator", b.Estimator)
	return m
}

// SetParams sets own and "estimator__param" parameters.
func (b *BaggingClassifier) SetParams(m map[string]any) error {
	own, sub := map[string]any{}, map[string]any{}
	for k, x := range m {
		if head, rest, ok := classical.SplitNested(k); ok {
			if head != "estimator" || b.Estimator == nil {
				return classical.UnknownParam("BaggingClassifier", k, append(b.own().Names(), "estimator__..."))
			}
			sub[rest] = x
		} else {
			own[k] = x
		}
	}
	if err := b.own().Set("BaggingClassifier", own); err != nil {
		return err
	}
	if len(sub) > 0 {
		if err := b.Estimator.SetParams(sub); err != nil {
			return fmt.Errorf("BaggingClassifier estimator: %w", err)
		}
	}
	return nil
}

// Clone returns an unfitted copy with a cloned base.
func (b *BaggingClassifier) Clone() classical.Estimator {
	var base classical.Estimator
	if b.Estimator != nil {
		base = b.Estimator.Clone()
	}
	c := NewBaggingClassifier(base)
	if err := c.own().Set("BaggingClassifier", b.own().Get()); err != nil {
		panic(err)
	}
	return c
}

// Fit fits NEstimators clones of the base in parallel; clone i draws its
// rows and features from a generator seeded by (random_state, i).
func (b *BaggingClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "BaggingClassifier"
	if b.Estimator == nil {
		return classical.InvalidParamf(est, "no base estimator")
	}
	if _, ok := b.Estimator.(classical.Predictor); !ok {
		return classical.InvalidParamf(est, "base %T cannot predict", b.Estimator)
	}
	if b.NEstimators < 1 || !(b.MaxSamples > 0 && b.MaxSamples <= 1) || !(b.MaxFeatures > 0 && b.MaxFeatures <= 1) {
		return classical.InvalidParamf(est, "need n_estimators >= 1 and max_samples, max_features in (0, 1]; got %d, %v, %v", b.NEstimators, b.MaxSamples, b.MaxFeatures)
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	classes, _ := classical.Classes(ys)
	n, p := xm.Rows, xm.Cols
	ns := max(1, int(b.MaxSamples*float64(n)))
	nf := max(1, int(b.MaxFeatures*float64(p)))
	ests := make([]classical.Estimator, b.NEstimators)
	feats := make([][]int, b.NEstimators)
	errs := make([]error, b.NEstimators)
	parallel.For(b.NEstimators, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			if err := classical.CheckContext(ctx, est); err != nil {
				errs[t] = err
				return
			}
			rng := treeRand(b.Seed, t)
			fs := drawIndices(rng, p, nf, b.BootstrapFeatures)
			slices.Sort(fs)
			rows := drawIndices(rng, n, ns, b.Bootstrap)
			xs := make([]float64, len(rows)*len(fs))
			yt := make([]float64, len(rows))
			for r, i := range rows {
				for c, f := range fs {
					xs[r*len(fs)+c] = xm.Data[i*p+f]
				}
				yt[r] = ys[i]
			}
			e := b.Estimator.Clone()
			errs[t] = e.Fit(ctx, tensor.FromFloat64(xs, len(rows), len(fs)), classical.Vector(yt))
			ests[t], feats[t] = e, fs
		}
	})
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("%s: %w", est, err)
		}
	}
	b.ests, b.feats, b.classes, b.nFeat = ests, feats, classes, p
	return nil
}

// drawIndices draws m of 0..n-1, with or without replacement.
func drawIndices(rng *rand.Rand, n, m int, replace bool) []int {
	if replace {
		out := make([]int, m)
		for i := range out {
			out[i] = rng.IntN(n)
		}
		return out
	}
	if m == n {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return rng.Perm(n)[:m]
}

// PredictProba averages the members' probabilities (or vote shares).
func (b *BaggingClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	if len(b.ests) == 0 {
		return nil, classical.NotFitted("BaggingClassifier")
	}
	xm, err := classical.CheckFeatures("BaggingClassifier", X, b.nFeat)
	if err != nil {
		return nil, err
	}
	n, K := xm.Rows, len(b.classes)
	out := make([]float64, n*K)
	for t, e := range b.ests {
		fs := b.feats[t]
		xs := make([]float64, n*len(fs))
		for i := 0; i < n; i++ {
			for c, f := range fs {
				xs[i*len(fs)+c] = xm.Data[i*xm.Cols+f]
			}
		}
		Xt := tensor.FromFloat64(xs, n, len(fs))
		if c, ok := e.(classical.Classifier); ok {
			p, err := c.PredictProba(Xt)
			if err != nil {
				return nil, err
			}
			cols := columnMap(c.Classes(), b.classes)
			pd, kc := p.Float64s(), p.Shape()[1]
			for i := 0; i < n; i++ {
				for j, col := range cols {
					if col >= 0 {
						out[i*K+col] += pd[i*kc+j]
					}
				}
			}
		} else {
			pr, err := e.(classical.Predictor).Predict(Xt)
			if err != nil {
				return nil, err
			}
			for i, lab := range pr.Float64s() {
				if k, ok := slices.BinarySearch(b.classes, lab); ok {
					out[i*K+k]++
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		s := 0.0
		for k := 0; k < K; k++ {
			s += out[i*K+k]
		}
		for k := 0; k < K; k++ {
			if s > 0 {
				out[i*K+k] /= s
			} else {
				out[i*K+k] = 1 / float64(K)
			}
		}
	}
	return tensor.FromFloat64(out, n, K), nil
}

// Predict returns the class with the largest mean probability.
func (b *BaggingClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	p, err := b.PredictProba(X)
	if err != nil {
		return nil, err
	}
	n, K := p.Shape()[0], p.Shape()[1]
	d := p.Float64s()
	out := make([]float64, n)
	for i := range out {
		out[i] = b.classes[floats.Argmax(d[i*K:(i+1)*K])]
	}
	return classical.Vector(out), nil
}

// Score returns the accuracy on (X, y).
func (b *BaggingClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("BaggingClassifier", b.Predict, X, y, classical.Accuracy)
}

// Classes returns the sorted labels seen in Fit.
func (b *BaggingClassifier) Classes() []float64 { return slices.Clone(b.classes) }

// TypeName implements classical.Persistable.
func (b *BaggingClassifier) TypeName() string { return "ensemble.BaggingClassifier" }

type baggingState struct {
	Base    *classical.Document   `json:"base"`
	Members []*classical.Document `json:"members"`
	Feats   [][]int               `json:"features"`
	Classes classical.Floats      `json:"classes"`
	NFeat   int                   `json:"n_features"`
}

// MarshalState implements classical.Persistable; the base is stored even
// when unfitted.
func (b *BaggingClassifier) MarshalState() ([]byte, error) {
	base, err := classical.Encode(b.Estimator)
	if err != nil {
		return nil, err
	}
	st := baggingState{Base: base, Feats: b.feats, Classes: b.classes, NFeat: b.nFeat}
	for _, e := range b.ests {
		d, err := classical.Encode(e)
		if err != nil {
			return nil, err
		}
		st.Members = append(st.Members, d)
	}
	return json.Marshal(st)
}

// UnmarshalState implements classical.Persistable.
func (b *BaggingClassifier) UnmarshalState(data []byte) error {
	var st baggingState
	if err := classical.UnmarshalStrict(data, &st); err != nil {
		return err
	}
	base, err := classical.Decode(st.Base)
	if err != nil {
		return err
	}
	if len(st.Members) != len(st.Feats) {
		return errors.New("members and feature lists differ in length")
	}
	var ests []classical.Estimator
	for t, d := range st.Members {
		e, err := classical.Decode(d)
		if err != nil {
			return err
		}
		if _, ok := e.(classical.Predictor); !ok {
			return fmt.Errorf("member %d cannot predict", t)
		}
		for _, f := range st.Feats[t] {
			if f < 0 || f >= st.NFeat {
				return fmt.Errorf("member %d uses feature %d of %d", t, f, st.NFeat)
			}
		}
		if len(st.Feats[t]) == 0 {
			return fmt.Errorf("member %d has no features", t)
		}
		ests = append(ests, e)
	}
	if len(ests) > 0 && len(st.Classes) == 0 {
		return errors.New("fitted without classes")
	}
	b.Estimator, b.ests, b.feats, b.classes, b.nFeat = base, ests, st.Feats, st.Classes, st.NFeat
	return nil
}
