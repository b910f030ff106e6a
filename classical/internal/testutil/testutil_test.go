package testutil

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// recorder is a testing.TB that records failures instead of failing;
// Fatalf stops the helper with a panic the caller recovers.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

type stop struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	panic(stop{})
}

// run calls f with a fresh recorder and returns it.
func run(f func(tb testing.TB)) (r *recorder) {
	r = &recorder{}
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(stop); !ok {
				panic(p)
			}
		}
	}()
	f(r)
	return r
}

func TestWithin(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		got, want, tol float64
		ok             bool
	}{
		{1, 1, 0, true},
		{1 + 1e-13, 1, 1e-12, true},
		{1 + 3e-12, 1, 1e-12, false}, // tolerance 1e-12*(1+1)
		{100.5, 100, 0.005, true},    // relative to 1+|want|: 0.505
		{100.6, 100, 0.005, false},
		{0, 1e-13, 1e-12, true}, // absolute near zero
		{nan, nan, 0, true},
		{nan, 1, 1, false},
		{1, nan, 1, false},
		{inf, inf, 0, true},
		{inf, 1, 1, false},
		{-inf, inf, 1, false},
		{1, inf, 1, false},
	} {
		if got := Within(c.got, c.want, c.tol); got != c.ok {
			t.Errorf("Within(%v, %v, %v) = %v, want %v", c.got, c.want, c.tol, got, c.ok)
		}
	}
}

func TestNear(t *testing.T) {
	if r := run(func(tb testing.TB) { Near(tb, "x", 1, 1+1e-13, 1e-12) }); len(r.errors) != 0 {
		t.Errorf("within tolerance: %v", r.errors)
	}
	r := run(func(tb testing.TB) { Near(tb, "accuracy", 0.5, 0.75, 1e-12) })
	if len(r.errors) != 1 || r.fatal || !strings.Contains(r.errors[0], "accuracy") {
		t.Errorf("out of tolerance: %q (fatal %v)", r.errors, r.fatal)
	}
}

func TestAllNear(t *testing.T) {
	want := []float64{1, 2, 3, 4}
	if r := run(func(tb testing.TB) { AllNear(tb, "v", []float64{1, 2, 3, 4 + 1e-12}, want, 1e-9) }); len(r.errors) != 0 {
		t.Errorf("within tolerance: %v", r.errors)
	}
	r := run(func(tb testing.TB) { AllNear(tb, "coef", []float64{1, 2.5, 3, 9}, want, 1e-9) })
	if len(r.errors) != 1 || r.fatal {
		t.Fatalf("two values off: %q (fatal %v)", r.errors, r.fatal)
	}
	for _, s := range []string{"coef", "2 of 4", "first [1] = 2.5, want 2", "at [3] = 9, want 4"} {
		if !strings.Contains(r.errors[0], s) {
			t.Errorf("message %q does not say %q", r.errors[0], s)
		}
	}
	r = run(func(tb testing.TB) { AllNear(tb, "v", []float64{1, math.NaN(), 3, 4}, want, 1) })
	if len(r.errors) != 1 {
		t.Errorf("NaN against a number passed: %q", r.errors)
	}
	r = run(func(tb testing.TB) { AllNear(tb, "v", []float64{1, 2, 3}, want, 1) })
	if !r.fatal {
		t.Errorf("length mismatch did not stop the test: %q", r.errors)
	}
	r = run(func(tb testing.TB) { AllNear(tb, "pred", []float64{0, 1, 2}, []float64{0, 1, 1}, 0) })
	if len(r.errors) != 1 {
		t.Errorf("tolerance 0, one label off: %q", r.errors)
	}
}

func TestFloatsInts(t *testing.T) {
	v := []any{1.0, 2.5, -3.0}
	if got := Floats(v); len(got) != 3 || got[1] != 2.5 || got[2] != -3 {
		t.Errorf("Floats = %v", got)
	}
	if got := Ints([]any{1.0, 7.0}); len(got) != 2 || got[0] != 1 || got[1] != 7 {
		t.Errorf("Ints = %v", got)
	}
}

func TestSklearnRef(t *testing.T) {
	r := SklearnRef(t, "bayes")
	if len(Floats(r["gnb_theta"])) != 12 {
		t.Errorf("bayes gnb_theta: %v", r["gnb_theta"])
	}
	rec := run(func(tb testing.TB) { SklearnRef(tb, "no such section") })
	if !rec.fatal {
		t.Errorf("missing section did not stop the test")
	}
}

func TestSplitEveryFourth(t *testing.T) {
	X := tensor.FromFloat64([]float64{0, 0, 1, 10, 2, 20, 3, 30, 4, 40, 5, 50}, 6, 2)
	y := tensor.FromFloat64([]float64{0, 1, 2, 3, 4, 5}, 6)
	Xtr, ytr, Xte, yte := SplitEveryFourth(X, y)
	eq := func(what string, got *tensor.Tensor, want []float64) {
		t.Helper()
		if g := got.Float64s(); fmt.Sprint(g) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, g, want)
		}
	}
	eq("Xtr", Xtr, []float64{1, 10, 2, 20, 3, 30, 5, 50})
	eq("ytr", ytr, []float64{1, 2, 3, 5})
	eq("Xte", Xte, []float64{0, 0, 4, 40})
	eq("yte", yte, []float64{0, 4})
	if s := Xtr.Shape(); s[0] != 4 || s[1] != 2 {
		t.Errorf("Xtr shape %v", s)
	}
	F, target := FirstColumnTarget(Xtr)
	eq("features", F, []float64{10, 20, 30, 50})
	eq("target", target, []float64{1, 2, 3, 5})
	if s := F.Shape(); s[0] != 4 || s[1] != 1 {
		t.Errorf("features shape %v", s)
	}
}

func TestHead(t *testing.T) {
	v := []float64{1, 2, 3}
	if got := Head(v, 2); len(got) != 2 || got[1] != 2 {
		t.Errorf("Head(v, 2) = %v", got)
	}
	if got := Head(v, 5); len(got) != 3 {
		t.Errorf("Head(v, 5) = %v", got)
	}
	if r := run(func(tb testing.TB) { AllNear(tb, "v", Head(v, 5), []float64{1, 2, 3, 4, 5}, 0) }); !r.fatal {
		t.Errorf("short v passed")
	}
}
