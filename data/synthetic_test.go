package data

import (
	"math"
	"slices"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

func classCounts(t *testing.T, y *tensor.Tensor) map[int]int {
	t.Helper()
	l, err := Labels(y)
	if err != nil {
		t.Fatal(err)
	}
	m := map[int]int{}
	for _, v := range l {
		m[v]++
	}
	return m
}

func TestMakeClassificationStructure(t *testing.T) {
	X, y, err := MakeClassification(ClassificationConfig{NSamples: 1000, NFeatures: 8, NInformative: 3, NRedundant: 2,
		NRepeated: 1, NClasses: 3, NClustersPerClass: 1, Weights: []float64{0.5, 0.3}, NoShuffle: true, ClassSep: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s := X.Shape(); s[0] != 1000 || s[1] != 8 || X.DType() != tensor.Float64 {
		t.Fatalf("X %v %v", s, X.DType())
	}
	// Weights 0.5, 0.3 and the remainder 1-0.5-0.3 = 0.19999999999999998
	// give int(500), int(300), int(199.99...) = 199 and the one left over
	// goes to cluster 0, as scikit-learn does (1.2.1 gives bincount
	// [501 300 199] for these parameters).
	if c := classCounts(t, y); c[0] != 501 || c[1] != 300 || c[2] != 199 {
		t.Fatalf("class counts %v", c)
	}
	x := X.Float64s()
	row := func(i int) []float64 { return x[i*8 : i*8+8] }
	// The redundant columns 3, 4 are a fixed linear map of columns 0-2:
	// solve for it from three rows and check it on all rows.
	var a [3][3]float64
	var b [3][2]float64
	for i := range 3 {
		copy(a[i][:], row(i)[:3])
		b[i] = [2]float64{row(i)[3], row(i)[4]}
	}
	coef := solve3(a, b)
	for i := range 1000 {
		r := row(i)
		for k := range 2 {
			p := r[0]*coef[0][k] + r[1]*coef[1][k] + r[2]*coef[2][k]
			if math.Abs(p-r[3+k]) > 1e-8*(1+math.Abs(p)) {
				t.Fatalf("row %d: redundant feature %d = %v, linear map gives %v", i, k, r[3+k], p)
			}
		}
	}
	// Column 5 repeats one of columns 0-4.
	rep := -1
	for j := range 5 {
		same := true
		for i := range 1000 {
			if row(i)[5] != row(i)[j] {
				same = false
				break
			}
		}
		if same {
			rep = j
		}
	}
	if rep < 0 {
		t.Fatal("column 5 repeats no earlier column")
	}
	// The informative part separates the classes: class means differ by
	// about 2*ClassSep on some axis (hypercube vertices).
	var mean [3][3]float64
	cnt := classCounts(t, y)
	for i := range 1000 {
		k := int(y.At(i))
		for j := range 3 {
			mean[k][j] += row(i)[j] / float64(cnt[k])
		}
	}
	for p := range 3 {
		for q := p + 1; q < 3; q++ {
			d := 0.0
			for j := range 3 {
				d = math.Max(d, math.Abs(mean[p][j]-mean[q][j]))
			}
			if d < 2 {
				t.Fatalf("classes %d and %d have close means %v %v", p, q, mean[p], mean[q])
			}
		}
	}
	// No shuffle: samples come cluster by cluster.
	if y.At(0) != 0 || y.At(500) != 0 || y.At(501) != 1 || y.At(801) != 2 {
		t.Fatal("unshuffled labels are not grouped")
	}
}

// solve3 solves a c = b for c (3x3 system, two right-hand sides) by
// Cramer's rule.
func solve3(a [3][3]float64, b [3][2]float64) [3][2]float64 {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(a)
	var c [3][2]float64
	for k := range 2 {
		for j := range 3 {
			m := a
			for i := range 3 {
				m[i][j] = b[i][k]
			}
			c[j][k] = det(m) / d
		}
	}
	return c
}

func TestMakeClassificationSeedFlipErrors(t *testing.T) {
	cfg := ClassificationConfig{NSamples: 200, Seed: 3, NRedundant: 2, FlipY: 0.01}
	X1, y1, _ := MakeClassification(cfg)
	X2, y2, _ := MakeClassification(cfg)
	if !slices.Equal(X1.Float64s(), X2.Float64s()) || !slices.Equal(y1.Float64s(), y2.Float64s()) {
		t.Fatal("not deterministic for a seed")
	}
	cfg.Seed = 4
	X3, _, _ := MakeClassification(cfg)
	if slices.Equal(X1.Float64s(), X3.Float64s()) {
		t.Fatal("seed ignored")
	}
	if s := X1.Shape(); s[0] != 200 || s[1] != 20 {
		t.Fatalf("default shape %v", s)
	}
	// FlipY 1 draws every label at random: about half change.
	_, yf, _ := MakeClassification(ClassificationConfig{NSamples: 2000, FlipY: 1, NoShuffle: true, Seed: 1})
	_, yn, _ := MakeClassification(ClassificationConfig{NSamples: 2000, NoShuffle: true, Seed: 1})
	diff := 0
	for i := range 2000 {
		if yf.At(i) != yn.At(i) {
			diff++
		}
	}
	if diff < 850 || diff > 1150 {
		t.Fatalf("flip_y=1 changed %d of 2000 labels, want about 1000", diff)
	}
	for _, bad := range []ClassificationConfig{
		{NFeatures: 3, NInformative: 2, NRedundant: 2},
		{NInformative: 2, NClasses: 3, NClustersPerClass: 2},
		{FlipY: 2},
		{NClasses: 3, Weights: []float64{0.5}},
		{Weights: []float64{0.9, 0.9}},
		{NSamples: -1},
	} {
		if _, _, err := MakeClassification(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestMakeRegression(t *testing.T) {
	X, y, coef, err := MakeRegression(RegressionConfig{NSamples: 50, NFeatures: 6, NInformative: 2, Bias: 3, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	x, yv, c := X.Float64s(), y.Float64s(), coef.Float64s()
	nonzero := 0
	for _, v := range c {
		if v != 0 {
			nonzero++
			if v < 0 || v >= 100 {
				t.Fatalf("coefficient %v outside [0, 100)", v)
			}
		}
	}
	if nonzero != 2 {
		t.Fatalf("%d non-zero coefficients, want 2", nonzero)
	}
	// Without noise y = X coef + bias exactly (after shuffling both).
	for i := range 50 {
		s := 3.0
		for j := range 6 {
			s += x[i*6+j] * c[j]
		}
		if math.Abs(s-yv[i]) > 1e-9 {
			t.Fatalf("row %d: y %v, X coef + bias %v", i, yv[i], s)
		}
	}
	// Several targets.
	_, y2, c2, _ := MakeRegression(RegressionConfig{NSamples: 10, NFeatures: 4, NTargets: 3})
	if !slices.Equal(y2.Shape(), []int{10, 3}) || !slices.Equal(c2.Shape(), []int{4, 3}) {
		t.Fatalf("multi-target shapes %v %v", y2.Shape(), c2.Shape())
	}
	// Noise of standard deviation 5 leaves residuals of about that size.
	Xn, yn, cn, _ := MakeRegression(RegressionConfig{NSamples: 4000, NFeatures: 3, Noise: 5, Seed: 1})
	ss := 0.0
	for i := range 4000 {
		p := 0.0
		for j := range 3 {
			p += Xn.At(i, j) * cn.At(j)
		}
		ss += (yn.At(i) - p) * (yn.At(i) - p)
	}
	if sd := math.Sqrt(ss / 4000); sd < 4.7 || sd > 5.3 {
		t.Fatalf("residual standard deviation %v, want about 5", sd)
	}
	// Low effective rank: the singular values fall off, so X has much
	// less energy than a standard normal matrix.
	Xl, _, _, err := MakeRegression(RegressionConfig{NSamples: 30, NFeatures: 10, EffectiveRank: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	fro := 0.0
	for _, v := range Xl.Float64s() {
		fro += v * v
	}
	// Sum of squared singular values, computed from the formula.
	want := 0.0
	for i := range 10 {
		r := float64(i) / 2
		s := 0.5*math.Exp(-r*r) + 0.5*math.Exp(-0.1*r)
		want += s * s
	}
	if math.Abs(fro-want) > 1e-9 {
		t.Fatalf("low-rank X has squared norm %v, want %v", fro, want)
	}
}

func TestMakeBlobs(t *testing.T) {
	X, y, centers, err := MakeBlobs(BlobsConfig{NSamples: 1001, CenterPoints: [][]float64{{0, 0}, {10, 10}, {-10, 5}}, ClusterStd: []float64{0.5}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c := classCounts(t, y); c[0] != 334 || c[1] != 334 || c[2] != 333 {
		t.Fatalf("counts %v", c)
	}
	var sum [3][2]float64
	var n [3]float64
	for i := range 1001 {
		k := int(y.At(i))
		sum[k][0] += X.At(i, 0)
		sum[k][1] += X.At(i, 1)
		n[k]++
	}
	for k := range 3 {
		for j := range 2 {
			if m := sum[k][j] / n[k]; math.Abs(m-centers.At(k, j)) > 0.1 {
				t.Fatalf("blob %d mean %v, centre %v", k, m, centers.At(k, j))
			}
		}
	}
	_, y2, c2, _ := MakeBlobs(BlobsConfig{SamplesPerCenter: []int{5, 7}, NFeatures: 4, CenterBox: [2]float64{1, 2}, NoShuffle: true})
	if !slices.Equal(c2.Shape(), []int{2, 4}) || y2.At(4) != 0 || y2.At(5) != 1 || y2.Len() != 12 {
		t.Fatalf("centres %v labels %v", c2.Shape(), y2)
	}
	for _, v := range c2.Float64s() {
		if v < 1 || v >= 2 {
			t.Fatalf("centre %v outside the box", v)
		}
	}
	for _, bad := range []BlobsConfig{
		{CenterPoints: [][]float64{{0}, {1, 2}}},
		{Centers: 2, ClusterStd: []float64{1, 2, 3}},
		{SamplesPerCenter: []int{1, 2}, Centers: 3},
		{CenterBox: [2]float64{3, 1}},
	} {
		if _, _, _, err := MakeBlobs(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestMakeMoonsCircles(t *testing.T) {
	X, y, err := MakeMoons(MoonsConfig{NSamples: 101, NoShuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	if c := classCounts(t, y); c[0] != 50 || c[1] != 51 {
		t.Fatalf("moons counts %v", c)
	}
	for i := range 101 {
		a, b := X.At(i, 0), X.At(i, 1)
		if y.At(i) == 0 {
			if math.Abs(a*a+b*b-1) > 1e-12 || b < -1e-12 {
				t.Fatalf("outer moon point (%v, %v) not on the upper unit half circle", a, b)
			}
		} else if d := (a-1)*(a-1) + (b-0.5)*(b-0.5); math.Abs(d-1) > 1e-12 || b > 0.5+1e-12 {
			t.Fatalf("inner moon point (%v, %v) not on the lower half circle about (1, 0.5)", a, b)
		}
	}
	// First and last outer points are (1, 0) and (-1, 0).
	if X.At(0, 0) != 1 || math.Abs(X.At(49, 0)+1) > 1e-12 {
		t.Fatalf("moon endpoints %v %v", X.At(0, 0), X.At(49, 0))
	}
	Xc, yc, err := MakeCircles(CirclesConfig{NSamples: 40, Factor: 0.3, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		r := math.Hypot(Xc.At(i, 0), Xc.At(i, 1))
		want := 1.0
		if yc.At(i) == 1 {
			want = 0.3
		}
		if math.Abs(r-want) > 1e-12 {
			t.Fatalf("circle point of class %v at radius %v", yc.At(i), r)
		}
	}
	Xn, _, _ := MakeCircles(CirclesConfig{NSamples: 2000, Noise: 0.1, NoShuffle: true, Seed: 1})
	ss := 0.0
	for i := range 1000 {
		r := math.Hypot(Xn.At(i, 0), Xn.At(i, 1))
		ss += (r - 1) * (r - 1)
	}
	if sd := math.Sqrt(ss / 1000); sd < 0.08 || sd > 0.12 {
		t.Fatalf("noise 0.1 gives radial spread %v", sd)
	}
	if _, _, err := MakeCircles(CirclesConfig{Factor: 1.5}); err == nil {
		t.Fatal("factor 1.5 accepted")
	}
	if _, _, err := MakeMoons(MoonsConfig{Noise: -1}); err == nil {
		t.Fatal("negative noise accepted")
	}
}
