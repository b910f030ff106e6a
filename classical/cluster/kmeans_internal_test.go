package cluster

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// Seeding Hamerly's bounds from k-means++ must not change the result of
// the Lloyd iterations, nor must the GEMM path differ from the bounded one
// beyond rounding.
func TestLloydSeededBoundsMatchUnseeded(t *testing.T) {
	rng := tensor.NewRand(3)
	for _, d := range []int{2, 3} {
		n, k := 3000, 7
		x := make([]float64, n*d)
		for i := range x {
			x[i] = rng.NormFloat64()*2 + float64((i/d)%5)
		}
		for trial := 0; trial < 3; trial++ {
			init, seed := kmeansPlusPlus(x, n, d, k, rng)
			a, err := lloyd(context.Background(), "t", x, n, d, k, append([]float64(nil), init...), seed, 300, 0)
			if err != nil {
				t.Fatal(err)
			}
			b, err := lloyd(context.Background(), "t", x, n, d, k, append([]float64(nil), init...), nil, 300, 0)
			if err != nil {
				t.Fatal(err)
			}
			// The running sums are built in a different order (from the
			// k-means++ labels, or from the first E-step's moves), so the
			// inertia may differ in the last bits.
			if !reflect.DeepEqual(a.labels, b.labels) || a.nIter != b.nIter || math.Abs(a.inertia-b.inertia) > 1e-12*b.inertia {
				t.Fatalf("d=%d trial %d: seeded run differs: n_iter %d vs %d, inertia %v vs %v", d, trial, a.nIter, b.nIter, a.inertia, b.inertia)
			}
			if a.nIter < 3 {
				t.Fatalf("too easy: %d iterations", a.nIter)
			}
		}
	}
}
