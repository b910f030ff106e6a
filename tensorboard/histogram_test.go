package tensorboard

import (
	"math"
	"testing"
)

func TestDefaultBucketLimits(t *testing.T) {
	lim := DefaultBucketLimits()
	// 1e-12 * 1.1^k < 1e20 for k = 0..773 (1.1^773 ~ 9.3e31), so 774 positive
	// limits plus DBL_MAX, mirrored, plus zero: 2*775 + 1.
	if len(lim) != 1551 {
		t.Fatalf("len = %d, want 1551", len(lim))
	}
	mid := len(lim) / 2
	if lim[mid] != 0 || lim[mid+1] != 1e-12 || lim[mid-1] != -1e-12 {
		t.Fatalf("limits around zero: %g %g %g", lim[mid-1], lim[mid], lim[mid+1])
	}
	if lim[0] != -math.MaxFloat64 || lim[len(lim)-1] != math.MaxFloat64 {
		t.Fatalf("end limits %g %g", lim[0], lim[len(lim)-1])
	}
	for i := 1; i < len(lim); i++ {
		if !(lim[i] > lim[i-1]) {
			t.Fatalf("limits not increasing at %d: %g then %g", i, lim[i-1], lim[i])
		}
		if j := len(lim) - 1 - i; lim[i] != -lim[j] {
			t.Fatalf("limits not symmetric at %d", i)
		}
	}
	if last := lim[len(lim)-2]; last >= 1e20 || last*1.1 < 1e20 {
		t.Fatalf("largest finite limit %g, want the last 1.1 step below 1e20", last)
	}
}

func TestNewHistogram(t *testing.T) {
	values := []float64{-1, 0, 0, 0.5, 2, 2}
	h, err := NewHistogram(values)
	if err != nil {
		t.Fatal(err)
	}
	if h.Min != -1 || h.Max != 2 || h.Num != 6 || h.Sum != 3.5 || h.SumSquares != 9.25 {
		t.Fatalf("stats = %+v", h)
	}
	if len(h.Bucket) != len(h.BucketLimit) {
		t.Fatalf("%d buckets, %d limits", len(h.Bucket), len(h.BucketLimit))
	}
	// Four distinct non-empty buckets (-1, 0, 0.5, 2), each preceded by a
	// collapsed run of empty ones, then one trailing empty run ending at
	// DBL_MAX: 9 entries.
	if len(h.Bucket) != 9 {
		t.Fatalf("%d buckets, want 9: %v", len(h.Bucket), h.Bucket)
	}
	wantCounts := []float64{0, 1, 0, 2, 0, 1, 0, 2, 0}
	var total float64
	for i, c := range h.Bucket {
		if c != wantCounts[i] {
			t.Fatalf("bucket counts %v, want %v", h.Bucket, wantCounts)
		}
		total += c
	}
	if total != h.Num {
		t.Fatalf("counts sum to %g, want %g", total, h.Num)
	}
	// 0 falls in the bucket whose limit is 1e-12; each value v lies below its
	// bucket's limit and at or above the previous limit.
	if h.BucketLimit[3] != 1e-12 {
		t.Fatalf("zero's bucket limit %g, want 1e-12", h.BucketLimit[3])
	}
	for i, v := range []float64{-1, 0, 0.5, 2} {
		k := 2*i + 1
		if !(v < h.BucketLimit[k] && v >= h.BucketLimit[k-1]) {
			t.Fatalf("value %g not in [%g, %g)", v, h.BucketLimit[k-1], h.BucketLimit[k])
		}
		if v > 0 && h.BucketLimit[k] > v*1.1 {
			t.Fatalf("bucket of %g too wide: limit %g", v, h.BucketLimit[k])
		}
	}
	if h.BucketLimit[8] != math.MaxFloat64 {
		t.Fatalf("last limit %g", h.BucketLimit[8])
	}
}

func TestNewHistogramErrors(t *testing.T) {
	for _, in := range [][]float64{nil, {1, math.NaN()}, {math.Inf(1)}} {
		if _, err := NewHistogram(in); err == nil {
			t.Errorf("NewHistogram(%v): no error", in)
		}
	}
}
