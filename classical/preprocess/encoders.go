package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// SimpleImputer replaces missing values (NaN) column by column with the
// column's "mean", "median", "most_frequent" value (the smallest on ties)
// or a "constant" FillValue. As in scikit-learn 1.2, columns with no
// observed value are dropped by the statistical strategies.
type SimpleImputer struct {
	Strategy  string  // "strategy", default "mean"
	FillValue float64 // "fill_value" for "constant", default 0
	stats     classical.Floats
}

// NewSimpleImputer returns a mean imputer.
func NewSimpleImputer() *SimpleImputer { return &SimpleImputer{Strategy: "mean"} }

// AcceptsNaN reports that the imputer takes missing values (NaN), so that
// a ColumnTransformer passes them on to it.
func (s *SimpleImputer) AcceptsNaN() bool { return true }

func (s *SimpleImputer) params() classical.Params {
	return classical.Params{
		classical.String("strategy", &s.Strategy, "mean", "median", "most_frequent", "constant"),
		classical.Float("fill_value", &s.FillValue),
	}
}

// GetParams implements classical.Estimator.
func (s *SimpleImputer) GetParams() map[string]any { return s.params().Get() }

// SetParams implements classical.Estimator.
func (s *SimpleImputer) SetParams(m map[string]any) error { return s.params().Set("SimpleImputer", m) }

// Clone implements classical.Estimator.
func (s *SimpleImputer) Clone() classical.Estimator {
	return classical.CloneByParams(s, NewSimpleImputer)
}

// Fit learns the fill value of each column (NaN marks a column to drop).
func (s *SimpleImputer) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	m, err := classical.CheckXOpts("SimpleImputer", X, classical.CheckOptions{AllowNaN: true})
	if err != nil {
		return err
	}
	stats := make([]float64, m.Cols)
	col := make([]float64, 0, m.Rows)
	for j := 0; j < m.Cols; j++ {
		col = col[:0]
		for i := 0; i < m.Rows; i++ {
			if v := m.At(i, j); !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		if s.Strategy == "constant" {
			stats[j] = s.FillValue
			continue
		}
		if len(col) == 0 {
			stats[j] = math.NaN()
			continue
		}
		switch s.Strategy {
		case "median":
			stats[j] = median(col)
		case "most_frequent":
			sort.Float64s(col)
			best, bestN := col[0], 0
			for a := 0; a < len(col); {
				b := a
				for b < len(col) && col[b] == col[a] {
					b++
				}
				if b-a > bestN {
					best, bestN = col[a], b-a
				}
				a = b
			}
			stats[j] = best
		default:
			sum := 0.0
			for _, v := range col {
				sum += v
			}
			stats[j] = sum / float64(len(col))
		}
	}
	s.stats = stats
	return nil
}

// Statistics returns the fill value of each input column (NaN for columns
// that Transform drops).
func (s *SimpleImputer) Statistics() []float64 { return slices.Clone(s.stats) }

// Transform fills missing values and drops all-missing columns.
func (s *SimpleImputer) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	if s.stats == nil {
		return nil, classical.NotFitted("SimpleImputer")
	}
	m, err := classical.CheckFeaturesOpts("SimpleImputer", X, len(s.stats), classical.CheckOptions{AllowNaN: true})
	if err != nil {
		return nil, err
	}
	var keep []int
	for j, v := range s.stats {
		if !math.IsNaN(v) {
			keep = append(keep, j)
		}
	}
	out := make([]float64, 0, m.Rows*len(keep))
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for _, j := range keep {
			v := r[j]
			if math.IsNaN(v) {
				v = s.stats[j]
			}
			out = append(out, v)
		}
	}
	return tensor.FromFloat64(out, m.Rows, len(keep)), nil
}

// TypeName implements classical.Persistable.
func (s *SimpleImputer) TypeName() string { return "preprocess.SimpleImputer" }

// MarshalState implements classical.Persistable.
func (s *SimpleImputer) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(s.stats != nil, map[string]classical.Floats{"statistics": s.stats})
}

// UnmarshalState implements classical.Persistable.
func (s *SimpleImputer) UnmarshalState(b []byte) error {
	var st struct {
		S classical.Floats `json:"statistics"`
	}
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if len(st.S) == 0 {
		return fmt.Errorf("SimpleImputer: empty statistics")
	}
	s.stats = st.S
	return nil
}

// categories are the sorted distinct values of each column.
type categories [][]float64

// fit learns the categories of X's columns for the encoder est; on an
// error c is left as it was.
func (c *categories) fit(est string, X *tensor.Tensor) error {
	m, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	*c = learnCategories(m)
	return nil
}

// checkX checks X against the fitted categories of the encoder est.
func (c categories) checkX(est string, X *tensor.Tensor) (classical.Matrix, error) {
	if c == nil {
		return classical.Matrix{}, classical.NotFitted(est)
	}
	return classical.CheckFeatures(est, X, len(c))
}

func learnCategories(m classical.Matrix) categories {
	cats := make(categories, m.Cols)
	for j := 0; j < m.Cols; j++ {
		seen := map[float64]bool{}
		for i := 0; i < m.Rows; i++ {
			v := m.At(i, j)
			if !seen[v] {
				seen[v] = true
				cats[j] = append(cats[j], v)
			}
		}
		sort.Float64s(cats[j])
	}
	return cats
}

func (c categories) index(j int, v float64) int {
	k, ok := slices.BinarySearch(c[j], v)
	if !ok {
		return -1
	}
	return k
}

func (c categories) check() error {
	if len(c) == 0 {
		return fmt.Errorf("no categories")
	}
	for j, cs := range c {
		if len(cs) == 0 {
			return fmt.Errorf("column %d has no categories", j)
		}
		for k := 1; k < len(cs); k++ {
			if !(cs[k] > cs[k-1]) {
				return fmt.Errorf("column %d categories not sorted", j)
			}
		}
	}
	return nil
}

// OneHotEncoder encodes each column's categories (its distinct values seen
// in Fit, sorted) as one indicator column per category. HandleUnknown
// "error" (default) refuses unseen values in Transform; "ignore" encodes
// them as all zeros.
type OneHotEncoder struct {
	HandleUnknown string // "handle_unknown"
	cats          categories
}

// NewOneHotEncoder returns a OneHotEncoder with handle_unknown "error".
func NewOneHotEncoder() *OneHotEncoder { return &OneHotEncoder{HandleUnknown: "error"} }

func (e *OneHotEncoder) params() classical.Params {
	return classical.Params{classical.String("handle_unknown", &e.HandleUnknown, "error", "ignore")}
}

// GetParams implements classical.Estimator.
func (e *OneHotEncoder) GetParams() map[string]any { return e.params().Get() }

// SetParams implements classical.Estimator.
func (e *OneHotEncoder) SetParams(m map[string]any) error { return e.params().Set("OneHotEncoder", m) }

// Clone implements classical.Estimator.
func (e *OneHotEncoder) Clone() classical.Estimator {
	return classical.CloneByParams(e, NewOneHotEncoder)
}

// Fit learns the categories of each column.
func (e *OneHotEncoder) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	return e.cats.fit("OneHotEncoder", X)
}

// Categories returns the categories of each input column.
func (e *OneHotEncoder) Categories() [][]float64 {
	out := make([][]float64, len(e.cats))
	for i, c := range e.cats {
		out[i] = slices.Clone(c)
	}
	return out
}

// Transform returns the indicator columns, column after column.
func (e *OneHotEncoder) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "OneHotEncoder"
	m, err := e.cats.checkX(est, X)
	if err != nil {
		return nil, err
	}
	width := 0
	offs := make([]int, len(e.cats))
	for j, c := range e.cats {
		offs[j] = width
		width += len(c)
	}
	out := make([]float64, m.Rows*width)
	for i := 0; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			k := e.cats.index(j, v)
			if k < 0 {
				if e.HandleUnknown == "ignore" {
					continue
				}
				return nil, classical.Invalidf(est, "unknown category %v in column %d at row %d (seen: %v); set handle_unknown to \"ignore\" to encode it as zeros", v, j, i, e.cats[j])
			}
			out[i*width+offs[j]+k] = 1
		}
	}
	return tensor.FromFloat64(out, m.Rows, width), nil
}

// FeatureNamesOut names the output columns "name_category".
func (e *OneHotEncoder) FeatureNamesOut(input []string) ([]string, error) {
	if e.cats == nil {
		return nil, classical.NotFitted("OneHotEncoder")
	}
	input = defaultNames(input, len(e.cats))
	if len(input) != len(e.cats) {
		return nil, classical.Invalidf("OneHotEncoder", "%d input names for %d columns", len(input), len(e.cats))
	}
	var out []string
	for j, c := range e.cats {
		for _, v := range c {
			out = append(out, input[j]+"_"+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return out, nil
}

func defaultNames(names []string, n int) []string {
	if names != nil {
		return names
	}
	out := make([]string, n)
	for i := range out {
		out[i] = "x" + strconv.Itoa(i)
	}
	return out
}

// TypeName implements classical.Persistable.
func (e *OneHotEncoder) TypeName() string { return "preprocess.OneHotEncoder" }

type catState struct {
	Cats []classical.Floats `json:"categories"`
}

// marshal is the MarshalState of the encoders whose state is c.
func (c categories) marshal() ([]byte, error) {
	st := catState{Cats: make([]classical.Floats, len(c))}
	for i := range c {
		st.Cats[i] = c[i]
	}
	return classical.MarshalFitted(c != nil, st)
}

// unmarshal is the UnmarshalState of the encoders whose state is c; on
// an error c is left unfitted (nil).
func (c *categories) unmarshal(b []byte) error {
	*c = nil
	var st catState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	cs := make(categories, len(st.Cats))
	for i := range st.Cats {
		cs[i] = st.Cats[i]
	}
	if err := cs.check(); err != nil {
		return err
	}
	*c = cs
	return nil
}

// MarshalState implements classical.Persistable.
func (e *OneHotEncoder) MarshalState() ([]byte, error) { return e.cats.marshal() }

// UnmarshalState implements classical.Persistable.
func (e *OneHotEncoder) UnmarshalState(b []byte) error { return e.cats.unmarshal(b) }

// OrdinalEncoder replaces each value by the index of its category (the
// column's sorted distinct values seen in Fit). HandleUnknown "error"
// (default) refuses unseen values; "use_encoded_value" writes
// UnknownValue for them.
type OrdinalEncoder struct {
	HandleUnknown string  // "handle_unknown"
	UnknownValue  float64 // "unknown_value"
	cats          categories
}

// NewOrdinalEncoder returns an OrdinalEncoder with handle_unknown "error".
func NewOrdinalEncoder() *OrdinalEncoder {
	return &OrdinalEncoder{HandleUnknown: "error", UnknownValue: -1}
}

func (e *OrdinalEncoder) params() classical.Params {
	return classical.Params{
		classical.String("handle_unknown", &e.HandleUnknown, "error", "use_encoded_value"),
		classical.Float("unknown_value", &e.UnknownValue),
	}
}

// GetParams implements classical.Estimator.
func (e *OrdinalEncoder) GetParams() map[string]any { return e.params().Get() }

// SetParams implements classical.Estimator.
func (e *OrdinalEncoder) SetParams(m map[string]any) error {
	return e.params().Set("OrdinalEncoder", m)
}

// Clone implements classical.Estimator.
func (e *OrdinalEncoder) Clone() classical.Estimator {
	return classical.CloneByParams(e, NewOrdinalEncoder)
}

// Fit learns the categories of each column.
func (e *OrdinalEncoder) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	return e.cats.fit("OrdinalEncoder", X)
}

// Transform returns category indices.
func (e *OrdinalEncoder) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "OrdinalEncoder"
	m, err := e.cats.checkX(est, X)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(m.Data))
	for i := 0; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			k := e.cats.index(j, v)
			if k < 0 {
				if e.HandleUnknown == "use_encoded_value" {
					out[i*m.Cols+j] = e.UnknownValue
					continue
				}
				return nil, classical.Invalidf(est, "unknown category %v in column %d at row %d", v, j, i)
			}
			out[i*m.Cols+j] = float64(k)
		}
	}
	return tensor.FromFloat64(out, m.Rows, m.Cols), nil
}

// InverseTransform maps indices back to categories.
func (e *OrdinalEncoder) InverseTransform(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "OrdinalEncoder"
	m, err := e.cats.checkX(est, X)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(m.Data))
	for i := 0; i < m.Rows; i++ {
		for j, v := range m.Row(i) {
			k := int(v)
			if float64(k) != v || k < 0 || k >= len(e.cats[j]) {
				return nil, classical.Invalidf(est, "code %v in column %d at row %d is not a category index", v, j, i)
			}
			out[i*m.Cols+j] = e.cats[j][k]
		}
	}
	return tensor.FromFloat64(out, m.Rows, m.Cols), nil
}

// TypeName implements classical.Persistable.
func (e *OrdinalEncoder) TypeName() string { return "preprocess.OrdinalEncoder" }

// MarshalState implements classical.Persistable.
func (e *OrdinalEncoder) MarshalState() ([]byte, error) { return e.cats.marshal() }

// UnmarshalState implements classical.Persistable.
func (e *OrdinalEncoder) UnmarshalState(b []byte) error { return e.cats.unmarshal(b) }

// LabelEncoder maps target labels to 0..n_classes-1 (sorted). Like
// scikit-learn's, it works on y: Fit(ctx, nil, y), then Encode and Decode.
type LabelEncoder struct {
	classes []float64
}

// NewLabelEncoder returns an unfitted LabelEncoder.
func NewLabelEncoder() *LabelEncoder { return &LabelEncoder{} }

// GetParams implements classical.Estimator (there are none).
func (e *LabelEncoder) GetParams() map[string]any { return map[string]any{} }

// SetParams implements classical.Estimator.
func (e *LabelEncoder) SetParams(m map[string]any) error {
	return classical.Params{}.Set("LabelEncoder", m)
}

// Clone implements classical.Estimator.
func (e *LabelEncoder) Clone() classical.Estimator { return NewLabelEncoder() }

// Fit learns the classes of y (X is ignored and may be nil).
func (e *LabelEncoder) Fit(ctx context.Context, _, y *tensor.Tensor) error {
	if y == nil {
		return classical.Invalidf("LabelEncoder", "y is nil")
	}
	ys, err := classical.CheckY("LabelEncoder", y, y.Shape()[0])
	if err != nil {
		return err
	}
	if len(ys) == 0 {
		return classical.Invalidf("LabelEncoder", "y is empty")
	}
	e.classes, _ = classical.Classes(ys)
	return nil
}

// Classes returns the sorted labels.
func (e *LabelEncoder) Classes() []float64 { return slices.Clone(e.classes) }

// Encode maps labels to their indices; unseen labels are an error.
func (e *LabelEncoder) Encode(y *tensor.Tensor) (*tensor.Tensor, error) {
	if e.classes == nil {
		return nil, classical.NotFitted("LabelEncoder")
	}
	if y == nil || y.Dim() != 1 {
		return nil, classical.Invalidf("LabelEncoder", "y must be 1-D")
	}
	ys := y.Float64s()
	out := make([]float64, len(ys))
	for i, v := range ys {
		k, ok := slices.BinarySearch(e.classes, v)
		if !ok {
			return nil, classical.Invalidf("LabelEncoder", "y contains previously unseen label %v at index %d", v, i)
		}
		out[i] = float64(k)
	}
	return classical.Vector(out), nil
}

// Decode maps indices back to labels.
func (e *LabelEncoder) Decode(codes *tensor.Tensor) (*tensor.Tensor, error) {
	if e.classes == nil {
		return nil, classical.NotFitted("LabelEncoder")
	}
	if codes == nil || codes.Dim() != 1 {
		return nil, classical.Invalidf("LabelEncoder", "codes must be 1-D")
	}
	cs := codes.Float64s()
	out := make([]float64, len(cs))
	for i, v := range cs {
		k := int(v)
		if float64(k) != v || k < 0 || k >= len(e.classes) {
			return nil, classical.Invalidf("LabelEncoder", "code %v at index %d out of range [0, %d)", v, i, len(e.classes))
		}
		out[i] = e.classes[k]
	}
	return classical.Vector(out), nil
}

// TypeName implements classical.Persistable.
func (e *LabelEncoder) TypeName() string { return "preprocess.LabelEncoder" }

// MarshalState implements classical.Persistable.
func (e *LabelEncoder) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(e.classes != nil, map[string]classical.Floats{"classes": e.classes})
}

// UnmarshalState implements classical.Persistable.
func (e *LabelEncoder) UnmarshalState(b []byte) error {
	var st struct {
		C classical.Floats `json:"classes"`
	}
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	c := categories{st.C}
	if err := c.check(); err != nil {
		return err
	}
	e.classes = st.C
	return nil
}
