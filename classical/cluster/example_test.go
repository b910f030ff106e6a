package cluster_test

import (
	"context"
	"fmt"
	"math"

	"github.com/ember-ml/ember/classical/cluster"
	"github.com/ember-ml/ember/tensor"
)

// blobs returns n points around each of the given 2-D centers.
func blobs(n int, centers ...[2]float64) *tensor.Tensor {
	rng := tensor.NewRand(1)
	var x []float64
	for _, c := range centers {
		for i := 0; i < n; i++ {
			x = append(x, c[0]+0.3*rng.NormFloat64(), c[1]+0.3*rng.NormFloat64())
		}
	}
	return tensor.FromFloat64(x, len(x)/2, 2)
}

// KMeans with k-means++ and ten starts; the elbow data and the silhouette
// score both point at three clusters.
func ExampleKMeans() {
	ctx := context.Background()
	X := blobs(50, [2]float64{0, 0}, [2]float64{5, 5}, [2]float64{0, 5})
	km := cluster.NewKMeans(3)
	km.Seed = 42
	labels, err := km.FitPredict(ctx, X)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := km.Centers().Float64s()
	for j := 0; j < 3; j++ {
		// Rounded, and +0 turns a -0 into 0.
		fmt.Printf("center %d: (%.1f, %.1f)\n", j, math.Round(c[2*j]*10)/10+0, math.Round(c[2*j+1]*10)/10+0)
	}
	inertias, _ := cluster.Elbow(ctx, X, []int{1, 2, 3, 4}, km)
	for i, v := range inertias {
		fmt.Printf("k=%d inertia %.0f\n", i+1, v)
	}
	s, _ := cluster.SilhouetteScore(X, labels)
	fmt.Printf("silhouette %.2f\n", s)
	// Output:
	// center 0: (5.1, 5.0)
	// center 1: (0.0, 0.0)
	// center 2: (0.0, 5.0)
	// k=1 inertia 1715
	// k=2 inertia 663
	// k=3 inertia 29
	// k=4 inertia 25
	// silhouette 0.89
}

// Agglomerative clustering keeps the whole merge tree: the linkage matrix is
// what a dendrogram draws.
func ExampleAgglomerativeClustering() {
	X := tensor.FromFloat64([]float64{0, 0, 0, 1, 5, 5, 5, 6, 20, 20}, 5, 2)
	agg := cluster.NewAgglomerativeClustering(2)
	agg.Linkage = "single"
	labels, err := agg.FitPredict(context.Background(), X)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("labels:", labels.Float64s())
	Z := agg.LinkageMatrix().Float64s()
	for i := 0; i < 4; i++ {
		fmt.Printf("merge %v and %v at %.2f (%v samples)\n", Z[4*i], Z[4*i+1], Z[4*i+2], Z[4*i+3])
	}
	// Output:
	// labels: [0 0 0 0 1]
	// merge 0 and 1 at 1.00 (2 samples)
	// merge 2 and 3 at 1.00 (2 samples)
	// merge 5 and 6 at 6.40 (4 samples)
	// merge 4 and 7 at 20.52 (5 samples)
}

// DBSCAN finds dense groups and marks the rest as noise (-1).
func ExampleDBSCAN() {
	X := tensor.FromFloat64([]float64{1, 2, 2, 2, 2, 3, 8, 7, 8, 8, 7, 8, 25, 80}, 7, 2)
	db := cluster.NewDBSCAN(1.5, 2)
	labels, err := db.FitPredict(context.Background(), X)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(labels.Float64s())
	p, _ := db.Predict(tensor.FromFloat64([]float64{1.5, 2.5, 50, 50}, 2, 2))
	fmt.Println(p.Float64s())
	// Output:
	// [0 0 0 1 1 1 -1]
	// [0 -1]
}
