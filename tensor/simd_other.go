//go:build noasm || !amd64

package tensor

func addF32(d, a, b []float32) bool      { return false }
func mulF32(d, a, b []float32) bool      { return false }
func sumF32(x []float32) (float64, bool) { return 0, false }

func expF32(d, s []float32) {
	for i := range d {
		d[i] = expf(s[i])
	}
}

func sigmoidF32(d, s []float32) {
	for i := range d {
		d[i] = 1 / (1 + expf(-s[i]))
	}
}

func tanhF32(d, s []float32) {
	for i := range d {
		d[i] = tanhf(s[i])
	}
}

func reluF32(d, s []float32) bool                 { return false }
func affineF32(d, s []float32, a, b float32) bool { return false }

func accSumF32(acc []float64, row []float32) bool { return false }

func accSum4F32(acc []float64, r0, r1, r2, r3 []float32) int { return 0 }

func maxMinF32(x []float32, isMin bool) (float64, bool) { return 0, false }

func transposeF32(d []float32, ldd int, s []float32, lds int, rows, cols int) bool { return false }
