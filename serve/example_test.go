package serve_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/tensor"
)

// A model behind the HTTP API: here a hand-written classifier; saved ember
// models are loaded with serve/adapt's Load (what cmd/serve does).
func Example() {
	model := serve.FuncPredictor{
		ModelInfo: serve.Info{Name: "sign", Version: "1", Kind: serve.Classifier, NumFeatures: 2, Classes: []string{"negative", "positive"}},
		Fn: func(ctx context.Context, x *tensor.Tensor) (serve.Output, error) {
			v := x.Float64s()
			var out serve.Output
			for i := 0; i < len(v); i += 2 {
				p := 0.0
				if v[i]+v[i+1] > 0 {
					p = 1
				}
				out.Predictions = append(out.Predictions, p)
				out.Probabilities = append(out.Probabilities, []float64{1 - p, p})
			}
			return out, nil
		},
	}
	s := serve.New(serve.Options{})
	defer s.Close()
	if err := s.AddPredictor("", model); err != nil {
		fmt.Println(err)
		return
	}
	ts := httptest.NewServer(s.Handler()) // or s.ListenAndServe(ctx, "127.0.0.1:8080")
	defer ts.Close()

	resp, _ := http.Post(ts.URL+"/predict", "application/json", strings.NewReader(`{"features": [1.5, -0.5]}`))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))

	resp, _ = http.Post(ts.URL+"/predict", "application/json", strings.NewReader(`{"features": [1.5]}`))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	// Output:
	// 200 {"model":"sign","version":"1","prediction":"positive","probability":1,"probabilities":{"negative":0,"positive":1}}
	// 400 {"error":"features has 1 values; the model takes 2"}
}
