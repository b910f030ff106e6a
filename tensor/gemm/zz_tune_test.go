package gemm

import (
	"testing"
	"time"
)

func bestOf[T Float](reps int, f func()) time.Duration {
	f()
	b := time.Hour
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		f()
		b = min(b, time.Since(t0))
	}
	return b
}

func tuneRun[T Float](t *testing.T, kern *kernel[T], sgemm func(bool, bool, int, int, int, T, []T, int, []T, int, T, []T, int), ser func(bool, bool, int, int, int, T, []T, int, []T, int, T, []T, int)) {
	mk := func(n int) ([]T, []T, []T) {
		a, b, c := make([]T, n*n), make([]T, n*n), make([]T, n*n)
		for i := range a {
			a[i] = T(i%7) - 3
			b[i] = T(i%5) - 2
		}
		return a, b, c
	}
	a1, b1, c1 := mk(1024)
	a2, b2, c2 := mk(2048)
	orig := *kern
	for _, kc := range []int{256, 384, 512} {
		for _, mc := range []int{kern.mr * 14, kern.mr * 28, kern.mr * 42} {
			kern.kc, kern.mc = kc, mc
			n := 1024
			d1 := bestOf[T](4, func() { ser(false, false, n, n, n, 1, a1, n, b1, n, 0, c1, n) })
			d2 := bestOf[T](4, func() { sgemm(false, false, n, n, n, 1, a1, n, b1, n, 0, c1, n) })
			n = 2048
			d3 := bestOf[T](2, func() { sgemm(false, false, n, n, n, 1, a2, n, b2, n, 0, c2, n) })
			f := 2 * 1024 * 1024 * 1024.0 / 1e9
			t.Logf("kc=%d mc=%d nc=%d: ser1024 %.1f par1024 %.1f par2048 %.1f", kc, mc, kern.nc, f/d1.Seconds(), f/d2.Seconds(), 8*f/d3.Seconds())
		}
	}
	*kern = orig
}

func TestZZTuneS(t *testing.T) { tuneRun(t, &available[0].s, Sgemm, SgemmSerial) }
func TestZZTuneD(t *testing.T) { tuneRun(t, &available[0].d, Dgemm, DgemmSerial) }
