package selection_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/classical/selection"
	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestFoldsMatchScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "splits")
	y := classical.Vector(testutil.Floats(r["y"]))
	X := tensor.New(tensor.Float64, 23, 2)
	folds, err := selection.KFold{NSplits: 5}.Split(X, y)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range r["kfold5"].([]any) {
		if !slices.Equal(folds[i].Test, testutil.Ints(want)) {
			t.Errorf("KFold fold %d test %v, scikit-learn %v", i, folds[i].Test, testutil.Ints(want))
		}
	}
	folds, err = selection.StratifiedKFold{NSplits: 3}.Split(X, y)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range r["skfold3"].([]any) {
		if !slices.Equal(folds[i].Test, testutil.Ints(want)) {
			t.Errorf("StratifiedKFold fold %d test %v, scikit-learn %v", i, folds[i].Test, testutil.Ints(want))
		}
	}
	// Every sample is tested exactly once, and never trained on in its
	// own fold, also when shuffled.
	for _, sp := range []selection.Splitter{selection.KFold{NSplits: 4, Shuffle: true, Seed: 3}, selection.StratifiedKFold{NSplits: 3, Shuffle: true, Seed: 3}} {
		folds, err := sp.Split(X, y)
		if err != nil {
			t.Fatal(err)
		}
		seen := make([]int, 23)
		for _, f := range folds {
			if len(f.Train)+len(f.Test) != 23 {
				t.Fatalf("%T: fold sizes %d + %d", sp, len(f.Train), len(f.Test))
			}
			for _, i := range f.Test {
				seen[i]++
				if slices.Contains(f.Train, i) {
					t.Fatalf("%T: sample %d in train and test", sp, i)
				}
			}
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("%T: sample %d tested %d times", sp, i, c)
			}
		}
	}
	if _, err := (selection.StratifiedKFold{NSplits: 20}).Split(X, y); !errors.Is(err, classical.ErrInvalidInput) {
		t.Errorf("20 stratified folds of classes with <= 9 members: %v", err)
	}
	if _, err := (selection.KFold{NSplits: 1}).Split(X, y); err == nil {
		t.Errorf("KFold with 1 split: no error")
	}
}

func TestTrainTestSplit(t *testing.T) {
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	Xtr, Xte, ytr, yte, err := selection.TrainTestSplit(X, y, 0.2, selection.Stratify(), selection.Seed(42))
	if err != nil {
		t.Fatal(err)
	}
	if Xtr.Shape()[0] != 120 || Xte.Shape()[0] != 30 || ytr.Shape()[0] != 120 || yte.Shape()[0] != 30 {
		t.Fatalf("shapes %v %v %v %v", Xtr.Shape(), Xte.Shape(), ytr.Shape(), yte.Shape())
	}
	count := map[float64]int{}
	for _, v := range yte.Float64s() {
		count[v]++
	}
	if count[0] != 10 || count[1] != 10 || count[2] != 10 {
		t.Errorf("stratified test classes %v, want 10 each", count)
	}
	// Rows stay paired with their labels: iris rows are unique, so look
	// each test row up in X.
	xd, yd := X.Float64s(), y.Float64s()
	for i := 0; i < 30; i++ {
		row := Xte.Float64s()[i*4 : i*4+4]
		found := false
		for j := 0; j < 150 && !found; j++ {
			if slices.Equal(xd[j*4:j*4+4], row) && yd[j] == yte.Float64s()[i] {
				found = true
			}
		}
		if !found {
			t.Fatalf("test row %d %v with label %v is not a row of X", i, row, yte.Float64s()[i])
		}
	}
	_, Xte2, _, _, _ := selection.TrainTestSplit(X, y, 0.2, selection.Stratify(), selection.Seed(42))
	if !tensor.AllClose(Xte, Xte2, 0, 0) {
		t.Errorf("same seed, different split")
	}
	_, Xte3, _, _, _ := selection.TrainTestSplit(X, y, 0.2, selection.Stratify(), selection.Seed(43))
	if tensor.AllClose(Xte, Xte3, 0, 0) {
		t.Errorf("different seeds, same split")
	}
	_, Xte4, _, _, err := selection.TrainTestSplit(X, nil, 17)
	if err != nil || Xte4.Shape()[0] != 17 {
		t.Errorf("count test size: %v %v", Xte4, err)
	}
	for _, bad := range []float64{0, 1.5, 150, -0.1, math.NaN()} {
		if _, _, _, _, err := selection.TrainTestSplit(X, y, bad); !errors.Is(err, classical.ErrInvalidInput) {
			t.Errorf("test size %v: %v", bad, err)
		}
	}
	if _, _, _, _, err := selection.TrainTestSplit(X, nil, 0.2, selection.Stratify()); err == nil {
		t.Errorf("Stratify without y: no error")
	}
}

func scaledLogReg() *pipeline.Pipeline {
	return pipeline.New(
		pipeline.Step("scaler", preprocess.NewStandardScaler()),
		pipeline.Step("clf", linear.NewLogisticRegression()),
	)
}

// TestCrossValScoreMatchesScikitLearn checks the target: 5-fold
// accuracy of scaled LogisticRegression and SVC within one point of
// scikit-learn's (with the same, unshuffled stratified folds they agree
// fold by fold).
func TestCrossValScoreMatchesScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "cv")
	for _, name := range []string{"iris.csv", "wine_data.csv", "breast_cancer.csv"} {
		X, y, err := testdata.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		want := r[name].(map[string]any)
		for model, est := range map[string]classical.Estimator{
			"logreg": scaledLogReg(),
			"svc":    pipeline.New(pipeline.Step("scaler", preprocess.NewStandardScaler()), pipeline.Step("clf", svm.NewSVC())),
		} {
			got, err := selection.CrossValScore(ctx, est, X, y, selection.CV(5), selection.Jobs(-1))
			if err != nil {
				t.Fatal(err)
			}
			w := testutil.Floats(want[model])
			if d := math.Abs(selection.Mean(got) - selection.Mean(w)); d > 0.01 {
				t.Errorf("%s %s: mean accuracy %.4f, scikit-learn %.4f", name, model, selection.Mean(got), selection.Mean(w))
			}
			t.Logf("%s %s: %.4f (scikit-learn %.4f)", name, model, selection.Mean(got), selection.Mean(w))
		}
	}
}

func TestCrossValidateIndependentOfWorkers(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	var first *selection.CVResult
	for _, jobs := range []int{1, 2, 3, -1} {
		res, err := selection.CrossValidate(ctx, scaledLogReg(), X, y, selection.CV(6), selection.Jobs(jobs), selection.ReturnTrainScore(), selection.Scoring("neg_log_loss"))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.TestScore) != 6 || len(res.TrainScore) != 6 || len(res.FitTime) != 6 {
			t.Fatalf("result lengths %d %d %d", len(res.TestScore), len(res.TrainScore), len(res.FitTime))
		}
		if first == nil {
			first = res
			continue
		}
		if !slices.Equal(first.TestScore, res.TestScore) || !slices.Equal(first.TrainScore, res.TrainScore) {
			t.Errorf("jobs=%d: scores %v differ from jobs=1 %v", jobs, res.TestScore, first.TestScore)
		}
	}
	for _, s := range first.TestScore {
		if !(s < 0) {
			t.Errorf("neg_log_loss score %v is not negative", s)
		}
	}
}

func TestScorers(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, true, false)
	for _, name := range selection.Scorers {
		var est classical.Estimator = scaledLogReg()
		if strings.HasPrefix(name, "neg_") && name != "neg_log_loss" || name == "r2" || name == "explained_variance" || name == "max_error" {
			est = linear.NewRidge()
		}
		s, err := selection.CrossValScore(ctx, est, X, y, selection.Scoring(name), selection.CV(3))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, v := range s {
			if math.IsNaN(v) {
				t.Errorf("%s: NaN score", name)
			}
		}
	}
	if _, err := selection.CrossValScore(ctx, scaledLogReg(), X, y, selection.Scoring("accuracy_typo")); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("unknown scoring: %v", err)
	}
}

func TestGridSearchThroughPipeline(t *testing.T) {
	X, y, err := testdata.Load("wine_data.csv")
	if err != nil {
		t.Fatal(err)
	}
	pipe := pipeline.New(
		pipeline.Step("scaler", preprocess.NewStandardScaler()),
		pipeline.Step("svc", svm.NewSVC()),
	)
	grid := selection.Grid{
		"svc__C":            {0.01, 1.0, 100.0},
		"svc__kernel":       {"linear", "rbf"},
		"scaler__with_mean": {true},
	}
	var bar bytes.Buffer
	s := selection.NewGridSearchCV(pipe, grid, selection.CV(4), selection.Jobs(-1), selection.Verbose(&bar))
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	res := s.Results()
	if len(res.Params) != 6 {
		t.Fatalf("%d candidates, want 6", len(res.Params))
	}
	// scikit-learn's ParameterGrid order: sorted names, last fastest.
	if res.Params[0]["svc__C"] != 0.01 || res.Params[0]["svc__kernel"] != "linear" || res.Params[1]["svc__kernel"] != "rbf" {
		t.Errorf("candidate order %v", res.Params)
	}
	// The best candidate really has the best mean, and each mean is the
	// cross-validated score of that candidate computed separately.
	for i, p := range res.Params {
		e := pipe.Clone()
		if err := e.SetParams(p); err != nil {
			t.Fatal(err)
		}
		sc, err := selection.CrossValScore(ctx, e, X, y, selection.CV(4))
		if err != nil {
			t.Fatal(err)
		}
		if selection.Mean(sc) != res.MeanTestScore[i] {
			t.Errorf("candidate %v: mean %v, separate cross-validation %v", p, res.MeanTestScore[i], selection.Mean(sc))
		}
		if res.MeanTestScore[i] > s.BestScore() {
			t.Errorf("candidate %v scores %v above the best %v", p, res.MeanTestScore[i], s.BestScore())
		}
	}
	if res.RankTestScore[s.BestIndex()] != 1 {
		t.Errorf("best index %d has rank %d", s.BestIndex(), res.RankTestScore[s.BestIndex()])
	}
	if !reflect.DeepEqual(s.BestParams(), res.Params[s.BestIndex()]) {
		t.Errorf("BestParams %v", s.BestParams())
	}
	// The refitted best estimator carries the best parameters and predicts.
	best := s.BestEstimator().(*pipeline.Pipeline)
	if best.GetParams()["svc__C"] != s.BestParams()["svc__C"] {
		t.Errorf("refitted C %v, best %v", best.GetParams()["svc__C"], s.BestParams()["svc__C"])
	}
	acc, err := s.Score(X, y)
	if err != nil || acc < 0.95 {
		t.Errorf("training accuracy of the best model %v (%v)", acc, err)
	}
	if _, err := s.PredictProba(X); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("PredictProba of an SVC without probability: %v", err)
	}
	if !strings.Contains(bar.String(), "24/24 fits") {
		t.Errorf("progress output %q lacks the final count", bar.String())
	}
	// The search's own parameters nest too.
	if err := s.SetParams(map[string]any{"estimator__svc__gamma": "auto"}); err != nil {
		t.Fatal(err)
	}
	if s.GetParams()["estimator__svc__gamma"] != "auto" {
		t.Errorf("estimator__svc__gamma not set: %v", s.GetParams())
	}
	c := s.Clone().(*selection.Search)
	if c.BestEstimator() != nil || c.BestIndex() != -1 {
		t.Errorf("clone is fitted")
	}
	if _, err := c.Predict(X); !errors.Is(err, classical.ErrNotFitted) {
		t.Errorf("Predict of an unfitted search: %v", err)
	}
}

func TestGridSearchIndependentOfWorkers(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	grid := selection.Grid{"clf__C": {0.001, 0.1, 10.0}, "clf__penalty": {"l1", "l2"}}
	var ref *selection.SearchResults
	for _, jobs := range []int{1, 4} {
		s := selection.NewGridSearchCV(scaledLogReg(), grid, selection.Jobs(jobs), selection.CV(3), selection.Refit(false))
		if err := s.Fit(ctx, X, y); err != nil {
			t.Fatal(err)
		}
		if s.BestEstimator() != nil {
			t.Errorf("Refit(false) refitted")
		}
		if _, err := s.Predict(X); !errors.Is(err, classical.ErrInvalidParam) {
			t.Errorf("Predict after Refit(false): %v", err)
		}
		if ref == nil {
			ref = s.Results()
			continue
		}
		if !reflect.DeepEqual(ref.SplitTest, s.Results().SplitTest) || !reflect.DeepEqual(ref.RankTestScore, s.Results().RankTestScore) {
			t.Errorf("jobs=%d: results differ", jobs)
		}
	}
}

func TestRandomizedSearch(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	d := selection.Distributions{"clf__C": selection.LogUniform(1e-3, 1e2), "clf__max_iter": selection.RandInt(50, 200)}
	run := func(seed uint64) *selection.Search {
		s := selection.NewRandomizedSearchCV(scaledLogReg(), d, selection.NIter(5), selection.Seed(seed), selection.CV(3), selection.Jobs(2))
		if err := s.Fit(ctx, X, y); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, c := run(1), run(1), run(2)
	if len(a.Results().Params) != 5 {
		t.Fatalf("%d candidates", len(a.Results().Params))
	}
	if !reflect.DeepEqual(a.Results().Params, b.Results().Params) {
		t.Errorf("same seed, different candidates")
	}
	if reflect.DeepEqual(a.Results().Params, c.Results().Params) {
		t.Errorf("different seeds, same candidates")
	}
	for _, p := range a.Results().Params {
		C := p["clf__C"].(float64)
		it := p["clf__max_iter"].(int)
		if C < 1e-3 || C >= 1e2 || it < 50 || it >= 200 {
			t.Errorf("sample %v out of range", p)
		}
	}
	// All-Choice distributions sample the grid without replacement.
	s := selection.NewRandomizedSearchCV(scaledLogReg(), selection.Distributions{"clf__C": selection.Choice(0.1, 1.0, 10.0)}, selection.NIter(10), selection.CV(3))
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	seen := map[float64]bool{}
	for _, p := range s.Results().Params {
		seen[p["clf__C"].(float64)] = true
	}
	if len(s.Results().Params) != 3 || len(seen) != 3 {
		t.Errorf("choice sampling %v", s.Results().Params)
	}
}

func TestSearchErrors(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	s := selection.NewGridSearchCV(scaledLogReg(), selection.Grid{"clf__no_such": {1}})
	if err := s.Fit(ctx, X, y); !errors.Is(err, classical.ErrUnknownParam) {
		t.Errorf("unknown nested name: %v", err)
	}
	s = selection.NewGridSearchCV(scaledLogReg(), selection.Grid{"clf__C": {-1.0, 1.0}})
	if err := s.Fit(ctx, X, y); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("C=-1 without ErrorScore: %v", err)
	}
	s = selection.NewGridSearchCV(scaledLogReg(), selection.Grid{"clf__C": {-1.0, 1.0}}, selection.ErrorScore(math.NaN()))
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatalf("C=-1 with ErrorScore: %v", err)
	}
	if s.BestParams()["clf__C"] != 1.0 || !math.IsNaN(s.Results().MeanTestScore[0]) || s.Results().RankTestScore[0] != 2 {
		t.Errorf("failed candidate not ranked last: %v %v", s.Results().MeanTestScore, s.Results().RankTestScore)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	s = selection.NewGridSearchCV(scaledLogReg(), selection.Grid{"clf__C": {0.1, 1.0}}, selection.Jobs(2))
	if err := s.Fit(cctx, X, y); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if _, err := selection.CrossValScore(ctx, scaledLogReg(), X, classical.Vector([]float64{1, 2})); !errors.Is(err, classical.ErrInvalidInput) {
		t.Errorf("short y: %v", err)
	}
}

func TestSearchThroughColumnTransformer(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	pipe := pipeline.New(
		pipeline.Step("pre", preprocess.NewColumnTransformer(
			preprocess.Columns("num", preprocess.NewStandardScaler(), "a", "b"),
			preprocess.Columns("mm", preprocess.NewMinMaxScaler(), "c", "d"),
		).WithFeatureNames([]string{"a", "b", "c", "d"})),
		pipeline.Step("clf", linear.NewLogisticRegression()),
	)
	s := selection.NewGridSearchCV(pipe, selection.Grid{
		"pre__num__with_mean": {true, false},
		"pre__remainder":      {"drop"},
		"clf__C":              {0.5, 2.0},
	}, selection.CV(3), selection.Jobs(-1))
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	if len(s.Results().Params) != 4 {
		t.Fatalf("%d candidates", len(s.Results().Params))
	}
	got := s.BestEstimator().GetParams()
	for k, v := range s.BestParams() {
		if got[k] != v {
			t.Errorf("refitted %s = %v, best %v", k, got[k], v)
		}
	}
	// Saving the refitted best pipeline and loading it back predicts the
	// same.
	path := t.TempDir() + "/best.json"
	if err := classical.Save(path, s.BestEstimator()); err != nil {
		t.Fatal(err)
	}
	m, err := classical.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Predict(X)
	b, err := m.(classical.Predictor).Predict(X)
	if err != nil || !tensor.AllClose(a, b, 0, 0) {
		t.Errorf("loaded model predicts differently (%v)", err)
	}
}

func TestShuffledCV(t *testing.T) {
	X, y, err := testdata.Load("iris.csv") // sorted by class
	if err != nil {
		t.Fatal(err)
	}
	plain, err := selection.CrossValScore(ctx, scaledLogReg(), X, y, selection.CV(5))
	if err != nil {
		t.Fatal(err)
	}
	a, err := selection.CrossValScore(ctx, scaledLogReg(), X, y, selection.CV(5), selection.Shuffle(), selection.Seed(3))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := selection.CrossValScore(ctx, scaledLogReg(), X, y, selection.CV(5), selection.Shuffle(), selection.Seed(3))
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different scores %v %v", a, b)
	}
	if slices.Equal(a, plain) {
		t.Errorf("Shuffle did not change the folds: %v", a)
	}
}

type panicky struct{}

func (panicky) Sample(*rand.Rand) any { panic("boom") }

func TestBadDistributions(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	for name, d := range map[string]selection.Distribution{
		"RandInt(5, 5)":       selection.RandInt(5, 5),
		"LogUniform(0, 1)":    selection.LogUniform(0, 1),
		"Uniform(2, 1)":       selection.Uniform(2, 1),
		"Uniform(NaN, 1)":     selection.Uniform(math.NaN(), 1),
		"a panicking sampler": panicky{},
	} {
		s := selection.NewRandomizedSearchCV(scaledLogReg(), selection.Distributions{"clf__C": d}, selection.NIter(2))
		if err := s.Fit(ctx, X, y); !errors.Is(err, classical.ErrInvalidParam) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSearchSaveLoad saves a fitted grid search over a pipeline and loads
// it: the same predictions, probabilities, best parameters and score, and
// results table (NaN scores of failed candidates included).
func TestSearchSaveLoad(t *testing.T) {
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	s := selection.NewGridSearchCV(pipeline.New(
		pipeline.Step("scale", preprocess.NewStandardScaler()),
		pipeline.Step("clf", linear.NewLogisticRegression()),
	), selection.Grid{"clf__C": {0.1, 1.0, -1.0}}, selection.CV(3), selection.ErrorScore(math.NaN()))
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "search.json")
	if err := classical.Save(path, s); err != nil {
		t.Fatal(err)
	}
	e, err := classical.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	l := e.(*selection.Search)
	want, _ := s.PredictProba(X)
	got, err := l.PredictProba(X)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Float64s(), want.Float64s()) {
		t.Error("loaded search predicts differently")
	}
	if l.BestScore() != s.BestScore() || l.BestIndex() != s.BestIndex() || l.BestParams()["clf__C"] != s.BestParams()["clf__C"] {
		t.Errorf("best %v %v %v, want %v %v %v", l.BestScore(), l.BestIndex(), l.BestParams(), s.BestScore(), s.BestIndex(), s.BestParams())
	}
	r, lr := s.Results(), l.Results()
	if !math.IsNaN(lr.MeanTestScore[2]) || lr.MeanTestScore[0] != r.MeanTestScore[0] || !slices.Equal(lr.RankTestScore, r.RankTestScore) {
		t.Errorf("results %v %v, want %v %v", lr.MeanTestScore, lr.RankTestScore, r.MeanTestScore, r.RankTestScore)
	}
	if got, _ := l.Score(X, y); got != func() float64 { v, _ := s.Score(X, y); return v }() {
		t.Errorf("loaded Score %v", got)
	}
}
