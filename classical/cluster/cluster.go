// Package cluster holds scikit-learn's clustering estimators: KMeans
// (k-means++, n_init, Lloyd with GEMM-based distances), MiniBatchKMeans,
// AgglomerativeClustering (ward, complete, average and single linkage, with
// the merge list of scipy's linkage for a dendrogram), DBSCAN, and the
// silhouette score and elbow data used to choose a number of clusters.
//
// Clusterers are unsupervised: Fit ignores y. Labels are float64 cluster
// indices 0..k-1 (DBSCAN marks noise -1).
package cluster

import "github.com/ember-ml/ember/classical"

func init() {
	classical.Register("cluster.KMeans", func() classical.Estimator { return NewKMeans(8) })
	classical.Register("cluster.MiniBatchKMeans", func() classical.Estimator { return NewMiniBatchKMeans(8) })
	classical.Register("cluster.AgglomerativeClustering", func() classical.Estimator { return NewAgglomerativeClustering(2) })
	classical.Register("cluster.DBSCAN", func() classical.Estimator { return NewDBSCAN(0.5, 5) })
}
