// Command gopeers measures ember against the Go machine-learning projects
// golearn, gomlx (its pure-Go "simplego" backend) and gorgonia.org/tensor on
// the same machine, in the same process, on the same data, and prints one
// table: the best wall time of each side over -reps runs (the two sides
// alternate so that they share the machine's load), the spread (slowest
// run / best run), the ratio ember/peer (below 1 means ember is faster) and,
// for the classifiers, the accuracy on a held-out split.
//
// It lives in its own Go module so that ember's module never depends on
// the peers. See README.md for the command and the peer versions.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// row is one line of the result table.
type row struct {
	section, task     string
	ember, peer       timing
	peerName          string
	accEmber, accPeer float64 // NaN-free: negative means "not a classifier"
	note              string
	skipped           bool
}

// timing is the set of wall times of one side.
type timing struct{ runs []time.Duration }

func (t timing) best() time.Duration {
	if len(t.runs) == 0 {
		return 0
	}
	return slices.Min(t.runs)
}

// spread is the slowest run over the fastest.
func (t timing) spread() float64 {
	if len(t.runs) == 0 {
		return 0
	}
	return float64(slices.Max(t.runs)) / float64(slices.Min(t.runs))
}

// timeIt runs f once and returns its wall time.
func timeIt(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

// budget is the longest warm-up after which a side is not run again: its
// warm-up becomes its only timed run (set by -budget).
var budget = 10 * time.Second

// alternate runs ember and peer reps times each, interleaved, after one
// warm-up of each, and returns their timings. A side whose warm-up took
// longer than budget is not repeated; the warm-up is its one run.
func alternate(reps int, ember, peer func()) (timing, timing) {
	var e, p timing
	we, wp := timeIt(ember), timeIt(peer)
	if we > budget {
		e.runs = []time.Duration{we}
	}
	if wp > budget {
		p.runs = []time.Duration{wp}
	}
	repeatE, repeatP := we <= budget, wp <= budget
	for i := 0; i < reps; i++ {
		if repeatE {
			e.runs = append(e.runs, timeIt(ember))
		}
		if repeatP {
			p.runs = append(p.runs, timeIt(peer))
		}
	}
	return e, p
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.3g", float64(d)/1e6)
}

func main() {
	dataDir := flag.String("data", "../../../../shared/data/tabular", "folder with iris.csv, breast_cancer.csv and digits.csv.gz (missing files are skipped)")
	reps := flag.Int("reps", 3, "timed runs of each side (after one warm-up)")
	flag.DurationVar(&budget, "budget", budget, "a side whose warm-up run takes longer is timed once (its warm-up)")
	slow := flag.Bool("slow", false, "also run golearn's CART on the 14000-row synthetic table (minutes)")
	only := flag.String("only", "classical,nn,matmul", "comma-separated sections to run: classical, nn, matmul")
	flag.Parse()
	if *reps < 1 {
		fmt.Fprintln(os.Stderr, "gopeers: -reps must be at least 1")
		os.Exit(2)
	}
	sections := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		sections[strings.TrimSpace(s)] = true
	}
	fmt.Printf("# gopeers: %s %s/%s, GOMAXPROCS=%d, cgo=%v, reps=%d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), cgoEnabled, *reps)
	fmt.Printf("# peers: golearn %s, gomlx %s (backend simplego), gorgonia.org/tensor %s\n", golearnVersion, gomlxVersion, gtensorVersion)
	fmt.Printf("# load average at start: %s\n", loadavg())
	var rows []row
	if sections["classical"] {
		rows = append(rows, runClassical(*dataDir, *reps, *slow)...)
	}
	if sections["nn"] {
		rows = append(rows, runNN(*reps)...)
	}
	if sections["matmul"] {
		rows = append(rows, runMatMul(*reps)...)
	}
	fmt.Printf("# load average at end: %s\n\n", loadavg())
	printTable(os.Stdout, rows)
}

func printTable(w *os.File, rows []row) {
	fmt.Fprintln(w, "| section | task | peer | ember best ms | peer best ms | ember/peer | runs ember/peer | spread ember | spread peer | acc ember | acc peer | note |")
	fmt.Fprintln(w, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, r := range rows {
		if r.skipped {
			fmt.Fprintf(w, "| %s | %s | %s | | | | | | | | | %s |\n", r.section, r.task, r.peerName, r.note)
			continue
		}
		acc := func(a float64) string {
			if a < 0 {
				return ""
			}
			return fmt.Sprintf("%.3f", a)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.3g | %d/%d | %.2f | %.2f | %s | %s | %s |\n",
			r.section, r.task, r.peerName, ms(r.ember.best()), ms(r.peer.best()),
			float64(r.ember.best())/float64(r.peer.best()), len(r.ember.runs), len(r.peer.runs), r.ember.spread(), r.peer.spread(),
			acc(r.accEmber), acc(r.accPeer), r.note)
	}
}
