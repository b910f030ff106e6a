package plot

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxFeatures is the number of features FeatureImportances shows; the rest
// are counted in the title.
const MaxFeatures = 25

// FeatureImportances draws importances (impurity-based, permutation, or
// coefficients' magnitudes) as horizontal bars, largest at the top. names
// may be nil (features are then numbered from 0). Only the MaxFeatures
// largest are drawn.
func FeatureImportances(names []string, values []float64) (*Figure, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("plot: FeatureImportances: no values")
	}
	if names == nil {
		for i := range values {
			names = append(names, "feature "+strconv.Itoa(i))
		}
	}
	if len(names) != len(values) {
		return nil, fmt.Errorf("plot: FeatureImportances: %d names but %d values", len(names), len(values))
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("plot: FeatureImportances: value of %q is %v", names[i], v)
		}
	}
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return values[idx[a]] > values[idx[b]] })
	title := "Feature importances"
	if len(idx) > MaxFeatures {
		title = fmt.Sprintf("Feature importances (top %d of %d)", MaxFeatures, len(idx))
		idx = idx[:MaxFeatures]
	}
	n := len(idx)
	// Position 0 is at the bottom: put the largest at position n-1.
	vals := make(plotter.Values, n)
	labels := make([]string, n)
	for r, i := range idx {
		vals[n-1-r] = values[i]
		labels[n-1-r] = names[i]
	}
	p := newPlot(title, "Importance", "")
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	p.Add(grid)
	bars, err := plotter.NewBarChart(vals, vg.Points(14))
	if err != nil {
		return nil, fmt.Errorf("plot: FeatureImportances: %w", err)
	}
	bars.Horizontal = true
	bars.Color = colorAt(0)
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalY(labels...)
	p.Y.Tick.Length = 0
	lo, hi := 0.0, 0.0
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	p.X.Min, p.X.Max = lo-0.03*(hi-lo), hi+0.05*(hi-lo)
	if hi == lo {
		p.X.Max = 1
	}
	w := 5*vg.Inch + widestName(p.Y.Tick.Label, labels)
	h := vg.Length(n)*vg.Points(20) + 1.1*vg.Inch
	return plotFigure(p, w, max(h, 2.5*vg.Inch)), nil
}

// ExplainedVariance draws the explained variance ratio of each principal
// component as bars and their running total as a line, as from a fitted
// PCA's explained_variance_ratio_.
func ExplainedVariance(ratios []float64) (*Figure, error) {
	if len(ratios) == 0 {
		return nil, fmt.Errorf("plot: ExplainedVariance: no ratios")
	}
	var total float64
	cum := make(plotter.XYs, len(ratios))
	for i, r := range ratios {
		if math.IsNaN(r) || r < 0 || r > 1+1e-9 {
			return nil, fmt.Errorf("plot: ExplainedVariance: ratio %d is %g, outside [0, 1]", i, r)
		}
		total += r
		cum[i] = plotter.XY{X: float64(i + 1), Y: total}
	}
	if total > 1+1e-6 {
		return nil, fmt.Errorf("plot: ExplainedVariance: ratios add up to %g, over 1", total)
	}
	p := newPlot("PCA explained variance", "Principal component", "Explained variance ratio")
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	p.Add(grid)
	bars := &unitBars{x0: 1, values: ratios, color: colorAt(0)}
	p.Add(bars)
	l, pts, err := plotter.NewLinePoints(cum)
	if err != nil {
		return nil, fmt.Errorf("plot: ExplainedVariance: %w", err)
	}
	l.Color, l.Width = colorAt(1), vg.Points(2)
	pts.Color, pts.Shape, pts.Radius = colorAt(1), draw.CircleGlyph{}, vg.Points(2.5)
	if len(ratios) > 40 {
		pts.Radius = 0
	}
	p.Add(l, pts)
	p.Legend.Add("individual", bars)
	p.Legend.Add(fmt.Sprintf("cumulative (%.1f%%)", 100*total), l, pts)
	p.Legend.Top = false
	p.Legend.XOffs = -vg.Points(4)
	p.Legend.YOffs = vg.Points(40)
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Y.Tick.Marker = fixedTicks{0, 0.2, 0.4, 0.6, 0.8, 1}
	p.X.Min, p.X.Max = 0.4, float64(len(ratios))+0.6
	if len(ratios) <= 15 {
		t := make(gplot.ConstantTicks, len(ratios))
		for i := range ratios {
			t[i] = gplot.Tick{Value: float64(i + 1), Label: "PC" + strconv.Itoa(i+1)}
		}
		p.X.Tick.Marker = t
	} else {
		p.X.Tick.Marker = integerTicks{}
	}
	w := max(6*vg.Inch, vg.Length(len(ratios))*vg.Points(34)+1.5*vg.Inch)
	return plotFigure(p, min(w, 12*vg.Inch), 4.5*vg.Inch), nil
}

// unitBars draws a vertical bar of width 0.7 at x0, x0+1, ...
type unitBars struct {
	x0     float64
	values []float64
	color  color4
}

// Plot implements plot.Plotter.
func (b *unitBars) Plot(c draw.Canvas, p *gplot.Plot) {
	tx, ty := p.Transforms(&c)
	c.SetColor(b.color)
	for i, v := range b.values {
		x := b.x0 + float64(i)
		r := vg.Rectangle{
			Min: vg.Point{X: tx(x - 0.35), Y: ty(math.Min(0, v))},
			Max: vg.Point{X: tx(x + 0.35), Y: ty(math.Max(0, v))},
		}
		c.Fill(r.Path())
	}
}

// DataRange implements plot.DataRanger.
func (b *unitBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, v := range b.values {
		ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
	}
	return b.x0 - 0.5, b.x0 + float64(len(b.values)) - 0.5, ymin, ymax
}

// Thumbnail implements plot.Thumbnailer, for the legend.
func (b *unitBars) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.color)
	c.Fill(c.Rectangle.Path())
}
