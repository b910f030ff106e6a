package metrics_test

import (
	"errors"
	"math"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/metrics"
	"github.com/ember-ml/ember/tensor"
)

// tol is the tolerance of every comparison here, relative to the
// reference value: |got-want| <= tol*(1+|want|).
const tol = 1e-12

// vec converts a JSON array of numbers from the reference file to a
// vector.
func vec(v any) *tensor.Tensor { return classical.Vector(testutil.Floats(v)) }

// must returns v, panicking (failing the test) on an error.
func must(v float64, err error) float64 {
	if err != nil {
		panic(err)
	}
	return v
}

func TestClassificationAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "metrics")
	yb, pb := vec(r["y_bin"]), vec(r["pred_bin"])
	ym, pm := vec(r["y_mc"]), vec(r["pred_mc"])
	testutil.Near(t, "accuracy", must(metrics.Accuracy(yb, pb)), r["accuracy_bin"].(float64), tol)
	testutil.Near(t, "balanced accuracy", must(metrics.BalancedAccuracy(ym, pm)), r["balanced_accuracy_mc"].(float64), tol)
	testutil.Near(t, "precision", must(metrics.Precision(yb, pb)), r["precision_bin"].(float64), tol)
	testutil.Near(t, "recall", must(metrics.Recall(yb, pb)), r["recall_bin"].(float64), tol)
	testutil.Near(t, "f1", must(metrics.F1(yb, pb)), r["f1_bin"].(float64), tol)
	testutil.Near(t, "f2", must(metrics.FBeta(yb, pb, 2)), r["f2_bin"].(float64), tol)
	testutil.Near(t, "f1 pos 0", must(metrics.F1(yb, pb, metrics.PosLabel(0))), r["f1_bin_pos0"].(float64), tol)
	for _, avg := range []string{"micro", "macro", "weighted"} {
		o := metrics.Average(avg)
		testutil.Near(t, "precision "+avg, must(metrics.Precision(ym, pm, o)), r["precision_"+avg].(float64), tol)
		testutil.Near(t, "recall "+avg, must(metrics.Recall(ym, pm, o)), r["recall_"+avg].(float64), tol)
		testutil.Near(t, "f1 "+avg, must(metrics.F1(ym, pm, o)), r["f1_"+avg].(float64), tol)
	}
	cm, labels, err := metrics.ConfusionMatrix(ym, pm)
	if err != nil {
		t.Fatal(err)
	}
	var flat []float64
	for _, row := range cm {
		for _, v := range row {
			flat = append(flat, float64(v))
		}
	}
	testutil.AllNear(t, "confusion matrix", flat, testutil.Floats(r["confusion_mc"]), tol)
	testutil.AllNear(t, "confusion labels", labels, []float64{0, 1, 2}, tol)

	rep, err := metrics.ClassificationReport(ym, pm)
	if err != nil {
		t.Fatal(err)
	}
	if rep != r["report_mc"].(string) {
		t.Errorf("classification report:\n%s\nscikit-learn:\n%s", rep, r["report_mc"])
	}
	rep, err = metrics.ClassificationReport(yb, pb, metrics.TargetNames("no", "yes"), metrics.Digits(3))
	if err != nil {
		t.Fatal(err)
	}
	if rep != r["report_bin_names"].(string) {
		t.Errorf("classification report:\n%s\nscikit-learn:\n%s", rep, r["report_bin_names"])
	}
}

func TestCurvesAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "metrics")
	yb, sb := vec(r["y_bin"]), vec(r["score_bin"])
	fpr, tpr, thr, err := metrics.ROCCurve(yb, sb)
	if err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "fpr", fpr, testutil.Floats(r["roc_fpr"]), tol)
	testutil.AllNear(t, "tpr", tpr, testutil.Floats(r["roc_tpr"]), tol)
	testutil.AllNear(t, "thresholds", thr, testutil.Floats(r["roc_thr"]), tol)
	testutil.Near(t, "roc_auc", must(metrics.ROCAUC(yb, sb)), r["roc_auc_bin"].(float64), tol)
	area, err := metrics.AUC(fpr, tpr)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Near(t, "auc of roc curve", area, r["roc_auc_bin"].(float64), tol)

	p, rc, pt, err := metrics.PrecisionRecallCurve(yb, sb)
	if err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "pr precision", p, testutil.Floats(r["pr_precision"]), tol)
	testutil.AllNear(t, "pr recall", rc, testutil.Floats(r["pr_recall"]), tol)
	testutil.AllNear(t, "pr thresholds", pt, testutil.Floats(r["pr_thr"]), tol)
	testutil.Near(t, "average precision", must(metrics.AveragePrecision(yb, sb)), r["average_precision"].(float64), tol)

	ym := vec(r["y_mc"])
	pr := tensor.FromFloat64(testutil.Floats(r["proba_mc"]), ym.Shape()[0], 3)
	testutil.Near(t, "roc_auc ovr", must(metrics.ROCAUC(ym, pr)), r["roc_auc_ovr"].(float64), tol)
	testutil.Near(t, "roc_auc ovr weighted", must(metrics.ROCAUC(ym, pr, metrics.Average("weighted"))), r["roc_auc_ovr_weighted"].(float64), tol)
	testutil.Near(t, "roc_auc ovo", must(metrics.ROCAUC(ym, pr, metrics.MultiClass("ovo"))), r["roc_auc_ovo"].(float64), tol)
	testutil.Near(t, "log loss", must(metrics.LogLoss(ym, pr)), r["log_loss_mc"].(float64), tol)
	sc := sb.Float64s()
	p1 := make([]float64, len(sc))
	for i, v := range sc {
		p1[i] = math.Min(math.Max(v/1.61, 0), 1)
	}
	testutil.Near(t, "binary log loss", must(metrics.LogLoss(yb, classical.Vector(p1))), r["log_loss_bin"].(float64), tol)
}

func TestRegressionAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "metrics")
	yt, yp := vec(r["reg_true"]), vec(r["reg_pred"])
	for _, c := range []struct {
		name string
		f    func(a, b *tensor.Tensor) (float64, error)
	}{
		{"mse", metrics.MeanSquaredError}, {"rmse", metrics.RootMeanSquaredError}, {"mae", metrics.MeanAbsoluteError},
		{"medae", metrics.MedianAbsoluteError}, {"max_error", metrics.MaxError}, {"r2", metrics.R2},
		{"explained_variance", metrics.ExplainedVariance},
	} {
		testutil.Near(t, c.name, must(c.f(yt, yp)), r[c.name].(float64), tol)
	}
}

func TestHandComputed(t *testing.T) {
	y := classical.Vector([]float64{0, 0, 1, 1})
	s := classical.Vector([]float64{0.1, 0.4, 0.35, 0.8})
	// Positives (0.35, 0.8) beat negatives (0.1, 0.4) in 3 of 4 pairs.
	testutil.Near(t, "auc", must(metrics.ROCAUC(y, s)), 0.75, tol)
	// Ties count one half.
	testutil.Near(t, "auc ties", must(metrics.ROCAUC(y, classical.Vector([]float64{0.5, 0.5, 0.5, 0.5}))), 0.5, tol)
	p := classical.Vector([]float64{0, 1, 1, 1})
	testutil.Near(t, "precision", must(metrics.Precision(y, p)), 2.0/3, tol)
	testutil.Near(t, "recall", must(metrics.Recall(y, p)), 1, tol)
	testutil.Near(t, "f1", must(metrics.F1(y, p)), 0.8, tol)
	// No predicted positives: precision 0 (scikit-learn warns and gives 0).
	testutil.Near(t, "zero division", must(metrics.Precision(y, classical.Vector([]float64{0, 0, 0, 0}))), 0, tol)
	testutil.Near(t, "mse", must(metrics.MeanSquaredError(classical.Vector([]float64{1, 2, 3}), classical.Vector([]float64{1, 2, 5}))), 4.0/3, tol)
	testutil.Near(t, "log loss", must(metrics.LogLoss(classical.Vector([]float64{0, 1}), tensor.FromFloat64([]float64{0.8, 0.2, 0.4, 0.6}, 2, 2))), -(math.Log(0.8)+math.Log(0.6))/2, tol)
}

func TestErrors(t *testing.T) {
	a := classical.Vector([]float64{0, 1, 2})
	b := classical.Vector([]float64{0, 1})
	nan := classical.Vector([]float64{0, math.NaN(), 1})
	for name, f := range map[string]func() error{
		"length":           func() error { _, err := metrics.Accuracy(a, b); return err },
		"nil":              func() error { _, err := metrics.Accuracy(nil, b); return err },
		"nan":              func() error { _, err := metrics.MeanSquaredError(nan, a); return err },
		"2-D":              func() error { _, err := metrics.R2(tensor.New(tensor.Float64, 3, 2), a); return err },
		"empty":            func() error { _, err := metrics.Accuracy(classical.Vector(nil), classical.Vector(nil)); return err },
		"binary on 3":      func() error { _, err := metrics.F1(a, a); return err },
		"bad average":      func() error { _, err := metrics.F1(a, a, metrics.Average("mean")); return err },
		"roc multiclass":   func() error { _, _, _, err := metrics.ROCCurve(a, a); return err },
		"auc one class":    func() error { _, err := metrics.ROCAUC(classical.Vector([]float64{1, 1}), b); return err },
		"log loss columns": func() error { _, err := metrics.LogLoss(a, tensor.Full(tensor.Float64, 0.5, 3, 2)); return err },
		"report names":     func() error { _, err := metrics.ClassificationReport(a, a, metrics.TargetNames("x")); return err },
		"pos label": func() error {
			_, err := metrics.F1(classical.Vector([]float64{2, 3}), classical.Vector([]float64{2, 3}))
			return err
		},
	} {
		err := f()
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !errors.Is(err, classical.ErrInvalidInput) {
			t.Errorf("%s: %v does not wrap ErrInvalidInput", name, err)
		}
	}
}

func TestLogLossLabelsSorted(t *testing.T) {
	y := classical.Vector([]float64{2, 0})
	pr := tensor.FromFloat64([]float64{0.1, 0.2, 0.7, 0.6, 0.3, 0.1}, 2, 3)
	want := -(math.Log(0.7) + math.Log(0.6)) / 2
	testutil.Near(t, "given in order", must(metrics.LogLoss(y, pr, metrics.Labels(0, 1, 2))), want, tol)
	testutil.Near(t, "given unsorted", must(metrics.LogLoss(y, pr, metrics.Labels(2, 0, 1))), want, tol)
	if _, err := metrics.LogLoss(y, pr, metrics.Labels(0, 0, 2)); err == nil {
		t.Errorf("duplicate labels: no error")
	}
}
