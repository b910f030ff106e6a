package plot

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution of PNG output: a figure of 6 by 4.5 inches is
// 576 by 432 pixels.
const DPI = 96

// A Figure is a finished picture, ready to be written as PNG or SVG.
type Figure struct {
	// Width and Height are the figure's size (vg.Inch = one inch).
	Width, Height vg.Length

	draw func(dc draw.Canvas)
	// external, when set, renders the figure by other means (Graphviz)
	// and returns the encoded bytes for "png" or "svg".
	external func(format string) ([]byte, error)
}

func newFigure(w, h vg.Length, fn func(dc draw.Canvas)) *Figure {
	return &Figure{Width: w, Height: h, draw: fn}
}

// plotFigure wraps one gonum plot.
func plotFigure(p *gplot.Plot, w, h vg.Length) *Figure {
	return newFigure(w, h, func(dc draw.Canvas) { p.Draw(dc) })
}

// Formats lists the output formats, by file extension without the dot.
var Formats = []string{"png", "svg"}

// Encode writes the figure to w in format "png" or "svg".
func (f *Figure) Encode(w io.Writer, format string) error {
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	if format != "png" && format != "svg" {
		return fmt.Errorf("plot: unsupported format %q (want png or svg)", format)
	}
	if f.external != nil {
		b, err := f.external(format)
		if err == nil {
			_, err = w.Write(b)
			return err
		}
		// Fall through to the built-in drawing when the external renderer fails.
	}
	var wt io.WriterTo
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
		f.draw(draw.New(c))
		wt = vgimg.PngCanvas{Canvas: c}
	case "svg":
		c := vgsvg.New(f.Width, f.Height)
		dc := draw.New(c)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		f.draw(dc)
		wt = c
	}
	_, err := wt.WriteTo(w)
	return err
}

// Save writes the figure to path, as PNG or SVG by the path's extension.
// The file is written to a temporary file in the same directory and then
// renamed, so a reader never sees a half-written picture.
func (f *Figure) Save(path string) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if ext != "png" && ext != "svg" {
		return fmt.Errorf("plot: cannot tell the format of %q: use a .png or .svg extension", path)
	}
	var buf bytes.Buffer
	if err := f.Encode(&buf, ext); err != nil {
		return fmt.Errorf("plot: encoding %s: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}

// Image rasterises the figure at DPI.
func (f *Figure) Image() (image.Image, error) {
	var buf bytes.Buffer
	if err := f.Encode(&buf, "png"); err != nil {
		return nil, err
	}
	return png.Decode(&buf)
}

func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

// Colors is the palette for series and clusters (Tableau 10, as in
// Matplotlib).
var Colors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x7f, 0x7f, 0x7f, 0xff}, // grey
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

func colorAt(i int) color.RGBA { return Colors[((i%len(Colors))+len(Colors))%len(Colors)] }

var (
	gray     = color.RGBA{0x80, 0x80, 0x80, 0xff}
	rightClr = color.RGBA{0x1a, 0x7f, 0x1a, 0xff}
	wrongClr = color.RGBA{0xc8, 0x10, 0x10, 0xff}
)

// newPlot returns a gonum plot with a title, axis labels and a light grid.
func newPlot(title, xlabel, ylabel string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	p.X.Tick.Label.Font.Size = vg.Points(10)
	p.Y.Tick.Label.Font.Size = vg.Points(10)
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.ThumbnailWidth = vg.Points(22)
	p.Title.Padding = vg.Points(6)
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		f.Typeface, f.Variant = sansFont.Typeface, sansFont.Variant
	}
	return p
}

// sansFont is the typeface of all text: Liberation Sans, embedded in gonum's
// plot module (metrically compatible with Arial).
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns a plain text style of the default font at size points.
func textStyle(size float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(sansFont, vg.Points(size)),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: gplot.DefaultTextHandler,
	}
}

// sideLegendFigure draws p with its legend in a strip to the right of the
// plot, where it cannot hide data; w and h are the size without the strip.
func sideLegendFigure(p *gplot.Plot, w, h vg.Length) *Figure {
	leg := p.Legend
	p.Legend = gplot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.XOffs, leg.YOffs = 0, -vg.Points(28)
	var strip vg.Length
	// Measure the legend with a throw-away canvas of the final height.
	probe := draw.New(vgimg.New(vg.Inch, h))
	if r := leg.Rectangle(probe); r.Size().X > 0 {
		strip = r.Size().X + vg.Points(14)
	}
	return newFigure(w+strip, h, func(dc draw.Canvas) {
		plotArea := dc
		plotArea.Max.X -= strip
		p.Draw(plotArea)
		legArea := dc
		legArea.Min.X = plotArea.Max.X + vg.Points(6)
		leg.Draw(legArea)
	})
}
