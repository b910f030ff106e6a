package ensemble_test

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/tensor"
)

// nanData returns a binary problem where the label depends on feature 0,
// which is missing (NaN) for a quarter of the samples, all of them
// positive: the booster has to learn where to send NaN.
func nanData(n int, seed uint64) (*tensor.Tensor, *tensor.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float64, n*3)
	ys := make([]float64, n)
	for i := 0; i < n; i++ {
		a := rng.NormFloat64()
		xs[i*3], xs[i*3+1], xs[i*3+2] = a, rng.NormFloat64(), rng.NormFloat64()
		if a > 0.5 {
			ys[i] = 1
		}
		if i%4 == 0 {
			xs[i*3] = math.NaN()
			ys[i] = 1
		}
	}
	return tensor.FromFloat64(xs, n, 3), classical.Vector(ys)
}

func TestHistGradientBoostingMissingValues(t *testing.T) {
	X, y := nanData(2000, 1)
	Xt, yt := nanData(1000, 2)
	m := ensemble.NewHistGradientBoostingClassifier()
	m.MaxIter = 30
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	acc, err := m.Score(Xt, yt)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.99 {
		t.Errorf("accuracy with missing values %.4f, want >= 0.99 (NaN rows are all positive)", acc)
	}
	// A row whose only informative feature is missing is positive.
	p, err := m.PredictProba(tensor.FromFloat64([]float64{math.NaN(), 0, 0}, 1, 3))
	if err != nil {
		t.Fatal(err)
	}
	if p.Float64s()[1] < 0.9 {
		t.Errorf("P(positive | feature 0 missing) = %.3f, want > 0.9", p.Float64s()[1])
	}
	// NaN is refused by models without native missing values.
	if err := ensemble.NewRandomForestClassifier().Fit(context.Background(), X, y); err == nil {
		t.Errorf("RandomForest accepted NaN")
	}
}

func TestHistGradientBoostingEarlyStopping(t *testing.T) {
	X, y := nanData(3000, 3)
	m := ensemble.NewHistGradientBoostingClassifier()
	m.MaxIter, m.EarlyStopping, m.NIterNoChange = 500, "on", 5
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	if m.NIter() >= 500 || m.NIter() < 6 {
		t.Errorf("early stopping ran %d of 500 iterations", m.NIter())
	}
	m.EarlyStopping = "off"
	m.MaxIter = 40
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	if m.NIter() != 40 {
		t.Errorf("without early stopping ran %d of 40 iterations", m.NIter())
	}
}

func TestHistGradientBoostingRegressorL2(t *testing.T) {
	// Stronger L2 shrinks the leaves: the training fit gets worse.
	rng := rand.New(rand.NewPCG(5, 6))
	n := 500
	xs := make([]float64, n*2)
	ys := make([]float64, n)
	for i := 0; i < n; i++ {
		xs[2*i], xs[2*i+1] = rng.Float64()*4, rng.Float64()
		ys[i] = math.Sin(xs[2*i]) + 0.1*rng.NormFloat64()
	}
	X, y := tensor.FromFloat64(xs, n, 2), classical.Vector(ys)
	score := func(l2 float64) float64 {
		m := ensemble.NewHistGradientBoostingRegressor()
		m.MaxIter, m.L2Regularization = 20, l2
		if err := m.Fit(context.Background(), X, y); err != nil {
			t.Fatal(err)
		}
		s, _ := m.Score(X, y)
		return s
	}
	s0, s1 := score(0), score(1000)
	if !(s0 > 0.9 && s1 < s0-0.1) {
		t.Errorf("R² with l2 0: %.3f, with l2 1000: %.3f; want a good fit and a clearly worse one", s0, s1)
	}
}

// TestForestIndependentOfWorkers fits the same forest in child processes
// with GOMAXPROCS 1 and 3 and checks that the saved models are identical.
func TestForestIndependentOfWorkers(t *testing.T) {
	if os.Getenv("EMBER_FOREST_CHILD") != "" {
		return
	}
	if testing.Short() {
		t.Skip("runs the test binary twice")
	}
	dir := t.TempDir()
	var outs [][]byte
	for _, procs := range []string{"1", "3"} {
		path := filepath.Join(dir, "forest"+procs+".json")
		cmd := exec.Command(os.Args[0], "-test.run=^TestForestChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs, "EMBER_FOREST_CHILD="+path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child with GOMAXPROCS=%s: %v\n%s", procs, err, out)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	if len(outs[0]) < 10000 {
		t.Fatalf("child wrote only %d bytes", len(outs[0]))
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("forests fitted with 1 and 3 workers differ (%d and %d bytes)", len(outs[0]), len(outs[1]))
	}
}

// TestForestChild is the child of TestForestIndependentOfWorkers.
func TestForestChild(t *testing.T) {
	path := os.Getenv("EMBER_FOREST_CHILD")
	if path == "" {
		t.Skip("child process of TestForestIndependentOfWorkers")
	}
	X, y := nanData(600, 9)
	xd := X.Float64s()
	for i := range xd {
		if math.IsNaN(xd[i]) {
			xd[i] = -3
		}
	}
	m := ensemble.NewRandomForestClassifier()
	m.NEstimators, m.OOBScore, m.Seed = 24, true, 11
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	h := ensemble.NewBaggingClassifier(nil)
	h.NEstimators = 6
	if err := h.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	a, err := classical.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	b, err := classical.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(a, b...), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestForestImportancesAndOOB(t *testing.T) {
	X, y := nanData(800, 4)
	xd := X.Float64s()
	for i := range xd {
		if math.IsNaN(xd[i]) {
			xd[i] = 5 // missing -> a large value: still fully informative
		}
	}
	m := ensemble.NewRandomForestClassifier()
	m.NEstimators, m.OOBScore = 50, true
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	imp := m.FeatureImportances()
	if len(imp) != 3 || imp[0] < 0.6 || math.Abs(imp[0]+imp[1]+imp[2]-1) > 1e-9 {
		t.Errorf("importances %v: want feature 0 dominant and a sum of 1", imp)
	}
	oob, ok := m.OOBScoreValue()
	if !ok || oob < 0.95 || oob > 1 {
		t.Errorf("oob score %v (%v), want >= 0.95", oob, ok)
	}
	if _, ok := ensemble.NewRandomForestClassifier().OOBScoreValue(); ok {
		t.Errorf("unfitted forest reports an OOB score")
	}
	if err := (&ensemble.RandomForestClassifier{}).Fit(context.Background(), X, y); err == nil {
		t.Errorf("zero-value forest (n_estimators 0) fitted without error")
	}
}

func TestGradientBoostingStagesImprove(t *testing.T) {
	X, y := nanData(600, 7)
	xd := X.Float64s()
	for i := range xd {
		if math.IsNaN(xd[i]) {
			xd[i] = 5
		}
	}
	loss := func(n int) float64 {
		m := ensemble.NewGradientBoostingClassifier()
		m.NEstimators = n
		if err := m.Fit(context.Background(), X, y); err != nil {
			t.Fatal(err)
		}
		p, _ := m.PredictProba(X)
		l := 0.0
		for i, c := range y.Float64s() {
			l -= math.Log(math.Max(p.Float64s()[2*i+int(c)], 1e-15))
		}
		return l
	}
	if a, b := loss(5), loss(50); !(b < a) {
		t.Errorf("training log-loss after 50 stages %.3f not below after 5 stages %.3f", b, a)
	}
}
