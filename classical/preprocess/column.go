package preprocess

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// ColumnSpec is one entry of a ColumnTransformer: a name (used in nested
// parameter names, "num__with_mean"), a transformer (nil passes the
// columns through unchanged) and the columns it gets, by index or by name.
type ColumnSpec struct {
	Name        string
	Transformer classical.Transformer
	Indices     []int
	Names       []string
}

// Columns selects columns by name (resolved against the feature names
// given with WithFeatureNames) for transformer t; nil t passes them through.
func Columns(name string, t classical.Transformer, columns ...string) ColumnSpec {
	return ColumnSpec{Name: name, Transformer: t, Names: columns}
}

// ColumnIndices selects columns by index for transformer t.
func ColumnIndices(name string, t classical.Transformer, indices ...int) ColumnSpec {
	return ColumnSpec{Name: name, Transformer: t, Indices: indices}
}

// ColumnTransformer applies transformers to subsets of the columns and
// concatenates their outputs in order, followed by the remaining columns
// when Remainder is "passthrough" (they are dropped with "drop", the
// default). Columns may be selected by name once the table's feature names
// are known (WithFeatureNames, for example from data.Table.XY).
//
//	ct := preprocess.NewColumnTransformer(
//		preprocess.Columns("num", preprocess.NewStandardScaler(), "age", "salary"),
//		preprocess.Columns("cat", preprocess.NewOneHotEncoder(), "department"),
//	).WithFeatureNames(names)
type ColumnTransformer struct {
	Remainder    string // "remainder": "drop" or "passthrough"
	specs        []ColumnSpec
	featureNames []string

	fitted   bool
	nFeat    int
	resolved [][]int // columns of each spec
	rest     []int   // remainder columns
}

// NewColumnTransformer returns a ColumnTransformer of the given specs.
func NewColumnTransformer(specs ...ColumnSpec) *ColumnTransformer {
	return &ColumnTransformer{Remainder: "drop", specs: specs}
}

// WithFeatureNames sets the names of X's columns, used to resolve specs
// that select columns by name, and returns ct.
func (ct *ColumnTransformer) WithFeatureNames(names []string) *ColumnTransformer {
	ct.featureNames = slices.Clone(names)
	return ct
}

// Specs returns the transformers' specs (the transformers are shared, not
// copied: after Fit they are fitted).
func (ct *ColumnTransformer) Specs() []ColumnSpec { return slices.Clone(ct.specs) }

// GetParams returns "remainder" and each transformer's parameters as
// "name__param".
func (ct *ColumnTransformer) GetParams() map[string]any {
	m := map[string]any{"remainder": ct.Remainder}
	for _, s := range ct.specs {
		classical.NestParams(m, s.Name, s.Transformer)
	}
	return m
}

// SetParams sets "remainder" or "name__param" of a transformer.
func (ct *ColumnTransformer) SetParams(m map[string]any) error {
	index := func(name string) int {
		i := slices.IndexFunc(ct.specs, func(s ColumnSpec) bool { return s.Name == name })
		if i < 0 || ct.specs[i].Transformer == nil {
			return -1
		}
		return i
	}
	own, nested, err := classical.SplitNestedParams("ColumnTransformer", m, index, ct.names)
	if err != nil {
		return err
	}
	if err := (classical.Params{classical.String("remainder", &ct.Remainder, "drop", "passthrough")}).Set("ColumnTransformer", own); err != nil {
		return err
	}
	for i, p := range nested {
		if err := ct.specs[i].Transformer.SetParams(p); err != nil {
			return fmt.Errorf("ColumnTransformer step %q: %w", ct.specs[i].Name, err)
		}
	}
	return nil
}

func (ct *ColumnTransformer) names() []string {
	out := []string{"remainder"}
	for _, s := range ct.specs {
		if s.Transformer != nil {
			out = append(out, s.Name+"__...")
		}
	}
	return out
}

// Clone returns an unfitted copy with cloned transformers.
func (ct *ColumnTransformer) Clone() classical.Estimator {
	c := &ColumnTransformer{Remainder: ct.Remainder, featureNames: slices.Clone(ct.featureNames)}
	for _, s := range ct.specs {
		ns := ColumnSpec{Name: s.Name, Indices: slices.Clone(s.Indices), Names: slices.Clone(s.Names)}
		if s.Transformer != nil {
			ns.Transformer = s.Transformer.Clone().(classical.Transformer)
		}
		c.specs = append(c.specs, ns)
	}
	return c
}

func (ct *ColumnTransformer) resolve(p int) ([][]int, []int, error) {
	const est = "ColumnTransformer"
	if len(ct.specs) == 0 {
		return nil, nil, classical.InvalidParamf(est, "no transformers")
	}
	if ct.featureNames != nil && len(ct.featureNames) != p {
		return nil, nil, classical.Invalidf(est, "X has %d columns but %d feature names were given", p, len(ct.featureNames))
	}
	used := make([]bool, p)
	seen := map[string]bool{}
	var res [][]int
	for _, s := range ct.specs {
		if s.Name == "" || strings.Contains(s.Name, "__") || seen[s.Name] {
			return nil, nil, classical.InvalidParamf(est, "transformer names must be unique, non-empty and free of \"__\": %q", s.Name)
		}
		seen[s.Name] = true
		cols := slices.Clone(s.Indices)
		for _, n := range s.Names {
			if ct.featureNames == nil {
				return nil, nil, classical.InvalidParamf(est, "%q selects column %q by name but no feature names were given (use WithFeatureNames)", s.Name, n)
			}
			k := slices.Index(ct.featureNames, n)
			if k < 0 {
				return nil, nil, classical.Invalidf(est, "%q selects column %q, which is not among the feature names %q", s.Name, n, ct.featureNames)
			}
			cols = append(cols, k)
		}
		if len(cols) == 0 {
			return nil, nil, classical.InvalidParamf(est, "%q selects no columns", s.Name)
		}
		for _, c := range cols {
			if c < 0 || c >= p {
				return nil, nil, classical.Invalidf(est, "%q selects column %d but X has %d columns", s.Name, c, p)
			}
			used[c] = true
		}
		res = append(res, cols)
	}
	var rest []int
	for j, u := range used {
		if !u {
			rest = append(rest, j)
		}
	}
	return res, rest, nil
}

func selectCols(m classical.Matrix, cols []int) *tensor.Tensor {
	out := make([]float64, m.Rows*len(cols))
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for k, c := range cols {
			out[i*len(cols)+k] = r[c]
		}
	}
	return tensor.FromFloat64(out, m.Rows, len(cols))
}

// Fit fits each transformer on its columns (y is passed on).
func (ct *ColumnTransformer) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "ColumnTransformer"
	m, err := classical.CheckXOpts(est, X, classical.CheckOptions{AllowNaN: true})
	if err != nil {
		return err
	}
	if !ct.allowsNaN() {
		if _, err := classical.CheckX(est, X); err != nil {
			return err
		}
	}
	res, rest, err := ct.resolve(m.Cols)
	if err != nil {
		return err
	}
	ct.fitted = false
	for i, s := range ct.specs {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
		if s.Transformer == nil {
			continue
		}
		if err := s.Transformer.Fit(ctx, selectCols(m, res[i]), y); err != nil {
			return fmt.Errorf("ColumnTransformer %q: %w", s.Name, err)
		}
	}
	ct.resolved, ct.rest, ct.nFeat, ct.fitted = res, rest, m.Cols, true
	return nil
}

// allowsNaN reports whether some transformer handles missing values.
func (ct *ColumnTransformer) allowsNaN() bool {
	for _, s := range ct.specs {
		if a, ok := s.Transformer.(interface{ AcceptsNaN() bool }); ok && a.AcceptsNaN() {
			return true
		}
	}
	return false
}

// Transform applies the fitted transformers and concatenates the results.
func (ct *ColumnTransformer) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "ColumnTransformer"
	if !ct.fitted {
		return nil, classical.NotFitted(est)
	}
	m, err := classical.CheckFeaturesOpts(est, X, ct.nFeat, classical.CheckOptions{AllowNaN: ct.allowsNaN()})
	if err != nil {
		return nil, err
	}
	var parts []*tensor.Tensor
	for i, s := range ct.specs {
		sub := selectCols(m, ct.resolved[i])
		if s.Transformer == nil {
			parts = append(parts, sub)
			continue
		}
		o, err := s.Transformer.Transform(sub)
		if err != nil {
			return nil, fmt.Errorf("ColumnTransformer %q: %w", s.Name, err)
		}
		parts = append(parts, o)
	}
	if ct.Remainder == "passthrough" && len(ct.rest) > 0 {
		parts = append(parts, selectCols(m, ct.rest))
	}
	width := 0
	for _, p := range parts {
		width += p.Shape()[1]
	}
	if width == 0 {
		return nil, classical.Invalidf(est, "no output columns")
	}
	return tensor.Concat(1, parts...), nil
}

// FeatureNamesOut names the output columns "name__column". Transformers
// that do not implement classical.FeatureNamer keep their input names
// (scalers map columns one to one).
func (ct *ColumnTransformer) FeatureNamesOut(input []string) ([]string, error) {
	if !ct.fitted {
		return nil, classical.NotFitted("ColumnTransformer")
	}
	if input == nil {
		input = ct.featureNames
	}
	input = defaultNames(input, ct.nFeat)
	var out []string
	for i, s := range ct.specs {
		in := make([]string, len(ct.resolved[i]))
		for k, c := range ct.resolved[i] {
			in[k] = input[c]
		}
		names := in
		if fn, ok := s.Transformer.(classical.FeatureNamer); ok {
			var err error
			if names, err = fn.FeatureNamesOut(in); err != nil {
				return nil, err
			}
		}
		for _, n := range names {
			out = append(out, s.Name+"__"+n)
		}
	}
	if ct.Remainder == "passthrough" {
		for _, c := range ct.rest {
			out = append(out, "remainder__"+input[c])
		}
	}
	return out, nil
}

// TypeName implements classical.Persistable.
func (ct *ColumnTransformer) TypeName() string { return "preprocess.ColumnTransformer" }

type ctSpecState struct {
	Name     string              `json:"name"`
	Indices  []int               `json:"indices,omitempty"`
	Names    []string            `json:"names,omitempty"`
	Doc      *classical.Document `json:"transformer,omitempty"`
	Resolved []int               `json:"resolved,omitempty"`
}

type ctState struct {
	FeatureNames []string      `json:"feature_names,omitempty"`
	Specs        []ctSpecState `json:"specs"`
	Fitted       bool          `json:"fitted"`
	NFeatures    int           `json:"n_features"`
	Rest         []int         `json:"remainder_columns,omitempty"`
}

// MarshalState implements classical.Persistable; the structure is saved
// even before Fit.
func (ct *ColumnTransformer) MarshalState() ([]byte, error) {
	st := ctState{FeatureNames: ct.featureNames, Fitted: ct.fitted, NFeatures: ct.nFeat, Rest: ct.rest}
	for i, s := range ct.specs {
		ss := ctSpecState{Name: s.Name, Indices: s.Indices, Names: s.Names}
		if s.Transformer != nil {
			d, err := classical.Encode(s.Transformer)
			if err != nil {
				return nil, err
			}
			ss.Doc = d
		}
		if ct.fitted {
			ss.Resolved = ct.resolved[i]
		}
		st.Specs = append(st.Specs, ss)
	}
	return json.Marshal(st)
}

// UnmarshalState implements classical.Persistable.
func (ct *ColumnTransformer) UnmarshalState(b []byte) error {
	var st ctState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if len(st.Specs) == 0 {
		return fmt.Errorf("ColumnTransformer: no transformers")
	}
	specs := make([]ColumnSpec, len(st.Specs))
	var resolved [][]int
	for i, ss := range st.Specs {
		specs[i] = ColumnSpec{Name: ss.Name, Indices: ss.Indices, Names: ss.Names}
		if ss.Doc != nil {
			e, err := classical.Decode(ss.Doc)
			if err != nil {
				return err
			}
			t, ok := e.(classical.Transformer)
			if !ok {
				return fmt.Errorf("ColumnTransformer: %q is a %T, not a transformer", ss.Name, e)
			}
			specs[i].Transformer = t
		}
		if st.Fitted {
			if len(ss.Resolved) == 0 {
				return fmt.Errorf("ColumnTransformer: %q has no columns", ss.Name)
			}
			for _, c := range ss.Resolved {
				if c < 0 || c >= st.NFeatures {
					return fmt.Errorf("ColumnTransformer: column %d out of range", c)
				}
			}
			resolved = append(resolved, ss.Resolved)
		}
	}
	for _, c := range st.Rest {
		if c < 0 || c >= st.NFeatures {
			return fmt.Errorf("ColumnTransformer: column %d out of range", c)
		}
	}
	if st.Fitted && st.NFeatures < 1 {
		return fmt.Errorf("ColumnTransformer: n_features %d", st.NFeatures)
	}
	ct.specs, ct.featureNames = specs, st.FeatureNames
	ct.fitted, ct.nFeat, ct.resolved, ct.rest = st.Fitted, st.NFeatures, resolved, st.Rest
	return nil
}
