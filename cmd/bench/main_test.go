package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ember-ml/ember/cuda"
)

func TestGemmJSON(t *testing.T) {
	var out, log bytes.Buffer
	err := run([]string{"-suite", "gemm", "-json", "-sizes", "16,33", "-threads", "1,2", "-dtype", "float32,float64", "-budget", "10ms"}, &out, &log)
	if err != nil {
		t.Fatal(err, log.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	impls := map[string]int{}
	for _, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if r["suite"] != "gemm" || r["gflops"].(float64) <= 0 {
			t.Errorf("bad line %q", l)
		}
		for _, key := range []string{"impl", "dtype", "n", "threads"} {
			if _, ok := r[key]; !ok {
				t.Errorf("line %q lacks %q", l, key)
			}
		}
		impls[r["impl"].(string)]++
	}
	// 2 sizes × 2 thread counts × 2 dtypes per implementation.
	if impls["ember"] != 8 || impls["gonum"] != 8 {
		t.Errorf("lines per impl = %v, want 8 each for ember and gonum", impls)
	}
	if !strings.HasPrefix(lines[0], `{"suite":"gemm","impl":"ember","dtype":"float32","n":16,"threads":1,"gflops":`) {
		t.Errorf("first line %q not in the documented field order", lines[0])
	}
}

func TestTableAndSuites(t *testing.T) {
	var out, log bytes.Buffer
	if err := run([]string{"-sizes", "8", "-threads", "1", "-dtype", "float64", "-budget", "5ms"}, &out, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ember/gonum") || !strings.Contains(out.String(), "float64") {
		t.Errorf("table output:\n%s", out.String())
	}
	if err := run([]string{"-suite", "nope"}, &out, &log); err == nil {
		t.Error("unknown suite: no error")
	}
	if err := run([]string{"-dtype", "int8"}, &out, &log); err == nil {
		t.Error("bad dtype: no error")
	}
	if err := run([]string{"-sizes", "0"}, &out, &log); err == nil {
		t.Error("bad size: no error")
	}
	out.Reset()
	if err := run([]string{"-suite", "list"}, &out, &log); err != nil || !strings.Contains(out.String(), "gemm-cnn") {
		t.Errorf("list: %v %q", err, out.String())
	}
}

// TestDeviceSuites runs every device suite on the CPU: one JSON line per
// measurement with the documented fields, and a table otherwise; asking
// for a GPU on a machine without one is an error, and "all" says so on the
// log and measures the CPU.
func TestDeviceSuites(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the seeds' CNN for a few steps")
	}
	var out, log bytes.Buffer
	if err := run([]string{"-suite", "all", "-device", "cpu", "-json", "-sizes", "32", "-dtype", "float32", "-budget", "1ms"}, &out, &log); err != nil {
		t.Fatal(err, log.String())
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		for _, key := range []string{"suite", "device", "impl", "dtype", "shape", "ms"} {
			if _, ok := r[key]; !ok {
				t.Errorf("line %q lacks %q", l, key)
			}
		}
		gf, _ := r["gflops"].(float64)
		ips, _ := r["images_per_sec"].(float64)
		if r["device"] != "cpu" || (gf <= 0) == (ips <= 0) {
			t.Errorf("bad line %q", l)
		}
		seen[r["suite"].(string)] = true
	}
	for _, s := range []string{"matmul", "conv-forward", "conv-backward-data", "conv-backward-filter", "cnn-train-step", "cnn-inference"} {
		if !seen[s] {
			t.Errorf("no %s measurement in\n%s", s, out.String())
		}
	}
	out.Reset()
	if err := run([]string{"-suite", "matmul", "-device", "cpu", "-sizes", "16", "-dtype", "float64", "-budget", "1ms"}, &out, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "GFLOP/s") || !strings.Contains(out.String(), "16x16x16") {
		t.Errorf("table:\n%s", out.String())
	}
	if err := run([]string{"-suite", "matmul", "-device", "tpu"}, &out, &log); err == nil {
		t.Error("-device tpu accepted")
	}
	if _, err := cuda.Open(0); err != nil {
		log.Reset()
		if err := run([]string{"-suite", "matmul", "-device", "cuda", "-sizes", "16"}, &out, &log); err == nil {
			t.Error("-device cuda without a GPU: no error")
		}
		out.Reset()
		if err := run([]string{"-suite", "matmul", "-device", "all", "-sizes", "16", "-dtype", "float32", "-budget", "1ms"}, &out, &log); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log.String(), "no GPU") || !strings.Contains(out.String(), "cpu") {
			t.Errorf("-device all without a GPU: log %q, table:\n%s", log.String(), out.String())
		}
	}
}
