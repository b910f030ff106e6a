package testutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ember-ml/ember/classical/internal/testdata"
)

// LoadJSON decodes the JSON file at path (relative to the test's package
// directory, as usual for testdata files) into v, a pointer to a typed
// struct or map; it fails the test if the file is missing or malformed.
func LoadJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

// SklearnRef returns one section (e.g. "svm") of
// classical/testdata/sklearn_ref.json, the values recorded with
// scikit-learn 1.2.1 by classical/testdata/gen_sklearn.py. It fails the
// test if the file or the section is missing.
func SklearnRef(tb testing.TB, section string) map[string]any {
	tb.Helper()
	var all map[string]json.RawMessage
	LoadJSON(tb, filepath.Join(testdata.Dir(), "sklearn_ref.json"), &all)
	raw, ok := all[section]
	if !ok {
		tb.Fatalf("sklearn_ref.json has no section %q", section)
	}
	var r map[string]any
	if err := json.Unmarshal(raw, &r); err != nil {
		tb.Fatalf("sklearn_ref.json section %q: %v", section, err)
	}
	return r
}

// Floats converts a JSON array decoded into an any (a []any of float64)
// to a []float64. It panics, failing the test, if v is not such an array.
func Floats(v any) []float64 {
	a := v.([]any)
	out := make([]float64, len(a))
	for i, x := range a {
		out[i] = x.(float64)
	}
	return out
}

// Ints is Floats converted to ints (for labels, indices and counts).
func Ints(v any) []int {
	f := Floats(v)
	out := make([]int, len(f))
	for i, x := range f {
		out[i] = int(x)
	}
	return out
}
