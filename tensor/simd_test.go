package tensor

import (
	"math"
	"testing"
)

// TestSIMDLoops checks the assembly add/mul/sum loops (where the machine
// has them) against plain loops for every length up to 100 and unaligned
// starts.
func TestSIMDLoops(t *testing.T) {
	a := make([]float32, 140)
	b := make([]float32, 140)
	for i := range a {
		a[i] = float32(i%13) - 6.5
		b[i] = float32(i%7)*0.25 + 1
	}
	for off := 0; off < 3; off++ {
		for n := 0; n <= 100; n++ {
			x, y := a[off:off+n], b[off:off+n]
			d := make([]float32, n+1)
			d[n] = 42
			if addF32(d[:n], x, y) {
				for i := range n {
					if d[i] != x[i]+y[i] {
						t.Fatalf("add n=%d off=%d: d[%d]=%v, want %v", n, off, i, d[i], x[i]+y[i])
					}
				}
			}
			if mulF32(d[:n], x, y) {
				for i := range n {
					if d[i] != x[i]*y[i] {
						t.Fatalf("mul n=%d off=%d: d[%d]=%v, want %v", n, off, i, d[i], x[i]*y[i])
					}
				}
			}
			if d[n] != 42 {
				t.Fatalf("n=%d: wrote past the end", n)
			}
			if s, ok := sumF32(x); ok {
				var want float64
				for _, v := range x {
					want += float64(v)
				}
				if math.Abs(s-want) > 1e-4 {
					t.Fatalf("sum n=%d off=%d = %v, want %v", n, off, s, want)
				}
			}
		}
	}
	big := make([]float32, 3*sumBlock+5)
	for i := range big {
		big[i] = 0.1
	}
	if s, ok := sumF32(big); ok && math.Abs(s-0.1*float64(len(big))) > 1e-3 {
		t.Errorf("sum of %d × 0.1 = %v", len(big), s)
	}
}

func BenchmarkSIMDLoops(b *testing.B) {
	x := make([]float32, 1<<14)
	y := make([]float32, 1<<14)
	d := make([]float32, 1<<14)
	b.Run("sum/asm", func(b *testing.B) {
		for b.Loop() {
			sumF32(x)
		}
	})
	b.Run("sum/go", func(b *testing.B) {
		for b.Loop() {
			reduceContig(ReduceSum, x[:31]) // warm path selection
			var a0 float64
			for _, v := range x {
				a0 += float64(v)
			}
			_ = a0
		}
	})
	b.Run("add/asm", func(b *testing.B) {
		for b.Loop() {
			addF32(d, x, y)
		}
	})
	b.Run("add/go", func(b *testing.B) {
		for b.Loop() {
			for i := range d {
				d[i] = x[i] + y[i]
			}
		}
	})
}

// TestExpF32 checks the vector exponential against math.Exp over the whole
// range, at the overflow and underflow edges, and for NaN.
func TestExpF32(t *testing.T) {
	var xs []float32
	for x := float32(-110); x <= 95; x += 0.01731 {
		xs = append(xs, x)
	}
	xs = append(xs, 0, -0, 88.72, 88.73, -87.3, -103.9, -150, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-30)
	d := make([]float32, len(xs))
	expF32(d, xs)
	for i, x := range xs {
		want := math.Exp(float64(x))
		got := float64(d[i])
		switch {
		case math.IsNaN(want):
			if !math.IsNaN(got) {
				t.Errorf("exp(%v) = %v, want NaN", x, got)
			}
		case float64(float32(want)) == 0 || math.IsInf(float64(float32(want)), 1):
			if got != float64(float32(want)) && math.Abs(got-want) > 1e-44 {
				t.Errorf("exp(%v) = %v, want %v", x, got, float32(want))
			}
		case want < 1.2e-38: // denormal results: absolute error
			if math.Abs(got-want) > 1e-44 {
				t.Errorf("exp(%v) = %v, want %v", x, got, want)
			}
		default:
			if e := math.Abs(got-want) / want; e > 3e-7 {
				t.Errorf("exp(%v) = %v, want %v (relative error %.3g)", x, got, want, e)
			}
		}
	}
}

func TestSigmoidF32(t *testing.T) {
	var xs []float32
	for x := float32(-120); x <= 120; x += 0.0137 {
		xs = append(xs, x)
	}
	xs = append(xs, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0, -0, 1, 2, 3, 4, 5)
	d := make([]float32, len(xs))
	sigmoidF32(d, xs)
	for i, x := range xs {
		want := 1 / (1 + math.Exp(-float64(x)))
		got := float64(d[i])
		if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && math.Abs(got-want) > 4e-7*want+1e-37) {
			t.Errorf("sigmoid(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestTanhF32(t *testing.T) {
	var xs []float32
	for x := float32(-12); x <= 12; x += 0.00731 {
		xs = append(xs, x)
	}
	xs = append(xs, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0, 0.624, 0.626, -0.624, -0.626, 1e-20, 50, -50)
	d := make([]float32, len(xs))
	tanhF32(d, xs)
	for i, x := range xs {
		want := math.Tanh(float64(x))
		got := float64(d[i])
		if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && math.Abs(got-want) > 4e-7*math.Abs(want)) {
			t.Errorf("tanh(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestAccSumF32(t *testing.T) {
	for n := 0; n < 40; n++ {
		acc := make([]float64, n+1)
		row := make([]float32, n)
		for i := range row {
			acc[i] = float64(i) * 0.5
			row[i] = float32(i)*0.25 - 3
		}
		acc[n] = 7
		if !accSumF32(acc[:n], row) {
			return
		}
		for i := range n {
			if want := float64(i)*0.5 + float64(float32(i)*0.25-3); acc[i] != want {
				t.Fatalf("n=%d: acc[%d]=%v, want %v", n, i, acc[i], want)
			}
		}
		if acc[n] != 7 {
			t.Fatalf("n=%d: wrote past the end", n)
		}
	}
}

func TestMaxMinF32(t *testing.T) {
	for n := 8; n < 70; n++ {
		for pos := 0; pos < n; pos++ {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32((i*7)%11) - 5
			}
			x[pos] = 100
			if m, ok := maxMinF32(x, false); ok && m != 100 {
				t.Fatalf("max n=%d pos=%d = %v", n, pos, m)
			}
			x[pos] = -100
			if m, ok := maxMinF32(x, true); ok && m != -100 {
				t.Fatalf("min n=%d pos=%d = %v", n, pos, m)
			}
			x[pos] = float32(math.NaN())
			if m, ok := maxMinF32(x, false); ok && !math.IsNaN(m) {
				t.Fatalf("max with NaN n=%d pos=%d = %v", n, pos, m)
			}
			if m, ok := maxMinF32(x, true); ok && !math.IsNaN(m) {
				t.Fatalf("min with NaN n=%d pos=%d = %v", n, pos, m)
			}
		}
	}
}

func TestTransposeF32(t *testing.T) {
	for _, rc := range [][2]int{{8, 8}, {16, 24}, {13, 21}, {7, 9}, {1, 30}, {33, 8}} {
		rows, cols := rc[0], rc[1]
		lds, ldd := rows+3, cols+5
		s := make([]float32, cols*lds)
		for i := range s {
			s[i] = float32(i)
		}
		d := make([]float32, rows*ldd)
		if !transposeF32(d, ldd, s, lds, rows, cols) {
			return
		}
		for i := range rows {
			for j := range cols {
				if d[i*ldd+j] != s[j*lds+i] {
					t.Fatalf("%dx%d: d[%d,%d]=%v, want %v", rows, cols, i, j, d[i*ldd+j], s[j*lds+i])
				}
			}
		}
	}
}

func TestAccSum4F32(t *testing.T) {
	for n := 0; n < 40; n++ {
		acc := make([]float64, n+1)
		rows := make([][]float32, 4)
		for k := range rows {
			rows[k] = make([]float32, n)
			for i := range rows[k] {
				rows[k][i] = float32(i*(k+1))*0.37 - float32(k)
			}
		}
		for i := range n {
			acc[i] = float64(i) * 0.5
		}
		acc[n] = 7
		done := accSum4F32(acc[:n], rows[0], rows[1], rows[2], rows[3])
		if done != n&^3 && done != 0 {
			t.Fatalf("n=%d: did %d", n, done)
		}
		for i := range done {
			r := func(k int) float64 { return float64(rows[k][i]) }
			if want := float64(i)*0.5 + ((r(0) + r(1)) + (r(2) + r(3))); acc[i] != want {
				t.Fatalf("n=%d: acc[%d]=%v, want %v", n, i, acc[i], want)
			}
		}
		if acc[n] != 7 {
			t.Fatalf("n=%d: wrote past the end", n)
		}
	}
}
