package nn

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/ember-ml/ember/tensor"
)

// Metric accumulates a measure of a model's outputs over batches.
type Metric interface {
	// Name is the key the metric reports under ("accuracy").
	Name() string
	// Reset clears the accumulated state.
	Reset()
	// Update adds a batch: pred holds the model's outputs (probabilities
	// after the final activation), y the targets as given to the loss.
	Update(pred, y *tensor.Tensor)
	// Result returns the value over every batch since Reset.
	Result() float64
}

// Metrics returns the metrics with the given Keras names: "accuracy" (the
// kind follows the outputs and targets: binary for one output per example,
// else the argmax against class indices or one-hot rows),
// "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
// "precision", "recall", "auc" (binary, threshold 0.5 for precision and
// recall), "mae", "mse". An unknown name gives a metric whose use in
// Compile is an error.
func Metrics(names ...string) []Metric {
	out := make([]Metric, len(names))
	for i, n := range names {
		m, err := MetricByName(n)
		if err != nil {
			m = badMetric{name: n, err: err}
		}
		out[i] = m
	}
	return out
}

// MetricByName returns one metric by its Keras name (see Metrics).
func MetricByName(name string) (Metric, error) {
	switch name {
	case "accuracy", "acc":
		return &accuracy{name: "accuracy"}, nil
	case "binary_accuracy":
		return &accuracy{name: name, kind: 'b'}, nil
	case "categorical_accuracy", "sparse_categorical_accuracy":
		return &accuracy{name: name, kind: 'c'}, nil
	case "precision", "recall":
		return &confusion{name: name}, nil
	case "auc":
		return &auc{}, nil
	case "mae", "mean_absolute_error":
		return &meanErr{name: "mae"}, nil
	case "mse", "mean_squared_error":
		return &meanErr{name: "mse", square: true}, nil
	}
	return nil, fmt.Errorf("nn: unknown metric %q", name)
}

type badMetric struct {
	name string
	err  error
}

func (b badMetric) Name() string               { return b.name }
func (b badMetric) Reset()                     {}
func (b badMetric) Update(_, _ *tensor.Tensor) {}
func (b badMetric) Result() float64            { return math.NaN() }

// targetClasses returns the class index of each example's target: the
// value itself for class indices, the argmax for rows.
func targetClasses(y *tensor.Tensor, n int) []int {
	if y.Size() == n {
		v := y.Float64s()
		out := make([]int, n)
		for i := range out {
			out[i] = int(v[i])
		}
		return out
	}
	return tensor.ArgMax(y.Reshape(n, -1), 1)
}

// flatTargets returns the targets as one value per output element: y
// itself when the sizes agree, one-hot rows for class indices.
func flatTargets(pred, y *tensor.Tensor) []float64 {
	if y.Size() == pred.Size() {
		return y.Float64s()
	}
	n := pred.Shape()[0]
	k := pred.Size() / max(n, 1)
	out := make([]float64, pred.Size())
	if y.Size() == n {
		for i, c := range y.Float64s() {
			if c >= 0 && int(c) < k {
				out[i*k+int(c)] = 1
			}
		}
	}
	return out
}

type accuracy struct {
	name         string
	kind         byte // 0 auto, 'b' binary, 'c' categorical
	right, total float64
}

func (a *accuracy) Name() string { return a.name }
func (a *accuracy) Reset()       { a.right, a.total = 0, 0 }
func (a *accuracy) Result() float64 {
	if a.total == 0 {
		return 0
	}
	return a.right / a.total
}

func (a *accuracy) Update(pred, y *tensor.Tensor) {
	n := pred.Shape()[0]
	k := pred.Size() / max(n, 1)
	if a.kind == 'b' || (a.kind == 0 && k == 1) {
		p, t := pred.Float64s(), flatTargets(pred, y)
		for i := range p {
			if (p[i] > 0.5) == (t[i] > 0.5) {
				a.right++
			}
		}
		a.total += float64(len(p))
		return
	}
	got := tensor.ArgMax(pred.Reshape(n, -1), 1)
	want := targetClasses(y, n)
	for i := range got {
		if got[i] == want[i] {
			a.right++
		}
	}
	a.total += float64(n)
}

type confusion struct {
	name       string
	tp, fp, fn float64
}

func (c *confusion) Name() string { return c.name }
func (c *confusion) Reset()       { c.tp, c.fp, c.fn = 0, 0, 0 }
func (c *confusion) Update(pred, y *tensor.Tensor) {
	p, t := pred.Float64s(), flatTargets(pred, y)
	for i := range p {
		pp, tt := p[i] > 0.5, t[i] > 0.5
		switch {
		case pp && tt:
			c.tp++
		case pp:
			c.fp++
		case tt:
			c.fn++
		}
	}
}
func (c *confusion) Result() float64 {
	d := c.tp + c.fp
	if c.name == "recall" {
		d = c.tp + c.fn
	}
	if d == 0 {
		return 0
	}
	return c.tp / d
}

// auc is the exact area under the ROC curve of binary scores (ties count
// one half), from every score seen.
type auc struct {
	scores []float64
	pos    []bool
}

func (a *auc) Name() string { return "auc" }
func (a *auc) Reset()       { a.scores, a.pos = a.scores[:0], a.pos[:0] }
func (a *auc) Update(pred, y *tensor.Tensor) {
	a.scores = append(a.scores, pred.Float64s()...)
	for _, v := range flatTargets(pred, y) {
		a.pos = append(a.pos, v > 0.5)
	}
}
func (a *auc) Result() float64 {
	idx := make([]int, len(a.scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return a.scores[idx[i]] < a.scores[idx[j]] })
	// Mann-Whitney U with average ranks for ties.
	var npos, nneg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && a.scores[idx[j]] == a.scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2
		for _, k := range idx[i:j] {
			if a.pos[k] {
				rankSum += avg
				npos++
			} else {
				nneg++
			}
		}
		i = j
	}
	if npos == 0 || nneg == 0 {
		return 0
	}
	return (rankSum - npos*(npos+1)/2) / (npos * nneg)
}

type meanErr struct {
	name     string
	square   bool
	sum, cnt float64
}

func (m *meanErr) Name() string { return m.name }
func (m *meanErr) Reset()       { m.sum, m.cnt = 0, 0 }
func (m *meanErr) Update(pred, y *tensor.Tensor) {
	p, t := pred.Float64s(), flatTargets(pred, y)
	for i := range p {
		d := p[i] - t[i]
		if m.square {
			m.sum += d * d
		} else {
			m.sum += math.Abs(d)
		}
	}
	m.cnt += float64(len(p))
}
func (m *meanErr) Result() float64 {
	if m.cnt == 0 {
		return 0
	}
	return m.sum / m.cnt
}

// metricNames returns the names of ms.
func metricNames(ms []Metric) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name()
	}
	return slices.Clip(out)
}
