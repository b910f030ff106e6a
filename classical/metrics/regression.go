package metrics

import (
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// MeanSquaredError returns mean((yTrue - yPred)²).
func MeanSquaredError(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("MeanSquaredError", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	return mse(t, p), nil
}

func mse(t, p []float64) float64 {
	s := 0.0
	for i := range t {
		d := t[i] - p[i]
		s += d * d
	}
	return s / float64(len(t))
}

// RootMeanSquaredError returns the square root of MeanSquaredError.
func RootMeanSquaredError(yTrue, yPred *tensor.Tensor) (float64, error) {
	v, err := MeanSquaredError(yTrue, yPred)
	return math.Sqrt(v), err
}

// MeanAbsoluteError returns mean(|yTrue - yPred|).
func MeanAbsoluteError(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("MeanAbsoluteError", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	return mae(t, p), nil
}

func mae(t, p []float64) float64 {
	s := 0.0
	for i := range t {
		s += math.Abs(t[i] - p[i])
	}
	return s / float64(len(t))
}

// MedianAbsoluteError returns median(|yTrue - yPred|).
func MedianAbsoluteError(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("MedianAbsoluteError", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	d := make([]float64, len(t))
	for i := range t {
		d[i] = math.Abs(t[i] - p[i])
	}
	slices.Sort(d)
	n := len(d)
	if n%2 == 1 {
		return d[n/2], nil
	}
	return (d[n/2-1] + d[n/2]) / 2, nil
}

// MaxError returns max(|yTrue - yPred|).
func MaxError(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("MaxError", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	m := 0.0
	for i := range t {
		m = math.Max(m, math.Abs(t[i]-p[i]))
	}
	return m, nil
}

// R2 returns the coefficient of determination 1 - SS_res / SS_tot (1 for a
// perfect prediction of a constant yTrue, 0 for an imperfect one).
func R2(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("R2", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	return classical.R2(t, p), nil
}

// ExplainedVariance returns 1 - Var(yTrue - yPred) / Var(yTrue).
func ExplainedVariance(yTrue, yPred *tensor.Tensor) (float64, error) {
	t, p, err := pair("ExplainedVariance", yTrue, yPred)
	if err != nil {
		return 0, err
	}
	n := float64(len(t))
	mt, md := 0.0, 0.0
	for i := range t {
		mt += t[i]
		md += t[i] - p[i]
	}
	mt /= n
	md /= n
	vt, vd := 0.0, 0.0
	for i := range t {
		vt += (t[i] - mt) * (t[i] - mt)
		d := t[i] - p[i] - md
		vd += d * d
	}
	if vt == 0 {
		if vd == 0 {
			return 1, nil
		}
		return 0, nil
	}
	return 1 - vd/vt, nil
}
