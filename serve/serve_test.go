package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ember-ml/ember/tensor"
)

// sumClassifier predicts class 1 when the row sums above zero, with
// probability sigmoid(sum).
func sumClassifier(version string, calls *atomic.Int64) Predictor {
	return FuncPredictor{
		ModelInfo: Info{Name: "sum", Version: version, Kind: Classifier, NumFeatures: 3, Classes: []string{"neg", "pos"}},
		Fn: func(ctx context.Context, x *tensor.Tensor) (Output, error) {
			if calls != nil {
				calls.Add(1)
			}
			n, f := x.Shape()[0], x.Shape()[1]
			xs := x.Float64s()
			out := Output{Predictions: make([]float64, n), Probabilities: make([][]float64, n)}
			for i := 0; i < n; i++ {
				var s float64
				for j := 0; j < f; j++ {
					s += xs[i*f+j]
				}
				p := 1 / (1 + math.Exp(-s))
				out.Probabilities[i] = []float64{1 - p, p}
				if s > 0 {
					out.Predictions[i] = 1
				}
			}
			return out, nil
		},
	}
}

func post(t *testing.T, h http.Handler, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s %s: response is not JSON: %q", path, body, rec.Body.String())
	}
	return rec.Code, m
}

func TestPredictOneAndBatch(t *testing.T) {
	s := New(Options{})
	if err := s.AddPredictor("", sumClassifier("", nil)); err != nil {
		t.Fatal(err)
	}
	code, m := post(t, s.Handler(), "/predict", `{"features": [1, 2, -0.5]}`)
	if code != 200 || m["prediction"] != "pos" || m["model"] != "sum" {
		t.Fatalf("single: %d %v", code, m)
	}
	if p := m["probability"].(float64); math.Abs(p-1/(1+math.Exp(-2.5))) > 1e-12 {
		t.Fatalf("probability %v", p)
	}
	code, m = post(t, s.Handler(), "/models/sum/predict", `{"instances": [[1,1,1],[-1,-1,-1]]}`)
	preds := m["predictions"].([]any)
	if code != 200 || len(preds) != 2 || preds[1].(map[string]any)["prediction"] != "neg" {
		t.Fatalf("batch: %d %v", code, m)
	}
}

func TestBadRequests(t *testing.T) {
	s := New(Options{MaxBodyBytes: 1 << 10, MaxBatchRows: 4})
	if err := s.AddPredictor("", sumClassifier("", nil)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, body string
		code             int
		want             string
	}{
		{"malformed", "/predict", `{"features": [1, 2`, 400, "malformed JSON"},
		{"not an object", "/predict", `[1,2,3]`, 400, "malformed JSON"},
		{"unknown field", "/predict", `{"feature": [1,2,3]}`, 400, "unknown field"},
		{"empty", "/predict", `{}`, 400, `"features"`},
		{"wrong count", "/predict", `{"features": [1,2]}`, 400, "features has 2 values; the model takes 3"},
		{"wrong count in batch", "/predict", `{"instances": [[1,2,3],[1,2]]}`, 400, "instances[1] has 2 values"},
		{"string", "/predict", `{"features": [1,"x",3]}`, 400, `features[1] is "x", not a number`},
		{"NaN string", "/predict", `{"features": [1,"NaN",3]}`, 400, "not a number"},
		{"null", "/predict", `{"features": [1,null,3]}`, 400, "features[1] is null"},
		{"bool", "/predict", `{"features": [true,1,3]}`, 400, "not a number"},
		{"overflow", "/predict", `{"features": [1e999,1,3]}`, 400, "not a finite number"},
		{"too many rows", "/predict", `{"instances": [[1,1,1],[1,1,1],[1,1,1],[1,1,1],[1,1,1]]}`, 400, "at most 4"},
		{"both", "/predict", `{"features":[1,1,1],"instances":[[1,1,1]]}`, 400, "not both"},
		{"oversized", "/predict", `{"features": [` + strings.Repeat("1,", 2000) + `1]}`, 413, "larger than 1024 bytes"},
		{"unknown model", "/predict?model=nope", `{"features":[1,1,1]}`, 404, `unknown model "nope"`},
		{"unknown model path", "/models/nope/predict", `{"features":[1,1,1]}`, 404, "unknown model"},
		{"trailing data", "/predict", `{"features":[1,1,1]} {}`, 400, "more than one value"},
		{"image to tabular", "/predict", `{"image":"aGk="}`, 400, "features"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, m := post(t, s.Handler(), tc.path, tc.body)
			msg, _ := m["error"].(string)
			if code != tc.code || !strings.Contains(msg, tc.want) {
				t.Fatalf("got %d %q, want %d containing %q", code, msg, tc.code, tc.want)
			}
		})
	}
	// Bad requests are counted in the metrics.
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `ember_errors_total{kind="bad_request",model="sum"}`) {
		t.Fatalf("metrics lack bad_request errors:\n%s", rec.Body.String())
	}
}

func TestEndpoints(t *testing.T) {
	s := New(Options{})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/ready", nil))
	if rec.Code != 503 {
		t.Fatalf("/ready with no models: %d", rec.Code)
	}
	if err := s.AddPredictor("", sumClassifier("", nil)); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/health": `"ok"`, "/ready": `"ready"`, "/models": `"num_features":3`, "/openapi.json": `"/models/{name}/predict"`, "/monitor": "no training statistics"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
	}
	var doc map[string]any
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc["openapi"] != "3.0.3" {
		t.Errorf("openapi document: %v %v", err, doc["openapi"])
	}
}

func TestBatchingGathersConcurrentRequests(t *testing.T) {
	var calls atomic.Int64
	p := sumClassifier("", &calls).(FuncPredictor)
	p.ModelInfo.Batched = true
	s := New(Options{BatchWindow: 20 * time.Millisecond, MaxBatch: 64})
	if err := s.AddPredictor("", p); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v := float64(i - 16)
			code, m := post(t, s.Handler(), "/predict", fmt.Sprintf(`{"features":[%g,0,0]}`, v))
			want := "neg"
			if v > 0 {
				want = "pos"
			}
			if code != 200 || m["prediction"] != want {
				t.Errorf("row %d: %d %v", i, code, m)
			}
		}(i)
	}
	wg.Wait()
	if c := calls.Load(); c >= 32 {
		t.Fatalf("32 concurrent requests made %d model calls; batching did nothing", c)
	}
}

// TestHotReloadUnderLoad swaps versions while requests run: none may fail.
func TestHotReloadUnderLoad(t *testing.T) {
	version := atomic.Int64{}
	loader := func(path string) (Predictor, error) {
		v := version.Add(1)
		p := sumClassifier(fmt.Sprint("v", v), nil).(FuncPredictor)
		p.ModelInfo.Batched = v%2 == 0
		return p, nil
	}
	s := New(Options{BatchWindow: time.Millisecond})
	if err := s.Add("m", "model-path", loader); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	var fails, oks atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Post(url+"/predict", "application/json", strings.NewReader(`{"features":[1,2,3]}`))
				if err != nil || resp.StatusCode != 200 {
					fails.Add(1)
				} else {
					oks.Add(1)
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	for i := 0; i < 10; i++ {
		time.Sleep(10 * time.Millisecond)
		resp, err := http.Post(url+"/models/m/reload", "application/json", nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("reload %d: %v %v", i, err, resp)
		}
		resp.Body.Close()
	}
	resp, err := http.Post(url+"/models/m/rollback", "application/json", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("rollback: %v", err)
	}
	resp.Body.Close()
	close(stop)
	wg.Wait()
	if fails.Load() != 0 || oks.Load() == 0 {
		t.Fatalf("%d failed and %d succeeded during hot reload", fails.Load(), oks.Load())
	}
	if got := s.Models()[0].Version; got != "v10" {
		t.Fatalf("after 10 reloads and a rollback the version is %s, want v10", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	release := make(chan struct{})
	p := FuncPredictor{ModelInfo: Info{Name: "slow", Kind: Regressor, NumFeatures: 1}, Fn: func(ctx context.Context, x *tensor.Tensor) (Output, error) {
		<-release
		return Output{Predictions: []float64{42}}, nil
	}}
	s := New(Options{})
	if err := s.AddPredictor("", p); err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/predict", "application/json", strings.NewReader(`{"features":[1]}`))
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	time.Sleep(50 * time.Millisecond)
	cancel() // SIGTERM in cmd/serve
	time.Sleep(50 * time.Millisecond)
	close(release)
	if body := <-got; !strings.Contains(body, `"prediction":42`) {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestNoGoroutineLeakPerRequest(t *testing.T) {
	s := New(Options{})
	if err := s.AddPredictor("", sumClassifier("", nil)); err != nil {
		t.Fatal(err)
	}
	post(t, s.Handler(), "/predict", `{"features":[1,2,3]}`)
	before := runtime.NumGoroutine()
	for i := 0; i < 200; i++ {
		post(t, s.Handler(), "/predict", `{"features":[1,2,3]}`)
		post(t, s.Handler(), "/predict", `{"features":[1,2]}`)
	}
	time.Sleep(20 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+5 {
		t.Fatalf("goroutines grew from %d to %d over 400 requests", before, after)
	}
}

type statsModel struct {
	FuncPredictor
	stats []FeatureStats
}

func (m statsModel) TrainingStats() []FeatureStats { return m.stats }

func TestDriftMonitor(t *testing.T) {
	rng := tensor.NewRand(1)
	train := tensor.RandN(tensor.Float64, rng, 2000, 3)
	stats, err := ComputeStats(train, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(stats[0].Edges) != 9 || math.Abs(stats[0].Props[0]-0.1) > 0.01 {
		t.Fatalf("deciles: %v %v", stats[0].Edges, stats[0].Props)
	}
	s := New(Options{})
	if err := s.AddPredictor("", statsModel{sumClassifier("", nil).(FuncPredictor), stats}); err != nil {
		t.Fatal(err)
	}
	// Feature a drifts by +2 standard deviations; b and c do not.
	for i := 0; i < 500; i++ {
		a, b, c := rng.NormFloat64()+2, rng.NormFloat64(), rng.NormFloat64()
		post(t, s.Handler(), "/predict", fmt.Sprintf(`{"features":[%g,%g,%g]}`, a, b, c))
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/monitor", nil))
	var rep map[string]struct {
		Features []FeatureDrift `json:"features"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	f := rep["sum"].Features
	if f[0].PSI < 1 || f[0].KS < 0.5 || f[1].PSI > 0.1 || f[1].KS > 0.1 || f[0].N != 500 {
		t.Fatalf("drift report %+v", f)
	}
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `ember_feature_drift_psi{feature="a",model="sum"}`) {
		t.Fatal("drift gauges missing from /metrics")
	}
}

func TestKSAndPSIKnownValues(t *testing.T) {
	if d := KS([]float64{1, 2, 3, 4}, []float64{3, 4, 5, 6}); d != 0.5 {
		t.Errorf("KS = %v, want 0.5", d)
	}
	if d := KS([]float64{1, 2}, []float64{1, 2}); d != 0 {
		t.Errorf("KS of equal samples = %v", d)
	}
	// PSI of (0.5,0.5) against counts (25,75): (0.25-0.5)ln(0.5)+(0.75-0.5)ln(1.5).
	want := -0.25*math.Log(0.5) + 0.25*math.Log(1.5)
	if p := PSI([]float64{0.5, 0.5}, []float64{25, 75}); math.Abs(p-want) > 1e-12 {
		t.Errorf("PSI = %v, want %v", p, want)
	}
}

func pngBytes(t testing.TB, w, h int, v uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	img.SetGray(0, 0, color.Gray{255 - v})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImageUploads(t *testing.T) {
	var seen atomic.Value
	p := FuncPredictor{ModelInfo: Info{Name: "img", Kind: Classifier, InputShape: []int{1, 4, 4}, Classes: []string{"dark", "light"}}, Fn: func(ctx context.Context, x *tensor.Tensor) (Output, error) {
		seen.Store(append([]int(nil), x.Shape()...))
		n := x.Shape()[0]
		out := Output{Predictions: make([]float64, n), Probabilities: make([][]float64, n)}
		for i := range out.Probabilities {
			m := tensor.Mean(x.Index(i)).Item()
			out.Probabilities[i] = []float64{1 - m, m}
			if m > 0.5 {
				out.Predictions[i] = 1
			}
		}
		return out, nil
	}}
	s := New(Options{})
	if err := s.AddPredictor("", p); err != nil {
		t.Fatal(err)
	}
	code, m := post(t, s.Handler(), "/predict", fmt.Sprintf(`{"image":%q}`, base64.StdEncoding.EncodeToString(pngBytes(t, 8, 8, 250))))
	if code != 200 || m["prediction"] != "light" {
		t.Fatalf("base64 upload: %d %v", code, m)
	}
	if got := seen.Load().([]int); fmt.Sprint(got) != "[1 1 4 4]" {
		t.Fatalf("model saw shape %v", got)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("image", "x.png")
	fw.Write(pngBytes(t, 28, 28, 5))
	mw.Close()
	req := httptest.NewRequest("POST", "/predict", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"prediction":"dark"`) {
		t.Fatalf("multipart upload: %d %s", rec.Code, rec.Body.String())
	}
	code, m = post(t, s.Handler(), "/predict", `{"image":"bm90IGFuIGltYWdl"}`)
	if code != 400 || !strings.Contains(m["error"].(string), "cannot decode") {
		t.Fatalf("garbage image: %d %v", code, m)
	}
	code, m = post(t, s.Handler(), "/predict", `{"image":"%%%"}`)
	if code != 400 || !strings.Contains(m["error"].(string), "base64") {
		t.Fatalf("bad base64: %d %v", code, m)
	}
}

func FuzzDecodeRows(f *testing.F) {
	for _, s := range []string{`{"features":[1,2,3]}`, `{"instances":[[1,2,3],[4,5,6]]}`, `{"features":[1,"a",null]}`, `{}`, `[`, `{"instances":[[]]}`, `{"features":[1e400]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, _, err := DecodeRows(body, 3, 100)
		if err != nil {
			if _, ok := err.(*httpError); !ok {
				t.Fatalf("error %v is not a client error", err)
			}
			return
		}
		for _, r := range rows {
			if len(r) != 3 {
				t.Fatalf("row width %d", len(r))
			}
			for _, v := range r {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite value %v accepted", v)
				}
			}
		}
	})
}

// TestCategoryNamesAndMissingValues serves a model whose second feature
// holds categories: requests may name them, and where the model imputes,
// give null or an unseen category as missing (NaN).
func TestCategoryNamesAndMissingValues(t *testing.T) {
	var got []float64
	echo := func(missing bool) Predictor {
		return FuncPredictor{
			ModelInfo: Info{Name: "echo", Kind: Regressor, NumFeatures: 2,
				Categories: [][]string{nil, {"red", "green", "blue"}}, AcceptsMissing: missing},
			Fn: func(ctx context.Context, x *tensor.Tensor) (Output, error) {
				got = slices.Clone(x.Float64s())
				return Output{Predictions: make([]float64, x.Shape()[0])}, nil
			},
		}
	}
	s := New(Options{})
	if err := s.AddPredictor("strict", echo(false)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPredictor("imputing", echo(true)); err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	if code, m := post(t, h, "/models/strict/predict", `{"instances": [[1.5, "blue"], [2, 0], [3, "red"]]}`); code != 200 {
		t.Fatalf("category names: %d %v", code, m)
	}
	if want := []float64{1.5, 2, 2, 0, 3, 0}; !slices.Equal(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
	for body, wantErr := range map[string]string{
		`{"features": [1, "purple"]}`: `features[1] is the unknown category "purple"; known: red, green, blue`,
		`{"features": [1, null]}`:     "features[1] is null",
		`{"features": ["red", 1]}`:    `features[0] is "red", not a number`,
	} {
		code, m := post(t, h, "/models/strict/predict", body)
		if msg, _ := m["error"].(string); code != 400 || !strings.Contains(msg, wantErr) {
			t.Errorf("strict %s: %d %v, want 400 with %q", body, code, m, wantErr)
		}
	}
	if code, m := post(t, h, "/models/imputing/predict", `{"instances": [[null, "purple"], [1, "green"]]}`); code != 200 {
		t.Fatalf("missing values: %d %v", code, m)
	}
	if len(got) != 4 || !math.IsNaN(got[0]) || !math.IsNaN(got[1]) || got[2] != 1 || got[3] != 1 {
		t.Errorf("decoded %v, want [NaN NaN 1 1]", got)
	}
}

// FuzzDecodeCategories decodes arbitrary bodies for a model with a
// categorical feature, strictly and with missing values accepted: never a
// panic, only client errors, rows of the model's width, and NaN only where
// missing values are accepted (category codes in range otherwise).
func FuzzDecodeCategories(f *testing.F) {
	for _, s := range []string{`{"features":[1,"red",2]}`, `{"instances":[[null,"blue",3],[4,0,"x"]]}`, `{"features":[1,"gr\u0065en",null]}`, `{"features":[1,"\"",2]}`, `{"features":["red","red","red"]}`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, missing bool) {
		vals := newValues(Info{NumFeatures: 3, Categories: [][]string{nil, {"red", "green", "blue"}, nil}, AcceptsMissing: missing})
		flat, n, _, err := decodeFlat(body, 3, 100, vals)
		if err != nil {
			if _, ok := err.(*httpError); !ok {
				t.Fatalf("error %v is not a client error", err)
			}
			return
		}
		if len(flat) != 3*n {
			t.Fatalf("%d values for %d rows", len(flat), n)
		}
		for i, v := range flat {
			switch {
			case math.IsNaN(v):
				if !missing {
					t.Fatalf("NaN accepted at %d without missing values", i)
				}
			case math.IsInf(v, 0):
				t.Fatalf("infinite value accepted at %d", i)
			}
		}
	})
}
