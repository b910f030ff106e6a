package testutil

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// PeerBenchDirEnv names the folder bench/peers/cluster_bench.py writes its
// data to, so that ember's benchmarks time the same matrices as
// scikit-learn.
const PeerBenchDirEnv = "EMBER_CLUSTER_BENCH_DIR"

// PeerMatrix returns the matrix bench/peers/cluster_bench.py wrote to
// $EMBER_CLUSTER_BENCH_DIR/name (raw little-endian float64, rows x cols),
// or nil when that variable is not set (the caller then makes its own
// data). A missing file or one of the wrong size stops the benchmark.
func PeerMatrix(tb testing.TB, name string, rows, cols int) *tensor.Tensor {
	tb.Helper()
	dir := os.Getenv(PeerBenchDirEnv)
	if dir == "" {
		return nil
	}
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	if len(raw) != 8*rows*cols {
		tb.Fatalf("%s: %d bytes, want %d", name, len(raw), 8*rows*cols)
	}
	x := make([]float64, rows*cols)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return tensor.FromFloat64(x, rows, cols)
}
