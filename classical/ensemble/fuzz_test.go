package ensemble_test

import (
	"context"
	"math"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/tensor"
)

// FuzzLoadEnsemble feeds corrupted model files to Unmarshal: it must
// return an error or an estimator that predicts without panicking.
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
	for _, e := range []classical.Estimator{rf, h, gb, ada, bag} {
		if err := e.Fit(context.Background(), X, y); err != nil {
			f.Fatal(err)
		}
		b, err := classical.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	Xn := X.Clone()
	Xn.Set(math.NaN(), 0, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := classical.Unmarshal(data)
		if err != nil {
			return
		}
		for _, x := range []*tensor.Tensor{X, Xn} {
			if p, ok := e.(classical.Predictor); ok {
				_, _ = p.Predict(x)
			}
			if p, ok := e.(classical.Classifier); ok {
				_, _ = p.PredictProba(x)
			}
		}
	})
}
