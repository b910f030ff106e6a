package tree_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/tree"
)

func TestConformance(t *testing.T) {
	reg := estimatortest.Config{Task: estimatortest.Regressor}
	cls := estimatortest.Config{Task: estimatortest.Classifier}
	for _, c := range []struct {
		name  string
		fresh func() classical.Estimator
		cfg   estimatortest.Config
	}{
		{"Classifier", func() classical.Estimator { return tree.NewDecisionTreeClassifier() }, cls},
		{"ClassifierEntropyRandom", func() classical.Estimator {
			c := tree.NewDecisionTreeClassifier()
			c.Criterion, c.Splitter, c.MaxFeatures, c.ClassWeight, c.Seed = "entropy", "random", "sqrt", "balanced", 3
			return c
		}, cls},
		{"ClassifierWeightMap", func() classical.Estimator {
			c := tree.NewDecisionTreeClassifier()
			c.ClassWeight, c.MaxDepth, c.MaxFeatures = map[float64]float64{0: 2, 2: 0.5}, 3, 0.5
			return c
		}, estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{"Regressor", func() classical.Estimator { return tree.NewDecisionTreeRegressor() }, reg},
		{"RegressorAbsolute", func() classical.Estimator {
			r := tree.NewDecisionTreeRegressor()
			r.Criterion, r.MinSamplesLeaf, r.MaxFeatures = "absolute_error", 3, 2
			return r
		}, reg},
	} {
		t.Run(c.name, func(t *testing.T) { estimatortest.Check(t, c.fresh, c.cfg) })
	}
}
