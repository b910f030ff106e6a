package serve

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

func float32Body(vals ...float32) []byte {
	b := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func TestBinaryRows(t *testing.T) {
	var got *tensor.Tensor
	p := FuncPredictor{
		ModelInfo: Info{Name: "sum", Kind: Regressor, NumFeatures: 2},
		Fn: func(_ context.Context, x *tensor.Tensor) (Output, error) {
			got = x
			v := x.Float64s()
			out := Output{}
			for i := 0; i < len(v); i += 2 {
				out.Predictions = append(out.Predictions, v[i]+v[i+1])
			}
			return out, nil
		},
	}
	s := New(Options{})
	defer s.Close()
	if err := s.AddPredictor("", p); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	post := func(body []byte) (int, string) {
		resp, err := http.Post(ts.URL+"/predict", "application/octet-stream", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post(float32Body(1, 2, 3.5, -1))
	if code != 200 || !strings.Contains(body, `"prediction":3`) || !strings.Contains(body, `"prediction":2.5`) {
		t.Fatalf("%d %s", code, body)
	}
	if sh := got.Shape(); len(sh) != 2 || sh[0] != 2 || sh[1] != 2 || got.DType() != tensor.Float64 {
		t.Fatalf("model got %v %v", got.DType(), sh)
	}
	for _, tc := range []struct {
		body []byte
		want string
	}{
		{float32Body(1, 2, 3), "not whole rows"},
		{nil, "not whole rows"},
		{float32Body(1, float32(math.NaN())), "not a finite number"},
		{float32Body(float32(math.Inf(1)), 0), "not a finite number"},
	} {
		if code, body := post(tc.body); code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("body %v: %d %s, want 400 mentioning %q", tc.body, code, body, tc.want)
		}
	}
}
