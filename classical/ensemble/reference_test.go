package ensemble_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/tensor"
)

// refModel returns the ember model with the settings of the key in
// classical/tree/testdata/gen_sklearn_trees.py.
func refModel(key string) classical.Estimator {
	switch key {
	case "rf":
		return ensemble.NewRandomForestClassifier()
	case "et":
		return ensemble.NewExtraTreesClassifier()
	case "gb":
		return ensemble.NewGradientBoostingClassifier()
	case "ada":
		return ensemble.NewAdaBoostClassifier()
	case "ada_samme":
		m := ensemble.NewAdaBoostClassifier()
		m.Algorithm = "SAMME"
		return m
	case "hgb":
		return ensemble.NewHistGradientBoostingClassifier()
	case "bag":
		return ensemble.NewBaggingClassifier(nil)
	case "vote":
		dt := tree.NewDecisionTreeClassifier()
		dt.MaxDepth = 3
		rf := ensemble.NewRandomForestClassifier()
		rf.NEstimators = 20
		gb := ensemble.NewGradientBoostingClassifier()
		gb.NEstimators = 20
		v := ensemble.NewVotingClassifier(ensemble.Named{Name: "dt", Estimator: dt}, ensemble.Named{Name: "rf", Estimator: rf}, ensemble.Named{Name: "gb", Estimator: gb})
		v.Voting = "soft"
		return v
	case "rfr":
		return ensemble.NewRandomForestRegressor()
	case "etr":
		return ensemble.NewExtraTreesRegressor()
	case "gbr":
		return ensemble.NewGradientBoostingRegressor()
	case "gbr_huber":
		m := ensemble.NewGradientBoostingRegressor()
		m.Loss = "huber"
		return m
	case "gbr_abs":
		m := ensemble.NewGradientBoostingRegressor()
		m.Loss = "absolute_error"
		return m
	case "adar":
		return ensemble.NewAdaBoostRegressor()
	case "hgbr":
		return ensemble.NewHistGradientBoostingRegressor()
	}
	return nil
}

// TestScoresNearScikitLearn fits every ensemble on fixed splits of iris,
// wine and breast_cancer (test rows: index % 4 == 0) and compares the test
// accuracy (R² for regressors, predicting the first feature from the
// others) with scikit-learn 1.2's, recorded by gen_sklearn_trees.py.
func TestScoresNearScikitLearn(t *testing.T) {
	b, err := os.ReadFile("../tree/testdata/sklearn_trees.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct{ Scores map[string]float64 }
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	cls := []string{"rf", "et", "gb", "ada", "ada_samme", "hgb", "bag", "vote"}
	reg := []string{"rfr", "etr", "gbr", "gbr_huber", "gbr_abs", "adar", "hgbr"}
	if testing.Short() {
		cls, reg = []string{"rf", "hgb", "ada"}, []string{"gbr"}
	}
	for _, data := range []string{"iris.csv", "wine_data.csv", "breast_cancer.csv"} {
		X, y, err := testdata.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		Xtr, ytr, Xte, yte := split(X, y)
		nTest := float64(yte.Shape()[0])
		for _, key := range cls {
			m := refModel(key)
			if err := m.Fit(context.Background(), Xtr, ytr); err != nil {
				t.Fatalf("%s %s: %v", data, key, err)
			}
			s, err := m.(classical.Scorer).Score(Xte, yte)
			if err != nil {
				t.Fatal(err)
			}
			want := ref.Scores[data+"/"+key]
			t.Logf("%-18s %-10s ember %.4f scikit-learn %.4f", data, key, s, want)
			// Random models differ from scikit-learn's draws: allow two
			// test samples below its accuracy.
			if s < want-2/nTest-1e-9 {
				t.Errorf("%s %s: accuracy %.4f, scikit-learn %.4f", data, key, s, want)
			}
		}
		Rtr, ttr := regression(Xtr)
		Rte, tte := regression(Xte)
		for _, key := range reg {
			m := refModel(key)
			if err := m.Fit(context.Background(), Rtr, ttr); err != nil {
				t.Fatalf("%s %s: %v", data, key, err)
			}
			s, err := m.(classical.Scorer).Score(Rte, tte)
			if err != nil {
				t.Fatal(err)
			}
			want := ref.Scores[data+"/"+key]
			t.Logf("%-18s %-10s ember %.4f scikit-learn %.4f", data, key, s, want)
			if s < want-0.03 {
				t.Errorf("%s %s: R² %.4f, scikit-learn %.4f", data, key, s, want)
			}
		}
	}
}

func split(X, y *tensor.Tensor) (Xtr, ytr, Xte, yte *tensor.Tensor) {
	n, p := X.Shape()[0], X.Shape()[1]
	xd, yd := X.Float64s(), y.Float64s()
	var a, b, c, d []float64
	for i := 0; i < n; i++ {
		if i%4 == 0 {
			c = append(c, xd[i*p:(i+1)*p]...)
			d = append(d, yd[i])
		} else {
			a = append(a, xd[i*p:(i+1)*p]...)
			b = append(b, yd[i])
		}
	}
	return tensor.FromFloat64(a, len(b), p), classical.Vector(b), tensor.FromFloat64(c, len(d), p), classical.Vector(d)
}

func regression(X *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
	n, p := X.Shape()[0], X.Shape()[1]
	xd := X.Float64s()
	var a, t []float64
	for i := 0; i < n; i++ {
		a = append(a, xd[i*p+1:(i+1)*p]...)
		t = append(t, xd[i*p])
	}
	return tensor.FromFloat64(a, n, p-1), classical.Vector(t)
}
