// Command bench runs ember's benchmark suites and prints a table or, with
// -json, one JSON object per measurement.
//
//	go run ./cmd/bench -suite gemm
//	go run ./cmd/bench -suite gemm -json -sizes 512,1024 -threads 1,2 -dtype float32
//	go run ./cmd/bench -suite all -device all -json     # CPU and GPU side by side
//
// Suites register themselves in the suites map (see gemm.go); -suite list
// prints them.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config holds the flags shared by every suite.
type config struct {
	sizes   []int
	threads []int
	dtypes  []string
	devices []string // cpu, cuda
	json    bool
	budget  time.Duration // timing budget per measured point
	out     io.Writer
	log     io.Writer
}

// suite runs one benchmark suite.
type suite func(cfg *config) error

// suites maps -suite names to their runners; each suite file adds itself in
// an init function.
var suites = map[string]suite{}

// result is one measurement, written as one JSON line with -json.
type result struct {
	Suite   string  `json:"suite"`
	Impl    string  `json:"impl"`
	Dtype   string  `json:"dtype"`
	N       int     `json:"n"`
	Threads int     `json:"threads"`
	GFLOPS  float64 `json:"gflops"`
	Kernel  string  `json:"kernel,omitempty"`
	// Shape, M and K describe non-square problems (N is then C's width).
	Shape string `json:"shape,omitempty"`
	M     int    `json:"m,omitempty"`
	K     int    `json:"k,omitempty"`
}

func (c *config) emit(r result) {
	if !c.json {
		return
	}
	r.GFLOPS = float64(int64(r.GFLOPS*10+0.5)) / 10
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	fmt.Fprintln(c.out, string(b))
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("suite", "gemm", "suite to run ("+strings.Join(suiteNames(), ", ")+"), or list")
	jsonOut := fs.Bool("json", false, "print one JSON object per measurement instead of a table")
	sizes := fs.String("sizes", "256,512,1024,2048", "comma-separated problem sizes")
	threads := fs.String("threads", "1,2", "comma-separated thread counts")
	dtypes := fs.String("dtype", "float32,float64", "comma-separated element types (float32, float64)")
	budget := fs.Duration("budget", 2*time.Second, "timing budget per measured point (best of the repetitions that fit, at least one)")
	devices := fs.String("device", "cpu", "devices for the matmul, conv, cnn and all suites: cpu, cuda or all (a missing GPU is reported and skipped)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *name == "list" {
		for _, n := range suiteNames() {
			fmt.Fprintln(stdout, n)
		}
		return nil
	}
	s, ok := suites[*name]
	if !ok {
		return fmt.Errorf("unknown suite %q (have %s)", *name, strings.Join(suiteNames(), ", "))
	}
	cfg := &config{json: *jsonOut, budget: *budget, out: stdout, log: stderr}
	var err error
	if cfg.sizes, err = parseInts(*sizes, "sizes"); err != nil {
		return err
	}
	if cfg.threads, err = parseInts(*threads, "threads"); err != nil {
		return err
	}
	for _, d := range strings.Split(*dtypes, ",") {
		d = strings.TrimSpace(d)
		if d != "float32" && d != "float64" {
			return fmt.Errorf("-dtype: unknown element type %q (want float32 or float64)", d)
		}
		cfg.dtypes = append(cfg.dtypes, d)
	}
	switch *devices {
	case "cpu", "cuda":
		cfg.devices = []string{*devices}
	case "all":
		cfg.devices = []string{"cpu", "cuda"}
	default:
		return fmt.Errorf("-device: unknown device %q (want cpu, cuda or all)", *devices)
	}
	if mt := slices.Max(cfg.threads); mt > runtime.GOMAXPROCS(0) {
		fmt.Fprintf(stderr, "bench: warning: -threads %d exceeds GOMAXPROCS=%d; ember uses at most GOMAXPROCS\n", mt, runtime.GOMAXPROCS(0))
	}
	return s(cfg)
}

func suiteNames() []string {
	names := make([]string, 0, len(suites))
	for n := range suites {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func parseInts(s, flagName string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("-%s: %q is not a positive integer", flagName, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// timeBest runs f once to warm up, then repeats it while the budget lasts
// (at most maxReps times, at least once) and returns the fastest run. A
// warm-up longer than a quarter of the budget counts as a measurement, so
// slow points are not run needlessly often.
func timeBest(budget time.Duration, maxReps int, f func()) time.Duration {
	start := time.Now()
	f()
	best := time.Since(start)
	counted := best > budget/4
	if !counted {
		best = time.Duration(1<<63 - 1)
	}
	for reps := 0; reps < maxReps; reps++ {
		if counted && time.Since(start) > budget {
			break
		}
		t := time.Now()
		f()
		best = min(best, time.Since(t))
		counted = true
	}
	return best
}
