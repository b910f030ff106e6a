package selection_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/selection"
)

// FuzzUnmarshal feeds mutated saved searches to classical.Unmarshal: it
// must return an error or a search that predicts without panicking.
func FuzzUnmarshal(f *testing.F) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	testutil.ModelFileFuzz{X: X, Y: y, Estimators: []classical.Estimator{
		selection.NewGridSearchCV(linear.NewLogisticRegression(), selection.Grid{"C": {0.5, 2.0}}, selection.CV(3)),
	}}.Run(f)
}
