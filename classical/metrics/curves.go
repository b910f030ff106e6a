package metrics

import (
	"math"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// binaryInputs returns, for a binary problem, whether each sample is
// positive and its score. score may be [n] or [n, 2] (the second column,
// PredictProba of a binary classifier).
func binaryInputs(fn string, yTrue, score *tensor.Tensor, c config) (pos []bool, s []float64, err error) {
	t, err := vec(fn, "y_true", yTrue)
	if err != nil {
		return nil, nil, err
	}
	if score != nil && score.Dim() == 2 && score.Shape()[1] == 2 {
		score = score.Slice(1, 1, 2, 1).Contiguous().Reshape(score.Shape()[0])
	}
	if s, err = vec(fn, "y_score", score); err != nil {
		return nil, nil, err
	}
	if len(t) != len(s) {
		return nil, nil, classical.Invalidf(fn, "y_true has %d entries but y_score has %d", len(t), len(s))
	}
	if len(t) == 0 {
		return nil, nil, classical.Invalidf(fn, "empty y_true")
	}
	labels := uniqueSorted(t)
	if len(labels) > 2 {
		return nil, nil, classical.Invalidf(fn, "y_true has %d classes %v; this curve is for binary problems", len(labels), labels)
	}
	posLabel := c.posLabel
	if !slices.Contains(labels, posLabel) {
		// scikit-learn accepts {0,1} and {-1,1} without pos_label; other
		// label sets need it.
		if !(len(labels) == 1 && (labels[0] == 0 || labels[0] == -1)) {
			return nil, nil, classical.Invalidf(fn, "y_true labels %v do not contain pos_label %v; set PosLabel", labels, posLabel)
		}
	}
	pos = make([]bool, len(t))
	for i, v := range t {
		pos[i] = v == posLabel
	}
	return pos, s, nil
}

// binaryCurve is scikit-learn's _binary_clf_curve: for each distinct score
// (descending) the cumulative false and true positives at that threshold.
func binaryCurve(pos []bool, score []float64) (fps, tps, thr []float64) {
	n := len(score)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	// Descending score; ties keep the reverse of the input order as
	// numpy's stable argsort reversed does (irrelevant to the curve).
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	tp := 0.0
	for k, i := range idx {
		if pos[i] {
			tp++
		}
		if k == n-1 || score[idx[k+1]] != score[i] {
			tps = append(tps, tp)
			fps = append(fps, float64(k+1)-tp)
			thr = append(thr, score[i])
		}
	}
	return fps, tps, thr
}

// ROCCurve returns the receiver operating characteristic of a binary
// problem: false and true positive rates for decreasing thresholds on
// score (a decision function or the positive class's probability; a
// [n, 2] PredictProba is accepted). As scikit-learn 1.2 with
// drop_intermediate, collinear points are dropped and the first threshold
// is the highest score plus one. Option: PosLabel.
func ROCCurve(yTrue, score *tensor.Tensor, opts ...Option) (fpr, tpr, thresholds []float64, err error) {
	pos, s, err := binaryInputs("ROCCurve", yTrue, score, newConfig(opts))
	if err != nil {
		return nil, nil, nil, err
	}
	fps, tps, thr := binaryCurve(pos, s)
	if len(fps) > 2 {
		keep := []int{0}
		for i := 1; i < len(fps)-1; i++ {
			d2f := fps[i+1] - 2*fps[i] + fps[i-1]
			d2t := tps[i+1] - 2*tps[i] + tps[i-1]
			if d2f != 0 || d2t != 0 {
				keep = append(keep, i)
			}
		}
		keep = append(keep, len(fps)-1)
		f2, t2, h2 := make([]float64, len(keep)), make([]float64, len(keep)), make([]float64, len(keep))
		for j, i := range keep {
			f2[j], t2[j], h2[j] = fps[i], tps[i], thr[i]
		}
		fps, tps, thr = f2, t2, h2
	}
	fps = append([]float64{0}, fps...)
	tps = append([]float64{0}, tps...)
	thresholds = append([]float64{thr[0] + 1}, thr...)
	nf, nt := fps[len(fps)-1], tps[len(tps)-1]
	fpr, tpr = make([]float64, len(fps)), make([]float64, len(tps))
	for i := range fps {
		fpr[i], tpr[i] = fps[i]/nf, tps[i]/nt // NaN when a class is absent, as scikit-learn
	}
	return fpr, tpr, thresholds, nil
}

// AUC returns the area under the curve (x, y) by the trapezoidal rule; x
// must be monotonic (increasing or decreasing).
func AUC(x, y []float64) (float64, error) {
	if len(x) != len(y) || len(x) < 2 {
		return 0, classical.Invalidf("AUC", "need two equal-length arrays of at least 2 points, got %d and %d", len(x), len(y))
	}
	dir := 1.0
	inc, dec := true, true
	for i := 1; i < len(x); i++ {
		inc = inc && x[i] >= x[i-1]
		dec = dec && x[i] <= x[i-1]
	}
	switch {
	case inc:
	case dec:
		dir = -1
	default:
		return 0, classical.Invalidf("AUC", "x is neither increasing nor decreasing")
	}
	a := 0.0
	for i := 1; i < len(x); i++ {
		a += (x[i] - x[i-1]) * (y[i] + y[i-1]) / 2
	}
	return dir * a, nil
}

// ROCAUC returns the area under the ROC curve. For a binary yTrue, score
// is [n] (decision function or positive-class probability) or [n, 2]
// (PredictProba); for more classes score is [n, classes] probabilities in
// sorted label order, averaged one-vs-rest (macro, or weighted by
// prevalence with Average("weighted")) or one-vs-one with MultiClass("ovo").
func ROCAUC(yTrue, score *tensor.Tensor, opts ...Option) (float64, error) {
	const fn = "ROCAUC"
	c := newConfig(opts)
	t, err := vec(fn, "y_true", yTrue)
	if err != nil {
		return 0, err
	}
	labels := uniqueSorted(t)
	if score != nil && score.Dim() == 2 && score.Shape()[1] > 2 {
		return multiAUC(t, labels, score, c)
	}
	if len(labels) != 2 {
		return 0, classical.Invalidf(fn, "y_true has %d classes %v; ROC AUC needs both classes (or [n, classes] scores for more)", len(labels), labels)
	}
	if !slices.Contains(labels, c.posLabel) {
		c.posLabel = labels[1]
	}
	pos, s, err := binaryInputs(fn, yTrue, score, c)
	if err != nil {
		return 0, err
	}
	return binaryAUC(pos, s), nil
}

// binaryAUC is the trapezoidal area under the full ROC curve (equal to the
// Mann-Whitney statistic with ties counted as one half).
func binaryAUC(pos []bool, s []float64) float64 {
	fps, tps, _ := binaryCurve(pos, s)
	nf, nt := fps[len(fps)-1], tps[len(tps)-1]
	if nf == 0 || nt == 0 {
		return math.NaN()
	}
	a, pf, pt := 0.0, 0.0, 0.0
	for i := range fps {
		a += (fps[i] - pf) * (tps[i] + pt) / 2
		pf, pt = fps[i], tps[i]
	}
	return a / (nf * nt)
}

func multiAUC(t, labels []float64, score *tensor.Tensor, c config) (float64, error) {
	const fn = "ROCAUC"
	n, k := score.Shape()[0], score.Shape()[1]
	if n != len(t) {
		return 0, classical.Invalidf(fn, "y_true has %d entries but y_score has %d rows", len(t), n)
	}
	if c.labels != nil {
		labels = c.labels
	}
	if len(labels) != k {
		return 0, classical.Invalidf(fn, "y_score has %d columns but y_true has %d classes %v; pass Labels", k, len(labels), labels)
	}
	sd := score.Float64s()
	for i, v := range sd {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, classical.Invalidf(fn, "y_score contains %v at index %d", v, i)
		}
	}
	col := func(j int, rows []int) []float64 {
		out := make([]float64, len(rows))
		for a, i := range rows {
			out[a] = sd[i*k+j]
		}
		return out
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	switch c.multiClass {
	case "ovr":
		tot, wsum := 0.0, 0.0
		for j, l := range labels {
			pos := make([]bool, n)
			np := 0.0
			for i, v := range t {
				pos[i] = v == l
				if pos[i] {
					np++
				}
			}
			if np == 0 || np == float64(n) {
				return 0, classical.Invalidf(fn, "class %v has no positive or no negative samples; one-vs-rest AUC is undefined", l)
			}
			w := 1.0
			if c.average == "weighted" {
				w = np
			}
			tot += w * binaryAUC(pos, col(j, all))
			wsum += w
		}
		return tot / wsum, nil
	case "ovo":
		tot, pairs := 0.0, 0
		for a := 0; a < k; a++ {
			for b := a + 1; b < k; b++ {
				var rows []int
				for i, v := range t {
					if v == labels[a] || v == labels[b] {
						rows = append(rows, i)
					}
				}
				pa := make([]bool, len(rows))
				pb := make([]bool, len(rows))
				for r, i := range rows {
					pa[r] = t[i] == labels[a]
					pb[r] = !pa[r]
				}
				tot += (binaryAUC(pa, col(a, rows)) + binaryAUC(pb, col(b, rows))) / 2
				pairs++
			}
		}
		return tot / float64(pairs), nil
	}
	return 0, classical.Invalidf(fn, "unknown multi_class %q (want ovr or ovo)", c.multiClass)
}

// PrecisionRecallCurve returns precision and recall for decreasing
// thresholds on score, as scikit-learn 1.2: the arrays run from the
// highest threshold's complement (recall 1 first) and end with the point
// (recall 0, precision 1), which has no threshold. Option: PosLabel.
func PrecisionRecallCurve(yTrue, score *tensor.Tensor, opts ...Option) (precision, recall, thresholds []float64, err error) {
	pos, s, err := binaryInputs("PrecisionRecallCurve", yTrue, score, newConfig(opts))
	if err != nil {
		return nil, nil, nil, err
	}
	fps, tps, thr := binaryCurve(pos, s)
	m := len(tps)
	last := tps[m-1]
	for i := m - 1; i >= 0; i-- {
		pr := 0.0
		if ps := tps[i] + fps[i]; ps != 0 {
			pr = tps[i] / ps
		}
		rc := 1.0
		if last != 0 {
			rc = tps[i] / last
		}
		precision = append(precision, pr)
		recall = append(recall, rc)
		thresholds = append(thresholds, thr[i])
	}
	return append(precision, 1), append(recall, 0), thresholds, nil
}

// AveragePrecision returns the area under the precision-recall curve as
// scikit-learn computes it: Σ (Rₙ − Rₙ₋₁) Pₙ.
func AveragePrecision(yTrue, score *tensor.Tensor, opts ...Option) (float64, error) {
	p, r, _, err := PrecisionRecallCurve(yTrue, score, opts...)
	if err != nil {
		return 0, err
	}
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s -= (r[i+1] - r[i]) * p[i]
	}
	return s, nil
}

// LogLoss returns the mean negative log-likelihood of yTrue under the
// predicted probabilities proba: [n, classes] in sorted label order (the
// labels of yTrue, or Labels), or [n] probabilities of the larger class of
// a binary problem. Probabilities are clipped to [eps, 1-eps] (eps the
// float64 machine epsilon) and rows renormalised, as scikit-learn 1.2.
func LogLoss(yTrue, proba *tensor.Tensor, opts ...Option) (float64, error) {
	const fn = "LogLoss"
	c := newConfig(opts)
	t, err := vec(fn, "y_true", yTrue)
	if err != nil {
		return 0, err
	}
	if proba == nil {
		return 0, classical.Invalidf(fn, "y_prob is nil")
	}
	labels := c.labels
	if labels == nil {
		labels = uniqueSorted(t)
	} else {
		// Columns follow the sorted labels, as scikit-learn's LabelBinarizer.
		labels = slices.Clone(labels)
		slices.Sort(labels)
		for i := 1; i < len(labels); i++ {
			if labels[i] == labels[i-1] {
				return 0, classical.Invalidf(fn, "label %v given twice", labels[i])
			}
		}
	}
	var pd []float64
	var k int
	switch {
	case proba.Dim() == 1 || (proba.Dim() == 2 && proba.Shape()[1] == 1):
		p1 := proba.Float64s()
		k = 2
		pd = make([]float64, 2*len(p1))
		for i, v := range p1 {
			pd[2*i], pd[2*i+1] = 1-v, v
		}
	case proba.Dim() == 2:
		k = proba.Shape()[1]
		pd = slices.Clone(proba.Float64s())
	default:
		return 0, classical.Invalidf(fn, "y_prob must be [n] or [n, classes], got shape %v", proba.Shape())
	}
	n := len(pd) / k
	if n != len(t) || n == 0 {
		return 0, classical.Invalidf(fn, "y_true has %d entries but y_prob has %d rows", len(t), n)
	}
	if len(labels) == 1 && k == 2 {
		labels = append(labels, labels[0]+1) // scikit-learn's single-label convention
		if labels[0] == 1 {
			labels = []float64{0, 1}
		}
	}
	if len(labels) != k {
		return 0, classical.Invalidf(fn, "y_prob has %d columns but there are %d labels %v; pass Labels", k, len(labels), labels)
	}
	eps := math.Nextafter(1, 2) - 1
	s := 0.0
	for i, v := range t {
		j, ok := slices.BinarySearch(labels, v)
		if !ok {
			return 0, classical.Invalidf(fn, "y_true label %v is not among the labels %v", v, labels)
		}
		row := pd[i*k : (i+1)*k]
		sum := 0.0
		for a, q := range row {
			if math.IsNaN(q) || math.IsInf(q, 0) {
				return 0, classical.Invalidf(fn, "y_prob contains %v at row %d", q, i)
			}
			row[a] = math.Min(math.Max(q, eps), 1-eps)
			sum += row[a]
		}
		s -= math.Log(row[j] / sum)
	}
	return s / float64(n), nil
}
