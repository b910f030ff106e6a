package svm_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	cls := estimatortest.Config{Task: estimatortest.Classifier}
	reg := estimatortest.Config{Task: estimatortest.Regressor}
	testutil.Conformance(t, []testutil.Case{
		{Name: "SVC", New: func() classical.Estimator { return svm.NewSVC() }, Config: cls},
		{Name: "SVCProbability", New: func() classical.Estimator { s := svm.NewSVC(); s.Probability = true; return s }, Config: cls},
		{Name: "SVCBinaryPoly", New: func() classical.Estimator {
			s := svm.NewSVC()
			s.Kernel, s.Probability, s.ClassWeight = "poly", true, "balanced"
			return s
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{Name: "SVCLinearOvo", New: func() classical.Estimator {
			s := svm.NewSVC()
			s.Kernel, s.DecisionFunctionShape = "linear", "ovo"
			return s
		}, Config: cls},
		{Name: "SVR", New: func() classical.Estimator { s := svm.NewSVR(); s.C = 100; return s }, Config: reg},
		{Name: "SVRLinear", New: func() classical.Estimator { s := svm.NewSVR(); s.Kernel = "linear"; return s }, Config: reg},
		{Name: "LinearSVC", New: func() classical.Estimator { return svm.NewLinearSVC() }, Config: cls},
		{Name: "LinearSVCBinary", New: func() classical.Estimator { return svm.NewLinearSVC() }, Config: estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{Name: "OneClassSVM", New: func() classical.Estimator { return svm.NewOneClassSVM() }, Config: estimatortest.Config{Task: estimatortest.Clusterer}},
		{Name: "NuSVC", New: func() classical.Estimator { n := svm.NewNuSVC(); n.Nu = 0.3; return n }, Config: cls},
		{Name: "NuSVCProbability", New: func() classical.Estimator { n := svm.NewNuSVC(); n.Nu, n.Probability = 0.3, true; return n }, Config: cls},
		{Name: "NuSVR", New: func() classical.Estimator { return svm.NewNuSVR() }, Config: reg},
	})
}

// TestOneClassSVMAgainstScikitLearn compares support vectors, dual
// coefficients, offsets, decision values and predictions with
// scikit-learn's OneClassSVM (libsvm) for RBF and polynomial kernels and
// two stopping tolerances, recorded by testdata/gen_ocsvm.py.
func TestOneClassSVMAgainstScikitLearn(t *testing.T) {
	type model struct {
		Params         map[string]any
		Support        []int
		DualCoef       []float64 `json:"dual_coef"`
		Offset         float64
		Decision, Pred []float64
		ScoreSamples   []float64 `json:"score_samples"`
		NIter          int       `json:"n_iter"`
	}
	var ref struct{ X, Xt []float64 }
	var raw map[string]json.RawMessage
	testutil.LoadJSON(t, filepath.Join("testdata", "ocsvm_ref.json"), &raw)
	if err := json.Unmarshal(raw["X"], &ref.X); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw["Xt"], &ref.Xt); err != nil {
		t.Fatal(err)
	}
	X := tensor.FromFloat64(ref.X, len(ref.X)/2, 2)
	Xt := tensor.FromFloat64(ref.Xt, len(ref.Xt)/2, 2)
	for _, name := range []string{"rbf_scale", "rbf_gamma", "poly"} {
		var want model
		if err := json.Unmarshal(raw[name], &want); err != nil {
			t.Fatal(err)
		}
		o := svm.NewOneClassSVM()
		if err := o.SetParams(want.Params); err != nil {
			t.Fatal(err)
		}
		if err := o.Fit(ctx, X, nil); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(o.Support(), want.Support) {
			t.Errorf("%s support %v, want %v", name, o.Support(), want.Support)
			continue
		}
		testutil.AllNear(t, name+" dual_coef", o.DualCoef(), want.DualCoef, 1e-4)
		testutil.Near(t, name+" offset", o.Offset(), want.Offset, 1e-4)
		d, _ := o.DecisionFunction(Xt)
		testutil.AllNear(t, name+" decision", d.Float64s(), want.Decision, 1e-4)
		ss, _ := o.ScoreSamples(Xt)
		testutil.AllNear(t, name+" score_samples", ss.Float64s(), want.ScoreSamples, 1e-4)
		p, _ := o.Predict(Xt)
		testutil.AllNear(t, name+" predict", p.Float64s(), want.Pred, 0)
	}
	o := svm.NewOneClassSVM()
	o.Nu = 1.5
	if err := o.Fit(ctx, X, nil); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("nu 1.5: %v", err)
	}
}

func irisScaled(t *testing.T, r map[string]any) (X, y *tensor.Tensor) {
	t.Helper()
	_, y, err := testdata.Load("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	return tensor.FromFloat64(testutil.Floats(r["X_iris_scaled"]), 150, 4), y
}

// supportClose compares support vector counts: a sample exactly on the
// margin may end with a dual coefficient of zero in one solver and 1e-9 in
// the other (libsvm shrinks, this SMO does not), so one per class may
// differ.
func supportClose(t *testing.T, what string, got, want []int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: n_support %v, scikit-learn %v", what, got, want)
	}
	for i := range got {
		if d := got[i] - want[i]; d < -1 || d > 1 {
			t.Errorf("%s: n_support %v, scikit-learn %v", what, got, want)
		}
	}
}

func TestSVCAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "svm")
	X, y := irisScaled(t, r)
	for _, kernel := range []string{"linear", "rbf", "poly", "sigmoid"} {
		s := svm.NewSVC()
		s.Kernel, s.Tol, s.DecisionFunctionShape = kernel, 1e-6, "ovo"
		if kernel == "sigmoid" {
			s.Gamma = 0.1
		}
		if err := s.Fit(ctx, X, y); err != nil {
			t.Fatal(err)
		}
		want := r["svc_"+kernel].(map[string]any)
		dec, err := s.DecisionFunction(X)
		if err != nil {
			t.Fatal(err)
		}
		testutil.AllNear(t, kernel+" decision function", dec.Float64s(), testutil.Floats(want["dec"]), 1e-4)
		testutil.AllNear(t, kernel+" intercept", s.Intercept(), testutil.Floats(want["intercept"]), 1e-4)
		pred, _ := s.Predict(X)
		testutil.AllNear(t, kernel+" predictions", pred.Float64s(), testutil.Floats(want["pred"]), 0)
		supportClose(t, kernel, s.NSupport(), testutil.Ints(want["n_support"]))
		if kernel == "rbf" {
			s.DecisionFunctionShape = "ovr"
			dec, _ := s.DecisionFunction(X)
			testutil.AllNear(t, "rbf ovr decision function", dec.Float64s(), testutil.Floats(want["dec_ovr"]), 1e-4)
		}
	}
	yb := make([]float64, 150)
	for i, v := range y.Float64s() {
		if v == 1 {
			yb[i] = 1
		}
	}
	Y := classical.Vector(yb)
	s := svm.NewSVC()
	s.C, s.Gamma, s.Tol = 10, "auto", 1e-6
	if err := s.Fit(ctx, X, Y); err != nil {
		t.Fatal(err)
	}
	want := r["svc_rbf_binary"].(map[string]any)
	dec, _ := s.DecisionFunction(X)
	testutil.AllNear(t, "binary decision function", dec.Float64s(), testutil.Floats(want["dec"]), 1e-4)
	supportClose(t, "binary", s.NSupport(), testutil.Ints(want["n_support"]))
	s = svm.NewSVC()
	s.Tol, s.ClassWeight = 1e-6, "balanced"
	if err := s.Fit(ctx, X, Y); err != nil {
		t.Fatal(err)
	}
	dec, _ = s.DecisionFunction(X)
	testutil.AllNear(t, "balanced decision function", dec.Float64s(), testutil.Floats(r["svc_rbf_balanced"].(map[string]any)["dec"]), 1e-4)

	// Probabilities: libsvm's calibration folds are random, so compare
	// the ranking with the decision function and the agreement of argmax.
	s = svm.NewSVC()
	s.Probability = true
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	pr, err := s.PredictProba(X)
	if err != nil {
		t.Fatal(err)
	}
	pred, _ := s.Predict(X)
	agree := 0
	for i, a := range tensor.ArgMax(pr, 1) {
		if float64(a) == pred.Float64s()[i] {
			agree++
		}
	}
	if agree < 145 {
		t.Errorf("argmax of PredictProba agrees with Predict on %d of 150 samples", agree)
	}
}

func TestLinearSVCAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "svm")
	X, y := irisScaled(t, r)
	l := svm.NewLinearSVC()
	l.C, l.Tol, l.MaxIter = 0.5, 1e-10, 10000
	if err := l.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	want := r["linear_svc"].(map[string]any)
	testutil.AllNear(t, "coef", l.Coef().Float64s(), testutil.Floats(want["coef"]), 1e-4)
	testutil.AllNear(t, "intercept", l.Intercept(), testutil.Floats(want["intercept"]), 1e-4)
	pred, _ := l.Predict(X)
	testutil.AllNear(t, "predictions", pred.Float64s(), testutil.Floats(want["pred"]), 0)
	yb := make([]float64, 150)
	for i, v := range y.Float64s() {
		if v == 1 {
			yb[i] = 1
		}
	}
	if err := l.Fit(ctx, X, classical.Vector(yb)); err != nil {
		t.Fatal(err)
	}
	want = r["linear_svc_binary"].(map[string]any)
	testutil.AllNear(t, "binary coef", l.Coef().Float64s(), testutil.Floats(want["coef"]), 1e-4)
	testutil.AllNear(t, "binary intercept", l.Intercept(), testutil.Floats(want["intercept"]), 1e-4)
}

func TestSVRAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "svm")
	X, _ := irisScaled(t, r)
	raw, _, err := testdata.Load("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	Xr := X.Slice(1, 0, 3, 1).Contiguous()
	tr := raw.Slice(1, 3, 4, 1).Contiguous().Reshape(150)
	for _, kernel := range []string{"rbf", "linear"} {
		s := svm.NewSVR()
		s.Kernel, s.C, s.Epsilon, s.Tol = kernel, 2, 0.1, 1e-6
		if err := s.Fit(ctx, Xr, tr); err != nil {
			t.Fatal(err)
		}
		want := r["svr_"+kernel].(map[string]any)
		pred, _ := s.Predict(Xr)
		testutil.AllNear(t, kernel+" SVR predictions", pred.Float64s(), testutil.Floats(want["pred"]), 1e-4)
		testutil.AllNear(t, kernel+" SVR intercept", []float64{s.Intercept()}, testutil.Floats(want["intercept"]), 1e-4)
		supportClose(t, kernel+" SVR", []int{len(s.Support())}, []int{int(want["n_support"].(float64))})
	}
}

func TestCancelledFit(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if err := svm.NewSVC().Fit(c, X, y); !errors.Is(err, context.Canceled) {
		t.Errorf("SVC.Fit with a cancelled context: %v", err)
	}
}

func TestPredictProbaNeedsProbability(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	s := svm.NewSVC()
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PredictProba(X); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("PredictProba without probability: %v", err)
	}
	if err := s.SetParams(map[string]any{"gamma": "wide"}); err == nil {
		t.Errorf("SetParams gamma \"wide\" accepted")
	}
}

func TestExpNeg(t *testing.T) {
	for x := -700.0; x <= 0; x += 0.0137 {
		got, want := svm.ExpNeg(x), math.Exp(x)
		if math.Abs(got-want) > 1e-8*want {
			t.Fatalf("expNeg(%v) = %v, math.Exp %v", x, got, want)
		}
	}
	if svm.ExpNeg(-800) != 0 || svm.ExpNeg(0) != 1 {
		t.Errorf("expNeg edges: %v %v", svm.ExpNeg(-800), svm.ExpNeg(0))
	}
}

// TestRBFRow checks the RBF kernel row (assembly where the CPU has AVX2
// and FMA, with a Go tail) against math.Exp at every tail length, over
// squared distances from 0 to past the float32 underflow, with the
// clamping of a negative distance to 0 and the -0 mark of a zero.
func TestRBFRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 37; n++ {
		dots, sq := make([]float64, n), make([]float64, n)
		for j := range dots {
			dots[j] = rng.NormFloat64() * 50
			sq[j] = rng.Float64() * 300
		}
		if n > 2 {
			dots[1] = 1e6  // negative squared distance: K = 1
			dots[2] = -1e6 // exp underflows: stored as -0
		}
		sqi, gamma := rng.Float64()*20, 0.05+rng.Float64()
		got := make([]float32, n)
		svm.RBFRow(got, dots, sq, sqi, gamma)
		for j, g := range got {
			want := float32(math.Exp(-gamma * math.Max(sqi+sq[j]-2*dots[j], 0)))
			if want == 0 {
				if math.Float32bits(g) != 1<<31 {
					t.Fatalf("n=%d j=%d: got %v (bits %x), want -0", n, j, g, math.Float32bits(g))
				}
				continue
			}
			if math.Abs(float64(g-want)) > 1.5e-7*float64(want) {
				t.Fatalf("n=%d j=%d: got %v, want %v", n, j, g, want)
			}
		}
		if n > 2 && got[1] != 1 {
			t.Errorf("n=%d: negative squared distance gave %v, want 1", n, got[1])
		}
	}
}

// TestTanhRow checks the sigmoid kernel row (assembly where the CPU has
// AVX2 and FMA, with a Go tail) against math.Tanh at every tail length,
// across both of its formulas (|x| below and above 0.25) and at 0.
func TestTanhRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 37; n++ {
		dots := make([]float64, n)
		for j := range dots {
			dots[j] = rng.NormFloat64() * math.Pow(10, float64(j%7)-4)
		}
		if n > 1 {
			dots[1] = 0
		}
		gamma, coef0 := 0.5+rng.Float64(), 0.0
		got := make([]float32, n)
		svm.TanhRow(got, dots, gamma, coef0)
		for j, g := range got {
			want := float32(math.Tanh(gamma*dots[j] + coef0))
			if want == 0 {
				if math.Float32bits(g) != 1<<31 {
					t.Fatalf("n=%d j=%d: got %v (bits %x), want -0", n, j, g, math.Float32bits(g))
				}
				continue
			}
			if math.Abs(float64(g-want)) > 1.5e-7*math.Abs(float64(want)) {
				t.Fatalf("n=%d j=%d x=%v: got %v, want %v", n, j, gamma*dots[j], g, want)
			}
		}
	}
}

// TestDenseAndLRUCachesAgree fits the same problem with the kernel matrix
// filled at once (it fits the cache) and with lazy LRU rows (a tiny
// cache): the solutions must agree.
func TestDenseAndLRUCachesAgree(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	a, b := svm.NewSVC(), svm.NewSVC()
	b.CacheSize = 0.0005 // 500 bytes: two rows
	for _, s := range []*svm.SVC{a, b} {
		s.Tol = 1e-8
		if err := s.Fit(ctx, X, y); err != nil {
			t.Fatal(err)
		}
	}
	da, _ := a.DecisionFunction(X)
	db, _ := b.DecisionFunction(X)
	testutil.AllNear(t, "dense vs LRU decision function", da.Float64s(), db.Float64s(), 1e-6)
}

// TestCachedKernelsMatch checks the cache's fast kernels (exp and tanh by
// expNeg) against math.Exp and math.Tanh through decision functions of
// SVC fits that use the dense and the LRU cache.
func TestCachedKernelsMatch(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, true, false)
	for _, kernel := range []string{"sigmoid", "rbf", "poly", "linear"} {
		a, b := svm.NewSVC(), svm.NewSVC()
		a.Kernel, b.Kernel = kernel, kernel
		a.Gamma, b.Gamma = 0.05, 0.05
		b.CacheSize = 0.0005
		for _, s := range []*svm.SVC{a, b} {
			if err := s.Fit(ctx, X, y); err != nil {
				t.Fatal(err)
			}
		}
		da, _ := a.DecisionFunction(X)
		db, _ := b.DecisionFunction(X)
		testutil.AllNear(t, kernel+" dense vs LRU", da.Float64s(), db.Float64s(), 1e-6)
	}
}

func TestSigmoidCached(t *testing.T) {
	for x := -30.0; x <= 30; x += 0.0173 {
		got, want := svm.SigmoidCached(0.5, 0.25, x), math.Tanh(0.5*x+0.25)
		if math.Abs(got-want) > 1e-8*(1e-8+math.Abs(want)) && math.Abs(got-want) > 1e-15 {
			t.Fatalf("tanh(%v) = %v, math.Tanh %v", 0.5*x+0.25, got, want)
		}
	}
}

// TestNuSVMsAgainstScikitLearn compares NuSVC (three classes, one-vs-one)
// and NuSVR with scikit-learn's (libsvm's ν-solver), recorded by
// testdata/gen_nu.py: support vectors, intercepts, decision values and
// predictions.
func TestNuSVMsAgainstScikitLearn(t *testing.T) {
	var raw map[string]json.RawMessage
	testutil.LoadJSON(t, filepath.Join("testdata", "nu_ref.json"), &raw)
	var X, Xt, y3, yr []float64
	for k, v := range map[string]*[]float64{"X": &X, "Xt": &Xt, "y3": &y3, "yr": &yr} {
		if err := json.Unmarshal(raw[k], v); err != nil {
			t.Fatal(err)
		}
	}
	Xm, Xtm := tensor.FromFloat64(X, len(X)/3, 3), tensor.FromFloat64(Xt, len(Xt)/3, 3)
	type model struct {
		Params         map[string]any
		Support        []int
		Intercept      []float64
		Decision, Pred []float64
	}
	for _, name := range []string{"nusvc_rbf", "nusvc_poly"} {
		var want model
		if err := json.Unmarshal(raw[name], &want); err != nil {
			t.Fatal(err)
		}
		m := svm.NewNuSVC()
		m.DecisionFunctionShape = "ovo"
		if err := m.SetParams(want.Params); err != nil {
			t.Fatal(err)
		}
		if err := m.Fit(ctx, Xm, classical.Vector(y3)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Support(), want.Support) {
			t.Errorf("%s support %v, want %v", name, m.Support(), want.Support)
		}
		testutil.AllNear(t, name+" intercept", m.Intercept(), want.Intercept, 1e-4)
		pred, _ := m.Predict(Xtm)
		testutil.AllNear(t, name+" predict", pred.Float64s(), want.Pred, 0)
		d, _ := m.DecisionFunction(Xtm)
		testutil.AllNear(t, name+" decision", d.Float64s(), want.Decision, 1e-4)
	}
	for _, name := range []string{"nusvr_rbf", "nusvr_linear"} {
		var want model
		if err := json.Unmarshal(raw[name], &want); err != nil {
			t.Fatal(err)
		}
		m := svm.NewNuSVR()
		if err := m.SetParams(want.Params); err != nil {
			t.Fatal(err)
		}
		if err := m.Fit(ctx, Xm, classical.Vector(yr)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Support(), want.Support) {
			t.Errorf("%s support %v, want %v", name, m.Support(), want.Support)
		}
		testutil.Near(t, name+" intercept", m.Intercept(), want.Intercept[0], 1e-4)
		pred, _ := m.Predict(Xtm)
		testutil.AllNear(t, name+" predict", pred.Float64s(), want.Pred, 1e-4)
	}
	n := svm.NewNuSVC()
	n.Nu = 0.99
	if err := n.Fit(ctx, Xm, classical.Vector(y3)); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("infeasible nu: %v", err)
	}
}
