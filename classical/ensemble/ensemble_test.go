package ensemble_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/tree"
)

func TestConformance(t *testing.T) {
	reg := estimatortest.Config{Task: estimatortest.Regressor}
	cls := estimatortest.Config{Task: estimatortest.Classifier}
	testutil.Conformance(t, []testutil.Case{
		{Name: "RandomForestClassifier", New: func() classical.Estimator {
			m := ensemble.NewRandomForestClassifier()
			m.NEstimators, m.OOBScore, m.ClassWeight = 10, true, "balanced_subsample"
			return m
		}, Config: cls},
		{Name: "RandomForestRegressor", New: func() classical.Estimator {
			m := ensemble.NewRandomForestRegressor()
			m.NEstimators, m.OOBScore, m.MaxSamples = 10, true, 0.8
			return m
		}, Config: reg},
		{Name: "ExtraTreesClassifier", New: func() classical.Estimator {
			m := ensemble.NewExtraTreesClassifier()
			m.NEstimators, m.Criterion = 10, "entropy"
			return m
		}, Config: cls},
		{Name: "ExtraTreesRegressor", New: func() classical.Estimator {
			m := ensemble.NewExtraTreesRegressor()
			m.NEstimators, m.MaxDepth = 10, 4
			return m
		}, Config: reg},
		{Name: "GradientBoostingClassifier", New: func() classical.Estimator {
			m := ensemble.NewGradientBoostingClassifier()
			m.NEstimators, m.Subsample = 20, 0.7
			return m
		}, Config: cls},
		{Name: "GradientBoostingClassifierBinary", New: func() classical.Estimator {
			m := ensemble.NewGradientBoostingClassifier()
			m.NEstimators = 20
			return m
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{Name: "GradientBoostingRegressor", New: func() classical.Estimator {
			m := ensemble.NewGradientBoostingRegressor()
			m.NEstimators = 20
			return m
		}, Config: reg},
		{Name: "GradientBoostingRegressorHuber", New: func() classical.Estimator {
			m := ensemble.NewGradientBoostingRegressor()
			m.NEstimators, m.Loss, m.Subsample = 20, "huber", 0.8
			return m
		}, Config: reg},
		{Name: "GradientBoostingRegressorAbsolute", New: func() classical.Estimator {
			m := ensemble.NewGradientBoostingRegressor()
			m.NEstimators, m.Loss = 20, "absolute_error"
			return m
		}, Config: reg},
		{Name: "AdaBoostClassifier", New: func() classical.Estimator { return ensemble.NewAdaBoostClassifier() }, Config: cls},
		{Name: "AdaBoostClassifierSAMME", New: func() classical.Estimator {
			m := ensemble.NewAdaBoostClassifier()
			m.Algorithm, m.MaxDepth = "SAMME", 2
			return m
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{Name: "AdaBoostRegressor", New: func() classical.Estimator { return ensemble.NewAdaBoostRegressor() }, Config: reg},
		{Name: "AdaBoostRegressorSquare", New: func() classical.Estimator {
			m := ensemble.NewAdaBoostRegressor()
			m.Loss, m.NEstimators = "square", 20
			return m
		}, Config: reg},
		{Name: "HistGradientBoostingClassifier", New: func() classical.Estimator {
			m := ensemble.NewHistGradientBoostingClassifier()
			m.MaxIter, m.MinSamplesLeaf = 20, 5
			return m
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, AllowNaN: true}},
		{Name: "HistGradientBoostingClassifierBinaryEarly", New: func() classical.Estimator {
			m := ensemble.NewHistGradientBoostingClassifier()
			m.MaxIter, m.MinSamplesLeaf, m.EarlyStopping, m.L2Regularization, m.MaxDepth = 30, 5, "on", 1, 3
			return m
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, AllowNaN: true, Binary: true}},
		{Name: "HistGradientBoostingRegressor", New: func() classical.Estimator {
			m := ensemble.NewHistGradientBoostingRegressor()
			m.MaxIter, m.MinSamplesLeaf, m.MaxBins = 30, 5, 16
			return m
		}, Config: estimatortest.Config{Task: estimatortest.Regressor, AllowNaN: true}},
		{Name: "VotingClassifierSoft", New: func() classical.Estimator {
			rf := ensemble.NewRandomForestClassifier()
			rf.NEstimators = 5
			return &ensemble.VotingClassifier{Voting: "soft", Weights: []float64{1, 2}, Estimators: []ensemble.Named{
				{Name: "dt", Estimator: tree.NewDecisionTreeClassifier()}, {Name: "rf", Estimator: rf}}}
		}, Config: cls},
		{Name: "VotingClassifierHard", New: func() classical.Estimator {
			return ensemble.NewVotingClassifier(ensemble.Named{Name: "a", Estimator: ensemble.NewAdaBoostClassifier()},
				ensemble.Named{Name: "b", Estimator: tree.NewDecisionTreeClassifier()},
				ensemble.Named{Name: "c", Estimator: ensemble.NewGradientBoostingClassifier()})
		}, Config: cls},
		{Name: "BaggingClassifier", New: func() classical.Estimator { return ensemble.NewBaggingClassifier(nil) }, Config: cls},
		{Name: "BaggingClassifierFeatures", New: func() classical.Estimator {
			b := ensemble.NewBaggingClassifier(ensemble.NewAdaBoostClassifier())
			b.MaxFeatures, b.BootstrapFeatures, b.MaxSamples, b.Bootstrap, b.NEstimators = 0.5, true, 0.7, false, 4
			return b
		}, Config: cls},
	})
}
