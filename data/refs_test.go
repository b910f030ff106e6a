package data

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

// refs holds outputs recorded from PyTorch and SciPy by
// testdata/gen_refs.py (versions in the file).
type refs struct {
	Image  []float64 `json:"image"`
	Resize []struct {
		H, W     int
		Bilinear []float64 `json:"bilinear"`
		Nearest  []float64 `json:"nearest"`
	} `json:"resize"`
	Image3 []float64 `json:"image3"`
	Warp   []struct {
		Params map[string]float64 `json:"params"`
		Fill   string             `json:"fill"`
		Out    []float64          `json:"out"`
	} `json:"warp"`
}

func loadRefs(t *testing.T) *refs {
	t.Helper()
	b, err := os.ReadFile("testdata/refs.json")
	if err != nil {
		t.Fatal(err)
	}
	var r refs
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Image) != 35 || len(r.Resize) != 5 || len(r.Image3) != 84 || len(r.Warp) != 16 {
		t.Fatalf("testdata/refs.json holds %d/%d/%d/%d values and cases, want 35/5/84/16",
			len(r.Image), len(r.Resize), len(r.Image3), len(r.Warp))
	}
	return &r
}

func TestResizeMatchesTorch(t *testing.T) {
	r := loadRefs(t)
	src := make([]float32, len(r.Image))
	for i, v := range r.Image {
		src[i] = float32(v)
	}
	for _, c := range r.Resize {
		got := make([]float32, c.H*c.W)
		resizeBilinear(got, src, 1, 5, 7, c.H, c.W)
		near := make([]float32, c.H*c.W)
		resizeNearest(near, src, 1, 5, 7, c.H, c.W)
		for i := range got {
			if math.Abs(float64(got[i])-c.Bilinear[i]) > 1e-6 {
				t.Fatalf("bilinear 5x7 -> %dx%d: value %d is %v, torch %v", c.H, c.W, i, got[i], c.Bilinear[i])
			}
			if float64(near[i]) != c.Nearest[i] {
				t.Fatalf("nearest 5x7 -> %dx%d: value %d is %v, torch nearest-exact %v", c.H, c.W, i, near[i], c.Nearest[i])
			}
		}
	}
}

func TestAugmentMatchesKerasScipy(t *testing.T) {
	r := loadRefs(t)
	x := tensor.FromSlice(tensor.Float64, r.Image3, 2, 6, 7)
	for _, c := range r.Warp {
		p := AugmentParams{Theta: c.Params["theta"], Tx: c.Params["tx"], Ty: c.Params["ty"], Shear: c.Params["shear"],
			Zx: 1, Zy: 1, Brightness: 1}
		if z, ok := c.Params["zx"]; ok {
			p.Zx = z
		}
		if z, ok := c.Params["zy"]; ok {
			p.Zy = z
		}
		a := Augmentation{FillMode: c.Fill}
		out, err := a.ApplyParams(x, p)
		if err != nil {
			t.Fatal(err)
		}
		got := out.Float64s()
		for i := range got {
			if math.Abs(got[i]-c.Out[i]) > 1e-5 {
				t.Fatalf("%v fill %s: value %d is %v, Keras/SciPy %v", c.Params, c.Fill, i, got[i], c.Out[i])
			}
		}
	}
}

// sklearnRefs holds outputs of scikit-learn's generators that do not
// depend on its random numbers (testdata/gen_sklearn_refs.py).
type sklearnRefs struct {
	Moons, Circles []struct {
		N      int       `json:"n"`
		Factor float64   `json:"factor"`
		X      []float64 `json:"X"`
		Y      []float64 `json:"y"`
	}
	Classification []struct {
		N        int       `json:"n"`
		Classes  int       `json:"classes"`
		Clusters int       `json:"clusters"`
		Weights  []float64 `json:"weights"`
		Counts   []int     `json:"counts"`
	}
	Blobs []struct {
		N       int   `json:"n"`
		Centers int   `json:"centers"`
		Counts  []int `json:"counts"`
	}
}

func TestSyntheticMatchesSklearn(t *testing.T) {
	b, err := os.ReadFile("testdata/sklearn_refs.json")
	if err != nil {
		t.Fatal(err)
	}
	var r sklearnRefs
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Moons) != 3 || len(r.Circles) != 3 || len(r.Classification) != 5 || len(r.Blobs) != 3 {
		t.Fatal("testdata/sklearn_refs.json is incomplete")
	}
	same := func(name string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%s: value %d is %v, scikit-learn %v", name, i, got[i], want[i])
			}
		}
	}
	for _, c := range r.Moons {
		X, y, err := MakeMoons(MoonsConfig{NSamples: c.N, NoShuffle: true})
		if err != nil {
			t.Fatal(err)
		}
		same("moons X", X.Float64s(), c.X)
		same("moons y", y.Float64s(), c.Y)
	}
	for _, c := range r.Circles {
		X, y, err := MakeCircles(CirclesConfig{NSamples: c.N, Factor: c.Factor, NoShuffle: true})
		if err != nil {
			t.Fatal(err)
		}
		same("circles X", X.Float64s(), c.X)
		same("circles y", y.Float64s(), c.Y)
	}
	for _, c := range r.Classification {
		_, y, err := MakeClassification(ClassificationConfig{NSamples: c.N, NFeatures: 6, NInformative: 4,
			NClasses: c.Classes, NClustersPerClass: c.Clusters, Weights: c.Weights, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]int, c.Classes)
		l, _ := Labels(y)
		for _, v := range l {
			counts[v]++
		}
		if !slices.Equal(counts, c.Counts) {
			t.Fatalf("make_classification n=%d weights %v: counts %v, scikit-learn %v", c.N, c.Weights, counts, c.Counts)
		}
	}
	for _, c := range r.Blobs {
		_, y, _, err := MakeBlobs(BlobsConfig{NSamples: c.N, Centers: c.Centers, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]int, c.Centers)
		l, _ := Labels(y)
		for _, v := range l {
			counts[v]++
		}
		if !slices.Equal(counts, c.Counts) {
			t.Fatalf("make_blobs n=%d: counts %v, scikit-learn %v", c.N, counts, c.Counts)
		}
	}
}
