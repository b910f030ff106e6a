package ensemble_test

import (
	"math"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

// FuzzLoadEnsemble feeds corrupted model files to Unmarshal: it must
// return an error or an estimator that predicts without panicking, on
// clean data and on data with a NaN.
func FuzzLoadEnsemble(f *testing.F) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	rf := ensemble.NewRandomForestClassifier()
	rf.NEstimators, rf.MaxDepth = 2, 2
	h := ensemble.NewHistGradientBoostingClassifier()
	h.MaxIter, h.MaxLeafNodes, h.MinSamplesLeaf = 2, 3, 5
	gb := ensemble.NewGradientBoostingRegressor()
	gb.NEstimators, gb.MaxDepth = 2, 1
	ada := ensemble.NewAdaBoostClassifier()
	ada.NEstimators = 2
	bag := ensemble.NewBaggingClassifier(nil)
	bag.NEstimators = 2
	Xn := X.Clone()
	Xn.Set(math.NaN(), 0, 0)
	testutil.ModelFileFuzz{X: X, Y: y,
		Estimators: []classical.Estimator{rf, h, gb, ada, bag},
		Probes:     []*tensor.Tensor{X, Xn},
	}.Run(f)
}
