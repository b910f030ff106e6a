// Command serve puts saved ember models behind an HTTP API.
//
//	serve -model PATH [-model NAME=PATH] [-registry DIR -model registry:NAME@VERSION|STAGE|ALIAS] [-addr 127.0.0.1:8080]
//
// PATH is a model directory written by cmd/train (model.json and
// serving.json) or a classical model file. Endpoints: POST /predict (the
// only model, or the first), POST /models/{name}/predict, POST
// /models/{name}/reload and /rollback, GET /health, /ready, /models,
// /monitor, /metrics (Prometheus) and /openapi.json. SIGINT or SIGTERM
// finishes the requests in flight, then exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/serve/adapt"
	"github.com/ember-ml/ember/track"
)

type modelFlags []string

func (m *modelFlags) String() string     { return strings.Join(*m, ",") }
func (m *modelFlags) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// run parses args, loads the models and serves until ctx is cancelled.
// ready, when not nil, receives the listening address once serving.
func run(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var models modelFlags
	fs.Var(&models, "model", "model to serve: PATH, NAME=PATH or registry:NAME@VERSION|STAGE|ALIAS (repeatable)")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	registry := fs.String("registry", "mlruns", "tracking store holding the model registry (for registry: models)")
	window := fs.Duration("batch-window", 2*time.Millisecond, "how long small requests wait to be batched (neural models)")
	maxBody := fs.Int64("max-body", 8<<20, "request body limit in bytes")
	verbose := fs.Bool("v", false, "log every request")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (models are given with -model)", errUsage, fs.Arg(0))
	}
	if len(models) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: at least one -model is needed", errUsage)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	s := serve.New(serve.Options{MaxBodyBytes: *maxBody, BatchWindow: *window, Logger: logger})
	defer s.Close()
	for _, m := range models {
		name, path, err := resolve(m, *registry)
		if err != nil {
			return err
		}
		if err := s.Add(name, path, adapt.Load); err != nil {
			return fmt.Errorf("loading %s: %w", m, err)
		}
		logger.Info("model loaded", "model", m, "path", path)
	}
	if ready == nil {
		return s.ListenAndServe(ctx, *addr)
	}
	return serveReady(ctx, s, *addr, ready)
}

// resolve turns a -model value into a model name (empty: the model's own)
// and a path.
func resolve(spec, registry string) (name, path string, err error) {
	if ref, ok := strings.CutPrefix(spec, "registry:"); ok {
		name, version, ok := strings.Cut(ref, "@")
		if !ok || name == "" || version == "" {
			return "", "", fmt.Errorf("%w: registry model %q: want registry:NAME@VERSION|STAGE|ALIAS", errUsage, spec)
		}
		st, err := track.Open(registry)
		if err != nil {
			return "", "", err
		}
		mv, err := st.Resolve(name, version)
		if err != nil {
			return "", "", err
		}
		return name, mv.SourcePath(), nil
	}
	if n, p, ok := strings.Cut(spec, "="); ok {
		if n == "" || p == "" {
			return "", "", fmt.Errorf("%w: -model %q: want NAME=PATH", errUsage, spec)
		}
		return n, p, nil
	}
	return "", spec, nil
}
