package svm

import (
	"container/list"
	"context"
	"math"
	"sync"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/sparse"
	"github.com/ember-ml/ember/internal/bigmem"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
	"github.com/ember-ml/ember/tensor/gemm"
)

// kernel evaluates one of the four kernels of libsvm on row-major data.
type kernel struct {
	kind   string // linear, poly, rbf, sigmoid
	gamma  float64
	coef0  float64
	degree int
}

func (k kernel) fromDot(dot, sqa, sqb float64) float64 {
	switch k.id() {
	case 'l':
		return dot
	case 'p':
		return math.Pow(k.gamma*dot+k.coef0, float64(k.degree))
	case 'r':
		return math.Exp(-k.gamma * math.Max(sqa+sqb-2*dot, 0))
	default: // sigmoid
		return math.Tanh(k.gamma*dot + k.coef0)
	}
}

// cached is fromDot for the float32 kernel cache: the exponential and
// tanh by expNeg (relative error < 1e-9, far below float32's 6e-8).
// id is k.id(), hoisted by the caller.
func (k kernel) cached(id byte, dot, sqa, sqb float64) float64 {
	switch id {
	case 'r':
		d2 := sqa + sqb - 2*dot
		if d2 < 0 {
			d2 = 0
		}
		return expNeg(-k.gamma * d2)
	case 's':
		// tanh x = sign(x) (1 − e)/(1 + e), e = exp(−2|x|); near 0 the
		// difference 1 − e would cancel digits, so use math.Tanh there.
		x := k.gamma*dot + k.coef0
		if math.Abs(x) < 0.5 {
			return math.Tanh(x)
		}
		e := expNeg(-2 * math.Abs(x))
		return math.Copysign((1-e)/(1+e), x)
	}
	return k.fromDot(dot, sqa, sqb)
}

// id returns the first letter of the kernel's name (l, p, r, s), which
// tells the four apart without comparing strings in inner loops.
func (k kernel) id() byte {
	if k.kind == "" {
		return 'r'
	}
	return k.kind[0]
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
	// Chunks of at least 64k entries: small predictions (the many scorings
	// of a search, which runs in parallel already) stay on this goroutine.
	parallel.For(A.Rows, max(1, 65536/max(nb, 1)), func(lo, hi int) {
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

// kcache holds kernel rows K(x_i, ·) over the samples of a problem in an
// LRU cache bounded in bytes (float32, as libsvm). Entries are computed
// lazily, on first use, so that with shrinking only the active part of a
// row is ever evaluated: the all-zero bit pattern (+0, what fresh memory
// holds) marks an entry not computed yet, and a computed value of zero is
// stored as -0, which compares and computes as 0.
//
// When the whole matrix fits the budget it is computed at once instead
// (fill).
type kcache struct {
	k      kernel
	x      classical.Matrix
	sq     []float64
	budget int // rows that fit
	rows   map[int]*list.Element
	lru    *list.List
	dense  []float32 // [n*n] when it fits
	free   func()    // releases dense
}

// release frees the dense matrix (mapped outside the Go heap when large);
// the cache must not be used afterwards.
func (c *kcache) release() {
	if c.free != nil {
		c.free()
		c.dense, c.free = nil, nil
	}
}

type cacheEntry struct {
	i   int
	row []float32
}

var negZero32 = math.Float32frombits(1 << 31)

func newKCache(k kernel, x classical.Matrix, bytes float64) *kcache {
	rowBytes := 4 * max(x.Rows, 1)
	budget := max(int(bytes/float64(rowBytes)), 2)
	c := &kcache{k: k, x: x, sq: sqNorms(x), budget: budget, rows: map[int]*list.Element{}, lru: list.New()}
	if budget >= x.Rows {
		c.fill()
	}
	return c
}

// fill computes the whole kernel matrix when it fits the cache, a block
// of rows at a time: the dot products by GEMM, then the kernel function
// (row32) in parallel, in sequential memory order. Large matrices are
// evaluated on whole rows; small ones (up to 2048 samples, whose mirror
// image stays in cache) on and above the diagonal and mirrored below it,
// which halves the GEMM. It evaluates more entries than the lazy cache
// would with shrinking, but on all cores and without per-entry checks,
// which is faster in wall time.
func (c *kcache) fill() {
	n, p := c.x.Rows, c.x.Cols
	if n*n*4 < bigmem.Threshold {
		// Small matrices (the many fits of a search) reuse the buffers of
		// earlier fits, unzeroed: every entry is written below.
		c.dense = densePool.get(n * n)
		c.free = func() { densePool.put(c.dense) }
	} else {
		c.dense, c.free = bigmem.Float32s(n * n)
	}
	id := c.k.id()
	// Small problems (the many fits of a search, which already runs in
	// parallel) stay on this goroutine apart from the GEMM.
	small := n <= 2048
	run := parallel.For
	if small {
		run = func(n, _ int, fn func(lo, hi int)) { fn(0, n) }
	}
	const block = 256
	buf := dotsPool.get(min(block, n) * n)
	defer dotsPool.put(buf)
	// A mostly-zero X (one-hot columns): the dot products by sparse rows,
	// each row spread into a dense scratch vector once.
	sp, isSparse := sparse.FromDense(c.x.Data, n, p)
	isSparse = isSparse && small && !denseOnly
	var spread []float64
	if isSparse {
		spread = make([]float64, p)
	}
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		// Columns [c0, n) of rows [lo, hi).
		c0 := 0
		if small {
			c0 = lo
		}
		m, w := hi-lo, n-c0
		dots := buf[:m*w]
		sub := classical.Matrix{Rows: m, Cols: p, Data: c.x.Data[lo*p : hi*p]}
		rest := classical.Matrix{Rows: w, Cols: p, Data: c.x.Data[c0*p:]}
		if isSparse {
			sparseDots(dots, sp, lo, hi, c0, spread)
		} else if small {
			gemm.DgemmSerial(false, true, m, w, p, 1, sub.Data, p, rest.Data, p, 0, dots, w)
		} else {
			tensor.MatMulTo(tensor.FromFloat64(dots, m, w), sub.Tensor(), rest.Tensor().T())
		}
		run(m, 8, func(a, z int) {
			for r := a; r < z; r++ {
				i := lo + r
				from := c0
				if small {
					from = i // the diagonal on
				}
				c.k.row32(id, c.dense[i*n+from:(i+1)*n], dots[r*w+from-c0:(r+1)*w], c.sq[from:], c.sq[i])
			}
		})
		if !small {
			continue
		}
		// Mirror: column segment [lo, hi) of each later row j.
		for j := lo + 1; j < n; j++ {
			seg := c.dense[j*n+lo : j*n+min(hi, j)]
			for r := range seg {
				seg[r] = c.dense[(lo+r)*n+j]
			}
		}
	}
}

// sparseDots sets dots[r*w + j-c0] = x_(lo+r) · x_j for rows [lo, hi) and
// columns j in [c0, n) (w = n-c0), by sparse rows; spread is zero scratch
// of the row length, left zero.
func sparseDots(dots []float64, a sparse.Rows, lo, hi, c0 int, spread []float64) {
	w := a.N - c0
	for i := lo; i < hi; i++ {
		a.AddTo(spread, i, 1)
		out := dots[(i-lo)*w : (i-lo+1)*w]
		for j := c0; j < a.N; j++ {
			out[j-c0] = a.Dot(j, spread)
		}
		for k := a.Ptr[i]; k < a.Ptr[i+1]; k++ {
			spread[a.Col[k]] = 0
		}
	}
}

// pool keeps the buffers of finished fits for the next ones.
type pool[T any] struct{ p sync.Pool }

var (
	densePool pool[float32]
	dotsPool  pool[float64]
)

// get returns a slice of n elements, not zeroed.
func (p *pool[T]) get(n int) []T {
	if b, ok := p.p.Get().(*[]T); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return make([]T, n)
}

func (p *pool[T]) put(b []T) { p.p.Put(&b) }

// row returns the (lazily filled) kernel row of sample i; read it with at.
func (c *kcache) row(i int) []float32 {
	if c.dense != nil {
		n := c.x.Rows
		return c.dense[i*n : (i+1)*n]
	}
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
	clear(buf)
	c.rows[i] = c.lru.PushFront(&cacheEntry{i, buf})
	return buf
}

// at returns K(x_i, x_j) from row (the row of sample i), computing it on
// first use.
func (c *kcache) at(row []float32, i, j int) float64 {
	v := row[j]
	if math.Float32bits(v) == 0 {
		v = float32(c.eval(i, j))
		if v == 0 {
			v = negZero32
		}
		row[j] = v
	}
	return float64(v)
}

func (c *kcache) eval(i, j int) float64 {
	p := c.x.Cols
	xi := c.x.Data[i*p : (i+1)*p]
	xj := c.x.Data[j*p : (j+1)*p]
	return c.k.cached(c.k.id(), dot(xi, xj), c.sq[i], c.sq[j])
}

// dot returns Σ aᵢbᵢ over len(a) entries, four partial sums at a time.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	t := 0
	for ; t+4 <= len(a); t += 4 {
		s0 += a[t] * b[t]
		s1 += a[t+1] * b[t+1]
		s2 += a[t+2] * b[t+2]
		s3 += a[t+3] * b[t+3]
	}
	for ; t < len(a); t++ {
		s0 += a[t] * b[t]
	}
	return (s0 + s1) + (s2 + s3)
}

// rbfRow sets dst[j] = K(x_i, x_j) of the RBF kernel, exp(−gamma·d²) with
// d² = sqi + sq[j] − 2·dots[j] clamped at 0, as float32 with a zero stored
// as −0 (a computed entry, see kcache). The bulk runs in assembly where
// the CPU has AVX2 and FMA; this loop is most of an SVC fit.
func rbfRow(dst []float32, dots, sq []float64, sqi, gamma float64) {
	dots, sq = dots[:len(dst)], sq[:len(dst)]
	for j := rbfRowBulk(dst, dots, sq, sqi, gamma); j < len(dst); j++ {
		d2 := sqi + sq[j] - 2*dots[j]
		if d2 < 0 {
			d2 = 0
		}
		f := float32(expNeg(-gamma * d2))
		if f == 0 {
			f = negZero32
		}
		dst[j] = f
	}
}

// tanhRow sets dst[j] = tanh(gamma·dots[j] + coef0), the sigmoid kernel,
// as float32 with a zero stored as −0, in assembly like rbfRow.
func tanhRow(dst []float32, dots []float64, gamma, coef0 float64) {
	dots = dots[:len(dst)]
	k := kernel{kind: "sigmoid", gamma: gamma, coef0: coef0}
	for j := tanhRowBulk(dst, dots, gamma, coef0); j < len(dst); j++ {
		f := float32(k.cached('s', dots[j], 0, 0))
		if f == 0 {
			f = negZero32
		}
		dst[j] = f
	}
}

// row32 sets dst[j] to the kernel of x_i and x_j from their dot product
// dots[j] (and squared norms sqi and sq[j] for the RBF kernel), as float32
// with a zero stored as −0: the kernel cache's rows.
func (k kernel) row32(id byte, dst []float32, dots, sq []float64, sqi float64) {
	switch id {
	case 'r':
		rbfRow(dst, dots, sq, sqi, k.gamma)
	case 's':
		tanhRow(dst, dots, k.gamma, k.coef0)
	case 'l':
		for j, v := range dots[:len(dst)] {
			f := float32(v)
			if f == 0 {
				f = negZero32
			}
			dst[j] = f
		}
	default:
		for j, v := range dots[:len(dst)] {
			f := float32(k.fromDot(v, 0, 0))
			if f == 0 {
				f = negZero32
			}
			dst[j] = f
		}
	}
}

// expNeg returns eˣ for x <= 0 with a relative error below 1e-8 (under
// the 6e-8 of the float32 the cache stores), several times faster than
// math.Exp: x = n·ln2 + g with n the nearest integer (by truncation of
// t − ½, t <= 0), 2ⁿ from the exponent bits, e^g by its degree-7 Taylor
// polynomial (|g| <= ln2/2, error < 6e-9) evaluated by Estrin's scheme
// for a short dependency chain.
func expNeg(x float64) float64 {
	if x < -708 {
		return 0
	}
	n := int64(x*math.Log2E - 0.5)
	g := x - float64(n)*math.Ln2
	g2 := g * g
	g4 := g2 * g2
	p := (1 + g) + g2*(0.5+g*(1.0/6)) + g4*((1.0/24+g*(1.0/120))+g2*(1.0/720+g*(1.0/5040)))
	return p * math.Float64frombits(uint64(n+1023)<<52)
}

func (c *kcache) diag(i int) float64 { return c.eval(i, i) }

// solver is libsvm's SMO (Fan, Chen and Lin 2005: second-order working set
// selection) with libsvm's shrinking heuristic, for
//
//	min ½ αᵀQα + pᵀα  subject to yᵀα = 0, 0 ≤ αᵢ ≤ Cᵢ
//
// with Qᵢⱼ = yᵢ yⱼ K(s(i), s(j)), s(i) the sample of variable i (SVR has
// two variables per sample). Variables are permuted so that the active
// ones come first; solve returns α in the original order.
type solver struct {
	y     []float64 // ±1
	p     []float64
	c     []float64
	si    []int // sample of each variable
	kc    *kcache
	eps   float64
	maxIt int
	// alpha0 is the starting point (nil: 0), feasible for the constraints.
	alpha0 []float64
	// nu selects libsvm's Solver_NU (NuSVC, NuSVR): working pairs within
	// one label, and the offsets of both labels (r, set by solve).
	nu bool
	r  float64

	alpha, g, gbar, qd []float64
	perm               []int // original index of each position
	active             int
	unshrink           bool

	// upOff[t] is 0 when variable t may move up (libsvm's I_up: y = +1
	// below its bound C or y = −1 above 0) and −Inf otherwise; lowOff[t]
	// is 0 for I_low and +Inf otherwise. Adding them to −yₜ∇ₜ selects
	// without a branch on the variable's bounds.
	upOff, lowOff []float64
	// nextI is the maximiser of −y∇ over I_up found by the last update's
	// gradient loop (the first half of the next working set selection),
	// or −1 when unknown.
	nextI int
}

// setStatus recomputes upOff and lowOff of variable t from its α.
func (s *solver) setStatus(t int) {
	inUp, inLow := !s.upper(t), !s.lower(t)
	if s.y[t] < 0 {
		inUp, inLow = inLow, inUp
	}
	s.upOff[t], s.lowOff[t] = math.Inf(-1), math.Inf(1)
	if inUp {
		s.upOff[t] = 0
	}
	if inLow {
		s.lowOff[t] = 0
	}
}

const tau = 1e-12

func (s *solver) upper(i int) bool { return s.alpha[i] >= s.c[i] }
func (s *solver) lower(i int) bool { return s.alpha[i] <= 0 }
func (s *solver) free(i int) bool  { return !s.upper(i) && !s.lower(i) }

// q returns Qᵢⱼ from row (the kernel row of variable i's sample).
func (s *solver) q(row []float32, i, j int) float64 {
	if s.kc.dense != nil {
		return s.y[i] * s.y[j] * float64(row[s.si[j]])
	}
	return s.y[i] * s.y[j] * s.kc.at(row, s.si[i], s.si[j])
}

func (s *solver) swap(i, j int) {
	s.y[i], s.y[j] = s.y[j], s.y[i]
	s.p[i], s.p[j] = s.p[j], s.p[i]
	s.c[i], s.c[j] = s.c[j], s.c[i]
	s.si[i], s.si[j] = s.si[j], s.si[i]
	s.alpha[i], s.alpha[j] = s.alpha[j], s.alpha[i]
	s.g[i], s.g[j] = s.g[j], s.g[i]
	s.gbar[i], s.gbar[j] = s.gbar[j], s.gbar[i]
	s.qd[i], s.qd[j] = s.qd[j], s.qd[i]
	s.perm[i], s.perm[j] = s.perm[j], s.perm[i]
	s.upOff[i], s.upOff[j] = s.upOff[j], s.upOff[i]
	s.lowOff[i], s.lowOff[j] = s.lowOff[j], s.lowOff[i]
}

// solve runs SMO from α = 0 and returns rho and the iterations used. It
// releases the kernel cache when it returns.
func (s *solver) solve(ctx context.Context) (rho float64, iters int, err error) {
	defer s.kc.release()
	l := len(s.y)
	s.alpha = make([]float64, l)
	if s.alpha0 != nil {
		copy(s.alpha, s.alpha0)
	}
	s.g = append([]float64(nil), s.p...)
	s.gbar = make([]float64, l)
	s.qd = make([]float64, l)
	s.perm = make([]int, l)
	s.upOff, s.lowOff = make([]float64, l), make([]float64, l)
	s.nextI = -1
	s.active = l
	for i := range s.qd {
		s.qd[i] = s.kc.diag(s.si[i])
		s.perm[i] = i
		s.setStatus(i)
	}
	// A starting point other than 0 (the one-class problem's): the
	// gradient Qα + p, and G_bar from the variables at their bound.
	for i, a := range s.alpha {
		if a > 0 {
			row := s.kc.row(s.si[i])
			s.addQ(s.g, row, i, a)
			if s.upper(i) {
				s.addQ(s.gbar, row, i, s.c[i])
			}
		}
	}
	maxIt := s.maxIt
	if maxIt <= 0 {
		maxIt = max(10000000, 100*l)
	}
	selectWS, shrink := s.selectWS, s.shrink
	if s.nu {
		selectWS, shrink = s.selectWSNu, s.shrinkNu
	}
	counter := min(l, 1000) + 1
	for iters = 0; iters < maxIt; iters++ {
		if iters%1000 == 0 && ctx != nil && ctx.Err() != nil {
			return 0, iters, ctx.Err()
		}
		if counter--; counter == 0 {
			counter = min(l, 1000)
			shrink()
		}
		i, j, done := selectWS()
		if done {
			s.reconstruct()
			s.active = l
			if i, j, done = selectWS(); done {
				break
			}
			counter = 1
		}
		s.update(i, j)
		if s.nu {
			s.nextI = -1 // update's maximiser is the standard selection's
		}
	}
	if s.active < l {
		s.reconstruct()
		s.active = l
	}
	if s.nu {
		rho, s.r = s.rhoNu()
	} else {
		rho = s.rho()
	}
	alpha := make([]float64, l)
	for i, o := range s.perm {
		alpha[o] = s.alpha[i]
	}
	y := make([]float64, l)
	for i, o := range s.perm {
		y[o] = s.y[i]
	}
	s.alpha, s.y = alpha, y
	return rho, iters, nil
}

// selectWS returns the working set (i, j) of libsvm's second-order
// selection, or done when the stopping condition holds: i maximises −y∇
// over I_up, j minimises −b²/a over I_low with b = (−yᵢ∇ᵢ) − (−yⱼ∇ⱼ) > 0
// and a = Kᵢᵢ + Kⱼⱼ − 2Kᵢⱼ.
func (s *solver) selectWS() (int, int, bool) {
	act := s.active
	y, g := s.y[:act], s.g[:act]
	i, gmax := s.nextI, math.Inf(-1)
	if i >= 0 {
		gmax = -y[i]*g[i] + s.upOff[i]
	} else {
		for t, off := range s.upOff[:act] {
			if v := -y[t]*g[t] + off; v >= gmax && v > math.Inf(-1) {
				gmax, i = v, t
			}
		}
	}
	if i < 0 {
		return 0, 0, true
	}
	ki := s.kc.row(s.si[i])
	si, qd, lowOff := s.si[:act], s.qd[:act], s.lowOff[:act]
	qdi := s.qd[i]
	gmax2, objMin, gj := math.Inf(-1), math.Inf(1), -1
	dense := s.kc.dense != nil
	for j, off := range lowOff {
		v := -y[j]*g[j] + off // +Inf outside I_low
		gmax2 = max(gmax2, -v)
		b := gmax - v
		if b <= 0 {
			continue
		}
		var kij float64
		if dense {
			kij = float64(ki[si[j]])
		} else {
			kij = s.kc.at(ki, s.si[i], si[j])
		}
		a := qdi + qd[j] - 2*kij
		if a <= 0 {
			a = tau
		}
		if o := -b * b / a; o <= objMin {
			gj, objMin = j, o
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
	qij := s.q(ki, i, j)
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
	s.setStatus(i)
	s.setStatus(j)
	// G_k += Q_ik Δα_i + Q_jk Δα_j with Q_ik = y_i y_k K_ik, finding on
	// the way the maximiser of −y∇ over I_up for the next selection.
	di, dj := (a[i]-oi)*yi, (a[j]-oj)*yj
	si, sj := s.si[i], s.si[j]
	g, y, idx, upOff := s.g[:s.active], s.y[:s.active], s.si[:s.active], s.upOff[:s.active]
	next, gmax := -1, math.Inf(-1)
	if s.kc.dense != nil {
		// Every entry is computed: read the rows directly.
		for k, sk := range idx {
			gk := g[k] + y[k]*(float64(ki[sk])*di+float64(kj[sk])*dj)
			g[k] = gk
			if v := -y[k]*gk + upOff[k]; v >= gmax && v > math.Inf(-1) {
				next, gmax = k, v
			}
		}
	} else {
		for k, sk := range idx {
			gk := g[k] + y[k]*(s.kc.at(ki, si, sk)*di+s.kc.at(kj, sj, sk)*dj)
			g[k] = gk
			if v := -y[k]*gk + upOff[k]; v >= gmax && v > math.Inf(-1) {
				next, gmax = k, v
			}
		}
	}
	s.nextI = next
	// G_bar accumulates the gradient part of variables at their upper
	// bound, so that shrunk variables' gradients can be rebuilt.
	wasUi, wasUj := oi >= ci, oj >= cj
	if ui := s.upper(i); ui != wasUi {
		sign := 1.0
		if wasUi {
			sign = -1
		}
		s.addQ(s.gbar, ki, i, sign*ci)
	}
	if uj := s.upper(j); uj != wasUj {
		sign := 1.0
		if wasUj {
			sign = -1
		}
		s.addQ(s.gbar, kj, j, sign*cj)
	}
}

// addQ adds w·Q_tk to dst[k] for every variable k; row is the kernel row
// of variable t's sample.
func (s *solver) addQ(dst []float64, row []float32, t int, w float64) {
	w *= s.y[t]
	y := s.y[:len(dst)]
	if s.kc.dense != nil {
		for k, sk := range s.si[:len(dst)] {
			dst[k] += w * y[k] * float64(row[sk])
		}
		return
	}
	st := s.si[t]
	for k, sk := range s.si[:len(dst)] {
		dst[k] += w * y[k] * s.kc.at(row, st, sk)
	}
}

// beShrunk reports whether variable i is at a bound it will keep.
func (s *solver) beShrunk(i int, gmax1, gmax2 float64) bool {
	switch {
	case s.upper(i):
		if s.y[i] > 0 {
			return -s.g[i] > gmax1
		}
		return -s.g[i] > gmax2
	case s.lower(i):
		if s.y[i] > 0 {
			return s.g[i] > gmax2
		}
		return s.g[i] > gmax1
	}
	return false
}

// shrink moves variables that will stay at a bound behind the active ones
// (libsvm's do_shrinking).
func (s *solver) shrink() {
	s.nextI = -1
	gmax1, gmax2 := math.Inf(-1), math.Inf(-1)
	for i := 0; i < s.active; i++ {
		if s.y[i] > 0 {
			if !s.upper(i) && -s.g[i] >= gmax1 {
				gmax1 = -s.g[i]
			}
			if !s.lower(i) && s.g[i] >= gmax2 {
				gmax2 = s.g[i]
			}
		} else {
			if !s.upper(i) && -s.g[i] >= gmax2 {
				gmax2 = -s.g[i]
			}
			if !s.lower(i) && s.g[i] >= gmax1 {
				gmax1 = s.g[i]
			}
		}
	}
	if !s.unshrink && gmax1+gmax2 <= s.eps*10 {
		s.unshrink = true
		s.reconstruct()
		s.active = len(s.y)
	}
	for i := 0; i < s.active; i++ {
		if !s.beShrunk(i, gmax1, gmax2) {
			continue
		}
		s.active--
		for s.active > i {
			if !s.beShrunk(s.active, gmax1, gmax2) {
				s.swap(i, s.active)
				break
			}
			s.active--
		}
	}
}

// reconstruct rebuilds the gradient of the shrunk variables.
func (s *solver) reconstruct() {
	s.nextI = -1
	l := len(s.y)
	if s.active == l {
		return
	}
	for j := s.active; j < l; j++ {
		s.g[j] = s.gbar[j] + s.p[j]
	}
	nFree := 0
	for j := 0; j < s.active; j++ {
		if s.free(j) {
			nFree++
		}
	}
	if nFree*l > 2*s.active*(l-s.active) {
		for i := s.active; i < l; i++ {
			ki := s.kc.row(s.si[i])
			for j := 0; j < s.active; j++ {
				if s.free(j) {
					s.g[i] += s.alpha[j] * s.q(ki, i, j)
				}
			}
		}
	} else {
		for i := 0; i < s.active; i++ {
			if !s.free(i) {
				continue
			}
			ki := s.kc.row(s.si[i])
			for j := s.active; j < l; j++ {
				s.g[j] += s.alpha[i] * s.q(ki, i, j)
			}
		}
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
