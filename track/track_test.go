package track

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLayout checks every file of a run against MLflow's FileStore format.
func TestLayout(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "mlruns"))
	if err != nil {
		t.Fatal(err)
	}
	def, err := readYAML(filepath.Join(s.Root(), "0", "meta.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if def["name"] != "Default" || def["experiment_id"] != "0" || def["lifecycle_stage"] != "active" ||
		def["artifact_location"] != "file://"+filepath.Join(s.Root(), "0") {
		t.Fatalf("default experiment meta: %v", def)
	}
	r, err := s.StartRun("mnist", "cnn-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.ExperimentID() != "1" {
		t.Fatalf("experiment id %q, want 1", r.ExperimentID())
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r.ID()) {
		t.Fatalf("run id %q is not 32 hex digits", r.ID())
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.LogParams(map[string]any{"lr": 0.001, "batch_size": 64, "optimizer": "adam"}))
	must(r.LogMetric("loss", 0.5, 0))
	must(r.LogMetric("loss", 0.25, 1))
	must(r.LogMetric("val/accuracy", 0.99, 1))
	must(r.SetTag("model", "cnn"))
	art := filepath.Join(t.TempDir(), "model.json")
	must(os.WriteFile(art, []byte(`{"x":1}`), 0o644))
	p, err := r.LogArtifact(art, "model")
	must(err)
	if readFile(t, p) != `{"x":1}` {
		t.Fatal("artifact content differs")
	}
	must(r.End(StatusFinished))

	m, err := readYAML(filepath.Join(r.Dir(), "meta.yaml"))
	must(err)
	want := map[string]string{
		"artifact_uri": "file://" + filepath.Join(r.Dir(), "artifacts"), "entry_point_name": "",
		"experiment_id": "1", "lifecycle_stage": "active", "run_id": r.ID(), "run_uuid": r.ID(),
		"run_name": "cnn-1", "source_name": "", "source_type": "4", "source_version": "", "status": "3", "tags": "[]",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("run meta %s = %q, want %q", k, m[k], v)
		}
	}
	for _, k := range []string{"start_time", "end_time"} {
		if !regexp.MustCompile(`^\d{13}$`).MatchString(m[k]) {
			t.Errorf("run meta %s = %q, want milliseconds", k, m[k])
		}
	}
	if got := readFile(t, filepath.Join(r.Dir(), "params", "lr")); got != "0.001" {
		t.Errorf("param lr = %q", got)
	}
	if got := readFile(t, filepath.Join(r.Dir(), "params", "batch_size")); got != "64" {
		t.Errorf("param batch_size = %q", got)
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(r.Dir(), "metrics", "loss"))), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^\d{13} 0\.5 0$`).MatchString(lines[0]) || !regexp.MustCompile(`^\d{13} 0\.25 1$`).MatchString(lines[1]) {
		t.Errorf("metric file lines %q", lines)
	}
	pts, err := ReadMetric(r.Dir(), "val/accuracy")
	must(err)
	if len(pts) != 1 || pts[0].Value != 0.99 || pts[0].Step != 1 {
		t.Errorf("ReadMetric = %+v", pts)
	}
	if got := readFile(t, filepath.Join(r.Dir(), "tags", "mlflow.runName")); got != "cnn-1" {
		t.Errorf("tag mlflow.runName = %q", got)
	}
	if err := r.LogMetric("loss", 1, 2); err == nil {
		t.Error("logging to an ended run succeeded")
	}
}

func TestBadNamesAndParams(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.StartRun("", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"", "../escape", "/abs", "a\nb", "semi;colon"} {
		if err := r.LogMetric(k, 1, 0); err == nil {
			t.Errorf("metric name %q accepted", k)
		}
	}
	if err := r.LogParam("lr", 0.1); err != nil {
		t.Fatal(err)
	}
	if err := r.LogParam("lr", 0.1); err != nil {
		t.Errorf("re-logging the same value: %v", err)
	}
	if err := r.LogParam("lr", 0.2); err == nil || !strings.Contains(err.Error(), "already logged") {
		t.Errorf("changing a param: %v", err)
	}
}

func TestConcurrentRuns(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	runs := make([]*Run, 8)
	for i := range runs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := s.StartRun("shared", fmt.Sprintf("r%d", i))
			if err != nil {
				t.Error(err)
				return
			}
			runs[i] = r
			var inner sync.WaitGroup
			for g := 0; g < 4; g++ {
				inner.Add(1)
				go func() {
					defer inner.Done()
					for step := 0; step < 50; step++ {
						if err := r.LogMetric("loss", float64(step), step); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			inner.Wait()
			if err := r.End(StatusFinished); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	exp := runs[0].ExperimentID()
	for _, r := range runs {
		if r.ExperimentID() != exp {
			t.Fatalf("runs landed in experiments %s and %s", exp, r.ExperimentID())
		}
		pts, err := ReadMetric(r.Dir(), "loss")
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) != 200 {
			t.Fatalf("run %s has %d metric lines, want 200", r.ID(), len(pts))
		}
	}
}

func TestRegistry(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v1, err := s.RegisterModel("churn-rf", "file:///models/a", "run1")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.RegisterModel("churn-rf", "file:///models/b", "run2")
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v2.Version != 2 {
		t.Fatalf("versions %d, %d", v1.Version, v2.Version)
	}
	meta, err := readYAML(filepath.Join(s.Root(), "models", "churn-rf", "version-2", "meta.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"name": "churn-rf", "version": "2", "current_stage": "None", "run_id": "run2", "source": "file:///models/b", "status": "READY"} {
		if meta[k] != v {
			t.Errorf("version meta %s = %q, want %q", k, meta[k], v)
		}
	}
	if err := s.TransitionStage("churn-rf", 1, StageProduction, true); err != nil {
		t.Fatal(err)
	}
	if err := s.TransitionStage("churn-rf", 2, StageProduction, true); err != nil {
		t.Fatal(err)
	}
	old, _ := s.GetModelVersion("churn-rf", 1)
	if old.Stage != StageArchived {
		t.Errorf("version 1 stage %q, want Archived", old.Stage)
	}
	if mv, err := s.Resolve("churn-rf", "Production"); err != nil || mv.Version != 2 {
		t.Errorf("Resolve Production = %+v, %v", mv, err)
	}
	if err := s.SetAlias("churn-rf", "champion", 1); err != nil {
		t.Fatal(err)
	}
	if mv, err := s.Resolve("churn-rf", "champion"); err != nil || mv.Version != 1 || mv.SourcePath() != "/models/a" {
		t.Errorf("Resolve champion = %+v, %v", mv, err)
	}
	if mv, err := s.Resolve("churn-rf", "latest"); err != nil || mv.Version != 2 {
		t.Errorf("Resolve latest = %+v, %v", mv, err)
	}
	if _, err := s.Resolve("churn-rf", "nope"); err == nil {
		t.Error("unknown ref resolved")
	}
	if err := s.TransitionStage("churn-rf", 1, "Prod", false); err == nil {
		t.Error("bad stage accepted")
	}
	if _, err := s.RegisterModel("../x", "", ""); err == nil {
		t.Error("bad model name accepted")
	}
}
