package linear_test

import (
	"context"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	reg := estimatortest.Config{Task: estimatortest.Regressor}
	cls := estimatortest.Config{Task: estimatortest.Classifier}
	testutil.Conformance(t, []testutil.Case{
		{Name: "LinearRegression", New: func() classical.Estimator { return linear.NewLinearRegression() }, Config: reg},
		{Name: "Ridge", New: func() classical.Estimator { return linear.NewRidge() }, Config: reg},
		{Name: "Lasso", New: func() classical.Estimator { l := linear.NewLasso(); l.Alpha = 0.01; return l }, Config: reg},
		{Name: "ElasticNet", New: func() classical.Estimator { e := linear.NewElasticNet(); e.Alpha = 0.01; return e }, Config: reg},
		{Name: "LogisticRegression", New: func() classical.Estimator { return linear.NewLogisticRegression() }, Config: cls},
		{Name: "LogisticRegressionBinaryL1", New: func() classical.Estimator {
			l := linear.NewLogisticRegression()
			l.Penalty, l.ClassWeight = "l1", "balanced"
			return l
		}, Config: estimatortest.Config{Task: estimatortest.Classifier, Binary: true}},
		{Name: "LogisticRegressionClassWeightMap", New: func() classical.Estimator {
			l := linear.NewLogisticRegression()
			l.ClassWeight = map[float64]float64{0: 2, 2: 0.5}
			return l
		}, Config: cls},
	})
}

type ref struct {
	Coef      []float64 `json:"coef"`
	Intercept any       `json:"intercept"`
}

func loadRef(t *testing.T) map[string]ref {
	t.Helper()
	var m map[string]ref
	testutil.LoadJSON(t, "testdata/sklearn_linear.json", &m)
	return m
}

func intercepts(v any) []float64 {
	switch x := v.(type) {
	case float64:
		return []float64{x}
	case []any:
		return testutil.Floats(x)
	}
	return nil
}

func TestAgainstScikitLearn(t *testing.T) {
	refs := loadRef(t)
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	n := X.Shape()[0]
	xd := X.Float64s()
	// Regression of petal width on the other three features.
	xr := make([]float64, 0, n*3)
	tr := make([]float64, n)
	for i := 0; i < n; i++ {
		xr = append(xr, xd[i*4:i*4+3]...)
		tr[i] = xd[i*4+3]
	}
	Xr, T := tensor.FromFloat64(xr, n, 3), classical.Vector(tr)
	type linModel interface {
		classical.Estimator
		Coef() []float64
		Intercept() float64
	}
	lasso := linear.NewLasso()
	lasso.Alpha, lasso.Tol, lasso.MaxIter = 0.1, 1e-10, 100000
	enet := linear.NewElasticNet()
	enet.Alpha, enet.L1Ratio, enet.Tol, enet.MaxIter = 0.05, 0.3, 1e-10, 100000
	ridge := linear.NewRidge()
	ridge.Alpha = 2
	for name, m := range map[string]linModel{"ols": linear.NewLinearRegression(), "ridge": ridge, "lasso": lasso, "enet": enet} {
		if err := m.Fit(ctx, Xr, T); err != nil {
			t.Fatal(err)
		}
		testutil.AllNear(t, name+" coef", m.Coef(), refs[name].Coef, 1e-6)
		testutil.AllNear(t, name+" intercept", []float64{m.Intercept()}, intercepts(refs[name].Intercept), 1e-6)
	}

	lr := linear.NewLogisticRegression()
	lr.MaxIter, lr.Tol = 1000, 1e-8
	if err := lr.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "multinomial coef", lr.Coef().Float64s(), refs["logreg_iris"].Coef, 2e-3)
	testutil.AllNear(t, "multinomial intercept", lr.Intercept(), intercepts(refs["logreg_iris"].Intercept), 2e-3)

	yb := make([]float64, n)
	for i, v := range y.Float64s() {
		if v == 1 {
			yb[i] = 1
		}
	}
	lr = linear.NewLogisticRegression()
	lr.C, lr.Tol = 0.5, 1e-8
	if err := lr.Fit(ctx, X, classical.Vector(yb)); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "binary coef", lr.Coef().Float64s(), refs["logreg_iris_binary_C0.5"].Coef, 1e-3)
	testutil.AllNear(t, "binary intercept", lr.Intercept(), intercepts(refs["logreg_iris_binary_C0.5"].Intercept), 1e-3)

	lr = linear.NewLogisticRegression()
	lr.ClassWeight, lr.Tol, lr.MaxIter = "balanced", 1e-8, 1000
	if err := lr.Fit(ctx, X.Slice(0, 0, 120, 1), y.Slice(0, 0, 120, 1)); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "balanced coef", lr.Coef().Float64s(), refs["logreg_balanced"].Coef, 2e-3)

	// L1 (OWL-QN): scikit-learn's liblinear also penalises the intercept a
	// little, so compare the sparsity pattern and loosely the values.
	lr = linear.NewLogisticRegression()
	lr.Penalty, lr.C, lr.Tol, lr.MaxIter = "l1", 0.5, 1e-8, 5000
	if err := lr.Fit(ctx, X, classical.Vector(yb)); err != nil {
		t.Fatal(err)
	}
	c := lr.Coef().Float64s()
	if c[0] != 0 {
		t.Errorf("l1 coef[0] = %v, want exactly 0 (sklearn: %v)", c[0], refs["logreg_iris_binary_l1"].Coef)
	}
	testutil.AllNear(t, "l1 coef[1]", c[1:2], refs["logreg_iris_binary_l1"].Coef[1:2], 0.05)
}

func TestLinearRegressionIllConditioned(t *testing.T) {
	rng := tensor.NewRand(9)
	n := 200
	x := make([]float64, 2*n)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		a := rng.NormFloat64()
		x[2*i], x[2*i+1] = a, a+1e-6*rng.NormFloat64()
		y[i] = x[2*i] + x[2*i+1] + 3
	}
	// cond(X) ~ 1e6: the normal equations would square it to 1e12 and
	// lose about 12 digits; QR keeps the coefficients to ~1e-9.
	m := linear.NewLinearRegression()
	if err := m.Fit(ctx, tensor.FromFloat64(x, n, 2), classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "coef", m.Coef(), []float64{1, 1}, 1e-7)
	testutil.AllNear(t, "intercept", []float64{m.Intercept()}, []float64{3}, 1e-9)

	// Exactly collinear columns: rank deficient, falls back to a
	// regularised solve that still fits.
	for i := 0; i < n; i++ {
		x[2*i+1] = 2 * x[2*i]
		y[i] = 5*x[2*i] + 1
	}
	if err := m.Fit(ctx, tensor.FromFloat64(x, n, 2), classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	if s, _ := m.Score(tensor.FromFloat64(x, n, 2), classical.Vector(y)); s < 1-1e-9 {
		t.Errorf("rank-deficient fit R² = %v", s)
	}
	// The minimum-norm solution of w1 + 2 w2 = 5 is (1, 2).
	testutil.AllNear(t, "min-norm coef", m.Coef(), []float64{1, 2}, 1e-4)
}

// TestLinearRegressionTallSkinnyQR covers the blocked path (more than
// two blocks of rows): it must agree with the normal equations on a
// well-conditioned problem and stay accurate on an ill-conditioned one.
func TestLinearRegressionTallSkinnyQR(t *testing.T) {
	rng := tensor.NewRand(4)
	n, p := 5300, 7
	X := tensor.RandN(tensor.Float64, rng, n, p)
	xd := X.Float64s()
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			y[i] += float64(j+1) * xd[i*p+j]
		}
		y[i] += 3 + 0.1*rng.NormFloat64()
	}
	ols := linear.NewLinearRegression()
	if err := ols.Fit(ctx, X, classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	ridge := linear.NewRidge()
	ridge.Alpha = 0
	if err := ridge.Fit(ctx, X, classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "tsqr vs normal equations", ols.Coef(), ridge.Coef(), 1e-10)
	testutil.AllNear(t, "intercept", []float64{ols.Intercept()}, []float64{ridge.Intercept()}, 1e-10)

	// Nearly collinear pair of columns (cond ~ 1e6), exact targets.
	for i := 0; i < n; i++ {
		xd[i*p+1] = xd[i*p] + 1e-6*rng.NormFloat64()
		y[i] = 0
		for j := 0; j < p; j++ {
			y[i] += xd[i*p+j]
		}
	}
	if err := ols.Fit(ctx, X, classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "ill-conditioned tsqr", ols.Coef(), []float64{1, 1, 1, 1, 1, 1, 1}, 1e-7)

	// Exactly collinear: the stacked R reveals the rank, and the
	// fallback still fits.
	for i := 0; i < n; i++ {
		xd[i*p+1] = 2 * xd[i*p]
	}
	if err := ols.Fit(ctx, X, classical.Vector(y)); err != nil {
		t.Fatal(err)
	}
	if s, _ := ols.Score(X, classical.Vector(y)); s < 1-1e-9 {
		t.Errorf("rank-deficient tsqr fit R² = %v", s)
	}
}
