package pipeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/tensor"
)

func TestConformance(t *testing.T) {
	for _, c := range []struct {
		name  string
		fresh func() classical.Estimator
		cfg   estimatortest.Config
	}{
		{"Classifier", func() classical.Estimator {
			return pipeline.New(pipeline.Step("scale", preprocess.NewStandardScaler()), pipeline.Step("clf", linear.NewLogisticRegression()))
		}, estimatortest.Config{Task: estimatortest.Classifier}},
		{"Regressor", func() classical.Estimator {
			return pipeline.New(pipeline.Step("poly", preprocess.NewPolynomialFeatures()), pipeline.Step("reg", linear.NewRidge()))
		}, estimatortest.Config{Task: estimatortest.Regressor}},
		{"Transformer", func() classical.Estimator {
			return pipeline.New(pipeline.Step("scale", preprocess.NewStandardScaler()), pipeline.Step("mm", preprocess.NewMinMaxScaler()))
		}, estimatortest.Config{Task: estimatortest.Transformer}},
	} {
		t.Run(c.name, func(t *testing.T) { estimatortest.Check(t, c.fresh, c.cfg) })
	}
}

func TestNestedParams(t *testing.T) {
	p := pipeline.New(pipeline.Step("scale", preprocess.NewStandardScaler()), pipeline.Step("clf", linear.NewLogisticRegression()))
	if err := p.SetParams(map[string]any{"clf__C": 0.25, "scale__with_mean": false}); err != nil {
		t.Fatal(err)
	}
	got := p.GetParams()
	if got["clf__C"] != 0.25 || got["scale__with_mean"] != false {
		t.Errorf("params %v", got)
	}
	for _, bad := range []map[string]any{{"nostep__C": 1.0}, {"C": 1.0}, {"clf__nope": 1}} {
		if err := p.SetParams(bad); !errors.Is(err, classical.ErrUnknownParam) {
			t.Errorf("SetParams(%v): %v", bad, err)
		}
	}
	// The final step's fitted model equals fitting it on transformed data.
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	if err := p.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	sc := preprocess.NewStandardScaler()
	sc.WithMean = false
	lr := linear.NewLogisticRegression()
	lr.C = 0.25
	if err := sc.Fit(context.Background(), X, nil); err != nil {
		t.Fatal(err)
	}
	Xt, _ := sc.Transform(X)
	if err := lr.Fit(context.Background(), Xt, y); err != nil {
		t.Fatal(err)
	}
	a, _ := p.PredictProba(X)
	b, _ := lr.PredictProba(Xt)
	if !tensor.AllClose(a, b, 0, 0) {
		t.Errorf("pipeline and manual chain differ")
	}
}

func TestInvalidPipelines(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	for name, p := range map[string]*pipeline.Pipeline{
		"empty":               pipeline.New(),
		"duplicate names":     pipeline.New(pipeline.Step("a", preprocess.NewStandardScaler()), pipeline.Step("a", linear.NewRidge())),
		"name with __":        pipeline.New(pipeline.Step("a__b", linear.NewRidge())),
		"predictor in middle": pipeline.New(pipeline.Step("r", linear.NewRidge()), pipeline.Step("s", linear.NewRidge())),
		"nil estimator":       pipeline.New(pipeline.Step("r", nil)),
	} {
		if err := p.Fit(context.Background(), X, y); !errors.Is(err, classical.ErrInvalidParam) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
