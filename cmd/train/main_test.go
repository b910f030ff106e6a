package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/serve/adapt"
	"github.com/ember-ml/ember/tensorboard"
	"github.com/ember-ml/ember/track"
)

// lastJSON decodes the last line of out.
func lastJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("last line is not JSON: %q: %v", lines[len(lines)-1], err)
	}
	return m
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-epochs", "0"}, "-epochs"},
		{[]string{"-lr", "-1"}, "-lr"},
		{[]string{"-val-split", "1.5"}, "-val-split"},
		{[]string{"-val-split", "-1"}, "-val-split"},
		{[]string{"-val-split", "x"}, "val-split"},
		{[]string{"-channels", "2"}, "-channels"},
		{[]string{"-csv", "x.csv"}, "-target"},
		{[]string{"-csv", "x.csv", "-rl", "CartPole-v1"}, "one of"},
		{[]string{"-rl", "NoSuchEnv-v0"}, "unknown environment"},
		{[]string{"-rl", "FrozenLake-v1", "-algo", "ppo"}, "unknown algorithm"},
		{[]string{"-arch", "transformer", "-limit", "10"}, "-arch"},
		{[]string{"stray"}, "unexpected argument"},
		{[]string{"-nosuchflag"}, "nosuchflag"},
		{[]string{"-csv", "testdata/iris.csv", "-target", "species", "-model", "ridge"}, "regressor"},
		{[]string{"-csv", "testdata/iris.csv", "-target", "nope"}, "not a column"},
		{[]string{"-csv", "testdata/iris.csv", "-target", "Species"}, `did you mean "species"?`},
	} {
		err := run(context.Background(), tc.args, io.Discard, io.Discard)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want a usage error mentioning %q", tc.args, err, tc.want)
		}
	}
}

func TestUserErrorsAreNotUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"-data", filepath.Join(dir, "missing")},
		{"-data", dir}, // no class folders
		{"-csv", filepath.Join(dir, "missing.csv"), "-target", "y"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestTableClassification(t *testing.T) {
	save := filepath.Join(t.TempDir(), "iris")
	var out bytes.Buffer
	err := run(context.Background(), []string{"-csv", "testdata/iris.csv", "-target", "species",
		"-model", "logistic_regression", "-cv", "3", "-save", save, "-json"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := lastJSON(t, out.String())
	if m["task"] != "classification" || m["model"] != "logistic_regression" {
		t.Fatalf("result %v", m)
	}
	for _, k := range []string{"accuracy", "f1_macro", "cv_mean", "roc_auc"} {
		if v, ok := m[k].(float64); !ok || v < 0.85 || v > 1 {
			t.Errorf("%s = %v, want a high score on iris", k, m[k])
		}
	}
	if !strings.Contains(out.String(), "precision") {
		t.Error("no classification report")
	}
	p, err := adapt.Load(save)
	if err != nil {
		t.Fatalf("saved model does not load for serving: %v", err)
	}
	if info := p.Info(); info.NumFeatures != 4 || len(info.Classes) != 3 {
		t.Fatalf("served info %+v", info)
	}
}

func TestTableRegressionWithSeparateTestFile(t *testing.T) {
	dir := t.TempDir()
	var train, test strings.Builder
	train.WriteString("x,color,y\n")
	test.WriteString("x,color,y\n")
	colors := []string{"red", "green", "blue"}
	for i := range 60 {
		row := func(b *strings.Builder) {
			b.WriteString(strings.Join([]string{itoa(i), colors[i%3], ftoa(2.5*float64(i) + float64(10*(i%3)))}, ","))
			b.WriteString("\n")
		}
		if i%5 == 0 {
			row(&test)
		} else {
			row(&train)
		}
	}
	test.WriteString("7,purple,14\n") // an unseen category
	os.WriteFile(filepath.Join(dir, "train.csv"), []byte(train.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "test.csv"), []byte(test.String()), 0o644)
	var out bytes.Buffer
	save := filepath.Join(dir, "model")
	err := run(context.Background(), []string{"-csv", filepath.Join(dir, "train.csv"), "-test", filepath.Join(dir, "test.csv"),
		"-target", "y", "-model", "linear_regression", "-cv", "0", "-save", save, "-json"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := lastJSON(t, out.String())
	if m["task"] != "regression" {
		t.Fatalf("task %v", m["task"])
	}
	if r2 := m["r2"].(float64); r2 < 0.95 {
		t.Fatalf("r2 = %v on a linear target", r2)
	}

	// The saved model takes the colour by name, and imputes a missing x
	// and an unseen colour, as in training.
	p, err := adapt.Load(save)
	if err != nil {
		t.Fatal(err)
	}
	srv := serve.New(serve.Options{})
	if err := srv.AddPredictor("colors", p); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/predict",
		strings.NewReader(`{"instances": [[10, "blue"], [10, "purple"], [null, "red"]]}`)))
	var resp struct {
		Predictions []struct{ Prediction float64 } `json:"predictions"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); rec.Code != 200 || err != nil || len(resp.Predictions) != 3 {
		t.Fatalf("predict by category name: %d %s", rec.Code, rec.Body)
	}
	if got := resp.Predictions[0].Prediction; math.Abs(got-45) > 1 {
		t.Errorf("x=10, blue: predicted %v, want about 2.5*10 + 20 = 45", got)
	}
}

func itoa(i int) string { return formatInt(i) }

func formatInt(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestReinforcementLearning(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-rl", "FrozenLake-v1", "-algo", "q_learning", "-steps", "20000", "-seed", "1", "-json"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := lastJSON(t, out.String())
	for _, k := range []string{"env", "algo", "mean_return", "std_return", "train_steps", "wall_seconds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %v", k, m)
		}
	}
}

func TestImageFolderEndToEnd(t *testing.T) {
	save := filepath.Join(t.TempDir(), "digits")
	var out bytes.Buffer
	err := run(context.Background(), []string{"-data", "../../data/testdata/imagefolder", "-size", "28", "-channels", "1",
		"-epochs", "2", "-batch", "4", "-val-split", "0", "-save", save, "-json", "-quiet"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := lastJSON(t, out.String())
	for _, k := range []string{"test_accuracy", "test_loss", "epochs", "train_images_per_sec", "wall_seconds", "model_path"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if m["epochs"].(float64) != 2 || m["skipped_images"].(float64) != 1 {
		t.Errorf("epochs %v, skipped %v (the tree has one broken PNG)", m["epochs"], m["skipped_images"])
	}
	for _, f := range []string{"model.json", "model.safetensors", "serving.json", "history.png", "confusion_matrix.png"} {
		if _, err := os.Stat(filepath.Join(save, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	p, err := adapt.Load(save)
	if err != nil {
		t.Fatal(err)
	}
	if info := p.Info(); len(info.InputShape) != 3 || strings.Join(info.Classes, ",") != "0,1,7" {
		t.Fatalf("served info %+v", info)
	}
}

func ftoa(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func TestInterruptThenResume(t *testing.T) {
	dir := t.TempDir()
	save := filepath.Join(dir, "digits")
	args := []string{"-data", "../../data/testdata/imagefolder", "-size", "28", "-channels", "1",
		"-epochs", "2", "-batch", "4", "-val-split", "0", "-save", save, "-quiet", "-plots=false"}
	ctx, cancel := context.WithCancel(context.Background())
	testHookBatchEnd = func(epoch, batch int) {
		if epoch == 1 && batch == 0 {
			cancel() // as if Ctrl-C came during the second epoch
		}
	}
	err := run(ctx, args, io.Discard, io.Discard)
	testHookBatchEnd = nil
	if err == nil || !strings.Contains(err.Error(), "-resume") || !strings.Contains(err.Error(), "after 1 epochs") {
		t.Fatalf("interrupted run: err = %v, want a message pointing at -resume", err)
	}
	if _, err := os.Stat(filepath.Join(save+".ckpt", "checkpoint.json")); err != nil {
		t.Fatalf("no checkpoint after the interruption: %v", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), append(args, "-resume", "-json"), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	resumed := lastJSON(t, out.String())
	if resumed["epochs"].(float64) != 2 {
		t.Fatalf("resumed run: epochs %v, want 2", resumed["epochs"])
	}
	// The same run without the interruption ends with the same model.
	out.Reset()
	whole := append(slices.Clone(args), "-json")
	whole[len(whole)-4] = filepath.Join(dir, "whole") // -save
	if err := run(context.Background(), whole, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	straight := lastJSON(t, out.String())
	if resumed["test_loss"] != straight["test_loss"] || resumed["test_accuracy"] != straight["test_accuracy"] {
		t.Fatalf("resumed run ends with test loss %v, accuracy %v; uninterrupted %v, %v",
			resumed["test_loss"], resumed["test_accuracy"], straight["test_loss"], straight["test_accuracy"])
	}
	if _, err := os.Stat(save + ".ckpt"); !os.IsNotExist(err) {
		t.Fatalf("checkpoint left after a finished run: %v", err)
	}
}

func TestAugmentedRun(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-data", "../../data/testdata/imagefolder", "-size", "28", "-channels", "1",
		"-epochs", "1", "-batch", "4", "-val-split", "0.25", "-augment", "-save", filepath.Join(t.TempDir(), "m"),
		"-json", "-quiet", "-plots=false"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// 11 readable images: 9 in the training subset (3 held out for the
	// test), of which a quarter (2) validate and 7 train, augmented.
	m := lastJSON(t, out.String())
	if m["train_images"].(float64) != 7 || m["test_images"].(float64) != 3 {
		t.Fatalf("train_images %v, test_images %v, want 7 and 3", m["train_images"], m["test_images"])
	}
	if _, ok := m["epoch_val_accuracy"]; !ok {
		t.Fatal("no validation accuracy with -augment and -val-split")
	}
}

func TestTrackingAndTensorBoard(t *testing.T) {
	dir := t.TempDir()
	tb, store := filepath.Join(dir, "tb"), filepath.Join(dir, "mlruns")
	err := run(context.Background(), []string{"-data", "../../data/testdata/imagefolder", "-size", "28", "-channels", "1",
		"-epochs", "2", "-batch", "4", "-val-split", "0", "-save", filepath.Join(dir, "m"), "-quiet", "-plots=false",
		"-tensorboard", tb, "-track", store}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(tb, "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("event files %v", files)
	}
	events, err := tensorboard.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if pts := tensorboard.Scalars(events)["epoch/loss"]; len(pts) != 2 {
		t.Fatalf("epoch/loss has %d points, want one per epoch", len(pts))
	}
	runs, _ := filepath.Glob(filepath.Join(store, "*", "*", "metrics", "loss"))
	if len(runs) != 1 {
		t.Fatalf("tracked runs with a loss metric: %v", runs)
	}
	pts, err := track.ReadMetric(filepath.Dir(filepath.Dir(runs[0])), "loss")
	if err != nil || len(pts) != 2 {
		t.Fatalf("tracked loss: %v points, err %v", len(pts), err)
	}
	st, err := track.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Resolve("m", "1"); err != nil {
		t.Fatalf("model not registered: %v", err)
	}
}

// TestIdentifierNote checks that a categorical column distinct in most
// rows (an identifier) gets a note suggesting -drop, and that a column of
// few categories does not.
func TestIdentifierNote(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("id,color,x,y\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&csv, "p%d,%s,%d,%d\n", i, []string{"red", "green", "blue"}[i%3], i, i%2)
	}
	path := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, progress bytes.Buffer
	if err := run(context.Background(), []string{"-csv", path, "-target", "y", "-model", "decision_tree", "-cv", "0"}, &out, &progress); err != nil {
		t.Fatal(err)
	}
	all := out.String() + progress.String()
	if !strings.Contains(all, `note: column "id" has 60 distinct values in 60 rows`) || !strings.Contains(all, "-drop id") {
		t.Errorf("no note on the identifier column in:\n%s", all)
	}
	if strings.Contains(all, `column "color"`) {
		t.Errorf("a note on a column of three categories:\n%s", all)
	}
}
