package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ember-ml/ember/tensor"
)

// MaxGridImages is the most images ImageGrid draws; later ones are left out.
const MaxGridImages = 100

// ImageGrid draws a grid of images with their labels and predictions.
// images has shape [N, C, H, W] (C = 1 for grey, 3 for RGB) or [N, H, W].
// Pixel values in [0, 1] or [0, 255] are drawn as they are; other ranges
// are scaled from the batch's minimum to its maximum. labels and preds may
// each be nil; when both are given, a right prediction's caption is green
// and a wrong one's red, with the true label in parentheses. classNames
// (may be nil) turns class numbers into names. At most MaxGridImages are
// drawn.
func ImageGrid(images *tensor.Tensor, labels, preds []int, classNames []string) (*Figure, error) {
	if images == nil {
		return nil, fmt.Errorf("plot: ImageGrid: nil images")
	}
	shape := images.Shape()
	var n, ch, h, w int
	switch len(shape) {
	case 3:
		n, ch, h, w = shape[0], 1, shape[1], shape[2]
	case 4:
		n, ch, h, w = shape[0], shape[1], shape[2], shape[3]
	default:
		return nil, fmt.Errorf("plot: ImageGrid: images have shape %v; want [N, C, H, W] or [N, H, W]", shape)
	}
	if ch != 1 && ch != 3 {
		return nil, fmt.Errorf("plot: ImageGrid: images have %d channels; want 1 or 3 (shape [N, C, H, W])", ch)
	}
	if n == 0 || h == 0 || w == 0 {
		return nil, fmt.Errorf("plot: ImageGrid: no pixels (shape %v)", shape)
	}
	if labels != nil && len(labels) != n {
		return nil, fmt.Errorf("plot: ImageGrid: %d images but %d labels", n, len(labels))
	}
	if preds != nil && len(preds) != n {
		return nil, fmt.Errorf("plot: ImageGrid: %d images but %d predictions", n, len(preds))
	}
	name := func(c int) string {
		if c >= 0 && c < len(classNames) {
			return classNames[c]
		}
		return strconv.Itoa(c)
	}
	if !images.Device().IsCPU() {
		images = images.To(tensor.CPU)
	}
	total := n
	n = min(n, MaxGridImages)
	data := images.Float64s()[:n*ch*h*w]
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("plot: ImageGrid: pixel %d is %v", i, v)
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	// Map to [0, 1].
	offset, scale := 0.0, 1.0
	switch {
	case lo >= 0 && hi <= 1:
	case lo >= 0 && hi <= 255:
		scale = 1.0 / 255
	case hi > lo:
		offset, scale = lo, 1/(hi-lo)
	}
	// Nearest-neighbour upscaling keeps small images (MNIST) crisp.
	up := max(1, 96/max(h, w))
	pics := make([]image.Image, n)
	for k := range n {
		img := image.NewRGBA(image.Rect(0, 0, w*up, h*up))
		base := k * ch * h * w
		for y := range h {
			for x := range w {
				var c color.RGBA
				px := func(cc int) uint8 {
					v := (data[base+cc*h*w+y*w+x] - offset) * scale
					return uint8(math.Round(255 * math.Max(0, math.Min(1, v))))
				}
				if ch == 1 {
					g := px(0)
					c = color.RGBA{g, g, g, 255}
				} else {
					c = color.RGBA{px(0), px(1), px(2), 255}
				}
				for dy := range up {
					for dx := range up {
						img.SetRGBA(x*up+dx, y*up+dy, c)
					}
				}
			}
		}
		pics[k] = img
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	cols = min(max(cols, min(n, 4)), 10)
	rows := (n + cols - 1) / cols
	cell := vg.Length(1.15) * vg.Inch
	if cols >= 8 {
		cell = 0.95 * vg.Inch
	}
	aspect := float64(h) / float64(w)
	imgW := cell - vg.Points(8)
	imgH := imgW * vg.Length(aspect)
	caption := labels != nil || preds != nil
	capH := vg.Length(0)
	if caption {
		capH = vg.Points(14)
	}
	cellH := imgH + capH + vg.Points(8)
	title := "Samples"
	switch {
	case labels != nil && preds != nil:
		wrong := 0
		for i := range n {
			if labels[i] != preds[i] {
				wrong++
			}
		}
		title = fmt.Sprintf("Predictions: %d of %d right (wrong: red, true label in parentheses)", n-wrong, n)
	case preds != nil:
		title = "Predictions"
	case labels != nil:
		title = "Samples and labels"
	}
	if total > n {
		title = fmt.Sprintf("First %d of %d images. ", n, total) + title
	}
	titleH := vg.Points(26)
	titleSty := textStyle(12, colorBlack)
	width := max(cell*vg.Length(cols)+vg.Points(12), titleSty.Width(title)+vg.Points(24))
	height := cellH*vg.Length(rows) + titleH + vg.Points(6)
	capSty := textStyle(9, colorBlack)
	return newFigure(width, height, func(dc draw.Canvas) {
		top := dc.Max.Y
		dc.FillText(titleSty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top - titleH/2}, title)
		left := dc.Min.X + (width-cell*vg.Length(cols))/2
		for k, pic := range pics {
			r, c := k/cols, k%cols
			cx := left + cell*vg.Length(c) + cell/2
			cellTop := top - titleH - cellH*vg.Length(r)
			imgRect := vg.Rectangle{
				Min: vg.Point{X: cx - imgW/2, Y: cellTop - capH - imgH},
				Max: vg.Point{X: cx + imgW/2, Y: cellTop - capH},
			}
			dc.DrawImage(imgRect, pic)
			if !caption {
				continue
			}
			s := capSty
			var text string
			switch {
			case labels != nil && preds != nil:
				if labels[k] == preds[k] {
					s.Color, text = rightClr, name(preds[k])
				} else {
					s.Color, text = wrongClr, name(preds[k])+" ("+name(labels[k])+")"
				}
			case preds != nil:
				text = name(preds[k])
			default:
				text = name(labels[k])
			}
			text = fitText(s, text, cell-vg.Points(2))
			dc.FillText(s, vg.Point{X: cx, Y: cellTop - capH/2}, text)
		}
	}), nil
}

// fitText shortens txt with an ellipsis until it fits in width.
func fitText(s interface{ Width(string) vg.Length }, txt string, width vg.Length) string {
	if s.Width(txt) <= width {
		return txt
	}
	r := []rune(txt)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; s.Width(t) <= width {
			return t
		}
	}
	return string(r)
}
