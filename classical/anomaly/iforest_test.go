package anomaly_test

import (
	"context"
	"errors"
	"math"
	"sort"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/anomaly"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

type result struct {
	ScoreSamples []float64 `json:"score_samples"`
	Offset       float64   `json:"offset"`
	Predict      []float64 `json:"predict"`
}

type reference struct {
	X                []float64 `json:"X"`
	N, D             int
	Auto             result `json:"auto"`
	C01              result `json:"c01"`
	BreastCancerMF05 result `json:"breast_cancer_mf05"`
}

func loadRef(t *testing.T) *reference {
	t.Helper()
	var r reference
	testutil.LoadJSON(t, "testdata/sklearn_anomaly.json", &r)
	return &r
}

func TestConformance(t *testing.T) {
	cfg := estimatortest.Config{Task: estimatortest.Clusterer}
	testutil.Conformance(t, []testutil.Case{
		{Name: "IsolationForest", New: func() classical.Estimator {
			m := anomaly.NewIsolationForest()
			m.NEstimators = 30
			return m
		}, Config: cfg},
		{Name: "ContaminationBootstrapMaxFeatures", New: func() classical.Estimator {
			m := anomaly.NewIsolationForest()
			m.NEstimators, m.Contamination, m.Bootstrap, m.MaxFeatures, m.MaxSamples, m.Seed = 20, 0.1, true, 0.5, 40, 3
			return m
		}, Config: cfg},
	})
}

// rankCorr is Spearman's rank correlation (no ties expected).
func rankCorr(a, b []float64) float64 {
	rank := func(v []float64) []float64 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(x, y int) bool { return v[idx[x]] < v[idx[y]] })
		r := make([]float64, len(v))
		for k, i := range idx {
			r[i] = float64(k)
		}
		return r
	}
	ra, rb := rank(a), rank(b)
	n := float64(len(a))
	s := 0.0
	for i := range ra {
		d := ra[i] - rb[i]
		s += d * d
	}
	return 1 - 6*s/(n*(n*n-1))
}

func compareScores(t *testing.T, what string, got, want []float64, maxMeanAbs, minCorr float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d scores, want %d", what, len(got), len(want))
	}
	mad := 0.0
	for i := range got {
		if got[i] > 0 || got[i] < -1 {
			t.Fatalf("%s: score %v outside [-1, 0]", what, got[i])
		}
		mad += math.Abs(got[i] - want[i])
	}
	mad /= float64(len(got))
	rc := rankCorr(got, want)
	t.Logf("%s: mean |ember - scikit-learn| = %.4f, rank correlation %.4f", what, mad, rc)
	if mad > maxMeanAbs {
		t.Errorf("%s: mean absolute score difference %v > %v", what, mad, maxMeanAbs)
	}
	if rc < minCorr {
		t.Errorf("%s: rank correlation %v < %v", what, rc, minCorr)
	}
}

func TestIsolationForestAgreesWithScikitLearn(t *testing.T) {
	r := loadRef(t)
	X := tensor.FromFloat64(r.X, r.N, r.D)
	m := anomaly.NewIsolationForest()
	m.NEstimators = 1000
	if err := m.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	if m.MaxSamplesFitted() != 256 || m.Offset() != -0.5 {
		t.Errorf("max_samples_ %d, offset %v", m.MaxSamplesFitted(), m.Offset())
	}
	s, err := m.ScoreSamples(X)
	if err != nil {
		t.Fatal(err)
	}
	compareScores(t, "auto", s.Float64s(), r.Auto.ScoreSamples, 0.01, 0.98)
	// The 30 planted outliers (the last rows) score lowest in both.
	low := 0
	sc := s.Float64s()
	thr := sortedAt(sc, 30)
	for i := 300; i < 330; i++ {
		if sc[i] <= thr {
			low++
		}
	}
	if low < 24 {
		t.Errorf("only %d of the 30 planted outliers among the 30 lowest scores", low)
	}

	m.Contamination = 0.1
	if err := m.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.Offset()-r.C01.Offset) > 0.02 {
		t.Errorf("offset_ %v, scikit-learn %v", m.Offset(), r.C01.Offset)
	}
	p, err := m.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	agree, flagged := 0, 0
	for i, v := range p.Float64s() {
		if v != 1 && v != -1 {
			t.Fatalf("predict[%d] = %v", i, v)
		}
		if v == -1 {
			flagged++
		}
		if v == r.C01.Predict[i] {
			agree++
		}
	}
	if flagged != 33 {
		t.Errorf("%d samples flagged with contamination 0.1 of 330, want 33", flagged)
	}
	if agree < 320 {
		t.Errorf("predictions agree with scikit-learn on %d of 330 samples", agree)
	}
	df, err := m.DecisionFunction(X)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := m.ScoreSamples(X)
	for i, v := range df.Float64s() {
		if math.Abs(v-(s2.Float64s()[i]-m.Offset())) > 1e-15 {
			t.Fatalf("decision_function[%d] = %v, score - offset = %v", i, v, s2.Float64s()[i]-m.Offset())
		}
	}
}

func TestIsolationForestMaxFeaturesBreastCancer(t *testing.T) {
	if testing.Short() {
		t.Skip("1000 trees on 569 x 30")
	}
	r := loadRef(t)
	X, _, err := testdata.Load("breast_cancer.csv")
	if err != nil {
		t.Fatal(err)
	}
	m := anomaly.NewIsolationForest()
	m.NEstimators, m.MaxFeatures = 1000, 0.5
	if err := m.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	s, err := m.ScoreSamples(X)
	if err != nil {
		t.Fatal(err)
	}
	compareScores(t, "breast_cancer max_features=0.5", s.Float64s(), r.BreastCancerMF05.ScoreSamples, 0.01, 0.97)
}

func sortedAt(v []float64, k int) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[k-1]
}

func TestIsolationForestParams(t *testing.T) {
	m := anomaly.NewIsolationForest()
	for _, bad := range []map[string]any{
		{"contamination": 0.7}, {"contamination": "high"}, {"max_samples": 0}, {"max_samples": -3}, {"max_samples": "all"},
	} {
		if err := m.SetParams(bad); !errors.Is(err, classical.ErrInvalidParam) {
			t.Errorf("SetParams(%v) = %v", bad, err)
		}
	}
	// JSON numbers normalise: 1 is the fraction "all samples", 64 a count.
	if err := m.SetParams(map[string]any{"max_samples": float64(64), "contamination": 0.25}); err != nil {
		t.Fatal(err)
	}
	if v := m.GetParams()["max_samples"]; v != 64 {
		t.Errorf("max_samples = %#v, want int 64", v)
	}
	X := tensor.RandN(tensor.Float64, tensor.NewRand(1), 100, 3)
	if err := m.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	if m.MaxSamplesFitted() != 64 {
		t.Errorf("max_samples_ = %d", m.MaxSamplesFitted())
	}
	m.MaxSamples = 1
	if err := m.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	if m.MaxSamplesFitted() != 100 {
		t.Errorf("max_samples 1 (all) gave %d", m.MaxSamplesFitted())
	}
	m.MaxFeatures = 0
	if err := m.Fit(ctx, X, nil); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("max_features 0: %v", err)
	}
}

// Constant features are never split on; identical rows end in one leaf.
func TestIsolationForestConstantData(t *testing.T) {
	X := tensor.Full(tensor.Float64, 2.5, 50, 3)
	m := anomaly.NewIsolationForest()
	m.NEstimators = 5
	s, err := func() (*tensor.Tensor, error) {
		if err := m.Fit(ctx, X, nil); err != nil {
			return nil, err
		}
		return m.ScoreSamples(X)
	}()
	if err != nil {
		t.Fatal(err)
	}
	// Every sample sits in a root leaf of 50: path c(50) = c(psi), score -0.5.
	for i, v := range s.Float64s() {
		if math.Abs(v+0.5) > 1e-12 {
			t.Fatalf("score[%d] = %v, want -0.5", i, v)
		}
	}
}
