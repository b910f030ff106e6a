package tensor_test

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// FuzzFromValues feeds arbitrary shapes and values: FromValues must return
// an error or a tensor holding exactly the values, never panic.
func FuzzFromValues(f *testing.F) {
	f.Add([]byte{2, 3}, []byte{1, 2, 3, 4, 5, 6}, false)
	f.Add([]byte{}, []byte{7}, true)
	f.Add([]byte{0, 5}, []byte{}, false)
	f.Add([]byte{255, 255, 255, 255, 255, 255, 255, 127, 2}, []byte{1}, true)
	f.Fuzz(func(t *testing.T, shapeBytes, valueBytes []byte, f64 bool) {
		// Shapes from 8-byte little-endian words (so huge and negative
		// dimensions occur), or single bytes when shorter.
		var shape []int
		if len(shapeBytes) >= 8 {
			for i := 0; i+8 <= len(shapeBytes) && len(shape) < 6; i += 8 {
				shape = append(shape, int(int64(binary.LittleEndian.Uint64(shapeBytes[i:]))))
			}
		} else {
			for _, b := range shapeBytes {
				shape = append(shape, int(int8(b)))
			}
		}
		values := make([]float64, len(valueBytes))
		for i, b := range valueBytes {
			values[i] = float64(int8(b)) / 4
		}
		dt := tensor.Float32
		if f64 {
			dt = tensor.Float64
		}
		x, err := tensor.FromValues(dt, values, shape...)
		if err != nil {
			return
		}
		if x.Size() != len(values) || !slices.Equal(x.Float64s(), values) {
			t.Fatalf("FromValues(%v) = %v", shape, x)
		}
		if len(shape) > 0 && !slices.Equal(x.Shape(), shape) {
			t.Fatalf("shape %v, want %v", x.Shape(), shape)
		}
		// Views and reductions of what came in stay consistent.
		if x.Dim() > 0 && x.Size() > 0 {
			s := tensor.Sum(x.Reshape(-1)).Item()
			var want float64
			for _, v := range values {
				want += v
			}
			if math.Abs(s-want) > 1e-3*(1+math.Abs(want)) {
				t.Fatalf("Sum = %v, want %v", s, want)
			}
		}
	})
}

// FuzzReshape checks that Reshape either panics with a tensor: message or
// keeps the number of elements.
func FuzzReshape(f *testing.F) {
	f.Add(int64(6), int64(2), int64(3))
	f.Add(int64(6), int64(-1), int64(2))
	f.Add(int64(0), int64(1<<32), int64(1<<32))
	f.Add(int64(4), int64(-1), int64(0))
	f.Fuzz(func(t *testing.T, n, a, b int64) {
		if n < 0 || n > 1000 {
			return
		}
		x := tensor.Zeros(tensor.Float32, int(n))
		defer func() {
			if r := recover(); r != nil {
				if msg, ok := r.(string); !ok || len(msg) < 8 || msg[:8] != "tensor: " {
					t.Fatalf("Reshape(%d, %d) of %d elements: panic %v", a, b, n, r)
				}
			}
		}()
		y := x.Reshape(int(a), int(b))
		if y.Size() != int(n) || y.Shape()[0]*y.Shape()[1] != int(n) {
			t.Fatalf("Reshape(%d, %d) of %d elements gave %v", a, b, n, y.Shape())
		}
	})
}
