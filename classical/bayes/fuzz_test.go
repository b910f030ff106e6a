package bayes_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/bayes"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
)

// FuzzUnmarshal feeds mutated model files to classical.Unmarshal: it must
// return an error or a model that predicts without panicking.
func FuzzUnmarshal(f *testing.F) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, true)
	testutil.ModelFileFuzz{X: X, Y: y,
		Estimators: []classical.Estimator{bayes.NewGaussianNB(), bayes.NewMultinomialNB(), bayes.NewComplementNB(), bayes.NewBernoulliNB()}}.Run(f)
}
