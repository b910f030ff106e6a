package classical

import (
	"math"
	"slices"
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

func TestClassWeights(t *testing.T) {
	classes := []float64{-1, 1, 2}
	idx := []int32{0, 0, 0, 1, 2, 2}
	// balanced: n / (classes * count) = 6/(3*3), 6/(3*1), 6/(3*2)
	want := []float64{2.0 / 3, 2.0 / 3, 2.0 / 3, 2, 1, 1}
	if got := ClassWeights("balanced", classes, idx); !slices.Equal(got, want) {
		t.Errorf("balanced: %v, want %v", got, want)
	}
	got := ClassWeights(map[float64]float64{1: 5, -1: 0.5}, classes, []int{0, 1, 2})
	if !slices.Equal(got, []float64{0.5, 5, 1}) {
		t.Errorf("map: %v", got)
	}
	if got := ClassWeights(nil, classes, []int{2, 0}); !slices.Equal(got, []float64{1, 1}) {
		t.Errorf("nil: %v", got)
	}
	for _, bad := range []any{"balanced_subsample", map[float64]float64{1: -2}, map[string]any{"x": 1.0}, 3} {
		if _, err := CheckClassWeight(bad, "balanced"); err == nil {
			t.Errorf("CheckClassWeight(%v) accepted", bad)
		}
	}
	if v, err := CheckClassWeight(map[string]any{"1": 2.0}, "balanced"); err != nil || v.(map[float64]float64)[1] != 2 {
		t.Errorf("JSON map: %v, %v", v, err)
	}
	if v, err := CheckClassWeight("balanced_subsample", "balanced", "balanced_subsample"); err != nil || v != "balanced_subsample" {
		t.Errorf("allowed mode: %v, %v", v, err)
	}
}
