package plot

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// TestInputErrors checks that bad input gives an error naming the problem,
// never a panic.
func TestInputErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		call func() (*Figure, error)
		want string
	}{
		{"history nil", func() (*Figure, error) { return History(nil) }, "nil history"},
		{"history empty", func() (*Figure, error) { return History(HistoryMap{}) }, "no finite values"},
		{"history all NaN", func() (*Figure, error) { return History(HistoryMap{"loss": {nan}}) }, "no finite values"},
		{"roc lengths", func() (*Figure, error) { return ROC([]int{0, 1}, []float64{0.5}) }, "2 labels but 1 scores"},
		{"roc label", func() (*Figure, error) { return ROC([]int{0, 2}, []float64{0.5, 0.1}) }, "want 0 or 1"},
		{"roc one class", func() (*Figure, error) { return ROC([]int{1, 1}, []float64{0.5, 0.1}) }, "need both classes"},
		{"roc NaN", func() (*Figure, error) { return ROC([]int{0, 1}, []float64{nan, 0.1}) }, "NaN"},
		{"roc empty", func() (*Figure, error) { return ROC(nil, nil) }, "no samples"},
		{"roc curve range", func() (*Figure, error) { return ROCFromCurve([]float64{0, 2}, []float64{0, 1}, 0.5) }, "outside [0, 1]"},
		{"pr no positives", func() (*Figure, error) { return PrecisionRecall([]int{0, 0}, []float64{0.5, 0.1}) }, "no positive"},
		{"pr curve lengths", func() (*Figure, error) { return PrecisionRecallFromCurve([]float64{1}, nil, 1, 0.5) }, "x values"},
		{"cm empty", func() (*Figure, error) { return ConfusionMatrix(nil, nil) }, "empty matrix"},
		{"cm ragged", func() (*Figure, error) { return ConfusionMatrix([][]int{{1, 2}, {3}}, nil) }, "row 1 has 1"},
		{"cm negative", func() (*Figure, error) { return ConfusionMatrix([][]int{{1, -2}, {3, 4}}, nil) }, "negative"},
		{"cm names", func() (*Figure, error) { return ConfusionMatrix([][]int{{1, 2}, {3, 4}}, []string{"a"}) }, "1 class names"},
		{"elbow lengths", func() (*Figure, error) { return Elbow([]int{1, 2}, []float64{1}) }, "2 values of k but 1"},
		{"elbow order", func() (*Figure, error) { return Elbow([]int{2, 1}, []float64{1, 2}) }, "must increase"},
		{"elbow NaN", func() (*Figure, error) { return Elbow([]int{1, 2}, []float64{1, nan}) }, "NaN"},
		{"silhouette range", func() (*Figure, error) { return SilhouetteScores([]int{2}, []float64{1.5}) }, "outside [-1, 1]"},
		{"silhouette samples", func() (*Figure, error) { return SilhouetteSamples([]float64{0.5}, []int{-1}) }, "no clustered"},
		{"silhouette sample lengths", func() (*Figure, error) { return SilhouetteSamples([]float64{0.5}, nil) }, "1 coefficients but 0"},
		{"scatter 1 feature", func() (*Figure, error) { return ClusterScatter([][]float64{{1}}, []int{0}, nil) }, "need at least 2"},
		{"scatter labels", func() (*Figure, error) { return ClusterScatter([][]float64{{1, 2}}, nil, nil) }, "1 samples but 0 labels"},
		{"scatter ragged", func() (*Figure, error) { return ClusterScatter([][]float64{{1, 2}, {1}}, []int{0, 0}, nil) }, "row 1 has 1"},
		{"scatter NaN", func() (*Figure, error) { return ClusterScatter([][]float64{{1, nan}}, []int{0}, nil) }, "NaN"},
		{"scatter centre", func() (*Figure, error) { return ClusterScatter([][]float64{{1, 2}}, []int{0}, [][]float64{{1}}) }, "centre 0"},
		{"scatter tensor shape", func() (*Figure, error) {
			return ClusterScatterTensor(tensor.Zeros(tensor.Float64, 3), []int{0, 0, 0}, nil)
		}, "want [rows, features]"},
		{"importances lengths", func() (*Figure, error) { return FeatureImportances([]string{"a"}, []float64{1, 2}) }, "1 names but 2"},
		{"importances NaN", func() (*Figure, error) { return FeatureImportances(nil, []float64{nan}) }, "NaN"},
		{"variance over 1", func() (*Figure, error) { return ExplainedVariance([]float64{0.7, 0.6}) }, "over 1"},
		{"variance negative", func() (*Figure, error) { return ExplainedVariance([]float64{-0.1}) }, "outside [0, 1]"},
		{"images nil", func() (*Figure, error) { return ImageGrid(nil, nil, nil, nil) }, "nil images"},
		{"images shape", func() (*Figure, error) { return ImageGrid(tensor.Zeros(tensor.Float32, 2, 3), nil, nil, nil) }, "want [N, C, H, W]"},
		{"images channels", func() (*Figure, error) { return ImageGrid(tensor.Zeros(tensor.Float32, 1, 2, 4, 4), nil, nil, nil) }, "2 channels"},
		{"images labels", func() (*Figure, error) {
			return ImageGrid(tensor.Zeros(tensor.Float32, 2, 4, 4), []int{1}, nil, nil)
		}, "2 images but 1 labels"},
		{"tree syntax", func() (*Figure, error) { return Tree("digraph {") }, "DOT"},
	}
	for _, tc := range tests {
		f, err := tc.call()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
		if f != nil {
			t.Errorf("%s: figure returned with an error", tc.name)
		}
	}
}

func TestSave(t *testing.T) {
	f, err := Elbow([]int{1, 2, 3}, []float64{9, 4, 3})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"a.png", "b.SVG"} {
		if err := f.Save(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "a.png"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("a.png: %v", err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "b.SVG"))
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Fatalf("b.SVG: %v", err)
	}
	if err := f.Save(filepath.Join(dir, "c.gif")); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
		t.Fatalf("gif: err = %v", err)
	}
	if err := f.Save(filepath.Join(dir, "missing", "d.png")); err == nil {
		t.Fatal("save into a missing directory: no error")
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want a.png and b.SVG", names)
	}
	img, err := f.Image()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 576 || b.Dy() != 432 {
		t.Fatalf("Image is %v, want 576x432 (6x4.5 in at 96 DPI)", b)
	}
	if err := f.Encode(&bytes.Buffer{}, "pdf"); err == nil {
		t.Fatal("pdf: no error")
	}
}

func TestManyPanelsAndClasses(t *testing.T) {
	// Larger inputs than the golden ones still draw: 5 history panels,
	// 30 features, 20 components, 20 classes with long names, 100+ images.
	h := sampleHistory(60)
	h["lr"] = make([]float64, 60)
	h["precision"], h["val_precision"] = h["accuracy"], h["val_accuracy"]
	h["val_only"] = h["val_loss"]
	var names []string
	var vals, ratios []float64
	for i := range 30 {
		names = append(names, "a rather long feature name "+string(rune('A'+i)))
		vals = append(vals, float64((i*7)%30)/30-0.1)
	}
	for i := range 20 {
		ratios = append(ratios, 0.5/float64(i+1)/1.8)
	}
	m := make([][]int, 20)
	var classes []string
	for i := range m {
		m[i] = make([]int, 20)
		m[i][i] = 1000 + i
		classes = append(classes, "class number "+string(rune('a'+i)))
	}
	imgs := tensor.RandU(tensor.Float32, tensor.NewRand(1), -3, 3, 120, 3, 10, 10)
	labels := make([]int, 120)
	for i, call := range []func() (*Figure, error){
		func() (*Figure, error) { return History(h) },
		func() (*Figure, error) { return FeatureImportances(names, vals) },
		func() (*Figure, error) { return ExplainedVariance(ratios) },
		func() (*Figure, error) { return ConfusionMatrix(m, classes) },
		func() (*Figure, error) { return ImageGrid(imgs, labels, labels, nil) },
		func() (*Figure, error) {
			UseGraphviz = false
			defer func() { UseGraphviz = true }()
			return Tree(fullTreeDOT(4))
		},
	} {
		f, err := call()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Encode(&buf, "png"); err != nil {
			t.Fatal(err)
		}
		checkPNG(t, "large", buf.Bytes(), f)
		if *outDir != "" {
			if err := f.Save(filepath.Join(*outDir, "large_"+string(rune('0'+i))+".png")); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fullTreeDOT is a complete binary tree of the given depth in the format
// of classical/tree's ExportGraphviz (and scikit-learn's export_graphviz).
func fullTreeDOT(depth int) string {
	var b strings.Builder
	b.WriteString("digraph Tree {\nnode [shape=box, fontname=\"helvetica\"] ;\n")
	n := 1<<(depth+1) - 1
	for i := range n {
		if 2*i+1 < n {
			fmt.Fprintf(&b, "%d [label=\"X[%d] <= %d.5\\ngini = 0.5\\nsamples = %d\\nvalue = [%d, %d]\"] ;\n", i, i%7, i, 1000>>bits.Len(uint(i+1)), i, n-i)
			fmt.Fprintf(&b, "%d -> %d ;\n%d -> %d ;\n", i, 2*i+1, i, 2*i+2)
		} else {
			fmt.Fprintf(&b, "%d [label=\"gini = 0.0\\nsamples = 3\\nvalue = [3, 0]\"] ;\n", i)
		}
	}
	b.WriteString("}\n")
	return b.String()
}
