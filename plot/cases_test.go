package plot

import (
	"math"
	"os"

	"github.com/ember-ml/ember/tensor"
)

// pictureCases are the fixed inputs of the golden pictures.
func pictureCases() []pictureCase {
	return append(morePictureCases(), []pictureCase{
		{"history", func() (*Figure, error) { return History(sampleHistory(12)) }},
		{"history_one_epoch", func() (*Figure, error) {
			return History(HistoryMap{"loss": {0.7}, "val_loss": {0.8}})
		}},
		{"roc", func() (*Figure, error) { y, s := sampleScores(); return ROC(y, s) }},
		{"precision_recall", func() (*Figure, error) { y, s := sampleScores(); return PrecisionRecall(y, s) }},
		{"confusion_matrix", func() (*Figure, error) {
			return ConfusionMatrix([][]int{{50, 0, 0}, {0, 47, 3}, {0, 2, 48}}, []string{"setosa", "versicolor", "virginica"})
		}},
		{"confusion_matrix_10", func() (*Figure, error) { return ConfusionMatrix(digitsMatrix(), nil) }},
	}...)
}

// sampleHistory is a made-up but typical history of n epochs.
func sampleHistory(n int) HistoryMap {
	h := HistoryMap{}
	for e := range n {
		x := float64(e)
		h["loss"] = append(h["loss"], 0.25+0.9*math.Exp(-x/3))
		h["val_loss"] = append(h["val_loss"], 0.32+0.85*math.Exp(-x/3)+0.004*x*x/4)
		h["accuracy"] = append(h["accuracy"], 0.97-0.5*math.Exp(-x/2.5))
		h["val_accuracy"] = append(h["val_accuracy"], 0.93-0.5*math.Exp(-x/2.5)-0.001*x)
	}
	return h
}

// sampleScores are 20 binary labels with overlapping scores.
func sampleScores() ([]int, []float64) {
	y := []int{1, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0}
	s := []float64{0.95, 0.92, 0.88, 0.85, 0.8, 0.76, 0.7, 0.66, 0.61, 0.55, 0.52, 0.48, 0.45, 0.4, 0.33, 0.3, 0.24, 0.2, 0.12, 0.05}
	return y, s
}

func digitsMatrix() [][]int {
	m := make([][]int, 10)
	for i := range m {
		m[i] = make([]int, 10)
		m[i][i] = 95 + i
		m[i][(i+3)%10] = i % 4
		m[i][(i+7)%10] = 1 + i%3
	}
	m[4][9] = 12
	return m
}

func morePictureCases() []pictureCase {
	return []pictureCase{
		{"elbow", func() (*Figure, error) {
			return Elbow([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []float64{2800, 1350, 520, 420, 360, 315, 280, 255, 235, 220})
		}},
		{"silhouette_scores", func() (*Figure, error) {
			return SilhouetteScores([]int{2, 3, 4, 5, 6, 7, 8}, []float64{0.58, 0.71, 0.55, 0.49, 0.41, 0.38, 0.33})
		}},
		{"silhouette_samples", func() (*Figure, error) { s, l := sampleSilhouette(); return SilhouetteSamples(s, l) }},
		{"cluster_scatter", func() (*Figure, error) { X, l, c := sampleBlobs(2); return ClusterScatter(X, l, c) }},
		{"cluster_scatter_pca", func() (*Figure, error) { X, l, c := sampleBlobs(4); return ClusterScatter(X, l, c) }},
		{"feature_importances", func() (*Figure, error) {
			return FeatureImportances([]string{"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"},
				[]float64{0.09, 0.02, 0.44, 0.45})
		}},
		{"tree", func() (*Figure, error) {
			src, err := os.ReadFile("testdata/iris_tree.dot")
			if err != nil {
				return nil, err
			}
			UseGraphviz = false
			defer func() { UseGraphviz = true }()
			return Tree(string(src))
		}},
		{"image_grid", func() (*Figure, error) {
			imgs, labels, preds := sampleImages()
			return ImageGrid(imgs, labels, preds, []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"})
		}},
		{"image_grid_rgb", func() (*Figure, error) {
			return ImageGrid(sampleRGB(), []int{0, 1, 2, 1, 0, 2}, nil, []string{"red", "green", "blue"})
		}},
		{"explained_variance", func() (*Figure, error) {
			return ExplainedVariance([]float64{0.7296, 0.2285, 0.0367, 0.0052})
		}},
	}
}

// sampleBlobs returns three deterministic blobs in d dimensions with their
// centres (a fixed low-discrepancy pattern, no random numbers).
func sampleBlobs(d int) ([][]float64, []int, [][]float64) {
	centres := [][]float64{{-4, 2}, {3, 3}, {0, -3.5}}
	for i := range centres {
		for j := 2; j < d; j++ {
			centres[i] = append(centres[i], float64((i+1)*(j-1))*0.8)
		}
	}
	var X [][]float64
	var labels []int
	for i := range 90 {
		c := i % 3
		r := 1.4 * math.Sqrt(float64(i%30)/30)
		a := float64(i) * 2.39996 // golden angle
		row := []float64{centres[c][0] + r*math.Cos(a), centres[c][1] + r*math.Sin(a)}
		for j := 2; j < d; j++ {
			row = append(row, centres[c][j]+0.5*math.Sin(a*float64(j)))
		}
		X = append(X, row)
		labels = append(labels, c)
	}
	labels[5] = -1 // one noise point
	return X, labels, centres
}

func sampleSilhouette() ([]float64, []int) {
	var s []float64
	var l []int
	for i := range 60 {
		c := i % 3
		v := 0.75 - 0.25*float64(c) - 0.012*float64(i/3)
		s = append(s, v)
		l = append(l, c)
	}
	s[4] = -0.08
	return s, l
}

// sampleImages draws 12 synthetic 28x28 "digits": a ring whose radius
// depends on the label, plus a bar; predictions are wrong for three.
func sampleImages() (*tensor.Tensor, []int, []int) {
	const n, h, w = 12, 28, 28
	data := make([]float64, n*h*w)
	labels := make([]int, n)
	preds := make([]int, n)
	for k := range n {
		labels[k] = k % 10
		preds[k] = labels[k]
		if k%4 == 3 {
			preds[k] = (labels[k] + 5) % 10
		}
		rad := 4 + float64(labels[k])
		for y := range h {
			for x := range w {
				d := math.Hypot(float64(x)-13.5, float64(y)-13.5)
				v := math.Max(0, 1-math.Abs(d-rad)/1.5)
				if x == 4+k && y > 4 && y < 24 {
					v = 1
				}
				data[k*h*w+y*w+x] = 255 * v
			}
		}
	}
	return tensor.FromFloat64(data, n, 1, h, w), labels, preds
}

// sampleRGB is 6 images of 8x12 pixels in [0, 1], tinted by class.
func sampleRGB() *tensor.Tensor {
	const n, h, w = 6, 8, 12
	data := make([]float32, n*3*h*w)
	class := []int{0, 1, 2, 1, 0, 2}
	for k := range n {
		for y := range h {
			for x := range w {
				for c := range 3 {
					v := 0.2 + 0.6*float64(x)/float64(w)
					if c == class[k] {
						v = 0.5 + 0.5*float64(y)/float64(h)
					}
					data[((k*3+c)*h+y)*w+x] = float32(v)
				}
			}
		}
	}
	return tensor.FromFloat32(data, n, 3, h, w)
}
