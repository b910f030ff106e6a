package preprocess_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	X, _ := estimatortest.Data(estimatortest.Transformer, false, false)
	// Categorical data for the encoders: small integers.
	cat := tensor.Floor(tensor.Clip(X, 0, 3))
	tr := estimatortest.Config{Task: estimatortest.Transformer}
	testutil.Conformance(t, []testutil.Case{
		{Name: "StandardScaler", New: func() classical.Estimator { return preprocess.NewStandardScaler() }, Config: tr},
		{Name: "MinMaxScaler", New: func() classical.Estimator { return preprocess.NewMinMaxScaler() }, Config: tr},
		{Name: "RobustScaler", New: func() classical.Estimator { return preprocess.NewRobustScaler() }, Config: tr},
		{Name: "Normalizer", New: func() classical.Estimator { return preprocess.NewNormalizer() }, Config: tr},
		{Name: "SimpleImputer", New: func() classical.Estimator { return preprocess.NewSimpleImputer() }, Config: estimatortest.Config{Task: estimatortest.Transformer, AllowNaN: true}},
		{Name: "SimpleImputerMedian", New: func() classical.Estimator {
			s := preprocess.NewSimpleImputer()
			s.Strategy = "median"
			return s
		}, Config: estimatortest.Config{Task: estimatortest.Transformer, AllowNaN: true}},
		{Name: "OneHotEncoder", New: func() classical.Estimator {
			e := preprocess.NewOneHotEncoder()
			e.HandleUnknown = "ignore"
			return e
		}, Config: estimatortest.Config{Task: estimatortest.Transformer, X: cat}},
		{Name: "OrdinalEncoder", New: func() classical.Estimator {
			e := preprocess.NewOrdinalEncoder()
			e.HandleUnknown = "use_encoded_value"
			return e
		}, Config: estimatortest.Config{Task: estimatortest.Transformer, X: cat}},
		{Name: "PolynomialFeatures", New: func() classical.Estimator { return preprocess.NewPolynomialFeatures() }, Config: tr},
		{Name: "ColumnTransformer", New: func() classical.Estimator {
			return preprocess.NewColumnTransformer(
				preprocess.Columns("num", preprocess.NewStandardScaler(), "a", "c"),
				preprocess.ColumnIndices("mm", preprocess.NewMinMaxScaler(), 1),
			).WithFeatureNames([]string{"a", "b", "c", "d"})
		}, Config: tr},
	})
}

// tol is the tolerance of the comparisons here, relative to the expected
// values: |got-want| <= tol*(1+|want|).
const tol = 1e-9

func fitTransform(t *testing.T, tr classical.Transformer, x []float64, r, c int) []float64 {
	t.Helper()
	X := tensor.FromFloat64(x, r, c)
	if err := tr.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	out, err := tr.Transform(X)
	if err != nil {
		t.Fatal(err)
	}
	return out.Float64s()
}

func TestValues(t *testing.T) {
	x := []float64{1, 10, 2, 20, 3, 30, 4, 100}
	// Values from scikit-learn 1.2.1 on np.array([[1,10],[2,20],[3,30],[4,100]]).
	s := 1 / math.Sqrt(1.25)
	testutil.AllNear(t, "StandardScaler col0", stride(fitTransform(t, preprocess.NewStandardScaler(), x, 4, 2), 0, 2),
		[]float64{-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s}, tol)
	testutil.AllNear(t, "MinMaxScaler", fitTransform(t, preprocess.NewMinMaxScaler(), x, 4, 2),
		[]float64{0, 0, 1. / 3, 1. / 9, 2. / 3, 2. / 9, 1, 1}, tol)
	// RobustScaler: median 2.5 and 25; IQR 1.5 and 30 (numpy percentiles 17.5, 47.5 for col 1).
	testutil.AllNear(t, "RobustScaler", fitTransform(t, preprocess.NewRobustScaler(), x, 4, 2),
		[]float64{-1, -0.5, -1. / 3, -1. / 6, 1. / 3, 1. / 6, 1, 2.5}, tol)
	testutil.AllNear(t, "Normalizer", fitTransform(t, preprocess.NewNormalizer(), []float64{3, 4, 0, 0}, 2, 2), []float64{0.6, 0.8, 0, 0}, tol)
	nan := math.NaN()
	imp := preprocess.NewSimpleImputer()
	testutil.AllNear(t, "SimpleImputer mean", fitTransform(t, imp, []float64{1, nan, 3, 2, nan, 4, 5, 9}, 4, 2), []float64{1, 5, 3, 2, 3, 4, 5, 9}, tol)
	imp.Strategy = "most_frequent"
	testutil.AllNear(t, "SimpleImputer most_frequent", fitTransform(t, imp, []float64{1, nan, 3, 2, 3, 2, nan, 9}, 4, 2), []float64{1, 2, 3, 2, 3, 2, 3, 9}, tol)
	imp = preprocess.NewSimpleImputer()
	testutil.AllNear(t, "SimpleImputer drops empty column", fitTransform(t, imp, []float64{1, nan, 3, nan}, 2, 2), []float64{1, 3}, tol)
	pf := preprocess.NewPolynomialFeatures()
	testutil.AllNear(t, "PolynomialFeatures", fitTransform(t, pf, []float64{2, 3}, 1, 2), []float64{1, 2, 3, 4, 6, 9}, tol)
	names, _ := pf.FeatureNamesOut([]string{"a", "b"})
	if !slices.Equal(names, []string{"1", "a", "b", "a^2", "a b", "b^2"}) {
		t.Fatalf("names %v", names)
	}
	pf.InteractionOnly, pf.IncludeBias, pf.Degree = true, false, 3
	testutil.AllNear(t, "PolynomialFeatures interaction", fitTransform(t, pf, []float64{2, 3, 5}, 1, 3), []float64{2, 3, 5, 6, 10, 15, 30}, tol)
}

func stride(v []float64, off, step int) []float64 {
	var out []float64
	for i := off; i < len(v); i += step {
		out = append(out, v[i])
	}
	return out
}

func TestOneHotAndColumnTransformer(t *testing.T) {
	// age, dept, salary
	X := tensor.FromFloat64([]float64{
		30, 2, 100,
		40, 1, 200,
		50, 2, 300,
	}, 3, 3)
	oh := preprocess.NewOneHotEncoder()
	ct := preprocess.NewColumnTransformer(
		preprocess.Columns("num", preprocess.NewMinMaxScaler(), "age", "salary"),
		preprocess.Columns("cat", oh, "dept"),
	).WithFeatureNames([]string{"age", "dept", "salary"})
	if err := ct.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	out, err := ct.Transform(X)
	if err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "ColumnTransformer", out.Float64s(), []float64{0, 0, 0, 1, 0.5, 0.5, 1, 0, 1, 1, 0, 1}, tol)
	names, err := ct.FeatureNamesOut(nil)
	if err != nil || !slices.Equal(names, []string{"num__age", "num__salary", "cat__dept_1", "cat__dept_2"}) {
		t.Fatalf("names %v %v", names, err)
	}
	// Unknown category errors by default.
	_, err = ct.Transform(tensor.FromFloat64([]float64{30, 7, 100}, 1, 3))
	if !errors.Is(err, classical.ErrInvalidInput) {
		t.Fatalf("unknown category: %v", err)
	}
	if err := ct.SetParams(map[string]any{"cat__handle_unknown": "ignore", "remainder": "passthrough"}); err != nil {
		t.Fatal(err)
	}
	out, err = ct.Transform(tensor.FromFloat64([]float64{30, 7, 100}, 1, 3))
	if err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "ignore unknown", out.Float64s(), []float64{0, 0, 0, 0}, tol)
	if err := ct.SetParams(map[string]any{"nope__x": 1}); !errors.Is(err, classical.ErrUnknownParam) {
		t.Fatalf("unknown nested: %v", err)
	}
	bad := preprocess.NewColumnTransformer(preprocess.Columns("num", preprocess.NewStandardScaler(), "zzz")).WithFeatureNames([]string{"a", "b", "c"})
	if err := bad.Fit(ctx, X, nil); err == nil {
		t.Fatal("unknown column name accepted")
	}
	// Remainder passthrough keeps the unselected columns at the end.
	rp := preprocess.NewColumnTransformer(preprocess.ColumnIndices("s", preprocess.NewMinMaxScaler(), 2))
	rp.Remainder = "passthrough"
	out2 := fitTransform(t, rp, X.Float64s(), 3, 3)
	testutil.AllNear(t, "remainder", out2[:3], []float64{0, 30, 2}, tol)
}

func TestLabelEncoder(t *testing.T) {
	le := preprocess.NewLabelEncoder()
	if err := le.Fit(ctx, nil, classical.Vector([]float64{5, 2, 5, 9})); err != nil {
		t.Fatal(err)
	}
	c, err := le.Encode(classical.Vector([]float64{9, 2, 5}))
	if err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "encode", c.Float64s(), []float64{2, 0, 1}, tol)
	d, _ := le.Decode(c)
	testutil.AllNear(t, "decode", d.Float64s(), []float64{9, 2, 5}, tol)
	if _, err := le.Encode(classical.Vector([]float64{3})); err == nil {
		t.Fatal("unseen label accepted")
	}
}
