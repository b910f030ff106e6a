package classical

import (
	"math"
	"testing"
)

func TestAllFinite(t *testing.T) {
	for n := 0; n <= 9; n++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i) - 3.5
		}
		if !allFinite(d) {
			t.Fatalf("n=%d: finite values reported non-finite", n)
		}
		for i := range d {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				old := d[i]
				d[i] = bad
				if allFinite(d) {
					t.Fatalf("n=%d: %v at %d not found", n, bad, i)
				}
				d[i] = old
			}
		}
	}
	if !allFinite([]float64{math.MaxFloat64, -math.MaxFloat64, 5e-324, math.Copysign(0, -1)}) {
		t.Error("extreme finite values reported non-finite")
	}
}
