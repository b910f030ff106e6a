package all_test

import (
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
	_ "github.com/ember-ml/ember/classical/all"
)

// Every family's estimators can be loaded by a program that imports all.
func TestEveryFamilyRegistered(t *testing.T) {
	names := classical.Registered()
	for _, want := range []string{
		"anomaly.IsolationForest", "cluster.KMeans", "decomposition.PCA",
		"linear.LogisticRegression", "pipeline.Pipeline", "preprocess.ColumnTransformer", "selection.GridSearchCV",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("%s is not registered (registered: %v)", want, names)
		}
	}
	// Families whose type names this test does not spell out: at least one each.
	for _, prefix := range []string{"bayes.", "ensemble.", "neighbors.", "svm.", "tree."} {
		if !slices.ContainsFunc(names, func(n string) bool { return len(n) > len(prefix) && n[:len(prefix)] == prefix }) {
			t.Errorf("no estimator of family %s registered", prefix)
		}
	}
}
