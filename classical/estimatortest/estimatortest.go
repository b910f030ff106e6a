// Package estimatortest is the conformance suite every ember estimator
// passes, in the spirit of scikit-learn's check_estimator: fit then predict
// shapes, determinism of refits, Clone, clear errors (never panics) on bad
// input, Save/Load round trips, and unknown parameter names.
//
// Use it from a package's tests:
//
//	func TestConformance(t *testing.T) {
//		estimatortest.Check(t, func() classical.Estimator { return linear.NewRidge() },
//			estimatortest.Config{Task: estimatortest.Regressor})
//	}
package estimatortest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// Task says what kind of estimator is checked.
type Task int

const (
	// Classifier predicts labels; PredictProba is checked when present.
	Classifier Task = iota
	// Regressor predicts real targets.
	Regressor
	// Transformer maps X to new features (Transform).
	Transformer
	// Clusterer is unsupervised and predicts cluster indices.
	Clusterer
)

func (t Task) String() string {
	return [...]string{"classifier", "regressor", "transformer", "clusterer"}[t]
}

// Config tunes the suite for one estimator.
type Config struct {
	Task Task
	// X and Y replace the built-in data set (90 samples, 4 features, three
	// well separated classes; targets a noisy linear function for
	// regressors). Y may be nil for unsupervised estimators.
	X, Y *tensor.Tensor
	// Binary uses two classes instead of three.
	Binary bool
	// NonNegative shifts the built-in features to be non-negative.
	NonNegative bool
	// AllowNaN: the estimator accepts NaN in X (imputers); NaN checks then
	// only expect errors for Inf.
	AllowNaN bool
	// Supervised: a transformer or clusterer that needs y.
	Supervised bool
	// Tol is the tolerance of comparisons between refits (0: bit equal).
	Tol float64
}

// Data returns the built-in data set for a task: X [90, 4] and y [90].
func Data(task Task, binary, nonNegative bool) (X, y *tensor.Tensor) {
	rng := rand.New(rand.NewPCG(7, 11))
	const n, p = 90, 4
	classes := 3
	if binary {
		classes = 2
	}
	xs := make([]float64, n*p)
	ys := make([]float64, n)
	w := []float64{1.5, -2, 0.5, 1}
	for i := 0; i < n; i++ {
		c := i % classes
		t := 0.0
		for j := 0; j < p; j++ {
			v := rng.NormFloat64()*0.6 + float64(c)*2*float64(1+(j+c)%2)
			if nonNegative {
				v = math.Abs(v) + float64(c*(j+1))
			}
			xs[i*p+j] = v
			t += w[j] * v
		}
		if task == Regressor {
			ys[i] = t + 0.1*rng.NormFloat64()
		} else {
			ys[i] = float64(c)
		}
	}
	return tensor.FromFloat64(xs, n, p), tensor.FromFloat64(ys, n)
}

// Check runs the whole suite as subtests of t. fresh must return a new
// unfitted estimator with default (or chosen) parameters each call.
func Check(t *testing.T, fresh func() classical.Estimator, cfg Config) {
	t.Helper()
	X, y := cfg.X, cfg.Y
	if X == nil {
		X, y = Data(cfg.Task, cfg.Binary, cfg.NonNegative)
	}
	supervised := cfg.Task == Classifier || cfg.Task == Regressor || cfg.Supervised
	fitY := y
	if !supervised {
		fitY = nil
	}
	ctx := context.Background()
	n, p := X.Shape()[0], X.Shape()[1]

	fit := func(t *testing.T, e classical.Estimator, X, y *tensor.Tensor) error {
		t.Helper()
		return call(func() error { return e.Fit(ctx, X, y) })
	}
	mustFit := func(t *testing.T) classical.Estimator {
		t.Helper()
		e := fresh()
		if err := fit(t, e, X, fitY); err != nil {
			t.Fatalf("Fit: %v", err)
		}
		return e
	}

	t.Run("FitPredictShapes", func(t *testing.T) {
		e := mustFit(t)
		outs, err := outputs(e, X)
		if err != nil {
			t.Fatalf("after Fit: %v", err)
		}
		for name, o := range outs {
			switch name {
			case "Predict":
				if o.Dim() != 1 || o.Shape()[0] != n {
					t.Errorf("Predict shape %v, want [%d]", o.Shape(), n)
				}
			case "Transform", "PredictProba":
				if o.Dim() != 2 || o.Shape()[0] != n || o.Shape()[1] < 1 {
					t.Errorf("%s shape %v, want [%d, k]", name, o.Shape(), n)
				}
			}
			for i, v := range o.Float64s() {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s output %d is %v", name, i, v)
				}
			}
		}
		if c, ok := e.(classical.Classifier); ok && cfg.Task == Classifier && outs["Predict"] != nil {
			classes := c.Classes()
			pr := outs["PredictProba"]
			if pr != nil {
				if pr.Shape()[1] != len(classes) {
					t.Errorf("PredictProba has %d columns, Classes() has %d", pr.Shape()[1], len(classes))
				}
				d := pr.Float64s()
				k := pr.Shape()[1]
				for i := 0; i < n; i++ {
					s := 0.0
					for j := 0; j < k; j++ {
						if d[i*k+j] < -1e-12 || d[i*k+j] > 1+1e-12 {
							t.Fatalf("PredictProba[%d,%d] = %v outside [0,1]", i, j, d[i*k+j])
						}
						s += d[i*k+j]
					}
					if math.Abs(s-1) > 1e-9 {
						t.Fatalf("PredictProba row %d sums to %v", i, s)
					}
				}
			}
			for i, v := range outs["Predict"].Float64s() {
				found := false
				for _, c := range classes {
					found = found || c == v
				}
				if !found {
					t.Fatalf("Predict[%d] = %v not among Classes() %v", i, v, classes)
				}
			}
			for i := 1; i < len(classes); i++ {
				if classes[i] <= classes[i-1] {
					t.Fatalf("Classes() %v not sorted", classes)
				}
			}
		}
		if cfg.Task == Classifier || cfg.Task == Regressor {
			if s, ok := e.(classical.Scorer); ok {
				var sc float64
				err := call(func() (err error) { sc, err = s.Score(X, y); return })
				if err != nil {
					t.Fatalf("Score: %v", err)
				}
				if cfg.X == nil && sc < 0.5 {
					t.Errorf("Score on the (easy) training data = %v, want >= 0.5", sc)
				}
			} else {
				t.Errorf("%T has no Score method", e)
			}
		}
	})

	t.Run("RefitIsDeterministic", func(t *testing.T) {
		a, b := mustFit(t), mustFit(t)
		oa, err := outputs(a, X)
		if err != nil {
			t.Fatal(err)
		}
		ob, err := outputs(b, X)
		if err != nil {
			t.Fatal(err)
		}
		compare(t, oa, ob, cfg.Tol, "two fits with the same parameters")
		// Refitting the same object gives the same result too.
		if err := fit(t, a, X, fitY); err != nil {
			t.Fatal(err)
		}
		oc, err := outputs(a, X)
		if err != nil {
			t.Fatal(err)
		}
		compare(t, oa, oc, cfg.Tol, "refitting the same estimator")
	})

	t.Run("CloneIsUnfittedWithEqualParams", func(t *testing.T) {
		e := mustFit(t)
		var c classical.Estimator
		if err := call(func() error { c = e.Clone(); return nil }); err != nil {
			t.Fatal(err)
		}
		if reflect.TypeOf(c) != reflect.TypeOf(e) {
			t.Fatalf("Clone returned %T, want %T", c, e)
		}
		if !reflect.DeepEqual(c.GetParams(), e.GetParams()) {
			t.Errorf("Clone params differ:\n got %v\nwant %v", c.GetParams(), e.GetParams())
		}
		expectNotFitted(t, c, X)
		if err := call(func() error { return e.SetParams(e.GetParams()) }); err != nil {
			t.Errorf("SetParams(GetParams()) = %v", err)
		}
	})

	t.Run("NotFitted", func(t *testing.T) {
		expectNotFitted(t, fresh(), X)
	})

	t.Run("WrongNumberOfFeatures", func(t *testing.T) {
		e := mustFit(t)
		for _, q := range []int{p + 1, max(p-1, 1)} {
			if q == p {
				continue
			}
			bad := tensor.RandN(tensor.Float64, tensor.NewRand(3), 5, q)
			expectInvalid(t, e, bad, fmt.Sprintf("X with %d features (fitted with %d)", q, p))
		}
	})

	t.Run("NonFiniteX", func(t *testing.T) {
		vals := []float64{math.Inf(1), math.Inf(-1)}
		if !cfg.AllowNaN {
			vals = append(vals, math.NaN())
		}
		e := mustFit(t)
		for _, v := range vals {
			bad := X.Clone()
			bad.Set(v, n/2, p-1)
			if err := fit(t, fresh(), bad, fitY); err == nil {
				t.Errorf("Fit with %v in X returned no error", v)
			} else if !errors.Is(err, classical.ErrInvalidInput) {
				t.Errorf("Fit with %v in X: error %q does not wrap ErrInvalidInput", v, err)
			}
			expectInvalid(t, e, bad, fmt.Sprintf("X with %v", v))
		}
	})

	t.Run("EmptyX", func(t *testing.T) {
		empty := tensor.New(tensor.Float64, 0, p)
		var ey *tensor.Tensor
		if fitY != nil {
			ey = tensor.New(tensor.Float64, 0)
		}
		if err := fit(t, fresh(), empty, ey); err == nil {
			t.Errorf("Fit with empty X returned no error")
		}
		if err := fit(t, fresh(), nil, fitY); err == nil {
			t.Errorf("Fit with nil X returned no error")
		}
		if err := fit(t, fresh(), tensor.New(tensor.Float64, n*p), fitY); err == nil {
			t.Errorf("Fit with 1-D X returned no error")
		}
		e := mustFit(t)
		expectInvalid(t, e, empty, "empty X")
		expectInvalid(t, e, nil, "nil X")
	})

	if supervised {
		t.Run("WrongLengthY", func(t *testing.T) {
			short := y.Slice(0, 0, n-1, 1).Contiguous()
			if err := fit(t, fresh(), X, short); err == nil {
				t.Errorf("Fit with y of %d entries for %d samples returned no error", n-1, n)
			} else if !errors.Is(err, classical.ErrInvalidInput) {
				t.Errorf("Fit with short y: error %q does not wrap ErrInvalidInput", err)
			}
			if err := fit(t, fresh(), X, nil); err == nil {
				t.Errorf("Fit with nil y returned no error")
			}
			ny := y.Clone()
			ny.Set(math.NaN(), 0)
			if err := fit(t, fresh(), X, ny); err == nil {
				t.Errorf("Fit with NaN in y returned no error")
			}
		})
	}

	t.Run("SaveLoadRoundTrip", func(t *testing.T) {
		e := mustFit(t)
		want, err := outputs(e, X)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "model.json")
		if err := call(func() error { return classical.Save(path, e) }); err != nil {
			t.Fatalf("Save: %v", err)
		}
		var got classical.Estimator
		if err := call(func() (err error) { got, err = classical.Load(path); return }); err != nil {
			t.Fatalf("Load: %v", err)
		}
		if reflect.TypeOf(got) != reflect.TypeOf(e) {
			t.Fatalf("Load returned %T, want %T", got, e)
		}
		if !reflect.DeepEqual(got.GetParams(), e.GetParams()) {
			t.Errorf("loaded params differ:\n got %v\nwant %v", got.GetParams(), e.GetParams())
		}
		o, err := outputs(got, X)
		if err != nil {
			t.Fatalf("loaded estimator: %v", err)
		}
		compare(t, want, o, 0, "the saved and the loaded estimator")
		// An unfitted estimator round-trips too, and stays unfitted.
		if err := call(func() error { return classical.Save(path, fresh()) }); err != nil {
			t.Fatalf("Save unfitted: %v", err)
		}
		if err := call(func() (err error) { got, err = classical.Load(path); return }); err != nil {
			t.Fatalf("Load unfitted: %v", err)
		}
		expectNotFitted(t, got, X)
	})

	t.Run("CorruptFileIsError", func(t *testing.T) {
		e := mustFit(t)
		data, err := classical.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		cuts := []int{0, 1, len(data) / 3, len(data) / 2, len(data) - 1}
		for _, c := range cuts {
			if err := call(func() error { _, err := classical.Unmarshal(data[:c]); return err }); err == nil {
				t.Errorf("Unmarshal of %d of %d bytes returned no error", c, len(data))
			} else if isPanic(err) {
				t.Error(err)
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for k := 0; k < 40; k++ {
			bad := append([]byte(nil), data...)
			for j := 0; j < 3; j++ {
				bad[rng.IntN(len(bad))] = byte(rng.IntN(256))
			}
			err := call(func() error {
				m, err := classical.Unmarshal(bad)
				if err == nil {
					_, err = outputs(m, X) // must not panic either
				}
				return err
			})
			if isPanic(err) {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(path, data[:len(data)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := classical.Load(path); err == nil {
			t.Errorf("Load of a truncated file returned no error")
		}
	})

	t.Run("UnknownParam", func(t *testing.T) {
		e := fresh()
		err := call(func() error { return e.SetParams(map[string]any{"no_such_param_xyz": 1}) })
		if err == nil {
			t.Fatalf("SetParams with an unknown name returned no error")
		}
		if !errors.Is(err, classical.ErrUnknownParam) {
			t.Errorf("error %q does not wrap ErrUnknownParam", err)
		}
		if len(e.GetParams()) == 0 {
			t.Logf("note: %T reports no parameters", e)
		}
	})

	t.Run("DoesNotModifyX", func(t *testing.T) {
		xc, yc := X.Clone(), (*tensor.Tensor)(nil)
		if y != nil {
			yc = y.Clone()
		}
		e := mustFit(t)
		if _, err := outputs(e, X); err != nil {
			t.Fatal(err)
		}
		if !tensor.AllClose(xc, X, 0, 0) {
			t.Errorf("Fit or Predict modified X")
		}
		if yc != nil && !tensor.AllClose(yc, y, 0, 0) {
			t.Errorf("Fit modified y")
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		e := fresh()
		err := call(func() error { return e.Fit(cctx, X, fitY) })
		if isPanic(err) {
			t.Fatal(err)
		}
		// Quick estimators may finish before looking at ctx; a cancelled
		// fit must report context.Canceled when it does stop.
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Fit with a cancelled context: %v (want nil or context.Canceled)", err)
		}
	})
}

type panicError struct{ msg string }

func (p panicError) Error() string { return p.msg }

func isPanic(err error) bool {
	var pe panicError
	return errors.As(err, &pe)
}

// call runs f and turns a panic into an error saying so.
func call(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError{fmt.Sprintf("PANIC (estimators must return errors): %v\n%s", r, debug.Stack())}
		}
	}()
	return f()
}

// outputs returns what a fitted estimator produces for X, by method name.
// A method that answers ErrInvalidParam (a pipeline whose final step lacks
// it) is left out.
func outputs(e classical.Estimator, X *tensor.Tensor) (map[string]*tensor.Tensor, error) {
	out := map[string]*tensor.Tensor{}
	err := call(func() error {
		if p, ok := e.(classical.Predictor); ok {
			o, err := p.Predict(X)
			if err != nil && !errors.Is(err, classical.ErrInvalidParam) {
				return fmt.Errorf("predict: %w", err)
			}
			if err == nil {
				out["Predict"] = o
			}
		}
		if tr, ok := e.(classical.Transformer); ok {
			o, err := tr.Transform(X)
			if err != nil && !errors.Is(err, classical.ErrInvalidParam) {
				return fmt.Errorf("transform: %w", err)
			}
			if err == nil {
				out["Transform"] = o
			}
		}
		if c, ok := e.(classical.Classifier); ok {
			o, err := c.PredictProba(X)
			if err != nil && !errors.Is(err, classical.ErrInvalidParam) {
				return fmt.Errorf("PredictProba: %w", err)
			}
			if err == nil {
				out["PredictProba"] = o
			}
		}
		if len(out) == 0 {
			return fmt.Errorf("%T has neither Predict nor Transform", e)
		}
		return nil
	})
	return out, err
}

func compare(t *testing.T, a, b map[string]*tensor.Tensor, tol float64, what string) {
	t.Helper()
	for name, x := range a {
		y := b[name]
		if y == nil {
			t.Errorf("%s: %s missing", what, name)
			continue
		}
		if !reflect.DeepEqual(x.Shape(), y.Shape()) {
			t.Errorf("%s: %s shapes %v and %v", what, name, x.Shape(), y.Shape())
			continue
		}
		xd, yd := x.Float64s(), y.Float64s()
		for i := range xd {
			if xd[i] != yd[i] && math.Abs(xd[i]-yd[i]) > tol*(1+math.Abs(xd[i])) {
				t.Errorf("%s: %s differs at %d: %v vs %v", what, name, i, xd[i], yd[i])
				break
			}
		}
	}
}

func expectNotFitted(t *testing.T, e classical.Estimator, X *tensor.Tensor) {
	t.Helper()
	checked := false
	try := func(name string, f func() error) {
		checked = true
		err := call(f)
		if err == nil {
			t.Errorf("%s before Fit returned no error", name)
		} else if isPanic(err) {
			t.Errorf("%s before Fit: %v", name, err)
		} else if !errors.Is(err, classical.ErrNotFitted) {
			t.Errorf("%s before Fit: error %q does not wrap ErrNotFitted", name, err)
		}
	}
	if p, ok := e.(classical.Predictor); ok {
		try("Predict", func() error { _, err := p.Predict(X); return err })
	}
	if tr, ok := e.(classical.Transformer); ok {
		try("Transform", func() error { _, err := tr.Transform(X); return err })
	}
	if c, ok := e.(classical.Classifier); ok {
		try("PredictProba", func() error { _, err := c.PredictProba(X); return err })
	}
	if !checked {
		t.Errorf("%T has neither Predict nor Transform", e)
	}
}

func expectInvalid(t *testing.T, e classical.Estimator, X *tensor.Tensor, what string) {
	t.Helper()
	try := func(name string, f func() error) {
		err := call(f)
		if err == nil {
			t.Errorf("%s with %s returned no error", name, what)
		} else if isPanic(err) {
			t.Errorf("%s with %s: %v", name, what, err)
		} else if !errors.Is(err, classical.ErrInvalidInput) {
			t.Errorf("%s with %s: error %q does not wrap ErrInvalidInput", name, what, err)
		}
	}
	if p, ok := e.(classical.Predictor); ok {
		try("Predict", func() error { _, err := p.Predict(X); return err })
	}
	if tr, ok := e.(classical.Transformer); ok {
		try("Transform", func() error { _, err := tr.Transform(X); return err })
	}
	if c, ok := e.(classical.Classifier); ok {
		try("PredictProba", func() error { _, err := c.PredictProba(X); return err })
	}
}
