package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/ember-ml/ember/tensor"
)

// testColors is a 3x2 image: red, green, blue / white, black, grey 128.
var testColors = [][]color.NRGBA{
	{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}},
	{{255, 255, 255, 255}, {0, 0, 0, 255}, {128, 128, 128, 255}},
}

func testImage() *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for y, row := range testColors {
		for x, c := range row {
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

func encodeAll(t testing.TB) map[string][]byte {
	t.Helper()
	m := testImage()
	out := map[string][]byte{}
	var b bytes.Buffer
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(png.Encode(&b, m))
	out["png"] = slicesClone(b.Bytes())
	b.Reset()
	must(jpeg.Encode(&b, m, &jpeg.Options{Quality: 100}))
	out["jpg"] = slicesClone(b.Bytes())
	b.Reset()
	pal := image.NewPaletted(m.Bounds(), color.Palette{
		color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 255, 0, 255}, color.NRGBA{0, 0, 255, 255},
		color.NRGBA{255, 255, 255, 255}, color.NRGBA{0, 0, 0, 255}, color.NRGBA{128, 128, 128, 255}})
	for y := range 2 {
		for x := range 3 {
			pal.SetColorIndex(x, y, uint8(3*y+x))
		}
	}
	must(gif.Encode(&b, pal, nil))
	out["gif"] = slicesClone(b.Bytes())
	b.Reset()
	must(bmp.Encode(&b, m))
	out["bmp"] = slicesClone(b.Bytes())
	b.Reset()
	must(tiff.Encode(&b, m, nil))
	out["tiff"] = slicesClone(b.Bytes())
	return out
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }

func TestDecodeImageFormats(t *testing.T) {
	for format, b := range encodeAll(t) {
		tol := 1e-6
		if format == "jpg" {
			continue // lossy: see TestDecodeJPEG
		}
		x, err := DecodeImage(bytes.NewReader(b), ImageOptions{})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if s := x.Shape(); s[0] != 3 || s[1] != 2 || s[2] != 3 {
			t.Fatalf("%s: shape %v", format, s)
		}
		for y, row := range testColors {
			for xx, c := range row {
				for ch, v := range []uint8{c.R, c.G, c.B} {
					if got := x.At(ch, y, xx); math.Abs(got-float64(v)/255) > tol {
						t.Errorf("%s: pixel (%d,%d) channel %d = %v, want %v", format, xx, y, ch, got, float64(v)/255)
					}
				}
			}
		}
		g, err := DecodeImage(bytes.NewReader(b), ImageOptions{ColorMode: "grayscale"})
		if err != nil {
			t.Fatal(err)
		}
		// Luminance of pure red is 0.299, of pure green 0.587.
		if math.Abs(g.At(0, 0, 0)-0.299) > tol || math.Abs(g.At(0, 0, 1)-0.587) > tol || g.Shape()[0] != 1 {
			t.Errorf("%s: grayscale red %v green %v", format, g.At(0, 0, 0), g.At(0, 0, 1))
		}
	}
}

func TestDecodeJPEG(t *testing.T) {
	// A 32x16 image, red on the left half and grey 128 on the right, falls
	// on whole 16x16 JPEG blocks, so the colours survive compression.
	m := image.NewNRGBA(image.Rect(0, 0, 32, 16))
	for y := range 16 {
		for x := range 32 {
			if x < 16 {
				m.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255})
			} else {
				m.SetNRGBA(x, y, color.NRGBA{128, 128, 128, 255})
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	x, err := DecodeImage(bytes.NewReader(b.Bytes()), ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x    int
		want [3]float64
	}{{4, [3]float64{1, 0, 0}}, {27, [3]float64{128.0 / 255, 128.0 / 255, 128.0 / 255}}} {
		for ch := range 3 {
			if got := x.At(ch, 8, c.x); math.Abs(got-c.want[ch]) > 0.02 {
				t.Errorf("pixel (%d,8) channel %d = %v, want %v", c.x, ch, got, c.want[ch])
			}
		}
	}
	// The fast YCbCr path agrees with the standard library's conversion,
	// for every chroma subsampling, on an image of odd size.
	noise := image.NewNRGBA(image.Rect(0, 0, 17, 11))
	rng := tensor.NewRand(3)
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
	}
	b.Reset()
	if err := jpeg.Encode(&b, noise, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	dec, err := jpeg.Decode(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	base := dec.(*image.YCbCr)
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		m := image.NewYCbCr(base.Rect, ratio)
		copy(m.Y, base.Y)
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = uint8(rng.IntN(256)), uint8(rng.IntN(256))
		}
		for _, c := range []int{1, 3, 4} {
			fast := imageToCHW(m, c)
			slow := imageToCHW(imageGeneric{m}, c)
			for i := range fast {
				// The generic path converts at 16 bits: within 1/255.
				if math.Abs(float64(fast[i]-slow[i])) > 1.01/255 {
					t.Fatalf("ratio %v, %d channels: value %d is %v, generic path %v", ratio, c, i, fast[i], slow[i])
				}
			}
		}
	}
}

func TestDecodeWebPMatchesPNG(t *testing.T) {
	for _, mode := range []string{"rgb", "rgba", "grayscale"} {
		opts := ImageOptions{ColorMode: mode}
		w, err := LoadImage("testdata/images/gopher-doc.1bpp.lossless.webp", opts)
		if err != nil {
			t.Fatal(err)
		}
		p, err := LoadImage("testdata/images/gopher-doc.1bpp.png", opts)
		if err != nil {
			t.Fatal(err)
		}
		if !tensor.AllClose(w, p, 0, 1e-6) {
			t.Fatalf("%s: lossless WebP and PNG of the same picture differ", mode)
		}
	}
	x, err := LoadImage("testdata/images/blue-purple-pink.lossy.webp", ImageOptions{Width: 50, Height: 40})
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); s[0] != 3 || s[1] != 40 || s[2] != 50 {
		t.Fatalf("lossy WebP resized to shape %v", s)
	}
}

func TestResize(t *testing.T) {
	src := []float32{0, 1, 2, 3} // 2x2
	up := make([]float32, 16)
	resizeBilinear(up, src, 1, 2, 2, 4, 4)
	// Half-pixel bilinear (PyTorch align_corners=False): row 0 is
	// 0, .25, .75, 1; rows interpolate between the two source rows.
	want := []float32{
		0, 0.25, 0.75, 1,
		0.5, 0.75, 1.25, 1.5,
		1.5, 1.75, 2.25, 2.5,
		2, 2.25, 2.75, 3,
	}
	for i := range want {
		if math.Abs(float64(up[i]-want[i])) > 1e-6 {
			t.Fatalf("bilinear 2x2->4x4 = %v, want %v", up, want)
		}
	}
	down := make([]float32, 2)
	resizeBilinear(down, []float32{1, 3, 5, 9}, 1, 1, 4, 1, 2)
	if down[0] != 2 || down[1] != 7 {
		t.Fatalf("bilinear 4->2 = %v, want [2 7]", down)
	}
	near := make([]float32, 4)
	resizeNearest(near, []float32{4, 8}, 1, 1, 2, 1, 4)
	if near[0] != 4 || near[1] != 4 || near[2] != 8 || near[3] != 8 {
		t.Fatalf("nearest 2->4 = %v", near)
	}
	b := encodeAll(t)["png"]
	x, err := DecodeImage(bytes.NewReader(b), ImageOptions{Width: 6, Height: 4, Interpolation: "nearest"})
	if err != nil {
		t.Fatal(err)
	}
	if x.At(0, 0, 0) != 1 || x.At(0, 1, 1) != 1 || x.At(1, 0, 2) != 1 || x.At(2, 3, 5) != float64(float32(128.0/255)) {
		t.Fatalf("nearest upscale of the test image: %v", x)
	}
}

// pngHeaderOnly returns a PNG signature and a valid IHDR chunk declaring
// w x h grey pixels, with no image data.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit greyscale
	binary.Write(&b, binary.BigEndian, uint32(13))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestDecodeImageErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		opts ImageOptions
		want string
	}{
		{"text", []byte("hello"), ImageOptions{}, "not a readable image"},
		{"huge", pngHeaderOnly(1<<15, 1<<15), ImageOptions{}, "larger than"},
		{"truncated", pngHeaderOnly(4, 4), ImageOptions{}, "corrupt png"},
		{"implausible", pngHeaderOnly(2000, 2000), ImageOptions{}, "implausible"},
		{"mode", encodeAll(t)["png"], ImageOptions{ColorMode: "cmyk"}, "color mode"},
		{"size", encodeAll(t)["png"], ImageOptions{Width: 3}, "target size"},
		{"interp", encodeAll(t)["png"], ImageOptions{Interpolation: "cubic"}, "interpolation"},
	}
	for _, c := range cases {
		_, err := DecodeImage(bytes.NewReader(c.in), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := LoadImage("testdata/no-such.png", ImageOptions{}); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func FuzzDecodeImage(f *testing.F) {
	for _, b := range encodeAll(f) {
		f.Add(b)
	}
	for _, p := range []string{"testdata/images/gopher-doc.1bpp.lossless.webp", "testdata/images/blue-purple-pink.lossy.webp", "testdata/imagefolder/0/00001.png"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(pngHeaderOnly(3, 3))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, opts := range []ImageOptions{{}, {Width: 5, Height: 3, ColorMode: "grayscale"}} {
			x, err := DecodeImage(bytes.NewReader(b), opts)
			if err != nil {
				continue
			}
			for _, v := range x.Float32s() {
				if !(v >= 0 && v <= 1.0001) {
					t.Fatalf("pixel value %v outside [0, 1]", v)
				}
			}
		}
	})
}
