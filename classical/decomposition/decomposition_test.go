package decomposition_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/decomposition"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/classical/internal/testutil"
	"github.com/ember-ml/ember/tensor"
)

var ctx = context.Background()

type ref struct {
	Components             []float64 `json:"components"`
	ExplainedVariance      []float64 `json:"explained_variance"`
	ExplainedVarianceRatio []float64 `json:"explained_variance_ratio"`
	SingularValues         []float64 `json:"singular_values"`
	NoiseVariance          float64   `json:"noise_variance"`
	Mean                   []float64 `json:"mean"`
	Transform              []float64 `json:"transform"`
	Inverse                []float64 `json:"inverse"`
	NComponents            int       `json:"n_components"`
}

func load(t *testing.T) (iris, lowrank *tensor.Tensor, refs map[string]ref) {
	t.Helper()
	var raw map[string]json.RawMessage
	testutil.LoadJSON(t, "testdata/sklearn_decomposition.json", &raw)
	var xi, xl []float64
	if err := json.Unmarshal(raw["iris"], &xi); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw["lowrank"], &xl); err != nil {
		t.Fatal(err)
	}
	refs = map[string]ref{}
	for k, v := range raw {
		if k[:3] == "pca" || k[:4] == "tsvd" {
			var r ref
			if err := json.Unmarshal(v, &r); err != nil {
				t.Fatal(k, err)
			}
			refs[k] = r
		}
	}
	return tensor.FromFloat64(xi, 150, 4), tensor.FromFloat64(xl, len(xl)/12, 12), refs
}

func TestConformance(t *testing.T) {
	cfg := estimatortest.Config{Task: estimatortest.Transformer}
	testutil.Conformance(t, []testutil.Case{
		{Name: "PCA", New: func() classical.Estimator { return decomposition.NewPCA(2) }, Config: cfg},
		{Name: "PCAAll", New: func() classical.Estimator { return decomposition.NewPCA(0) }, Config: cfg},
		{Name: "PCAWhitenRandom", New: func() classical.Estimator {
			p := decomposition.NewPCA(2)
			p.Whiten, p.SVDSolver = true, "randomized"
			return p
		}, Config: cfg},
		{Name: "PCAFraction", New: func() classical.Estimator { p := decomposition.NewPCA(0); p.NComponents = 0.9; return p }, Config: cfg},
		{Name: "TruncatedSVD", New: func() classical.Estimator { return decomposition.NewTruncatedSVD(2) }, Config: cfg},
		{Name: "TruncatedSVDFull", New: func() classical.Estimator { s := decomposition.NewTruncatedSVD(3); s.Algorithm = "full"; return s }, Config: cfg},
	})
}

func TestPCAMatchesScikitLearn(t *testing.T) {
	iris, lowrank, refs := load(t)
	cases := []struct {
		name   string
		X      *tensor.Tensor
		pca    *decomposition.PCA
		tol    float64
		rowsTr int
	}{
		{"pca_iris_2", iris, decomposition.NewPCA(2), 1e-9, 150},
		{"pca_iris_all", iris, decomposition.NewPCA(0), 1e-9, 150},
		{"pca_iris_whiten", iris, func() *decomposition.PCA { p := decomposition.NewPCA(3); p.Whiten = true; return p }(), 1e-9, 150},
		{"pca_iris_095", iris, func() *decomposition.PCA { p := decomposition.NewPCA(0); p.NComponents = 0.95; return p }(), 1e-9, 150},
		{"pca_lowrank_3_full", lowrank, func() *decomposition.PCA { p := decomposition.NewPCA(3); p.SVDSolver = "full"; return p }(), 1e-9, 20},
		// auto picks the randomized solver here, as scikit-learn does; it
		// converges to the exact decomposition on this spectrum.
		{"pca_lowrank_3_auto", lowrank, decomposition.NewPCA(3), 1e-7, 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := refs[c.name]
			if err := c.pca.Fit(ctx, c.X, nil); err != nil {
				t.Fatal(err)
			}
			if c.pca.NComponentsFitted() != r.NComponents {
				t.Fatalf("n_components_ = %d, want %d", c.pca.NComponentsFitted(), r.NComponents)
			}
			testutil.AllNear(t, "components", c.pca.Components().Float64s(), r.Components, c.tol)
			testutil.AllNear(t, "explained_variance", c.pca.ExplainedVariance(), r.ExplainedVariance, c.tol)
			testutil.AllNear(t, "explained_variance_ratio", c.pca.ExplainedVarianceRatio(), r.ExplainedVarianceRatio, c.tol)
			testutil.AllNear(t, "singular_values", c.pca.SingularValues(), r.SingularValues, c.tol)
			testutil.AllNear(t, "noise_variance", []float64{c.pca.NoiseVariance()}, []float64{r.NoiseVariance}, 1e-7)
			testutil.AllNear(t, "mean", c.pca.Mean(), r.Mean, 1e-12)
			Z, err := c.pca.Transform(c.X)
			if err != nil {
				t.Fatal(err)
			}
			testutil.AllNear(t, "transform", testutil.Head(Z.Float64s(), len(r.Transform)), r.Transform, c.tol*10)
			back, err := c.pca.InverseTransform(Z)
			if err != nil {
				t.Fatal(err)
			}
			testutil.AllNear(t, "inverse_transform", testutil.Head(back.Float64s(), len(r.Inverse)), r.Inverse, c.tol*10)
		})
	}
}

func TestTruncatedSVDMatchesScikitLearnArpack(t *testing.T) {
	iris, lowrank, refs := load(t)
	for _, c := range []struct {
		name string
		X    *tensor.Tensor
		k    int
	}{{"tsvd_iris_2", iris, 2}, {"tsvd_lowrank_3", lowrank, 3}} {
		for _, alg := range []string{"full", "randomized"} {
			t.Run(c.name+"_"+alg, func(t *testing.T) {
				r := refs[c.name]
				s := decomposition.NewTruncatedSVD(c.k)
				s.Algorithm = alg
				Z, err := s.FitTransform(ctx, c.X)
				if err != nil {
					t.Fatal(err)
				}
				testutil.AllNear(t, "components", s.Components().Float64s(), r.Components, 1e-7)
				testutil.AllNear(t, "singular_values", s.SingularValues(), r.SingularValues, 1e-9)
				testutil.AllNear(t, "explained_variance", s.ExplainedVariance(), r.ExplainedVariance, 1e-7)
				testutil.AllNear(t, "explained_variance_ratio", s.ExplainedVarianceRatio(), r.ExplainedVarianceRatio, 1e-7)
				testutil.AllNear(t, "transform", testutil.Head(Z.Float64s(), len(r.Transform)), r.Transform, 1e-7)
				back, err := s.InverseTransform(Z)
				if err != nil || back.Shape()[1] != c.X.Shape()[1] {
					t.Fatalf("inverse: %v %v", err, back)
				}
			})
		}
	}
}

func TestPCAInvalid(t *testing.T) {
	iris, _, _ := load(t)
	p := decomposition.NewPCA(5)
	if err := p.Fit(ctx, iris, nil); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("n_components > features: %v", err)
	}
	if err := p.SetParams(map[string]any{"n_components": 1.5}); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("n_components 1.5: %v", err)
	}
	if err := p.SetParams(map[string]any{"n_components": "mle"}); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("n_components mle: %v", err)
	}
	p = decomposition.NewPCA(0)
	p.NComponents, p.SVDSolver = 0.5, "randomized"
	if err := p.Fit(ctx, iris, nil); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("fraction with randomized: %v", err)
	}
	s := decomposition.NewTruncatedSVD(4)
	if err := s.Fit(ctx, iris, nil); !errors.Is(err, classical.ErrInvalidParam) {
		t.Errorf("TruncatedSVD with k = n_features: %v", err)
	}
}

// A rank-deficient input exercises the Gram-Schmidt fallback of the
// randomized solver and the plain SVD fallback of the full one.
func TestRandomizedRankDeficient(t *testing.T) {
	n, d := 600, 20
	x := make([]float64, n*d)
	rng := tensor.NewRand(4)
	for i := 0; i < n; i++ {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		for j := 0; j < d; j++ {
			x[i*d+j] = a*float64(j+1) + b*float64(j%3)
		}
	}
	X := tensor.FromFloat64(x, n, d)
	// The full solver's Cholesky QR reduction fails on rank-deficient data
	// and falls back to the SVD of X itself.
	for _, solver := range []string{"randomized", "full"} {
		p := decomposition.NewPCA(5)
		p.SVDSolver = solver
		if err := p.Fit(ctx, X, nil); err != nil {
			t.Fatal(err)
		}
		ratio := p.ExplainedVarianceRatio()
		if s := ratio[0] + ratio[1]; math.Abs(s-1) > 1e-9 {
			t.Errorf("%s: two directions explain %v of the variance, want 1", solver, s)
		}
		Z, _ := p.Transform(X)
		back, _ := p.InverseTransform(Z)
		if !tensor.AllClose(back, X, 1e-8, 1e-8) {
			t.Errorf("%s: inverse transform does not reconstruct rank-2 data", solver)
		}
	}
}

// With fewer samples than features the randomized solver works on Xᵀ;
// on a clearly decaying spectrum it must agree with the exact SVD, signs
// included.
func TestRandomizedWideMatchesFull(t *testing.T) {
	n, d, r := 40, 90, 4
	rng := tensor.NewRand(8)
	u := make([]float64, n*r)
	v := make([]float64, r*d)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	x := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			s := 0.01 * rng.NormFloat64()
			for c := 0; c < r; c++ {
				s += u[i*r+c] * v[c*d+j] * math.Pow(0.3, float64(c))
			}
			x[i*d+j] = s
		}
	}
	X := tensor.FromFloat64(x, n, d)
	full, rnd := decomposition.NewPCA(3), decomposition.NewPCA(3)
	full.SVDSolver, rnd.SVDSolver = "full", "randomized"
	if err := full.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	if err := rnd.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "singular values", rnd.SingularValues(), full.SingularValues(), 1e-8)
	testutil.AllNear(t, "components", rnd.Components().Float64s(), full.Components().Float64s(), 1e-6)
	s1, s2 := decomposition.NewTruncatedSVD(3), decomposition.NewTruncatedSVD(3)
	s2.Algorithm = "full"
	if err := s1.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	if err := s2.Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
	testutil.AllNear(t, "TruncatedSVD components", s1.Components().Float64s(), s2.Components().Float64s(), 1e-6)
}
