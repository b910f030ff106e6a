package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configure a Server. Zero values take the defaults in brackets.
type Options struct {
	MaxBodyBytes int64         // request body limit [8 MiB]
	MaxBatchRows int           // rows in one request [10,000]
	BatchWindow  time.Duration // how long a batch waits for company [2ms]
	MaxBatch     int           // rows gathered into one model call [256]
	ReadTimeout  time.Duration // [10s]
	WriteTimeout time.Duration // [30s]
	IdleTimeout  time.Duration // [60s]
	Logger       *slog.Logger  // [discard]
}

func (o *Options) defaults() {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 8 << 20
	}
	if o.MaxBatchRows <= 0 {
		o.MaxBatchRows = 10000
	}
	if o.BatchWindow <= 0 {
		o.BatchWindow = 2 * time.Millisecond
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 10 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 60 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// entry is one loaded version of a model.
type entry struct {
	pred    Predictor
	info    Info
	path    string
	monitor *Monitor
	batch   *batcher
	values  *values        // category names and missing values in requests
	wg      sync.WaitGroup // in-flight requests
}

// slot holds the current and previous versions of a named model.
type slot struct {
	mu       sync.RWMutex
	name     string
	loader   Loader
	cur      *entry
	prev     *entry
	versionN int
}

// Server serves a set of named models. Create it with New, add models with
// Add or AddPredictor, and run it with ListenAndServe or use Handler.
type Server struct {
	opts    Options
	mu      sync.RWMutex
	slots   map[string]*slot
	first   string
	mux     *http.ServeMux
	reg     *prometheus.Registry
	reqs    *prometheus.CounterVec
	lat     *prometheus.HistogramVec
	errs    *prometheus.CounterVec
	psi     *prometheus.GaugeVec
	ks      *prometheus.GaugeVec
	started time.Time
}

// New returns a server with no models.
func New(opts Options) *Server {
	opts.defaults()
	s := &Server{opts: opts, slots: map[string]*slot{}, reg: prometheus.NewRegistry(), started: time.Now()}
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ember_requests_total", Help: "Prediction requests by model and HTTP status code."}, []string{"model", "code"})
	s.lat = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ember_request_duration_seconds", Help: "Prediction request latency.", Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}}, []string{"model"})
	s.errs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ember_errors_total", Help: "Failed requests by model and kind (bad_request, model)."}, []string{"model", "kind"})
	s.psi = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ember_feature_drift_psi", Help: "Population stability index of request features against training data."}, []string{"model", "feature"})
	s.ks = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ember_feature_drift_ks", Help: "Kolmogorov-Smirnov statistic of recent request features against training data."}, []string{"model", "feature"})
	s.reg.MustRegister(s.reqs, s.lat, s.errs, s.psi, s.ks, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.routes()
	return s
}

// Add loads the model at path with loader and serves it under name (the
// model's own name when empty). The first model added is the default for
// /predict.
func (s *Server) Add(name, path string, loader Loader) error {
	p, err := loader(path)
	if err != nil {
		return fmt.Errorf("serve: load %s: %w", path, err)
	}
	return s.add(name, path, loader, p)
}

// AddPredictor serves an already loaded model.
func (s *Server) AddPredictor(name string, p Predictor) error {
	return s.add(name, "", nil, p)
}

func (s *Server) add(name, path string, loader Loader, p Predictor) error {
	info := p.Info()
	if name == "" {
		name = info.Name
	}
	if name == "" || strings.ContainsAny(name, "/?#") {
		return fmt.Errorf("serve: invalid model name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.slots[name]; dup {
		return fmt.Errorf("serve: model %q already added", name)
	}
	sl := &slot{name: name, loader: loader}
	sl.cur = s.newEntry(sl, p, path)
	s.slots[name] = sl
	if s.first == "" {
		s.first = name
	}
	return nil
}

func (s *Server) newEntry(sl *slot, p Predictor, path string) *entry {
	sl.versionN++
	info := p.Info()
	info.Name = sl.name
	if info.Version == "" {
		info.Version = fmt.Sprint(sl.versionN)
	}
	e := &entry{pred: p, info: info, path: path, values: newValues(info)}
	if sp, ok := p.(interface{ TrainingStats() []FeatureStats }); ok {
		if st := sp.TrainingStats(); len(st) > 0 {
			e.monitor = NewMonitor(st)
		}
	}
	if info.Batched {
		e.batch = newBatcher(p, s.opts.BatchWindow, s.opts.MaxBatch)
	}
	return e
}

// Reload loads a new version of a model (from path, or from its original
// path when empty) and swaps it in without dropping requests; the replaced
// version is kept for Rollback.
func (s *Server) Reload(name, path string) (Info, error) {
	sl, err := s.slot(name)
	if err != nil {
		return Info{}, err
	}
	if sl.loader == nil {
		return Info{}, fmt.Errorf("serve: model %q was not loaded from a file and cannot be reloaded", name)
	}
	sl.mu.RLock()
	if path == "" {
		path = sl.cur.path
	}
	sl.mu.RUnlock()
	p, err := sl.loader(path)
	if err != nil {
		return Info{}, fmt.Errorf("serve: reload %s: %w", path, err)
	}
	return s.Swap(name, p, path)
}

// Swap replaces the current version of a model with p.
func (s *Server) Swap(name string, p Predictor, path string) (Info, error) {
	sl, err := s.slot(name)
	if err != nil {
		return Info{}, err
	}
	sl.mu.Lock()
	e := s.newEntry(sl, p, path)
	old := sl.prev
	sl.prev, sl.cur = sl.cur, e
	sl.mu.Unlock()
	retire(old)
	return e.info, nil
}

// Rollback makes the previous version current again.
func (s *Server) Rollback(name string) (Info, error) {
	sl, err := s.slot(name)
	if err != nil {
		return Info{}, err
	}
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.prev == nil {
		return Info{}, fmt.Errorf("serve: model %q has no previous version", name)
	}
	sl.prev, sl.cur = sl.cur, sl.prev
	return sl.cur.info, nil
}

// retire stops an entry's batcher once its in-flight requests finish.
func retire(e *entry) {
	if e == nil || e.batch == nil {
		return
	}
	go func() {
		e.wg.Wait()
		e.batch.stop()
	}()
}

func (s *Server) slot(name string) (*slot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if name == "" {
		name = s.first
	}
	sl := s.slots[name]
	if sl == nil {
		return nil, &httpError{http.StatusNotFound, fmt.Sprintf("unknown model %q", name)}
	}
	return sl, nil
}

// acquire returns the current entry of a model, counted as in flight until
// release.
func (s *Server) acquire(name string) (*entry, error) {
	sl, err := s.slot(name)
	if err != nil {
		return nil, err
	}
	sl.mu.RLock()
	e := sl.cur
	e.wg.Add(1)
	sl.mu.RUnlock()
	return e, nil
}

// Close stops the batchers. In-flight requests should have finished (see
// ListenAndServe, which shuts down gracefully first).
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sl := range s.slots {
		sl.mu.Lock()
		for _, e := range []*entry{sl.cur, sl.prev} {
			if e != nil && e.batch != nil {
				e.wg.Wait()
				e.batch.stop()
				e.batch = nil
			}
		}
		sl.mu.Unlock()
	}
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully: it stops accepting connections and waits (up to 30 s) for
// in-flight requests to finish.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on an existing listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.mux,
		ReadTimeout:       s.opts.ReadTimeout,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.opts.Logger.Info("serving", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	s.Close()
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// httpError is an error with the status code to answer it with.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

func (s *Server) writeError(w http.ResponseWriter, model string, err error) int {
	code := http.StatusInternalServerError
	kind := "model"
	var he *httpError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		code = he.code
		kind = "bad_request"
	case errors.As(err, &mbe):
		code = http.StatusRequestEntityTooLarge
		kind = "bad_request"
		err = fmt.Errorf("request body larger than %d bytes", mbe.Limit)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = http.StatusServiceUnavailable
	}
	if model != "" {
		s.errs.WithLabelValues(model, kind).Inc()
	}
	writeJSON(w, code, map[string]string{"error": err.Error()})
	return code
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "uptime_seconds": time.Since(s.started).Seconds()})
	})
	m.HandleFunc("GET /ready", s.handleReady)
	m.HandleFunc("GET /models", s.handleModels)
	m.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) { s.handlePredict(w, r, r.URL.Query().Get("model")) })
	m.HandleFunc("POST /models/{name}/predict", func(w http.ResponseWriter, r *http.Request) { s.handlePredict(w, r, r.PathValue("name")) })
	m.HandleFunc("POST /models/{name}/reload", s.handleReload)
	m.HandleFunc("POST /models/{name}/rollback", s.handleRollback)
	m.HandleFunc("GET /monitor", s.handleMonitor)
	m.HandleFunc("GET /openapi.json", s.handleOpenAPI)
	m.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no route %s %s; see /openapi.json", r.Method, r.URL.Path)})
	})
	s.mux = m
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	n := len(s.slots)
	s.mu.RUnlock()
	if n == 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "no models loaded"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "models": n})
}

// ModelStatus is an entry of GET /models.
type ModelStatus struct {
	Info
	Default         bool   `json:"default"`
	Path            string `json:"path,omitempty"`
	PreviousVersion string `json:"previous_version,omitempty"`
}

// Models lists the served models, sorted by name.
func (s *Server) Models() []ModelStatus {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]ModelStatus, 0, len(s.slots))
	for name, sl := range s.slots {
		sl.mu.RLock()
		st := ModelStatus{Info: sl.cur.info, Default: name == s.first, Path: sl.cur.path}
		if sl.prev != nil {
			st.PreviousVersion = sl.prev.info.Version
		}
		sl.mu.RUnlock()
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"models": s.Models()})
}

func (s *Server) handleReload(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Path string `json:"path"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, errEOF) {
			s.writeError(w, "", badRequest("reload body: %v", err))
			return
		}
	}
	info, err := s.Reload(r.PathValue("name"), body.Path)
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			err = &httpError{http.StatusUnprocessableEntity, err.Error()}
		}
		s.writeError(w, "", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reloaded": info})
}

func (s *Server) handleRollback(w http.ResponseWriter, r *http.Request) {
	info, err := s.Rollback(r.PathValue("name"))
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) {
			err = &httpError{http.StatusConflict, err.Error()}
		}
		s.writeError(w, "", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"current": info})
}

func (s *Server) handleMonitor(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{}
	s.mu.RLock()
	names := make([]string, 0, len(s.slots))
	for n := range s.slots {
		names = append(names, n)
	}
	s.mu.RUnlock()
	for _, n := range names {
		e, err := s.acquire(n)
		if err != nil {
			continue
		}
		if e.monitor == nil {
			out[n] = map[string]string{"error": errNoMonitor.Error()}
		} else {
			rep := e.monitor.Report()
			for _, d := range rep {
				s.psi.WithLabelValues(n, d.Name).Set(d.PSI)
				s.ks.WithLabelValues(n, d.Name).Set(d.KS)
			}
			out[n] = map[string]any{"version": e.info.Version, "features": rep}
		}
		e.wg.Done()
	}
	writeJSON(w, http.StatusOK, out)
}
