package cluster_test

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/cluster"
	"github.com/ember-ml/ember/classical/decomposition"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
)

// Scaler, PCA and KMeans chained in a Pipeline pass the conformance suite
// and take nested parameters by name.
func TestPipelineScalerPCAKMeans(t *testing.T) {
	fresh := func() classical.Estimator {
		return pipeline.New(
			pipeline.Step("scale", preprocess.NewStandardScaler()),
			pipeline.Step("pca", decomposition.NewPCA(2)),
			pipeline.Step("kmeans", cluster.NewKMeans(3)),
		)
	}
	estimatortest.Check(t, fresh, estimatortest.Config{Task: estimatortest.Clusterer})
	p := fresh()
	if err := p.SetParams(map[string]any{"kmeans__n_clusters": 2, "pca__whiten": true}); err != nil {
		t.Fatal(err)
	}
	if got := p.GetParams()["kmeans__n_clusters"]; got != 2 {
		t.Errorf("kmeans__n_clusters = %v", got)
	}
}
