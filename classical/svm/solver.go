package svm

import (
	"container/list"
	"context"
	"math"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// kernel evaluates one of the four kernels of libsvm on row-major data.
type kernel struct {
	kind   string // linear, poly, rbf, sigmoid
	gamma  float64
	coef0  float64
	degree int
}

func (k kernel) fromDot(dot, sqa, sqb float64) float64 {
	switch k.kind {
	case "linear":
		return dot
	case "poly":
		return math.Pow(k.gamma*dot+k.coef0, float64(k.degree))
	case "rbf":
		return math.Exp(-k.gamma * math.Max(sqa+sqb-2*dot, 0))
	default: // sigmoid
		return math.Tanh(k.gamma*dot + k.coef0)
	}
}

// matrix computes K(A, B) [na, nb] with one GEMM for the dot products.
func (k kernel) matrix(A classical.Matrix, B classical.Matrix) []float64 {
	dots := tensor.MatMul(A.Tensor(), B.Tensor().T()).Float64s()
	if k.kind == "linear" {
		return dots
	}
	var sqa, sqb []float64
	if k.kind == "rbf" {
		sqa, sqb = sqNorms(A), sqNorms(B)
	}
	nb := B.Rows
	parallel.For(A.Rows, max(1, 4096/max(nb, 1)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := dots[i*nb : (i+1)*nb]
			for j := range row {
				var a, b float64
				if sqa != nil {
					a, b = sqa[i], sqb[j]
				}
				row[j] = k.fromDot(row[j], a, b)
			}
		}
	})
	return dots
}

func sqNorms(m classical.Matrix) []float64 {
	out := make([]float64, m.Rows)
	for i := range out {
		s := 0.0
		for _, v := range m.Row(i) {
			s += v * v
		}
		out[i] = s
	}
	return out
}

// kcache computes kernel rows K(x_i, ·) over the samples of a problem on
// demand and keeps them (float32, as libsvm) in an LRU cache bounded in
// bytes.
type kcache struct {
	k      kernel
	x      classical.Matrix
	sq     []float64
	budget int // rows that fit
	rows   map[int]*list.Element
	lru    *list.List
}

type cacheEntry struct {
	i   int
	row []float32
}

func newKCache(k kernel, x classical.Matrix, bytes float64) *kcache {
	rowBytes := 4 * max(x.Rows, 1)
	budget := max(int(bytes/float64(rowBytes)), 2)
	return &kcache{k: k, x: x, sq: sqNorms(x), budget: budget, rows: map[int]*list.Element{}, lru: list.New()}
}

func (c *kcache) row(i int) []float32 {
	if e, ok := c.rows[i]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*cacheEntry).row
	}
	var buf []float32
	if c.lru.Len() >= c.budget {
		back := c.lru.Back()
		old := back.Value.(*cacheEntry)
		delete(c.rows, old.i)
		c.lru.Remove(back)
		buf = old.row
	} else {
		buf = make([]float32, c.x.Rows)
	}
	xi := c.x.Row(i)
	p := c.x.Cols
	d := c.x.Data
	for j := range buf {
		xj := d[j*p : (j+1)*p]
		s := 0.0
		for t, v := range xi {
			s += v * xj[t]
		}
		buf[j] = float32(c.k.fromDot(s, c.sq[i], c.sq[j]))
	}
	c.rows[i] = c.lru.PushFront(&cacheEntry{i, buf})
	return buf
}

func (c *kcache) diag(i int) float64 {
	xi := c.x.Row(i)
	s := 0.0
	for _, v := range xi {
		s += v * v
	}
	return c.k.fromDot(s, c.sq[i], c.sq[i])
}

// solver is libsvm's SMO (Fan, Chen and Lin 2005: second-order working set
// selection) without shrinking, for
//
//	min ½ αᵀQα + pᵀα  subject to yᵀα = 0, 0 ≤ αᵢ ≤ Cᵢ
//
// with Qᵢⱼ = yᵢ yⱼ K(s(i), s(j)), s(i) the sample of variable i (SVR has
// two variables per sample).
type solver struct {
	y     []float64 // ±1
	p     []float64
	c     []float64
	si    []int // sample of each variable
	kc    *kcache
	eps   float64
	maxIt int

	alpha, g, qd []float64
}

const tau = 1e-12

func (s *solver) upper(i int) bool { return s.alpha[i] >= s.c[i] }
func (s *solver) lower(i int) bool { return s.alpha[i] <= 0 }

// solve runs SMO from α = 0 and returns rho and the iterations used.
func (s *solver) solve(ctx context.Context) (rho float64, iters int, err error) {
	l := len(s.y)
	s.alpha = make([]float64, l)
	s.g = append([]float64(nil), s.p...)
	s.qd = make([]float64, l)
	for i := range s.qd {
		s.qd[i] = s.kc.diag(s.si[i])
	}
	maxIt := s.maxIt
	if maxIt <= 0 {
		maxIt = max(10000000, 100*l)
	}
	for iters = 0; iters < maxIt; iters++ {
		if iters%1000 == 0 && ctx != nil && ctx.Err() != nil {
			return 0, iters, ctx.Err()
		}
		i, j, done := s.selectWS()
		if done {
			break
		}
		s.update(i, j)
	}
	return s.rho(), iters, nil
}

func (s *solver) selectWS() (int, int, bool) {
	gmax, gmax2 := math.Inf(-1), math.Inf(-1)
	gi, gj := -1, -1
	objMin := math.Inf(1)
	for t, yt := range s.y {
		if yt > 0 {
			if !s.upper(t) && -s.g[t] >= gmax {
				gmax, gi = -s.g[t], t
			}
		} else if !s.lower(t) && s.g[t] >= gmax {
			gmax, gi = s.g[t], t
		}
	}
	if gi < 0 {
		return 0, 0, true
	}
	i := gi
	ki := s.kc.row(s.si[i])
	yi := s.y[i]
	for j, yj := range s.y {
		kij := float64(ki[s.si[j]])
		if yj > 0 {
			if !s.lower(j) {
				diff := gmax + s.g[j]
				if s.g[j] >= gmax2 {
					gmax2 = s.g[j]
				}
				if diff > 0 {
					quad := s.qd[i] + s.qd[j] - 2*yi*yi*yj*kij
					if quad <= 0 {
						quad = tau
					}
					if o := -diff * diff / quad; o <= objMin {
						gj, objMin = j, o
					}
				}
			}
		} else if !s.upper(j) {
			diff := gmax - s.g[j]
			if -s.g[j] >= gmax2 {
				gmax2 = -s.g[j]
			}
			if diff > 0 {
				quad := s.qd[i] + s.qd[j] + 2*yi*yi*yj*kij
				if quad <= 0 {
					quad = tau
				}
				if o := -diff * diff / quad; o <= objMin {
					gj, objMin = j, o
				}
			}
		}
	}
	if gmax+gmax2 < s.eps || gj < 0 {
		return 0, 0, true
	}
	return i, gj, false
}

func (s *solver) update(i, j int) {
	ki := s.kc.row(s.si[i])
	kj := s.kc.row(s.si[j])
	yi, yj := s.y[i], s.y[j]
	qij := yi * yj * float64(ki[s.si[j]])
	ci, cj := s.c[i], s.c[j]
	a := s.alpha
	oi, oj := a[i], a[j]
	if yi != yj {
		quad := s.qd[i] + s.qd[j] + 2*qij
		if quad <= 0 {
			quad = tau
		}
		delta := (-s.g[i] - s.g[j]) / quad
		diff := a[i] - a[j]
		a[i] += delta
		a[j] += delta
		if diff > 0 {
			if a[j] < 0 {
				a[j], a[i] = 0, diff
			}
		} else if a[i] < 0 {
			a[i], a[j] = 0, -diff
		}
		if diff > ci-cj {
			if a[i] > ci {
				a[i], a[j] = ci, ci-diff
			}
		} else if a[j] > cj {
			a[j], a[i] = cj, cj+diff
		}
	} else {
		quad := s.qd[i] + s.qd[j] - 2*qij
		if quad <= 0 {
			quad = tau
		}
		delta := (s.g[i] - s.g[j]) / quad
		sum := a[i] + a[j]
		a[i] -= delta
		a[j] += delta
		if sum > ci {
			if a[i] > ci {
				a[i], a[j] = ci, sum-ci
			}
		} else if a[j] < 0 {
			a[j], a[i] = 0, sum
		}
		if sum > cj {
			if a[j] > cj {
				a[j], a[i] = cj, sum-cj
			}
		} else if a[i] < 0 {
			a[i], a[j] = 0, sum
		}
	}
	di, dj := (a[i]-oi)*yi, (a[j]-oj)*yj
	for k, yk := range s.y {
		sk := s.si[k]
		s.g[k] += yk * (float64(ki[sk])*di + float64(kj[sk])*dj)
	}
}

func (s *solver) rho() float64 {
	ub, lb := math.Inf(1), math.Inf(-1)
	nFree, sumFree := 0, 0.0
	for i, yi := range s.y {
		yg := yi * s.g[i]
		switch {
		case s.upper(i):
			if yi < 0 {
				ub = math.Min(ub, yg)
			} else {
				lb = math.Max(lb, yg)
			}
		case s.lower(i):
			if yi > 0 {
				ub = math.Min(ub, yg)
			} else {
				lb = math.Max(lb, yg)
			}
		default:
			nFree++
			sumFree += yg
		}
	}
	if nFree > 0 {
		return sumFree / float64(nFree)
	}
	return (ub + lb) / 2
}
