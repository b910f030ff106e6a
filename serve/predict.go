package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/ember-ml/ember/tensor"
)

var errEOF = io.EOF

// Request is the JSON body of a prediction request: exactly one of
// Features (one row), Instances (a batch of rows), Image or Images (base64
// encoded image files, for image models).
type Request struct {
	Features  []json.RawMessage   `json:"features,omitempty"`
	Instances [][]json.RawMessage `json:"instances,omitempty"`
	Image     string              `json:"image,omitempty"`
	Images    []string            `json:"images,omitempty"`
}

// Prediction is one row's answer. For classifiers Prediction is the class
// name (or index when the model has no class names) and Probability the
// probability of that class.
type Prediction struct {
	Prediction    any                `json:"prediction"`
	Probability   *float64           `json:"probability,omitempty"`
	Probabilities map[string]float64 `json:"probabilities,omitempty"`
}

// parseNumber reads one JSON value as a finite number; where names the
// value in the error (it is called only then, so the hot path builds no
// strings).
func parseNumber(raw json.RawMessage, where func() string) (float64, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return 0, badRequest("%s is null; every feature needs a number", where())
	}
	if t[0] == '"' || t[0] == '{' || t[0] == '[' || string(t) == "true" || string(t) == "false" {
		return 0, badRequest("%s is %s, not a number", where(), truncate(string(t), 40))
	}
	// The string shares t's bytes: ParseFloat does not keep it (its error
	// may, but the error is dropped here).
	v, err := strconv.ParseFloat(unsafe.String(&t[0], len(t)), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, badRequest("%s is %s, not a finite number", where(), truncate(string(t), 40))
	}
	return v, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// values reads a model's feature values that are not plain numbers: the
// names of categories and, where the model imputes, missing values.
type values struct {
	codes   []map[string]int // per feature; nil for numeric features
	names   [][]string
	missing bool
}

// newValues returns the reader for info, or nil when every feature must
// be a number.
func newValues(info Info) *values {
	if len(info.Categories) == 0 && !info.AcceptsMissing {
		return nil
	}
	v := &values{names: info.Categories, missing: info.AcceptsMissing, codes: make([]map[string]int, len(info.Categories))}
	for j, cats := range info.Categories {
		if cats == nil {
			continue
		}
		v.codes[j] = make(map[string]int, len(cats))
		for k, c := range cats {
			v.codes[j][c] = k
		}
	}
	return v
}

// parse reads feature j's value: a number, a category name (a JSON
// string) for a categorical feature, or null where missing values are
// accepted (NaN).
func (v *values) parse(raw json.RawMessage, j int, where func() string) (float64, error) {
	t := bytes.TrimSpace(raw)
	if v == nil || len(t) == 0 || (t[0] != '"' && string(t) != "null") {
		return parseNumber(raw, where)
	}
	if t[0] == 'n' {
		if v.missing {
			return math.NaN(), nil
		}
		return parseNumber(raw, where)
	}
	var name string
	if j >= len(v.codes) || v.codes[j] == nil || json.Unmarshal(t, &name) != nil {
		return parseNumber(raw, where)
	}
	if k, ok := v.codes[j][name]; ok {
		return float64(k), nil
	}
	if v.missing {
		return math.NaN(), nil // an unseen category, imputed like a missing one
	}
	known := strings.Join(v.names[j], ", ")
	return 0, badRequest("%s is the unknown category %q; known: %s", where(), truncate(name, 40), truncate(known, 200))
}

// DecodeRows parses a tabular request into rows of width features (any
// width when features is 0); single reports whether it was one row.
func DecodeRows(body []byte, features, maxRows int) (rows [][]float64, single bool, err error) {
	flat, n, single, err := decodeFlat(body, features, maxRows, nil)
	if err != nil {
		return nil, false, err
	}
	width := len(flat) / n
	rows = make([][]float64, n)
	for i := range rows {
		rows[i] = flat[i*width : (i+1)*width : (i+1)*width]
	}
	return rows, single, nil
}

// decodeFlat is DecodeRows with the n rows laid out one after the other in
// flat, as tensors want them.
func decodeFlat(body []byte, features, maxRows int, vals *values) (flat []float64, n int, single bool, err error) {
	if flat, n, single, ok := fastRows(body, features, maxRows); ok {
		return flat, n, single, nil
	}
	return decodeRowsCareful(body, features, maxRows, vals)
}

// decodeRowsCareful is DecodeRows through encoding/json, value by value, so
// that every problem gets an error naming it; vals (nil for numbers only)
// reads category names and missing values.
func decodeRowsCareful(body []byte, features, maxRows int, vals *values) (flat []float64, n int, single bool, err error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, 0, false, badRequest("malformed JSON: %v", err)
	}
	if dec.More() {
		return nil, 0, false, badRequest("malformed JSON: more than one value in the body")
	}
	switch {
	case req.Features != nil && req.Instances != nil:
		return nil, 0, false, badRequest(`give "features" (one row) or "instances" (a batch), not both`)
	case req.Features != nil:
		single = true
		req.Instances = [][]json.RawMessage{req.Features}
	case req.Instances != nil:
	default:
		return nil, 0, false, badRequest(`the body needs "features": [numbers] or "instances": [[numbers], ...]`)
	}
	if len(req.Instances) == 0 {
		return nil, 0, false, badRequest(`"instances" is empty`)
	}
	if len(req.Instances) > maxRows {
		return nil, 0, false, badRequest("%d instances; at most %d in one request", len(req.Instances), maxRows)
	}
	width := len(req.Instances[0])
	flat = make([]float64, 0, len(req.Instances)*width)
	for i, inst := range req.Instances {
		if features > 0 && len(inst) != features {
			if single {
				return nil, 0, false, badRequest("features has %d values; the model takes %d", len(inst), features)
			}
			return nil, 0, false, badRequest("instances[%d] has %d values; the model takes %d", i, len(inst), features)
		}
		if features == 0 && len(inst) != len(req.Instances[0]) {
			return nil, 0, false, badRequest("instances[%d] has %d values, instances[0] has %d", i, len(inst), len(req.Instances[0]))
		}
		flat = flat[:len(flat)+width]
		row := flat[len(flat)-width:]
		for j, raw := range inst {
			if row[j], err = vals.parse(raw, j, func() string {
				if single {
					return fmt.Sprintf("features[%d]", j)
				}
				return fmt.Sprintf("instances[%d][%d]", i, j)
			}); err != nil {
				return nil, 0, false, err
			}
		}
	}
	return flat, len(req.Instances), single, nil
}

func (s *Server) handlePredict(w http.ResponseWriter, r *http.Request, name string) {
	start := time.Now()
	e, err := s.acquire(name)
	if err != nil {
		s.writeError(w, "", err)
		return
	}
	defer e.wg.Done()
	model := e.info.Name
	code := http.StatusOK
	defer func() {
		s.reqs.WithLabelValues(model, strconv.Itoa(code)).Inc()
		s.lat.WithLabelValues(model).Observe(time.Since(start).Seconds())
	}()
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	x, single, err := s.decode(r, e.info, e.values)
	if err != nil {
		code = s.writeError(w, model, err)
		return
	}
	n := x.Shape()[0]
	var out Output
	if e.batch != nil {
		out, err = e.batch.predict(r.Context(), x)
	} else {
		out, err = e.pred.Predict(r.Context(), x)
	}
	if err == nil {
		err = checkOutput(e.info, out, n)
	}
	if err != nil {
		code = s.writeError(w, model, err)
		return
	}
	if e.monitor != nil && x.DType() == tensor.Float64 {
		xs := x.Float64s()
		f := x.Shape()[1]
		for i := 0; i < n; i++ {
			_ = e.monitor.Observe(xs[i*f : (i+1)*f])
		}
	}
	preds := make([]Prediction, n)
	for i := range preds {
		preds[i] = formatPrediction(e.info, out, i)
	}
	if single {
		writeJSON(w, http.StatusOK, struct {
			Model   string `json:"model"`
			Version string `json:"version"`
			Prediction
		}{model, e.info.Version, preds[0]})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": model, "version": e.info.Version, "predictions": preds})
}

func formatPrediction(info Info, out Output, i int) Prediction {
	p := Prediction{Prediction: out.Predictions[i]}
	if info.Kind != Classifier {
		return p
	}
	k := int(out.Predictions[i])
	if k >= 0 && k < len(info.Classes) {
		p.Prediction = info.Classes[k]
	} else {
		p.Prediction = k
	}
	if out.Probabilities != nil {
		probs := out.Probabilities[i]
		if k >= 0 && k < len(probs) {
			v := probs[k]
			p.Probability = &v
		}
		p.Probabilities = make(map[string]float64, len(probs))
		for c, v := range probs {
			key := strconv.Itoa(c)
			if c < len(info.Classes) {
				key = info.Classes[c]
			}
			p.Probabilities[key] = v
		}
	}
	return p
}

// decode turns a request into the model's input tensor.
func (s *Server) decode(r *http.Request, info Info, vals *values) (*tensor.Tensor, bool, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if info.InputShape == nil {
			return nil, false, badRequest("model %s takes JSON features, not an image upload", info.Name)
		}
		if err := r.ParseMultipartForm(s.opts.MaxBodyBytes); err != nil {
			return nil, false, badRequest("multipart form: %v", err)
		}
		f, _, err := r.FormFile("image")
		if err != nil {
			return nil, false, badRequest(`multipart upload needs a file field named "image"`)
		}
		defer f.Close()
		raw, err := io.ReadAll(f)
		if err != nil {
			return nil, false, err
		}
		x, err := ImageTensor([][]byte{raw}, info.InputShape)
		return x, true, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, false, err
	}
	if ct == "application/octet-stream" {
		x, err := binaryRows(body, info, s.opts.MaxBatchRows)
		return x, false, err
	}
	if info.InputShape != nil {
		// Rows of pixel values, the common case, skip the general parse.
		c, h, w := info.InputShape[0], info.InputShape[1], info.InputShape[2]
		if flat, n, single, ok := fastRows(body, c*h*w, s.opts.MaxBatchRows); ok {
			return pixelTensor(flat, n, info.InputShape), single, nil
		}
		var req Request
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, false, badRequest("malformed JSON: %v", err)
		}
		if req.Image != "" || req.Images != nil {
			imgs := req.Images
			single := req.Image != ""
			if single {
				imgs = []string{req.Image}
			}
			if len(imgs) == 0 || len(imgs) > s.opts.MaxBatchRows {
				return nil, false, badRequest("%d images in one request; want 1 to %d", len(imgs), s.opts.MaxBatchRows)
			}
			raws := make([][]byte, len(imgs))
			for i, b64 := range imgs {
				if raws[i], err = base64.StdEncoding.DecodeString(b64); err != nil {
					return nil, false, badRequest("image %d is not valid base64: %v", i, err)
				}
			}
			x, err := ImageTensor(raws, info.InputShape)
			return x, single, err
		}
		// Flattened pixels as features.
		flat, n, single, err := decodeRowsCareful(body, c*h*w, s.opts.MaxBatchRows, nil)
		if err != nil {
			return nil, false, err
		}
		return pixelTensor(flat, n, info.InputShape), single, nil
	}
	flat, n, single, err := decodeFlat(body, info.NumFeatures, s.opts.MaxBatchRows, vals)
	if err != nil {
		return nil, false, err
	}
	return tensor.FromFloat64(flat, n, len(flat)/n), single, nil
}

// ImageTensor decodes image files (PNG, JPEG, GIF) into a float32
// [n, C, H, W] tensor in [0, 1], converted to grey (C = 1) or RGB (C = 3)
// and resized bilinearly to H×W.
func ImageTensor(files [][]byte, shape []int) (*tensor.Tensor, error) {
	c, h, w := shape[0], shape[1], shape[2]
	if c != 1 && c != 3 {
		return nil, fmt.Errorf("serve: image models need 1 or 3 channels, not %d", c)
	}
	x := tensor.New(tensor.Float32, len(files), c, h, w)
	xs := x.Float32s()
	for i, raw := range files {
		img, _, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			return nil, badRequest("image %d: cannot decode (%v); send PNG, JPEG or GIF", i, err)
		}
		b := img.Bounds()
		if b.Dx() <= 0 || b.Dy() <= 0 || b.Dx()*b.Dy() > 64<<20 {
			return nil, badRequest("image %d: unusable size %dx%d", i, b.Dx(), b.Dy())
		}
		dst := xs[i*c*h*w : (i+1)*c*h*w]
		for y := 0; y < h; y++ {
			sy := (float64(y)+0.5)*float64(b.Dy())/float64(h) - 0.5
			for xx := 0; xx < w; xx++ {
				sx := (float64(xx)+0.5)*float64(b.Dx())/float64(w) - 0.5
				r, g, bl := bilinear(img, b, sx, sy)
				if c == 1 {
					dst[y*w+xx] = float32(0.299*r + 0.587*g + 0.114*bl)
				} else {
					dst[y*w+xx] = float32(r)
					dst[h*w+y*w+xx] = float32(g)
					dst[2*h*w+y*w+xx] = float32(bl)
				}
			}
		}
	}
	return x, nil
}

func bilinear(img image.Image, b image.Rectangle, sx, sy float64) (r, g, bl float64) {
	x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
	fx, fy := sx-float64(x0), sy-float64(y0)
	clamp := func(v, lo, hi int) int { return max(lo, min(v, hi)) }
	px := func(x, y int) (float64, float64, float64) {
		cr, cg, cb, _ := img.At(b.Min.X+clamp(x, 0, b.Dx()-1), b.Min.Y+clamp(y, 0, b.Dy()-1)).RGBA()
		return float64(cr) / 65535, float64(cg) / 65535, float64(cb) / 65535
	}
	r00, g00, b00 := px(x0, y0)
	r10, g10, b10 := px(x0+1, y0)
	r01, g01, b01 := px(x0, y0+1)
	r11, g11, b11 := px(x0+1, y0+1)
	mix := func(a, b, c, d float64) float64 {
		return (a*(1-fx)+b*fx)*(1-fy) + (c*(1-fx)+d*fx)*fy
	}
	return mix(r00, r10, r01, r11), mix(g00, g10, g01, g11), mix(b00, b10, b01, b11)
}

// batcher gathers concurrent requests for one model into a single call.
type batcher struct {
	pred   Predictor
	window time.Duration
	max    int
	reqs   chan *batchReq
	done   chan struct{}
}

type batchReq struct {
	ctx   context.Context
	x     *tensor.Tensor
	reply chan batchReply
}

type batchReply struct {
	out Output
	err error
}

func newBatcher(p Predictor, window time.Duration, maxRows int) *batcher {
	b := &batcher{pred: p, window: window, max: maxRows, reqs: make(chan *batchReq, 1024), done: make(chan struct{})}
	go b.loop()
	return b
}

func (b *batcher) stop() { close(b.done) }

func (b *batcher) predict(ctx context.Context, x *tensor.Tensor) (Output, error) {
	if x.Shape()[0] >= b.max {
		return b.pred.Predict(ctx, x)
	}
	req := &batchReq{ctx: ctx, x: x, reply: make(chan batchReply, 1)}
	select {
	case b.reqs <- req:
	case <-b.done:
		return b.pred.Predict(ctx, x)
	case <-ctx.Done():
		return Output{}, ctx.Err()
	}
	select {
	case rep := <-req.reply:
		return rep.out, rep.err
	case <-ctx.Done():
		return Output{}, ctx.Err()
	}
}

func (b *batcher) loop() {
	for {
		var first *batchReq
		select {
		case first = <-b.reqs:
		case <-b.done:
			// Serve whatever is still queued, then stop.
			for {
				select {
				case r := <-b.reqs:
					b.run([]*batchReq{r})
				default:
					return
				}
			}
		}
		batch := []*batchReq{first}
		rows := first.x.Shape()[0]
		timer := time.NewTimer(b.window)
	gather:
		for rows < b.max {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
				rows += r.x.Shape()[0]
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		b.run(batch)
	}
}

func (b *batcher) run(batch []*batchReq) {
	live := batch[:0]
	for _, r := range batch {
		if r.ctx.Err() == nil {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	xs := make([]*tensor.Tensor, len(live))
	for i, r := range live {
		xs[i] = r.x
	}
	x := xs[0]
	if len(xs) > 1 {
		x = tensor.Concat(0, xs...)
	}
	out, err := b.pred.Predict(context.Background(), x)
	if err == nil && len(out.Predictions) != x.Shape()[0] {
		err = errors.New("model returned the wrong number of predictions")
	}
	at := 0
	for _, r := range live {
		n := r.x.Shape()[0]
		rep := batchReply{err: err}
		if err == nil {
			rep.out.Predictions = out.Predictions[at : at+n]
			if out.Probabilities != nil {
				rep.out.Probabilities = out.Probabilities[at : at+n]
			}
		}
		at += n
		r.reply <- rep
	}
}

// pixelTensor lays n rows of flattened pixels (one after the other in
// flat) out as a float32 [n, C, H, W] tensor.
func pixelTensor(flat []float64, n int, shape []int) *tensor.Tensor {
	x := tensor.New(tensor.Float32, append([]int{n}, shape...)...)
	xs := x.Float32s()
	for i, v := range flat {
		xs[i] = float32(v)
	}
	return x
}

// binaryRows reads a body of little-endian float32 values, rows one after
// the other (each [C, H, W] for image models, NumFeatures wide for tabular
// ones): the cheapest way to send large batches, with no number parsing.
func binaryRows(body []byte, info Info, maxRows int) (*tensor.Tensor, error) {
	width := info.NumFeatures
	shape := []int{width}
	if info.InputShape != nil {
		width, shape = 1, info.InputShape
		for _, d := range shape {
			width *= d
		}
	}
	if width == 0 {
		return nil, badRequest("model %s does not say its row width; send JSON", info.Name)
	}
	if len(body) == 0 || len(body)%(4*width) != 0 {
		return nil, badRequest("binary body of %d bytes is not whole rows of %d float32 values (%d bytes each)", len(body), width, 4*width)
	}
	n := len(body) / (4 * width)
	if n > maxRows {
		return nil, badRequest("%d rows; at most %d in one request", n, maxRows)
	}
	x := tensor.New(tensor.Float32, append([]int{n}, shape...)...)
	xs := x.Float32s()
	for i := range xs {
		v := math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
		if v != v || math.IsInf(float64(v), 0) {
			return nil, badRequest("row %d value %d is not a finite number", i/width, i%width)
		}
		xs[i] = v
	}
	if info.InputShape == nil {
		return x.AsType(tensor.Float64), nil
	}
	return x, nil
}
