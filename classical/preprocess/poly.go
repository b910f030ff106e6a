package preprocess

import (
	"context"
	"fmt"
	"strings"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// PolynomialFeatures generates all monomials of the input features up to
// Degree, in scikit-learn's order: the bias column (IncludeBias), then
// degree 1, 2, ... with the feature indices of each term in
// non-decreasing (InteractionOnly: strictly increasing) lexicographic
// order.
type PolynomialFeatures struct {
	Degree          int  // "degree", default 2
	InteractionOnly bool // "interaction_only"
	IncludeBias     bool // "include_bias", default true
	nFeat           int
	terms           [][]int
}

// NewPolynomialFeatures returns degree-2 features with a bias column.
func NewPolynomialFeatures() *PolynomialFeatures {
	return &PolynomialFeatures{Degree: 2, IncludeBias: true}
}

func (pf *PolynomialFeatures) params() classical.Params {
	return classical.Params{
		classical.Int("degree", &pf.Degree),
		classical.Bool("interaction_only", &pf.InteractionOnly),
		classical.Bool("include_bias", &pf.IncludeBias),
	}
}

// GetParams implements classical.Estimator.
func (pf *PolynomialFeatures) GetParams() map[string]any { return pf.params().Get() }

// SetParams implements classical.Estimator.
func (pf *PolynomialFeatures) SetParams(m map[string]any) error {
	return pf.params().Set("PolynomialFeatures", m)
}

// Clone implements classical.Estimator.
func (pf *PolynomialFeatures) Clone() classical.Estimator {
	return classical.CloneByParams(pf, NewPolynomialFeatures)
}

func polyTerms(p, degree int, interaction, bias bool) [][]int {
	var out [][]int
	if bias {
		out = append(out, nil)
	}
	var rec func(start, left int, cur []int)
	for d := 1; d <= degree; d++ {
		rec = func(start, left int, cur []int) {
			if left == 0 {
				out = append(out, append([]int(nil), cur...))
				return
			}
			for j := start; j < p; j++ {
				next := j
				if interaction {
					next = j + 1
				}
				rec(next, left-1, append(cur, j))
			}
		}
		rec(0, d, nil)
	}
	return out
}

// Fit records the number of input features.
func (pf *PolynomialFeatures) Fit(ctx context.Context, X, _ *tensor.Tensor) error {
	const est = "PolynomialFeatures"
	if pf.Degree < 0 || pf.Degree > 10 {
		return classical.InvalidParamf(est, "degree must be in [0, 10], got %d", pf.Degree)
	}
	m, err := classical.CheckX(est, X)
	if err != nil {
		return err
	}
	if polyCount(m.Cols, pf.Degree, pf.InteractionOnly) > 1<<20 {
		return classical.InvalidParamf(est, "degree %d on %d features gives too many output features", pf.Degree, m.Cols)
	}
	terms := polyTerms(m.Cols, pf.Degree, pf.InteractionOnly, pf.IncludeBias)
	if len(terms) == 0 {
		return classical.InvalidParamf(est, "degree %d without bias gives no features", pf.Degree)
	}
	if len(terms) > 1<<20 {
		return classical.InvalidParamf(est, "%d output features for %d inputs at degree %d is too many", len(terms), m.Cols, pf.Degree)
	}
	pf.nFeat, pf.terms = m.Cols, terms
	return nil
}

// Transform returns the monomials of each sample.
func (pf *PolynomialFeatures) Transform(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "PolynomialFeatures"
	if pf.terms == nil {
		return nil, classical.NotFitted(est)
	}
	m, err := classical.CheckFeatures(est, X, pf.nFeat)
	if err != nil {
		return nil, err
	}
	k := len(pf.terms)
	out := make([]float64, m.Rows*k)
	for i := 0; i < m.Rows; i++ {
		r := m.Row(i)
		for t, term := range pf.terms {
			v := 1.0
			for _, j := range term {
				v *= r[j]
			}
			out[i*k+t] = v
		}
	}
	return tensor.FromFloat64(out, m.Rows, k), nil
}

// FeatureNamesOut names the terms like scikit-learn ("1", "x0", "x0 x1",
// "x0^2").
func (pf *PolynomialFeatures) FeatureNamesOut(input []string) ([]string, error) {
	if pf.terms == nil {
		return nil, classical.NotFitted("PolynomialFeatures")
	}
	input = defaultNames(input, pf.nFeat)
	out := make([]string, len(pf.terms))
	for t, term := range pf.terms {
		if len(term) == 0 {
			out[t] = "1"
			continue
		}
		var parts []string
		for a := 0; a < len(term); {
			b := a
			for b < len(term) && term[b] == term[a] {
				b++
			}
			if b-a == 1 {
				parts = append(parts, input[term[a]])
			} else {
				parts = append(parts, fmt.Sprintf("%s^%d", input[term[a]], b-a))
			}
			a = b
		}
		out[t] = strings.Join(parts, " ")
	}
	return out, nil
}

// TypeName implements classical.Persistable.
func (pf *PolynomialFeatures) TypeName() string { return "preprocess.PolynomialFeatures" }

// MarshalState implements classical.Persistable.
func (pf *PolynomialFeatures) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(pf.terms != nil, map[string]int{"n_features": pf.nFeat})
}

// UnmarshalState implements classical.Persistable (the terms are rebuilt
// from the parameters).
func (pf *PolynomialFeatures) UnmarshalState(b []byte) error {
	var st struct {
		N int `json:"n_features"`
	}
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if st.N < 1 || st.N > 1<<16 || pf.Degree < 0 || pf.Degree > 10 {
		return fmt.Errorf("PolynomialFeatures: bad state n_features=%d degree=%d", st.N, pf.Degree)
	}
	if polyCount(st.N, pf.Degree, pf.InteractionOnly) > 1<<20 {
		return fmt.Errorf("PolynomialFeatures: too many terms")
	}
	terms := polyTerms(st.N, pf.Degree, pf.InteractionOnly, pf.IncludeBias)
	if len(terms) == 0 || len(terms) > 1<<20 {
		return fmt.Errorf("PolynomialFeatures: %d terms", len(terms))
	}
	pf.nFeat, pf.terms = st.N, terms
	return nil
}

// polyCount is the number of non-bias terms (as a float, to avoid overflow).
func polyCount(p, degree int, interaction bool) float64 {
	total, c := 0.0, 1.0
	for d := 1; d <= degree; d++ {
		if interaction {
			c = c * float64(p-d+1) / float64(d)
		} else {
			c = c * float64(p+d-1) / float64(d)
		}
		total += c
	}
	return total
}
