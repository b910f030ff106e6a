package nn

import (
	"fmt"
	"math"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/tensor"
)

// Loss measures how far a batch of model outputs is from its targets.
type Loss interface {
	// Name is the loss's Keras name ("categorical_crossentropy").
	Name() string
	// Check validates a batch of targets y for model outputs of
	// per-example shape out, returning an error that names the problem
	// (labels out of range, shape mismatch, NaN).
	Check(out []int, y *tensor.Tensor) error
	// Forward returns the loss of a batch: each example's loss, scaled by
	// its weight when weights (one per example) is not nil, summed and
	// divided by the batch size. pred holds the model's outputs (after the
	// final activation).
	Forward(pred *autograd.Variable, y, weights *tensor.Tensor) *autograd.Variable
}

// fusedLoss is implemented by losses with a numerically stable path from
// the logits of a final activation (softmax or sigmoid).
type fusedLoss interface {
	Fuses(activation string) bool
	ForwardLogits(logits *autograd.Variable, y, weights *tensor.Tensor) *autograd.Variable
}

// labels converts class-index targets of n examples to ints, checking the
// range [0, classes).
func labels(y *tensor.Tensor, n, classes int) ([]int, error) {
	if y.Size() != n {
		return nil, fmt.Errorf("targets of shape %v for %d examples, want one class index each", y.Shape(), n)
	}
	vals := y.Float64s()
	out := make([]int, n)
	for i, v := range vals {
		if math.IsNaN(v) || v != math.Trunc(v) || v < 0 || v >= float64(classes) {
			return nil, fmt.Errorf("label %v of example %d is not a class index in [0, %d)", v, i, classes)
		}
		out[i] = int(v)
	}
	return out, nil
}

func checkFinite(what string, t *tensor.Tensor) error {
	if t.DType() == tensor.Float32 {
		for i, v := range t.Contiguous().Float32s() {
			if v-v != 0 { // NaN or ±Inf
				return fmt.Errorf("%s element %d is %v", what, i, v)
			}
		}
		return nil
	}
	for i, v := range t.Float64s() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s element %d is %v", what, i, v)
		}
	}
	return nil
}

// isIndices reports whether y holds one value per example (class
// indices) rather than a row per example.
func isIndices(y *tensor.Tensor, classes int) bool {
	n := y.Shape()[0]
	return y.Dim() == 1 || (y.Size() == n && classes != 1)
}

// ---- cross-entropy ----

type crossEntropy struct {
	name   string
	sparse bool // targets must be class indices
}

// CategoricalCrossentropy returns the cross-entropy between one-hot (or
// probability) target rows and the model's class probabilities. Targets
// that are class indices (one value per example) are accepted too. With a
// final softmax it is computed from the logits, stably, in one fused step.
func CategoricalCrossentropy() Loss {
	return &crossEntropy{name: "categorical_crossentropy"}
}

// SparseCategoricalCrossentropy is CategoricalCrossentropy with targets
// given as class indices.
func SparseCategoricalCrossentropy() Loss {
	return &crossEntropy{name: "sparse_categorical_crossentropy", sparse: true}
}

func (l *crossEntropy) Name() string { return l.name }

func (l *crossEntropy) Check(out []int, y *tensor.Tensor) error {
	if len(out) != 1 {
		return fmt.Errorf("%s needs outputs of shape (classes), the model gives %v", l.name, out)
	}
	if y == nil || y.Dim() == 0 {
		return fmt.Errorf("%s needs targets, got none", l.name)
	}
	c, n := out[0], y.Shape()[0]
	if l.sparse || isIndices(y, c) {
		_, err := labels(y, n, c)
		return err
	}
	if y.Dim() != 2 || y.Shape()[1] != c {
		return fmt.Errorf("%s targets of shape %v for outputs of %d classes; want [N, %d] rows or N class indices", l.name, y.Shape(), c, c)
	}
	for i, v := range y.Float64s() {
		if math.IsNaN(v) || v < 0 {
			return fmt.Errorf("%s target %v at row %d is not a probability", l.name, v, i/c)
		}
	}
	return nil
}

func (l *crossEntropy) Fuses(act string) bool { return act == "softmax" }

func (l *crossEntropy) ForwardLogits(logits *autograd.Variable, y, w *tensor.Tensor) *autograd.Variable {
	c, n := logits.Shape()[1], logits.Shape()[0]
	if l.sparse || isIndices(y, c) {
		lb, err := labels(y, n, c)
		if err != nil {
			panic("nn: " + err.Error())
		}
		return autograd.SparseSoftmaxCrossEntropy(logits, lb, w)
	}
	return autograd.SoftmaxCrossEntropy(logits, y, w)
}

func (l *crossEntropy) Forward(pred *autograd.Variable, y, w *tensor.Tensor) *autograd.Variable {
	n, c := pred.Shape()[0], pred.Shape()[1]
	if l.sparse || isIndices(y, c) {
		lb, err := labels(y, n, c)
		if err != nil {
			panic("nn: " + err.Error())
		}
		y = tensor.OneHot(pred.Value.DType(), lb, c)
	} else if y.DType() != pred.Value.DType() {
		y = y.AsType(pred.Value.DType())
	}
	// -sum(y * log(clip(p))) per example.
	tp := pred.Tape()
	lp := autograd.Log(autograd.Clip(pred, 1e-7, 1))
	per := autograd.Neg(autograd.Sum(autograd.Mul(lp, constant(tp, y.To(pred.Value.Device()))), 1))
	return weightedMean(per, w)
}

// ---- binary cross-entropy ----

type binaryCE struct{}

// BinaryCrossentropy returns the binary cross-entropy between targets in
// [0, 1] and the model's probabilities, averaged over each example's
// outputs. With a final sigmoid it is computed from the logits, stably.
func BinaryCrossentropy() Loss { return binaryCE{} }

func (binaryCE) Name() string { return "binary_crossentropy" }

func (binaryCE) Check(out []int, y *tensor.Tensor) error {
	if y == nil || y.Dim() == 0 {
		return fmt.Errorf("binary_crossentropy needs targets, got none")
	}
	if y.Size() != y.Shape()[0]*prod(out) {
		return fmt.Errorf("binary_crossentropy targets of shape %v for outputs of shape %v per example", y.Shape(), out)
	}
	for i, v := range y.Float64s() {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("binary_crossentropy target %v at element %d is outside [0, 1]", v, i)
		}
	}
	return nil
}

func (binaryCE) Fuses(act string) bool { return act == "sigmoid" }

func (binaryCE) ForwardLogits(logits *autograd.Variable, y, w *tensor.Tensor) *autograd.Variable {
	return autograd.SigmoidBinaryCrossEntropy(logits, y, w)
}

func (binaryCE) Forward(pred *autograd.Variable, y, w *tensor.Tensor) *autograd.Variable {
	tp := pred.Tape()
	yv := constant(tp, like(y, pred))
	p := autograd.Clip(pred, 1e-7, 1-1e-7)
	// -(y log p + (1-y) log(1-p))
	a := autograd.Mul(yv, autograd.Log(p))
	b := autograd.Mul(autograd.AddScalar(autograd.Neg(yv), 1), autograd.Log(autograd.AddScalar(autograd.Neg(p), 1)))
	return weightedMean(rowMean(autograd.Neg(autograd.Add(a, b))), w)
}

// ---- regression ----

type regression struct {
	name  string
	delta float64
}

// MeanSquaredError returns the mean of (pred - y)² over each example's
// outputs, averaged over the batch.
func MeanSquaredError() Loss { return regression{name: "mean_squared_error"} }

// MeanAbsoluteError returns the mean of |pred - y|.
func MeanAbsoluteError() Loss { return regression{name: "mean_absolute_error"} }

// Huber returns the Huber loss with threshold delta: ½x² where |x| ≤ delta,
// delta·(|x| - ½delta) beyond (Keras's default delta is 1).
func Huber(delta float64) Loss { return regression{name: "huber", delta: delta} }

func (l regression) Name() string { return l.name }

func (l regression) Check(out []int, y *tensor.Tensor) error {
	if l.name == "huber" && !(l.delta > 0) {
		return fmt.Errorf("huber delta %v, want > 0", l.delta)
	}
	if y == nil || y.Dim() == 0 {
		return fmt.Errorf("%s needs targets, got none", l.name)
	}
	if y.Size() != y.Shape()[0]*prod(out) {
		return fmt.Errorf("%s targets of shape %v for outputs of shape %v per example", l.name, y.Shape(), out)
	}
	return checkFinite(l.name+" target", y)
}

func (l regression) Forward(pred *autograd.Variable, y, w *tensor.Tensor) *autograd.Variable {
	d := autograd.Sub(pred, constant(pred.Tape(), like(y, pred)))
	var e *autograd.Variable
	switch l.name {
	case "mean_squared_error":
		e = autograd.Square(d)
	case "mean_absolute_error":
		e = autograd.Abs(d)
	default:
		a := autograd.Abs(d)
		q := autograd.Clip(a, 0, l.delta)
		e = autograd.Add(autograd.MulScalar(autograd.Square(q), 0.5), autograd.MulScalar(autograd.Sub(a, q), l.delta))
	}
	return weightedMean(rowMean(e), w)
}

// ---- helpers ----

// constant binds t to the tape tp (or none).
func constant(tp *autograd.Tape, t *tensor.Tensor) *autograd.Variable {
	if tp == nil {
		return autograd.Constant(t)
	}
	return tp.Constant(t)
}

// like reshapes and converts y to pred's shape and type, on pred's device.
func like(y *tensor.Tensor, pred *autograd.Variable) *tensor.Tensor {
	if y.DType() != pred.Value.DType() {
		y = y.AsType(pred.Value.DType())
	}
	return y.Contiguous().Reshape(pred.Shape()...).To(pred.Value.Device())
}

// rowMean averages each example's elements: [N, ...] to [N].
func rowMean(e *autograd.Variable) *autograd.Variable {
	if e.Value.Dim() == 1 {
		return e
	}
	return autograd.Mean(autograd.Flatten(e), 1)
}

// weightedMean returns sum(per * w) / N.
func weightedMean(per *autograd.Variable, w *tensor.Tensor) *autograd.Variable {
	n := per.Shape()[0]
	if w != nil {
		if w.DType() != per.Value.DType() {
			w = w.AsType(per.Value.DType())
		}
		per = autograd.Mul(per, constant(per.Tape(), w.Reshape(n).To(per.Value.Device())))
	}
	return autograd.MulScalar(autograd.Sum(per), 1/float64(max(n, 1)))
}

// LossByName returns the loss with the given Keras name:
// "categorical_crossentropy", "sparse_categorical_crossentropy",
// "binary_crossentropy", "mean_squared_error" ("mse"),
// "mean_absolute_error" ("mae"), "huber" (delta 1).
func LossByName(name string) (Loss, error) {
	switch name {
	case "categorical_crossentropy":
		return CategoricalCrossentropy(), nil
	case "sparse_categorical_crossentropy":
		return SparseCategoricalCrossentropy(), nil
	case "binary_crossentropy":
		return BinaryCrossentropy(), nil
	case "mean_squared_error", "mse":
		return MeanSquaredError(), nil
	case "mean_absolute_error", "mae":
		return MeanAbsoluteError(), nil
	case "huber":
		return Huber(1), nil
	}
	return nil, fmt.Errorf("nn: unknown loss %q", name)
}
