package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/tensor"
	"github.com/ember-ml/ember/track"
)

func saveRidge(t *testing.T, path string) {
	t.Helper()
	X := tensor.FromFloat64([]float64{0, 1, 2, 3, 4, 5}, 6, 1)
	y := tensor.FromFloat64([]float64{1, 3, 5, 7, 9, 11}, 6)
	m := linear.NewRidge()
	m.Alpha = 1e-9
	if err := m.Fit(context.Background(), X, y); err != nil {
		t.Fatal(err)
	}
	if err := classical.Save(path, m); err != nil {
		t.Fatal(err)
	}
}

func TestServeAndShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "line.json")
	saveRidge(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-model", path}, io.Discard, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	resp, err := http.Post("http://"+addr+"/models/line/predict", "application/json", bytes.NewBufferString(`{"instances": [[10], [0.5]]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got struct {
		Predictions []struct{ Prediction float64 }
	}
	if err := json.Unmarshal(b, &got); resp.StatusCode != 200 || err != nil || len(got.Predictions) != 2 ||
		math.Abs(got.Predictions[0].Prediction-21) > 1e-6 || math.Abs(got.Predictions[1].Prediction-2) > 1e-6 {
		t.Fatalf("%d %s (y = 2x + 1 wanted 21 and 2)", resp.StatusCode, b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(35 * time.Second):
		t.Fatal("no graceful shutdown")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"stray"},
		{"-model", "=x"},
		{"-model", "registry:noversion"},
	} {
		err := run(context.Background(), args, io.Discard, nil)
		if !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
	err := run(context.Background(), []string{"-model", filepath.Join(t.TempDir(), "nope")}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing model: err = %v", err)
	}
}

func TestRegistryModel(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "line.json")
	saveRidge(t, path)
	st, err := track.Open(filepath.Join(dir, "mlruns"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RegisterModel("line", path, ""); err != nil {
		t.Fatal(err)
	}
	name, p, err := resolve("registry:line@1", filepath.Join(dir, "mlruns"))
	if err != nil || name != "line" || p != path {
		t.Fatalf("resolve = %q %q %v", name, p, err)
	}
	if _, _, err := resolve("registry:line@7", filepath.Join(dir, "mlruns")); err == nil {
		t.Fatal("unknown version resolved")
	}
}
