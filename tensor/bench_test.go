package tensor_test

import (
	"fmt"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// Kernel benchmarks beside the kernels they guard. The same operations, on
// the same shapes, are timed for PyTorch by bench/peers/torch_ops.py.
// Thread count: the worker pool is sized by GOMAXPROCS, so run with
// GOMAXPROCS=1 or 2 (not -cpu).

// convBench is one convolution of a LeNet-style CNN on a batch of 64
// MNIST images.
type convBench struct {
	name       string
	n, c, h, w int
	f, k       int
}

var convBenches = []convBench{
	{"conv1", 64, 1, 28, 28, 32, 3},
	{"conv2", 64, 32, 13, 13, 64, 3},
}

func (c convBench) flops() float64 {
	oh, ow := c.h-c.k+1, c.w-c.k+1
	return 2 * float64(c.n*c.f*oh*ow*c.c*c.k*c.k)
}

func BenchmarkConv2D(b *testing.B) {
	for _, c := range convBenches {
		rng := tensor.NewRand(1)
		x := tensor.RandN(tensor.Float32, rng, c.n, c.c, c.h, c.w)
		w := tensor.RandN(tensor.Float32, rng, c.f, c.c, c.k, c.k)
		p := tensor.ConvParams{}
		y := tensor.Conv2D(x, w, p)
		dy := tensor.RandN(tensor.Float32, rng, y.Shape()...)
		run := func(name string, fn func()) {
			b.Run(c.name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					fn()
				}
				b.ReportMetric(c.flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		run("fwd", func() { tensor.Release(tensor.Conv2D(x, w, p)) })
		run("bwd_data", func() { tensor.Release(tensor.Conv2DBackwardData(dy, w, x.Shape(), p)) })
		run("bwd_filter", func() { tensor.Release(tensor.Conv2DBackwardFilter(x, dy, w.Shape(), p)) })
	}
}

func BenchmarkMaxPool2D(b *testing.B) {
	x := tensor.RandN(tensor.Float32, tensor.NewRand(1), 64, 32, 26, 26)
	p := tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	y := tensor.MaxPool2D(x, p)
	b.Run("fwd", func(b *testing.B) {
		b.SetBytes(int64(4 * x.Size()))
		for b.Loop() {
			tensor.Release(tensor.MaxPool2D(x, p))
		}
	})
	b.Run("bwd", func(b *testing.B) {
		b.SetBytes(int64(4 * x.Size()))
		for b.Loop() {
			tensor.Release(tensor.MaxPool2DBackward(y, x, p))
		}
	})
}

const elemN = 1 << 22 // 4M float32 = 16 MiB per operand

// BenchmarkElementwise reports bytes of output per second and, as
// Melem/s, elements per second.
func BenchmarkElementwise(b *testing.B) {
	rng := tensor.NewRand(1)
	x := tensor.RandN(tensor.Float32, rng, elemN)
	y := tensor.RandN(tensor.Float32, rng, elemN)
	row := tensor.RandN(tensor.Float32, rng, 1024)
	xm := x.Reshape(elemN/1024, 1024)
	dst := tensor.Empty(tensor.Float32, elemN)
	for _, c := range []struct {
		name string
		fn   func()
	}{
		{"add", func() { tensor.BinaryTo(dst, tensor.OpAdd, x, y) }},
		{"mul", func() { tensor.BinaryTo(dst, tensor.OpMul, x, y) }},
		{"add_bcast_row", func() { tensor.BinaryTo(dst.Reshape(elemN/1024, 1024), tensor.OpAdd, xm, row) }},
		{"relu", func() { tensor.UnaryTo(dst, tensor.OpRelu, x, 0, 0) }},
		{"exp", func() { tensor.UnaryTo(dst, tensor.OpExp, x, 0, 0) }},
		{"tanh", func() { tensor.UnaryTo(dst, tensor.OpTanh, x, 0, 0) }},
		{"sigmoid", func() { tensor.UnaryTo(dst, tensor.OpSigmoid, x, 0, 0) }},
		{"mul_scalar", func() { tensor.UnaryTo(dst, tensor.OpMulScalar, x, 0.5, 0) }},
		{"copy_transposed", func() { dst.Reshape(1024, elemN/1024).CopyFrom(xm.T()) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(4 * elemN)
			for b.Loop() {
				c.fn()
			}
			b.ReportMetric(float64(elemN)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
		})
	}
}

func BenchmarkReduce(b *testing.B) {
	x := tensor.RandN(tensor.Float32, tensor.NewRand(1), elemN)
	m := x.Reshape(elemN/1024, 1024)
	for _, c := range []struct {
		name string
		fn   func() *tensor.Tensor
	}{
		{"sum_all", func() *tensor.Tensor { return tensor.Sum(x) }},
		{"sum_rows", func() *tensor.Tensor { return tensor.Sum(m, 1) }},
		{"sum_cols", func() *tensor.Tensor { return tensor.Sum(m, 0) }},
		{"max_rows", func() *tensor.Tensor { return tensor.Max(m, 1) }},
		{"argmax_rows", func() *tensor.Tensor { tensor.ArgMax(m, 1); return nil }},
		{"mean_all", func() *tensor.Tensor { return tensor.Mean(x) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(4 * elemN)
			for b.Loop() {
				if r := c.fn(); r != nil {
					tensor.Release(r)
				}
			}
		})
	}
}

func BenchmarkSoftmax(b *testing.B) {
	for _, shape := range [][2]int{{64, 10}, {256, 1000}, {4096, 1024}} {
		x := tensor.RandN(tensor.Float32, tensor.NewRand(1), shape[0], shape[1])
		b.Run(fmt.Sprintf("%dx%d", shape[0], shape[1]), func(b *testing.B) {
			b.SetBytes(int64(4 * x.Size()))
			for b.Loop() {
				tensor.Release(tensor.Softmax(x, 1))
			}
		})
	}
}

func BenchmarkMatMul(b *testing.B) {
	for _, n := range []int{64, 256, 1024} {
		rng := tensor.NewRand(1)
		x := tensor.RandN(tensor.Float32, rng, n, n)
		y := tensor.RandN(tensor.Float32, rng, n, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				tensor.Release(tensor.MatMul(x, y))
			}
			b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkAdamStep(b *testing.B) {
	rng := tensor.NewRand(1)
	p := tensor.RandN(tensor.Float32, rng, 1<<20)
	g := tensor.RandN(tensor.Float32, rng, 1<<20)
	m, v := tensor.ZerosLike(p), tensor.ZerosLike(p)
	h := tensor.OptimizerStep{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	b.SetBytes(4 << 20)
	for b.Loop() {
		h.Step++
		tensor.AdamStep(p, g, m, v, h)
	}
}

// BenchmarkIndexSelectRows gathers 80% of the rows of a 20640x13 table in a
// random order, as a cross-validation fold does.
func BenchmarkIndexSelectRows(b *testing.B) {
	x := tensor.RandN(tensor.Float64, tensor.NewRand(1), 20640, 13)
	idx := tensor.NewRand(2).Perm(20640)[:16512]
	b.SetBytes(int64(8 * 13 * len(idx)))
	for b.Loop() {
		tensor.Release(tensor.IndexSelect(x, 0, idx))
	}
}
