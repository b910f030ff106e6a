package plot

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var (
	update = flag.Bool("update", false, "rewrite the golden SVGs in testdata")
	outDir = flag.String("out", "", "also write every picture as PNG and SVG into this directory (to look at them)")
)

// pictureCase is one figure drawn from a fixed input.
type pictureCase struct {
	name string
	make func() (*Figure, error)
}

// checkPNG decodes a PNG and checks its size and that it is not blank:
// enough non-white pixels, and more than a handful of distinct colours.
func checkPNG(t *testing.T, name string, data []byte, f *Figure) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: PNG does not decode: %v", name, err)
	}
	b := img.Bounds()
	wantW := int(math.Ceil(float64(f.Width) / 72 * DPI))
	wantH := int(math.Ceil(float64(f.Height) / 72 * DPI))
	if abs(b.Dx()-wantW) > 1 || abs(b.Dy()-wantH) > 1 {
		t.Fatalf("%s: PNG is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), wantW, wantH)
	}
	if b.Dx() < 200 || b.Dy() < 150 {
		t.Fatalf("%s: PNG is only %dx%d", name, b.Dx(), b.Dy())
	}
	nonWhite := 0
	colors := map[[4]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				nonWhite++
			}
			if len(colors) < 1000 {
				colors[[4]uint32{r >> 8, g >> 8, bl >> 8, a >> 8}] = true
			}
		}
	}
	if frac := float64(nonWhite) / float64(b.Dx()*b.Dy()); frac < 0.01 {
		t.Fatalf("%s: PNG is blank: %.4f of pixels are not white", name, frac)
	}
	if len(colors) < 8 {
		t.Fatalf("%s: PNG has only %d colours", name, len(colors))
	}
	return img
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

var svgNumber = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?`)

// sameSVG compares two SVG texts, treating numbers as equal when they are
// within 0.01 of each other (floating-point output may differ in the last
// digits between architectures).
func sameSVG(got, want []byte) (bool, string) {
	gn := svgNumber.FindAllIndex(got, -1)
	wn := svgNumber.FindAllIndex(want, -1)
	if len(gn) != len(wn) {
		return false, "different number of numeric fields: " + strconv.Itoa(len(gn)) + " vs " + strconv.Itoa(len(wn))
	}
	gp, wp := 0, 0
	for i := range gn {
		if !bytes.Equal(got[gp:gn[i][0]], want[wp:wn[i][0]]) {
			return false, "text differs near: " + string(got[gp:gn[i][0]])
		}
		a, _ := strconv.ParseFloat(string(got[gn[i][0]:gn[i][1]]), 64)
		b, _ := strconv.ParseFloat(string(want[wn[i][0]:wn[i][1]]), 64)
		if math.Abs(a-b) > 0.01 {
			return false, "number " + string(got[gn[i][0]:gn[i][1]]) + " vs " + string(want[wn[i][0]:wn[i][1]])
		}
		gp, wp = gn[i][1], wn[i][1]
	}
	if !bytes.Equal(got[gp:], want[wp:]) {
		return false, "trailing text differs"
	}
	return true, ""
}

// TestPictures draws every picture from a fixed input, decodes its PNG and
// compares its SVG with the golden file in testdata (go test -update
// rewrites them).
func TestPictures(t *testing.T) {
	for _, tc := range pictureCases() {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.make()
			if err != nil {
				t.Fatal(err)
			}
			var pngBuf, svgBuf bytes.Buffer
			if err := f.Encode(&pngBuf, "png"); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, tc.name, pngBuf.Bytes(), f)
			if err := f.Encode(&svgBuf, "svg"); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".golden.svg")
			if *update {
				if err := os.WriteFile(golden, svgBuf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./plot -run TestPictures -update to create it)", err)
			}
			if ok, why := sameSVG(svgBuf.Bytes(), want); !ok {
				t.Errorf("SVG differs from %s: %s", golden, why)
			}
			if *outDir != "" {
				if err := f.Save(filepath.Join(*outDir, tc.name+".png")); err != nil {
					t.Fatal(err)
				}
				if err := f.Save(filepath.Join(*outDir, tc.name+".svg")); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
