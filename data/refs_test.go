package data

import (
	"encoding/json"
	"math"
	"os"
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
