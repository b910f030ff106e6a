package plot

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestCurvesAgainstScikitLearn compares ROCCurve and PrecisionRecallCurve
// with scikit-learn's roc_curve (drop_intermediate=False), roc_auc_score,
// precision_recall_curve and average_precision_score, recorded by
// testdata/gen_curves.py (scikit-learn 1.2.1) into
// testdata/curves_sklearn.json.
func TestCurvesAgainstScikitLearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/curves_sklearn.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Y                           []int
			Scores                      []float64
			FPR, TPR, Precision, Recall []float64
			AUC, AP                     float64
		}
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) != 3 {
		t.Fatalf("%d cases", len(ref.Cases))
	}
	same := func(name string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d points, scikit-learn has %d", name, len(got), len(want))
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%s[%d] = %v, scikit-learn %v", name, i, got[i], want[i])
			}
		}
	}
	for k, c := range ref.Cases {
		fpr, tpr, auc, err := ROCCurve(c.Y, c.Scores)
		if err != nil {
			t.Fatal(err)
		}
		same("fpr", fpr, c.FPR)
		same("tpr", tpr, c.TPR)
		if math.Abs(auc-c.AUC) > 1e-12 {
			t.Errorf("case %d: AUC %v, scikit-learn %v", k, auc, c.AUC)
		}
		p, r, ap, err := PrecisionRecallCurve(c.Y, c.Scores)
		if err != nil {
			t.Fatal(err)
		}
		same("precision", p, c.Precision)
		same("recall", r, c.Recall)
		if math.Abs(ap-c.AP) > 1e-12 {
			t.Errorf("case %d: AP %v, scikit-learn %v", k, ap, c.AP)
		}
	}
}
