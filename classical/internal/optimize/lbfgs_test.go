package optimize

import (
	"context"
	"math"
	"testing"
)

func TestRosenbrock(t *testing.T) {
	f := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	x := []float64{-1.2, 1}
	r, err := Minimize(context.Background(), f, x, Settings{MaxIter: 500, GTol: 1e-8})
	if err != nil || math.Abs(x[0]-1) > 1e-4 || math.Abs(x[1]-1) > 1e-4 {
		t.Fatalf("x=%v r=%+v err=%v", x, r, err)
	}
}

func TestL1Soft(t *testing.T) {
	// min 0.5 (x-3)^2 + 0.5 (y-0.5)^2 + |x| + |y|  ->  x = 2, y = 0
	f := func(x, g []float64) float64 {
		g[0], g[1] = x[0]-3, x[1]-0.5
		return 0.5*(x[0]-3)*(x[0]-3) + 0.5*(x[1]-0.5)*(x[1]-0.5)
	}
	x := []float64{0, 0}
	if _, err := Minimize(context.Background(), f, x, Settings{L1: 1, GTol: 1e-9, MaxIter: 200}); err != nil {
		t.Fatal(err)
	}
	if math.Abs(x[0]-2) > 1e-6 || x[1] != 0 {
		t.Fatalf("x=%v", x)
	}
}
