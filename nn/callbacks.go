package nn

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// Callback is called by Fit at the start and end of training, of each
// epoch and of each batch. An error stops Fit, which returns it. Embed
// CallbackBase to implement only some of the methods, or use
// CallbackFuncs.
type Callback interface {
	OnTrainBegin(m *Model) error
	OnEpochBegin(m *Model, epoch int) error
	OnBatchEnd(m *Model, epoch, batch int, logs Logs) error
	OnEpochEnd(m *Model, epoch int, logs Logs) error
	OnTrainEnd(m *Model, logs Logs) error
}

// CallbackBase implements every Callback method as a no-op.
type CallbackBase struct{}

// OnTrainBegin implements Callback.
func (CallbackBase) OnTrainBegin(*Model) error { return nil }

// OnEpochBegin implements Callback.
func (CallbackBase) OnEpochBegin(*Model, int) error { return nil }

// OnBatchEnd implements Callback.
func (CallbackBase) OnBatchEnd(*Model, int, int, Logs) error { return nil }

// OnEpochEnd implements Callback.
func (CallbackBase) OnEpochEnd(*Model, int, Logs) error { return nil }

// OnTrainEnd implements Callback.
func (CallbackBase) OnTrainEnd(*Model, Logs) error { return nil }

// CallbackFuncs is a Callback from optional functions (Keras's
// LambdaCallback): nil fields do nothing. It is how experiment tracking or
// TensorBoard writers log each epoch.
type CallbackFuncs struct {
	TrainBegin func(m *Model) error
	EpochBegin func(m *Model, epoch int) error
	BatchEnd   func(m *Model, epoch, batch int, logs Logs) error
	EpochEnd   func(m *Model, epoch int, logs Logs) error
	TrainEnd   func(m *Model, logs Logs) error
}

// OnTrainBegin implements Callback.
func (f CallbackFuncs) OnTrainBegin(m *Model) error {
	if f.TrainBegin == nil {
		return nil
	}
	return f.TrainBegin(m)
}

// OnEpochBegin implements Callback.
func (f CallbackFuncs) OnEpochBegin(m *Model, e int) error {
	if f.EpochBegin == nil {
		return nil
	}
	return f.EpochBegin(m, e)
}

// OnBatchEnd implements Callback.
func (f CallbackFuncs) OnBatchEnd(m *Model, e, b int, l Logs) error {
	if f.BatchEnd == nil {
		return nil
	}
	return f.BatchEnd(m, e, b, l)
}

// OnEpochEnd implements Callback.
func (f CallbackFuncs) OnEpochEnd(m *Model, e int, l Logs) error {
	if f.EpochEnd == nil {
		return nil
	}
	return f.EpochEnd(m, e, l)
}

// OnTrainEnd implements Callback.
func (f CallbackFuncs) OnTrainEnd(m *Model, l Logs) error {
	if f.TrainEnd == nil {
		return nil
	}
	return f.TrainEnd(m, l)
}

// monitorMode returns "max" for values where higher is better.
func monitorMode(mode, monitor string) string {
	if mode == "min" || mode == "max" {
		return mode
	}
	for _, s := range []string{"acc", "auc", "precision", "recall"} {
		if strings.Contains(monitor, s) {
			return "max"
		}
	}
	return "min"
}

func monitored(logs Logs, monitor string) (float64, error) {
	v, ok := logs[monitor]
	if !ok {
		keys := make([]string, 0, len(logs))
		for k := range logs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return 0, fmt.Errorf("nn: monitored value %q is not logged (available: %s)", monitor, strings.Join(keys, ", "))
	}
	return v, nil
}

// EarlyStoppingCallback stops training when a monitored value has stopped
// improving (Keras's EarlyStopping).
type EarlyStoppingCallback struct {
	CallbackBase
	// Monitor is the logged value watched ("val_loss").
	Monitor string
	// Patience is the number of epochs without improvement after which
	// training stops.
	Patience int
	// MinDelta is the smallest change that counts as an improvement.
	MinDelta float64
	// Mode is "min", "max" or "auto" (from the name: accuracies, AUC,
	// precision and recall are maximised).
	Mode string
	// RestoreBestWeights puts back the weights of the best epoch when
	// training stops (or ends).
	RestoreBestWeights bool

	best      float64
	bestEpoch int
	wait      int
	saved     []*tensor.Tensor
	// StoppedEpoch is the epoch at which training was stopped (-1 if not).
	StoppedEpoch int
}

// EarlyStopping returns an EarlyStoppingCallback watching monitor with the
// given patience; set its fields for the other options.
func EarlyStopping(monitor string, patience int) *EarlyStoppingCallback {
	return &EarlyStoppingCallback{Monitor: monitor, Patience: patience, Mode: "auto", StoppedEpoch: -1}
}

// OnTrainBegin implements Callback.
func (e *EarlyStoppingCallback) OnTrainBegin(*Model) error {
	e.best = math.Inf(1)
	if monitorMode(e.Mode, e.Monitor) == "max" {
		e.best = math.Inf(-1)
	}
	e.wait, e.bestEpoch, e.StoppedEpoch, e.saved = 0, -1, -1, nil
	return nil
}

// OnEpochEnd implements Callback.
func (e *EarlyStoppingCallback) OnEpochEnd(m *Model, epoch int, logs Logs) error {
	v, err := monitored(logs, e.Monitor)
	if err != nil {
		return err
	}
	better := v < e.best-e.MinDelta
	if monitorMode(e.Mode, e.Monitor) == "max" {
		better = v > e.best+e.MinDelta
	}
	if better {
		e.best, e.bestEpoch, e.wait = v, epoch, 0
		if e.RestoreBestWeights {
			e.saved = snapshot(m, e.saved)
		}
		return nil
	}
	e.wait++
	if e.wait >= e.Patience {
		e.StoppedEpoch = epoch
		m.StopTraining()
	}
	return nil
}

// OnTrainEnd implements Callback.
func (e *EarlyStoppingCallback) OnTrainEnd(m *Model, _ Logs) error {
	if e.RestoreBestWeights && e.saved != nil {
		restore(m, e.saved)
	}
	return nil
}

// Best returns the best monitored value and its epoch (-1 before any).
func (e *EarlyStoppingCallback) Best() (float64, int) { return e.best, e.bestEpoch }

func snapshot(m *Model, into []*tensor.Tensor) []*tensor.Tensor {
	ws := m.Weights()
	if len(into) != len(ws) {
		into = make([]*tensor.Tensor, len(ws))
	}
	for i, w := range ws {
		if into[i] == nil || !slices.Equal(into[i].Shape(), w.Value.Shape()) {
			into[i] = w.Value.Clone()
		} else {
			into[i].CopyFrom(w.Value)
		}
	}
	return into
}

func restore(m *Model, from []*tensor.Tensor) {
	for i, w := range m.Weights() {
		w.Value.CopyFrom(from[i])
	}
}

// ModelCheckpointCallback saves the model after epochs (Keras's
// ModelCheckpoint).
type ModelCheckpointCallback struct {
	CallbackBase
	// Path is the directory Save writes; "{epoch}" in it is replaced by
	// the 1-based epoch number.
	Path string
	// Monitor is the value compared when SaveBestOnly ("val_loss").
	Monitor string
	// SaveBestOnly saves only when the monitored value improves.
	SaveBestOnly bool
	// Mode is "min", "max" or "auto", as EarlyStopping's.
	Mode string

	best    float64
	started bool
}

// ModelCheckpoint returns a callback saving the model to path after each
// epoch, or only when val_loss improves when saveBestOnly.
func ModelCheckpoint(path string, saveBestOnly bool) *ModelCheckpointCallback {
	return &ModelCheckpointCallback{Path: path, Monitor: "val_loss", SaveBestOnly: saveBestOnly, Mode: "auto"}
}

// OnTrainBegin implements Callback.
func (c *ModelCheckpointCallback) OnTrainBegin(*Model) error {
	c.started = false
	return nil
}

// OnEpochEnd implements Callback.
func (c *ModelCheckpointCallback) OnEpochEnd(m *Model, epoch int, logs Logs) error {
	if c.SaveBestOnly {
		v, err := monitored(logs, c.Monitor)
		if err != nil {
			return err
		}
		if math.IsNaN(v) {
			return nil
		}
		better := !c.started || v < c.best
		if monitorMode(c.Mode, c.Monitor) == "max" {
			better = !c.started || v > c.best
		}
		if !better {
			return nil
		}
		c.best, c.started = v, true
	}
	path := strings.ReplaceAll(c.Path, "{epoch}", strconv.Itoa(epoch+1))
	if err := m.Save(path); err != nil {
		return fmt.Errorf("nn: ModelCheckpoint: %w", err)
	}
	return nil
}

// LearningRateSchedulerCallback sets the optimizer's learning rate from a
// schedule at the start of every epoch.
type LearningRateSchedulerCallback struct {
	CallbackBase
	Schedule optim.Schedule
}

// LearningRateScheduler returns a callback applying s at each epoch.
func LearningRateScheduler(s optim.Schedule) *LearningRateSchedulerCallback {
	return &LearningRateSchedulerCallback{Schedule: s}
}

// OnEpochBegin implements Callback.
func (c *LearningRateSchedulerCallback) OnEpochBegin(m *Model, epoch int) error {
	lr := c.Schedule.At(epoch)
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("nn: schedule gave learning rate %v at epoch %d", lr, epoch)
	}
	m.opt.SetLR(lr)
	return nil
}

// ReduceLROnPlateauCallback lowers the learning rate when a monitored
// value stops improving.
type ReduceLROnPlateauCallback struct {
	CallbackBase
	Monitor string
	Rule    *optim.ReduceLROnPlateau
}

// ReduceLROnPlateau returns a callback feeding monitor to rule after each
// epoch.
func ReduceLROnPlateau(monitor string, rule *optim.ReduceLROnPlateau) *ReduceLROnPlateauCallback {
	return &ReduceLROnPlateauCallback{Monitor: monitor, Rule: rule}
}

// OnEpochEnd implements Callback.
func (c *ReduceLROnPlateauCallback) OnEpochEnd(m *Model, _ int, logs Logs) error {
	v, err := monitored(logs, c.Monitor)
	if err != nil {
		return err
	}
	if monitorMode("auto", c.Monitor) == "max" && c.Rule.Mode == "" {
		c.Rule.Mode = "max"
	}
	c.Rule.Update(m.opt, v)
	return nil
}

// CSVLoggerCallback writes one CSV row per epoch: the epoch, then the
// logged values in name order (header from the first epoch).
type CSVLoggerCallback struct {
	CallbackBase
	Path string
	f    *os.File
	w    *csv.Writer
	keys []string
}

// CSVLogger returns a callback logging epochs to the CSV file at path
// (created or truncated when training begins).
func CSVLogger(path string) *CSVLoggerCallback { return &CSVLoggerCallback{Path: path} }

// OnTrainBegin implements Callback.
func (c *CSVLoggerCallback) OnTrainBegin(*Model) error {
	f, err := os.Create(c.Path)
	if err != nil {
		return fmt.Errorf("nn: CSVLogger: %w", err)
	}
	c.f, c.w, c.keys = f, csv.NewWriter(f), nil
	return nil
}

// OnEpochEnd implements Callback.
func (c *CSVLoggerCallback) OnEpochEnd(_ *Model, epoch int, logs Logs) error {
	if c.w == nil {
		return nil
	}
	if c.keys == nil {
		for k := range logs {
			c.keys = append(c.keys, k)
		}
		sort.Strings(c.keys)
		if err := c.w.Write(append([]string{"epoch"}, c.keys...)); err != nil {
			return err
		}
	}
	row := []string{strconv.Itoa(epoch)}
	for _, k := range c.keys {
		v, ok := logs[k]
		if !ok {
			row = append(row, "")
			continue
		}
		row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
	}
	if err := c.w.Write(row); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

// OnTrainEnd implements Callback.
func (c *CSVLoggerCallback) OnTrainEnd(*Model, Logs) error {
	if c.f == nil {
		return nil
	}
	c.w.Flush()
	err := c.w.Error()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	c.f, c.w = nil, nil
	return err
}

// progress prints Keras-style progress lines.
type progress struct {
	CallbackBase
	w         io.Writer
	verbose   int
	epochs    int
	steps     int
	start     time.Time
	lastPrint time.Time
	now       func() time.Time
	batches   int
}

func newProgress(w io.Writer, verbose, epochs, steps int) *progress {
	return &progress{w: w, verbose: verbose, epochs: epochs, steps: steps, now: time.Now}
}

func (p *progress) OnEpochBegin(_ *Model, epoch int) error {
	p.start = p.now()
	p.lastPrint = time.Time{}
	p.batches = 0
	fmt.Fprintf(p.w, "Epoch %d/%d\n", epoch+1, p.epochs)
	return nil
}

func (p *progress) OnBatchEnd(_ *Model, _, batch int, logs Logs) error {
	p.batches = batch + 1
	if p.verbose != 1 {
		return nil
	}
	t := p.now()
	if batch+1 < p.steps && t.Sub(p.lastPrint) < 100*time.Millisecond {
		return nil
	}
	p.lastPrint = t
	if batch+1 >= p.steps {
		return nil // the epoch's final line is printed at its end
	}
	el := t.Sub(p.start).Seconds()
	eta := el / float64(batch+1) * float64(p.steps-batch-1)
	fmt.Fprintf(p.w, "\r%s %s - ETA: %s%s", counter(batch+1, p.steps), bar(batch+1, p.steps), duration(eta), formatLogs(logs))
	return nil
}

func (p *progress) OnEpochEnd(_ *Model, _ int, logs Logs) error {
	el := p.now().Sub(p.start).Seconds()
	per := el / float64(max(p.batches, 1))
	logs2 := Logs{}
	for k, v := range logs {
		if k != "lr" {
			logs2[k] = v
		}
	}
	if p.verbose == 1 {
		fmt.Fprintf(p.w, "\r%s %s - %s %s/step%s\n", counter(p.steps, p.steps), bar(p.steps, p.steps), duration(el), stepTime(per), formatLogs(logs2))
	} else {
		fmt.Fprintf(p.w, "%s - %s - %s/step%s\n", counter(p.steps, p.steps), duration(el), stepTime(per), formatLogs(logs2))
	}
	return nil
}

func counter(i, n int) string {
	w := len(strconv.Itoa(n))
	return fmt.Sprintf("%*d/%d", w, i, n)
}

func bar(i, n int) string {
	const width = 30
	done := width * i / max(n, 1)
	if i >= n {
		return "[" + strings.Repeat("=", width) + "]"
	}
	return "[" + strings.Repeat("=", done) + ">" + strings.Repeat(".", width-done-1) + "]"
}

func duration(s float64) string {
	switch {
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", int(s)/3600, int(s)%3600/60, int(s)%60)
	case s >= 60:
		return fmt.Sprintf("%d:%02d", int(s)/60, int(s)%60)
	}
	return fmt.Sprintf("%ds", int(math.Round(s)))
}

func stepTime(s float64) string {
	if s >= 1 {
		return fmt.Sprintf("%ds", int(math.Round(s)))
	}
	return fmt.Sprintf("%dms", int(math.Round(s*1000)))
}

// formatLogs orders loss first, then metrics, then the val_ values.
func formatLogs(logs Logs) string {
	keys := make([]string, 0, len(logs))
	for k := range logs {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch {
		case k == "loss":
			return 0
		case k == "val_loss":
			return 2
		case strings.HasPrefix(k, "val_"):
			return 3
		}
		return 1
	}
	sort.Slice(keys, func(i, j int) bool {
		if rank(keys[i]) != rank(keys[j]) {
			return rank(keys[i]) < rank(keys[j])
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " - %s: %.4f", k, logs[k])
	}
	return b.String()
}
