package plot

import (
	"image/color"
	"math"
)

var (
	colorWhite = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colorBlack = color.RGBA{0x00, 0x00, 0x00, 0xff}
)

// blues maps f in [0, 1] to a sequential white-to-blue colour (close to
// Matplotlib's "Blues").
func blues(f float64) color.RGBA {
	f = math.Max(0, math.Min(1, f))
	stops := []color.RGBA{
		{0xf7, 0xfb, 0xff, 0xff},
		{0xc6, 0xdb, 0xef, 0xff},
		{0x6b, 0xae, 0xd6, 0xff},
		{0x21, 0x71, 0xb5, 0xff},
		{0x08, 0x30, 0x6b, 0xff},
	}
	x := f * float64(len(stops)-1)
	i := int(x)
	if i >= len(stops)-1 {
		return stops[len(stops)-1]
	}
	t := x - float64(i)
	a, b := stops[i], stops[i+1]
	lerp := func(u, v uint8) uint8 { return uint8(math.Round(float64(u) + t*(float64(v)-float64(u)))) }
	return color.RGBA{lerp(a.R, b.R), lerp(a.G, b.G), lerp(a.B, b.B), 0xff}
}
