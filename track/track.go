// Package track records experiments in the MLflow file-store layout, so that
// `mlflow ui --backend-store-uri ./mlruns` shows ember's runs, and keeps a
// model registry (registered models, versions, stages and aliases) in the
// same store.
//
// The layout, as MLflow's FileStore writes it:
//
//	mlruns/<experiment_id>/meta.yaml                 experiment
//	mlruns/<experiment_id>/<run_id>/meta.yaml        run info
//	mlruns/<experiment_id>/<run_id>/params/<key>     the value, as text
//	mlruns/<experiment_id>/<run_id>/metrics/<key>    "<timestamp ms> <value> <step>" a line
//	mlruns/<experiment_id>/<run_id>/tags/<key>       the value
//	mlruns/<experiment_id>/<run_id>/artifacts/...    files
//	mlruns/models/<name>/meta.yaml                   registered model
//	mlruns/models/<name>/version-<n>/meta.yaml       model version
//	mlruns/models/<name>/aliases/<alias>             the version number
//
// Every file is written atomically (temporary file, then rename), and
// metric appends are serialised per run, so concurrent runs in one store do
// not corrupt each other.
package track

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Run status codes, as MLflow stores them in meta.yaml.
const (
	StatusRunning  = 1
	StatusFinished = 3
	StatusFailed   = 4
	StatusKilled   = 5
)

// Store is an MLflow file store rooted at a directory (conventionally
// ./mlruns).
type Store struct {
	root string
	mu   sync.Mutex // guards experiment creation and registry updates in this process
}

// Open returns the store at dir, creating it (with the "Default" experiment
// 0, as MLflow does) when absent.
func Open(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("track: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("track: create store: %w", err)
	}
	s := &Store{root: abs}
	if _, err := os.Stat(filepath.Join(abs, "0", "meta.yaml")); errors.Is(err, os.ErrNotExist) {
		if err := s.writeExperiment("0", "Default"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Root returns the store's directory.
func (s *Store) Root() string { return s.root }

func nowMillis() int64 { return time.Now().UnixMilli() }

func fileURI(p string) string { return "file://" + filepath.ToSlash(p) }

// yamlString quotes s as a YAML scalar the way PyYAML does for strings that
// need it.
func yamlString(s string) string {
	if s == "" {
		return "''"
	}
	if regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_./:-]*$`).MatchString(s) && !isYAMLKeyword(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func isYAMLKeyword(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "none", "~":
		return true
	}
	return false
}

// writeYAML writes key: value lines in the order given.
func writeYAML(path string, kv [][2]string) error {
	var b strings.Builder
	for _, p := range kv {
		fmt.Fprintf(&b, "%s: %s\n", p[0], p[1])
	}
	return writeFileAtomic(path, []byte(b.String()))
}

// readYAML reads the flat key: value files this package writes.
func readYAML(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, " ") {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("track: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("track: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("track: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("track: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("track: %w", err)
	}
	return nil
}

var validKey = regexp.MustCompile(`^[A-Za-z0-9_\-. /]{1,250}$`)

// checkKey enforces MLflow's rule for param, metric and tag names (and keeps
// them inside the run directory).
func checkKey(kind, key string) error {
	if !validKey.MatchString(key) || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.Contains(key, "//") {
		return fmt.Errorf("track: invalid %s name %q: use letters, digits, _ - . space and /", kind, key)
	}
	return nil
}

func (s *Store) writeExperiment(id, name string) error {
	now := strconv.FormatInt(nowMillis(), 10)
	dir := filepath.Join(s.root, id)
	return writeYAML(filepath.Join(dir, "meta.yaml"), [][2]string{
		{"artifact_location", fileURI(dir)},
		{"creation_time", now},
		{"experiment_id", "'" + id + "'"},
		{"last_update_time", now},
		{"lifecycle_stage", "active"},
		{"name", yamlString(name)},
	})
}

// Experiment returns the id of the experiment called name, creating it when
// absent.
func (s *Store) Experiment(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errors.New("track: empty experiment name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return "", fmt.Errorf("track: %w", err)
	}
	maxID := 0
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if !e.IsDir() || err != nil {
			continue
		}
		maxID = max(maxID, id)
		m, err := readYAML(filepath.Join(s.root, e.Name(), "meta.yaml"))
		if err == nil && m["name"] == name {
			return e.Name(), nil
		}
	}
	id := strconv.Itoa(maxID + 1)
	// Claim the directory so a concurrent process picks another id.
	for {
		if err := os.Mkdir(filepath.Join(s.root, id), 0o755); err == nil {
			break
		} else if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("track: %w", err)
		}
		maxID++
		id = strconv.Itoa(maxID + 1)
	}
	return id, s.writeExperiment(id, name)
}

// Run is one tracked run. Its methods are safe for concurrent use.
type Run struct {
	store   *Store
	expID   string
	id      string
	name    string
	dir     string
	start   int64
	mu      sync.Mutex
	ended   bool
	metrics map[string]*os.File
}

// StartRun starts a run in the experiment called experiment ("" for the
// Default one) with an optional run name.
func (s *Store) StartRun(experiment, runName string) (*Run, error) {
	expID := "0"
	if experiment != "" {
		var err error
		if expID, err = s.Experiment(experiment); err != nil {
			return nil, err
		}
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("track: %w", err)
	}
	id := hex.EncodeToString(raw[:])
	if runName == "" {
		runName = "run-" + id[:8]
	}
	r := &Run{store: s, expID: expID, id: id, name: runName, dir: filepath.Join(s.root, expID, id), start: nowMillis(), metrics: map[string]*os.File{}}
	for _, sub := range []string{"params", "metrics", "tags", "artifacts"} {
		if err := os.MkdirAll(filepath.Join(r.dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("track: %w", err)
		}
	}
	if err := r.writeMeta(StatusRunning, 0); err != nil {
		return nil, err
	}
	userName := "ember"
	if u, err := user.Current(); err == nil && u.Username != "" {
		userName = u.Username
	}
	for k, v := range map[string]string{"mlflow.runName": runName, "mlflow.user": userName, "mlflow.source.name": os.Args[0], "mlflow.source.type": "LOCAL"} {
		if err := r.SetTag(k, v); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ID returns the run id (32 hex digits).
func (r *Run) ID() string { return r.id }

// ExperimentID returns the id of the run's experiment.
func (r *Run) ExperimentID() string { return r.expID }

// Dir returns the run's directory.
func (r *Run) Dir() string { return r.dir }

// ArtifactURI returns the file URI of the run's artifact directory.
func (r *Run) ArtifactURI() string { return fileURI(filepath.Join(r.dir, "artifacts")) }

func (r *Run) writeMeta(status int, end int64) error {
	endS := "null"
	if end != 0 {
		endS = strconv.FormatInt(end, 10)
	}
	userName := "ember"
	if u, err := user.Current(); err == nil && u.Username != "" {
		userName = u.Username
	}
	return writeYAML(filepath.Join(r.dir, "meta.yaml"), [][2]string{
		{"artifact_uri", fileURI(filepath.Join(r.dir, "artifacts"))},
		{"end_time", endS},
		{"entry_point_name", "''"},
		{"experiment_id", "'" + r.expID + "'"},
		{"lifecycle_stage", "active"},
		{"run_id", r.id},
		{"run_name", yamlString(r.name)},
		{"run_uuid", r.id},
		{"source_name", "''"},
		{"source_type", "4"},
		{"source_version", "''"},
		{"start_time", strconv.FormatInt(r.start, 10)},
		{"status", strconv.Itoa(status)},
		{"tags", "[]"},
		{"user_id", yamlString(userName)},
	})
}

func (r *Run) checkOpen() error {
	if r.ended {
		return fmt.Errorf("track: run %s has ended", r.id)
	}
	return nil
}

// LogParam records a parameter. MLflow params are immutable: logging the same
// key again with another value is an error.
func (r *Run) LogParam(key string, value any) error {
	if err := checkKey("param", key); err != nil {
		return err
	}
	v := fmt.Sprint(value)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkOpen(); err != nil {
		return err
	}
	p := filepath.Join(r.dir, "params", filepath.FromSlash(key))
	if old, err := os.ReadFile(p); err == nil && string(old) != v {
		return fmt.Errorf("track: param %q already logged as %q, not %q", key, old, v)
	}
	return writeFileAtomic(p, []byte(v))
}

// LogParams records several parameters, in sorted key order.
func (r *Run) LogParams(params map[string]any) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := r.LogParam(k, params[k]); err != nil {
			return err
		}
	}
	return nil
}

// LogMetric appends a value of a metric at a step, timestamped now.
func (r *Run) LogMetric(key string, value float64, step int) error {
	if err := checkKey("metric", key); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkOpen(); err != nil {
		return err
	}
	f := r.metrics[key]
	if f == nil {
		p := filepath.Join(r.dir, "metrics", filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("track: %w", err)
		}
		var err error
		f, err = os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("track: %w", err)
		}
		r.metrics[key] = f
	}
	// One write a line: O_APPEND makes each write land whole at the end.
	line := fmt.Sprintf("%d %s %d\n", nowMillis(), strconv.FormatFloat(value, 'g', -1, 64), step)
	if _, err := io.WriteString(f, line); err != nil {
		return fmt.Errorf("track: log metric %q: %w", key, err)
	}
	return nil
}

// LogMetrics appends several metrics at one step.
func (r *Run) LogMetrics(values map[string]float64, step int) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := r.LogMetric(k, values[k], step); err != nil {
			return err
		}
	}
	return nil
}

// SetTag sets a tag (tags may be overwritten).
func (r *Run) SetTag(key, value string) error {
	if err := checkKey("tag", key); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkOpen(); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(r.dir, "tags", filepath.FromSlash(key)), []byte(value))
}

// LogArtifact copies the file or directory at local into the run's
// artifacts, under subdir (may be ""), and returns its path there.
func (r *Run) LogArtifact(local, subdir string) (string, error) {
	if subdir != "" {
		if err := checkKey("artifact directory", subdir); err != nil {
			return "", err
		}
	}
	dst := filepath.Join(r.dir, "artifacts", filepath.FromSlash(subdir), filepath.Base(local))
	err := filepath.Walk(local, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(local, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !info.Mode().IsRegular() {
			return nil // links and devices are not artifacts
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFileAtomic(target, data)
	})
	if err != nil {
		return "", fmt.Errorf("track: log artifact %s: %w", local, err)
	}
	return dst, nil
}

// End finishes the run with a status (StatusFinished, StatusFailed,
// StatusKilled). Ending twice is a no-op.
func (r *Run) End(status int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return nil
	}
	r.ended = true
	var firstErr error
	for _, f := range r.metrics {
		if err := f.Close(); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if err := r.writeMeta(status, nowMillis()); err != nil && firstErr == nil {
		firstErr = err
	}
	return firstErr
}

// MetricPoint is one logged value of a metric.
type MetricPoint struct {
	Timestamp int64
	Value     float64
	Step      int
}

// ReadMetric reads the history of a metric of a run directory.
func ReadMetric(runDir, key string) ([]MetricPoint, error) {
	if err := checkKey("metric", key); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(runDir, "metrics", filepath.FromSlash(key)))
	if err != nil {
		return nil, fmt.Errorf("track: %w", err)
	}
	var out []MetricPoint
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("track: metric %q line %d: want \"timestamp value step\", got %q", key, i+1, line)
		}
		ts, e1 := strconv.ParseInt(f[0], 10, 64)
		v, e2 := strconv.ParseFloat(f[1], 64)
		st, e3 := strconv.Atoi(f[2])
		if e1 != nil || e2 != nil || e3 != nil {
			return nil, fmt.Errorf("track: metric %q line %d: malformed %q", key, i+1, line)
		}
		out = append(out, MetricPoint{ts, v, st})
	}
	return out, nil
}
