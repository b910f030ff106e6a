package tree

// The sparse path: features that hold one value in most samples (one-hot
// columns, mostly-zero counts) keep no presorted ordering; a node looks at
// their other values only, with the majority as one block.

// sparseOff turns the sparse path off, for tests.
var sparseOff = false

// sparse reports whether feature f goes the sparse path: it has a majority
// run and the criterion is not the absolute error (whose search needs
// every sample in order).
func (g *grower) sparse(f int) bool {
	return !sparseOff && g.ps.sparse(f) && g.spec.Criterion != AbsoluteError
}

// sparseSplit searches the best split of the node [s, e) on a sparse
// feature f, which has no presorted ordering. It collects the node's
// samples outside the feature's majority run (in value order), and scans
// them with the run's samples as one block, whose statistics are the
// node's minus the others': the cost follows the minority, not the node.
// When the minority outnumbers the node it returns the node's samples
// sorted instead (done false, nil when constant), for bestSplit.
func (g *grower) sparseSplit(f, s, e int, wn float64, val []float64, best *split) (seg []int32, done bool) {
	ps := g.ps
	run, col := ps.Run[f], ps.Cols[f]
	n := e - s
	if ps.N-(run.Hi-run.Lo) > n {
		return g.sortBy(g.samp[s:e], col), false
	}
	mn, ok := g.minorities(f, s, e)
	if !ok {
		return nil, false // constant
	}
	L, mid, wMid := g.runStats(mn, wn)
	sc := scan{g: g, f: f, n: n, msl: max(g.spec.MinSamplesLeaf, 1), wn: wn, L: L, best: best, prev: mn.first}
	for _, i := range mn.lo {
		sc.add(col[i], i)
	}
	if mn.nMid > 0 {
		sc.candidate(run.Val)
		for c := range L {
			L[c] += mid[c]
		}
		sc.wL += wMid
		sc.npos += mn.nMid
		sc.prev = run.Val
	}
	for _, i := range mn.hi {
		sc.add(col[i], i)
	}
	return nil, true
}

// minority is what a node holds of a sparse feature: its samples below
// and above the majority run, in value order, how many of the run's, and
// its smallest and largest values.
type minority struct {
	lo, hi      []int32
	nMid        int
	first, last float64
}

// minorities collects the node [s, e)'s samples outside feature f's
// majority run, through pos. It reports false when the feature is
// constant on the node.
func (g *grower) minorities(f, s, e int) (minority, bool) {
	ps := g.ps
	run, ord, col := ps.Run[f], ps.Order[f], ps.Cols[f]
	in := func(i int32) bool { p := g.pos[i]; return int(p) >= s && int(p) < e }
	mn := minority{lo: g.minLo[:0], hi: g.minHi[:0]}
	for _, i := range ord[:run.Lo] {
		if in(i) {
			mn.lo = append(mn.lo, i)
		}
	}
	for _, i := range ord[run.Hi:] {
		if in(i) {
			mn.hi = append(mn.hi, i)
		}
	}
	mn.nMid = e - s - len(mn.lo) - len(mn.hi)
	if len(mn.lo)+len(mn.hi) == 0 {
		return mn, false
	}
	// The node's smallest and largest values (the run's only when some
	// of its samples are in the node).
	mn.first, mn.last = run.Val, run.Val
	if len(mn.lo) > 0 {
		mn.first = col[mn.lo[0]]
	} else if mn.nMid == 0 {
		mn.first = col[mn.hi[0]]
	}
	if len(mn.hi) > 0 {
		mn.last = col[mn.hi[len(mn.hi)-1]]
	} else if mn.nMid == 0 {
		mn.last = col[mn.lo[len(mn.lo)-1]]
	}
	return mn, mn.last > mn.first+featureThreshold
}

// runStats returns the cleared left statistics L (class weights, or the
// sum of w·y in L[0]) and the majority run's share of the node: the
// node's totals minus the minority's, and its weight.
func (g *grower) runStats(mn minority, wn float64) (L, mid []float64, wMid float64) {
	L, mid = g.cntL, g.cntR
	clear(L)
	copy(mid, g.nodeTot)
	wMid = wn
	classify := g.spec.Criterion.Classification()
	for _, part := range [2][]int32{mn.lo, mn.hi} {
		for _, i := range part {
			wi := g.w(i)
			wMid -= wi
			if classify {
				mid[g.tg.Class[i]] -= wi
			} else {
				mid[0] -= wi * g.tg.Y[i]
			}
		}
	}
	return L, mid, wMid
}

// randomSparseSplit is randomSplit for a sparse feature: the random
// threshold between the node's smallest and largest values, the left side
// counted from the minority and the run's block. It reports false when
// the feature is constant on the node.
func (g *grower) randomSparseSplit(f, s, e int, wn float64, val []float64, best *split) bool {
	ps := g.ps
	run, col := ps.Run[f], ps.Cols[f]
	n := e - s
	if ps.N-(run.Hi-run.Lo) > n {
		return g.randomSplit(f, g.samp[s:e], col, wn, val, best)
	}
	mn, ok := g.minorities(f, s, e)
	if !ok {
		return false
	}
	thr := mn.first + g.rng.Float64()*(mn.last-mn.first)
	if thr >= mn.last {
		thr = mn.first
	}
	L, mid, wMid := g.runStats(mn, wn)
	wL, nl := 0.0, 0
	classify := g.spec.Criterion.Classification()
	add := func(part []int32) {
		for _, i := range part {
			if col[i] > thr {
				return // parts are in value order
			}
			wi := g.w(i)
			if classify {
				L[g.tg.Class[i]] += wi
			} else {
				L[0] += wi * g.tg.Y[i]
			}
			wL += wi
			nl++
		}
	}
	add(mn.lo)
	if mn.nMid > 0 && run.Val <= thr {
		for c := range L {
			L[c] += mid[c]
		}
		wL += wMid
		nl += mn.nMid
	}
	add(mn.hi)
	msl := max(g.spec.MinSamplesLeaf, 1)
	if nl < msl || n-nl < msl {
		return true
	}
	if pr := g.proxy(L, g.nodeTot, wL, wn-wL); pr > best.proxy {
		*best = split{feature: f, pos: nl, thr: thr, proxy: pr}
	}
	return true
}

// setNodeTot sets nodeTot for the node [s, e) of value val.
func (g *grower) setNodeTot(s, e int, val []float64) {
	if g.spec.Criterion.Classification() {
		g.nodeTot = val
		return
	}
	sT := 0.0
	for _, i := range g.samp[s:e] {
		sT += g.w(i) * g.tg.Y[i]
	}
	g.sumBuf[0] = sT
	g.nodeTot = g.sumBuf[:]
}

// scan walks a node's samples in value order for sparseSplit, keeping the
// left statistics and the best split.
type scan struct {
	g      *grower
	f, n   int // the feature; the node's sample count
	msl    int
	npos   int // samples added (left of the next candidate)
	wn, wL float64
	prev   float64 // the last value added
	L      []float64
	best   *split
}

// candidate considers the split between the samples added and the next
// one, of value v.
func (sc *scan) candidate(v float64) {
	if sc.npos > 0 && v > sc.prev+featureThreshold && sc.npos >= sc.msl && sc.n-sc.npos >= sc.msl {
		if pr := sc.g.proxy(sc.L, sc.g.nodeTot, sc.wL, sc.wn-sc.wL); pr > sc.best.proxy {
			*sc.best = split{feature: sc.f, pos: sc.npos, thr: midpoint(sc.prev, v), proxy: pr}
		}
	}
}

// add moves sample i, of value v, to the left.
func (sc *scan) add(v float64, i int32) {
	sc.candidate(v)
	g := sc.g
	wi := g.w(i)
	if g.spec.Criterion.Classification() {
		sc.L[g.tg.Class[i]] += wi
	} else {
		sc.L[0] += wi * g.tg.Y[i]
	}
	sc.wL += wi
	sc.npos++
	sc.prev = v
}

// proxy is the split quality that bestSplit maximises, from the left
// statistics L (class weights, or the sum of w·y) and weight wL, and the
// node's tot and the right weight wR; computed as randomSplit does, to
// the last bit.
func (g *grower) proxy(L, tot []float64, wL, wR float64) float64 {
	switch g.spec.Criterion {
	case Gini:
		a, b := 0.0, 0.0
		for k := range L {
			a += L[k] * L[k]
			r := tot[k] - L[k]
			b += r * r
		}
		return a/wL + b/wR
	case Entropy:
		pr := 0.0
		for k := range L {
			pr += xlogx(L[k]) + xlogx(tot[k]-L[k])
		}
		return pr - (xlogx(wL) + xlogx(wR))
	default: // SquaredError
		sR := tot[0] - L[0]
		return L[0]*L[0]/wL + sR*sR/wR
	}
}

// sparseOrder returns, for a column of two values one of which fills at
// least 7/8 of it (a one-hot column), the samples sorted by value (ties
// by index) and the majority's run; nil otherwise.
func sparseOrder(col []float64) ([]int32, Run) {
	n := len(col)
	if n < 16 {
		return nil, Run{}
	}
	a, b, na := col[0], col[0], 0
	for _, v := range col {
		switch {
		case v == a:
			na++
		case a == b:
			b = v
		case v != b:
			return nil, Run{} // three values
		}
	}
	lo, hi := min(a, b), max(a, b)
	nLo := na
	if lo != a {
		nLo = n - na
	}
	if 8*max(nLo, n-nLo) < 7*n {
		return nil, Run{}
	}
	ord := sortedOrder(col)
	if nLo > n-nLo {
		return ord, Run{0, nLo, lo}
	}
	return ord, Run{nLo, n, hi}
}
