package neighbors_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/neighbors"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

func TestConformance(t *testing.T) {
	cls := estimatortest.Config{Task: estimatortest.Classifier}
	reg := estimatortest.Config{Task: estimatortest.Regressor}
	for _, c := range []struct {
		name  string
		fresh func() classical.Estimator
		cfg   estimatortest.Config
	}{
		{"Classifier", func() classical.Estimator { return neighbors.NewKNeighborsClassifier() }, cls},
		{"ClassifierBruteDistance", func() classical.Estimator {
			k := neighbors.NewKNeighborsClassifier()
			k.Algorithm, k.Weights = "brute", "distance"
			return k
		}, cls},
		{"ClassifierManhattanTree", func() classical.Estimator {
			k := neighbors.NewKNeighborsClassifier()
			k.Algorithm, k.P = "kd_tree", 1
			return k
		}, cls},
		{"Regressor", func() classical.Estimator { return neighbors.NewKNeighborsRegressor() }, reg},
		{"RegressorBrute", func() classical.Estimator {
			k := neighbors.NewKNeighborsRegressor()
			k.Algorithm, k.Weights = "brute", "distance"
			return k
		}, reg},
	} {
		t.Run(c.name, func(t *testing.T) { estimatortest.Check(t, c.fresh, c.cfg) })
	}
}

func ref(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../testdata/sklearn_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	return all["neighbors"].(map[string]any)
}

func floats(v any) []float64 {
	a := v.([]any)
	out := make([]float64, len(a))
	for i, x := range a {
		out[i] = x.(float64)
	}
	return out
}

func nearAll(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, scikit-learn %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, scikit-learn %v", what, i, got[i], want[i])
		}
	}
}

// wine returns the scaled wine data split as the reference script does:
// every fourth sample is a query.
func wine(t *testing.T, r map[string]any) (Xtr, ytr, Xte *tensor.Tensor) {
	t.Helper()
	_, y, err := testdata.Load("wine_data.csv")
	if err != nil {
		t.Fatal(err)
	}
	x := floats(r["X_wine_scaled"])
	var tr, te []int
	for i := 0; i < 178; i++ {
		if i%4 != 0 {
			tr = append(tr, i)
		} else {
			te = append(te, i)
		}
	}
	X := tensor.FromFloat64(x, 178, 13)
	return tensor.IndexSelect(X, 0, tr), tensor.IndexSelect(y, 0, tr), tensor.IndexSelect(X, 0, te)
}

func TestAgainstScikitLearn(t *testing.T) {
	r := ref(t)
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
			nearAll(t, alg+" "+w+" predictions", pred.Float64s(), floats(want["pred"]))
			nearAll(t, alg+" "+w+" probabilities", pr.Float64s(), floats(want["proba"]))

			kr := neighbors.NewKNeighborsRegressor()
			kr.Weights, kr.Algorithm = w, alg
			target := Xtr.Slice(1, 0, 1, 1).Contiguous().Reshape(Xtr.Shape()[0])
			if err := kr.Fit(ctx, Xtr, target); err != nil {
				t.Fatal(err)
			}
			rp, _ := kr.Predict(Xte)
			nearAll(t, alg+" "+w+" regression", rp.Float64s(), floats(r["knr_"+w].(map[string]any)["pred"]))
		}
		k := neighbors.NewKNeighborsClassifier()
		k.NNeighbors, k.P, k.Algorithm = 3, 1, alg
		if err := k.Fit(ctx, Xtr, ytr); err != nil {
			t.Fatal(err)
		}
		pr, _ := k.PredictProba(Xte)
		nearAll(t, alg+" manhattan probabilities", pr.Float64s(), floats(r["knn_manhattan"].(map[string]any)["proba"]))
		k.NNeighbors, k.P = 5, 2
		if err := k.Fit(ctx, Xtr, ytr); err != nil {
			t.Fatal(err)
		}
		d, idx, err := k.KNeighbors(Xte, 4)
		if err != nil {
			t.Fatal(err)
		}
		nearAll(t, alg+" kneighbors distances", d.Float64s(), floats(r["kneighbors_dist"]))
		wi := floats(r["kneighbors_idx"])
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
