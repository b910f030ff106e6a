package tensorboard

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
)

// DefaultBucketLimits returns TensorFlow's default histogram bucket limits
// (tensorflow/core/lib/histogram/histogram.cc): limits growing by 10% from
// 1e-12 up to 1e20, mirrored for negative values, with 0 in the middle and
// ±math.MaxFloat64 at the ends. The caller must not modify the slice.
func DefaultBucketLimits() []float64 {
	defaultLimitsOnce.Do(func() {
		var pos []float64
		for v := 1e-12; v < 1e20; v *= 1.1 {
			pos = append(pos, v)
		}
		pos = append(pos, math.MaxFloat64)
		lim := make([]float64, 0, 2*len(pos)+1)
		for i := len(pos) - 1; i >= 0; i-- {
			lim = append(lim, -pos[i])
		}
		lim = append(lim, 0)
		defaultLimits = append(lim, pos...)
	})
	return defaultLimits
}

var (
	defaultLimitsOnce sync.Once
	defaultLimits     []float64
)

// NewHistogram summarises values the way TensorFlow's histogram does:
// counts in the default buckets (see DefaultBucketLimits), where a value v
// falls in the first bucket whose limit is greater than v, and runs of
// empty buckets collapsed into one (the last limit of the run). It returns
// an error for an empty slice or a NaN or infinite value.
func NewHistogram(values []float64) (*HistogramProto, error) {
	if len(values) == 0 {
		return nil, errors.New("tensorboard: histogram of no values")
	}
	limits := DefaultBucketLimits()
	counts := make([]float64, len(limits))
	h := &HistogramProto{Min: math.Inf(1), Max: math.Inf(-1), Num: float64(len(values))}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("tensorboard: histogram value %d is %v", i, v)
		}
		h.Min = math.Min(h.Min, v)
		h.Max = math.Max(h.Max, v)
		h.Sum += v
		h.SumSquares += v * v
		b := sort.Search(len(limits), func(j int) bool { return limits[j] > v })
		if b == len(limits) {
			b--
		}
		counts[b]++
	}
	for i := 0; i < len(counts); {
		end, count := limits[i], counts[i]
		i++
		if count <= 0 {
			for i < len(counts) && counts[i] <= 0 {
				end, count = limits[i], counts[i]
				i++
			}
		}
		h.BucketLimit = append(h.BucketLimit, end)
		h.Bucket = append(h.Bucket, count)
	}
	return h, nil
}
