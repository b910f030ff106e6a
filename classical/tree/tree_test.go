package tree_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/tree"
)

func TestConformance(t *testing.T) {
	reg := estimatortest.Config{Task: estimatortest.Regressor}
	cls := estimatortest.Config{Task: estimatortest.Classifier}
	testutil.Conformance(t, []testutil.Case{
		{Name: "Classifier", New: func() classical.Estimator { return tree.NewDecisionTreeClassifier() }, Config: cls},
		{Name: "ClassifierEntropyRandom", New: func() classical.Estimator {
			c := tree.NewDecisionTreeClassifier()
			c.Criterion, c.Splitter, c.MaxFeatures, c.ClassWeight, c.Seed = "entropy", "random", "sqrt", "balanced", 3
			return c
		}, Config: cls},
		{Name: "ClassifierWeightMap", New: func() classical.Estimator {
			c := tree.NewDecisionTreeClassifier()
			c.ClassWeight, c.MaxDepth, c.MaxFeatures = map[float64]float64{0: 2, 2: 0.5}, 3, 0.5
			return c
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{Name: "Regressor", New: func() classical.Estimator { return tree.NewDecisionTreeRegressor() }, Config: reg},
		{Name: "RegressorAbsolute", New: func() classical.Estimator {
			r := tree.NewDecisionTreeRegressor()
			r.Criterion, r.MinSamplesLeaf, r.MaxFeatures = "absolute_error", 3, 2
			return r
		}, Config: reg},
	})
}
