package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/tensor"
	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/meta"
	"github.com/sjwhitworth/golearn/trees"
)

// table is a classification data set split into train and test rows.
type table struct {
	name             string
	p                int
	xTrain, xTest    []float64 // row-major
	yTrain, yTest    []float64 // class indices 0..k-1
	nTrain, nTest, k int
}

// readTable reads a CSV of float features with the integer label last; a
// first line that does not parse as numbers (the scikit-learn header
// "n,p,names...") is skipped. Files ending in .gz are decompressed.
func readTable(path string) (x, y []float64, p int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(fields) < 2 {
			continue
		}
		vals := make([]float64, len(fields))
		ok := true
		for i, s := range fields {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				ok = false
				break
			}
			vals[i] = v
		}
		if !ok {
			if line == 1 {
				continue // header
			}
			return nil, nil, 0, fmt.Errorf("%s:%d: not numeric", path, line)
		}
		if p == 0 {
			p = len(vals) - 1
		} else if len(vals)-1 != p {
			return nil, nil, 0, fmt.Errorf("%s:%d: %d fields, want %d", path, line, len(vals), p+1)
		}
		x = append(x, vals[:p]...)
		y = append(y, vals[p])
	}
	if err := sc.Err(); err != nil {
		return nil, nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if len(y) == 0 {
		return nil, nil, 0, fmt.Errorf("%s: no rows", path)
	}
	return x, y, p, nil
}

// split shuffles the rows with seed and keeps testFrac of them for testing.
func split(name string, x, y []float64, p int, testFrac float64, seed uint64) table {
	n := len(y)
	perm := rand.New(rand.NewPCG(seed, seed^0x5bd1e995)).Perm(n)
	nTest := int(float64(n) * testFrac)
	t := table{name: name, p: p, nTest: nTest, nTrain: n - nTest}
	k := 0
	for i, r := range perm {
		if int(y[r])+1 > k {
			k = int(y[r]) + 1
		}
		if i < nTest {
			t.xTest = append(t.xTest, x[r*p:(r+1)*p]...)
			t.yTest = append(t.yTest, y[r])
		} else {
			t.xTrain = append(t.xTrain, x[r*p:(r+1)*p]...)
			t.yTrain = append(t.yTrain, y[r])
		}
	}
	t.k = k
	return t
}

// synthetic makes n rows of p features in k classes: each class has a
// Gaussian centre on the first p/2 features (the rest is noise) and the
// rows are the centre plus unit Gaussian noise.
func synthetic(n, p, k int, seed uint64) (x, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([]float64, k*p)
	for c := 0; c < k; c++ {
		for j := 0; j < p/2; j++ {
			centres[c*p+j] = 1.5 * rng.NormFloat64()
		}
	}
	x = make([]float64, n*p)
	y = make([]float64, n)
	for i := 0; i < n; i++ {
		c := rng.IntN(k)
		y[i] = float64(c)
		for j := 0; j < p; j++ {
			x[i*p+j] = centres[c*p+j] + rng.NormFloat64()
		}
	}
	return x, y
}

// golearnGrids holds a table as golearn instances sharing one set of
// attributes: with a categorical class (KNN, ID3, bagging) and with a
// float class (CART, which requires one).
type golearnGrids struct {
	trainCat, testCat     *base.DenseInstances
	trainFloat, testFloat *base.DenseInstances
}

func toGolearn(t table) golearnGrids {
	attrs := make([]base.Attribute, t.p)
	for j := range attrs {
		attrs[j] = base.NewFloatAttribute(fmt.Sprintf("x%d", j))
	}
	cat := base.NewCategoricalAttribute()
	cat.SetName("class")
	for c := 0; c < t.k; c++ {
		cat.GetSysValFromString(strconv.Itoa(c))
	}
	flt := base.NewFloatAttribute("class")
	build := func(x, y []float64, n int, class base.Attribute) *base.DenseInstances {
		inst := base.NewDenseInstances()
		specs := make([]base.AttributeSpec, t.p)
		for j, a := range attrs {
			specs[j] = inst.AddAttribute(a)
		}
		cspec := inst.AddAttribute(class)
		if err := inst.AddClassAttribute(class); err != nil {
			panic(err)
		}
		if err := inst.Extend(n); err != nil {
			panic(err)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < t.p; j++ {
				inst.Set(specs[j], i, base.PackFloatToBytes(x[i*t.p+j]))
			}
			if class == base.Attribute(cat) {
				inst.Set(cspec, i, cat.GetSysValFromString(strconv.Itoa(int(y[i]))))
			} else {
				inst.Set(cspec, i, base.PackFloatToBytes(y[i]))
			}
		}
		return inst
	}
	return golearnGrids{
		trainCat:   build(t.xTrain, t.yTrain, t.nTrain, cat),
		testCat:    build(t.xTest, t.yTest, t.nTest, cat),
		trainFloat: build(t.xTrain, t.yTrain, t.nTrain, flt),
		testFloat:  build(t.xTest, t.yTest, t.nTest, flt),
	}
}

// accuracyGrid compares golearn's predicted class strings with y.
func accuracyGrid(pred base.FixedDataGrid, y []float64) float64 {
	hit := 0
	for i, v := range y {
		if base.GetClass(pred, i) == strconv.Itoa(int(v)) {
			hit++
		}
	}
	return float64(hit) / float64(len(y))
}

func accuracyInts(pred []int64, y []float64) float64 {
	hit := 0
	for i, v := range y {
		if pred[i] == int64(v) {
			hit++
		}
	}
	return float64(hit) / float64(len(y))
}

func accuracyTensor(pred *tensor.Tensor, y []float64) float64 {
	got := pred.Float64s()
	hit := 0
	for i, v := range y {
		if got[i] == v {
			hit++
		}
	}
	return float64(hit) / float64(len(y))
}

// emberFitPredict fits est and returns a function that refits and
// predicts, storing the accuracy of the last call in *acc.
func emberFitPredict(est classical.Predictor, t table, acc *float64) func() {
	xtr := tensor.FromSlice(tensor.Float64, t.xTrain, t.nTrain, t.p)
	ytr := tensor.FromSlice(tensor.Float64, t.yTrain, t.nTrain)
	xte := tensor.FromSlice(tensor.Float64, t.xTest, t.nTest, t.p)
	return func() {
		if err := est.Fit(context.Background(), xtr, ytr); err != nil {
			panic(err)
		}
		pred, err := est.Predict(xte)
		if err != nil {
			panic(err)
		}
		*acc = accuracyTensor(pred, t.yTest)
	}
}

// golearnForest is golearn's ensemble.RandomForest.Fit, copied: that
// package does not build without cgo (it imports linear_models), while the
// meta and trees packages it uses do. trees is the number of ID3 trees,
// features the number of random features each tree sees.
type golearnForest struct{ model *meta.BaggedModel }

func newGolearnForest(nTrees, features int, on base.FixedDataGrid) *golearnForest {
	m := new(meta.BaggedModel)
	m.RandomFeatures = features
	for i := 0; i < nTrees; i++ {
		m.AddModel(trees.NewID3DecisionTree(0.00))
	}
	m.Fit(on)
	return &golearnForest{m}
}

func runClassical(dataDir string, reps int, slow bool) []row {
	var tables []table
	for _, f := range []string{"iris.csv", "breast_cancer.csv", "digits.csv.gz"} {
		x, y, p, err := readTable(filepath.Join(dataDir, f))
		if err != nil {
			fmt.Fprintf(os.Stderr, "gopeers: skipping %s: %v\n", f, err)
			continue
		}
		tables = append(tables, split(strings.TrimSuffix(strings.TrimSuffix(f, ".gz"), ".csv"), x, y, p, 0.3, 1))
	}
	sx, sy := synthetic(20000, 20, 3, 42)
	tables = append(tables, split("synthetic 20000x20", sx, sy, 20, 0.3, 1))

	const forestTrees = 10
	var rows []row
	for _, t := range tables {
		g := toGolearn(t)
		task := func(s string) string {
			return fmt.Sprintf("%s %s (%d train, %d test)", t.name, s, t.nTrain, t.nTest)
		}
		// KNN (k=5, Euclidean, brute force).
		rows = append(rows, knnRow(t, g, task("KNN k=5 fit+predict"), reps))

		// CART decision tree, gini, fully grown, vs golearn's CART.
		var r row
		r = row{section: "classical", task: task("CART tree gini fit+predict"), peerName: "golearn trees.CARTDecisionTreeClassifier"}
		if t.nTrain > 5000 && !slow {
			rows = append(rows, row{section: "classical", task: r.task, peerName: r.peerName, skipped: true,
				note: "skipped by default: golearn's CART split search is quadratic in the rows (minutes here); -slow includes it"})
		} else {
			rows = append(rows, cartRow(t, g, r, reps))
		}

		// ember's CART (entropy) vs golearn's ID3 (information gain).
		r = row{section: "classical", task: task("tree entropy fit+predict"), peerName: "golearn trees.ID3DecisionTree", note: "ember CART criterion=entropy; golearn ID3, prune 0"}
		dt := tree.NewDecisionTreeClassifier()
		dt.Criterion = "entropy"
		r.ember, r.peer = alternate(reps,
			emberFitPredict(dt, t, &r.accEmber),
			func() {
				c := trees.NewID3DecisionTree(0)
				if err := c.Fit(g.trainCat); err != nil {
					panic(err)
				}
				pred, err := c.Predict(g.testCat)
				if err != nil {
					panic(err)
				}
				r.accPeer = accuracyGrid(pred, t.yTest)
			})
		rows = append(rows, r)

		// Random forest of 10 trees.
		feat := 1
		for feat*feat < t.p {
			feat++
		}
		r = row{section: "classical", task: task(fmt.Sprintf("random forest %d trees fit+predict", forestTrees)), peerName: "golearn RandomForest (bagged ID3)",
			note: fmt.Sprintf("ember: gini, sqrt features per split; golearn: %d random features per tree", feat)}
		rf := ensemble.NewRandomForestClassifier()
		rf.NEstimators = forestTrees
		rf.Seed = 1
		r.ember, r.peer = alternate(reps,
			emberFitPredict(rf, t, &r.accEmber),
			func() {
				f := newGolearnForest(forestTrees, feat, g.trainCat)
				pred, err := f.model.Predict(g.testCat)
				if err != nil {
					panic(err)
				}
				r.accPeer = accuracyGrid(pred, t.yTest)
			})
		rows = append(rows, r)
	}
	rows = append(rows, row{section: "classical", task: "Gaussian naive Bayes", peerName: "golearn", skipped: true,
		note: "golearn has no Gaussian NB (naive/ holds only BernoulliNBClassifier); ember has no Bernoulli NB"})
	return rows
}

// cartRow compares ember's DecisionTreeClassifier (gini, fully grown) with
// golearn's CARTDecisionTreeClassifier (gini, max depth -1 = unlimited).
func cartRow(t table, g golearnGrids, r row, reps int) row {
	labels := make([]int64, t.k)
	for c := range labels {
		labels[c] = int64(c)
	}
	r.ember, r.peer = alternate(reps,
		emberFitPredict(tree.NewDecisionTreeClassifier(), t, &r.accEmber),
		func() {
			c := trees.NewDecisionTreeClassifier("gini", -1, labels)
			if err := c.Fit(g.trainFloat); err != nil {
				panic(err)
			}
			r.accPeer = accuracyInts(c.Predict(g.testFloat), t.yTest)
		})
	return r
}
