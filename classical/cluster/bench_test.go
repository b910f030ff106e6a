package cluster_test

import (
	"testing"

	"github.com/ember-ml/ember/classical/cluster"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

// peerData returns the matrix bench/peers/cluster_bench.py wrote to
// $EMBER_CLUSTER_BENCH_DIR/name (see testutil.PeerMatrix), so that ember
// and scikit-learn time the same data; without the variable it makes
// blobs like scikit-learn's make_blobs.
func peerData(b *testing.B, name string, rows, cols, centers int) *tensor.Tensor {
	if X := testutil.PeerMatrix(b, name, rows, cols); X != nil {
		return X
	}
	rng := tensor.NewRand(0)
	c := make([]float64, centers*cols)
	for i := range c {
		c[i] = rng.Float64()*20 - 10
	}
	x := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		k := i % centers
		for j := 0; j < cols; j++ {
			x[i*cols+j] = c[k*cols+j] + rng.NormFloat64()
		}
	}
	return tensor.FromFloat64(x, rows, cols)
}

// BenchmarkPeerKMeans is the target workload: 100,000 x 2, 8
// clusters, n_init 10 (bench/peers/cluster_bench.py compares it with
// scikit-learn).
func BenchmarkPeerKMeans(b *testing.B) {
	X := peerData(b, "kmeans.f64", 100000, 2, 8)
	var m *cluster.KMeans
	b.ResetTimer()
	cpu0 := testutil.CPUSeconds()
	for i := 0; i < b.N; i++ {
		m = cluster.NewKMeans(8)
		if err := m.Fit(ctx, X, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((testutil.CPUSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	b.ReportMetric(m.Inertia(), "inertia")
	b.ReportMetric(float64(m.NIter()), "n_iter")
}

// BenchmarkKMeans20Features exercises the GEMM distance path.
func BenchmarkKMeans20Features(b *testing.B) {
	X := peerData(b, "", 20000, 20, 8)
	for i := 0; i < b.N; i++ {
		m := cluster.NewKMeans(8)
		m.NInit = 1
		if err := m.Fit(ctx, X, nil); err != nil {
			b.Fatal(err)
		}
	}
}
