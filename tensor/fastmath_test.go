package tensor

import (
	"math"
	"testing"
)

// TestFastMath compares the float32 kernels with package math over a dense
// grid and at the edges.
func TestFastMath(t *testing.T) {
	check := func(name string, f func(float32) float32, ref func(float64) float64, lo, hi float32, relTol float64) {
		t.Helper()
		worst := 0.0
		for x := lo; x <= hi; x += (hi - lo) / 200003 {
			got, want := float64(f(x)), ref(float64(x))
			if math.IsInf(want, 0) || want == 0 {
				if got != want && math.Abs(got-want) > 1e-37 {
					t.Fatalf("%s(%v) = %v, want %v", name, x, got, want)
				}
				continue
			}
			e := math.Abs(got-want) / math.Abs(want)
			worst = max(worst, e)
			if e > relTol {
				t.Fatalf("%s(%v) = %v, want %v (relative error %.3g)", name, x, got, want, e)
			}
		}
		t.Logf("%s: worst relative error %.3g", name, worst)
	}
	check("expf", expf, math.Exp, -87, 88.7, 3e-7)
	check("sigmoidf", sigmoidf, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, -80, 80, 4e-7)
	check("tanhf", tanhf, math.Tanh, -12, 12, 4e-7)
	check("tanhf small", tanhf, math.Tanh, -0.7, 0.7, 4e-7)
	for _, c := range []struct {
		f    func(float32) float32
		x    float32
		want float64
	}{
		{expf, 0, 1}, {expf, 89, math.Inf(1)}, {expf, -105, 0}, {expf, float32(math.Inf(-1)), 0},
		{expf, float32(math.Inf(1)), math.Inf(1)}, {sigmoidf, -200, 0}, {sigmoidf, 200, 1},
		{tanhf, 30, 1}, {tanhf, -30, -1}, {tanhf, 0, 0},
	} {
		if got := float64(c.f(c.x)); got != c.want {
			t.Errorf("f(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	nan := float32(math.NaN())
	if expf(nan) == expf(nan) || tanhf(nan) == tanhf(nan) || sigmoidf(nan) == sigmoidf(nan) {
		t.Error("NaN does not propagate")
	}
}

func BenchmarkExpScalar(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i%200)/20 - 5
	}
	d := make([]float32, len(xs))
	b.Run("expf", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				d[i] = expf(x)
			}
		}
	})
	b.Run("math.Exp", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				d[i] = float32(math.Exp(float64(x)))
			}
		}
	})
}
