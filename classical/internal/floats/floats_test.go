package floats

import (
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
)

func TestArgmax(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		want int
	}{
		{nil, 0},
		{[]float64{3}, 0},
		{[]float64{1, 5, 2}, 1},
		{[]float64{4, 7, 7, 1}, 1}, // the first on ties
		{[]float64{-3, -1, -2}, 1},
	} {
		if got := Argmax(c.v); got != c.want {
			t.Errorf("Argmax(%v) = %d, want %d", c.v, got, c.want)
		}
	}
}

func TestCentered(t *testing.T) {
	xm := classical.Matrix{Rows: 3, Cols: 2, Data: []float64{1, 10, 2, 20, 6, 30}}
	x, mean := Centered(xm)
	if want := []float64{3, 20}; !slices.Equal(mean, want) {
		t.Fatalf("mean = %v, want %v", mean, want)
	}
	if want := []float64{-2, -10, -1, 0, 3, 10}; !slices.Equal(x, want) {
		t.Fatalf("x = %v, want %v", x, want)
	}
	if xm.Data[0] != 1 {
		t.Fatal("Centered changed its input")
	}
}
