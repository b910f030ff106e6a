package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ember-ml/ember/tensor/gemm"
)

func init() { suites["gemm-cnn"] = runGemmCNN }

// cnnShape is one GEMM of a LeNet-style CNN on a batch of 64 MNIST images,
// with convolutions lowered by im2col (the same shapes as the tensor/gemm
// benchmarks): C(m×n) = op(A)·op(B) with inner size k.
type cnnShape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

var cnnShapes = []cnnShape{
	{"conv1_fwd", false, false, 32, 43264, 9},
	{"conv1_dW", false, true, 32, 9, 43264},
	{"conv2_fwd", false, false, 64, 7744, 288},
	{"conv2_dX", true, false, 288, 7744, 64},
	{"conv2_dW", false, true, 64, 288, 7744},
	{"dense_fwd", false, false, 64, 128, 1600},
	{"dense_dX", false, true, 64, 1600, 128},
	{"dense_dW", true, false, 1600, 128, 64},
}

// runGemmCNN measures the CNN shapes for every implementation, thread count
// and dtype (-sizes is ignored).
func runGemmCNN(cfg *config) error {
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.log, "bench: "+format+"\n", args...) }
	impls := gemmImpls(logf)
	defer gemm.SetThreads(0)
	tw := tabwriter.NewWriter(cfg.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	if !cfg.json {
		hdr := []string{"dtype", "shape", "m", "n", "k", "threads"}
		for _, im := range impls {
			hdr = append(hdr, im.name+" GFLOP/s")
		}
		if len(impls) > 1 && impls[1].name == "openblas" {
			hdr = append(hdr, "ember/openblas")
		}
		fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
	}
	for _, dtype := range cfg.dtypes {
		for _, s := range cnnShapes {
			for _, th := range cfg.threads {
				cells := []string{dtype, s.name, fmt.Sprint(s.m), fmt.Sprint(s.n), fmt.Sprint(s.k), fmt.Sprint(th)}
				var gf []float64
				for _, im := range impls {
					im.setThreads(th)
					var g float64
					if dtype == "float32" {
						g = cnnPoint(cfg, s, im.s)
					} else {
						g = cnnPoint(cfg, s, im.d)
					}
					im.setThreads(0)
					time.Sleep(20 * time.Millisecond)
					gf = append(gf, g)
					cells = append(cells, fmt.Sprintf("%.1f", g))
					cfg.emit(result{Suite: "gemm-cnn", Impl: im.name, Dtype: dtype, N: s.n, Threads: th, GFLOPS: g, Kernel: im.kernel, Shape: s.name, M: s.m, K: s.k})
				}
				if len(impls) > 1 && impls[1].name == "openblas" {
					cells = append(cells, fmt.Sprintf("%.2fx", gf[0]/gf[1]))
				}
				if !cfg.json {
					fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
				}
			}
		}
	}
	if !cfg.json {
		tw.Flush()
	}
	return nil
}

func cnnPoint[T float32 | float64](cfg *config, s cnnShape, f gemmFunc[T]) float64 {
	ra, ca := s.m, s.k
	if s.tA {
		ra, ca = s.k, s.m
	}
	rb, cb := s.k, s.n
	if s.tB {
		rb, cb = s.n, s.k
	}
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := make([]T, ra*ca), make([]T, rb*cb), make([]T, s.m*s.n)
	for i := range a {
		a[i] = T(rng.Float64() - 0.5)
	}
	for i := range b {
		b[i] = T(rng.Float64() - 0.5)
	}
	d := timeBest(cfg.budget/2, 200, func() { f(s.tA, s.tB, s.m, s.n, s.k, 1, a, ca, b, cb, 0, c, s.n) })
	return 2 * float64(s.m) * float64(s.n) * float64(s.k) / d.Seconds() / 1e9
}
