// Package serve puts saved ember models behind an HTTP API: predictions for
// one row or a batch, image uploads for image models, health, readiness,
// model listing, Prometheus metrics, an OpenAPI document, hot reload with
// rollback, micro-batching of small concurrent requests, and data-drift
// monitoring against statistics of the training data.
package serve

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/tensor"
)

// Kind says what a model predicts.
type Kind string

// Model kinds.
const (
	Classifier Kind = "classifier"
	Regressor  Kind = "regressor"
)

// Info describes a served model's interface.
type Info struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Kind    Kind   `json:"kind"`
	// NumFeatures is the row width for tabular models (0 for image models).
	NumFeatures  int      `json:"num_features,omitempty"`
	FeatureNames []string `json:"feature_names,omitempty"`
	// InputShape is [C, H, W] for image models (nil for tabular ones).
	InputShape []int `json:"input_shape,omitempty"`
	// Classes names the classes of a classifier, in the order of its
	// probabilities.
	Classes []string `json:"classes,omitempty"`
	// Categories lists, for each tabular feature that holds categories,
	// their names in the order of their codes (nil for a numeric
	// feature). A request may give such a feature as its name, a JSON
	// string, instead of the code.
	Categories [][]string `json:"categories,omitempty"`
	// AcceptsMissing says that the model imputes missing values (a
	// pipeline with imputers): a request may give null for a feature, and
	// an unknown category counts as missing.
	AcceptsMissing bool `json:"accepts_missing,omitempty"`
	// Batched asks the server to gather small concurrent requests into one
	// call (worth it for neural networks).
	Batched bool `json:"batched"`
}

// Output is a model's answer for n rows.
type Output struct {
	// Predictions holds the predicted value (regressors) or class index
	// (classifiers) of each row.
	Predictions []float64
	// Probabilities holds each row's class probabilities (classifiers only).
	Probabilities [][]float64
}

// Predictor is a loaded model. Predict receives a float64 [n, NumFeatures]
// tensor for tabular models and a float32 [n, C, H, W] tensor for image
// models, and must be safe for concurrent use.
type Predictor interface {
	Info() Info
	Predict(ctx context.Context, x *tensor.Tensor) (Output, error)
}

// Loader opens a saved model. The server calls it at start and on reload.
type Loader func(path string) (Predictor, error)

// FuncPredictor adapts a function to Predictor (handy in tests and for
// custom models).
type FuncPredictor struct {
	ModelInfo Info
	Fn        func(ctx context.Context, x *tensor.Tensor) (Output, error)
}

// Info returns the model's description.
func (f FuncPredictor) Info() Info { return f.ModelInfo }

// Predict calls the function.
func (f FuncPredictor) Predict(ctx context.Context, x *tensor.Tensor) (Output, error) {
	return f.Fn(ctx, x)
}

func checkOutput(info Info, out Output, n int) error {
	if len(out.Predictions) != n {
		return fmt.Errorf("model %s returned %d predictions for %d rows", info.Name, len(out.Predictions), n)
	}
	if info.Kind == Classifier && out.Probabilities != nil && len(out.Probabilities) != n {
		return fmt.Errorf("model %s returned %d probability rows for %d rows", info.Name, len(out.Probabilities), n)
	}
	return nil
}
