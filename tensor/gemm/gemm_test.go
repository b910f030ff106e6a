package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// testKernels returns every kernel the machine can run ("generic" included).
func testKernels(t *testing.T) []string {
	ks := Kernels()
	if !slices.Contains(ks, "generic") {
		t.Fatalf("Kernels() = %v, missing generic", ks)
	}
	return ks
}

func useKernel(t *testing.T, name string) {
	t.Helper()
	restore, err := UseKernel(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restore)
}

// problem is one GEMM call with stored operands.
type problem struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float64
	pad         int // extra row stride on A, B and C
}

func (p problem) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%g beta=%g pad=%d", p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.beta, p.pad)
}

// operands holds the stored A, B, C of a problem in float64; padding
// elements hold NaN so that reading them shows up.
type operands struct {
	a, b, c       []float64
	lda, ldb, ldc int
}

func makeOperands(p problem, rng *rand.Rand) operands {
	ra, ca := p.m, p.k
	if p.tA {
		ra, ca = p.k, p.m
	}
	rb, cb := p.k, p.n
	if p.tB {
		rb, cb = p.n, p.k
	}
	o := operands{lda: max(1, ca+p.pad), ldb: max(1, cb+p.pad), ldc: max(1, p.n+p.pad)}
	fill := func(rows, cols, ld int, nanBody bool) []float64 {
		s := make([]float64, rows*ld)
		for i := range s {
			s[i] = math.NaN()
			if nanBody || i%ld >= cols {
				continue
			}
			// Small integers scaled: exact in float32, so the
			// reference sees the same inputs.
			s[i] = float64(rng.IntN(2001)-1000) / 1024
		}
		return s
	}
	o.a = fill(ra, ca, o.lda, false)
	o.b = fill(rb, cb, o.ldb, false)
	o.c = fill(p.m, p.n, o.ldc, p.beta == 0)
	return o
}

// reference computes the expected C in float64 and a per-element error
// bound scale Σ|alpha·a·b| + |beta·c|.
func reference(p problem, o operands) (want, scale []float64) {
	want = slices.Clone(o.c)
	scale = make([]float64, len(o.c))
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.n; j++ {
			var s, abs float64
			for q := 0; q < p.k; q++ {
				var av, bv float64
				if p.tA {
					av = o.a[q*o.lda+i]
				} else {
					av = o.a[i*o.lda+q]
				}
				if p.tB {
					bv = o.b[j*o.ldb+q]
				} else {
					bv = o.b[q*o.ldb+j]
				}
				s += av * bv
				abs += math.Abs(av * bv)
			}
			idx := i*o.ldc + j
			v := p.alpha * s
			sc := math.Abs(p.alpha) * abs
			if p.beta != 0 {
				v += p.beta * o.c[idx]
				sc += math.Abs(p.beta * o.c[idx])
			}
			want[idx] = v
			scale[idx] = sc
		}
	}
	return want, scale
}

type mode int

const (
	modeParallel mode = iota
	modeSerial
)

func runF32(md mode, p problem, o operands) []float64 {
	a, b := to32(o.a), to32(o.b)
	c := withGuard(to32(o.c))
	defer checkGuard(c)
	f := Sgemm
	if md == modeSerial {
		f = SgemmSerial
	}
	f(p.tA, p.tB, p.m, p.n, p.k, float32(p.alpha), a, o.lda, b, o.ldb, float32(p.beta), c, o.ldc)
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = float64(v)
	}
	return out
}

func runF64(md mode, p problem, o operands) []float64 {
	c := withGuard(slices.Clone(o.c))
	defer checkGuard(c)
	f := Dgemm
	if md == modeSerial {
		f = DgemmSerial
	}
	f(p.tA, p.tB, p.m, p.n, p.k, p.alpha, slices.Clone(o.a), o.lda, slices.Clone(o.b), o.ldb, p.beta, c, o.ldc)
	return c
}

const guardLen = 80

// withGuard returns a copy of s followed, in its capacity, by guard
// elements that checkGuard verifies were not written.
func withGuard[T Float](s []T) []T {
	g := make([]T, len(s)+guardLen)
	copy(g, s)
	for i := len(s); i < len(g); i++ {
		g[i] = 12345
	}
	return g[:len(s)]
}

func checkGuard[T Float](s []T) {
	for i, v := range s[len(s):cap(s)] {
		if v != 12345 {
			panic(fmt.Sprintf("gemm wrote past the end of C: guard element %d is %v", i, v))
		}
	}
}

func to32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

// verify checks one problem in one dtype and mode against the reference,
// reporting at most a few mismatches.
func verify(t *testing.T, dtype string, md mode, p problem, rng *rand.Rand) {
	t.Helper()
	o := makeOperands(p, rng)
	want, scale := reference(p, o)
	var got []float64
	eps := 1e-14
	if dtype == "float32" {
		got = runF32(md, p, o)
		eps = 1e-6
		// The reference rounds C's stored padding to float32 too.
	} else {
		got = runF64(md, p, o)
	}
	bad := 0
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.n+p.pad; j++ {
			idx := i*o.ldc + j
			if j >= p.n {
				// Padding of C must be left untouched (NaN or the
				// original value).
				if !(math.IsNaN(got[idx]) && math.IsNaN(o.c[idx])) && got[idx] != float64(float32(o.c[idx])) && got[idx] != o.c[idx] {
					t.Errorf("%s %s: C padding (%d,%d) changed to %v", dtype, p, i, j, got[idx])
					bad++
				}
				continue
			}
			tol := eps*float64(p.k+2)*scale[idx] + 1e-30
			if d := math.Abs(got[idx] - want[idx]); !(d <= tol) {
				t.Errorf("%s %s: C(%d,%d) = %v, want %v (|diff| %g > tol %g)", dtype, p, i, j, got[idx], want[idx], d, tol)
				bad++
			}
			if bad >= 5 {
				t.FailNow()
			}
		}
	}
}

// oddDims are the sampled sizes: every size up to 17, primes, and sizes
// around the register tiles.
var oddDims = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 23, 24, 29, 31, 32, 33, 37, 41, 47, 53, 61, 64, 65, 70}

func TestOddSizes(t *testing.T) {
	step := 1
	if testing.Short() || raceEnabled {
		step = 5
	}
	for _, kn := range testKernels(t) {
		t.Run(kn, func(t *testing.T) {
			useKernel(t, kn)
			for _, dtype := range []string{"float32", "float64"} {
				rng := rand.New(rand.NewPCG(1, 2))
				count := 0
				for mi, m := range oddDims {
					for ni, n := range oddDims {
						count++
						if count%step != 0 {
							continue
						}
						k := oddDims[(mi*7+ni*3)%len(oddDims)]
						trans := (mi + ni) % 4
						p := problem{tA: trans&1 != 0, tB: trans&2 != 0, m: m, n: n, k: k, alpha: 1, beta: 0}
						verify(t, dtype, modeSerial, p, rng)
					}
				}
			}
		})
	}
}

func TestTransposesAlphaBeta(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {7, 5, 3}, {13, 33, 17}, {64, 64, 64}, {65, 70, 31}, {1000, 3, 5}, {3, 1000, 7}, {5, 7, 1000}, {1, 300, 1}}
	if !testing.Short() && !raceEnabled {
		// Cross the cache blocks: k > kc, m > mc, n > nc.
		shapes = append(shapes, [3]int{250, 70, 600}, [3]int{13, 2100, 300}, [3]int{530, 33, 20}, [3]int{97, 301, 520})
	}
	ab := [][2]float64{{1, 0}, {2.5, 0}, {1, 1}, {-0.5, 0.75}, {0, 2}, {0, 0}, {1.5, -1}}
	for _, kn := range testKernels(t) {
		t.Run(kn, func(t *testing.T) {
			useKernel(t, kn)
			rng := rand.New(rand.NewPCG(3, 4))
			for si, s := range shapes {
				for tr := 0; tr < 4; tr++ {
					for _, dtype := range []string{"float32", "float64"} {
						v := ab[(si+tr)%len(ab)]
						p := problem{tA: tr&1 != 0, tB: tr&2 != 0, m: s[0], n: s[1], k: s[2], alpha: v[0], beta: v[1], pad: (si + tr) % 3 * 3}
						md := modeParallel
						if tr%2 == 1 {
							md = modeSerial
						}
						verify(t, dtype, md, p, rng)
					}
				}
			}
			// Every alpha/beta pair on one shape, all transposes.
			for _, v := range ab {
				for tr := 0; tr < 4; tr++ {
					p := problem{tA: tr&1 != 0, tB: tr&2 != 0, m: 29, n: 37, k: 41, alpha: v[0], beta: v[1], pad: 2}
					verify(t, "float32", modeParallel, p, rng)
					verify(t, "float64", modeParallel, p, rng)
				}
			}
		})
	}
}

func TestZeroK(t *testing.T) {
	for _, beta := range []float64{0, 1, 3} {
		p := problem{m: 3, n: 4, k: 0, alpha: 1, beta: beta, pad: 1}
		rng := rand.New(rand.NewPCG(5, 6))
		verify(t, "float32", modeParallel, p, rng)
		verify(t, "float64", modeSerial, p, rng)
	}
	// Empty C is a no-op even with nil slices.
	Sgemm(false, false, 0, 5, 3, 1, nil, 3, make([]float32, 15), 5, 0, nil, 5)
	Dgemm(false, false, 4, 0, 3, 1, make([]float64, 12), 3, nil, 1, 0, nil, 1)
}

// TestThreadsIdentical checks that the parallel result is bitwise the same
// for 1 and 2 threads and for the serial entry point.
func TestThreadsIdentical(t *testing.T) {
	shapes := [][3]int{{300, 257, 513}, {37, 1000, 70}, {1000, 37, 70}, {129, 131, 300}}
	if testing.Short() || raceEnabled {
		shapes = [][3]int{{130, 70, 90}, {20, 300, 40}}
	}
	for _, kn := range testKernels(t) {
		t.Run(kn, func(t *testing.T) {
			useKernel(t, kn)
			rng := rand.New(rand.NewPCG(7, 8))
			for si, s := range shapes {
				for tr := 0; tr < 4; tr++ {
					p := problem{tA: tr&1 != 0, tB: tr&2 != 0, m: s[0], n: s[1], k: s[2], alpha: 0.75, beta: float64(si % 2), pad: 1}
					o := makeOperands(p, rng)
					if p.beta != 0 {
						for i := range o.c {
							o.c[i] = rng.Float64()
						}
					}
					for _, dtype := range []string{"float32", "float64"} {
						run := runF32
						if dtype == "float64" {
							run = runF64
						}
						serial := run(modeSerial, p, o)
						for _, th := range []int{1, 2, 3} {
							old := SetThreads(th)
							got := run(modeParallel, p, o)
							SetThreads(old)
							for i := range got {
								if math.Float64bits(got[i]) != math.Float64bits(serial[i]) {
									t.Fatalf("%s %s threads=%d: C[%d] = %v, serial gives %v", dtype, p, th, i, got[i], serial[i])
								}
							}
						}
					}
				}
			}
		})
	}
}

func TestKernelSelection(t *testing.T) {
	ks := Kernels()
	if Kernel() != ks[0] {
		t.Errorf("Kernel() = %q, want the best available %q", Kernel(), ks[0])
	}
	if ks[len(ks)-1] != "generic" {
		t.Errorf("Kernels() = %v, want generic last", ks)
	}
	for _, k := range ks {
		restore, err := UseKernel(k)
		if err != nil {
			t.Fatal(err)
		}
		if Kernel() != k {
			t.Errorf("after UseKernel(%q), Kernel() = %q", k, Kernel())
		}
		restore()
	}
	if Kernel() != ks[0] {
		t.Errorf("restore left Kernel() = %q", Kernel())
	}
	if _, err := UseKernel("nope"); err == nil {
		t.Error("UseKernel(nope) returned no error")
	}
	old := SetThreads(1)
	if got := SetThreads(old); got != 1 {
		t.Errorf("SetThreads returned %d, want 1", got)
	}
}

func TestPanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"short a", func() {
			Sgemm(false, false, 4, 4, 4, 1, make([]float32, 15), 4, make([]float32, 16), 4, 0, make([]float32, 16), 4)
		}, "len(a)"},
		{"short b", func() {
			Dgemm(false, true, 4, 3, 5, 1, make([]float64, 20), 5, make([]float64, 14), 5, 0, make([]float64, 12), 3)
		}, "len(b)"},
		{"short c", func() {
			SgemmSerial(true, false, 4, 4, 4, 1, make([]float32, 16), 4, make([]float32, 16), 4, 0, make([]float32, 10), 4)
		}, "len(c)"},
		{"small lda", func() {
			DgemmSerial(false, false, 2, 2, 3, 1, make([]float64, 6), 2, make([]float64, 6), 2, 0, make([]float64, 4), 2)
		}, "lda"},
		{"negative", func() { Sgemm(false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) }, "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "gemm:") {
					t.Errorf("panic %v, want a gemm: message containing %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// TestNoAllocs checks that the pack buffers are reused across calls.
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	n := 96
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	SgemmSerial(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
	allocs := testing.AllocsPerRun(20, func() {
		SgemmSerial(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
	})
	if allocs > 0.5 {
		t.Errorf("SgemmSerial allocates %v times per call", allocs)
	}
}
