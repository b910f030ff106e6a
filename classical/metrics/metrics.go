// Package metrics holds scikit-learn's evaluation metrics: for
// classification accuracy, precision, recall, F-beta (binary, micro, macro
// and weighted averages), the confusion matrix, the classification report
// (the text table scikit-learn prints), ROC and precision-recall curves,
// ROC-AUC, average precision and log loss; for regression MAE, MSE, RMSE,
// R², explained variance, median absolute error and max error.
//
// Labels and targets are 1-D float64 (or float32) tensors, as Predict
// returns them. Every function checks its inputs (lengths, shapes, finite
// values) and returns an error that wraps classical.ErrInvalidInput rather
// than panicking. Where scikit-learn warns and returns 0 (a precision with
// no predicted samples), these functions return 0 too.
package metrics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// vec returns t as a finite 1-D slice ([n, 1] is accepted).
func vec(fn, name string, t *tensor.Tensor) ([]float64, error) {
	if t == nil {
		return nil, classical.Invalidf(fn, "%s is nil", name)
	}
	if t.Device() != tensor.CPU {
		return nil, classical.Invalidf(fn, "%s is on device %v; use To(tensor.CPU)", name, t.Device())
	}
	if !(t.Dim() == 1 || (t.Dim() == 2 && t.Shape()[1] == 1)) {
		return nil, classical.Invalidf(fn, "%s must be 1-D, got shape %v", name, t.Shape())
	}
	d := t.Float64s()
	for i, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, classical.Invalidf(fn, "%s contains %v at index %d", name, v, i)
		}
	}
	return d, nil
}

// pair returns yTrue and yPred as slices of equal, non-zero length.
func pair(fn string, yTrue, yPred *tensor.Tensor) (t, p []float64, err error) {
	if t, err = vec(fn, "y_true", yTrue); err != nil {
		return nil, nil, err
	}
	if p, err = vec(fn, "y_pred", yPred); err != nil {
		return nil, nil, err
	}
	if len(t) != len(p) {
		return nil, nil, classical.Invalidf(fn, "y_true has %d entries but y_pred has %d", len(t), len(p))
	}
	if len(t) == 0 {
		return nil, nil, classical.Invalidf(fn, "empty y_true and y_pred")
	}
	return t, p, nil
}

// Option configures the classification metrics.
type Option func(*config)

type config struct {
	average     string
	posLabel    float64
	labels      []float64
	targetNames []string
	digits      int
	multiClass  string
}

func newConfig(opts []Option) config {
	c := config{average: "binary", posLabel: 1, digits: 2, multiClass: "ovr"}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Average sets how per-class scores combine: "binary" (default: the score
// of PosLabel, for two-class problems), "micro" (global counts), "macro"
// (unweighted mean over classes), "weighted" (mean weighted by support) or
// "" / "none" (no averaging; only meaningful for PerClass).
func Average(a string) Option { return func(c *config) { c.average = a } }

// PosLabel sets the positive class of binary metrics and curves (default 1).
func PosLabel(v float64) Option { return func(c *config) { c.posLabel = v } }

// Labels fixes the label set and its order (default: the sorted union of
// the labels in y_true and y_pred).
func Labels(l ...float64) Option { return func(c *config) { c.labels = slices.Clone(l) } }

// TargetNames names the classes in ClassificationReport, in label order.
func TargetNames(n ...string) Option { return func(c *config) { c.targetNames = slices.Clone(n) } }

// Digits sets the decimals of ClassificationReport (default 2).
func Digits(d int) Option { return func(c *config) { c.digits = d } }

// MultiClass sets how ROCAUC handles more than two classes: "ovr" (one
// vs rest, default) or "ovo" (one vs one, Hand and Till).
func MultiClass(m string) Option { return func(c *config) { c.multiClass = m } }

// uniqueSorted returns the sorted distinct values of the slices.
func uniqueSorted(s ...[]float64) []float64 {
	var all []float64
	for _, x := range s {
		all = append(all, x...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// Accuracy returns the fraction of samples with yPred equal to yTrue.
func Accuracy(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("Accuracy", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	return classical.Accuracy(t, p), nil
}

// BalancedAccuracy returns the mean recall over the classes of yTrue.
func BalancedAccuracy(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("BalancedAccuracy", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	classes := uniqueSorted(t)
	s := 0.0
	for _, c := range classes {
		tp, sup := 0.0, 0.0
		for i := range t {
			if t[i] == c {
				sup++
				if p[i] == c {
					tp++
				}
			}
		}
		s += tp / sup
	}
	return s / float64(len(classes)), nil
}

// ConfusionMatrix returns the matrix whose entry [i][j] counts samples of
// true class labels[i] predicted as labels[j], with labels the sorted union
// of the labels in yTrue and yPred (or those given with Labels; samples
// with other labels are not counted).
func ConfusionMatrix(yTrue, yPred *tensor.Tensor, opts ...Option) (cm [][]int, labels []float64, err error) {
	t, p, err := pair("ConfusionMatrix", yTrue, yPred)
	if err != nil {
		return nil, nil, err
	}
	c := newConfig(opts)
	labels = c.labels
	if labels == nil {
		labels = uniqueSorted(t, p)
	}
	pos := make(map[float64]int, len(labels))
	for i, l := range labels {
		if _, dup := pos[l]; dup {
			return nil, nil, classical.Invalidf("ConfusionMatrix", "label %v given twice", l)
		}
		pos[l] = i
	}
	cm = make([][]int, len(labels))
	for i := range cm {
		cm[i] = make([]int, len(labels))
	}
	for i := range t {
		a, ok1 := pos[t[i]]
		b, ok2 := pos[p[i]]
		if ok1 && ok2 {
			cm[a][b]++
		}
	}
	return cm, labels, nil
}

// ClassScores holds per-class precision, recall, F-beta and support, in
// the order of Labels.
type ClassScores struct {
	Labels    []float64
	Precision []float64
	Recall    []float64
	FScore    []float64
	Support   []int
}

// PerClass returns precision, recall, F1 and support for each label (the
// sorted union of yTrue and yPred, or Labels).
func PerClass(yTrue, yPred *tensor.Tensor, opts ...Option) (*ClassScores, error) {
	t, p, err := pair("PerClass", yTrue, yPred)
	if err != nil {
		return nil, err
	}
	c := newConfig(opts)
	return perClass(t, p, c.labels, 1), nil
}

func perClass(t, p, labels []float64, beta float64) *ClassScores {
	if labels == nil {
		labels = uniqueSorted(t, p)
	}
	k := len(labels)
	cs := &ClassScores{Labels: labels, Precision: make([]float64, k), Recall: make([]float64, k), FScore: make([]float64, k), Support: make([]int, k)}
	for j, l := range labels {
		tp, fp, fn := 0, 0, 0
		for i := range t {
			switch {
			case t[i] == l && p[i] == l:
				tp++
			case t[i] != l && p[i] == l:
				fp++
			case t[i] == l:
				fn++
			}
		}
		cs.Support[j] = tp + fn
		cs.Precision[j], cs.Recall[j], cs.FScore[j] = prf(float64(tp), float64(fp), float64(fn), beta)
	}
	return cs
}

// prf returns precision, recall and F-beta from counts (0 where undefined).
func prf(tp, fp, fn, beta float64) (p, r, f float64) {
	if tp+fp > 0 {
		p = tp / (tp + fp)
	}
	if tp+fn > 0 {
		r = tp / (tp + fn)
	}
	b2 := beta * beta
	if d := b2*p + r; d > 0 {
		f = (1 + b2) * p * r / d
	}
	return p, r, f
}

// averaged computes precision, recall and F-beta under c.average.
func averaged(fn string, t, p []float64, c config, beta float64) (pr, rc, fs float64, err error) {
	labels := c.labels
	if labels == nil {
		labels = uniqueSorted(t, p)
	}
	switch c.average {
	case "binary":
		if len(labels) > 2 {
			return 0, 0, 0, classical.Invalidf(fn, "average \"binary\" needs two classes, found %d %v; choose Average(\"micro\"), \"macro\" or \"weighted\"", len(labels), labels)
		}
		if !slices.Contains(labels, c.posLabel) {
			if len(labels) == 2 {
				return 0, 0, 0, classical.Invalidf(fn, "pos_label %v is not a valid label; it should be one of %v", c.posLabel, labels)
			}
		}
		cs := perClass(t, p, []float64{c.posLabel}, beta)
		return cs.Precision[0], cs.Recall[0], cs.FScore[0], nil
	case "micro":
		var tp, fp, fn float64
		in := map[float64]bool{}
		for _, l := range labels {
			in[l] = true
		}
		for i := range t {
			switch {
			case t[i] == p[i] && in[t[i]]:
				tp++
			default:
				if in[p[i]] {
					fp++
				}
				if in[t[i]] {
					fn++
				}
			}
		}
		pr, rc, fs = prf(tp, fp, fn, beta)
		return pr, rc, fs, nil
	case "macro", "weighted":
		cs := perClass(t, p, labels, beta)
		wsum := 0.0
		for j := range labels {
			w := 1.0
			if c.average == "weighted" {
				w = float64(cs.Support[j])
			}
			pr += w * cs.Precision[j]
			rc += w * cs.Recall[j]
			fs += w * cs.FScore[j]
			wsum += w
		}
		if wsum == 0 {
			return 0, 0, 0, nil
		}
		return pr / wsum, rc / wsum, fs / wsum, nil
	}
	return 0, 0, 0, classical.Invalidf(fn, "unknown average %q (want binary, micro, macro or weighted)", c.average)
}

// Precision returns tp / (tp + fp), averaged as set by Average (default
// "binary" with PosLabel 1).
func Precision(yTrue, yPred *tensor.Tensor, opts ...Option) (float64, error) {
	t, p, err := pair("Precision", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	v, _, _, err := averaged("Precision", t, p, newConfig(opts), 1)
	return v, err
}

// Recall returns tp / (tp + fn), averaged as set by Average.
func Recall(yTrue, yPred *tensor.Tensor, opts ...Option) (float64, error) {
	t, p, err := pair("Recall", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	_, v, _, err := averaged("Recall", t, p, newConfig(opts), 1)
	return v, err
}

// F1 returns the harmonic mean of precision and recall, averaged as set by
// Average ("macro" averages the per-class F1 scores, as scikit-learn does).
func F1(yTrue, yPred *tensor.Tensor, opts ...Option) (float64, error) {
	return FBeta(yTrue, yPred, 1, opts...)
}

// FBeta returns the F-beta score (beta > 1 favours recall).
func FBeta(yTrue, yPred *tensor.Tensor, beta float64, opts ...Option) (float64, error) {
	t, p, err := pair("FBeta", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	if !(beta > 0) || math.IsInf(beta, 0) {
		return 0, classical.Invalidf("FBeta", "beta must be a positive number, got %v", beta)
	}
	_, _, v, err := averaged("FBeta", t, p, newConfig(opts), beta)
	return v, err
}

// labelName formats a label as scikit-learn prints integer labels ("3"),
// other values in the shortest form ("0.5").
func labelName(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// ClassificationReport returns the text table scikit-learn's
// classification_report prints: precision, recall, F1 and support per
// class, then accuracy and the macro and weighted averages. Options:
// Labels, TargetNames, Digits.
func ClassificationReport(yTrue, yPred *tensor.Tensor, opts ...Option) (string, error) {
	const fn = "ClassificationReport"
	t, p, err := pair(fn, yTrue, yPred)
	if err != nil {
		return "", err
	}
	c := newConfig(opts)
	labels := c.labels
	union := uniqueSorted(t, p)
	if labels == nil {
		labels = union
	}
	names := c.targetNames
	if names == nil {
		for _, l := range labels {
			names = append(names, labelName(l))
		}
	} else if len(names) != len(labels) {
		return "", classical.Invalidf(fn, "%d target names for %d labels %v", len(names), len(labels), labels)
	}
	if c.digits < 0 || c.digits > 15 {
		return "", classical.Invalidf(fn, "digits %d outside [0, 15]", c.digits)
	}
	cs := perClass(t, p, labels, 1)
	const last = "weighted avg"
	width := len(last)
	for _, n := range names {
		width = max(width, len(n))
	}
	width = max(width, c.digits)
	d := c.digits
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	for j := range labels {
		fmt.Fprintf(&b, "%*s  %9.*f %9.*f %9.*f %9d\n", width, names[j], d, cs.Precision[j], d, cs.Recall[j], d, cs.FScore[j], cs.Support[j])
	}
	b.WriteString("\n")
	total := 0
	for _, s := range cs.Support {
		total += s
	}
	// scikit-learn shows accuracy instead of the micro average when the
	// labels cover every label present.
	covers := true
	for _, u := range union {
		covers = covers && slices.Contains(labels, u)
	}
	avgs := []string{"micro", "macro", "weighted"}
	for _, a := range avgs {
		cc := c
		cc.average, cc.labels = a, labels
		pr, rc, fs, _ := averaged(fn, t, p, cc, 1)
		if a == "micro" {
			if covers {
				fmt.Fprintf(&b, "%*s  %9s %9s %9.*f %9d\n", width, "accuracy", "", "", d, fs, total)
				continue
			}
			a = "micro avg"
		} else {
			a += " avg"
		}
		fmt.Fprintf(&b, "%*s  %9.*f %9.*f %9.*f %9d\n", width, a, d, pr, d, rc, d, fs, total)
	}
	return b.String(), nil
}
