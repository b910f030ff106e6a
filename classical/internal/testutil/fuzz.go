package testutil

import (
	"context"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// ModelFileFuzz describes a fuzz test of classical.Unmarshal seeded with
// real model files.
type ModelFileFuzz struct {
	// X and Y are the data the seed estimators are fitted on (Y may be nil
	// for unsupervised ones).
	X, Y *tensor.Tensor
	// Estimators are fitted on X, Y and marshalled as the seed corpus.
	Estimators []classical.Estimator
	// Probes are the inputs every decoded model is called on; none means X.
	Probes []*tensor.Tensor
	// Also, if set, exercises package-specific methods of a decoded model
	// (called once per decoded model, after the probes).
	Also func(e classical.Estimator)
}

// Run fits and marshals the seed estimators (a failure there stops the
// fuzz test), adds the model files to f's corpus, then fuzzes
// classical.Unmarshal: on any bytes it must either return an error or an
// estimator whose Predict, PredictProba, DecisionFunction, Transform and
// InverseTransform (of the transform), where it has them, return on every
// probe without panicking; what they return, errors included, is not
// checked. A panic fails the fuzz input.
func (z ModelFileFuzz) Run(f *testing.F) {
	f.Helper()
	for _, e := range z.Estimators {
		if err := e.Fit(context.Background(), z.X, z.Y); err != nil {
			f.Fatal(err)
		}
		b, err := classical.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	probes := z.Probes
	if len(probes) == 0 {
		probes = []*tensor.Tensor{z.X}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := classical.Unmarshal(data)
		if err != nil {
			return
		}
		for _, x := range probes {
			Exercise(e, x)
		}
		if z.Also != nil {
			z.Also(e)
		}
	})
}

// Exercise calls every prediction-side method e has (Predict,
// PredictProba, DecisionFunction, Transform and, on a successful
// transform, InverseTransform) on x, discarding results and errors: it is
// for tests that only ask that a model, e.g. one decoded from corrupted
// bytes, never panics.
func Exercise(e classical.Estimator, x *tensor.Tensor) {
	if p, ok := e.(classical.Predictor); ok {
		_, _ = p.Predict(x)
	}
	if c, ok := e.(classical.Classifier); ok {
		_, _ = c.PredictProba(x)
	}
	if d, ok := e.(classical.DecisionFunctioner); ok {
		_, _ = d.DecisionFunction(x)
	}
	if tr, ok := e.(classical.Transformer); ok {
		z, err := tr.Transform(x)
		if inv, ok := e.(classical.InverseTransformer); ok && err == nil {
			_, _ = inv.InverseTransform(z)
		}
	}
}
