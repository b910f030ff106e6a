package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // GIF decoder
	_ "image/jpeg" // JPEG decoder
	_ "image/png"  // PNG decoder
	"io"
	"math"
	"os"

	_ "golang.org/x/image/bmp"  // BMP decoder
	"golang.org/x/image/tiff"   // TIFF decoder
	_ "golang.org/x/image/webp" // WebP decoder

	"github.com/ember-ml/ember/tensor"
)

// MaxImagePixels bounds the width*height an image header may declare (64
// million pixels), so a hostile file cannot make the decoder allocate
// without limit.
const MaxImagePixels = 1 << 26

// maxPixelsPerByte bounds how many pixels an image of more than a
// megapixel may declare per byte of its file: real images compress far
// less, and the bound keeps a few hostile bytes from making the decoder
// allocate gigabytes.
const maxPixelsPerByte = 4096

// ImageOptions says how to turn an image file into a tensor.
type ImageOptions struct {
	// Width and Height are the target size in pixels; the image is resized
	// to it. Both zero keeps the image's own size.
	Width, Height int
	// ColorMode is "rgb" (3 channels, the default when empty), "grayscale"
	// (1 channel, luminance L = 0.299 R + 0.587 G + 0.114 B as PIL does)
	// or "rgba" (4 channels).
	ColorMode string
	// Interpolation is "bilinear" (the default when empty) or "nearest".
	Interpolation string
}

func (o ImageOptions) channels() (int, error) {
	switch o.ColorMode {
	case "", "rgb":
		return 3, nil
	case "grayscale":
		return 1, nil
	case "rgba":
		return 4, nil
	}
	return 0, fmt.Errorf("data: color mode %q is not one of rgb, grayscale, rgba", o.ColorMode)
}

func (o ImageOptions) check() error {
	if _, err := o.channels(); err != nil {
		return err
	}
	if o.Width < 0 || o.Height < 0 || (o.Width == 0) != (o.Height == 0) {
		return fmt.Errorf("data: target size %dx%d: give both width and height, positive (or both zero to keep the size)", o.Width, o.Height)
	}
	if int64(o.Width)*int64(o.Height) > MaxImagePixels {
		return fmt.Errorf("data: target size %dx%d is larger than %d pixels", o.Width, o.Height, MaxImagePixels)
	}
	switch o.Interpolation {
	case "", "bilinear", "nearest":
	default:
		return fmt.Errorf("data: interpolation %q is not one of bilinear, nearest", o.Interpolation)
	}
	return nil
}

// DecodeImage decodes a PNG, JPEG, GIF, BMP, TIFF or WebP image into a
// float32 tensor of shape [C, H, W] with values in [0, 1], converted to
// the color mode and resized as opts says. A corrupt or truncated image,
// one larger than MaxImagePixels, or one of more than a megapixel whose
// header declares over 4096 pixels per byte of file, is an error (decoder panics on
// malformed input are turned into errors too).
func DecodeImage(r io.Reader, opts ImageOptions) (*tensor.Tensor, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("data: reading image: %w", err)
	}
	return decodeImageBytes(b, opts)
}

// LoadImage reads and decodes the image file at path (see DecodeImage).
// Errors name the path.
func LoadImage(path string, opts ImageOptions) (*tensor.Tensor, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	t, err := decodeImageBytes(b, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func decodeImageBytes(b []byte, opts ImageOptions) (t *tensor.Tensor, err error) {
	cfg, format, err := decodeConfig(b)
	if err != nil {
		return nil, fmt.Errorf("data: not a readable image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("data: %s image of %dx%d pixels is empty or larger than %d pixels", format, cfg.Width, cfg.Height, MaxImagePixels)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > 1<<20 && px > maxPixelsPerByte*int64(len(b)) {
		return nil, fmt.Errorf("data: %s header declares %dx%d pixels, implausible for a file of %d bytes", format, cfg.Width, cfg.Height, len(b))
	}
	img, err := safeDecode(b)
	if err != nil {
		return nil, fmt.Errorf("data: corrupt %s image: %w", format, err)
	}
	c, _ := opts.channels()
	src := imageToCHW(img, c)
	bd := img.Bounds()
	h, w := bd.Dy(), bd.Dx()
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("data: %s image decodes to %dx%d pixels", format, w, h)
	}
	th, tw := opts.Height, opts.Width
	if th == 0 {
		th, tw = h, w
	}
	if th == h && tw == w {
		return tensor.FromFloat32(src, c, h, w), nil
	}
	dst := make([]float32, c*th*tw)
	if opts.Interpolation == "nearest" {
		resizeNearest(dst, src, c, h, w, th, tw)
	} else {
		resizeBilinear(dst, src, c, h, w, th, tw)
	}
	return tensor.FromFloat32(dst, c, th, tw), nil
}

// safeDecode decodes an image, turning a decoder panic into an error.
func safeDecode(b []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("decoder failed: %v", r)
		}
	}()
	if isTIFF(b) {
		return tiff.Decode(bytes.NewReader(b))
	}
	img, _, err = image.Decode(bytes.NewReader(b))
	return img, err
}

// isTIFF reports whether b starts like a TIFF file.
func isTIFF(b []byte) bool {
	return bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*"))
}

// decodeConfig reads the image header. TIFF files are given to the TIFF
// decoder as an io.ReaderAt: through image.DecodeConfig it would buffer
// the stream, allocating up to any offset a hostile header names (4 GB).
func decodeConfig(b []byte) (image.Config, string, error) {
	if isTIFF(b) {
		cfg, err := tiff.DecodeConfig(bytes.NewReader(b))
		return cfg, "tiff", err
	}
	return image.DecodeConfig(bytes.NewReader(b))
}

// imageToCHW converts img to c planes (1: luminance, 3: RGB, 4: RGBA) of
// float32 values in [0, 1], without alpha premultiplication.
func imageToCHW(img image.Image, c int) []float32 {
	bd := img.Bounds()
	h, w := bd.Dy(), bd.Dx()
	n := h * w
	out := make([]float32, c*n)
	const s8 = 1.0 / 255
	put := func(i int, r, g, b, a float32) {
		switch c {
		case 1:
			out[i] = 0.299*r + 0.587*g + 0.114*b
		case 3:
			out[i], out[n+i], out[2*n+i] = r, g, b
		default:
			out[i], out[n+i], out[2*n+i], out[3*n+i] = r, g, b, a
		}
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range row {
				f := float32(v) * s8
				if c == 1 {
					out[y*w+x] = f
				} else {
					put(y*w+x, f, f, f, 1)
				}
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				p := row[4*x : 4*x+4]
				put(y*w+x, float32(p[0])*s8, float32(p[1])*s8, float32(p[2])*s8, float32(p[3])*s8)
			}
		}
	case *image.RGBA:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				p := row[4*x : 4*x+4]
				r, g, b, a := unpremultiply(float32(p[0]), float32(p[1]), float32(p[2]), float32(p[3]))
				put(y*w+x, r*s8, g*s8, b*s8, a*s8)
			}
		}
	case *image.YCbCr:
		cxDiv, cyDiv := 1, 1
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio422:
			cxDiv = 2
		case image.YCbCrSubsampleRatio420:
			cxDiv, cyDiv = 2, 2
		case image.YCbCrSubsampleRatio440:
			cyDiv = 2
		case image.YCbCrSubsampleRatio411:
			cxDiv = 4
		case image.YCbCrSubsampleRatio410:
			cxDiv, cyDiv = 4, 2
		}
		if m.Rect.Min != (image.Point{}) {
			// Offsets below assume the origin at (0, 0), as decoders give.
			return imageToCHW(imageGeneric{img}, c)
		}
		for y := range h {
			yrow := m.Y[y*m.YStride : y*m.YStride+w]
			crow := (y / cyDiv) * m.CStride
			for x, yy := range yrow {
				ci := crow + x/cxDiv
				r8, g8, b8 := color.YCbCrToRGB(yy, m.Cb[ci], m.Cr[ci])
				r, g, b := float32(r8)*s8, float32(g8)*s8, float32(b8)*s8
				i := y*w + x
				switch c {
				case 1:
					out[i] = 0.299*r + 0.587*g + 0.114*b
				case 3:
					out[i], out[n+i], out[2*n+i] = r, g, b
				default:
					out[i], out[n+i], out[2*n+i], out[3*n+i] = r, g, b, 1
				}
			}
		}
	case *image.Paletted:
		pal := make([][4]float32, len(m.Palette))
		for i, col := range m.Palette {
			nc := color.NRGBAModel.Convert(col).(color.NRGBA)
			pal[i] = [4]float32{float32(nc.R) * s8, float32(nc.G) * s8, float32(nc.B) * s8, float32(nc.A) * s8}
		}
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range row {
				var p [4]float32
				if int(v) < len(pal) {
					p = pal[v]
				} else {
					p = [4]float32{0, 0, 0, 1}
				}
				put(y*w+x, p[0], p[1], p[2], p[3])
			}
		}
	default:
		const s16 = 1.0 / 65535
		for y := range h {
			for x := range w {
				nc := color.NRGBA64Model.Convert(img.At(x+bd.Min.X, y+bd.Min.Y)).(color.NRGBA64)
				put(y*w+x, float32(nc.R)*s16, float32(nc.G)*s16, float32(nc.B)*s16, float32(nc.A)*s16)
			}
		}
	}
	return out
}

// imageGeneric hides the concrete type of an image so that imageToCHW
// takes its generic path.
type imageGeneric struct{ image.Image }

func unpremultiply(r, g, b, a float32) (float32, float32, float32, float32) {
	if a == 0 || a == 255 {
		return r, g, b, a
	}
	k := 255 / a
	return r * k, g * k, b * k, a
}

// resizeBilinear resizes c planes of h x w to th x tw with bilinear
// interpolation on half-pixel centres (as TensorFlow's resize with
// half_pixel_centers and PyTorch's align_corners=False), clamping at the
// borders.
func resizeBilinear(dst, src []float32, c, h, w, th, tw int) {
	type tap struct {
		i0, i1 int
		f      float32
	}
	taps := func(n, tn int) []tap {
		t := make([]tap, tn)
		scale := float64(n) / float64(tn)
		for i := range t {
			p := (float64(i)+0.5)*scale - 0.5
			p = math.Max(p, 0)
			i0 := int(p)
			if i0 > n-1 {
				i0 = n - 1
			}
			i1 := min(i0+1, n-1)
			t[i] = tap{i0, i1, float32(p - float64(i0))}
		}
		return t
	}
	ys, xs := taps(h, th), taps(w, tw)
	for ch := range c {
		s := src[ch*h*w : (ch+1)*h*w]
		d := dst[ch*th*tw : (ch+1)*th*tw]
		for oy, ty := range ys {
			r0 := s[ty.i0*w : ty.i0*w+w]
			r1 := s[ty.i1*w : ty.i1*w+w]
			drow := d[oy*tw : oy*tw+tw]
			for ox, tx := range xs {
				a := r0[tx.i0] + (r0[tx.i1]-r0[tx.i0])*tx.f
				b := r1[tx.i0] + (r1[tx.i1]-r1[tx.i0])*tx.f
				drow[ox] = a + (b-a)*ty.f
			}
		}
	}
}

// resizeNearest resizes with nearest-neighbour sampling (source index
// floor((i + 0.5) * n / tn)).
func resizeNearest(dst, src []float32, c, h, w, th, tw int) {
	xs := make([]int, tw)
	for i := range xs {
		xs[i] = min(int((float64(i)+0.5)*float64(w)/float64(tw)), w-1)
	}
	for ch := range c {
		s := src[ch*h*w : (ch+1)*h*w]
		d := dst[ch*th*tw : (ch+1)*th*tw]
		for oy := range th {
			sy := min(int((float64(oy)+0.5)*float64(h)/float64(th)), h-1)
			row := s[sy*w : sy*w+w]
			for ox, sx := range xs {
				d[oy*tw+ox] = row[sx]
			}
		}
	}
}
