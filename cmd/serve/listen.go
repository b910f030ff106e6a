package main

import (
	"context"
	"net"

	"github.com/ember-ml/ember/serve"
)

// serveReady listens, reports the address on ready, then serves.
func serveReady(ctx context.Context, s *serve.Server, addr string, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ready <- ln.Addr().String()
	return s.Serve(ctx, ln)
}
