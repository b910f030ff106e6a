package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
