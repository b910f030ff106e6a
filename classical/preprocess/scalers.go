// Package preprocess holds scikit-learn's preprocessing transformers:
// scalers (StandardScaler, MinMaxScaler, RobustScaler, Normalizer), the
// SimpleImputer, encoders (OneHotEncoder, OrdinalEncoder, LabelEncoder),
// PolynomialFeatures, and the ColumnTransformer that applies transformers
// to subsets of columns chosen by index or by name.
package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("preprocess.StandardScaler", func() classical.Estimator { return NewStandardScaler() })
	classical.Register("preprocess.MinMaxScaler", func() classical.Estimator { return NewMinMaxScaler() })
	classical.Register("preprocess.RobustScaler", func() classical.Estimator { return NewRobustScaler() })
	classical.Register("preprocess.Normalizer", func() classical.Estimator { return NewNormalizer() })
	classical.Register("preprocess.SimpleImputer", func() classical.Estimator { return NewSimpleImputer() })
	classical.Register("preprocess.OneHotEncoder", func() classical.Estimator { return NewOneHotEncoder() })
	classical.Register("preprocess.OrdinalEncoder", func() classical.Estimator { return NewOrdinalEncoder() })
	classical.Register("preprocess.LabelEncoder", func() classical.Estimator { return NewLabelEncoder() })
	classical.Register("preprocess.PolynomialFeatures", func() classical.Estimator { return NewPolynomialFeatures() })
	classical.Register("preprocess.ColumnTransformer", func() classical.Estimator { return NewColumnTransformer() })
}

// affine is the fitted state of the per-column affine scalers:
// out = (x - Shift) / Scale.
type affine struct {
	Shift classical.Floats `json:"shift"`
	Scale classical.Floats `json:"scale"`
}

func (a *affine) fitted() bool { return a.Scale != nil }

func (a *affine) check(est string) error {
	if len(a.Scale) == 0 || len(a.Shift) != len(a.Scale) {
		return fmt.Errorf("%s: shift has %d values and scale %d", est, len(a.Shift), len(a.Scale))
	}
	return nil
}

// marshal is the MarshalState of the scalers whose whole state is a.
func (a *affine) marshal() ([]byte, error) { return classical.MarshalFitted(a.fitted(), *a) }

// unmarshal is the UnmarshalState of the scaler est whose whole state is
// a; on an error a is left as it was.
func (a *affine) unmarshal(est string, b []byte) error {
	var st affine
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := st.check(est); err != nil {
		return err
	}
	*a = st
	return nil
}

func (a *affine) transform(est string, X *tensor.Tensor, allowNaN bool) (*tensor.Tensor, error) {
	if !a.fitted() {
		return nil, classical.NotFitted(est)
	}
	m, err := classical.CheckFeaturesOpts(est, X, len(a.Scale), classical.CheckOptions{AllowNaN: allowNaN})
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(m.Data))
	p := m.Cols
	for i, v := range m.Data {
		j := i % p
		out[i] = (v - a.Shift[j]) / a.Scale[j]
	}
	return tensor.FromFloat64(out, m.Rows, p), nil
}

func (a *affine) inverse(est string, X *tensor.Tensor) (*tensor.Tensor, error) {
	if !a.fitted() {
		return nil, classical.NotFitted(est)
	}
	m, err := classical.CheckFeatures(est, X, len(a.Scale))
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(m.Data))
	p := m.Cols
	for i, v := range m.Data {
		j := i % p
		out[i] = v*a.Scale[j] + a.Shift[j]
	}
	return tensor.FromFloat64(out, m.Rows, p), nil
}

// nonZero replaces zero (or tiny) scales by 1, as scikit-learn's
// _handle_zeros_in_scale does.
func nonZero(s []float64) {
	for i, v := range s {
		if v < 10*2.220446049250313e-16 {
			s[i] = 1
		}
	}
}

// StandardScaler removes the mean and scales to unit variance (population
// standard deviation, ddof 0). Constant columns get scale 1.
type StandardScaler struct {
	WithMean bool // "with_mean", default true
	WithStd  bool // "with_std", default true
	st       affine
	Mean     []float64 // learned means (zeros when WithMean is false)
	Var      []float64 // learned variances
}

// NewStandardScaler returns a StandardScaler with scikit-learn's defaults.
func NewStandardScaler() *StandardScaler { return &StandardScaler{WithMean: true, WithStd: true} }

func (s *StandardScaler) params() classical.Params {
	return classical.Params{classical.Bool("with_mean", &s.WithMean), classical.Bool("with_std", &s.WithStd)}
}

// GetParams implements classical.Estimator.
func (s *StandardScaler) GetParams() map[string]any { return s.params().Get() }

// SetParams implements classical.Estimator.
func (s *StandardScaler) SetParams(m map[string]any) error {
	return s.params().Set("StandardScaler", m)
}

// Clone implements classical.Estimator.
func (s *StandardScaler) Clone() classical.Estimator {
	return classical.CloneByParams(s, NewStandardScaler)
}

// Fit learns per-column means and standard deviations (y is ignored).
func (s *StandardScaler) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	m, err := classical.CheckX("StandardScaler", X)
	if err != nil {
		return err
	}
	p := m.Cols
	mean := make([]float64, p)
	vr := make([]float64, p)
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for j, v := range r {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(m.Rows)
	}
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for j, v := range r {
			d := v - mean[j]
			vr[j] += d * d
		}
	}
	scale := make([]float64, p)
	for j := range vr {
		vr[j] /= float64(m.Rows)
		scale[j] = math.Sqrt(vr[j])
	}
	nonZero(scale)
	shift := slices.Clone(mean)
	if !s.WithMean {
		clear(shift)
	}
	if !s.WithStd {
		for j := range scale {
			scale[j] = 1
		}
	}
	s.Mean, s.Var = mean, vr
	s.st = affine{Shift: shift, Scale: scale}
	return nil
}

// Transform returns (X - mean) / std.
func (s *StandardScaler) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	return s.st.transform("StandardScaler", X, false)
}

// InverseTransform undoes Transform.
func (s *StandardScaler) InverseTransform(X *tensor.Tensor) (*tensor.Tensor, error) {
	return s.st.inverse("StandardScaler", X)
}

// Scale returns the per-column divisors (scale_), nil before Fit.
func (s *StandardScaler) Scale() []float64 { return slices.Clone(s.st.Scale) }

// TypeName implements classical.Persistable.
func (s *StandardScaler) TypeName() string { return "preprocess.StandardScaler" }

type standardState struct {
	affine
	Mean classical.Floats `json:"mean"`
	Var  classical.Floats `json:"var"`
}

// MarshalState implements classical.Persistable.
func (s *StandardScaler) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(s.st.fitted(), standardState{s.st, s.Mean, s.Var})
}

// UnmarshalState implements classical.Persistable.
func (s *StandardScaler) UnmarshalState(b []byte) error {
	var st standardState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := st.check("StandardScaler"); err != nil {
		return err
	}
	s.st, s.Mean, s.Var = st.affine, st.Mean, st.Var
	return nil
}

// MinMaxScaler maps each column linearly onto FeatureRange (default
// [0, 1]) using the minimum and maximum seen in Fit.
type MinMaxScaler struct {
	FeatureRange []float64 // "feature_range", [min, max]
	Clip         bool      // "clip": clip transformed values to the range
	st           affine
}

// NewMinMaxScaler returns a MinMaxScaler onto [0, 1].
func NewMinMaxScaler() *MinMaxScaler { return &MinMaxScaler{FeatureRange: []float64{0, 1}} }

func (s *MinMaxScaler) params() classical.Params {
	return classical.Params{classical.FloatSlice("feature_range", &s.FeatureRange), classical.Bool("clip", &s.Clip)}
}

// GetParams implements classical.Estimator.
func (s *MinMaxScaler) GetParams() map[string]any { return s.params().Get() }

// SetParams implements classical.Estimator.
func (s *MinMaxScaler) SetParams(m map[string]any) error { return s.params().Set("MinMaxScaler", m) }

// Clone implements classical.Estimator.
func (s *MinMaxScaler) Clone() classical.Estimator {
	return classical.CloneByParams(s, NewMinMaxScaler)
}

// Fit learns each column's minimum and maximum.
func (s *MinMaxScaler) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "MinMaxScaler"
	if len(s.FeatureRange) != 2 || !(s.FeatureRange[0] < s.FeatureRange[1]) {
		return classical.InvalidParamf(est, "feature_range must be [min, max] with min < max, got %v", s.FeatureRange)
	}
	m, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	lo, hi := colMinMax(m)
	a, b := s.FeatureRange[0], s.FeatureRange[1]
	shift := make([]float64, m.Cols)
	scale := make([]float64, m.Cols)
	for j := range lo {
		rng := hi[j] - lo[j]
		nonZero1 := rng
		if nonZero1 < 10*2.220446049250313e-16 {
			nonZero1 = 1
		}
		// out = (x - lo) * (b-a)/rng + a = (x - shift) / scale
		scale[j] = nonZero1 / (b - a)
		shift[j] = lo[j] - a*scale[j]
	}
	s.st = affine{Shift: shift, Scale: scale}
	return nil
}

func colMinMax(m classical.Matrix) (lo, hi []float64) {
	lo = slices.Clone(m.Row(0))
	hi = slices.Clone(m.Row(0))
	for i := 1; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			lo[j] = min(lo[j], v)
			hi[j] = max(hi[j], v)
		}
	}
	return lo, hi
}

// Transform maps X onto the feature range.
func (s *MinMaxScaler) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	out, err := s.st.transform("MinMaxScaler", X, false)
	if err != nil || !s.Clip {
		return out, err
	}
	return tensor.Clip(out, s.FeatureRange[0], s.FeatureRange[1]), nil
}

// InverseTransform undoes Transform.
func (s *MinMaxScaler) InverseTransform(X *tensor.Tensor) (*tensor.Tensor, error) {
	return s.st.inverse("MinMaxScaler", X)
}

// TypeName implements classical.Persistable.
func (s *MinMaxScaler) TypeName() string { return "preprocess.MinMaxScaler" }

// MarshalState implements classical.Persistable.
func (s *MinMaxScaler) MarshalState() ([]byte, error) { return s.st.marshal() }

// UnmarshalState implements classical.Persistable.
func (s *MinMaxScaler) UnmarshalState(b []byte) error { return s.st.unmarshal("MinMaxScaler", b) }

// RobustScaler removes the median and scales by the interquartile range
// (QuantileRange, default [25, 75] percent), robust to outliers.
type RobustScaler struct {
	WithCentering bool      // "with_centering", default true
	WithScaling   bool      // "with_scaling", default true
	QuantileRange []float64 // "quantile_range", default [25, 75]
	st            affine
}

// NewRobustScaler returns a RobustScaler with scikit-learn's defaults.
func NewRobustScaler() *RobustScaler {
	return &RobustScaler{WithCentering: true, WithScaling: true, QuantileRange: []float64{25, 75}}
}

func (s *RobustScaler) params() classical.Params {
	return classical.Params{
		classical.Bool("with_centering", &s.WithCentering),
		classical.Bool("with_scaling", &s.WithScaling),
		classical.FloatSlice("quantile_range", &s.QuantileRange),
	}
}

// GetParams implements classical.Estimator.
func (s *RobustScaler) GetParams() map[string]any { return s.params().Get() }

// SetParams implements classical.Estimator.
func (s *RobustScaler) SetParams(m map[string]any) error { return s.params().Set("RobustScaler", m) }

// Clone implements classical.Estimator.
func (s *RobustScaler) Clone() classical.Estimator {
	return classical.CloneByParams(s, NewRobustScaler)
}

// Percentile returns the q-th percentile (0..100) of sorted values with
// linear interpolation (NumPy's default).
func Percentile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	pos := q / 100 * float64(n-1)
	lo := int(math.Floor(pos))
	if lo >= n-1 {
		return sorted[n-1]
	}
	f := pos - float64(lo)
	return sorted[lo] + f*(sorted[lo+1]-sorted[lo])
}

// median returns Percentile(sorted, 50) of the values in a, which it
// reorders: quickselect finds the one or two middle values in linear time.
// a must not hold NaN.
func median(a []float64) float64 {
	n := len(a)
	if n == 0 {
		return math.NaN()
	}
	pos := 0.5 * float64(n-1)
	k := int(pos)
	v := selectKth(a, k)
	if k >= n-1 {
		return v
	}
	// After the selection a[k+1:] holds the values above the k-th.
	next := a[k+1]
	for _, w := range a[k+2:] {
		next = min(next, w)
	}
	return v + (pos-float64(k))*(next-v)
}

// selectKth reorders a so that a[k] is its k-th smallest value, with
// a[:k] <= a[k] <= a[k+1:], and returns it (Hoare's quickselect with a
// median-of-three pivot).
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k] // between j and i every value equals p
		}
	}
	return a[k]
}

// Fit learns medians and interquartile ranges.
func (s *RobustScaler) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "RobustScaler"
	q := s.QuantileRange
	if len(q) != 2 || !(0 <= q[0] && q[0] < q[1] && q[1] <= 100) {
		return classical.InvalidParamf(est, "quantile_range must be [q_min, q_max] within [0, 100], got %v", q)
	}
	m, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	shift := make([]float64, m.Cols)
	scale := make([]float64, m.Cols)
	col := make([]float64, m.Rows)
	for j := 0; j < m.Cols; j++ {
		for i := range col {
			col[i] = m.At(i, j)
		}
		sort.Float64s(col)
		if s.WithCentering {
			shift[j] = Percentile(col, 50)
		}
		if s.WithScaling {
			scale[j] = Percentile(col, q[1]) - Percentile(col, q[0])
		} else {
			scale[j] = 1
		}
	}
	nonZero(scale)
	s.st = affine{Shift: shift, Scale: scale}
	return nil
}

// Transform returns (X - median) / IQR.
func (s *RobustScaler) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	return s.st.transform("RobustScaler", X, false)
}

// InverseTransform undoes Transform.
func (s *RobustScaler) InverseTransform(X *tensor.Tensor) (*tensor.Tensor, error) {
	return s.st.inverse("RobustScaler", X)
}

// TypeName implements classical.Persistable.
func (s *RobustScaler) TypeName() string { return "preprocess.RobustScaler" }

// MarshalState implements classical.Persistable.
func (s *RobustScaler) MarshalState() ([]byte, error) { return s.st.marshal() }

// UnmarshalState implements classical.Persistable.
func (s *RobustScaler) UnmarshalState(b []byte) error { return s.st.unmarshal("RobustScaler", b) }

// Normalizer scales each sample (row) to unit norm: "l2" (default), "l1"
// or "max". It learns nothing but the number of features.
type Normalizer struct {
	Norm  string // "norm"
	nFeat int
}

// NewNormalizer returns an l2 Normalizer.
func NewNormalizer() *Normalizer { return &Normalizer{Norm: "l2"} }

func (s *Normalizer) params() classical.Params {
	return classical.Params{classical.String("norm", &s.Norm, "l1", "l2", "max")}
}

// GetParams implements classical.Estimator.
func (s *Normalizer) GetParams() map[string]any { return s.params().Get() }

// SetParams implements classical.Estimator.
func (s *Normalizer) SetParams(m map[string]any) error { return s.params().Set("Normalizer", m) }

// Clone implements classical.Estimator.
func (s *Normalizer) Clone() classical.Estimator { return classical.CloneByParams(s, NewNormalizer) }

// Fit records the number of features.
func (s *Normalizer) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	m, err := classical.CheckX("Normalizer", X)
	if err != nil {
		return err
	}
	s.nFeat = m.Cols
	return nil
}

// Transform scales each row to unit norm (zero rows stay zero).
func (s *Normalizer) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	if s.nFeat == 0 {
		return nil, classical.NotFitted("Normalizer")
	}
	m, err := classical.CheckFeatures("Normalizer", X, s.nFeat)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(m.Data)
	for i := 0; i < m.Rows; i++ {
		r := out[i*m.Cols : (i+1)*m.Cols]
		n := 0.0
		for _, v := range r {
			switch s.Norm {
			case "l1":
				n += math.Abs(v)
			case "max":
				n = max(n, math.Abs(v))
			default:
				n += v * v
			}
		}
		if s.Norm != "l1" && s.Norm != "max" {
			n = math.Sqrt(n)
		}
		if n == 0 {
			continue
		}
		for j := range r {
			r[j] /= n
		}
	}
	return tensor.FromFloat64(out, m.Rows, m.Cols), nil
}

// TypeName implements classical.Persistable.
func (s *Normalizer) TypeName() string { return "preprocess.Normalizer" }

// MarshalState implements classical.Persistable.
func (s *Normalizer) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(s.nFeat > 0, map[string]int{"n_features": s.nFeat})
}

// UnmarshalState implements classical.Persistable.
func (s *Normalizer) UnmarshalState(b []byte) error {
	var st struct {
		N int `json:"n_features"`
	}
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if st.N < 1 {
		return fmt.Errorf("Normalizer: n_features %d", st.N)
	}
	s.nFeat = st.N
	return nil
}
