package serve

import (
	"strconv"
	"testing"
)

// BenchmarkDecodeRows decodes a batch of 64 MNIST-sized rows (784 numbers
// each), the body of a batched image-model request.
func BenchmarkDecodeRows(b *testing.B) {
	body := []byte(`{"instances":[`)
	for i := range 64 {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, '[')
		for j := range 784 {
			if j > 0 {
				body = append(body, ',')
			}
			body = strconv.AppendFloat(body, float64((i*784+j)%255)/255, 'g', 6, 64)
		}
		body = append(body, ']')
	}
	body = append(body, ']', '}')
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeRows(body, 784, 1000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "rows/s")
}
