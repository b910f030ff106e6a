package plot

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestROCCurveHandComputed(t *testing.T) {
	// sampleScores: 9 positives, 11 negatives, no ties. Counting, for each
	// positive, the negatives scored below it: 11+11+11+10+10+9+8+6+4 = 80
	// of 99 pairs, so AUC = 80/99.
	y, s := sampleScores()
	fpr, tpr, auc, err := ROCCurve(y, s)
	if err != nil {
		t.Fatal(err)
	}
	if !near(auc, 80.0/99) {
		t.Fatalf("AUC = %v, want 80/99", auc)
	}
	if len(fpr) != 21 || fpr[0] != 0 || tpr[0] != 0 || fpr[20] != 1 || tpr[20] != 1 {
		t.Fatalf("curve ends: %v %v", fpr, tpr)
	}
	if !near(tpr[3], 3.0/9) || fpr[3] != 0 || !near(fpr[4], 1.0/11) {
		t.Fatalf("curve start: fpr %v tpr %v", fpr[:5], tpr[:5])
	}

	// Ties: scores 0.9 (pos), 0.5 (pos, neg), 0.1 (neg) give the points
	// (0,0) (0,.5) (.5,1) (1,1) and AUC 0.875, the tie counting one half.
	fpr, tpr, auc, err = ROCCurve([]int{0, 1, 1, 0}, []float64{0.5, 0.5, 0.9, 0.1})
	if err != nil {
		t.Fatal(err)
	}
	wantF, wantT := []float64{0, 0, 0.5, 1}, []float64{0, 0.5, 1, 1}
	for i := range wantF {
		if !near(fpr[i], wantF[i]) || !near(tpr[i], wantT[i]) {
			t.Fatalf("tied curve %v %v, want %v %v", fpr, tpr, wantF, wantT)
		}
	}
	if !near(auc, 0.875) {
		t.Fatalf("tied AUC = %v, want 0.875", auc)
	}
}

func TestPrecisionRecallHandComputed(t *testing.T) {
	// Positives at ranks 1,2,3,5,6,8,10,13,16: AP is the mean precision at
	// those ranks.
	y, s := sampleScores()
	p, r, ap, err := PrecisionRecallCurve(y, s)
	if err != nil {
		t.Fatal(err)
	}
	want := (1.0 + 1 + 1 + 4.0/5 + 5.0/6 + 6.0/8 + 7.0/10 + 8.0/13 + 9.0/16) / 9
	if !near(ap, want) {
		t.Fatalf("AP = %v, want %v", ap, want)
	}
	if len(p) != 20 || p[3] != 0.75 || !near(r[3], 3.0/9) || !near(p[19], 9.0/20) || r[19] != 1 {
		t.Fatalf("curve: p %v r %v", p, r)
	}
}

func TestElbowK(t *testing.T) {
	tests := []struct {
		ks      []int
		inertia []float64
		want    int
	}{
		{[]int{1, 2, 3, 4, 5}, []float64{100, 20, 15, 12, 10}, 2},
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []float64{2800, 1350, 520, 420, 360, 315, 280, 255, 235, 220}, 3},
		{[]int{2, 3}, []float64{5, 4}, 2},
		{[]int{1, 2, 3}, []float64{7, 7, 7}, 1},
	}
	for _, tc := range tests {
		if got := ElbowK(tc.ks, tc.inertia); got != tc.want {
			t.Errorf("ElbowK(%v, %v) = %d, want %d", tc.ks, tc.inertia, got, tc.want)
		}
	}
}

func TestPCA2(t *testing.T) {
	// Points on the line y = 2x in 3-D (z constant) have all variance on
	// PC 1; projections are the signed distances along (1, 2, 0)/sqrt(5).
	X := [][]float64{{-1, -2, 3}, {0, 0, 3}, {1, 2, 3}, {2, 4, 3}}
	proj, ratios, err := pca2(X)
	if err != nil {
		t.Fatal(err)
	}
	if !near(ratios[0], 1) || !near(ratios[1], 0) {
		t.Fatalf("ratios %v, want [1 0]", ratios)
	}
	p := proj(X)
	for i, row := range X {
		want := (row[0] - 0.5) * math.Sqrt(5)
		if math.Abs(p[i][0]-want) > 1e-9 || math.Abs(p[i][1]) > 1e-9 {
			t.Fatalf("projection %d = %v, want [%v 0]", i, p[i], want)
		}
	}
}

func TestBlues(t *testing.T) {
	if c := blues(0); c.R != 0xf7 || c.B != 0xff {
		t.Fatalf("blues(0) = %v", c)
	}
	if c := blues(1); c.R != 0x08 || c.G != 0x30 || c.B != 0x6b {
		t.Fatalf("blues(1) = %v", c)
	}
	if a, b := lum(blues(0.3)), lum(blues(0.7)); !(a > b) {
		t.Fatalf("blues not darker with f: %v %v", a, b)
	}
}

func TestIntegerTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []float64
	}{
		{1, 5, []float64{1, 2, 3, 4, 5}},
		{1, 12, []float64{2, 4, 6, 8, 10, 12}},
		{1, 40, []float64{1, 5, 10, 15, 20, 25, 30, 35, 40}},
		{0.5, 1.5, []float64{1}},
	} {
		ticks := integerTicks{}.Ticks(tc.lo, tc.hi)
		if len(ticks) != len(tc.want) {
			t.Fatalf("Ticks(%g, %g) = %v, want %v", tc.lo, tc.hi, ticks, tc.want)
		}
		for i, tk := range ticks {
			if tk.Value != tc.want[i] || tk.Label == "" {
				t.Fatalf("Ticks(%g, %g) = %v, want %v", tc.lo, tc.hi, ticks, tc.want)
			}
		}
	}
}
