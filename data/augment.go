package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ember-ml/ember/tensor"
)

// Augmentation is random image augmentation like Keras's
// ImageDataGenerator. It is a Transform: give it to a LoaderConfig and the
// loader applies it to every image, in its workers, reproducibly for the
// loader's seed. Images are [C, H, W] (or [H, W]) tensors, with values in
// [0, 1] as the image loaders produce.
//
// The zero value changes nothing. Each field follows the Keras argument of
// the same name; the random draws and the order of the operations are
// Keras's too: rotation, shift, shear and zoom form one affine map (about
// the image centre, sampled bilinearly), then the channel shift, the
// flips, the brightness change, and last the rescale.
type Augmentation struct {
	// Rescale multiplies every value (after the other operations); 0
	// means no rescaling.
	Rescale float64
	// RotationRange rotates by an angle drawn uniformly from
	// [-RotationRange, RotationRange] degrees.
	RotationRange float64
	// WidthShiftRange shifts horizontally by a draw from [-r, r], a
	// fraction of the width when r < 1, else pixels.
	WidthShiftRange float64
	// HeightShiftRange shifts vertically, as WidthShiftRange.
	HeightShiftRange float64
	// ShearRange shears by an angle drawn from [-ShearRange, ShearRange]
	// degrees (counter-clockwise).
	ShearRange float64
	// ZoomRange draws the zoom of each axis independently from [lo, hi]
	// (values below 1 zoom in); {0, 0} means no zoom. Zoom(z) gives Keras's
	// zoom_range=z, that is [1-z, 1+z].
	ZoomRange [2]float64
	// HorizontalFlip flips left-right with probability 1/2.
	HorizontalFlip bool
	// VerticalFlip flips upside down with probability 1/2.
	VerticalFlip bool
	// BrightnessRange multiplies by a factor drawn from [lo, hi] and clips
	// to [0, 1]; {0, 0} means no change.
	BrightnessRange [2]float64
	// ChannelShiftRange adds one value drawn from [-r, r] to every pixel,
	// clipped to the image's own minimum and maximum (as Keras).
	ChannelShiftRange float64
	// FillMode says what lies outside the image after a rotation, shift,
	// shear or zoom: "nearest" (the default: the closest edge pixel),
	// "constant" (Cval), "reflect" (d c b a | a b c d | d c b a) or "wrap"
	// (a b c d | a b c d | a b c d).
	FillMode string
	// Cval is the value outside the image for FillMode "constant".
	Cval float64
}

// Zoom returns the zoom range [1-z, 1+z] (Keras's zoom_range=z).
func Zoom(z float64) [2]float64 { return [2]float64{1 - z, 1 + z} }

// AugmentParams is one draw of the random parameters of an Augmentation
// (Keras's transform_parameters).
type AugmentParams struct {
	// Theta is the rotation in degrees.
	Theta float64
	// Tx and Ty are the shifts in pixels along the rows (vertical) and the
	// columns (horizontal); an output pixel at (r, c) reads the input near
	// (r+Tx, c+Ty).
	Tx, Ty float64
	// Shear is the shear angle in degrees.
	Shear float64
	// Zx and Zy are the zooms of the row and column axes (1: none).
	Zx, Zy float64
	// FlipHorizontal and FlipVertical flip the image.
	FlipHorizontal, FlipVertical bool
	// ChannelShift is added to every value.
	ChannelShift float64
	// Brightness multiplies every value (1: none).
	Brightness float64
}

// Validate checks the configuration.
func (a *Augmentation) Validate() error {
	switch a.FillMode {
	case "", "nearest", "constant", "reflect", "wrap":
	default:
		return fmt.Errorf("data: fill mode %q is not one of nearest, constant, reflect, wrap", a.FillMode)
	}
	for name, v := range map[string]float64{"rotation range": a.RotationRange, "width shift range": a.WidthShiftRange,
		"height shift range": a.HeightShiftRange, "shear range": a.ShearRange, "channel shift range": a.ChannelShiftRange} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("data: %s %v must be a non-negative number", name, v)
		}
	}
	for name, r := range map[string][2]float64{"zoom range": a.ZoomRange, "brightness range": a.BrightnessRange} {
		if r != [2]float64{} && !(r[0] > 0 && r[1] >= r[0] && !math.IsInf(r[1], 0)) {
			return fmt.Errorf("data: %s %v must be [lo, hi] with 0 < lo <= hi", name, r)
		}
	}
	return nil
}

// RandomParams draws the parameters for an image of h x w pixels.
func (a *Augmentation) RandomParams(rng *rand.Rand, h, w int) AugmentParams {
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	p := AugmentParams{Zx: 1, Zy: 1, Brightness: 1}
	if a.RotationRange > 0 {
		p.Theta = u(-a.RotationRange, a.RotationRange)
	}
	if r := a.HeightShiftRange; r > 0 {
		p.Tx = u(-r, r)
		if r < 1 {
			p.Tx *= float64(h)
		}
	}
	if r := a.WidthShiftRange; r > 0 {
		p.Ty = u(-r, r)
		if r < 1 {
			p.Ty *= float64(w)
		}
	}
	if a.ShearRange > 0 {
		p.Shear = u(-a.ShearRange, a.ShearRange)
	}
	if z := a.ZoomRange; z != [2]float64{} && z != [2]float64{1, 1} {
		p.Zx, p.Zy = u(z[0], z[1]), u(z[0], z[1])
	}
	p.FlipHorizontal = a.HorizontalFlip && rng.Float64() < 0.5
	p.FlipVertical = a.VerticalFlip && rng.Float64() < 0.5
	if a.ChannelShiftRange > 0 {
		p.ChannelShift = u(-a.ChannelShiftRange, a.ChannelShiftRange)
	}
	if b := a.BrightnessRange; b != [2]float64{} {
		p.Brightness = u(b[0], b[1])
	}
	return p
}

// Apply draws parameters from rng and applies them to x, returning a new
// tensor (it implements Transform).
func (a *Augmentation) Apply(x *tensor.Tensor, rng *rand.Rand) (*tensor.Tensor, error) {
	_, h, w, err := imageDims(x)
	if err != nil {
		return nil, err
	}
	return a.ApplyParams(x, a.RandomParams(rng, h, w))
}

func imageDims(x *tensor.Tensor) (c, h, w int, err error) {
	s := x.Shape()
	switch len(s) {
	case 2:
		return 1, s[0], s[1], nil
	case 3:
		return s[0], s[1], s[2], nil
	}
	return 0, 0, 0, fmt.Errorf("data: augmentation needs an image of shape [C, H, W] or [H, W], got %v", s)
}

// ApplyParams applies the given parameters to x and returns a new tensor
// of the same shape and type.
func (a *Augmentation) ApplyParams(x *tensor.Tensor, p AugmentParams) (*tensor.Tensor, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	c, h, w, err := imageDims(x)
	if err != nil {
		return nil, err
	}
	src := x.Float32s()
	if x.DType() == tensor.Float32 && x.IsContiguous() {
		src = append([]float32(nil), src...) // do not write into x
	}
	n := h * w
	if p.Theta != 0 || p.Tx != 0 || p.Ty != 0 || p.Shear != 0 || p.Zx != 1 || p.Zy != 1 {
		dst := make([]float32, len(src))
		m := affineMatrix(p, h, w)
		for ch := range c {
			warp(dst[ch*n:(ch+1)*n], src[ch*n:(ch+1)*n], h, w, m, a.FillMode, float32(a.Cval))
		}
		src = dst
	}
	if p.ChannelShift != 0 {
		for ch := range c {
			plane := src[ch*n : (ch+1)*n]
			lo, hi := plane[0], plane[0]
			for _, v := range plane {
				lo, hi = min(lo, v), max(hi, v)
			}
			s := float32(p.ChannelShift)
			for i, v := range plane {
				plane[i] = min(max(v+s, lo), hi)
			}
		}
	}
	if p.FlipHorizontal {
		for r := range c * h {
			row := src[r*w : (r+1)*w]
			for i, j := 0, w-1; i < j; i, j = i+1, j-1 {
				row[i], row[j] = row[j], row[i]
			}
		}
	}
	if p.FlipVertical {
		for ch := range c {
			plane := src[ch*n : (ch+1)*n]
			for i, j := 0, h-1; i < j; i, j = i+1, j-1 {
				for k := range w {
					plane[i*w+k], plane[j*w+k] = plane[j*w+k], plane[i*w+k]
				}
			}
		}
	}
	if p.Brightness != 1 && p.Brightness != 0 {
		b := float32(p.Brightness)
		for i, v := range src {
			src[i] = min(max(v*b, 0), 1)
		}
	}
	if a.Rescale != 0 && a.Rescale != 1 {
		s := float32(a.Rescale)
		for i := range src {
			src[i] *= s
		}
	}
	out := tensor.FromFloat32(src, x.Shape()...)
	if x.DType() != tensor.Float32 {
		out = out.AsType(x.DType())
	}
	return out, nil
}

// affineMatrix returns the 2x3 map from output (row, col) to input
// (row, col) coordinates: Keras's rotation @ shift @ shear @ zoom, about
// the image centre.
func affineMatrix(p AugmentParams, h, w int) [6]float64 {
	type m3 = [3][3]float64
	mul := func(a, b m3) m3 {
		var c m3
		for i := range 3 {
			for j := range 3 {
				for k := range 3 {
					c[i][j] += a[i][k] * b[k][j]
				}
			}
		}
		return c
	}
	th := p.Theta * math.Pi / 180
	sh := p.Shear * math.Pi / 180
	rot := m3{{math.Cos(th), -math.Sin(th), 0}, {math.Sin(th), math.Cos(th), 0}, {0, 0, 1}}
	shift := m3{{1, 0, p.Tx}, {0, 1, p.Ty}, {0, 0, 1}}
	shear := m3{{1, -math.Sin(sh), 0}, {0, math.Cos(sh), 0}, {0, 0, 1}}
	zoom := m3{{p.Zx, 0, 0}, {0, p.Zy, 0}, {0, 0, 1}}
	t := mul(mul(mul(rot, shift), shear), zoom)
	// About the centre: offset(o) @ t @ offset(-o), o = (h/2 - 0.5, w/2 - 0.5).
	or, oc := float64(h)/2-0.5, float64(w)/2-0.5
	t = mul(mul(m3{{1, 0, or}, {0, 1, oc}, {0, 0, 1}}, t), m3{{1, 0, -or}, {0, 1, -oc}, {0, 0, 1}})
	return [6]float64{t[0][0], t[0][1], t[0][2], t[1][0], t[1][1], t[1][2]}
}

// snap rounds coordinates within 1e-9 of an integer to it, so that exact
// rotations by multiples of 90 degrees and whole-pixel shifts copy pixels.
func snap(v float64) float64 {
	if r := math.Round(v); math.Abs(v-r) < 1e-9 {
		return r
	}
	return v
}

// warp samples src (h x w) at the input coordinates m maps each output
// pixel to, bilinearly, treating pixels outside as fill says.
func warp(dst, src []float32, h, w int, m [6]float64, fill string, cval float32) {
	for r := range h {
		for c := range w {
			y := snap(m[0]*float64(r) + m[1]*float64(c) + m[2])
			x := snap(m[3]*float64(r) + m[4]*float64(c) + m[5])
			y0, x0 := math.Floor(y), math.Floor(x)
			fy, fx := float32(y-y0), float32(x-x0)
			iy, ix := int(y0), int(x0)
			if y0 < -1e6 || y0 > 1e6 || x0 < -1e6 || x0 > 1e6 {
				iy, ix = -2, -2 // far outside: any out-of-range index does
			}
			var v00, v01, v10, v11 float32
			if iy >= 0 && ix >= 0 && iy+1 < h && ix+1 < w {
				p := iy*w + ix
				v00, v01, v10, v11 = src[p], src[p+1], src[p+w], src[p+w+1]
			} else {
				at := func(i, j int) float32 {
					i, okI := fillIndex(i, h, fill)
					j, okJ := fillIndex(j, w, fill)
					if !okI || !okJ {
						return cval
					}
					return src[i*w+j]
				}
				v00 = at(iy, ix)
				if fx != 0 || fy != 0 {
					v01, v10, v11 = at(iy, ix+1), at(iy+1, ix), at(iy+1, ix+1)
				}
			}
			v := v00
			if fx != 0 || fy != 0 {
				top := v00 + (v01-v00)*fx
				bot := v10 + (v11-v10)*fx
				v = top + (bot-top)*fy
			}
			dst[r*w+c] = v
		}
	}
}

// fillIndex maps index i of an axis of length n into range by the fill
// mode; ok is false when the value is the constant.
func fillIndex(i, n int, fill string) (int, bool) {
	if i >= 0 && i < n {
		return i, true
	}
	switch fill {
	case "constant":
		return 0, false
	case "reflect":
		period := 2 * n
		i %= period
		if i < 0 {
			i += period
		}
		if i >= n {
			i = period - 1 - i
		}
		return i, true
	case "wrap":
		i %= n
		if i < 0 {
			i += n
		}
		return i, true
	}
	return min(max(i, 0), n-1), true
}
