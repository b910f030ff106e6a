package plot

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/mat"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ember-ml/ember/tensor"
)

func checkKs(fn string, ks []int, v []float64, what string) error {
	if len(ks) != len(v) {
		return fmt.Errorf("plot: %s: %d values of k but %d %s", fn, len(ks), len(v), what)
	}
	if len(ks) == 0 {
		return fmt.Errorf("plot: %s: no values", fn)
	}
	for i := range ks {
		if math.IsNaN(v[i]) || math.IsInf(v[i], 0) {
			return fmt.Errorf("plot: %s: %s for k=%d is %v", fn, what, ks[i], v[i])
		}
		if i > 0 && ks[i] <= ks[i-1] {
			return fmt.Errorf("plot: %s: k values must increase (k[%d]=%d after %d)", fn, i, ks[i], ks[i-1])
		}
	}
	return nil
}

func ksXYs(ks []int, v []float64) plotter.XYs {
	xy := make(plotter.XYs, len(ks))
	for i := range ks {
		xy[i] = plotter.XY{X: float64(ks[i]), Y: v[i]}
	}
	return xy
}

func ksTicks(p *gplot.Plot, ks []int) {
	if len(ks) <= 15 {
		t := make(fixedTicks, len(ks))
		for i, k := range ks {
			t[i] = float64(k)
		}
		p.X.Tick.Marker = t
	} else {
		p.X.Tick.Marker = integerTicks{}
	}
	pad := math.Max(0.3, 0.03*float64(ks[len(ks)-1]-ks[0]))
	p.X.Min, p.X.Max = float64(ks[0])-pad, float64(ks[len(ks)-1])+pad
}

// ElbowK returns the k at the "elbow" of an inertia curve: the point
// farthest from the straight line between the first and last points, after
// scaling both axes to [0, 1]. It returns ks[0] when there are fewer than
// three points.
func ElbowK(ks []int, inertia []float64) int {
	n := len(ks)
	if n < 3 {
		return ks[0]
	}
	x0, x1 := float64(ks[0]), float64(ks[n-1])
	ylo, yhi := inertia[0], inertia[0]
	for _, v := range inertia {
		ylo, yhi = math.Min(ylo, v), math.Max(yhi, v)
	}
	if yhi == ylo {
		return ks[0]
	}
	sx := func(i int) float64 { return (float64(ks[i]) - x0) / (x1 - x0) }
	sy := func(i int) float64 { return (inertia[i] - ylo) / (yhi - ylo) }
	ax, ay, bx, by := sx(0), sy(0), sx(n-1), sy(n-1)
	norm := math.Hypot(bx-ax, by-ay)
	best, bestD := ks[0], -1.0
	for i := 1; i < n-1; i++ {
		d := math.Abs((bx-ax)*(ay-sy(i))-(ax-sx(i))*(by-ay)) / norm
		if d > bestD {
			best, bestD = ks[i], d
		}
	}
	return best
}

// Elbow draws the inertia (within-cluster sum of squares) against the
// number of clusters k, and marks the elbow found by ElbowK.
func Elbow(ks []int, inertia []float64) (*Figure, error) {
	if err := checkKs("Elbow", ks, inertia, "inertia values"); err != nil {
		return nil, err
	}
	p := newPlot("Elbow method", "Number of clusters k", "Inertia (within-cluster sum of squares)")
	p.Add(plotter.NewGrid())
	l, pts, err := plotter.NewLinePoints(ksXYs(ks, inertia))
	if err != nil {
		return nil, fmt.Errorf("plot: Elbow: %w", err)
	}
	l.Color, l.Width = colorAt(0), vg.Points(2)
	pts.Color, pts.Shape, pts.Radius = colorAt(0), draw.CircleGlyph{}, vg.Points(3)
	p.Add(l, pts)
	p.Legend.Add("inertia", l, pts)
	if len(ks) >= 3 {
		k := ElbowK(ks, inertia)
		i := sort.SearchInts(ks, k)
		mark, err := plotter.NewScatter(plotter.XYs{{X: float64(k), Y: inertia[i]}})
		if err != nil {
			return nil, err
		}
		mark.Shape = draw.RingGlyph{}
		mark.Color = colorAt(3)
		mark.Radius = vg.Points(8)
		p.Add(mark)
		p.Legend.Add("elbow at k = "+strconv.Itoa(k), mark)
	}
	ksTicks(p, ks)
	padY(p, inertia)
	p.Legend.Top = true
	return plotFigure(p, 6*vg.Inch, 4.5*vg.Inch), nil
}

// SilhouetteScores draws the mean silhouette coefficient against the
// number of clusters k, and marks the best k.
func SilhouetteScores(ks []int, scores []float64) (*Figure, error) {
	if err := checkKs("SilhouetteScores", ks, scores, "scores"); err != nil {
		return nil, err
	}
	for i, s := range scores {
		if s < -1 || s > 1 {
			return nil, fmt.Errorf("plot: SilhouetteScores: score for k=%d is %g, outside [-1, 1]", ks[i], s)
		}
	}
	p := newPlot("Silhouette analysis", "Number of clusters k", "Mean silhouette coefficient")
	p.Add(plotter.NewGrid())
	l, pts, err := plotter.NewLinePoints(ksXYs(ks, scores))
	if err != nil {
		return nil, fmt.Errorf("plot: SilhouetteScores: %w", err)
	}
	l.Color, l.Width = colorAt(0), vg.Points(2)
	pts.Color, pts.Shape, pts.Radius = colorAt(0), draw.CircleGlyph{}, vg.Points(3)
	p.Add(l, pts)
	p.Legend.Add("silhouette", l, pts)
	best := 0
	for i := range scores {
		if scores[i] > scores[best] {
			best = i
		}
	}
	mark, err := plotter.NewScatter(plotter.XYs{{X: float64(ks[best]), Y: scores[best]}})
	if err != nil {
		return nil, err
	}
	mark.Shape, mark.Color, mark.Radius = draw.RingGlyph{}, colorAt(3), vg.Points(8)
	p.Add(mark)
	p.Legend.Add(fmt.Sprintf("best k = %d (%.3f)", ks[best], scores[best]), mark)
	ksTicks(p, ks)
	padY(p, append(append([]float64(nil), scores...), 0))
	p.Legend.Top = false
	return plotFigure(p, 6*vg.Inch, 4.5*vg.Inch), nil
}

// SilhouetteSamples draws the silhouette coefficient of every sample,
// grouped by cluster and sorted within each (the "knife" plot), with the
// mean as a dashed line. Labels below zero (noise) are left out.
func SilhouetteSamples(samples []float64, labels []int) (*Figure, error) {
	if len(samples) != len(labels) {
		return nil, fmt.Errorf("plot: SilhouetteSamples: %d coefficients but %d labels", len(samples), len(labels))
	}
	byCluster := map[int][]float64{}
	var sum float64
	n := 0
	for i, s := range samples {
		if math.IsNaN(s) || s < -1 || s > 1 {
			return nil, fmt.Errorf("plot: SilhouetteSamples: coefficient %d is %g, outside [-1, 1]", i, s)
		}
		if labels[i] < 0 {
			continue
		}
		byCluster[labels[i]] = append(byCluster[labels[i]], s)
		sum += s
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("plot: SilhouetteSamples: no clustered samples")
	}
	clusters := make([]int, 0, len(byCluster))
	for c := range byCluster {
		clusters = append(clusters, c)
	}
	sort.Ints(clusters)
	mean := sum / float64(n)
	p := newPlot("Silhouette coefficients by cluster", "Silhouette coefficient", "Cluster")
	p.Add(plotter.NewGrid())
	gap := math.Max(1, float64(n)/40)
	y := gap
	var ticks []gplot.Tick
	for _, c := range clusters {
		v := byCluster[c]
		sort.Float64s(v)
		b := &hbars{y0: y, values: v, color: colorAt(c)}
		p.Add(b)
		ticks = append(ticks, gplot.Tick{Value: y + float64(len(v))/2, Label: strconv.Itoa(c)})
		y += float64(len(v)) + gap
	}
	meanLine, err := plotter.NewLine(plotter.XYs{{X: mean, Y: 0}, {X: mean, Y: y}})
	if err != nil {
		return nil, err
	}
	meanLine.Color, meanLine.Width = wrongClr, vg.Points(1.5)
	meanLine.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(meanLine)
	p.Legend.Add(fmt.Sprintf("mean = %.3f", mean), meanLine)
	p.Legend.Top = true
	p.Y.Tick.Marker = gplot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = 0, y
	lo := 0.0
	for _, s := range samples {
		lo = math.Min(lo, s)
	}
	p.X.Min, p.X.Max = math.Min(-0.1, lo-0.05), 1
	return plotFigure(p, 6*vg.Inch, 5*vg.Inch), nil
}

// hbars draws one horizontal bar per value from x = 0, stacked upwards from
// y0 with unit height, without gaps.
type hbars struct {
	y0     float64
	values []float64
	color  color4
}

type color4 = interface{ RGBA() (r, g, b, a uint32) }

// Plot implements plot.Plotter.
func (h *hbars) Plot(c draw.Canvas, p *gplot.Plot) {
	tx, ty := p.Transforms(&c)
	c.SetColor(h.color)
	for i, v := range h.values {
		r := vg.Rectangle{
			Min: vg.Point{X: tx(math.Min(0, v)), Y: ty(h.y0 + float64(i))},
			Max: vg.Point{X: tx(math.Max(0, v)), Y: ty(h.y0 + float64(i+1))},
		}
		c.Fill(r.Path())
	}
}

// DataRange implements plot.DataRanger.
func (h *hbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = 0, 0
	for _, v := range h.values {
		xmin, xmax = math.Min(xmin, v), math.Max(xmax, v)
	}
	return xmin, xmax, h.y0, h.y0 + float64(len(h.values))
}

// ClusterScatter draws samples (rows of X) coloured by cluster label, with
// the cluster centres (may be nil) as black crosses. With more than two
// features the points and centres are projected onto the first two
// principal components of X; labels below zero are drawn grey as noise.
func ClusterScatter(X [][]float64, labels []int, centers [][]float64) (*Figure, error) {
	if len(X) == 0 {
		return nil, fmt.Errorf("plot: ClusterScatter: no samples")
	}
	if len(labels) != len(X) {
		return nil, fmt.Errorf("plot: ClusterScatter: %d samples but %d labels", len(X), len(labels))
	}
	d := len(X[0])
	if d < 2 {
		return nil, fmt.Errorf("plot: ClusterScatter: samples have %d feature(s); need at least 2", d)
	}
	for i, row := range X {
		if len(row) != d {
			return nil, fmt.Errorf("plot: ClusterScatter: row %d has %d features, row 0 has %d", i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plot: ClusterScatter: X[%d][%d] is %v", i, j, v)
			}
		}
	}
	for i, c := range centers {
		if len(c) != d {
			return nil, fmt.Errorf("plot: ClusterScatter: centre %d has %d features, samples have %d", i, len(c), d)
		}
	}
	xlabel, ylabel := "Feature 0", "Feature 1"
	pts, cts := X, centers
	if d > 2 {
		proj, ratios, err := pca2(X)
		if err != nil {
			return nil, fmt.Errorf("plot: ClusterScatter: %w", err)
		}
		pts, cts = proj(X), proj(centers)
		xlabel = fmt.Sprintf("PC 1 (%.1f%% of variance)", 100*ratios[0])
		ylabel = fmt.Sprintf("PC 2 (%.1f%% of variance)", 100*ratios[1])
	}
	p := newPlot("Clusters", xlabel, ylabel)
	p.Add(plotter.NewGrid())
	groups := map[int]plotter.XYs{}
	for i, row := range pts {
		groups[labels[i]] = append(groups[labels[i]], plotter.XY{X: row[0], Y: row[1]})
	}
	ids := make([]int, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		s, err := plotter.NewScatter(groups[id])
		if err != nil {
			return nil, err
		}
		s.Shape = draw.CircleGlyph{}
		s.Radius = vg.Points(2.5)
		name := "cluster " + strconv.Itoa(id)
		if id < 0 {
			s.Color, name = gray, "noise"
			s.Radius = vg.Points(1.8)
		} else {
			s.Color = colorAt(id)
		}
		p.Add(s)
		if len(ids) <= 12 {
			p.Legend.Add(name, s)
		}
	}
	if len(cts) > 0 {
		xy := make(plotter.XYs, len(cts))
		for i, c := range cts {
			xy[i] = plotter.XY{X: c[0], Y: c[1]}
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: ClusterScatter: centres: %w", err)
		}
		s.Shape = boldCross{}
		s.Color = colorBlack
		s.Radius = vg.Points(6)
		p.Add(s)
		p.Legend.Add("centroids", s)
	}
	padXY(p, append(append([][]float64(nil), pts...), cts...))
	return sideLegendFigure(p, 6*vg.Inch, 5*vg.Inch), nil
}

// ClusterScatterTensor is ClusterScatter for 2-D tensors: X of shape
// [n, d] and centers (may be nil) of shape [k, d].
func ClusterScatterTensor(X *tensor.Tensor, labels []int, centers *tensor.Tensor) (*Figure, error) {
	xs, err := tensorRows("X", X)
	if err != nil {
		return nil, fmt.Errorf("plot: ClusterScatter: %w", err)
	}
	var cs [][]float64
	if centers != nil {
		if cs, err = tensorRows("centers", centers); err != nil {
			return nil, fmt.Errorf("plot: ClusterScatter: %w", err)
		}
	}
	return ClusterScatter(xs, labels, cs)
}

func tensorRows(name string, t *tensor.Tensor) ([][]float64, error) {
	if t == nil {
		return nil, fmt.Errorf("%s is nil", name)
	}
	if t.Dim() != 2 {
		return nil, fmt.Errorf("%s has shape %v; want [rows, features]", name, t.Shape())
	}
	if !t.Device().IsCPU() {
		t = t.To(tensor.CPU)
	}
	data := t.Float64s()
	n, d := t.Shape()[0], t.Shape()[1]
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = append([]float64(nil), data[i*d:(i+1)*d]...)
	}
	return rows, nil
}

// pca2 returns a projection onto the first two principal components of X
// and the explained variance ratios of those components.
func pca2(X [][]float64) (func([][]float64) [][]float64, [2]float64, error) {
	n, d := len(X), len(X[0])
	mean := make([]float64, d)
	for _, row := range X {
		for j, v := range row {
			mean[j] += v / float64(n)
		}
	}
	m := mat.NewDense(n, d, nil)
	for i, row := range X {
		for j, v := range row {
			m.Set(i, j, v-mean[j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDThin) {
		return nil, [2]float64{}, fmt.Errorf("principal components did not converge")
	}
	var v mat.Dense
	svd.VTo(&v)
	sv := svd.Values(nil)
	var total float64
	for _, s := range sv {
		total += s * s
	}
	var ratios [2]float64
	for k := 0; k < 2 && k < len(sv); k++ {
		if total > 0 {
			ratios[k] = sv[k] * sv[k] / total
		}
	}
	// Fix each component's sign so its largest loading is positive, as
	// scikit-learn's svd_flip does, so that pictures are reproducible.
	sign := [2]float64{1, 1}
	for k := range 2 {
		big := 0.0
		for j := range d {
			if math.Abs(v.At(j, k)) > math.Abs(big) {
				big = v.At(j, k)
			}
		}
		if big < 0 {
			sign[k] = -1
		}
	}
	proj := func(rows [][]float64) [][]float64 {
		out := make([][]float64, len(rows))
		for i, row := range rows {
			var a, b float64
			for j := range d {
				c := row[j] - mean[j]
				a += c * v.At(j, 0)
				b += c * v.At(j, 1)
			}
			out[i] = []float64{sign[0] * a, sign[1] * b}
		}
		return out
	}
	return proj, ratios, nil
}

// boldCross is an "x" glyph with thick strokes, for centroids.
type boldCross struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (boldCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: colorWhite, Width: vg.Points(5)})
	r := sty.Radius
	for pass := range 2 {
		if pass == 1 {
			c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(2.5)})
		}
		var p vg.Path
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
		p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
		p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
		c.Stroke(p)
	}
}

// padXY sets both axis ranges to the points' range plus 5% on each side.
func padXY(p *gplot.Plot, pts [][]float64) {
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		xlo, xhi = math.Min(xlo, q[0]), math.Max(xhi, q[0])
		ylo, yhi = math.Min(ylo, q[1]), math.Max(yhi, q[1])
	}
	mx, my := math.Max(0.05*(xhi-xlo), 1e-6), math.Max(0.05*(yhi-ylo), 1e-6)
	p.X.Min, p.X.Max = xlo-mx, xhi+mx
	p.Y.Min, p.Y.Max = ylo-my, yhi+my
}
