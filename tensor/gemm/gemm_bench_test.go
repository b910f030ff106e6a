package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShape is one GEMM benchmark: C(m×n) = op(A)·op(B) with inner size k.
type benchShape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

// cnnShapes are the GEMMs of a LeNet-style CNN on a batch of 64 MNIST
// images, with convolutions lowered by im2col: conv1 3×3×1→32 over 26×26
// outputs, conv2 3×3×32→64 over 11×11 outputs, and a dense 1600→128 layer.
// The transposed variants are the backward passes (input and weight
// gradients).
var cnnShapes = []benchShape{
	{"conv1_fwd", false, false, 32, 43264, 9},
	{"conv1_dW", false, true, 32, 9, 43264},
	{"conv2_fwd", false, false, 64, 7744, 288},
	{"conv2_dX", true, false, 288, 7744, 64},
	{"conv2_dW", false, true, 64, 288, 7744},
	{"dense_fwd", false, false, 64, 128, 1600},
	{"dense_dX", false, true, 64, 1600, 128},
	{"dense_dW", true, false, 1600, 128, 64},
}

func benchGemm[T Float](b *testing.B, s benchShape, f func(bool, bool, int, int, int, T, []T, int, []T, int, T, []T, int)) {
	ra, ca := s.m, s.k
	if s.tA {
		ra, ca = s.k, s.m
	}
	rb, cb := s.k, s.n
	if s.tB {
		rb, cb = s.n, s.k
	}
	rng := rand.New(rand.NewPCG(1, 1))
	a, bb, c := make([]T, ra*ca), make([]T, rb*cb), make([]T, s.m*s.n)
	for i := range a {
		a[i] = T(rng.Float64() - 0.5)
	}
	for i := range bb {
		bb[i] = T(rng.Float64() - 0.5)
	}
	f(s.tA, s.tB, s.m, s.n, s.k, 1, a, ca, bb, cb, 0, c, s.n)
	b.ResetTimer()
	for b.Loop() {
		f(s.tA, s.tB, s.m, s.n, s.k, 1, a, ca, bb, cb, 0, c, s.n)
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSquare(b *testing.B) {
	for _, n := range []int{64, 128, 256, 512, 1024, 2048} {
		s := benchShape{m: n, n: n, k: n}
		b.Run(fmt.Sprintf("float32/%d", n), func(b *testing.B) { benchGemm(b, s, Sgemm) })
		b.Run(fmt.Sprintf("float64/%d", n), func(b *testing.B) { benchGemm(b, s, Dgemm) })
	}
}

func BenchmarkSquareSerial(b *testing.B) {
	for _, n := range []int{256, 1024} {
		s := benchShape{m: n, n: n, k: n}
		b.Run(fmt.Sprintf("float32/%d", n), func(b *testing.B) { benchGemm(b, s, SgemmSerial) })
		b.Run(fmt.Sprintf("float64/%d", n), func(b *testing.B) { benchGemm(b, s, DgemmSerial) })
	}
}

func BenchmarkCNN(b *testing.B) {
	for _, s := range cnnShapes {
		b.Run("float32/"+s.name, func(b *testing.B) { benchGemm(b, s, Sgemm) })
	}
}

// BenchmarkKernels runs n=512 on every micro-kernel the machine has.
func BenchmarkKernels(b *testing.B) {
	for _, kn := range Kernels() {
		restore, err := UseKernel(kn)
		if err != nil {
			b.Fatal(err)
		}
		s := benchShape{m: 512, n: 512, k: 512}
		b.Run(kn+"/float32", func(b *testing.B) { benchGemm(b, s, Sgemm) })
		b.Run(kn+"/float64", func(b *testing.B) { benchGemm(b, s, Dgemm) })
		restore()
	}
}
