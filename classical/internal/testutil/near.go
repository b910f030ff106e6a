package testutil

import (
	"fmt"
	"math"
	"testing"
)

// Within reports whether got is within tol of want, relative to want's
// size: |got-want| <= tol*(1+|want|). Equal values (infinities included)
// and two NaNs are within any tolerance; a NaN or an infinity against
// anything else is not.
func Within(got, want, tol float64) bool {
	if got == want || math.IsNaN(got) && math.IsNaN(want) {
		return true
	}
	if math.IsInf(got, 0) || math.IsInf(want, 0) {
		return false
	}
	return math.Abs(got-want) <= tol*(1+math.Abs(want))
}

// relDiff is |got-want|/(1+|want|): 0 for values Within any tolerance,
// +Inf where a NaN or an infinity meets a different value.
func relDiff(got, want float64) float64 {
	if Within(got, want, 0) {
		return 0
	}
	d := math.Abs(got-want) / (1 + math.Abs(want))
	if math.IsNaN(d) {
		return math.Inf(1)
	}
	return d
}

// Near fails the test (without stopping it) unless Within(got, want, tol);
// what names the value in the message.
func Near(tb testing.TB, what string, got, want, tol float64) {
	tb.Helper()
	if !Within(got, want, tol) {
		tb.Errorf("%s = %.17g, want %.17g (tolerance %g*(1+|want|))", what, got, want, tol)
	}
}

// AllNear checks got against want element by element with Within. A length
// mismatch stops the test; values out of tolerance fail it (without
// stopping it) with one message naming what, how many values differ, the
// first one and the one with the largest relative difference, and both
// slices when they are short.
func AllNear(tb testing.TB, what string, got, want []float64, tol float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d values, want %d%s", what, len(got), len(want), dump(got, want))
	}
	bad, first, worst := 0, -1, -1
	for i := range got {
		if Within(got[i], want[i], tol) {
			continue
		}
		bad++
		if first < 0 {
			first = i
		}
		if worst < 0 || relDiff(got[i], want[i]) > relDiff(got[worst], want[worst]) {
			worst = i
		}
	}
	if bad == 0 {
		return
	}
	tb.Errorf("%s: %d of %d values beyond tolerance %g*(1+|want|): first [%d] = %v, want %v; largest relative difference %.3g at [%d] = %v, want %v%s",
		what, bad, len(got), tol, first, got[first], want[first],
		relDiff(got[worst], want[worst]), worst, got[worst], want[worst], dump(got, want))
}

// dump shows both slices when they are short enough to read.
func dump(got, want []float64) string {
	if len(got) > 32 || len(want) > 32 {
		return ""
	}
	return fmt.Sprintf("\n got %v\nwant %v", got, want)
}

// Head returns the first n values of v, or all of v if it has fewer: for
// comparing with AllNear the leading rows a reference file recorded (a
// short v still fails as a length mismatch).
func Head(v []float64, n int) []float64 {
	return v[:min(n, len(v))]
}
