package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/ember-ml/ember/tensor"
)

// Drift monitoring compares the features of recent requests with the
// training data: the population stability index (PSI) over the training
// deciles, and the two-sample Kolmogorov-Smirnov statistic against a sample
// of the training values. A PSI above 0.2 (or a KS statistic above about
// 0.1 with a few hundred requests) is the usual sign of drift.

// statsBins is the number of quantile bins for the PSI.
const statsBins = 10

// sampleSize bounds the training sample and the window of recent values
// kept for the KS statistic.
const sampleSize = 1000

// FeatureStats summarises one feature of the training data; it is saved with
// the model (see SaveStats) for the server to compare requests against.
type FeatureStats struct {
	Name  string    `json:"name"`
	Mean  float64   `json:"mean"`
	Std   float64   `json:"std"`
	Min   float64   `json:"min"`
	Max   float64   `json:"max"`
	Edges []float64 `json:"edges"` // inner bin edges (training quantiles)
	Props []float64 `json:"props"` // training proportion in each bin
	// Sample is an evenly spaced sorted sample of the training values.
	Sample []float64 `json:"sample"`
}

// ComputeStats summarises each column of X (float64 [n, features]); NaNs
// are skipped. names may be nil.
func ComputeStats(X *tensor.Tensor, names []string) ([]FeatureStats, error) {
	if X.Dim() != 2 || X.Shape()[0] == 0 {
		return nil, fmt.Errorf("serve: ComputeStats needs a non-empty [n, features] matrix, got shape %v", X.Shape())
	}
	n, f := X.Shape()[0], X.Shape()[1]
	if names != nil && len(names) != f {
		return nil, fmt.Errorf("serve: %d feature names for %d features", len(names), f)
	}
	x := X.Float64s()
	out := make([]FeatureStats, f)
	for j := 0; j < f; j++ {
		col := make([]float64, 0, n)
		for i := 0; i < n; i++ {
			if v := x[i*f+j]; !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		sort.Float64s(col)
		s := FeatureStats{Name: fmt.Sprintf("x%d", j)}
		if names != nil {
			s.Name = names[j]
		}
		if len(col) == 0 {
			out[j] = s
			continue
		}
		var sum, sq float64
		for _, v := range col {
			sum += v
		}
		s.Mean = sum / float64(len(col))
		for _, v := range col {
			sq += (v - s.Mean) * (v - s.Mean)
		}
		s.Std = math.Sqrt(sq / float64(len(col)))
		s.Min, s.Max = col[0], col[len(col)-1]
		for b := 1; b < statsBins; b++ {
			e := col[b*len(col)/statsBins]
			if len(s.Edges) == 0 || e > s.Edges[len(s.Edges)-1] {
				s.Edges = append(s.Edges, e)
			}
		}
		s.Props = make([]float64, len(s.Edges)+1)
		for _, v := range col {
			s.Props[bin(s.Edges, v)]++
		}
		for i := range s.Props {
			s.Props[i] /= float64(len(col))
		}
		k := min(sampleSize, len(col))
		s.Sample = make([]float64, k)
		for i := range s.Sample {
			s.Sample[i] = col[i*len(col)/k]
		}
		out[j] = s
	}
	return out, nil
}

// bin returns the index of the bin of v: values below Edges[0] go to bin 0,
// values at or above the last edge to the last bin.
func bin(edges []float64, v float64) int {
	return sort.SearchFloat64s(edges, math.Nextafter(v, math.Inf(1)))
}

// SaveStats writes feature statistics as JSON, atomically.
func SaveStats(path string, stats []FeatureStats) error {
	raw, err := json.MarshalIndent(stats, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stats*.tmp")
	if err != nil {
		return fmt.Errorf("serve: save stats: %w", err)
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("serve: save stats: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadStats reads statistics written by SaveStats.
func LoadStats(path string) ([]FeatureStats, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var stats []FeatureStats
	if err := json.Unmarshal(raw, &stats); err != nil {
		return nil, fmt.Errorf("serve: stats file %s: %w", path, err)
	}
	for _, s := range stats {
		if len(s.Props) != len(s.Edges)+1 && len(s.Props) != 0 {
			return nil, fmt.Errorf("serve: stats file %s: feature %q has %d bins for %d edges", path, s.Name, len(s.Props), len(s.Edges))
		}
	}
	return stats, nil
}

// FeatureDrift is the drift of one feature.
type FeatureDrift struct {
	Name string  `json:"name"`
	N    int     `json:"n"`    // request values seen
	PSI  float64 `json:"psi"`  // population stability index over all values seen
	KS   float64 `json:"ks"`   // Kolmogorov-Smirnov statistic over the recent window
	Mean float64 `json:"mean"` // mean of the values seen
}

// Monitor accumulates request features and reports drift. It is safe for
// concurrent use.
type Monitor struct {
	mu     sync.Mutex
	stats  []FeatureStats
	counts [][]float64
	sums   []float64
	n      []int
	recent [][]float64 // ring buffers
	next   []int
}

// NewMonitor returns a monitor against the given training statistics.
func NewMonitor(stats []FeatureStats) *Monitor {
	m := &Monitor{stats: stats}
	m.counts = make([][]float64, len(stats))
	m.recent = make([][]float64, len(stats))
	m.sums = make([]float64, len(stats))
	m.n = make([]int, len(stats))
	m.next = make([]int, len(stats))
	for i, s := range stats {
		m.counts[i] = make([]float64, len(s.Edges)+1)
	}
	return m
}

// Observe records one request row (NaNs are skipped).
func (m *Monitor) Observe(row []float64) error {
	if len(row) != len(m.stats) {
		return fmt.Errorf("serve: monitor has %d features, row has %d", len(m.stats), len(row))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for j, v := range row {
		if math.IsNaN(v) {
			continue
		}
		m.counts[j][bin(m.stats[j].Edges, v)]++
		m.sums[j] += v
		m.n[j]++
		if len(m.recent[j]) < sampleSize {
			m.recent[j] = append(m.recent[j], v)
		} else {
			m.recent[j][m.next[j]] = v
			m.next[j] = (m.next[j] + 1) % sampleSize
		}
	}
	return nil
}

// Report computes the drift of every feature.
func (m *Monitor) Report() []FeatureDrift {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]FeatureDrift, len(m.stats))
	for j, s := range m.stats {
		d := FeatureDrift{Name: s.Name, N: m.n[j]}
		if m.n[j] > 0 {
			d.Mean = m.sums[j] / float64(m.n[j])
			d.PSI = PSI(s.Props, m.counts[j])
			d.KS = KS(s.Sample, m.recent[j])
		}
		out[j] = d
	}
	return out
}

// PSI returns the population stability index between expected proportions
// and actual counts over the same bins: Σ (a−e)·ln(a/e), with empty bins
// floored at 1e-4 as is customary.
func PSI(expected, actualCounts []float64) float64 {
	var total float64
	for _, c := range actualCounts {
		total += c
	}
	if total == 0 || len(expected) != len(actualCounts) {
		return 0
	}
	const floor = 1e-4
	var psi float64
	for i, e := range expected {
		a := actualCounts[i] / total
		e, a = math.Max(e, floor), math.Max(a, floor)
		psi += (a - e) * math.Log(a/e)
	}
	return psi
}

// KS returns the two-sample Kolmogorov-Smirnov statistic: the largest
// distance between the empirical distribution functions of a and b. a must
// be sorted; b need not be.
func KS(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	bs := append([]float64(nil), b...)
	sort.Float64s(bs)
	if !sort.Float64sAreSorted(a) {
		a = append([]float64(nil), a...)
		sort.Float64s(a)
	}
	var i, j int
	var d float64
	for i < len(a) && j < len(bs) {
		x := math.Min(a[i], bs[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(bs) && bs[j] <= x {
			j++
		}
		d = math.Max(d, math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(bs))))
	}
	return d
}

var errNoMonitor = errors.New("no training statistics were saved with this model")
