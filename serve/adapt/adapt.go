// Package adapt turns saved ember models into serve.Predictors: neural
// networks saved with nn's Model.Save, classical estimators and pipelines
// saved with classical.Save, with an optional
// serving.json beside them that names the features and classes and points
// at the training-data statistics used for drift monitoring.
//
// A model path is either a classical model file or a directory holding
// model.json (and model.safetensors for networks) and serving.json, the
// layout cmd/train writes:
//
//	churn-rf/
//	  model.json     the estimator (classical.Save)
//	  serving.json   Meta: kind, feature names, class names
//	  stats.json     per-feature training statistics (serve.SaveStats)
package adapt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ember-ml/ember/classical"
	_ "github.com/ember-ml/ember/classical/all" // register every estimator type
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/tensor"
)

// File names inside a model directory.
const (
	ModelFile   = "model.json"
	MetaFile    = "serving.json"
	StatsFile   = "stats.json"
	maxMetaSize = 1 << 20
)

// Meta describes a saved model to the server. Every field is optional;
// what is missing is inferred from the model where it can be.
type Meta struct {
	Name         string     `json:"name,omitempty"`
	Version      string     `json:"version,omitempty"`
	Kind         serve.Kind `json:"kind,omitempty"`
	NumFeatures  int        `json:"num_features,omitempty"`
	FeatureNames []string   `json:"feature_names,omitempty"`
	InputShape   []int      `json:"input_shape,omitempty"`
	// Classes names the classes in the order of the model's sorted labels.
	Classes []string `json:"classes,omitempty"`
	// Categories maps each categorical feature (by name, one of
	// FeatureNames) to its categories in the order of their codes, so that
	// requests may name a category instead of giving its code.
	Categories map[string][]string `json:"categories,omitempty"`
	// AcceptsMissing says that the model imputes missing values: requests
	// may give null, and an unknown category counts as missing.
	AcceptsMissing bool `json:"accepts_missing,omitempty"`
}

// WriteMeta writes meta as dir/serving.json, atomically.
func WriteMeta(dir string, meta Meta) error {
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	return classical.WriteFileAtomic(filepath.Join(dir, MetaFile), append(b, '\n'))
}

// ReadMeta reads dir/serving.json. A missing file gives a zero Meta and no
// error; a malformed one is an error naming the file.
func ReadMeta(dir string) (Meta, error) {
	var m Meta
	path := filepath.Join(dir, MetaFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if len(b) > maxMetaSize {
		return m, fmt.Errorf("adapt: %s is larger than %d bytes", path, maxMetaSize)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("adapt: %s: %v", path, err)
	}
	if m.NumFeatures < 0 || (len(m.FeatureNames) > 0 && m.NumFeatures > 0 && len(m.FeatureNames) != m.NumFeatures) {
		return m, fmt.Errorf("adapt: %s: num_features %d does not match %d feature names", path, m.NumFeatures, len(m.FeatureNames))
	}
	switch m.Kind {
	case "", serve.Classifier, serve.Regressor:
	default:
		return m, fmt.Errorf("adapt: %s: unknown kind %q (want classifier or regressor)", path, m.Kind)
	}
	for name, cats := range m.Categories {
		if !slices.Contains(m.FeatureNames, name) {
			return m, fmt.Errorf("adapt: %s: categories given for %q, which is not one of the feature_names", path, name)
		}
		if len(cats) == 0 {
			return m, fmt.Errorf("adapt: %s: feature %q has an empty list of categories", path, name)
		}
	}
	return m, nil
}

// categories lays meta's categories out by feature index (nil for numeric
// features), as serve.Info holds them.
func (m Meta) categories() [][]string {
	if len(m.Categories) == 0 {
		return nil
	}
	out := make([][]string, len(m.FeatureNames))
	for j, name := range m.FeatureNames {
		out[j] = m.Categories[name]
	}
	return out
}

// Load opens the model at path (a model directory or a classical model
// file) as a serve.Predictor. It is a serve.Loader.
func Load(path string) (serve.Predictor, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("adapt: %w", err)
	}
	dir, file := path, filepath.Join(path, ModelFile)
	if !fi.IsDir() {
		dir, file = filepath.Dir(path), path
	}
	meta := Meta{}
	if fi.IsDir() {
		if meta, err = ReadMeta(dir); err != nil {
			return nil, err
		}
	}
	if isNetwork(file) {
		m, err := nn.Load(dir)
		if err != nil {
			return nil, fmt.Errorf("adapt: %w", err)
		}
		p, err := NewNetwork(m, meta)
		if err != nil {
			return nil, fmt.Errorf("adapt: %s: %w", dir, err)
		}
		if p.info.Name == "" {
			p.info.Name = filepath.Base(filepath.Clean(dir))
		}
		return p, nil
	}
	est, err := classical.Load(file)
	if err != nil {
		return nil, fmt.Errorf("adapt: %s: %w", file, err)
	}
	p, err := NewClassical(est, meta)
	if err != nil {
		return nil, fmt.Errorf("adapt: %s: %w", file, err)
	}
	if fi.IsDir() {
		st, err := serve.LoadStats(filepath.Join(dir, StatsFile))
		switch {
		case err == nil:
			p.stats = st
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("adapt: %w", err)
		}
	}
	if p.info.Name == "" {
		p.info.Name = filepath.Base(filepath.Clean(dir))
		if !fi.IsDir() {
			p.info.Name = trimExt(filepath.Base(path))
		}
	}
	return p, nil
}

// isNetwork reports whether the model file at path was written by nn's
// Model.Save rather than classical.Save (both name it model.json).
func isNetwork(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var head struct {
		Format string `json:"format"`
	}
	if err := json.NewDecoder(io.LimitReader(f, maxMetaSize<<4)).Decode(&head); err != nil {
		return false
	}
	return strings.HasPrefix(head.Format, "ember.nn")
}

func trimExt(s string) string { return s[:len(s)-len(filepath.Ext(s))] }

// Classical serves a fitted classical estimator (often a Pipeline).
type Classical struct {
	est    classical.Predictor
	clf    classical.Classifier // nil for regressors
	labels map[float64]int      // class label -> index in Classes()
	info   serve.Info
	stats  []serve.FeatureStats
}

// NewClassical wraps a fitted estimator. Classifiers (estimators with
// PredictProba) answer class indices and probabilities; the rest are
// served as regressors.
func NewClassical(est classical.Estimator, meta Meta) (*Classical, error) {
	pr, ok := est.(classical.Predictor)
	if !ok {
		return nil, fmt.Errorf("%T cannot predict", est)
	}
	c := &Classical{est: pr, info: serve.Info{
		Name: meta.Name, Version: meta.Version, Kind: meta.Kind,
		NumFeatures: meta.NumFeatures, FeatureNames: meta.FeatureNames,
		Categories: meta.categories(), AcceptsMissing: meta.AcceptsMissing,
	}}
	if c.info.NumFeatures == 0 {
		c.info.NumFeatures = len(meta.FeatureNames)
	}
	if clf, ok := est.(classical.Classifier); ok && meta.Kind != serve.Regressor {
		classes := clf.Classes()
		if len(classes) == 0 {
			return nil, fmt.Errorf("classifier %T is not fitted", est)
		}
		c.clf = clf
		c.info.Kind = serve.Classifier
		c.labels = make(map[float64]int, len(classes))
		for i, v := range classes {
			c.labels[v] = i
		}
		switch {
		case len(meta.Classes) == len(classes):
			c.info.Classes = meta.Classes
		case len(meta.Classes) == 0:
			for _, v := range classes {
				c.info.Classes = append(c.info.Classes, strconv.FormatFloat(v, 'g', -1, 64))
			}
		default:
			return nil, fmt.Errorf("serving metadata names %d classes; the model has %d", len(meta.Classes), len(classes))
		}
	} else {
		c.info.Kind = serve.Regressor
	}
	return c, nil
}

// Info describes the model.
func (c *Classical) Info() serve.Info { return c.info }

// TrainingStats returns the training-data statistics saved with the model
// (nil when there are none); the server monitors drift against them.
func (c *Classical) TrainingStats() []serve.FeatureStats { return c.stats }

// Predict runs the estimator on x, a float64 [n, features] tensor.
func (c *Classical) Predict(ctx context.Context, x *tensor.Tensor) (serve.Output, error) {
	if err := ctx.Err(); err != nil {
		return serve.Output{}, err
	}
	if x.DType() != tensor.Float64 {
		x = x.AsType(tensor.Float64)
	}
	var out serve.Output
	pred, err := c.est.Predict(x)
	if err != nil {
		return out, err
	}
	vals := pred.Float64s()
	out.Predictions = make([]float64, len(vals))
	if c.clf == nil {
		copy(out.Predictions, vals)
		return out, nil
	}
	for i, v := range vals {
		idx, ok := c.labels[v]
		if !ok {
			return serve.Output{}, fmt.Errorf("model predicted label %g, which is not among its classes", v)
		}
		out.Predictions[i] = float64(idx)
	}
	proba, err := c.clf.PredictProba(x)
	if err != nil {
		return serve.Output{}, err
	}
	n, k := proba.Shape()[0], proba.Shape()[1]
	p := proba.Float64s()
	out.Probabilities = make([][]float64, n)
	for i := range n {
		row := make([]float64, k)
		for j := range k {
			v := p[i*k+j]
			if math.IsNaN(v) {
				return serve.Output{}, fmt.Errorf("model returned a NaN probability for row %d", i)
			}
			row[j] = v
		}
		out.Probabilities[i] = row
	}
	return out, nil
}
