package data

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

func img(h, w int, vals ...float64) *tensor.Tensor {
	return tensor.FromSlice(tensor.Float32, vals, 1, h, w)
}

func checkImage(t *testing.T, name string, got *tensor.Tensor, want ...float64) {
	t.Helper()
	g := got.Float64s()
	if len(g) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(g), len(want))
	}
	for i := range want {
		if math.Abs(g[i]-want[i]) > 1e-5 {
			t.Fatalf("%s: got %v, want %v", name, g, want)
		}
	}
}

func TestAugmentHandChecked(t *testing.T) {
	x := img(3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	id := AugmentParams{Zx: 1, Zy: 1, Brightness: 1}
	apply := func(a Augmentation, mod func(*AugmentParams)) *tensor.Tensor {
		p := id
		mod(&p)
		out, err := a.ApplyParams(x, p)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var a Augmentation
	checkImage(t, "identity", apply(a, func(p *AugmentParams) {}), 1, 2, 3, 4, 5, 6, 7, 8, 9)
	checkImage(t, "horizontal flip", apply(a, func(p *AugmentParams) { p.FlipHorizontal = true }), 3, 2, 1, 6, 5, 4, 9, 8, 7)
	checkImage(t, "vertical flip", apply(a, func(p *AugmentParams) { p.FlipVertical = true }), 7, 8, 9, 4, 5, 6, 1, 2, 3)
	// Rotation by 90 degrees about the centre: out[r][c] = in[2-c][r].
	checkImage(t, "rotate 90", apply(a, func(p *AugmentParams) { p.Theta = 90 }), 7, 4, 1, 8, 5, 2, 9, 6, 3)
	checkImage(t, "rotate -90", apply(a, func(p *AugmentParams) { p.Theta = -90 }), 3, 6, 9, 2, 5, 8, 1, 4, 7)
	checkImage(t, "rotate 180", apply(a, func(p *AugmentParams) { p.Theta = 180 }), 9, 8, 7, 6, 5, 4, 3, 2, 1)
	// A shift of one row: out[r][c] = in[r+1][c], the last row filled.
	for _, c := range []struct {
		fill string
		last []float64
	}{
		{"", []float64{7, 8, 9}},
		{"nearest", []float64{7, 8, 9}},
		{"constant", []float64{-1, -1, -1}},
		{"reflect", []float64{7, 8, 9}},
		{"wrap", []float64{1, 2, 3}},
	} {
		b := Augmentation{FillMode: c.fill, Cval: -1}
		checkImage(t, "shift rows "+c.fill, apply(b, func(p *AugmentParams) { p.Tx = 1 }), append([]float64{4, 5, 6, 7, 8, 9}, c.last...)...)
	}
	// A shift of one column the other way: out[r][c] = in[r][c-1].
	checkImage(t, "shift columns", apply(Augmentation{FillMode: "constant"}, func(p *AugmentParams) { p.Ty = -1 }), 0, 1, 2, 0, 4, 5, 0, 7, 8)
	// Reflect two columns out: index -2 reflects to 1, -1 to 0.
	checkImage(t, "reflect 2", apply(Augmentation{FillMode: "reflect"}, func(p *AugmentParams) { p.Ty = -2 }), 2, 1, 1, 5, 4, 4, 8, 7, 7)
	// Zoom 2 about the centre: input coordinate 2r-1 keeps the centre and
	// reads the corners from outside.
	checkImage(t, "zoom 2", apply(Augmentation{FillMode: "constant"}, func(p *AugmentParams) { p.Zx, p.Zy = 2, 2 }), 0, 0, 0, 0, 5, 0, 0, 0, 0)
	// Half a pixel of shift interpolates neighbours.
	checkImage(t, "half shift", apply(a, func(p *AugmentParams) { p.Ty = 0.5 }), 1.5, 2.5, 3, 4.5, 5.5, 6, 7.5, 8.5, 9)
	y := img(1, 3, 0.2, 0.4, 0.8)
	b, _ := (&Augmentation{Rescale: 10}).ApplyParams(y, AugmentParams{Zx: 1, Zy: 1, Brightness: 2})
	checkImage(t, "brightness then rescale", b, 4, 8, 10)
	cs, _ := (&Augmentation{}).ApplyParams(y, AugmentParams{Zx: 1, Zy: 1, Brightness: 1, ChannelShift: 0.3})
	checkImage(t, "channel shift", cs, 0.5, 0.7, 0.8)
	if x.At(0, 0, 0) != 1 {
		t.Fatal("ApplyParams modified its input")
	}
	// Channels are transformed alike.
	rgb := tensor.FromSlice(tensor.Float32, []float64{1, 2, 3, 4, 10, 20, 30, 40}, 2, 2, 2)
	r, _ := a.ApplyParams(rgb, AugmentParams{Zx: 1, Zy: 1, Brightness: 1, Theta: 90})
	checkImage(t, "rotate 2 channels", r, 3, 1, 4, 2, 30, 10, 40, 20)
	// float64 input gives float64 output.
	if r64, _ := a.ApplyParams(rgb.AsType(tensor.Float64), AugmentParams{Zx: 1, Zy: 1, Brightness: 1, FlipHorizontal: true}); r64.DType() != tensor.Float64 || r64.At(0, 0, 0) != 2 {
		t.Fatalf("float64 flip: %v", r64)
	}
}

func TestAugmentRandom(t *testing.T) {
	a := Augmentation{RotationRange: 20, WidthShiftRange: 0.1, HeightShiftRange: 3, ShearRange: 5,
		ZoomRange: Zoom(0.2), HorizontalFlip: true, BrightnessRange: [2]float64{0.5, 1.5}}
	rng := tensor.NewRand(1)
	flips := 0
	for range 2000 {
		p := a.RandomParams(rng, 28, 40)
		if math.Abs(p.Theta) > 20 || math.Abs(p.Ty) > 4 || math.Abs(p.Tx) > 3 || math.Abs(p.Shear) > 5 ||
			p.Zx < 0.8 || p.Zx > 1.2 || p.Zy < 0.8 || p.Zy > 1.2 || p.Brightness < 0.5 || p.Brightness > 1.5 || p.FlipVertical {
			t.Fatalf("parameters out of range: %+v", p)
		}
		if p.FlipHorizontal {
			flips++
		}
	}
	if flips < 900 || flips > 1100 {
		t.Fatalf("%d horizontal flips in 2000 draws", flips)
	}
	x := tensor.RandU(tensor.Float32, tensor.NewRand(2), 0, 1, 3, 28, 40)
	o1, err := a.Apply(x, tensor.NewRand(5))
	if err != nil {
		t.Fatal(err)
	}
	o2, _ := a.Apply(x, tensor.NewRand(5))
	o3, _ := a.Apply(x, tensor.NewRand(6))
	if !slices.Equal(o1.Float32s(), o2.Float32s()) || slices.Equal(o1.Float32s(), o3.Float32s()) {
		t.Fatal("augmentation is not a function of the seed")
	}
	for _, v := range o1.Float32s() {
		if v < 0 || v > 1 {
			t.Fatalf("value %v outside [0, 1]", v)
		}
	}
}

func TestAugmentErrors(t *testing.T) {
	x := img(2, 2, 0, 0, 0, 0)
	for _, a := range []Augmentation{
		{FillMode: "mirror"}, {RotationRange: -1}, {ZoomRange: [2]float64{1.2, 0.8}},
		{BrightnessRange: [2]float64{0, 1}}, {WidthShiftRange: math.NaN()},
	} {
		if _, err := a.Apply(x, tensor.NewRand(1)); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
	if _, err := (&Augmentation{}).Apply(tensor.New(tensor.Float32, 4), tensor.NewRand(1)); err == nil || !strings.Contains(err.Error(), "[C, H, W]") {
		t.Errorf("vector input: %v", err)
	}
}

func TestAugmentInLoaderReproducible(t *testing.T) {
	d := openTestFolder(t, ImageFolderConfig{})
	a := &Augmentation{RotationRange: 15, WidthShiftRange: 0.1, HeightShiftRange: 0.1, ZoomRange: Zoom(0.1), HorizontalFlip: true}
	first := -1
	run := func(workers int) [][]float32 {
		l, err := NewLoader(d, LoaderConfig{BatchSize: 4, Shuffle: true, Seed: 9, Workers: workers, Transform: a})
		if err != nil {
			t.Fatal(err)
		}
		var out [][]float32
		for b, err := range l.Epoch(context.Background(), 2) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, slices.Clone(b.X.Float32s()))
			if first < 0 {
				first = b.Index[0]
			}
		}
		return out
	}
	r1, r3 := run(1), run(3)
	for k := range r1 {
		if !slices.Equal(r1[k], r3[k]) {
			t.Fatalf("augmented batch %d differs between 1 and 3 workers", k)
		}
	}
	x, _, _ := d.Get(first)
	if slices.Equal(r1[0][:784], x.Float32s()) {
		t.Fatal("augmentation changed nothing")
	}
}
