package preprocess_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	X, _ := estimatortest.Data(estimatortest.Transformer, false, false)
	// Categorical data for the encoders: small integers.
	cat := tensor.Floor(tensor.Clip(X, 0, 3))
	cases := []struct {
		name  string
		fresh func() classical.Estimator
		cfg   estimatortest.Config
	}{
		{"StandardScaler", func() classical.Estimator { return preprocess.NewStandardScaler() }, estimatortest.Config{Task: estimatortest.Transformer}},
		{"MinMaxScaler", func() classical.Estimator { return preprocess.NewMinMaxScaler() }, estimatortest.Config{Task: estimatortest.Transformer}},
		{"RobustScaler", func() classical.Estimator { return preprocess.NewRobustScaler() }, estimatortest.Config{Task: estimatortest.Transformer}},
		{"Normalizer", func() classical.Estimator { return preprocess.NewNormalizer() }, estimatortest.Config{Task: estimatortest.Transformer}},
		{"SimpleImputer", func() classical.Estimator { return preprocess.NewSimpleImputer() }, estimatortest.Config{Task: estimatortest.Transformer, AllowNaN: true}},
		{"SimpleImputerMedian", func() classical.Estimator {
			s := preprocess.NewSimpleImputer()
			s.Strategy = "median"
			return s
		}, estimatortest.Config{Task: estimatortest.Transformer, AllowNaN: true}},
		{"OneHotEncoder", func() classical.Estimator {
			e := preprocess.NewOneHotEncoder()
			e.HandleUnknown = "ignore"
			return e
		}, estimatortest.Config{Task: estimatortest.Transformer, X: cat}},
		{"OrdinalEncoder", func() classical.Estimator {
			e := preprocess.NewOrdinalEncoder()
			e.HandleUnknown = "use_encoded_value"
			return e
		}, estimatortest.Config{Task: estimatortest.Transformer, X: cat}},
		{"PolynomialFeatures", func() classical.Estimator { return preprocess.NewPolynomialFeatures() }, estimatortest.Config{Task: estimatortest.Transformer}},
		{"ColumnTransformer", func() classical.Estimator {
			return preprocess.NewColumnTransformer(
				preprocess.Columns("num", preprocess.NewStandardScaler(), "a", "c"),
				preprocess.ColumnIndices("mm", preprocess.NewMinMaxScaler(), 1),
			).WithFeatureNames([]string{"a", "b", "c", "d"})
		}, estimatortest.Config{Task: estimatortest.Transformer}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { estimatortest.Check(t, c.fresh, c.cfg) })
	}
}

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

func near(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
}

func TestValues(t *testing.T) {
	x := []float64{1, 10, 2, 20, 3, 30, 4, 100}
	// Values from scikit-learn 1.2.1 on np.array([[1,10],[2,20],[3,30],[4,100]]).
	s := 1 / math.Sqrt(1.25)
	near(t, "StandardScaler col0", stride(fitTransform(t, preprocess.NewStandardScaler(), x, 4, 2), 0, 2),
		[]float64{-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s})
	near(t, "MinMaxScaler", fitTransform(t, preprocess.NewMinMaxScaler(), x, 4, 2),
		[]float64{0, 0, 1. / 3, 1. / 9, 2. / 3, 2. / 9, 1, 1})
	// RobustScaler: median 2.5 and 25; IQR 1.5 and 30 (numpy percentiles 17.5, 47.5 for col 1).
	near(t, "RobustScaler", fitTransform(t, preprocess.NewRobustScaler(), x, 4, 2),
		[]float64{-1, -0.5, -1. / 3, -1. / 6, 1. / 3, 1. / 6, 1, 2.5})
	near(t, "Normalizer", fitTransform(t, preprocess.NewNormalizer(), []float64{3, 4, 0, 0}, 2, 2), []float64{0.6, 0.8, 0, 0})
	nan := math.NaN()
	imp := preprocess.NewSimpleImputer()
	near(t, "SimpleImputer mean", fitTransform(t, imp, []float64{1, nan, 3, 2, nan, 4, 5, 9}, 4, 2), []float64{1, 5, 3, 2, 3, 4, 5, 9})
	imp.Strategy = "most_frequent"
	near(t, "SimpleImputer most_frequent", fitTransform(t, imp, []float64{1, nan, 3, 2, 3, 2, nan, 9}, 4, 2), []float64{1, 2, 3, 2, 3, 2, 3, 9})
	imp = preprocess.NewSimpleImputer()
	near(t, "SimpleImputer drops empty column", fitTransform(t, imp, []float64{1, nan, 3, nan}, 2, 2), []float64{1, 3})
	pf := preprocess.NewPolynomialFeatures()
	near(t, "PolynomialFeatures", fitTransform(t, pf, []float64{2, 3}, 1, 2), []float64{1, 2, 3, 4, 6, 9})
	names, _ := pf.FeatureNamesOut([]string{"a", "b"})
	if !slices.Equal(names, []string{"1", "a", "b", "a^2", "a b", "b^2"}) {
		t.Fatalf("names %v", names)
	}
	pf.InteractionOnly, pf.IncludeBias, pf.Degree = true, false, 3
	near(t, "PolynomialFeatures interaction", fitTransform(t, pf, []float64{2, 3, 5}, 1, 3), []float64{2, 3, 5, 6, 10, 15, 30})
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
	near(t, "ColumnTransformer", out.Float64s(), []float64{0, 0, 0, 1, 0.5, 0.5, 1, 0, 1, 1, 0, 1})
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
	near(t, "ignore unknown", out.Float64s(), []float64{0, 0, 0, 0})
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
	near(t, "remainder", out2[:3], []float64{0, 30, 2})
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
	near(t, "encode", c.Float64s(), []float64{2, 0, 1})
	d, _ := le.Decode(c)
	near(t, "decode", d.Float64s(), []float64{9, 2, 5})
	if _, err := le.Encode(classical.Vector([]float64{3})); err == nil {
		t.Fatal("unseen label accepted")
	}
}
