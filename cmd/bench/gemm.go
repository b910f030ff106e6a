package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/blas"
	gonumblas "gonum.org/v1/gonum/blas/gonum"

	"github.com/ember-ml/ember/tensor/gemm"
	"github.com/ember-ml/ember/tensor/openblas"
)

func init() { suites["gemm"] = runGemm }

// gemmFunc is the gemm.Sgemm/Dgemm calling convention.
type gemmFunc[T float32 | float64] func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// gemmImpl is one implementation under test.
type gemmImpl struct {
	name       string
	kernel     string
	setThreads func(int) // 0 restores the default
	s          gemmFunc[float32]
	d          gemmFunc[float64]
}

func gemmImpls(log func(string, ...any)) []gemmImpl {
	impls := []gemmImpl{{
		name:       "ember",
		kernel:     gemm.Kernel(),
		setThreads: func(n int) { gemm.SetThreads(n) },
		s:          gemm.Sgemm,
		d:          gemm.Dgemm,
	}}
	if lib, err := openblas.Open(); err != nil {
		log("openblas: not measured: %v", err)
	} else {
		log("openblas: %s (%s)", lib.Path, lib.Config())
		if k := gemm.Kernel(); k != "generic" && (strings.Contains(lib.Config(), "Prescott") || strings.Contains(lib.Config(), "Core2")) {
			// OpenBLAS's DYNAMIC_ARCH does not recognise some virtual
			// CPUs and falls back to SSE3 kernels, which would flatter ember.
			log("openblas: WARNING: OpenBLAS picked an SSE kernel on a CPU with %s; for a fair comparison set OPENBLAS_CORETYPE (SkylakeX for AVX-512, Haswell for AVX2)", k)
		}
		impls = append(impls, gemmImpl{name: "openblas", setThreads: lib.SetThreads, s: lib.Sgemm, d: lib.Dgemm})
	}
	// gonum's Sgemm/Dgemm split large products over GOMAXPROCS goroutines,
	// so its thread count is set through GOMAXPROCS (restored afterwards).
	procs := runtime.GOMAXPROCS(0)
	impls = append(impls, gemmImpl{
		name: "gonum",
		setThreads: func(n int) {
			if n <= 0 {
				n = procs
			}
			runtime.GOMAXPROCS(n)
		},
		s: gonumS,
		d: gonumD,
	})
	return impls
}

func gonumTrans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func gonumS(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gonumblas.Implementation{}.Sgemm(gonumTrans(tA), gonumTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gonumD(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gonumblas.Implementation{}.Dgemm(gonumTrans(tA), gonumTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmRow is one line of the table: one dtype, size and thread count.
type gemmRow struct {
	dtype   string
	n       int
	threads int
	gflops  map[string]float64
}

func runGemm(cfg *config) error {
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.log, "bench: "+format+"\n", args...) }
	impls := gemmImpls(logf)
	logf("ember kernel %s (available %v), GOMAXPROCS=%d, %s/%s", gemm.Kernel(), gemm.Kernels(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	defer gemm.SetThreads(0)
	var rows []gemmRow
	for _, dtype := range cfg.dtypes {
		for _, n := range cfg.sizes {
			var r []gemmRow
			if dtype == "float32" {
				r = gemmPoint(cfg, impls, dtype, n, func(im gemmImpl) gemmFunc[float32] { return im.s })
			} else {
				r = gemmPoint(cfg, impls, dtype, n, func(im gemmImpl) gemmFunc[float64] { return im.d })
			}
			rows = append(rows, r...)
		}
	}
	if !cfg.json {
		printGemmTable(cfg, impls, rows)
	}
	return nil
}

// gemmPoint measures every implementation at one dtype and size, for every
// thread count.
func gemmPoint[T float32 | float64](cfg *config, impls []gemmImpl, dtype string, n int, pick func(gemmImpl) gemmFunc[T]) []gemmRow {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	a, b := make([]T, n*n), make([]T, n*n)
	for i := range a {
		a[i] = T(rng.Float64() - 0.5)
		b[i] = T(rng.Float64() - 0.5)
	}
	c := make([]T, n*n)
	var ref []T // ember's C, to check the others against
	flops := 2 * math.Pow(float64(n), 3)
	// Small sizes are noisy (a single call is well under a millisecond), so
	// they get many repetitions; large ones fewer. The budget bounds both.
	maxReps := 200
	switch {
	case n >= 2048:
		maxReps = 5
	case n >= 1024:
		maxReps = 20
	}
	rows := make([]gemmRow, len(cfg.threads))
	for i, th := range cfg.threads {
		rows[i] = gemmRow{dtype: dtype, n: n, threads: th, gflops: map[string]float64{}}
	}
	for _, im := range impls {
		f := pick(im)
		for i, th := range cfg.threads {
			im.setThreads(th)
			reps := maxReps
			if im.name == "gonum" && n >= 2048 {
				reps = 1 // seconds per multiplication
			}
			d := timeBest(cfg.budget, reps, func() { f(false, false, n, n, n, 1, a, n, b, n, 0, c, n) })
			gf := flops / d.Seconds() / 1e9
			if ref == nil {
				ref = append([]T(nil), c...)
			} else if e := maxRelDiff(ref, c); e > 1e-3 {
				fmt.Fprintf(cfg.log, "bench: warning: %s %s n=%d differs from ember by %.3g (relative)\n", im.name, dtype, n, e)
			}
			// Let OpenBLAS's spinning threads go quiet before the next
			// measurement.
			time.Sleep(50 * time.Millisecond)
			rows[i].gflops[im.name] = gf
			cfg.emit(result{Suite: "gemm", Impl: im.name, Dtype: dtype, N: n, Threads: th, GFLOPS: gf, Kernel: im.kernel})
		}
		im.setThreads(0)
	}
	return rows
}

// maxRelDiff is max|x-y| over the largest |x|, for a sanity check.
func maxRelDiff[T float32 | float64](x, y []T) float64 {
	var d, s float64
	for i := range x {
		d = max(d, math.Abs(float64(x[i]-y[i])))
		s = max(s, math.Abs(float64(x[i])))
	}
	if s == 0 {
		return d
	}
	return d / s
}

func printGemmTable(cfg *config, impls []gemmImpl, rows []gemmRow) {
	tw := tabwriter.NewWriter(cfg.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	var hdr []string
	hdr = append(hdr, "dtype", "n", "threads")
	has := map[string]bool{}
	for _, im := range impls {
		label := im.name
		if im.kernel != "" {
			label += "(" + im.kernel + ")"
		}
		hdr = append(hdr, label+" GFLOP/s")
		has[im.name] = true
	}
	for _, other := range []string{"openblas", "gonum"} {
		if has[other] {
			hdr = append(hdr, "ember/"+other)
		}
	}
	fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
	for _, r := range rows {
		cells := []string{r.dtype, fmt.Sprint(r.n), fmt.Sprint(r.threads)}
		for _, im := range impls {
			cells = append(cells, fmt.Sprintf("%.1f", r.gflops[im.name]))
		}
		for _, other := range []string{"openblas", "gonum"} {
			if has[other] {
				cells = append(cells, fmt.Sprintf("%.2fx", r.gflops["ember"]/r.gflops[other]))
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(cfg.out, "GFLOP/s = 2n³/best time; gonum is blas/gonum, its threads set through GOMAXPROCS (it splits large products over GOMAXPROCS goroutines).")
}
