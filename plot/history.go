package plot

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HistoryData is a training history: per-epoch values of the loss and each
// metric, under Keras-style keys ("loss", "accuracy", "val_loss",
// "val_accuracy", ...). Any type with these two methods can be drawn.
type HistoryData interface {
	Keys() []string
	Values(key string) []float64
}

// HistoryMap adapts a map from key to per-epoch values to HistoryData.
type HistoryMap map[string][]float64

// Keys returns the keys in sorted order.
func (h HistoryMap) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Values returns the values recorded under key.
func (h HistoryMap) Values(key string) []float64 { return h[key] }

// historyPanel is one metric with its training and validation series.
type historyPanel struct {
	name       string
	train, val []float64
}

// History draws one panel per metric ("loss" first), each with the
// training values and, where the history has them, the validation values
// ("val_" + metric), against the epoch (counted from 1). NaN values are
// left out.
func History(h HistoryData) (*Figure, error) {
	if h == nil {
		return nil, fmt.Errorf("plot: History: nil history")
	}
	keys := h.Keys()
	have := map[string]bool{}
	for _, k := range keys {
		have[k] = true
	}
	var panels []historyPanel
	for _, k := range keys {
		if base, ok := strings.CutPrefix(k, "val_"); ok && have[base] {
			continue // drawn with its training series
		}
		p := historyPanel{name: k, train: h.Values(k)}
		if !strings.HasPrefix(k, "val_") && have["val_"+k] {
			p.val = h.Values("val_" + k)
		}
		if countFinite(p.train)+countFinite(p.val) == 0 {
			continue
		}
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		return nil, fmt.Errorf("plot: History: no finite values under any key (keys %v)", keys)
	}
	sort.SliceStable(panels, func(i, j int) bool { return panelRank(panels[i].name) < panelRank(panels[j].name) })

	cols := min(len(panels), 3)
	rows := (len(panels) + cols - 1) / cols
	plots := make([][]*gplot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*gplot.Plot, cols)
	}
	for i, pn := range panels {
		p, err := historyPlot(pn)
		if err != nil {
			return nil, err
		}
		plots[i/cols][i%cols] = p
	}
	w := vg.Length(cols) * 4.6 * vg.Inch
	hgt := vg.Length(rows)*3.4*vg.Inch + 0.4*vg.Inch
	return newFigure(w, hgt, func(dc draw.Canvas) {
		sty := textStyle(14, color.Black)
		top := dc.Max.Y - 0.2*vg.Inch
		dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top}, "Training history")
		body := dc
		body.Max.Y -= 0.4 * vg.Inch
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(18), PadY: vg.Points(14),
			PadTop: vg.Points(4), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12)}
		canvases := gplot.Align(plots, tiles, body)
		for r := range plots {
			for c := range plots[r] {
				if plots[r][c] != nil {
					plots[r][c].Draw(canvases[r][c])
				}
			}
		}
	}), nil
}

// panelTitles are the titles of well-known keys whose name alone reads badly.
var panelTitles = map[string]string{
	"lr":            "Learning rate",
	"learning_rate": "Learning rate",
	"acc":           "Accuracy",
	"mse":           "Mean squared error",
	"mae":           "Mean absolute error",
	"auc":           "AUC",
}

// panelRank puts the loss first and keeps the rest in key order.
func panelRank(name string) int {
	if name == "loss" {
		return 0
	}
	return 1
}

func countFinite(v []float64) int {
	n := 0
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			n++
		}
	}
	return n
}

// epochXYs returns the finite values of v against epochs 1..len(v).
func epochXYs(v []float64) plotter.XYs {
	xy := make(plotter.XYs, 0, len(v))
	for i, y := range v {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			xy = append(xy, plotter.XY{X: float64(i + 1), Y: y})
		}
	}
	return xy
}

func historyPlot(pn historyPanel) (*gplot.Plot, error) {
	title := strings.ReplaceAll(pn.name, "_", " ")
	if t, ok := panelTitles[pn.name]; ok {
		title = t
	} else if title != "" {
		title = strings.ToUpper(title[:1]) + title[1:]
	}
	p := newPlot(title, "Epoch", pn.name)
	p.Add(plotter.NewGrid())
	n := max(len(pn.train), len(pn.val))
	series := []struct {
		name   string
		v      []float64
		dashed bool
		color  int
	}{{"training", pn.train, false, 0}, {"validation", pn.val, true, 1}}
	if strings.HasPrefix(pn.name, "val_") { // a validation series without its training one
		series[0].name = "validation"
	}
	for _, s := range series {
		xy := epochXYs(s.v)
		if len(xy) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: History %q: %w", pn.name, err)
		}
		l.Color = colorAt(s.color)
		l.Width = vg.Points(1.8)
		if s.dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		pts.Color = colorAt(s.color)
		pts.Radius = vg.Points(2.2)
		if s.dashed {
			pts.Shape = draw.SquareGlyph{}
		} else {
			pts.Shape = draw.CircleGlyph{}
		}
		if n > 40 {
			pts.Radius = 0
		}
		p.Add(l, pts)
		if len(pn.train) > 0 && len(pn.val) > 0 { // a legend only when there is something to tell apart
			p.Legend.Add(s.name, l, pts)
		}
	}
	p.X.Tick.Marker = integerTicks{}
	padY(p, append(append([]float64(nil), pn.train...), pn.val...))
	if n == 1 {
		p.X.Min, p.X.Max = 0.5, 1.5
	}
	// A loss starts high and falls; accuracy-like metrics rise. Put the
	// legend where the curves usually are not.
	p.Legend.Top = strings.Contains(pn.name, "loss") || strings.Contains(pn.name, "error")
	return p, nil
}

// padY sets the y range to the finite values' range plus 8% on each side,
// so that glyphs at the extremes are not cut and the legend has room.
func padY(p *gplot.Plot, v []float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return
	}
	m := 0.08 * (hi - lo)
	if m == 0 { // a constant series: a band around it, at its own scale
		m = 0.05 * math.Abs(hi)
		if m == 0 {
			m = 0.05
		}
	}
	p.Y.Min, p.Y.Max = lo-m, hi+m
}
