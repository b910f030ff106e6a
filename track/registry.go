package track

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Stages of a model version, as MLflow's registry names them.
const (
	StageNone       = "None"
	StageStaging    = "Staging"
	StageProduction = "Production"
	StageArchived   = "Archived"
)

// ModelVersion is one registered version of a model.
type ModelVersion struct {
	Name    string
	Version int
	Stage   string
	RunID   string
	Source  string // where the model's files are (a file URI or path)
	Created int64  // milliseconds since the epoch
}

var validModelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_\-. ]{0,249}$`)

func (s *Store) modelDir(name string) (string, error) {
	if !validModelName.MatchString(name) || strings.Contains(name, "..") {
		return "", fmt.Errorf("track: invalid model name %q", name)
	}
	return filepath.Join(s.root, "models", name), nil
}

// RegisterModel adds a new version of the model called name whose files are
// at source (typically an artifact path of runID), creating the registered
// model when absent, and returns it.
func (s *Store) RegisterModel(name, source, runID string) (ModelVersion, error) {
	dir, err := s.modelDir(name)
	if err != nil {
		return ModelVersion{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := nowMillis()
	meta := filepath.Join(dir, "meta.yaml")
	created := strconv.FormatInt(now, 10)
	if m, err := readYAML(meta); err == nil {
		created = m["creation_timestamp"]
	}
	if err := writeYAML(meta, [][2]string{
		{"creation_timestamp", created},
		{"description", "''"},
		{"last_updated_timestamp", strconv.FormatInt(now, 10)},
		{"name", yamlString(name)},
	}); err != nil {
		return ModelVersion{}, err
	}
	versions, _ := s.versions(dir)
	v := 1
	if len(versions) > 0 {
		v = versions[len(versions)-1] + 1
	}
	// Claim the version directory atomically against other processes.
	for {
		err := os.Mkdir(filepath.Join(dir, fmt.Sprintf("version-%d", v)), 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			return ModelVersion{}, fmt.Errorf("track: %w", err)
		}
		v++
	}
	mv := ModelVersion{Name: name, Version: v, Stage: StageNone, RunID: runID, Source: source, Created: now}
	return mv, s.writeVersion(dir, mv, now)
}

func (s *Store) writeVersion(dir string, mv ModelVersion, updated int64) error {
	return writeYAML(filepath.Join(dir, fmt.Sprintf("version-%d", mv.Version), "meta.yaml"), [][2]string{
		{"creation_timestamp", strconv.FormatInt(mv.Created, 10)},
		{"current_stage", mv.Stage},
		{"description", "''"},
		{"last_updated_timestamp", strconv.FormatInt(updated, 10)},
		{"name", yamlString(mv.Name)},
		{"run_id", yamlString(mv.RunID)},
		{"run_link", "''"},
		{"source", yamlString(mv.Source)},
		{"status", "READY"},
		{"status_message", "''"},
		{"user_id", "''"},
		{"version", strconv.Itoa(mv.Version)},
	})
}

func (s *Store) versions(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var vs []int
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "version-"); ok && e.IsDir() {
			if v, err := strconv.Atoi(n); err == nil {
				if _, err := os.Stat(filepath.Join(dir, e.Name(), "meta.yaml")); err == nil {
					vs = append(vs, v)
				}
			}
		}
	}
	sort.Ints(vs)
	return vs, nil
}

// ModelVersions lists the versions of a registered model, oldest first.
func (s *Store) ModelVersions(name string) ([]ModelVersion, error) {
	dir, err := s.modelDir(name)
	if err != nil {
		return nil, err
	}
	vs, err := s.versions(dir)
	if err != nil {
		return nil, fmt.Errorf("track: no registered model %q", name)
	}
	out := make([]ModelVersion, 0, len(vs))
	for _, v := range vs {
		mv, err := s.GetModelVersion(name, v)
		if err != nil {
			return nil, err
		}
		out = append(out, mv)
	}
	return out, nil
}

// GetModelVersion reads one version of a registered model.
func (s *Store) GetModelVersion(name string, version int) (ModelVersion, error) {
	dir, err := s.modelDir(name)
	if err != nil {
		return ModelVersion{}, err
	}
	m, err := readYAML(filepath.Join(dir, fmt.Sprintf("version-%d", version), "meta.yaml"))
	if err != nil {
		return ModelVersion{}, fmt.Errorf("track: model %q has no version %d", name, version)
	}
	created, _ := strconv.ParseInt(m["creation_timestamp"], 10, 64)
	return ModelVersion{Name: name, Version: version, Stage: m["current_stage"], RunID: m["run_id"], Source: m["source"], Created: created}, nil
}

// TransitionStage moves a version to a stage (None, Staging, Production or
// Archived). With archiveOthers, other versions in that stage move to
// Archived, as MLflow's archive_existing_versions does.
func (s *Store) TransitionStage(name string, version int, stage string, archiveOthers bool) error {
	switch stage {
	case StageNone, StageStaging, StageProduction, StageArchived:
	default:
		return fmt.Errorf("track: unknown stage %q (want None, Staging, Production or Archived)", stage)
	}
	dir, err := s.modelDir(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mv, err := s.GetModelVersion(name, version)
	if err != nil {
		return err
	}
	now := nowMillis()
	if archiveOthers && stage != StageNone && stage != StageArchived {
		vs, _ := s.versions(dir)
		for _, v := range vs {
			if v == version {
				continue
			}
			other, err := s.GetModelVersion(name, v)
			if err == nil && other.Stage == stage {
				other.Stage = StageArchived
				if err := s.writeVersion(dir, other, now); err != nil {
					return err
				}
			}
		}
	}
	mv.Stage = stage
	return s.writeVersion(dir, mv, now)
}

// SetAlias points alias (such as "champion") at a version.
func (s *Store) SetAlias(name, alias string, version int) error {
	if err := checkKey("alias", alias); err != nil || strings.Contains(alias, "/") {
		return fmt.Errorf("track: invalid alias %q", alias)
	}
	dir, err := s.modelDir(name)
	if err != nil {
		return err
	}
	if _, err := s.GetModelVersion(name, version); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "aliases", alias), []byte(strconv.Itoa(version)))
}

// Resolve finds a model version by a reference: a version number ("3"), a
// stage ("Production": the newest version in it), an alias ("champion"), or
// "latest".
func (s *Store) Resolve(name, ref string) (ModelVersion, error) {
	dir, err := s.modelDir(name)
	if err != nil {
		return ModelVersion{}, err
	}
	if v, err := strconv.Atoi(ref); err == nil {
		return s.GetModelVersion(name, v)
	}
	vs, err := s.ModelVersions(name)
	if err != nil {
		return ModelVersion{}, err
	}
	if len(vs) == 0 {
		return ModelVersion{}, fmt.Errorf("track: model %q has no versions", name)
	}
	if ref == "" || ref == "latest" {
		return vs[len(vs)-1], nil
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if strings.EqualFold(vs[i].Stage, ref) {
			return vs[i], nil
		}
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "aliases", ref)); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil {
			return s.GetModelVersion(name, v)
		}
	}
	return ModelVersion{}, fmt.Errorf("track: model %q has no version, stage or alias %q", name, ref)
}

// SourcePath returns the local path of a version's source.
func (mv ModelVersion) SourcePath() string {
	return filepath.FromSlash(strings.TrimPrefix(mv.Source, "file://"))
}
