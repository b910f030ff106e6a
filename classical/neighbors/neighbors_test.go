package neighbors_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/classical/neighbors"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	cls := estimatortest.Config{Task: estimatortest.Classifier}
	reg := estimatortest.Config{Task: estimatortest.Regressor}
	testutil.Conformance(t, []testutil.Case{
		{Name: "Classifier", New: func() classical.Estimator { return neighbors.NewKNeighborsClassifier() }, Config: cls},
		{Name: "ClassifierBruteDistance", New: func() classical.Estimator {
			k := neighbors.NewKNeighborsClassifier()
			k.Algorithm, k.Weights = "brute", "distance"
			return k
		}, Config: cls},
		{Name: "ClassifierManhattanTree", New: func() classical.Estimator {
			k := neighbors.NewKNeighborsClassifier()
			k.Algorithm, k.P = "kd_tree", 1
			return k
		}, Config: cls},
		{Name: "Regressor", New: func() classical.Estimator { return neighbors.NewKNeighborsRegressor() }, Config: reg},
		{Name: "RegressorBrute", New: func() classical.Estimator {
			k := neighbors.NewKNeighborsRegressor()
			k.Algorithm, k.Weights = "brute", "distance"
			return k
		}, Config: reg},
	})
}

// tol is the tolerance of the comparisons with scikit-learn, relative to
// its values: |got-want| <= tol*(1+|want|).
const tol = 1e-9

// wine returns the scaled wine data split as the reference script does:
// every fourth sample is a query.
func wine(t *testing.T, r map[string]any) (Xtr, ytr, Xte *tensor.Tensor) {
	t.Helper()
	_, y, err := testdata.Load("wine_data.csv")
	if err != nil {
		t.Fatal(err)
	}
	X := tensor.FromFloat64(testutil.Floats(r["X_wine_scaled"]), 178, 13)
	Xtr, ytr, Xte, _ = testutil.SplitEveryFourth(X, y)
	return Xtr, ytr, Xte
}

func TestAgainstScikitLearn(t *testing.T) {
	r := testutil.SklearnRef(t, "neighbors")
	Xtr, ytr, Xte := wine(t, r)
	for _, alg := range []string{"brute", "kd_tree"} {
		for _, w := range []string{"uniform", "distance"} {
			k := neighbors.NewKNeighborsClassifier()
			k.NNeighbors, k.Weights, k.Algorithm = 7, w, alg
			if err := k.Fit(ctx, Xtr, ytr); err != nil {
				t.Fatal(err)
			}
			want := r["knn_"+w].(map[string]any)
			pred, _ := k.Predict(Xte)
			pr, _ := k.PredictProba(Xte)
			testutil.AllNear(t, alg+" "+w+" predictions", pred.Float64s(), testutil.Floats(want["pred"]), tol)
			testutil.AllNear(t, alg+" "+w+" probabilities", pr.Float64s(), testutil.Floats(want["proba"]), tol)

			kr := neighbors.NewKNeighborsRegressor()
			kr.Weights, kr.Algorithm = w, alg
			target := Xtr.Slice(1, 0, 1, 1).Contiguous().Reshape(Xtr.Shape()[0])
			if err := kr.Fit(ctx, Xtr, target); err != nil {
				t.Fatal(err)
			}
			rp, _ := kr.Predict(Xte)
			testutil.AllNear(t, alg+" "+w+" regression", rp.Float64s(), testutil.Floats(r["knr_"+w].(map[string]any)["pred"]), tol)
		}
		k := neighbors.NewKNeighborsClassifier()
		k.NNeighbors, k.P, k.Algorithm = 3, 1, alg
		if err := k.Fit(ctx, Xtr, ytr); err != nil {
			t.Fatal(err)
		}
		pr, _ := k.PredictProba(Xte)
		testutil.AllNear(t, alg+" manhattan probabilities", pr.Float64s(), testutil.Floats(r["knn_manhattan"].(map[string]any)["proba"]), tol)
		k.NNeighbors, k.P = 5, 2
		if err := k.Fit(ctx, Xtr, ytr); err != nil {
			t.Fatal(err)
		}
		d, idx, err := k.KNeighbors(Xte, 4)
		if err != nil {
			t.Fatal(err)
		}
		testutil.AllNear(t, alg+" kneighbors distances", d.Float64s(), testutil.Floats(r["kneighbors_dist"]), tol)
		wi := testutil.Floats(r["kneighbors_idx"])
		for i := range idx {
			if float64(idx[i]) != wi[i] {
				t.Fatalf("%s kneighbors index %d = %d, scikit-learn %v", alg, i, idx[i], wi[i])
			}
		}
	}
}

func TestTreeMatchesBrute(t *testing.T) {
	rng := tensor.NewRand(5)
	X := tensor.RandN(tensor.Float64, rng, 500, 3)
	Q := tensor.RandN(tensor.Float64, rng, 100, 3)
	y := tensor.RandN(tensor.Float64, rng, 500)
	for _, p := range []float64{1, 2, 3} {
		a, b := neighbors.NewKNeighborsRegressor(), neighbors.NewKNeighborsRegressor()
		a.Algorithm, b.Algorithm, a.P, b.P, a.LeafSize = "brute", "kd_tree", p, p, 4
		b.LeafSize = 4
		if err := a.Fit(ctx, X, y); err != nil {
			t.Fatal(err)
		}
		if err := b.Fit(ctx, X, y); err != nil {
			t.Fatal(err)
		}
		da, ia, _ := a.KNeighbors(Q, 9)
		db, ib, _ := b.KNeighbors(Q, 9)
		for i := range ia {
			if ia[i] != ib[i] || math.Abs(da.Float64s()[i]-db.Float64s()[i]) > 1e-9 {
				t.Fatalf("p=%v: brute and k-d tree differ at %d: %d/%v vs %d/%v", p, i, ia[i], da.Float64s()[i], ib[i], db.Float64s()[i])
			}
		}
	}
}

func TestTooManyNeighbors(t *testing.T) {
	X, y := estimatortest.Data(estimatortest.Classifier, false, false)
	k := neighbors.NewKNeighborsClassifier()
	k.NNeighbors = 1000
	if err := k.Fit(ctx, X, y); !errors.Is(err, classical.ErrInvalidInput) {
		t.Errorf("n_neighbors > samples: %v", err)
	}
}
