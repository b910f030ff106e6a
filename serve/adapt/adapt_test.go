package adapt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/serve/adapt"
	"github.com/ember-ml/ember/tensor"
)

// twoBlobs is a separable binary problem with labels 3 and 7.
func twoBlobs() (*tensor.Tensor, *tensor.Tensor) {
	var xs, ys []float64
	for i := range 40 {
		d := float64(i%10) / 10
		if i%2 == 0 {
			xs = append(xs, -2+d, -1-d)
			ys = append(ys, 3)
		} else {
			xs = append(xs, 2-d, 1+d)
			ys = append(ys, 7)
		}
	}
	return tensor.FromFloat64(xs, 40, 2), tensor.FromFloat64(ys, 40)
}

func fitted(t *testing.T) classical.Estimator {
	t.Helper()
	X, y := twoBlobs()
	m := linear.NewLogisticRegression()
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadDirectoryAndPredict(t *testing.T) {
	dir := t.TempDir()
	if err := classical.Save(filepath.Join(dir, adapt.ModelFile), fitted(t)); err != nil {
		t.Fatal(err)
	}
	meta := adapt.Meta{Name: "blobs", Version: "1", FeatureNames: []string{"a", "b"}, Classes: []string{"three", "seven"}}
	if err := adapt.WriteMeta(dir, meta); err != nil {
		t.Fatal(err)
	}
	p, err := adapt.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	info := p.Info()
	if info.Name != "blobs" || info.Kind != serve.Classifier || info.NumFeatures != 2 ||
		strings.Join(info.Classes, ",") != "three,seven" {
		t.Fatalf("info = %+v", info)
	}
	out, err := p.Predict(context.Background(), tensor.FromFloat64([]float64{-2, -1, 2, 1}, 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	if out.Predictions[0] != 0 || out.Predictions[1] != 1 {
		t.Fatalf("predictions %v, want class indices [0 1]", out.Predictions)
	}
	for i, row := range out.Probabilities {
		if len(row) != 2 || row[0]+row[1] < 0.999 || row[0]+row[1] > 1.001 {
			t.Fatalf("row %d probabilities %v", i, row)
		}
	}
	if out.Probabilities[0][0] < 0.9 || out.Probabilities[1][1] < 0.9 {
		t.Fatalf("separable points predicted unsurely: %v", out.Probabilities)
	}
}

func TestLoadFileNamesModelAfterFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "churn.json")
	if err := classical.Save(path, fitted(t)); err != nil {
		t.Fatal(err)
	}
	p, err := adapt.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Info(); got.Name != "churn" || strings.Join(got.Classes, ",") != "3,7" {
		t.Fatalf("info = %+v", got)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := adapt.Load(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing path: no error")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"format":"ember-classical","version":1,"type":"no.Such"}`), 0o644)
	if _, err := adapt.Load(bad); err == nil || !strings.Contains(err.Error(), "no.Such") {
		t.Fatalf("unknown type: err = %v", err)
	}
	md := filepath.Join(dir, "m")
	os.Mkdir(md, 0o755)
	classical.Save(filepath.Join(md, adapt.ModelFile), fitted(t))
	os.WriteFile(filepath.Join(md, adapt.MetaFile), []byte(`{"kind":"clusterer"}`), 0o644)
	if _, err := adapt.Load(md); err == nil || !strings.Contains(err.Error(), "clusterer") {
		t.Fatalf("bad kind: err = %v", err)
	}
	os.WriteFile(filepath.Join(md, adapt.MetaFile), []byte(`{"classes":["a","b","c"]}`), 0o644)
	if _, err := adapt.Load(md); err == nil || !strings.Contains(err.Error(), "3 classes") {
		t.Fatalf("class count: err = %v", err)
	}
}

func TestServedEndToEnd(t *testing.T) {
	dir := t.TempDir()
	classical.Save(filepath.Join(dir, adapt.ModelFile), fitted(t))
	adapt.WriteMeta(dir, adapt.Meta{Name: "blobs", FeatureNames: []string{"a", "b"}})
	s := serve.New(serve.Options{})
	defer s.Close()
	if err := s.Add("", dir, adapt.Load); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(ts.URL+"/predict", "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return resp.StatusCode, m
	}
	code, m := post(`{"features": [2, 1]}`)
	if code != 200 || m["prediction"] == nil || m["probability"] == nil {
		t.Fatalf("%d %v", code, m)
	}
	if code, _ := post(`{"features": [2, 1, 5]}`); code != http.StatusBadRequest {
		t.Fatalf("wrong width: status %d", code)
	}
}
