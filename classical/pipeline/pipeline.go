// Package pipeline chains transformers and a final estimator into one
// estimator, like scikit-learn's Pipeline: Fit fits each transformer on the
// output of the previous one and then the final step; Predict, Transform,
// PredictProba and Score pass X through the fitted transformers first.
// Parameters of the steps are named "step__param".
package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("pipeline.Pipeline", func() classical.Estimator { return New() })
}

// NamedStep is one step of a Pipeline.
type NamedStep struct {
	Name      string
	Estimator classical.Estimator
}

// Step names an estimator for New.
func Step(name string, est classical.Estimator) NamedStep { return NamedStep{name, est} }

// Pipeline is a sequence of named steps: all but the last must be
// transformers; the last may be any estimator.
type Pipeline struct {
	steps  []NamedStep
	fitted bool
}

// New returns a Pipeline of the given steps.
func New(steps ...NamedStep) *Pipeline { return &Pipeline{steps: steps} }

// Steps returns the steps (the estimators are shared, fitted after Fit).
func (p *Pipeline) Steps() []NamedStep { return slices.Clone(p.steps) }

// Named returns the estimator of the step called name, or nil.
func (p *Pipeline) Named(name string) classical.Estimator {
	for _, s := range p.steps {
		if s.Name == name {
			return s.Estimator
		}
	}
	return nil
}

// AcceptsNaN reports whether the pipeline's first step takes missing
// values (NaN), as a SimpleImputer does; a ColumnTransformer then passes
// them on.
func (p *Pipeline) AcceptsNaN() bool {
	if len(p.steps) == 0 {
		return false
	}
	a, ok := p.steps[0].Estimator.(interface{ AcceptsNaN() bool })
	return ok && a.AcceptsNaN()
}

// Final returns the last step's estimator (nil for an empty pipeline).
func (p *Pipeline) Final() classical.Estimator {
	if len(p.steps) == 0 {
		return nil
	}
	return p.steps[len(p.steps)-1].Estimator
}

func (p *Pipeline) validate() error {
	if len(p.steps) == 0 {
		return classical.InvalidParamf("Pipeline", "no steps")
	}
	seen := map[string]bool{}
	for i, s := range p.steps {
		if s.Name == "" || strings.Contains(s.Name, "__") || seen[s.Name] {
			return classical.InvalidParamf("Pipeline", "step names must be unique, non-empty and free of \"__\": %q", s.Name)
		}
		seen[s.Name] = true
		if s.Estimator == nil {
			return classical.InvalidParamf("Pipeline", "step %q has no estimator", s.Name)
		}
		if _, ok := s.Estimator.(classical.Transformer); !ok && i < len(p.steps)-1 {
			return classical.InvalidParamf("Pipeline", "step %q (%T) is not a transformer; only the last step may be", s.Name, s.Estimator)
		}
	}
	return nil
}

// GetParams returns every step's parameters as "step__param".
func (p *Pipeline) GetParams() map[string]any {
	m := map[string]any{}
	for _, s := range p.steps {
		classical.NestParams(m, s.Name, s.Estimator)
	}
	return m
}

// SetParams sets "step__param" entries (which may nest further:
// "pre__num__with_mean"). Unknown steps or names are errors.
func (p *Pipeline) SetParams(m map[string]any) error {
	valid := func() []string {
		var names []string
		for _, s := range p.steps {
			names = append(names, s.Name+"__...")
		}
		return names
	}
	index := func(name string) int {
		return slices.IndexFunc(p.steps, func(s NamedStep) bool { return s.Name == name && s.Estimator != nil })
	}
	own, nested, err := classical.SplitNestedParams("Pipeline", m, index, valid)
	if err != nil {
		return err
	}
	if len(own) > 0 { // a Pipeline has no parameters of its own
		return classical.UnknownParam("Pipeline", slices.Min(slices.Collect(maps.Keys(own))), valid())
	}
	for i := range p.steps {
		if g := nested[i]; g != nil {
			if err := p.steps[i].Estimator.SetParams(g); err != nil {
				return fmt.Errorf("Pipeline step %q: %w", p.steps[i].Name, err)
			}
		}
	}
	return nil
}

// Clone returns an unfitted Pipeline of cloned steps.
func (p *Pipeline) Clone() classical.Estimator {
	c := &Pipeline{}
	for _, s := range p.steps {
		var e classical.Estimator
		if s.Estimator != nil {
			e = s.Estimator.Clone()
		}
		c.steps = append(c.steps, NamedStep{s.Name, e})
	}
	return c
}

// Fit fits the transformers in order, each on the previous output, then
// the final estimator.
func (p *Pipeline) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	if err := p.validate(); err != nil {
		return err
	}
	p.fitted = false
	cur := X
	for i, s := range p.steps {
		if err := classical.CheckContext(ctx, "Pipeline"); err != nil {
			return err
		}
		if err := s.Estimator.Fit(ctx, cur, y); err != nil {
			return fmt.Errorf("Pipeline step %q: %w", s.Name, err)
		}
		if i < len(p.steps)-1 {
			out, err := s.Estimator.(classical.Transformer).Transform(cur)
			if err != nil {
				return fmt.Errorf("Pipeline step %q: %w", s.Name, err)
			}
			cur = out
		}
	}
	p.fitted = true
	return nil
}

// pre passes X through the fitted transformers.
func (p *Pipeline) pre(X *tensor.Tensor) (*tensor.Tensor, error) {
	if !p.fitted {
		return nil, classical.NotFitted("Pipeline")
	}
	cur := X
	for _, s := range p.steps[:len(p.steps)-1] {
		out, err := s.Estimator.(classical.Transformer).Transform(cur)
		if err != nil {
			return nil, fmt.Errorf("Pipeline step %q: %w", s.Name, err)
		}
		cur = out
	}
	return cur, nil
}

// Predict transforms X and predicts with the final estimator.
func (p *Pipeline) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	Xt, err := p.pre(X)
	if err != nil {
		return nil, err
	}
	f, ok := p.Final().(classical.Predictor)
	if !ok {
		return nil, classical.InvalidParamf("Pipeline", "the final step %T cannot predict", p.Final())
	}
	return f.Predict(Xt)
}

// PredictProba transforms X and returns the final classifier's class
// probabilities.
func (p *Pipeline) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	Xt, err := p.pre(X)
	if err != nil {
		return nil, err
	}
	f, ok := p.Final().(classical.Classifier)
	if !ok {
		return nil, classical.InvalidParamf("Pipeline", "the final step %T has no PredictProba", p.Final())
	}
	return f.PredictProba(Xt)
}

// DecisionFunction transforms X and returns the final step's scores.
func (p *Pipeline) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	Xt, err := p.pre(X)
	if err != nil {
		return nil, err
	}
	f, ok := p.Final().(classical.DecisionFunctioner)
	if !ok {
		return nil, classical.InvalidParamf("Pipeline", "the final step %T has no DecisionFunction", p.Final())
	}
	return f.DecisionFunction(Xt)
}

// Classes returns the final classifier's classes (nil otherwise).
func (p *Pipeline) Classes() []float64 {
	if c, ok := p.Final().(classical.Classifier); ok {
		return c.Classes()
	}
	return nil
}

// Transform passes X through every step; the final one must be a
// transformer.
func (p *Pipeline) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	Xt, err := p.pre(X)
	if err != nil {
		return nil, err
	}
	f, ok := p.Final().(classical.Transformer)
	if !ok {
		return nil, classical.InvalidParamf("Pipeline", "the final step %T cannot transform", p.Final())
	}
	return f.Transform(Xt)
}

// Score transforms X and scores with the final estimator.
func (p *Pipeline) Score(X, y *tensor.Tensor) (float64, error) {
	Xt, err := p.pre(X)
	if err != nil {
		return 0, err
	}
	f, ok := p.Final().(classical.Scorer)
	if !ok {
		return 0, classical.InvalidParamf("Pipeline", "the final step %T cannot score", p.Final())
	}
	return f.Score(Xt, y)
}

// TypeName implements classical.Persistable.
func (p *Pipeline) TypeName() string { return "pipeline.Pipeline" }

type stepState struct {
	Name string              `json:"name"`
	Doc  *classical.Document `json:"estimator"`
}

type state struct {
	Steps  []stepState `json:"steps"`
	Fitted bool        `json:"fitted"`
}

// MarshalState implements classical.Persistable: the steps are stored as
// nested documents, fitted or not.
func (p *Pipeline) MarshalState() ([]byte, error) {
	st := state{Fitted: p.fitted}
	for _, s := range p.steps {
		d, err := classical.Encode(s.Estimator)
		if err != nil {
			return nil, fmt.Errorf("step %q: %w", s.Name, err)
		}
		st.Steps = append(st.Steps, stepState{s.Name, d})
	}
	return json.Marshal(st)
}

// UnmarshalState implements classical.Persistable.
func (p *Pipeline) UnmarshalState(b []byte) error {
	var st state
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	var steps []NamedStep
	for _, s := range st.Steps {
		e, err := classical.Decode(s.Doc)
		if err != nil {
			return fmt.Errorf("step %q: %w", s.Name, err)
		}
		steps = append(steps, NamedStep{s.Name, e})
	}
	np := &Pipeline{steps: steps}
	if err := np.validate(); err != nil {
		return err
	}
	p.steps, p.fitted = steps, st.Fitted
	return nil
}
