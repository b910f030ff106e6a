//go:build !cgo

package main

// knnRow: golearn's knn package does not build without cgo (knn.go calls
// optimisedEuclideanPredict, defined in the cgo file knn_opt_euclidean.go).
func knnRow(t table, _ golearnGrids, task string, _ int) row {
	return row{section: "classical", task: task, peerName: "golearn knn.KNNClassifier", skipped: true,
		note: "golearn knn needs cgo: build with CGO_ENABLED=1 (knn.go:132: KNN.optimisedEuclideanPredict undefined)"}
}
