package cuda

import (
	"fmt"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// BenchmarkMatMul measures float32 GEMM on GPU 0 (cuBLAS when present),
// reporting GFLOP/s; it skips without a device:
//
//	go test ./cuda -run XXX -bench MatMul
func BenchmarkMatMul(b *testing.B) {
	dv, err := Open(0)
	if err != nil {
		b.Skipf("no CUDA device: %v", err)
	}
	dev := dv.TensorDevice()
	for _, n := range []int{256, 1024, 4096} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := tensor.NewRand(1)
			x := tensor.RandN(tensor.Float32, rng, n, n).To(dev)
			y := tensor.RandN(tensor.Float32, rng, n, n).To(dev)
			out := tensor.MatMul(x, y)
			if err := dv.Synchronize(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				tensor.MatMulTo(out, x, y)
			}
			if err := dv.Synchronize(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkConv2D measures the forward convolution of the seeds' CNN's
// second layer (batch 64, 32->64 channels, 3x3, 13x13 input) on GPU 0.
func BenchmarkConv2D(b *testing.B) {
	dv, err := Open(0)
	if err != nil {
		b.Skipf("no CUDA device: %v", err)
	}
	dev := dv.TensorDevice()
	rng := tensor.NewRand(1)
	x := tensor.RandN(tensor.Float32, rng, 64, 32, 13, 13).To(dev)
	w := tensor.RandN(tensor.Float32, rng, 64, 32, 3, 3).To(dev)
	p := tensor.ConvParams{KH: 3, KW: 3}
	tensor.Release(tensor.Conv2D(x, w, p))
	b.ResetTimer()
	for range b.N {
		tensor.Release(tensor.Conv2D(x, w, p))
	}
	if err := dv.Synchronize(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "images/s")
}
