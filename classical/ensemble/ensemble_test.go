package ensemble_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
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
		{"RandomForestClassifier", func() classical.Estimator {
			m := ensemble.NewRandomForestClassifier()
			m.NEstimators, m.OOBScore, m.ClassWeight = 10, true, "balanced_subsample"
			return m
		}, cls},
		{"RandomForestRegressor", func() classical.Estimator {
			m := ensemble.NewRandomForestRegressor()
			m.NEstimators, m.OOBScore, m.MaxSamples = 10, true, 0.8
			return m
		}, reg},
		{"ExtraTreesClassifier", func() classical.Estimator {
			m := ensemble.NewExtraTreesClassifier()
			m.NEstimators, m.Criterion = 10, "entropy"
			return m
		}, cls},
		{"ExtraTreesRegressor", func() classical.Estimator {
			m := ensemble.NewExtraTreesRegressor()
			m.NEstimators, m.MaxDepth = 10, 4
			return m
		}, reg},
		{"GradientBoostingClassifier", func() classical.Estimator {
			m := ensemble.NewGradientBoostingClassifier()
			m.NEstimators, m.Subsample = 20, 0.7
			return m
		}, cls},
		{"GradientBoostingClassifierBinary", func() classical.Estimator {
			m := ensemble.NewGradientBoostingClassifier()
			m.NEstimators = 20
			return m
		}, estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{"GradientBoostingRegressor", func() classical.Estimator {
			m := ensemble.NewGradientBoostingRegressor()
			m.NEstimators = 20
			return m
		}, reg},
		{"GradientBoostingRegressorHuber", func() classical.Estimator {
			m := ensemble.NewGradientBoostingRegressor()
			m.NEstimators, m.Loss, m.Subsample = 20, "huber", 0.8
			return m
		}, reg},
		{"GradientBoostingRegressorAbsolute", func() classical.Estimator {
			m := ensemble.NewGradientBoostingRegressor()
			m.NEstimators, m.Loss = 20, "absolute_error"
			return m
		}, reg},
		{"AdaBoostClassifier", func() classical.Estimator { return ensemble.NewAdaBoostClassifier() }, cls},
		{"AdaBoostClassifierSAMME", func() classical.Estimator {
			m := ensemble.NewAdaBoostClassifier()
			m.Algorithm, m.MaxDepth = "SAMME", 2
			return m
		}, estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{"AdaBoostRegressor", func() classical.Estimator { return ensemble.NewAdaBoostRegressor() }, reg},
		{"AdaBoostRegressorSquare", func() classical.Estimator {
			m := ensemble.NewAdaBoostRegressor()
			m.Loss, m.NEstimators = "square", 20
			return m
		}, reg},
		{"HistGradientBoostingClassifier", func() classical.Estimator {
			m := ensemble.NewHistGradientBoostingClassifier()
			m.MaxIter, m.MinSamplesLeaf = 20, 5
			return m
		}, estimatortest.Config{Task: estimatortest.Classifier, AllowNaN: true}},
		{"HistGradientBoostingClassifierBinaryEarly", func() classical.Estimator {
			m := ensemble.NewHistGradientBoostingClassifier()
			m.MaxIter, m.MinSamplesLeaf, m.EarlyStopping, m.L2Regularization, m.MaxDepth = 30, 5, "on", 1, 3
			return m
		}, estimatortest.Config{Task: estimatortest.Classifier, AllowNaN: true, Binary: true}},
		{"HistGradientBoostingRegressor", func() classical.Estimator {
			m := ensemble.NewHistGradientBoostingRegressor()
			m.MaxIter, m.MinSamplesLeaf, m.MaxBins = 30, 5, 16
			return m
		}, estimatortest.Config{Task: estimatortest.Regressor, AllowNaN: true}},
		{"VotingClassifierSoft", func() classical.Estimator {
			rf := ensemble.NewRandomForestClassifier()
			rf.NEstimators = 5
			return &ensemble.VotingClassifier{Voting: "soft", Weights: []float64{1, 2}, Estimators: []ensemble.Named{
				{Name: "dt", Estimator: tree.NewDecisionTreeClassifier()}, {Name: "rf", Estimator: rf}}}
		}, cls},
		{"VotingClassifierHard", func() classical.Estimator {
			return ensemble.NewVotingClassifier(ensemble.Named{Name: "a", Estimator: ensemble.NewAdaBoostClassifier()},
				ensemble.Named{Name: "b", Estimator: tree.NewDecisionTreeClassifier()},
				ensemble.Named{Name: "c", Estimator: ensemble.NewGradientBoostingClassifier()})
		}, cls},
		{"BaggingClassifier", func() classical.Estimator { return ensemble.NewBaggingClassifier(nil) }, cls},
		{"BaggingClassifierFeatures", func() classical.Estimator {
			b := ensemble.NewBaggingClassifier(ensemble.NewAdaBoostClassifier())
			b.MaxFeatures, b.BootstrapFeatures, b.MaxSamples, b.Bootstrap, b.NEstimators = 0.5, true, 0.7, false, 4
			return b
		}, cls},
	} {
		t.Run(c.name, func(t *testing.T) { estimatortest.Check(t, c.fresh, c.cfg) })
	}
}
