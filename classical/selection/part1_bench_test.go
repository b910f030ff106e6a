package selection_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/neighbors"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/classical/selection"
	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/tensor"
)

// The comparison with scikit-learn. bench/peers/sklearn_part1.py
// writes the data sets (make_classification / make_regression) to a
// folder, times scikit-learn on them and runs these benchmarks with
// EMBER_PART1_DATA set to that folder; without it they skip.

func part1Data(b *testing.B, name string) (X, y *tensor.Tensor) {
	dir := os.Getenv("EMBER_PART1_DATA")
	if dir == "" {
		b.Skip("EMBER_PART1_DATA not set; run bench/peers/sklearn_part1.py")
	}
	X, y, err := testdata.LoadFile(filepath.Join(dir, name), false)
	if err != nil {
		b.Fatal(err)
	}
	return X, y
}

// reportCPU adds the CPU milliseconds per operation since c0 (all threads
// of the process) to the benchmark's output.
func reportCPU(b *testing.B, c0 float64) {
	b.ReportMetric((testutil.CPUSeconds()-c0)*1e3/float64(b.N), "cpu-ms/op")
}

// bestOf runs op b.N times and reports the fastest run as "best-ms" (the
// peer script takes scikit-learn's best of the same number of runs).
func bestOf(b *testing.B, op func()) {
	best := time.Duration(1<<63 - 1)
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		op()
		best = min(best, time.Since(t0))
	}
	b.ReportMetric(float64(best.Microseconds())/1e3, "best-ms")
}

func BenchmarkPart1Fit(b *testing.B) {
	ctx := context.Background()
	fit := func(b *testing.B, file string, fresh func() classical.Estimator, predict bool) {
		X, y := part1Data(b, file)
		b.ResetTimer()
		defer reportCPU(b, testutil.CPUSeconds())
		bestOf(b, func() {
			e := fresh()
			if err := e.Fit(ctx, X, y); err != nil {
				b.Fatal(err)
			}
			if predict {
				if _, err := e.(classical.Predictor).Predict(X.Slice(0, 0, 2000, 1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("LinearRegression", func(b *testing.B) {
		fit(b, "regression.csv", func() classical.Estimator { return linear.NewLinearRegression() }, false)
	})
	b.Run("Ridge", func(b *testing.B) {
		fit(b, "regression.csv", func() classical.Estimator { return linear.NewRidge() }, false)
	})
	b.Run("LogisticRegression", func(b *testing.B) {
		fit(b, "classification.csv", func() classical.Estimator { return linear.NewLogisticRegression() }, false)
	})
	b.Run("KNeighborsFitPredict2000", func(b *testing.B) {
		fit(b, "classification.csv", func() classical.Estimator { return neighbors.NewKNeighborsClassifier() }, true)
	})
	b.Run("SVC5000", func(b *testing.B) {
		fit(b, "classification5000.csv", func() classical.Estimator { return svm.NewSVC() }, false)
	})
	b.Run("GridSearchCV27", func(b *testing.B) {
		X, y, err := testdata.Load("breast_cancer.csv")
		if err != nil {
			b.Fatal(err)
		}
		part1Data(b, "classification.csv") // skip unless run by the peer script
		b.ResetTimer()
		defer reportCPU(b, testutil.CPUSeconds())
		bestOf(b, func() {
			s := selection.NewGridSearchCV(pipeline.New(
				pipeline.Step("scaler", preprocess.NewStandardScaler()),
				pipeline.Step("svc", svm.NewSVC()),
			), selection.Grid{
				"svc__C":      {0.1, 1.0, 10.0},
				"svc__gamma":  {"scale", 0.01, 0.1},
				"svc__kernel": {"rbf", "linear", "sigmoid"},
			}, selection.CV(5), selection.Jobs(-1))
			if err := s.Fit(ctx, X, y); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkPart1CV reports the 5-fold accuracy (metric "acc") of scaled
// LogisticRegression and SVC on the four tables of the issue.
func BenchmarkPart1CV(b *testing.B) {
	dir := os.Getenv("EMBER_PART1_TABULAR")
	if dir == "" {
		b.Skip("EMBER_PART1_TABULAR not set; run bench/peers/sklearn_part1.py")
	}
	for _, c := range []struct {
		name, file string
		header     bool
	}{
		{"iris", "iris.csv", true}, {"wine", "wine_data.csv", true}, {"breast_cancer", "breast_cancer.csv", true}, {"digits", "digits.csv.gz", false},
	} {
		X, y, err := testdata.LoadFile(filepath.Join(dir, c.file), c.header)
		if err != nil {
			b.Fatal(err)
		}
		for model, fresh := range map[string]func() classical.Estimator{
			"logreg": func() classical.Estimator {
				return pipeline.New(pipeline.Step("s", preprocess.NewStandardScaler()), pipeline.Step("m", linear.NewLogisticRegression()))
			},
			"svc": func() classical.Estimator {
				return pipeline.New(pipeline.Step("s", preprocess.NewStandardScaler()), pipeline.Step("m", svm.NewSVC()))
			},
		} {
			b.Run(c.name+"/"+model, func(b *testing.B) {
				var acc float64
				for i := 0; i < b.N; i++ {
					s, err := selection.CrossValScore(context.Background(), fresh(), X, y, selection.CV(5), selection.Jobs(-1))
					if err != nil {
						b.Fatal(err)
					}
					acc = selection.Mean(s)
				}
				b.ReportMetric(acc, "acc")
			})
		}
	}
}
