package tree_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/tree"
)

// FuzzLoadTree feeds corrupted model files to Unmarshal: it must return an
// error or an estimator that predicts without panicking.
func FuzzLoadTree(f *testing.F) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	c := tree.NewDecisionTreeClassifier()
	c.MaxDepth = 3
	r := tree.NewDecisionTreeRegressor()
	r.MaxDepth = 2
	testutil.ModelFileFuzz{X: X, Y: y, Estimators: []classical.Estimator{c, r}}.Run(f)
}
