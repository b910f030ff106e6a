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

// checkBinary validates binary labels (0 or 1) against scores.
func checkBinary(fn string, yTrue []int, scores []float64) (pos, neg int, err error) {
	if len(yTrue) != len(scores) {
		return 0, 0, fmt.Errorf("plot: %s: %d labels but %d scores", fn, len(yTrue), len(scores))
	}
	if len(yTrue) == 0 {
		return 0, 0, fmt.Errorf("plot: %s: no samples", fn)
	}
	for i, y := range yTrue {
		if y != 0 && y != 1 {
			return 0, 0, fmt.Errorf("plot: %s: label %d is %d; want 0 or 1", fn, i, y)
		}
		if math.IsNaN(scores[i]) {
			return 0, 0, fmt.Errorf("plot: %s: score %d is NaN", fn, i)
		}
		if y == 1 {
			pos++
		} else {
			neg++
		}
	}
	return pos, neg, nil
}

// thresholdCounts returns, for each distinct score from the highest down,
// the cumulative true and false positives when predicting positive at or
// above that score.
func thresholdCounts(yTrue []int, scores []float64) (tps, fps []float64) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	var tp, fp float64
	for k, i := range idx {
		if yTrue[i] == 1 {
			tp++
		} else {
			fp++
		}
		if k == len(idx)-1 || scores[idx[k+1]] != scores[i] {
			tps = append(tps, tp)
			fps = append(fps, fp)
		}
	}
	return tps, fps
}

// ROCCurve computes the receiver operating characteristic of binary labels
// (1 is the positive class) against scores, as scikit-learn's roc_curve
// with drop_intermediate=false does: one point per distinct score, from
// (0, 0), and the area under it by the trapezoidal rule.
func ROCCurve(yTrue []int, scores []float64) (fpr, tpr []float64, auc float64, err error) {
	pos, neg, err := checkBinary("ROCCurve", yTrue, scores)
	if err != nil {
		return nil, nil, 0, err
	}
	if pos == 0 || neg == 0 {
		return nil, nil, 0, fmt.Errorf("plot: ROCCurve: need both classes, got %d positive and %d negative samples", pos, neg)
	}
	tps, fps := thresholdCounts(yTrue, scores)
	fpr, tpr = []float64{0}, []float64{0}
	for i := range tps {
		fpr = append(fpr, fps[i]/float64(neg))
		tpr = append(tpr, tps[i]/float64(pos))
	}
	for i := 1; i < len(fpr); i++ {
		auc += (fpr[i] - fpr[i-1]) * (tpr[i] + tpr[i-1]) / 2
	}
	return fpr, tpr, auc, nil
}

// PrecisionRecallCurve computes precision and recall at each distinct
// score threshold, from the highest score down, and the average precision
// AP = sum over thresholds of (R_n - R_(n-1)) * P_n, as scikit-learn's
// average_precision_score.
func PrecisionRecallCurve(yTrue []int, scores []float64) (precision, recall []float64, ap float64, err error) {
	pos, _, err := checkBinary("PrecisionRecallCurve", yTrue, scores)
	if err != nil {
		return nil, nil, 0, err
	}
	if pos == 0 {
		return nil, nil, 0, fmt.Errorf("plot: PrecisionRecallCurve: no positive samples")
	}
	tps, fps := thresholdCounts(yTrue, scores)
	prevR := 0.0
	for i := range tps {
		p := tps[i] / (tps[i] + fps[i])
		r := tps[i] / float64(pos)
		ap += (r - prevR) * p
		prevR = r
		precision = append(precision, p)
		recall = append(recall, r)
	}
	return precision, recall, ap, nil
}

// ROC draws the ROC curve of binary labels (0/1) against scores (the
// positive class's probability or decision value), with the AUC in the
// legend and the chance diagonal.
func ROC(yTrue []int, scores []float64) (*Figure, error) {
	fpr, tpr, auc, err := ROCCurve(yTrue, scores)
	if err != nil {
		return nil, err
	}
	return ROCFromCurve(fpr, tpr, auc)
}

func checkCurve(fn string, xs, ys []float64) error {
	if len(xs) != len(ys) {
		return fmt.Errorf("plot: %s: %d x values but %d y values", fn, len(xs), len(ys))
	}
	if len(xs) == 0 {
		return fmt.Errorf("plot: %s: empty curve", fn)
	}
	for i := range xs {
		if !(xs[i] >= 0 && xs[i] <= 1 && ys[i] >= 0 && ys[i] <= 1) {
			return fmt.Errorf("plot: %s: point %d (%g, %g) is outside [0, 1]", fn, i, xs[i], ys[i])
		}
	}
	return nil
}

// ROCFromCurve draws a precomputed ROC curve (false positive rates against
// true positive rates, as from ROCCurve or a metrics package) with its AUC.
func ROCFromCurve(fpr, tpr []float64, auc float64) (*Figure, error) {
	if err := checkCurve("ROC", fpr, tpr); err != nil {
		return nil, err
	}
	p := newPlot("ROC curve", "False positive rate", "True positive rate")
	p.Add(plotter.NewGrid())
	chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	chance.Color = gray
	chance.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
	chance.Width = vg.Points(1.2)
	l, err := plotter.NewLine(curveXYs(fpr, tpr))
	if err != nil {
		return nil, fmt.Errorf("plot: ROC: %w", err)
	}
	l.Color = colorAt(0)
	l.Width = vg.Points(2)
	p.Add(chance, l)
	p.Legend.Add("ROC (AUC = "+strconv.FormatFloat(auc, 'f', 3, 64)+")", l)
	p.Legend.Add("chance (AUC = 0.5)", chance)
	p.Legend.Top = false
	p.Legend.XOffs = -vg.Points(6)
	p.Legend.YOffs = vg.Points(6)
	unitAxes(p)
	return plotFigure(p, 5.2*vg.Inch, 5*vg.Inch), nil
}

// PrecisionRecall draws the precision-recall curve of binary labels (0/1)
// against scores, with the average precision in the legend and the
// no-skill line at the share of positives.
func PrecisionRecall(yTrue []int, scores []float64) (*Figure, error) {
	precision, recall, ap, err := PrecisionRecallCurve(yTrue, scores)
	if err != nil {
		return nil, err
	}
	pos := 0
	for _, y := range yTrue {
		pos += y
	}
	return PrecisionRecallFromCurve(precision, recall, ap, float64(pos)/float64(len(yTrue)))
}

// PrecisionRecallFromCurve draws a precomputed precision-recall curve with
// its average precision; baseline, the share of positive samples, is drawn
// as the no-skill line when it is in (0, 1].
func PrecisionRecallFromCurve(precision, recall []float64, ap, baseline float64) (*Figure, error) {
	if err := checkCurve("PrecisionRecall", recall, precision); err != nil {
		return nil, err
	}
	p := newPlot("Precision-recall curve", "Recall", "Precision")
	p.Add(plotter.NewGrid())
	// Draw as a step function, the way average precision integrates it.
	xy := plotter.XYs{{X: 0, Y: precision[0]}}
	for i := range recall {
		xy = append(xy, plotter.XY{X: recall[i], Y: precision[i]})
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, fmt.Errorf("plot: PrecisionRecall: %w", err)
	}
	l.StepStyle = plotter.PreStep
	l.Color = colorAt(0)
	l.Width = vg.Points(2)
	if baseline > 0 && baseline <= 1 {
		b, err := plotter.NewLine(plotter.XYs{{X: 0, Y: baseline}, {X: 1, Y: baseline}})
		if err != nil {
			return nil, err
		}
		b.Color = gray
		b.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
		b.Width = vg.Points(1.2)
		p.Add(b)
		defer p.Legend.Add("no skill (AP = "+strconv.FormatFloat(baseline, 'f', 3, 64)+")", b)
	}
	p.Add(l)
	p.Legend.Add("PR (AP = "+strconv.FormatFloat(ap, 'f', 3, 64)+")", l)
	p.Legend.Top = false
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(6)
	p.Legend.YOffs = vg.Points(6)
	unitAxes(p)
	return plotFigure(p, 5.2*vg.Inch, 5*vg.Inch), nil
}

func curveXYs(xs, ys []float64) plotter.XYs {
	xy := make(plotter.XYs, len(xs))
	for i := range xs {
		xy[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	return xy
}

// unitAxes fixes both axes to [0, 1] with a small margin and ticks at 0.2.
func unitAxes(p *gplot.Plot) {
	p.X.Min, p.X.Max = -0.02, 1.02
	p.Y.Min, p.Y.Max = -0.02, 1.02
	t := fixedTicks{0, 0.2, 0.4, 0.6, 0.8, 1}
	p.X.Tick.Marker, p.Y.Tick.Marker = t, t
}

// ConfusionMatrix draws a confusion matrix (rows: true class, columns:
// predicted class, as scikit-learn's confusion_matrix) as a heat map with
// the count in each cell. classNames may be nil (classes are then numbered
// from 0); otherwise it names each row.
func ConfusionMatrix(matrix [][]int, classNames []string) (*Figure, error) {
	n := len(matrix)
	if n == 0 {
		return nil, fmt.Errorf("plot: ConfusionMatrix: empty matrix")
	}
	maxCount := 0
	for i, row := range matrix {
		if len(row) != n {
			return nil, fmt.Errorf("plot: ConfusionMatrix: row %d has %d entries; the matrix must be %dx%d", i, len(row), n, n)
		}
		for j, c := range row {
			if c < 0 {
				return nil, fmt.Errorf("plot: ConfusionMatrix: cell (%d, %d) is negative (%d)", i, j, c)
			}
			maxCount = max(maxCount, c)
		}
	}
	if classNames == nil {
		for i := range n {
			classNames = append(classNames, strconv.Itoa(i))
		}
	}
	if len(classNames) != n {
		return nil, fmt.Errorf("plot: ConfusionMatrix: %d class names for a %dx%d matrix", len(classNames), n, n)
	}
	p := newPlot("Confusion matrix", "Predicted label", "True label")
	cells := &matrixCells{m: matrix, max: maxCount}
	p.Add(cells)
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	rev := make([]string, n)
	for i := range n {
		rev[n-1-i] = classNames[i] // first class on top
	}
	p.NominalX(classNames...)
	p.NominalY(rev...)
	p.X.Padding, p.Y.Padding = 0, 0
	// Long names on many columns: tilt them so they do not overlap.
	sty := p.X.Tick.Label
	widest := vg.Length(0)
	for _, s := range classNames {
		widest = max(widest, sty.Width(s))
	}
	cell := vg.Length(max(0.55, 4.2/float64(n))) * vg.Inch
	if n > 12 {
		cell = 0.35 * vg.Inch
	}
	if widest > cell*0.9 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	cells.fontSize = math.Min(11, float64(cell/vg.Points(1))*0.32)
	w := cell*vg.Length(n) + widestName(p.Y.Tick.Label, classNames) + 1.1*vg.Inch
	h := cell*vg.Length(n) + 1.2*vg.Inch
	if p.X.Tick.Label.Rotation != 0 {
		h += widest * 0.72
	}
	return plotFigure(p, w, h), nil
}

func widestName(sty interface{ Width(string) vg.Length }, names []string) vg.Length {
	w := vg.Length(0)
	for _, s := range names {
		w = max(w, sty.Width(s))
	}
	return w
}

// matrixCells draws an n x n matrix of counts, row 0 at the top, shaded from
// white (0) to dark blue (the largest count), with the count written in
// each cell.
type matrixCells struct {
	m        [][]int
	max      int
	fontSize float64
}

// Plot implements plot.Plotter.
func (mc *matrixCells) Plot(c draw.Canvas, p *gplot.Plot) {
	n := len(mc.m)
	tx, ty := p.Transforms(&c)
	sty := textStyle(mc.fontSize, nil)
	for i, row := range mc.m {
		y := float64(n - 1 - i)
		for j, v := range row {
			f := 0.0
			if mc.max > 0 {
				f = float64(v) / float64(mc.max)
			}
			fill := blues(f)
			rect := vg.Rectangle{
				Min: vg.Point{X: tx(float64(j) - 0.5), Y: ty(y - 0.5)},
				Max: vg.Point{X: tx(float64(j) + 0.5), Y: ty(y + 0.5)},
			}
			c.SetColor(fill)
			c.Fill(rect.Path())
			c.SetColor(colorWhite)
			c.SetLineWidth(vg.Points(1))
			c.Stroke(rect.Path())
			if f > 0.55 {
				sty.Color = colorWhite
			} else {
				sty.Color = colorBlack
			}
			c.FillText(sty, vg.Point{X: tx(float64(j)), Y: ty(y)}, strconv.Itoa(v))
		}
	}
}

// DataRange implements plot.DataRanger.
func (mc *matrixCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	n := float64(len(mc.m))
	return -0.5, n - 0.5, -0.5, n - 0.5
}
