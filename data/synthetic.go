package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ember-ml/ember/tensor"
)

// The synthetic generators follow scikit-learn's sklearn.datasets.make_*
// functions: the same parameters with the same meaning and the same
// algorithm, seeded. (The numbers differ from scikit-learn's for the same
// seed: the random generators differ.) X is float64 [n_samples,
// n_features] and y float64: class indices for the classification
// generators, values for make_regression.

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x853c49e6748fea9b)) }

// ClassificationConfig holds the parameters of MakeClassification, named
// after make_classification's. A zero field that scikit-learn does not
// allow to be zero takes scikit-learn's default (given in brackets); the
// others mean zero: note that scikit-learn's defaults for n_redundant (2)
// and flip_y (0.01) are not zero, and that Hypercube and Shuffle, true
// by default there, are NoHypercube and NoShuffle here.
type ClassificationConfig struct {
	NSamples          int       // [100]
	NFeatures         int       // [20]
	NInformative      int       // [2]
	NRedundant        int       // linear combinations of the informative features
	NRepeated         int       // copies of informative or redundant features
	NClasses          int       // [2]
	NClustersPerClass int       // [2]
	Weights           []float64 // class proportions (n_classes or n_classes-1 of them); nil: balanced
	FlipY             float64   // fraction of labels replaced at random
	ClassSep          float64   // [1] half the side of the hypercube
	NoHypercube       bool      // centroids on a random polytope instead of hypercube vertices
	Shift             float64   // added to every feature
	Scale             float64   // [1] multiplies every feature
	NoShuffle         bool      // keep samples grouped by cluster and features in order
	Seed              uint64
}

// MakeClassification generates a random n-class classification problem
// (sklearn.datasets.make_classification): clusters of normally distributed
// points about the vertices of a hypercube of side 2*ClassSep in the
// informative subspace, each with a random covariance, plus redundant,
// repeated and useless features. With NoShuffle the columns are the
// informative features, then the redundant, the repeated and the useless
// ones, and the samples come cluster by cluster.
func MakeClassification(c ClassificationConfig) (X, y *tensor.Tensor, err error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.NSamples, 100)
	def(&c.NFeatures, 20)
	def(&c.NInformative, 2)
	def(&c.NClasses, 2)
	def(&c.NClustersPerClass, 2)
	if c.ClassSep == 0 {
		c.ClassSep = 1
	}
	if c.Scale == 0 {
		c.Scale = 1
	}
	switch {
	case c.NSamples < 0 || c.NFeatures < 0 || c.NInformative < 0 || c.NRedundant < 0 || c.NRepeated < 0 || c.NClasses < 0 || c.NClustersPerClass < 0:
		return nil, nil, fmt.Errorf("data: MakeClassification: negative count in %+v", c)
	case c.NInformative+c.NRedundant+c.NRepeated > c.NFeatures:
		return nil, nil, fmt.Errorf("data: MakeClassification: %d informative + %d redundant + %d repeated features exceed %d features",
			c.NInformative, c.NRedundant, c.NRepeated, c.NFeatures)
	case c.NInformative < 62 && c.NClasses*c.NClustersPerClass > 1<<c.NInformative:
		return nil, nil, fmt.Errorf("data: MakeClassification: %d classes x %d clusters per class need more than 2^%d hypercube vertices; raise NInformative",
			c.NClasses, c.NClustersPerClass, c.NInformative)
	case c.FlipY < 0 || c.FlipY > 1 || math.IsNaN(c.FlipY):
		return nil, nil, fmt.Errorf("data: MakeClassification: flip_y %v is not in [0, 1]", c.FlipY)
	}
	weights := c.Weights
	switch len(weights) {
	case 0:
		weights = make([]float64, c.NClasses)
		for i := range weights {
			weights[i] = 1 / float64(c.NClasses)
		}
	case c.NClasses - 1:
		s := 0.0
		for _, w := range weights {
			s += w
		}
		weights = append(append([]float64(nil), weights...), 1-s)
	case c.NClasses:
	default:
		return nil, nil, fmt.Errorf("data: MakeClassification: %d weights for %d classes", len(weights), c.NClasses)
	}
	for _, w := range weights {
		if w < 0 || math.IsNaN(w) {
			return nil, nil, fmt.Errorf("data: MakeClassification: class weights %v must be non-negative", weights)
		}
	}
	rng := newRand(c.Seed)
	n, f, ni := c.NSamples, c.NFeatures, c.NInformative
	nClusters := c.NClasses * c.NClustersPerClass
	perCluster := make([]int, nClusters)
	total := 0
	for k := range perCluster {
		perCluster[k] = int(float64(n) * weights[k%c.NClasses] / float64(c.NClustersPerClass))
		total += perCluster[k]
	}
	for i := 0; total < n; i++ {
		perCluster[i%nClusters]++
		total++
	}
	if total > n {
		return nil, nil, fmt.Errorf("data: MakeClassification: class weights %v sum to more than 1", weights)
	}

	x := make([]float64, n*f)
	lab := make([]float64, n)
	centroids := hypercube(nClusters, ni, rng)
	for _, ce := range centroids {
		for j := range ce {
			ce[j] = ce[j]*2*c.ClassSep - c.ClassSep
		}
	}
	if c.NoHypercube {
		for _, ce := range centroids {
			u := rng.Float64()
			for j := range ce {
				ce[j] *= u
			}
		}
		col := make([]float64, ni)
		for j := range col {
			col[j] = rng.Float64()
		}
		for _, ce := range centroids {
			for j := range ce {
				ce[j] *= col[j]
			}
		}
	}
	for i := range n {
		for j := range ni {
			x[i*f+j] = rng.NormFloat64()
		}
	}
	stop := 0
	tmp := make([]float64, ni)
	for k, ce := range centroids {
		start := stop
		stop += perCluster[k]
		a := make([]float64, ni*ni)
		for i := range a {
			a[i] = 2*rng.Float64() - 1
		}
		for i := start; i < stop; i++ {
			lab[i] = float64(k % c.NClasses)
			row := x[i*f : i*f+ni]
			for j := range ni {
				s := 0.0
				for l := range ni {
					s += row[l] * a[l*ni+j]
				}
				tmp[j] = s
			}
			for j := range ni {
				row[j] = tmp[j] + ce[j]
			}
		}
	}
	if c.NRedundant > 0 {
		nr := c.NRedundant
		b := make([]float64, ni*nr)
		for i := range b {
			b[i] = 2*rng.Float64() - 1
		}
		for i := range n {
			row := x[i*f:]
			for j := range nr {
				s := 0.0
				for l := range ni {
					s += row[l] * b[l*nr+j]
				}
				row[ni+j] = s
			}
		}
	}
	if c.NRepeated > 0 {
		m := ni + c.NRedundant
		idx := make([]int, c.NRepeated)
		for j := range idx {
			idx[j] = int(float64(m-1)*rng.Float64() + 0.5)
		}
		for i := range n {
			row := x[i*f:]
			for j, src := range idx {
				row[m+j] = row[src]
			}
		}
	}
	if useless := f - ni - c.NRedundant - c.NRepeated; useless > 0 {
		for i := range n {
			for j := f - useless; j < f; j++ {
				x[i*f+j] = rng.NormFloat64()
			}
		}
	}
	if c.FlipY > 0 {
		for i := range n {
			if rng.Float64() < c.FlipY {
				lab[i] = float64(rng.IntN(c.NClasses))
			}
		}
	}
	for i := range x {
		x[i] = (x[i] + c.Shift) * c.Scale
	}
	if !c.NoShuffle {
		shuffleRows(rng, x, f, lab, 1)
		shuffleColumns(rng, x, n, f)
	}
	return tensor.FromFloat64(x, n, f), tensor.FromFloat64(lab, n), nil
}

// hypercube returns n distinct random vertices of the unit hypercube in d
// dimensions (coordinates 0 or 1).
func hypercube(n, d int, rng *rand.Rand) [][]float64 {
	out := make([][]float64, n)
	seen := map[uint64]bool{}
	bits := min(d, 62)
	for k := range out {
		var v uint64
		for {
			v = rng.Uint64() & (1<<bits - 1)
			if !seen[v] {
				seen[v] = true
				break
			}
		}
		ce := make([]float64, d)
		for j := range bits {
			ce[j] = float64(v >> j & 1)
		}
		for j := bits; j < d; j++ {
			ce[j] = float64(rng.IntN(2))
		}
		out[k] = ce
	}
	return out
}

// shuffleRows permutes the rows of x (f columns) and of y (ny columns)
// alike.
func shuffleRows(rng *rand.Rand, x []float64, f int, y []float64, ny int) {
	n := len(y) / ny
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		for k := range f {
			x[i*f+k], x[j*f+k] = x[j*f+k], x[i*f+k]
		}
		for k := range ny {
			y[i*ny+k], y[j*ny+k] = y[j*ny+k], y[i*ny+k]
		}
	}
}

// shuffleColumns permutes the columns of x and returns the permutation:
// new column j is old column perm[j].
func shuffleColumns(rng *rand.Rand, x []float64, n, f int) []int {
	perm := rng.Perm(f)
	row := make([]float64, f)
	for i := range n {
		r := x[i*f : (i+1)*f]
		copy(row, r)
		for j, p := range perm {
			r[j] = row[p]
		}
	}
	return perm
}

// RegressionConfig holds the parameters of MakeRegression, named after
// make_regression's. Zero fields take scikit-learn's defaults where
// given in brackets; Shuffle (true there) is NoShuffle here.
type RegressionConfig struct {
	NSamples      int     // [100]
	NFeatures     int     // [100]
	NInformative  int     // [10] features with a non-zero coefficient (at most NFeatures)
	NTargets      int     // [1]
	Bias          float64 // added to y
	EffectiveRank int     // 0: X is standard normal; else X has about this many dominant singular values
	TailStrength  float64 // [0.5] weight of the fat tail of singular values (with EffectiveRank)
	Noise         float64 // standard deviation of the Gaussian noise added to y
	NoShuffle     bool
	Seed          uint64
}

// MakeRegression generates a random linear regression problem
// (sklearn.datasets.make_regression): y = X coef + Bias + noise, where
// coef has NInformative non-zero entries drawn uniformly from [0, 100).
// y is [n] for one target and [n, NTargets] otherwise; coef is [f] or
// [f, NTargets], in the (shuffled) column order of X.
func MakeRegression(c RegressionConfig) (X, y, coef *tensor.Tensor, err error) {
	if c.NSamples == 0 {
		c.NSamples = 100
	}
	if c.NFeatures == 0 {
		c.NFeatures = 100
	}
	if c.NInformative == 0 {
		c.NInformative = 10
	}
	if c.NTargets == 0 {
		c.NTargets = 1
	}
	if c.TailStrength == 0 {
		c.TailStrength = 0.5
	}
	if c.NSamples < 0 || c.NFeatures < 0 || c.NInformative < 0 || c.NTargets < 0 || c.EffectiveRank < 0 || c.Noise < 0 {
		return nil, nil, nil, fmt.Errorf("data: MakeRegression: negative parameter in %+v", c)
	}
	n, f, nt := c.NSamples, c.NFeatures, c.NTargets
	ni := min(c.NInformative, f)
	rng := newRand(c.Seed)
	var x []float64
	if c.EffectiveRank == 0 {
		x = make([]float64, n*f)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
	} else {
		x = lowRankMatrix(rng, n, f, c.EffectiveRank, c.TailStrength)
	}
	gt := make([]float64, f*nt)
	for i := range ni * nt {
		gt[i] = 100 * rng.Float64()
	}
	yv := make([]float64, n*nt)
	for i := range n {
		for t := range nt {
			s := c.Bias
			for j := range ni {
				s += x[i*f+j] * gt[j*nt+t]
			}
			yv[i*nt+t] = s
		}
	}
	if c.Noise > 0 {
		for i := range yv {
			yv[i] += c.Noise * rng.NormFloat64()
		}
	}
	if !c.NoShuffle {
		shuffleRows(rng, x, f, yv, nt)
		perm := shuffleColumns(rng, x, n, f)
		g2 := make([]float64, len(gt))
		for j, p := range perm {
			copy(g2[j*nt:(j+1)*nt], gt[p*nt:(p+1)*nt])
		}
		gt = g2
	}
	X = tensor.FromFloat64(x, n, f)
	if nt == 1 {
		return X, tensor.FromFloat64(yv, n), tensor.FromFloat64(gt, f), nil
	}
	return X, tensor.FromFloat64(yv, n, nt), tensor.FromFloat64(gt, f, nt), nil
}

// lowRankMatrix is make_low_rank_matrix: U diag(s) V^T with orthonormal
// random U [n, k], V [f, k], k = min(n, f), and singular values
// (1-tail) exp(-(i/rank)^2) + tail exp(-0.1 i/rank).
func lowRankMatrix(rng *rand.Rand, n, f, rank int, tail float64) []float64 {
	k := min(n, f)
	u := orthonormalColumns(rng, n, k)
	v := orthonormalColumns(rng, f, k)
	s := make([]float64, k)
	for i := range s {
		r := float64(i) / float64(rank)
		s[i] = (1-tail)*math.Exp(-r*r) + tail*math.Exp(-0.1*r)
	}
	x := make([]float64, n*f)
	for i := range n {
		for j := range f {
			sum := 0.0
			for l := range k {
				sum += u[i*k+l] * s[l] * v[j*k+l]
			}
			x[i*f+j] = sum
		}
	}
	return x
}

// orthonormalColumns returns the Q factor [rows, k] of a standard normal
// matrix (modified Gram-Schmidt, applied twice for accuracy).
func orthonormalColumns(rng *rand.Rand, rows, k int) []float64 {
	q := make([]float64, rows*k)
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	for j := range k {
		for range 2 {
			for l := range j {
				d := 0.0
				for i := range rows {
					d += q[i*k+j] * q[i*k+l]
				}
				for i := range rows {
					q[i*k+j] -= d * q[i*k+l]
				}
			}
		}
		norm := 0.0
		for i := range rows {
			norm += q[i*k+j] * q[i*k+j]
		}
		norm = math.Sqrt(norm)
		for i := range rows {
			q[i*k+j] /= norm
		}
	}
	return q
}

// BlobsConfig holds the parameters of MakeBlobs, named after make_blobs's.
type BlobsConfig struct {
	// NSamples is the total number of points, divided equally among the
	// centres [100]; SamplesPerCenter, if set, gives each centre's count
	// instead.
	NSamples         int
	SamplesPerCenter []int
	// NFeatures is the dimension of the points [2] (ignored when
	// CenterPoints is set).
	NFeatures int
	// Centers is the number of random centres [3, or len(SamplesPerCenter)].
	Centers int
	// CenterPoints, if set, are the centres.
	CenterPoints [][]float64
	// ClusterStd is the standard deviation of every cluster (one value)
	// or of each cluster [1.0].
	ClusterStd []float64
	// CenterBox bounds the random centres [-10, 10].
	CenterBox [2]float64
	// NoShuffle keeps the points grouped by centre.
	NoShuffle bool
	Seed      uint64
}

// MakeBlobs generates isotropic Gaussian blobs for clustering
// (sklearn.datasets.make_blobs). It returns the points, their blob
// indices, and the centres [n_centers, n_features].
func MakeBlobs(c BlobsConfig) (X, y, centers *tensor.Tensor, err error) {
	rng := newRand(c.Seed)
	var cs [][]float64
	switch {
	case len(c.CenterPoints) > 0:
		f := len(c.CenterPoints[0])
		if f == 0 {
			return nil, nil, nil, fmt.Errorf("data: MakeBlobs: centres of dimension 0")
		}
		for _, p := range c.CenterPoints {
			if len(p) != f {
				return nil, nil, nil, fmt.Errorf("data: MakeBlobs: centres of dimensions %d and %d", f, len(p))
			}
			cs = append(cs, append([]float64(nil), p...))
		}
		if c.Centers != 0 && c.Centers != len(cs) {
			return nil, nil, nil, fmt.Errorf("data: MakeBlobs: Centers %d but %d centre points", c.Centers, len(cs))
		}
	default:
		k := c.Centers
		if k == 0 {
			k = 3
			if len(c.SamplesPerCenter) > 0 {
				k = len(c.SamplesPerCenter)
			}
		}
		f := c.NFeatures
		if f == 0 {
			f = 2
		}
		if k < 0 || f < 0 {
			return nil, nil, nil, fmt.Errorf("data: MakeBlobs: %d centres of dimension %d", k, f)
		}
		box := c.CenterBox
		if box == [2]float64{} {
			box = [2]float64{-10, 10}
		}
		if !(box[0] <= box[1]) {
			return nil, nil, nil, fmt.Errorf("data: MakeBlobs: center box %v is not [lo, hi]", box)
		}
		for range k {
			p := make([]float64, f)
			for j := range p {
				p[j] = box[0] + (box[1]-box[0])*rng.Float64()
			}
			cs = append(cs, p)
		}
	}
	k, f := len(cs), len(cs[0])
	counts := c.SamplesPerCenter
	if len(counts) == 0 {
		n := c.NSamples
		if n == 0 {
			n = 100
		}
		if n < 0 {
			return nil, nil, nil, fmt.Errorf("data: MakeBlobs: %d samples", n)
		}
		counts = make([]int, k)
		for i := range counts {
			counts[i] = n / k
			if i < n%k {
				counts[i]++
			}
		}
	} else if len(counts) != k {
		return nil, nil, nil, fmt.Errorf("data: MakeBlobs: %d sample counts for %d centres", len(counts), k)
	}
	std := c.ClusterStd
	switch len(std) {
	case 0:
		std = []float64{1}
		fallthrough
	case 1:
		s := std[0]
		std = make([]float64, k)
		for i := range std {
			std[i] = s
		}
	case k:
	default:
		return nil, nil, nil, fmt.Errorf("data: MakeBlobs: %d standard deviations for %d centres", len(std), k)
	}
	total := 0
	for i, m := range counts {
		if m < 0 || std[i] < 0 {
			return nil, nil, nil, fmt.Errorf("data: MakeBlobs: negative count or standard deviation for centre %d", i)
		}
		total += m
	}
	x := make([]float64, 0, total*f)
	lab := make([]float64, 0, total)
	for i, m := range counts {
		for range m {
			for j := range f {
				x = append(x, cs[i][j]+std[i]*rng.NormFloat64())
			}
			lab = append(lab, float64(i))
		}
	}
	if !c.NoShuffle {
		shuffleRows(rng, x, f, lab, 1)
	}
	flat := make([]float64, 0, k*f)
	for _, p := range cs {
		flat = append(flat, p...)
	}
	return tensor.FromFloat64(x, total, f), tensor.FromFloat64(lab, total), tensor.FromFloat64(flat, k, f), nil
}

// MoonsConfig holds the parameters of MakeMoons.
type MoonsConfig struct {
	NSamples  int     // [100]
	Noise     float64 // standard deviation of Gaussian noise added to the points
	NoShuffle bool
	Seed      uint64
}

// MakeMoons makes two interleaving half circles
// (sklearn.datasets.make_moons): n/2 points (rounded down) of class 0 on
// the upper unit half circle, and the rest of class 1 on the lower one
// shifted to (1, 0.5).
func MakeMoons(c MoonsConfig) (X, y *tensor.Tensor, err error) {
	n := c.NSamples
	if n == 0 {
		n = 100
	}
	if n < 0 || c.Noise < 0 {
		return nil, nil, fmt.Errorf("data: MakeMoons: %d samples with noise %v", n, c.Noise)
	}
	nOut := n / 2
	nIn := n - nOut
	x := make([]float64, 0, 2*n)
	lab := make([]float64, 0, n)
	for i := range nOut {
		t := linspace(0, math.Pi, nOut, i)
		x = append(x, math.Cos(t), math.Sin(t))
		lab = append(lab, 0)
	}
	for i := range nIn {
		t := linspace(0, math.Pi, nIn, i)
		x = append(x, 1-math.Cos(t), 1-math.Sin(t)-0.5)
		lab = append(lab, 1)
	}
	return finishCurves(c.Seed, c.NoShuffle, c.Noise, x, lab)
}

// CirclesConfig holds the parameters of MakeCircles.
type CirclesConfig struct {
	NSamples  int     // [100]
	Noise     float64 // standard deviation of Gaussian noise added to the points
	Factor    float64 // [0.8] scale of the inner circle, in (0, 1)
	NoShuffle bool
	Seed      uint64
}

// MakeCircles makes a large circle containing a smaller one
// (sklearn.datasets.make_circles): n/2 points (rounded down) of class 0 on
// the unit circle and the rest of class 1 on a circle of radius Factor.
func MakeCircles(c CirclesConfig) (X, y *tensor.Tensor, err error) {
	n := c.NSamples
	if n == 0 {
		n = 100
	}
	f := c.Factor
	if f == 0 {
		f = 0.8
	}
	if n < 0 || c.Noise < 0 || !(f > 0 && f < 1) {
		return nil, nil, fmt.Errorf("data: MakeCircles: %d samples, noise %v, factor %v (want factor in (0, 1))", n, c.Noise, f)
	}
	nOut := n / 2
	nIn := n - nOut
	x := make([]float64, 0, 2*n)
	lab := make([]float64, 0, n)
	for i := range nOut {
		t := 2 * math.Pi * float64(i) / float64(nOut)
		x = append(x, math.Cos(t), math.Sin(t))
		lab = append(lab, 0)
	}
	for i := range nIn {
		t := 2 * math.Pi * float64(i) / float64(nIn)
		x = append(x, f*math.Cos(t), f*math.Sin(t))
		lab = append(lab, 1)
	}
	return finishCurves(c.Seed, c.NoShuffle, c.Noise, x, lab)
}

// linspace returns point i of n evenly spaced from a to b inclusive.
func linspace(a, b float64, n, i int) float64 {
	if n == 1 {
		return a
	}
	return a + (b-a)*float64(i)/float64(n-1)
}

func finishCurves(seed uint64, noShuffle bool, noise float64, x, lab []float64) (X, y *tensor.Tensor, err error) {
	rng := newRand(seed)
	n := len(lab)
	if !noShuffle {
		shuffleRows(rng, x, 2, lab, 1)
	}
	if noise > 0 {
		for i := range x {
			x[i] += noise * rng.NormFloat64()
		}
	}
	return tensor.FromFloat64(x, n, 2), tensor.FromFloat64(lab, n), nil
}
