package classical_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
	"github.com/ember-ml/ember/tensor"
)

// meanRegressor is the smallest complete estimator: it predicts the
// (shrunk) mean of y. It shows the pattern every estimator follows.
type meanRegressor struct {
	Shrink float64
	mean   float64
	nFeat  int
	fitted bool
}

func newMeanRegressor() *meanRegressor { return &meanRegressor{Shrink: 0} }

func (m *meanRegressor) params() classical.Params {
	return classical.Params{classical.Float("shrink", &m.Shrink)}
}
func (m *meanRegressor) GetParams() map[string]any { return m.params().Get() }
func (m *meanRegressor) SetParams(p map[string]any) error {
	return m.params().Set("meanRegressor", p)
}
func (m *meanRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(m, newMeanRegressor)
}
func (m *meanRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	xm, ys, err := classical.CheckXY("meanRegressor", X, y)
	if err != nil {
		return err
	}
	s := 0.0
	for _, v := range ys {
		s += v
	}
	m.mean = (1 - m.Shrink) * s / float64(len(ys))
	m.nFeat, m.fitted = xm.Cols, true
	return nil
}
func (m *meanRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	if !m.fitted {
		return nil, classical.NotFitted("meanRegressor")
	}
	xm, err := classical.CheckFeatures("meanRegressor", X, m.nFeat)
	if err != nil {
		return nil, err
	}
	out := make([]float64, xm.Rows)
	for i := range out {
		out[i] = m.mean
	}
	return classical.Vector(out), nil
}
func (m *meanRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("meanRegressor", m, X, y)
}
func (m *meanRegressor) TypeName() string { return "test.meanRegressor" }

type meanState struct {
	Mean  float64 `json:"mean"`
	NFeat int     `json:"n_features"`
}

func (m *meanRegressor) MarshalState() ([]byte, error) {
	if !m.fitted {
		return []byte("null"), nil
	}
	return json.Marshal(meanState{m.mean, m.nFeat})
}
func (m *meanRegressor) UnmarshalState(b []byte) error {
	var s meanState
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s.NFeat < 1 {
		return errors.New("n_features must be positive")
	}
	m.mean, m.nFeat, m.fitted = s.Mean, s.NFeat, true
	return nil
}

func init() {
	classical.Register("test.meanRegressor", func() classical.Estimator { return newMeanRegressor() })
}

func TestMeanRegressorConformance(t *testing.T) {
	// The suite's own sanity: a trivial regressor has a low score, so use
	// data it can fit (constant y).
	X, _ := estimatortest.Data(estimatortest.Regressor, false, false)
	y := tensor.Full(tensor.Float64, 3, X.Shape()[0])
	estimatortest.Check(t, func() classical.Estimator { return newMeanRegressor() },
		estimatortest.Config{Task: estimatortest.Regressor, X: X, Y: y})
}

func TestParams(t *testing.T) {
	m := newMeanRegressor()
	if err := m.SetParams(map[string]any{"shrink": 0.5}); err != nil || m.Shrink != 0.5 {
		t.Fatalf("SetParams: %v %v", err, m.Shrink)
	}
	if err := m.SetParams(map[string]any{"shrink": "x"}); !errors.Is(err, classical.ErrInvalidParam) {
		t.Fatalf("wrong type: %v", err)
	}
	if err := m.SetParams(map[string]any{"bogus": 1, "shrink": 0.1}); !errors.Is(err, classical.ErrUnknownParam) || m.Shrink != 0.5 {
		t.Fatalf("unknown: %v (shrink %v must be unchanged)", err, m.Shrink)
	}
	var n int
	p := classical.Int("n", &n)
	if err := p.Set(3.0); err != nil || n != 3 {
		t.Fatal(err)
	}
	if err := p.Set(3.5); err == nil {
		t.Fatal("3.5 accepted as int")
	}
}

func TestFloatsRoundTrip(t *testing.T) {
	in := classical.Floats{1, math.Copysign(0, -1), 1e-300, 3.14159}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out classical.Floats
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if in[i] != out[i] {
			t.Fatalf("%v != %v", in, out)
		}
	}
	if err := json.Unmarshal([]byte(`"AAA="`), &out); err == nil {
		t.Fatal("bad length accepted")
	}
}

func TestValidationMessages(t *testing.T) {
	_, err := classical.CheckX("Ridge", tensor.New(tensor.Float64, 3))
	if err == nil || !errors.Is(err, classical.ErrInvalidInput) || err.Error() != "Ridge: invalid input: X must be 2-D [n_samples, n_features], got shape [3]" {
		t.Fatalf("got %v", err)
	}
	_, err = classical.CheckFeatures("Ridge", tensor.New(tensor.Float64, 2, 3), 4)
	if err == nil || err.Error() != "Ridge: invalid input: X has 3 features (shape [2 3]) but the estimator was fitted with 4" {
		t.Fatalf("got %v", err)
	}
}
