package classical_test

import (
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

func TestLinearScoresAndLabels(t *testing.T) {
	X := classical.Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, -3, 0.5}}
	// One score per sample: 2*x0 - x1 + 0.5.
	z := classical.LinearScores(X, []float64{2, -1}, []float64{0.5})
	if got := z.Float64s(); z.Dim() != 1 || !slices.Equal(got, []float64{0.5, -6}) {
		t.Fatalf("binary scores %v %v", z.Shape(), got)
	}
	if got := classical.LabelsFromScores(z, []float64{3, 7}).Float64s(); !slices.Equal(got, []float64{7, 3}) {
		t.Fatalf("binary labels %v", got)
	}
	// Three classes: rows of coef are per class.
	z = classical.LinearScores(X, []float64{1, 0, 0, 1, -1, -1}, []float64{0, 0, 1})
	want := []float64{1, 2, -2, -3, 0.5, 3.5}
	if got := z.Float64s(); !slices.Equal(z.Shape(), []int{2, 3}) || !slices.Equal(got, want) {
		t.Fatalf("multi-class scores %v %v", z.Shape(), got)
	}
	if got := classical.LabelsFromScores(tensor.FromFloat64(want, 2, 3), []float64{10, 20, 30}).Float64s(); !slices.Equal(got, []float64{20, 30}) {
		t.Fatalf("multi-class labels %v", got)
	}
}
