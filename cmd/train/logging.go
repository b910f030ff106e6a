package main

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/tensorboard"
	"github.com/ember-ml/ember/track"
)

// runLog is the experiment-tracking run of this invocation (-track), if
// any; it is started before training and ended by trackRun.
var runLog struct {
	sync.Mutex
	run   *track.Run
	store *track.Store
}

// loggingCallbacks returns the callbacks that write TensorBoard events and
// MLflow metrics per epoch, and a function that closes what they opened.
func loggingCallbacks(o *options, save string) ([]nn.Callback, func(), error) {
	var cbs []nn.Callback
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	if o.tensorboard != "" {
		w, err := tensorboard.NewWriter(o.tensorboard)
		if err != nil {
			return nil, closeAll, fmt.Errorf("-tensorboard: %w", err)
		}
		closers = append(closers, func() { w.Close() })
		cbs = append(cbs, nn.CallbackFuncs{EpochEnd: func(m *nn.Model, epoch int, logs nn.Logs) error {
			for k, v := range logs {
				if err := w.AddScalar("epoch/"+k, v, int64(epoch+1)); err != nil {
					return err
				}
			}
			for _, p := range m.Params() {
				if err := w.AddHistogram("weights/"+p.Name, p.Value.Float64s(), int64(epoch+1)); err != nil {
					return err
				}
			}
			return w.Flush()
		}})
	}
	if o.track != "" {
		st, err := track.Open(o.track)
		if err != nil {
			return nil, closeAll, fmt.Errorf("-track: %w", err)
		}
		run, err := st.StartRun("ember-train", filepath.Base(save))
		if err != nil {
			return nil, closeAll, fmt.Errorf("-track: %w", err)
		}
		runLog.Lock()
		runLog.run, runLog.store = run, st
		runLog.Unlock()
		closers = append(closers, func() { run.End(track.StatusKilled) }) // no-op after a finished End
		params := map[string]any{
			"arch": o.arch, "epochs": o.epochs, "batch_size": o.batch, "learning_rate": o.lr,
			"optimizer": o.optimizer, "validation_split": o.valSplit, "seed": o.seed,
			"augment": o.augment, "data": o.dataDir,
		}
		if err := run.LogParams(params); err != nil {
			return nil, closeAll, fmt.Errorf("-track: %w", err)
		}
		cbs = append(cbs, nn.CallbackFuncs{EpochEnd: func(m *nn.Model, epoch int, logs nn.Logs) error {
			return run.LogMetrics(logs, epoch)
		}})
	}
	return cbs, closeAll, nil
}

// trackRun logs the final results and the saved model to the run, and
// registers the model, when -track is set.
func trackRun(o *options, save string, res imageResult, hist *nn.History) error {
	runLog.Lock()
	run, st := runLog.run, runLog.store
	runLog.Unlock()
	if run == nil {
		return nil
	}
	if err := run.LogMetrics(map[string]float64{
		"test_accuracy": res.TestAccuracy, "test_loss": res.TestLoss,
		"train_images_per_sec": res.TrainImagesPerSec,
	}, res.Epochs); err != nil {
		return err
	}
	logged, err := run.LogArtifact(save, "model")
	if err != nil {
		return err
	}
	if _, err := st.RegisterModel(filepath.Base(save), logged, run.ID()); err != nil {
		return err
	}
	return run.End(track.StatusFinished)
}
