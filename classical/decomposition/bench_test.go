package decomposition_test

import (
	"testing"

	"github.com/ember-ml/ember/classical/decomposition"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

// peerData returns the matrix bench/peers/cluster_bench.py wrote to
// $EMBER_CLUSTER_BENCH_DIR/name (see testutil.PeerMatrix), or a random
// correlated matrix without it.
func peerData(b *testing.B, name string, rows, cols int) *tensor.Tensor {
	if X := testutil.PeerMatrix(b, name, rows, cols); X != nil {
		return X
	}
	rng := tensor.NewRand(0)
	x := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		a := rng.NormFloat64()
		for j := 0; j < cols; j++ {
			x[i*cols+j] = a*float64(j%5) + rng.NormFloat64()
		}
	}
	return tensor.FromFloat64(x, rows, cols)
}

// BenchmarkPeerPCA is the target workload: 100,000 x 50 to 10
// components (svd_solver auto picks the randomized solver, as in
// scikit-learn).
func BenchmarkPeerPCA(b *testing.B) {
	X := peerData(b, "pca.f64", 100000, 50)
	var p *decomposition.PCA
	b.ResetTimer()
	cpu0 := testutil.CPUSeconds()
	for i := 0; i < b.N; i++ {
		p = decomposition.NewPCA(10)
		if err := p.Fit(ctx, X, nil); err != nil {
			b.Fatal(err)
		}
	}
	s := 0.0
	for _, v := range p.ExplainedVarianceRatio() {
		s += v
	}
	b.ReportMetric((testutil.CPUSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	b.ReportMetric(s, "evr_sum")
}

// BenchmarkPCAFull is the exact solver on the same data.
func BenchmarkPCAFull(b *testing.B) {
	X := peerData(b, "pca.f64", 100000, 50)
	for i := 0; i < b.N; i++ {
		p := decomposition.NewPCA(10)
		p.SVDSolver = "full"
		if err := p.Fit(ctx, X, nil); err != nil {
			b.Fatal(err)
		}
	}
}
