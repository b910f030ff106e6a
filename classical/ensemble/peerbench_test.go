package ensemble_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/classical/tree"
)

// benchModel returns the ember model for a key of bench/peers/trees_bench.py,
// with the same settings as the peer there: refModel's where the peer uses
// scikit-learn's defaults too, else the settings below.
func benchModel(key string) classical.Estimator {
	switch key {
	case "dt":
		return tree.NewDecisionTreeClassifier()
	case "hgb":
		m := ensemble.NewHistGradientBoostingClassifier()
		m.EarlyStopping = "off"
		return m
	case "hgb_d6":
		m := ensemble.NewHistGradientBoostingClassifier()
		m.MaxIter, m.MaxDepth, m.MaxLeafNodes, m.MinSamplesLeaf, m.L2Regularization, m.EarlyStopping = 100, 6, 0, 1, 1, "off"
		return m
	case "vote":
		dt := tree.NewDecisionTreeClassifier()
		dt.MaxDepth = 8
		et := ensemble.NewExtraTreesClassifier()
		et.NEstimators = 50
		h := ensemble.NewHistGradientBoostingClassifier()
		h.MaxIter, h.EarlyStopping = 50, "off"
		v := ensemble.NewVotingClassifier(ensemble.Named{Name: "dt", Estimator: dt}, ensemble.Named{Name: "et", Estimator: et}, ensemble.Named{Name: "hgb", Estimator: h})
		v.Voting = "soft"
		return v
	case "dtr":
		return tree.NewDecisionTreeRegressor()
	case "hgbr":
		m := ensemble.NewHistGradientBoostingRegressor()
		m.EarlyStopping = "off"
		return m
	}
	return refModel(key) // rf, et, gb, ada, bag, rfr, etr, gbr, adar
}

var nativeNaN = map[string]bool{"hgb": true, "hgb_d6": true, "hgbr": true}

// TestPeerBench is the ember side of bench/peers/trees_bench.py; it runs
// only when EMBER_TREES_BENCH names the folder that script wrote.
func TestPeerBench(t *testing.T) {
	dir := os.Getenv("EMBER_TREES_BENCH")
	if dir == "" {
		t.Skip("set EMBER_TREES_BENCH (see bench/peers/trees_bench.py)")
	}
	b, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plan []struct {
		Dataset, Task, Model string
		NaN                  bool `json:"nan"`
	}
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, job := range plan {
		if job.Model == "xgb" || job.Model == "xgbr" {
			continue
		}
		name := job.Dataset
		if job.NaN && !nativeNaN[job.Model] {
			name += "_filled"
		}
		Xtr, ytr, err := testdata.LoadFile(filepath.Join(dir, name+"_train.csv"), false)
		if err != nil {
			t.Fatal(err)
		}
		Xte, yte, err := testdata.LoadFile(filepath.Join(dir, name+"_test.csv"), false)
		if err != nil {
			t.Fatal(err)
		}
		if job.Model == "latency_rf" {
			rf := ensemble.NewRandomForestClassifier()
			pipe := pipeline.New(pipeline.Step("scale", preprocess.NewStandardScaler()), pipeline.Step("rf", rf))
			if err := pipe.Fit(context.Background(), Xtr, ytr); err != nil {
				t.Fatal(err)
			}
			row := Xte.Slice(0, 0, 1, 1).Contiguous()
			const reps = 2000
			start := time.Now()
			for i := 0; i < reps; i++ {
				if _, err := pipe.Predict(row); err != nil {
					t.Fatal(err)
				}
			}
			us := float64(time.Since(start).Microseconds()) / reps
			fmt.Printf("ember   %-14s %-8s predict one row %9.1f us\n", job.Dataset, job.Model, us)
			out = append(out, map[string]any{"dataset": job.Dataset, "model": job.Model, "latency_us": us})
			continue
		}
		m := benchModel(job.Model)
		if m == nil {
			t.Fatalf("unknown model %q", job.Model)
		}
		cpu0 := testutil.CPUSeconds()
		start := time.Now()
		if err := m.Fit(context.Background(), Xtr, ytr); err != nil {
			t.Fatalf("%s on %s: %v", job.Model, job.Dataset, err)
		}
		fit := time.Since(start).Seconds()
		cpu := testutil.CPUSeconds() - cpu0
		score, err := m.(classical.Scorer).Score(Xte, yte)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ember   %-14s %-8s fit %8.3fs cpu %8.3fs score %.4f\n", job.Dataset, job.Model, fit, cpu, score)
		out = append(out, map[string]any{"dataset": job.Dataset, "model": job.Model, "fit_s": fit, "cpu_s": cpu, "score": score})
	}
	b, _ = json.MarshalIndent(out, "", " ")
	if err := os.WriteFile(filepath.Join(dir, "ember.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
