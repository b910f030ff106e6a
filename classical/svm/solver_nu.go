package svm

import "math"

// libsvm's Solver_NU: the ν-formulations (NuSVC, NuSVR) add the constraint
// Σ_{y=+1} α = Σ_{y=−1} α (as a fixed total), so a working pair must share
// its label. The selection, shrinking and offsets below replace the
// standard ones when solver.nu is set; the step itself is the same.

// selectWSNu is libsvm's Solver_NU::select_working_set: the second-order
// choice of j within the label of i, i being the maximiser of −y∇ over
// I_up for that label.
func (s *solver) selectWSNu() (int, int, bool) {
	act := s.active
	gmaxp, gmaxp2, gmaxn, gmaxn2 := math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)
	ip, in := -1, -1
	for t := 0; t < act; t++ {
		if s.y[t] > 0 {
			if !s.upper(t) && -s.g[t] >= gmaxp {
				gmaxp, ip = -s.g[t], t
			}
		} else if !s.lower(t) && s.g[t] >= gmaxn {
			gmaxn, in = s.g[t], t
		}
	}
	var qp, qn []float32
	if ip >= 0 {
		qp = s.kc.row(s.si[ip])
	}
	if in >= 0 {
		qn = s.kc.row(s.si[in])
	}
	gj, objMin := -1, math.Inf(1)
	for j := 0; j < act; j++ {
		if s.y[j] > 0 {
			if s.lower(j) {
				continue
			}
			diff := gmaxp + s.g[j]
			gmaxp2 = max(gmaxp2, s.g[j])
			if diff > 0 && ip >= 0 {
				a := s.qd[ip] + s.qd[j] - 2*s.q(qp, ip, j)
				if a <= 0 {
					a = tau
				}
				if o := -diff * diff / a; o <= objMin {
					gj, objMin = j, o
				}
			}
		} else {
			if s.upper(j) {
				continue
			}
			diff := gmaxn - s.g[j]
			gmaxn2 = max(gmaxn2, -s.g[j])
			if diff > 0 && in >= 0 {
				a := s.qd[in] + s.qd[j] - 2*s.q(qn, in, j)
				if a <= 0 {
					a = tau
				}
				if o := -diff * diff / a; o <= objMin {
					gj, objMin = j, o
				}
			}
		}
	}
	if max(gmaxp+gmaxp2, gmaxn+gmaxn2) < s.eps || gj < 0 {
		return 0, 0, true
	}
	if s.y[gj] > 0 {
		return ip, gj, false
	}
	return in, gj, false
}

// shrinkNu is libsvm's Solver_NU::do_shrinking.
func (s *solver) shrinkNu() {
	s.nextI = -1
	g1, g2, g3, g4 := math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)
	for i := 0; i < s.active; i++ {
		if !s.upper(i) {
			if s.y[i] > 0 {
				g1 = max(g1, -s.g[i])
			} else {
				g4 = max(g4, -s.g[i])
			}
		}
		if !s.lower(i) {
			if s.y[i] > 0 {
				g2 = max(g2, s.g[i])
			} else {
				g3 = max(g3, s.g[i])
			}
		}
	}
	if !s.unshrink && max(g1+g2, g3+g4) <= s.eps*10 {
		s.unshrink = true
		s.reconstruct()
		s.active = len(s.y)
	}
	shrunk := func(i int) bool {
		switch {
		case s.upper(i):
			if s.y[i] > 0 {
				return -s.g[i] > g1
			}
			return -s.g[i] > g4
		case s.lower(i):
			if s.y[i] > 0 {
				return s.g[i] > g2
			}
			return s.g[i] > g3
		}
		return false
	}
	for i := 0; i < s.active; i++ {
		if !shrunk(i) {
			continue
		}
		s.active--
		for s.active > i {
			if !shrunk(s.active) {
				s.swap(i, s.active)
				break
			}
			s.active--
		}
	}
}

// rhoNu is libsvm's Solver_NU::calculate_rho: the offsets r1 and r2 of the
// two labels give rho = (r1 − r2)/2 and r = (r1 + r2)/2.
func (s *solver) rhoNu() (rho, r float64) {
	var nFree [2]int
	var sum [2]float64
	ub := [2]float64{math.Inf(1), math.Inf(1)}
	lb := [2]float64{math.Inf(-1), math.Inf(-1)}
	for i, yi := range s.y {
		c := 0
		if yi < 0 {
			c = 1
		}
		switch {
		case s.upper(i):
			lb[c] = math.Max(lb[c], s.g[i])
		case s.lower(i):
			ub[c] = math.Min(ub[c], s.g[i])
		default:
			nFree[c]++
			sum[c] += s.g[i]
		}
	}
	var rr [2]float64
	for c := range rr {
		if nFree[c] > 0 {
			rr[c] = sum[c] / float64(nFree[c])
		} else {
			rr[c] = (ub[c] + lb[c]) / 2
		}
	}
	return (rr[0] - rr[1]) / 2, (rr[0] + rr[1]) / 2
}
