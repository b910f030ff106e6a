// Command loadgen sends prediction requests to a model server on loopback
// and reports throughput, latency percentiles and errors. It is bounded in
// requests and time, and can trigger a hot reload halfway through to check
// that none is dropped.
//
//	go run ./bench/loadgen -url http://127.0.0.1:8080/predict -features 20 -n 200000 -c 16 [-reload URL] [-json]
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one load run measured.
type result struct {
	URL        string  `json:"url"`
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"requests_per_sec"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	Reloaded   bool    `json:"reloaded"`
	RowsPerReq int     `json:"rows_per_request"`
	FirstError string  `json:"first_error,omitempty"`
}

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/predict", "prediction endpoint")
	features := flag.Int("features", 20, "features per row")
	rows := flag.Int("rows", 1, "rows per request (1 sends {\"features\": [...]}, more sends {\"instances\": [...]})")
	n := flag.Int64("n", 100000, "total requests")
	c := flag.Int("c", 16, "concurrent connections")
	maxTime := flag.Duration("t", 60*time.Second, "stop after this long")
	warm := flag.Int("warmup", 2000, "requests sent before measuring")
	reload := flag.String("reload", "", "POST this URL (a reload endpoint) when half the requests are done")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	bin := flag.Bool("binary", false, "send rows as little-endian float32 (application/octet-stream) instead of JSON")
	flag.Parse()
	if *features < 1 || *rows < 1 || *n < 1 || *c < 1 {
		fmt.Fprintln(os.Stderr, "loadgen: -features, -rows, -n and -c must be positive")
		os.Exit(2)
	}
	bodies, ctype := makeBodies(*features, *rows, 256), "application/json"
	if *bin {
		bodies, ctype = makeBinaryBodies(*features, *rows, 64), "application/octet-stream"
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *c, MaxConnsPerHost: *c}, Timeout: 10 * time.Second}
	send := func(body []byte) (time.Duration, error) {
		t0 := time.Now()
		resp, err := client.Post(*url, ctype, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
		}
		return time.Since(t0), nil
	}
	for i := range *warm {
		if _, err := send(bodies[i%len(bodies)]); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: warm-up request failed:", err)
			os.Exit(1)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), *maxTime)
	defer cancel()
	var next, errs atomic.Int64
	var firstErr atomic.Value
	var reloaded atomic.Bool
	lat := make([][]time.Duration, *c)
	var wg, reloading sync.WaitGroup
	start := time.Now()
	for w := range *c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > *n {
					return
				}
				if *reload != "" && i == *n/2 {
					reloading.Add(1)
					go func() {
						defer reloading.Done()
						resp, err := client.Post(*reload, "application/json", nil)
						if err != nil {
							fmt.Fprintln(os.Stderr, "loadgen: reload:", err)
							return
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						reloaded.Store(resp.StatusCode == http.StatusOK)
						if resp.StatusCode != http.StatusOK {
							fmt.Fprintf(os.Stderr, "loadgen: reload: status %d: %s\n", resp.StatusCode, bytes.TrimSpace(b))
						}
					}()
				}
				d, err := send(bodies[int(i)%len(bodies)])
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[w] = append(lat[w], d)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	reloading.Wait() // a slow reload may finish after the last request
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	r := result{URL: *url, Requests: int64(len(all)) + errs.Load(), Errors: errs.Load(), Seconds: elapsed.Seconds(),
		P50ms: pct(0.50), P90ms: pct(0.90), P99ms: pct(0.99), Reloaded: reloaded.Load(), RowsPerReq: *rows}
	if len(all) > 0 {
		r.MaxMs = float64(all[len(all)-1].Microseconds()) / 1000
	}
	r.RPS = float64(r.Requests) / elapsed.Seconds()
	if s, ok := firstErr.Load().(string); ok {
		r.FirstError = s
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
	} else {
		fmt.Printf("%s: %d requests (%d errors) in %.2fs = %.0f req/s (%d rows each); latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; reloaded %v\n",
			r.URL, r.Requests, r.Errors, r.Seconds, r.RPS, r.RowsPerReq, r.P50ms, r.P90ms, r.P99ms, r.MaxMs, r.Reloaded)
		if r.FirstError != "" {
			fmt.Println("first error:", r.FirstError)
		}
	}
	if r.Errors > 0 {
		os.Exit(1)
	}
}

// makeBodies returns k request bodies with seeded random rows.
func makeBodies(features, rows, k int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, k)
	for i := range out {
		var b []byte
		row := func() {
			b = append(b, '[')
			for j := range features {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, rng.NormFloat64(), 'g', 6, 64)
			}
			b = append(b, ']')
		}
		if rows == 1 {
			b = append(b, `{"features":`...)
			row()
		} else {
			b = append(b, `{"instances":[`...)
			for r := range rows {
				if r > 0 {
					b = append(b, ',')
				}
				row()
			}
			b = append(b, ']')
		}
		out[i] = append(b, '}')
	}
	return out
}

// makeBinaryBodies returns k bodies of rows x features float32 values in
// [0, 1) (pixel-like), little-endian.
func makeBinaryBodies(features, rows, k int) [][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([][]byte, k)
	for i := range out {
		b := make([]byte, 4*features*rows)
		for j := 0; j < len(b); j += 4 {
			binary.LittleEndian.PutUint32(b[j:], math.Float32bits(rng.Float32()))
		}
		out[i] = b
	}
	return out
}
