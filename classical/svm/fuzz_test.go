package svm_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/svm"
)

// FuzzUnmarshal feeds mutated model files to classical.Unmarshal: it must
// return an error or a model that predicts without panicking.
func FuzzUnmarshal(f *testing.F) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, true)
	s := svm.NewSVC()
	s.Probability = true
	testutil.ModelFileFuzz{X: X, Y: y,
		Estimators: []classical.Estimator{svm.NewSVC(), svm.NewSVR(), svm.NewLinearSVC(), s, svm.NewOneClassSVM(), svm.NewNuSVC(), svm.NewNuSVR()}}.Run(f)
}
