// Package optimize holds the smooth optimisers the classical estimators
// share: L-BFGS (as scipy's L-BFGS-B without bounds, which scikit-learn's
// "lbfgs" solver uses) and its orthant-wise variant OWL-QN for objectives
// with an L1 term (Andrew and Gao, 2007).
package optimize

import (
	"context"
	"math"
)

// Func evaluates the objective at x, writes its gradient into grad and
// returns the value.
type Func func(x, grad []float64) float64

// Settings control Minimize.
type Settings struct {
	// MaxIter bounds the iterations (default 100).
	MaxIter int
	// GTol stops when the largest absolute (pseudo-)gradient entry is at
	// most GTol (scipy's gtol / pgtol; default 1e-4).
	GTol float64
	// FTol stops when the relative decrease of f is at most FTol
	// (default 64 machine epsilons, as scikit-learn sets).
	FTol float64
	// M is the number of correction pairs kept (default 10, as scipy).
	M int
	// L1 adds L1 * sum |x[i]| over the indices where L1Mask is true (all
	// when L1Mask is nil) and switches to OWL-QN.
	L1     float64
	L1Mask []bool
	// MaxLineSearch bounds the function evaluations of one line search
	// (default 50, as scikit-learn sets).
	MaxLineSearch int
}

// Result reports how Minimize ended.
type Result struct {
	F         float64
	Iter      int
	FunEvals  int
	Converged bool
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// Minimize minimises f (+ the L1 term) from x, which it updates in place.
// It returns ctx.Err() if ctx is cancelled between iterations.
func Minimize(ctx context.Context, f Func, x []float64, s Settings) (Result, error) {
	if s.MaxIter <= 0 {
		s.MaxIter = 100
	}
	if s.GTol <= 0 {
		s.GTol = 1e-4
	}
	if s.FTol <= 0 {
		s.FTol = 64 * 2.220446049250313e-16
	}
	if s.M <= 0 {
		s.M = 10
	}
	if s.MaxLineSearch <= 0 {
		s.MaxLineSearch = 50
	}
	n := len(x)
	l1 := s.L1
	inL1 := func(i int) bool { return l1 > 0 && (s.L1Mask == nil || s.L1Mask[i]) }
	obj := func(x, g []float64) float64 {
		v := f(x, g)
		if l1 > 0 {
			for i, xi := range x {
				if inL1(i) {
					v += l1 * math.Abs(xi)
				}
			}
		}
		return v
	}
	// pseudo-gradient of the L1-regularised objective.
	pseudo := func(x, g, pg []float64) {
		for i := range x {
			if !inL1(i) {
				pg[i] = g[i]
				continue
			}
			switch {
			case x[i] > 0:
				pg[i] = g[i] + l1
			case x[i] < 0:
				pg[i] = g[i] - l1
			case g[i]+l1 < 0:
				pg[i] = g[i] + l1
			case g[i]-l1 > 0:
				pg[i] = g[i] - l1
			default:
				pg[i] = 0
			}
		}
	}
	g := make([]float64, n)
	pg := make([]float64, n)
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	alpha := make([]float64, s.M)
	sHist := make([][]float64, 0, s.M)
	yHist := make([][]float64, 0, s.M)
	rho := make([]float64, 0, s.M)

	fx := obj(x, g)
	res := Result{F: fx, FunEvals: 1}
	maxAbs := func(v []float64) float64 {
		m := 0.0
		for _, e := range v {
			m = max(m, math.Abs(e))
		}
		return m
	}
	for res.Iter = 0; res.Iter < s.MaxIter; res.Iter++ {
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		pseudo(x, g, pg)
		if maxAbs(pg) <= s.GTol {
			res.Converged = true
			break
		}
		// Two-loop recursion on the pseudo-gradient.
		for i := range d {
			d[i] = -pg[i]
		}
		k := len(sHist)
		for j := k - 1; j >= 0; j-- {
			alpha[j] = rho[j] * dot(sHist[j], d)
			for i := range d {
				d[i] -= alpha[j] * yHist[j][i]
			}
		}
		if k > 0 {
			gamma := dot(sHist[k-1], yHist[k-1]) / dot(yHist[k-1], yHist[k-1])
			for i := range d {
				d[i] *= gamma
			}
		}
		for j := 0; j < k; j++ {
			b := rho[j] * dot(yHist[j], d)
			for i := range d {
				d[i] += sHist[j][i] * (alpha[j] - b)
			}
		}
		if l1 > 0 {
			// Constrain the direction to the orthant of -pg.
			for i := range d {
				if inL1(i) && d[i]*pg[i] >= 0 {
					d[i] = 0
				}
			}
		}
		dg := dot(d, pg)
		if dg >= 0 {
			// Not a descent direction: restart from steepest descent.
			for i := range d {
				d[i] = -pg[i]
			}
			dg = dot(d, pg)
			sHist, yHist, rho = sHist[:0], yHist[:0], rho[:0]
		}
		step := 1.0
		if k == 0 {
			step = math.Min(1, 1/math.Max(maxAbs(pg), 1e-300))
		}
		// Backtracking line search (Armijo) with the OWL-QN projection;
		// without L1 a weak curvature condition is also sought by
		// expanding the step when the slope is still steep.
		var fn float64
		ok := false
		for ls := 0; ls < s.MaxLineSearch; ls++ {
			for i := range x {
				xn[i] = x[i] + step*d[i]
				if inL1(i) {
					orth := x[i]
					if orth == 0 {
						orth = -pg[i]
					}
					if xn[i]*orth <= 0 {
						xn[i] = 0
					}
				}
			}
			fn = obj(xn, gn)
			res.FunEvals++
			dec := 0.0
			if l1 > 0 {
				for i := range x {
					dec += (xn[i] - x[i]) * pg[i]
				}
			} else {
				dec = step * dg
			}
			if fn <= fx+1e-4*dec && !math.IsNaN(fn) {
				ok = true
				break
			}
			step *= 0.5
		}
		if !ok {
			break
		}
		// Update history.
		var sv, yv []float64
		if len(sHist) == s.M {
			sv, yv = sHist[0], yHist[0]
			sHist, yHist, rho = sHist[1:], yHist[1:], rho[1:]
		} else {
			sv, yv = make([]float64, n), make([]float64, n)
		}
		for i := range x {
			sv[i] = xn[i] - x[i]
			yv[i] = gn[i] - g[i]
		}
		sy := dot(sv, yv)
		if sy > 1e-10*dot(yv, yv) {
			sHist = append(sHist, sv)
			yHist = append(yHist, yv)
			rho = append(rho, 1/sy)
		}
		prev := fx
		copy(x, xn)
		copy(g, gn)
		fx = fn
		res.F = fx
		if (prev-fx)/math.Max(math.Max(math.Abs(prev), math.Abs(fx)), 1) <= s.FTol {
			res.Converged = true
			res.Iter++
			break
		}
	}
	res.F = fx
	return res, nil
}
