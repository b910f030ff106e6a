// Package testdata loads the small scikit-learn tables in
// classical/testdata for tests, examples and benchmarks.
package testdata

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/ember-ml/ember/tensor"
)

// Dir returns the classical/testdata directory.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

// Load reads classical/testdata/name (e.g. "iris.csv").
func Load(name string) (X, y *tensor.Tensor, err error) {
	return LoadFile(filepath.Join(Dir(), name), true)
}

// LoadFile reads a scikit-learn style CSV: an optional header
// "n,features,names...", then rows of features and a label (last column).
// Files ending in .gz are decompressed.
func LoadFile(path string, header bool) (X, y *tensor.Tensor, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, err
		}
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var xs, ys []float64
	p := -1
	first := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if first && header {
			first = false
			continue
		}
		first = false
		fields := strings.Split(line, ",")
		if p < 0 {
			p = len(fields) - 1
		}
		if len(fields) != p+1 {
			return nil, nil, fmt.Errorf("%s: row with %d fields, want %d", path, len(fields), p+1)
		}
		for i, s := range fields {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %v", path, err)
			}
			if i == p {
				ys = append(ys, v)
			} else {
				xs = append(xs, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	return tensor.FromFloat64(xs, len(ys), p), tensor.FromFloat64(ys, len(ys)), nil
}
