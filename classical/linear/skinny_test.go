package linear

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLogistic checks log(1+eᶻ) and σ(z) (assembly where the CPU has AVX2
// and FMA, with a Go tail) against math.Log1p and math.Exp at every tail
// length, from z = 0 to past exp's underflow, to a few ulps.
func TestLogistic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ulps := func(got, want float64) float64 {
		if got == want {
			return 0
		}
		return math.Abs(got-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
	}
	for n := 0; n <= 37; n++ {
		z := make([]float64, n)
		for i := range z {
			z[i] = rng.NormFloat64() * math.Pow(10, float64(i%6)-3)
		}
		if n > 4 {
			z[1], z[2], z[3], z[4] = 0, 800, -800, math.Log(math.Sqrt2-1) // u = 1 + e at √2
		}
		lse, sg := make([]float64, n), make([]float64, n)
		logistic(lse, sg, z)
		for i, zi := range z {
			e := math.Exp(-math.Abs(zi))
			wl, ws := math.Log1p(e)+math.Max(zi, 0), 1/(1+e)
			if zi <= 0 {
				ws = e / (1 + e)
			}
			if u := ulps(lse[i], wl); u > 4 && math.Abs(lse[i]-wl) > 1e-300 {
				t.Fatalf("n=%d z=%v: log(1+eᶻ) = %v, want %v (%v ulps)", n, zi, lse[i], wl, u)
			}
			if u := ulps(sg[i], ws); u > 4 && math.Abs(sg[i]-ws) > 1e-300 {
				t.Fatalf("n=%d z=%v: σ = %v, want %v (%v ulps)", n, zi, sg[i], ws, u)
			}
		}
	}
}
