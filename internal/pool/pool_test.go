package pool

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naive pools with an explicit loop: the maximum of each window and the
// position of its winner (a NaN beats every number, the first one wins).
func naive(src []float64, h, w int) (out []float64, arg []uint8) {
	for oy := 0; oy < h/2; oy++ {
		for ox := 0; ox < w/2; ox++ {
			best, bi := math.Inf(-1), -1
			for k := 0; k < 4; k++ {
				v := src[(2*oy+k/2)*w+2*ox+k%2]
				if bi < 0 || v > best || (v != v && best == best) {
					best, bi = v, k
				}
			}
			out = append(out, best)
			arg = append(arg, uint8(bi))
		}
	}
	return out, arg
}

func TestMax2x2Hand(t *testing.T) {
	// A 3×5 plane: the last row and column are outside every window.
	src := []float64{
		1, 4, 2, 2, 9,
		3, 0, 2, 7, 9,
		9, 9, 9, 9, 9,
	}
	out := make([]float64, 2)
	arg := make([]uint8, 2)
	Max2x2(out, src, arg, 3, 5)
	if out[0] != 4 || out[1] != 7 || arg[0] != 1 || arg[1] != 3 {
		t.Fatalf("got %v %v, want [4 7] [1 3]", out, arg)
	}
	d := make([]float64, 15)
	for i := range d {
		d[i] = 99 // must be overwritten
	}
	Max2x2Backward(d, []float64{10, 20}, arg, 3, 5)
	want := []float64{0, 10, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0}
	for i := range want {
		if d[i] != want[i] {
			t.Fatalf("Max2x2Backward = %v, want %v", d, want)
		}
	}
	clear(d)
	d[0] = 99
	Max2x2BackwardFrom(d, []float64{10, 20}, src, 3, 5)
	for i := range want {
		if d[i] != want[i] {
			t.Fatalf("Max2x2BackwardFrom = %v, want %v", d, want)
		}
	}
}

func TestMax2x2MatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, hw := range [][2]int{{2, 2}, {4, 4}, {5, 7}, {6, 3}, {26, 26}, {3, 2}, {2, 32}, {7, 35}, {4, 48}} {
		h, w := hw[0], hw[1]
		for trial := 0; trial < 50; trial++ {
			src := make([]float64, h*w)
			for i := range src {
				// Few distinct values, so ties are common; some NaNs and
				// infinities.
				switch k := r.IntN(20); {
				case k == 0:
					src[i] = math.NaN()
				case k == 1:
					src[i] = math.Inf(-1)
				case k == 2:
					src[i] = math.Inf(1)
				case k == 3:
					src[i] = math.Copysign(0, -1) // -0 ties with +0; the first wins
				default:
					src[i] = float64(r.IntN(4) - 2)
				}
			}
			src32 := make([]float32, len(src))
			for i, v := range src {
				src32[i] = float32(v)
			}
			checkMax2x2(t, src, h, w)
			checkMax2x2(t, src32, h, w)
		}
	}
}

// checkMax2x2 compares every kernel on one plane with naive.
func checkMax2x2[T Float](t *testing.T, src []T, h, w int) {
	t.Helper()
	src64 := make([]float64, len(src))
	for i, v := range src {
		src64[i] = float64(v)
	}
	wantOut, wantArg := naive(src64, h, w)
	n := len(wantOut)
	out, out2, arg := make([]T, n), make([]T, n), make([]uint8, n)
	Max2x2(out, src, arg, h, w)
	Max2x2(out2, src, nil, h, w)
	for i := range n {
		for _, got := range []float64{float64(out[i]), float64(out2[i])} {
			if (got != wantOut[i] || math.Signbit(got) != math.Signbit(wantOut[i])) && !(math.IsNaN(got) && math.IsNaN(wantOut[i])) {
				t.Fatalf("%T %dx%d window %d of %v: got %v, want %v", src, h, w, i, src, got, wantOut[i])
			}
		}
		if arg[i] != wantArg[i] {
			t.Fatalf("%T %dx%d window %d of %v: winner %d, want %d", src, h, w, i, src, arg[i], wantArg[i])
		}
	}
	g := make([]T, n)
	for i := range g {
		g[i] = T(i + 1)
	}
	wantD := make([]T, h*w)
	for i, a := range wantArg {
		oy, ox := i/(w/2), i%(w/2)
		wantD[(2*oy+int(a)/2)*w+2*ox+int(a)%2] = g[i]
	}
	d1, d2 := make([]T, h*w), make([]T, h*w)
	for i := range d1 {
		d1[i], d2[i] = 99, 99 // must be overwritten
	}
	Max2x2Backward(d1, g, arg, h, w)
	Max2x2BackwardFrom(d2, g, src, h, w)
	for i := range wantD {
		if d1[i] != wantD[i] || d2[i] != wantD[i] {
			t.Fatalf("%T %dx%d gradient %d: got %v and %v, want %v", src, h, w, i, d1[i], d2[i], wantD[i])
		}
	}
}
