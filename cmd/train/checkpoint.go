package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/plot"
	"github.com/ember-ml/ember/serve/adapt"
	"github.com/ember-ml/ember/tensor"
)

// stateFile records, inside a checkpoint directory, how many epochs the
// saved weights have been trained for.
const stateFile = "checkpoint.json"

type checkpointState struct {
	Epoch int `json:"epoch"` // epochs completed
}

// optimizerFile holds the optimizer's state (moments, step counts) in a
// checkpoint, so that a resumed run continues exactly.
const optimizerFile = "optimizer.safetensors"

// saveCheckpoint writes the model, the optimizer's state and the number of
// completed epochs.
func saveCheckpoint(m *nn.Model, dir string, epoch int) error {
	if err := m.Save(dir); err != nil {
		return err
	}
	if so, ok := m.Optimizer().(optim.Stateful); ok {
		var buf bytes.Buffer
		if err := nn.WriteSafetensors(&buf, so.State(m.Params()), map[string]string{"epoch": strconv.Itoa(epoch)}); err != nil {
			return err
		}
		if err := classical.WriteFileAtomic(filepath.Join(dir, optimizerFile), buf.Bytes()); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(checkpointState{Epoch: epoch})
	return classical.WriteFileAtomic(filepath.Join(dir, stateFile), b)
}

// loadCheckpoint restores a model written by saveCheckpoint.
func loadCheckpoint(dir string, dev tensor.Device) (*nn.Model, int, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, 0, fmt.Errorf("no checkpoint in %s: %w", dir, err)
	}
	var st checkpointState
	if err := json.Unmarshal(b, &st); err != nil || st.Epoch < 0 {
		return nil, 0, fmt.Errorf("checkpoint %s: bad %s", dir, stateFile)
	}
	m, err := nn.Load(dir)
	if err != nil {
		return nil, 0, err
	}
	m.To(dev) // before the optimizer state, which follows the weights' device
	if so, ok := m.Optimizer().(optim.Stateful); ok {
		b, err := os.ReadFile(filepath.Join(dir, optimizerFile))
		if err != nil {
			return nil, 0, fmt.Errorf("checkpoint %s: %w", dir, err)
		}
		ts, _, err := nn.ReadSafetensors(b)
		if err != nil {
			return nil, 0, fmt.Errorf("checkpoint %s: %s: %w", dir, optimizerFile, err)
		}
		if err := so.SetState(m.Params(), ts); err != nil {
			return nil, 0, fmt.Errorf("checkpoint %s: %w", dir, err)
		}
	}
	return m, st.Epoch, nil
}

// checkpointEveryEpoch saves a checkpoint before training starts (unless
// resuming from one) and at the end of every epoch, so that the checkpoint
// always holds the state at an epoch boundary: a run stopped mid-epoch
// resumes by repeating that epoch from the same weights, shuffle and
// dropout seeds.
func checkpointEveryEpoch(dir string, initialEpoch int, resumed bool) nn.Callback {
	return nn.CallbackFuncs{
		TrainBegin: func(m *nn.Model) error {
			if resumed {
				return nil
			}
			return saveCheckpoint(m, dir, initialEpoch)
		},
		EpochEnd: func(m *nn.Model, epoch int, _ nn.Logs) error {
			return saveCheckpoint(m, dir, epoch+1)
		},
	}
}

// saveImageModel saves the model with the metadata the server needs.
func saveImageModel(m *nn.Model, dir string, d *imageData) error {
	if err := m.Save(dir); err != nil {
		return err
	}
	return adapt.WriteMeta(dir, adapt.Meta{
		Name: filepath.Base(filepath.Clean(dir)), Kind: "classifier",
		InputShape: d.shape, Classes: d.classes,
	})
}

// imagePlots writes history.png, confusion_matrix.png and, for two
// classes, roc.png into dir.
func imagePlots(dir string, h *nn.History, r *evalReport, classes []string) ([]string, error) {
	var files []string
	hist := plot.HistoryMap(h.Values)
	f, err := plot.History(hist)
	if err != nil {
		return files, err
	}
	if err := f.Save(filepath.Join(dir, "history.png")); err != nil {
		return files, err
	}
	files = append(files, filepath.Join(dir, "history.png"))
	if f, err = plot.ConfusionMatrix(r.confusion, classes); err != nil {
		return files, err
	}
	if err := f.Save(filepath.Join(dir, "confusion_matrix.png")); err != nil {
		return files, err
	}
	files = append(files, filepath.Join(dir, "confusion_matrix.png"))
	if len(classes) == 2 {
		yTrue := make([]int, len(r.yTrue))
		scores := make([]float64, len(r.yTrue))
		for i := range yTrue {
			yTrue[i] = int(r.yTrue[i])
			scores[i] = r.scores[i][1]
		}
		if f, err = plot.ROC(yTrue, scores); err != nil {
			return files, err
		}
		if err := f.Save(filepath.Join(dir, "roc.png")); err != nil {
			return files, err
		}
		files = append(files, filepath.Join(dir, "roc.png"))
	}
	return files, nil
}
