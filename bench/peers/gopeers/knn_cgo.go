//go:build cgo

package main

import (
	"github.com/ember-ml/ember/classical/neighbors"
	"github.com/sjwhitworth/golearn/knn"
)

// knnRow compares ember's KNeighborsClassifier (brute force) with
// golearn's KNNClassifier ("euclidean", "linear", k=5, its C-optimised
// path), fit and predict.
func knnRow(t table, g golearnGrids, task string, reps int) row {
	r := row{section: "classical", task: task, peerName: "golearn knn.KNNClassifier (cgo)"}
	e := neighbors.NewKNeighborsClassifier()
	if err := e.SetParams(map[string]any{"algorithm": "brute"}); err != nil {
		panic(err)
	}
	r.ember, r.peer = alternate(reps,
		emberFitPredict(e, t, &r.accEmber),
		func() {
			c := knn.NewKnnClassifier("euclidean", "linear", 5)
			if err := c.Fit(g.trainCat); err != nil {
				panic(err)
			}
			pred, err := c.Predict(g.testCat)
			if err != nil {
				panic(err)
			}
			r.accPeer = accuracyGrid(pred, t.yTest)
		})
	return r
}
