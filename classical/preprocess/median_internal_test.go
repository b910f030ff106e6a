package preprocess

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMedianMatchesSortedPercentile compares the quickselect median with
// Percentile of the sorted values, bit for bit, on lengths 1-60 with many
// ties, sorted and reversed input.
func TestMedianMatchesSortedPercentile(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 60; n++ {
		for trial := 0; trial < 30; trial++ {
			a := make([]float64, n)
			for i := range a {
				switch trial % 3 {
				case 0:
					a[i] = float64(r.IntN(5)) // ties
				default:
					a[i] = r.NormFloat64()
				}
			}
			switch trial % 5 {
			case 1:
				slices.Sort(a)
			case 2:
				slices.Sort(a)
				slices.Reverse(a)
			}
			s := slices.Clone(a)
			slices.Sort(s)
			want := Percentile(s, 50)
			if got := median(slices.Clone(a)); got != want {
				t.Fatalf("median of %v = %v, want %v", a, got, want)
			}
		}
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median of 4 1 3 2 = %v, want 2.5", got)
	}
}
