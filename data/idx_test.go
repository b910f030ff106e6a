package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// idxBytes encodes an IDX file.
func idxBytes(typ IDXType, shape []int, payload []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, byte(typ), byte(len(shape))})
	for _, d := range shape {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(payload)
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestReadIDXTypes(t *testing.T) {
	f32 := make([]byte, 8)
	binary.BigEndian.PutUint32(f32, math.Float32bits(1.5))
	binary.BigEndian.PutUint32(f32[4:], math.Float32bits(-2))
	f64 := make([]byte, 8)
	binary.BigEndian.PutUint64(f64, math.Float64bits(3.25))
	cases := []struct {
		typ     IDXType
		shape   []int
		payload []byte
		want    []float64
	}{
		{IDXUint8, []int{2, 3}, []byte{0, 1, 2, 253, 254, 255}, []float64{0, 1, 2, 253, 254, 255}},
		{IDXInt8, []int{2}, []byte{0x7f, 0x80}, []float64{127, -128}},
		{IDXInt16, []int{2}, []byte{0x01, 0x02, 0xff, 0xfe}, []float64{258, -2}},
		{IDXInt32, []int{1, 1}, []byte{0xff, 0xff, 0xff, 0xfd}, []float64{-3}},
		{IDXFloat32, []int{2}, f32, []float64{1.5, -2}},
		{IDXFloat64, []int{1}, f64, []float64{3.25}},
	}
	for _, c := range cases {
		raw := idxBytes(c.typ, c.shape, c.payload)
		for _, in := range [][]byte{raw, gz(raw)} {
			m, err := ReadIDX(bytes.NewReader(in))
			if err != nil {
				t.Fatalf("%v: %v", c.typ, err)
			}
			if m.Type != c.typ || len(m.Shape) != len(c.shape) || m.Len() != len(c.want) {
				t.Fatalf("%v: got type %v shape %v", c.typ, m.Type, m.Shape)
			}
			x := m.Tensor(tensor.Float64, 1)
			for i, w := range c.want {
				if m.Value(i) != w || x.Float64s()[i] != w {
					t.Fatalf("%v: element %d = %v, want %v", c.typ, i, m.Value(i), w)
				}
			}
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "too short for the magic"},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 1, 7}, "bad magic"},
		{"unknown type", []byte{0, 0, 7, 1, 0, 0, 0, 1, 7}, "unknown element type"},
		{"no dims", []byte{0, 0, 8, 0}, "no dimensions"},
		{"short dims", []byte{0, 0, 8, 2, 0, 0, 0, 1}, "too short for 2 dimension"},
		{"truncated", idxBytes(IDXUint8, []int{2, 2}, []byte{1, 2, 3}), "holds 3"},
		{"extra", idxBytes(IDXUint8, []int{2}, []byte{1, 2, 3}), "holds more"},
		{"huge", idxBytes(IDXFloat64, []int{1 << 30, 1 << 30}, nil), "more than"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, "gzip"},
	}
	for _, c := range cases {
		_, err := ReadIDX(bytes.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// A truncated gzip stream is an error too.
	full := gz(idxBytes(IDXUint8, []int{100}, make([]byte, 100)))
	if _, err := ReadIDX(bytes.NewReader(full[:len(full)-10])); err == nil {
		t.Error("truncated gzip accepted")
	}
}

func writeMNIST(t *testing.T, dir, prefix string, n int, compress bool, labelShift int) {
	t.Helper()
	img := make([]byte, n*28*28)
	lab := make([]byte, n)
	for i := range n {
		img[i*28*28+i] = 255
		lab[i] = byte((i + labelShift) % 10)
	}
	files := map[string][]byte{
		prefix + "-images-idx3-ubyte": idxBytes(IDXUint8, []int{n, 28, 28}, img),
		prefix + "-labels-idx1-ubyte": idxBytes(IDXUint8, []int{n}, lab),
	}
	for name, b := range files {
		if compress {
			name, b = name+".gz", gz(b)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadMNIST(t *testing.T) {
	dir := t.TempDir()
	writeMNIST(t, dir, "train", 5, true, 0)
	writeMNIST(t, dir, "t10k", 3, false, 1)
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := train.X().Shape(); len(s) != 4 || s[0] != 5 || s[1] != 1 || s[2] != 28 || s[3] != 28 {
		t.Fatalf("train x shape %v", s)
	}
	if test.Len() != 3 {
		t.Fatalf("test has %d examples", test.Len())
	}
	x, y, _ := train.Get(2)
	if x.At(0, 0, 2) != 1 || x.At(0, 0, 3) != 0 || y.Item() != 2 {
		t.Fatalf("train example 2: pixel %v label %v", x.At(0, 0, 2), y.Item())
	}
	if _, y, _ := test.Get(0); y.Item() != 1 {
		t.Fatalf("test label 0 = %v", y.Item())
	}
	if len(train.ClassNames()) != 10 {
		t.Fatalf("class names %v", train.ClassNames())
	}

	// Missing files and mismatched counts are errors naming the problem.
	if _, _, err := LoadMNIST(t.TempDir()); err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte") {
		t.Fatalf("empty dir: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), idxBytes(IDXUint8, []int{2}, []byte{1, 2}), 0o644)
	if _, _, err := LoadMNIST(dir); err == nil || !strings.Contains(err.Error(), "3 images but 2 labels") {
		t.Fatalf("count mismatch: %v", err)
	}
	// A raw file whose length disagrees with its header is reported with its path.
	os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), idxBytes(IDXUint8, []int{3}, []byte{1, 2}), 0o644)
	if _, _, err := LoadMNIST(dir); err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") || !strings.Contains(err.Error(), "holds 2") {
		t.Fatalf("short file: %v", err)
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(IDXUint8, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6}))
	f.Add(gz(idxBytes(IDXInt16, []int{2}, []byte{1, 2, 3, 4})))
	f.Add(idxBytes(IDXFloat64, []int{1}, make([]byte, 8)))
	f.Add([]byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28})
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		n := 1
		for _, d := range m.Shape {
			n *= d
		}
		if n != m.Len() || len(m.Data) != n*m.Type.Size() {
			t.Fatalf("shape %v with %d bytes", m.Shape, len(m.Data))
		}
		if n > 0 && n < 1<<16 {
			m.Tensor(tensor.Float32, 1)
		}
		if len(m.Shape) == 3 || len(m.Shape) == 1 {
			mnistFromIDX(m, m)
		}
	})
}
