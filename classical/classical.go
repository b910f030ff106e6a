// Package classical holds the contract shared by ember's scikit-learn-like
// estimators: small interfaces (Estimator, Predictor, Transformer,
// Classifier), hyper-parameters read and set by name, the validation every
// entry point performs on a user's data, and versioned Save/Load.
//
// The estimators themselves live in one subpackage per family: preprocess,
// linear, svm, neighbors, bayes, tree, ensemble, cluster, decomposition,
// and the glue in pipeline, selection and metrics.
//
// Data conventions follow scikit-learn: X is a float64 tensor of shape
// [n_samples, n_features] (rows are samples), y is a float64 tensor of shape
// [n_samples] holding class labels or regression targets, or nil for
// unsupervised estimators. Predictions are float64 tensors; classifiers
// return labels from the set seen in Fit, and PredictProba returns one column
// per class in sorted label order.
//
// Every method that takes a user's data checks it first and returns an error
// that names the estimator, the shapes and the problem; errors wrap the
// sentinel values ErrNotFitted, ErrInvalidInput and ErrUnknownParam so that
// callers can test them with errors.Is. No input crashes the process.
package classical

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ember-ml/ember/tensor"
)

// Estimator is anything with hyper-parameters that learns from data.
//
// Fit learns from X [n, features] and y [n] (nil for unsupervised
// estimators); it replaces what an earlier Fit learned, and stops with
// ctx.Err() when ctx is cancelled during long work. GetParams returns the
// hyper-parameters by their scikit-learn names (composite estimators add
// "step__param" entries for their children); SetParams changes some of
// them and errors on an unknown name or a value of the wrong type. Clone
// returns an unfitted estimator of the same type with equal parameters.
type Estimator interface {
	Fit(ctx context.Context, X, y *tensor.Tensor) error
	GetParams() map[string]any
	SetParams(params map[string]any) error
	Clone() Estimator
}

// Predictor is a fitted estimator that predicts one value per sample:
// a class label for classifiers, a target for regressors, a cluster index
// for clusterers. The result has shape [n].
type Predictor interface {
	Estimator
	Predict(X *tensor.Tensor) (*tensor.Tensor, error)
}

// Transformer maps samples to new features: Transform returns [n, k].
type Transformer interface {
	Estimator
	Transform(X *tensor.Tensor) (*tensor.Tensor, error)
}

// InverseTransformer can map transformed features back.
type InverseTransformer interface {
	Transformer
	InverseTransform(X *tensor.Tensor) (*tensor.Tensor, error)
}

// Classifier predicts class labels and class probabilities. Classes returns
// the sorted labels seen in Fit (nil before); PredictProba returns
// [n, len(Classes())] with rows that sum to one, columns in that order.
type Classifier interface {
	Predictor
	Classes() []float64
	PredictProba(X *tensor.Tensor) (*tensor.Tensor, error)
}

// DecisionFunctioner exposes a classifier's raw scores: [n] for binary
// problems (positive means the larger class), [n, classes] otherwise.
type DecisionFunctioner interface {
	DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error)
}

// Scorer returns a goodness score, larger is better: accuracy for
// classifiers, the coefficient of determination R² for regressors.
type Scorer interface {
	Score(X, y *tensor.Tensor) (float64, error)
}

// FeatureNamer is implemented by transformers that can name their output
// columns (OneHotEncoder, ColumnTransformer, PolynomialFeatures, ...).
type FeatureNamer interface {
	FeatureNamesOut(input []string) ([]string, error)
}

// Sentinel errors wrapped by the errors estimators return.
var (
	// ErrNotFitted is returned by Predict, Transform and friends before Fit.
	ErrNotFitted = errors.New("not fitted")
	// ErrInvalidInput marks data the estimator cannot use: a wrong shape,
	// NaN or Inf, too few samples, a wrong number of features, y of the
	// wrong length, an unseen category, ...
	ErrInvalidInput = errors.New("invalid input")
	// ErrUnknownParam is returned by SetParams for a name the estimator
	// does not have.
	ErrUnknownParam = errors.New("unknown parameter")
	// ErrInvalidParam marks a hyper-parameter value that is out of range
	// or of the wrong type.
	ErrInvalidParam = errors.New("invalid parameter")
)

// NotFitted returns the error for using estimator est before Fit.
func NotFitted(est string) error {
	return fmt.Errorf("%s: %w: call Fit before using the estimator", est, ErrNotFitted)
}

// Invalidf returns an ErrInvalidInput error prefixed with est.
func Invalidf(est, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", est, ErrInvalidInput, fmt.Sprintf(format, args...))
}

// InvalidParamf returns an ErrInvalidParam error prefixed with est.
func InvalidParamf(est, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", est, ErrInvalidParam, fmt.Sprintf(format, args...))
}

// Matrix is a validated row-major view of X: Data[i*Cols+j] is sample i,
// feature j. Data may alias the tensor's storage: treat it as read-only.
type Matrix struct {
	Rows, Cols int
	Data       []float64
}

// Row returns sample i (aliasing Data).
func (m Matrix) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// At returns sample i, feature j.
func (m Matrix) At(i, j int) float64 { return m.Data[i*m.Cols+j] }

// Tensor returns m as a tensor (sharing Data).
func (m Matrix) Tensor() *tensor.Tensor { return tensor.FromFloat64(m.Data, m.Rows, m.Cols) }

// CheckOptions loosen CheckX.
type CheckOptions struct {
	// AllowNaN accepts NaN entries (missing values); Inf is still refused.
	AllowNaN bool
	// MinSamples is the least number of rows accepted (default 1).
	MinSamples int
	// NonNegative refuses negative entries (count-based models).
	NonNegative bool
}

// CheckX validates a feature matrix for estimator est: non-nil, on the CPU,
// 2-D, at least one sample and one feature, every entry finite. It returns a
// row-major float64 view (a copy when X is float32 or not contiguous).
func CheckX(est string, X *tensor.Tensor) (Matrix, error) {
	return CheckXOpts(est, X, CheckOptions{})
}

// CheckXOpts is CheckX with options.
func CheckXOpts(est string, X *tensor.Tensor, o CheckOptions) (m Matrix, err error) {
	if X == nil {
		return m, Invalidf(est, "X is nil")
	}
	if X.Device() != tensor.CPU {
		return m, Invalidf(est, "X is on device %v; classical estimators run on the CPU (use X.To(tensor.CPU))", X.Device())
	}
	if X.Dim() != 2 {
		return m, Invalidf(est, "X must be 2-D [n_samples, n_features], got shape %v", X.Shape())
	}
	r, c := X.Shape()[0], X.Shape()[1]
	minS := max(o.MinSamples, 1)
	if r < minS {
		return m, Invalidf(est, "X has %d samples (shape %v); at least %d needed", r, X.Shape(), minS)
	}
	if c < 1 {
		return m, Invalidf(est, "X has 0 features (shape %v)", X.Shape())
	}
	d := X.Float64s()
	if allFinite(d) && !o.NonNegative {
		return Matrix{Rows: r, Cols: c, Data: d}, nil
	}
	for i, v := range d {
		if math.IsNaN(v) {
			if o.AllowNaN {
				continue
			}
			return m, Invalidf(est, "X contains NaN at row %d, column %d (shape %v); impute missing values first", i/c, i%c, X.Shape())
		}
		if math.IsInf(v, 0) {
			return m, Invalidf(est, "X contains %v at row %d, column %d (shape %v)", v, i/c, i%c, X.Shape())
		}
		if o.NonNegative && v < 0 {
			return m, Invalidf(est, "X contains a negative value %g at row %d, column %d; this estimator needs non-negative features", v, i/c, i%c)
		}
	}
	return Matrix{Rows: r, Cols: c, Data: d}, nil
}

// allFinite reports whether d holds no NaN and no infinity: x·0 is ±0 for
// every finite x and NaN otherwise, so the sum is zero exactly when all
// are finite. Four independent sums and no branches make it several times
// faster than testing each value, which matters for the large X of a fit.
func allFinite(d []float64) bool {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(d); i += 4 {
		s0 += d[i] * 0
		s1 += d[i+1] * 0
		s2 += d[i+2] * 0
		s3 += d[i+3] * 0
	}
	for ; i < len(d); i++ {
		s0 += d[i] * 0
	}
	return (s0+s1)+(s2+s3) == 0
}

// CheckFeatures validates X as CheckX does and also that it has the number
// of features seen in Fit.
func CheckFeatures(est string, X *tensor.Tensor, nFeatures int) (Matrix, error) {
	return CheckFeaturesOpts(est, X, nFeatures, CheckOptions{})
}

// CheckFeaturesOpts is CheckFeatures with options.
func CheckFeaturesOpts(est string, X *tensor.Tensor, nFeatures int, o CheckOptions) (Matrix, error) {
	m, err := CheckXOpts(est, X, o)
	if err != nil {
		return m, err
	}
	if m.Cols != nFeatures {
		return m, Invalidf(est, "X has %d features (shape %v) but the estimator was fitted with %d", m.Cols, X.Shape(), nFeatures)
	}
	return m, nil
}

// CheckY validates a target vector of n entries for estimator est: non-nil,
// 1-D (or [n, 1]), finite.
func CheckY(est string, y *tensor.Tensor, n int) ([]float64, error) {
	if y == nil {
		return nil, Invalidf(est, "y is nil; this estimator is supervised and needs targets")
	}
	if y.Device() != tensor.CPU {
		return nil, Invalidf(est, "y is on device %v; use y.To(tensor.CPU)", y.Device())
	}
	if !(y.Dim() == 1 || (y.Dim() == 2 && y.Shape()[1] == 1)) {
		return nil, Invalidf(est, "y must be 1-D [n_samples], got shape %v", y.Shape())
	}
	if y.Shape()[0] != n {
		return nil, Invalidf(est, "y has %d entries (shape %v) but X has %d samples", y.Shape()[0], y.Shape(), n)
	}
	d := y.Float64s()
	for i, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, Invalidf(est, "y contains %v at index %d", v, i)
		}
	}
	return d, nil
}

// CheckXY validates X and y together (see CheckX and CheckY).
func CheckXY(est string, X, y *tensor.Tensor) (Matrix, []float64, error) {
	return CheckXYOpts(est, X, y, CheckOptions{})
}

// CheckXYOpts is CheckXY with options.
func CheckXYOpts(est string, X, y *tensor.Tensor, o CheckOptions) (Matrix, []float64, error) {
	m, err := CheckXOpts(est, X, o)
	if err != nil {
		return m, nil, err
	}
	ys, err := CheckY(est, y, m.Rows)
	if err != nil {
		return m, nil, err
	}
	return m, ys, nil
}

// CheckContext returns ctx.Err() wrapped with the estimator's name, or nil.
// Long loops call it now and then.
func CheckContext(ctx context.Context, est string) error {
	if ctx == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: fit cancelled: %w", est, err)
	}
	return nil
}

// Vector returns v as a 1-D float64 tensor.
func Vector(v []float64) *tensor.Tensor { return tensor.FromFloat64(v, len(v)) }

// LinearScores returns the decision values of a linear model, X·coefᵀ +
// intercept: [n] when there is one score per sample (two classes, K = 1),
// [n, K] otherwise. coef is K×X.Cols row-major, intercept has K values.
func LinearScores(X Matrix, coef, intercept []float64) *tensor.Tensor {
	K := len(intercept)
	Z := tensor.MatMul(X.Tensor(), tensor.FromFloat64(coef, K, X.Cols).T())
	d := Z.Float64s()
	for i := range d {
		d[i] += intercept[i%K]
	}
	if K == 1 {
		return Z.Reshape(X.Rows)
	}
	return Z
}

// LabelsFromScores turns decision values into class labels: for [n]
// scores, classes[1] where the score is positive and classes[0] elsewhere;
// for [n, K] scores, the class of the largest score.
func LabelsFromScores(Z *tensor.Tensor, classes []float64) *tensor.Tensor {
	out := make([]float64, Z.Shape()[0])
	if Z.Dim() == 1 {
		for i, v := range Z.Float64s() {
			out[i] = classes[0]
			if v > 0 {
				out[i] = classes[1]
			}
		}
		return Vector(out)
	}
	for i, k := range tensor.ArgMax(Z, 1) {
		out[i] = classes[k]
	}
	return Vector(out)
}

// Accuracy is the fraction of equal entries (used by classifiers' Score).
func Accuracy(yTrue, yPred []float64) float64 {
	if len(yTrue) == 0 {
		return 0
	}
	ok := 0
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(yTrue))
}

// R2 is the coefficient of determination (used by regressors' Score). A
// constant yTrue gives 1 for a perfect prediction and 0 otherwise, as
// scikit-learn does.
func R2(yTrue, yPred []float64) float64 {
	n := len(yTrue)
	if n == 0 {
		return 0
	}
	mean := 0.0
	for _, v := range yTrue {
		mean += v
	}
	mean /= float64(n)
	ssr, sst := 0.0, 0.0
	for i, v := range yTrue {
		ssr += (v - yPred[i]) * (v - yPred[i])
		sst += (v - mean) * (v - mean)
	}
	if sst == 0 {
		if ssr == 0 {
			return 1
		}
		return 0
	}
	return 1 - ssr/sst
}

// ScoreClassifier predicts X with p and returns the accuracy against y.
func ScoreClassifier(est string, p Predictor, X, y *tensor.Tensor) (float64, error) {
	return scoreWith(est, p, X, y, Accuracy)
}

// ScoreRegressor predicts X with p and returns R² against y.
func ScoreRegressor(est string, p Predictor, X, y *tensor.Tensor) (float64, error) {
	return scoreWith(est, p, X, y, R2)
}

// scoreWith predicts X with p, checks y against the prediction and
// returns metric(y, prediction).
func scoreWith(est string, p Predictor, X, y *tensor.Tensor, metric func(yTrue, yPred []float64) float64) (float64, error) {
	pred, err := p.Predict(X)
	if err != nil {
		return 0, err
	}
	ys, err := CheckY(est, y, pred.Shape()[0])
	if err != nil {
		return 0, err
	}
	return metric(ys, pred.Float64s()), nil
}

// CheckClassWeight normalises a class_weight parameter for the
// estimators' parameter lists: nil, one of the named modes ("balanced", and
// what else the estimator allows, as the forests' "balanced_subsample"), or
// finite weights >= 0 by class label (a map[float64]float64, or a map with
// string keys as JSON gives), returned as a new map[float64]float64.
func CheckClassWeight(v any, modes ...string) (any, error) {
	switch w := v.(type) {
	case nil:
		return nil, nil
	case string:
		if !slices.Contains(modes, w) {
			return nil, fmt.Errorf("class_weight %q: want nil, \"balanced\" or a map", w)
		}
		return w, nil
	case map[float64]float64:
		out := make(map[float64]float64, len(w))
		for k, x := range w {
			if !(x >= 0) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("class_weight for %v is %v; want a finite weight >= 0", k, x)
			}
			out[k] = x
		}
		return out, nil
	case map[string]any:
		out := map[float64]float64{}
		for k, x := range w {
			kf, err := strconv.ParseFloat(k, 64)
			if err != nil {
				return nil, fmt.Errorf("class_weight key %q is not a number", k)
			}
			f, err := AsFloat(x)
			if err != nil {
				return nil, err
			}
			out[kf] = f
		}
		return CheckClassWeight(out, modes...)
	}
	return nil, fmt.Errorf("class_weight: want nil, \"balanced\" or map[float64]float64, got %T", v)
}

// ClassWeights returns per-sample weights for a class_weight setting cw,
// given the sorted classes and each sample's class index: all 1 for nil;
// for "balanced", n / (classes · count of the sample's class), as
// scikit-learn; for a map[float64]float64, the weight of each class label
// (1 for labels it does not name).
func ClassWeights[I int | int32](cw any, classes []float64, idx []I) []float64 {
	n := len(idx)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	switch c := cw.(type) {
	case string:
		counts := make([]float64, len(classes))
		for _, k := range idx {
			counts[k]++
		}
		for i, k := range idx {
			w[i] = float64(n) / (float64(len(classes)) * counts[k])
		}
	case map[float64]float64:
		for i, k := range idx {
			if v, ok := c[classes[k]]; ok {
				w[i] = v
			}
		}
	}
	return w
}

// CheckXYClasses is CheckXY and ClassesOf, the start of most classifiers'
// Fit.
func CheckXYClasses(est string, X, y *tensor.Tensor) (xm Matrix, classes []float64, idx []int, err error) {
	xm, ys, err := CheckXY(est, X, y)
	if err != nil {
		return xm, nil, nil, err
	}
	classes, idx, err = ClassesOf(est, ys)
	return xm, classes, idx, err
}

// ClassesOf is Classes for a classifier's Fit: y with a single class is an
// error naming est.
func ClassesOf(est string, y []float64) (classes []float64, idx []int, err error) {
	classes, idx = Classes(y)
	if len(classes) < 2 {
		return nil, nil, Invalidf(est, "y has a single class %v; at least two are needed", classes)
	}
	return classes, idx, nil
}

// Classes returns the sorted distinct values of y, and for each sample the
// index of its class.
func Classes(y []float64) (classes []float64, idx []int) {
	seen := map[float64]struct{}{}
	for _, v := range y {
		if _, ok := seen[v]; !ok {
			seen[v] = struct{}{}
			classes = append(classes, v)
		}
	}
	sortFloats(classes)
	pos := make(map[float64]int, len(classes))
	for i, c := range classes {
		pos[c] = i
	}
	idx = make([]int, len(y))
	for i, v := range y {
		idx[i] = pos[v]
	}
	return classes, idx
}
