package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/ember-ml/ember/classical/metrics"
	"github.com/ember-ml/ember/cuda"
	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/data/mnistdata"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// imageResult is the -json line of an image run.
type imageResult struct {
	Task              string    `json:"task"`
	Dataset           string    `json:"dataset"`
	Arch              string    `json:"arch"`
	TestAccuracy      float64   `json:"test_accuracy"`
	TestLoss          float64   `json:"test_loss"`
	Epochs            int       `json:"epochs"`
	EpochAccuracy     []float64 `json:"epoch_accuracy,omitempty"`
	EpochValAccuracy  []float64 `json:"epoch_val_accuracy,omitempty"`
	TrainImages       int       `json:"train_images"`
	TestImages        int       `json:"test_images"`
	TrainImagesPerSec float64   `json:"train_images_per_sec"`
	WallSeconds       float64   `json:"wall_seconds"`
	ModelPath         string    `json:"model_path"`
	Skipped           int       `json:"skipped_images,omitempty"`
	Interrupted       bool      `json:"interrupted,omitempty"`
}

// imageData is what an image run trains and tests on.
type imageData struct {
	name        string
	train, test data.Dataset
	classes     []string
	shape       []int // [C, H, W]
	skipped     int
}

// loadImages opens the bundled MNIST or an image directory.
func loadImages(ctx context.Context, o *options, progress io.Writer) (*imageData, error) {
	if o.dataDir == "" {
		if o.size != 0 && o.size != 28 || o.channels > 1 {
			return nil, usagef("the bundled MNIST is 28x28 grayscale; -size and -channels apply to -data")
		}
		train, test, err := mnistdata.Load()
		if err != nil {
			return nil, err
		}
		classes := make([]string, 10)
		for i := range classes {
			classes[i] = strconv.Itoa(i)
		}
		return &imageData{name: "mnist", train: train, test: test, classes: classes, shape: []int{1, 28, 28}}, nil
	}
	fi, err := os.Stat(o.dataDir)
	if err != nil {
		return nil, fmt.Errorf("-data: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("-data %s is not a directory", o.dataDir)
	}
	size, channels := o.size, o.channels
	if size == 0 {
		size = 64
	}
	if channels == 0 {
		channels = 3
	}
	mode := "rgb"
	if channels == 1 {
		mode = "grayscale"
	}
	cfg := data.ImageFolderConfig{Width: size, Height: size, ColorMode: mode, Seed: uint64(o.seed),
		FailOnCorrupt: !o.skipCorrupt, Cache: true, Workers: o.workers}
	d := &imageData{name: o.dataDir, shape: []int{channels, size, size}}
	open := func(dir string, cfg data.ImageFolderConfig) (*data.ImageFolder, error) {
		f, err := data.OpenImageFolder(ctx, dir, cfg)
		if err != nil {
			return nil, err
		}
		if n := len(f.Skipped()); n > 0 {
			d.skipped += n
			fmt.Fprintf(progress, "skipped %d unreadable images in %s (first: %s)\n", n, dir, f.Skipped()[0])
		}
		return f, nil
	}
	trainDir, testDir := filepath.Join(o.dataDir, "train"), filepath.Join(o.dataDir, "test")
	if isDir(trainDir) && isDir(testDir) {
		tr, err := open(trainDir, cfg)
		if err != nil {
			return nil, err
		}
		cfg.Classes = tr.ClassNames()
		te, err := open(testDir, cfg)
		if err != nil {
			return nil, err
		}
		d.train, d.test, d.classes = tr, te, tr.ClassNames()
	} else {
		// No separate test folder: hold out 20% of each class for testing,
		// scanning the folder once.
		cfg.ValidationSplit = 0.2
		tr, te, err := data.OpenImageFolderSplit(ctx, o.dataDir, cfg)
		if err != nil {
			return nil, err
		}
		if n := len(tr.Skipped()); n > 0 {
			d.skipped = n
			fmt.Fprintf(progress, "skipped %d unreadable images in %s (first: %s)\n", n, o.dataDir, tr.Skipped()[0])
		}
		d.train, d.test, d.classes = tr, te, tr.ClassNames()
	}
	if len(d.classes) < 2 {
		return nil, fmt.Errorf("-data %s: need at least two class folders, found %d", o.dataDir, len(d.classes))
	}
	fmt.Fprintf(progress, "found %d training and %d test images in %d classes\n", d.train.Len(), d.test.Len(), len(d.classes))
	return d, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// buildNet returns the network named by arch for the given classes.
func buildNet(arch string, shape []int, classes int) (*nn.Model, error) {
	relu := nn.WithActivation("relu")
	switch arch {
	case "cnn": // the seeds' CNN
		return nn.NewSequential(
			nn.Conv2D(32, 3, relu),
			nn.MaxPooling2D(2),
			nn.Conv2D(64, 3, relu),
			nn.MaxPooling2D(2),
			nn.Flatten(),
			nn.Dense(128, relu),
			nn.Dropout(0.5),
			nn.Dense(classes, nn.WithActivation("softmax")),
		), nil
	case "mlp":
		return nn.NewSequential(
			nn.Flatten(),
			nn.Dense(256, relu),
			nn.Dropout(0.2),
			nn.Dense(128, relu),
			nn.Dense(classes, nn.WithActivation("softmax")),
		), nil
	case "deep_cnn": // the seeds' deeper CNN for larger RGB images
		same := nn.WithPadding("same")
		return nn.NewSequential(
			nn.Conv2D(32, 3, relu, same),
			nn.BatchNormalization(),
			nn.MaxPooling2D(2),
			nn.Conv2D(64, 3, relu, same),
			nn.BatchNormalization(),
			nn.MaxPooling2D(2),
			nn.Conv2D(128, 3, relu, same),
			nn.BatchNormalization(),
			nn.MaxPooling2D(2),
			nn.GlobalAveragePooling2D(),
			nn.Dense(128, relu),
			nn.Dropout(0.5),
			nn.Dense(classes, nn.WithActivation("softmax")),
		), nil
	}
	return nil, usagef("-arch %q: want cnn, mlp or deep_cnn", arch)
}

// newOptimizer returns the optimizer named by name.
func newOptimizer(name string, lr float64) (optim.Optimizer, error) {
	switch name {
	case "adam":
		return optim.NewAdam(lr), nil
	case "adamw":
		return optim.NewAdamW(lr, 0.01), nil
	case "sgd":
		sgd := optim.NewSGD(lr)
		sgd.Momentum = 0.9
		return sgd, nil
	case "rmsprop":
		return optim.NewRMSprop(lr), nil
	case "adagrad":
		return optim.NewAdagrad(lr), nil
	}
	return nil, usagef("-optimizer %q: want adam, adamw, sgd, rmsprop or adagrad", name)
}

func trainImages(ctx context.Context, o *options, stdout, progress io.Writer) (any, error) {
	start := time.Now()
	dev := tensor.CPU
	if o.device == "cuda" {
		gpu, err := cuda.Open(0)
		if err != nil {
			return nil, fmt.Errorf("-device cuda: %w", err)
		}
		dev = gpu.TensorDevice()
		fmt.Fprintf(progress, "training on %s (%s)\n", gpu.Name, dev)
	}
	d, err := loadImages(ctx, o, progress)
	if err != nil {
		return nil, err
	}
	train := d.train
	if o.limit > 0 && o.limit < train.Len() {
		idx := make([]int, o.limit)
		for i := range idx {
			idx[i] = i * train.Len() / o.limit // spread over the classes
		}
		train = data.Subset(train, idx)
	}
	save := o.save
	if save == "" {
		save = filepath.Join("models", filepath.Base(filepath.Clean(d.name))+"-"+o.arch)
	}
	ckpt := o.checkpoint
	if ckpt == "" {
		ckpt = save + ".ckpt"
	}

	var model *nn.Model
	initialEpoch := 0
	if o.resume {
		if model, initialEpoch, err = loadCheckpoint(ckpt, dev); err != nil {
			return nil, fmt.Errorf("-resume: %w", err)
		}
		fmt.Fprintf(progress, "resuming from %s at epoch %d\n", ckpt, initialEpoch+1)
	} else {
		if model, err = buildNet(o.arch, d.shape, len(d.classes)); err != nil {
			return nil, err
		}
		opt, err := newOptimizer(o.optimizer, o.lr)
		if err != nil {
			return nil, err
		}
		model.SetSeed(uint64(o.seed))
		model.To(dev)
		if err := model.Compile(opt, nn.SparseCategoricalCrossentropy(), nn.Metrics("accuracy")); err != nil {
			return nil, err
		}
		if err := model.Build(d.shape, tensor.Float32); err != nil {
			return nil, err
		}
	}
	if !o.quiet {
		fmt.Fprintln(progress, model.Summary())
	}

	callbacks := []nn.Callback{checkpointEveryEpoch(ckpt, initialEpoch, o.resume)}
	if testHookBatchEnd != nil {
		callbacks = append(callbacks, nn.CallbackFuncs{BatchEnd: func(_ *nn.Model, epoch, batch int, _ nn.Logs) error {
			testHookBatchEnd(epoch, batch)
			return nil
		}})
	}
	if o.patience > 0 {
		callbacks = append(callbacks, nn.EarlyStopping("val_loss", o.patience))
	}
	extra, closeExtra, err := loggingCallbacks(o, save)
	if err != nil {
		return nil, err
	}
	defer closeExtra()
	callbacks = append(callbacks, extra...)

	verbose := 1
	if o.quiet {
		verbose = 0
	}
	cfg := nn.FitConfig{
		Epochs: o.epochs, InitialEpoch: initialEpoch,
		BatchSize: o.batch, ValidationSplit: o.valSplit, Seed: uint64(o.seed),
		Verbose: verbose, Progress: progress, Workers: o.workers,
	}
	if o.augment {
		// Hold out the validation images first: they are not augmented.
		fit, val := train, data.Dataset(nil)
		if o.valSplit > 0 {
			if fit, val, err = data.Split(train, o.valSplit, uint64(o.seed)); err != nil {
				return nil, err
			}
		}
		aug := &augmented{Dataset: fit, aug: defaultAugmentation(d.name == "mnist"), seed: uint64(o.seed)}
		callbacks = append([]nn.Callback{aug.epochCallback()}, callbacks...)
		train, cfg.ValidationData, cfg.ValidationSplit = aug, val, 0
		if cfg.Workers == 0 {
			cfg.Workers = runtime.GOMAXPROCS(0)
		}
	}
	if o.valOnTest {
		cfg.ValidationData = d.test
	}
	if sched := schedule(o.schedule, o.lr, o.epochs); sched != nil {
		callbacks = append(callbacks, nn.LearningRateScheduler(sched))
	}
	cfg.Callbacks = callbacks
	fitStart := time.Now()
	hist, err := model.Fit(ctx, train, cfg)
	fitSeconds := time.Since(fitStart).Seconds()
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			done := lastEpoch(hist, initialEpoch)
			return nil, fmt.Errorf("interrupted in epoch %d; the checkpoint %s holds the model after %d epochs (continue with -resume)",
				done+1, ckpt, done)
		}
		return nil, err
	}
	epochsRun := len(hist.Epoch)

	// Test-set evaluation and report.
	rep, err := evaluate(ctx, model, d.test, d.classes, o.batch)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "\ntest accuracy %.4f, test loss %.4f on %d images\n\n", rep.accuracy, rep.loss, d.test.Len())
	fmt.Fprintln(stdout, rep.report)
	fmt.Fprintln(stdout, "confusion matrix (rows: true class, columns: predicted):")
	fmt.Fprintln(stdout, formatConfusion(rep.confusion, d.classes))

	if err := saveImageModel(model, save, d); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "model saved to %s\n", save)
	if o.plots {
		if files, err := imagePlots(save, hist, rep, d.classes); err != nil {
			fmt.Fprintf(progress, "plots: %v\n", err)
		} else if len(files) > 0 {
			fmt.Fprintf(progress, "plots written: %v\n", files)
		}
	}
	_ = os.RemoveAll(ckpt) // finished: the checkpoint is no longer needed

	images := train.Len()
	if cfg.ValidationSplit > 0 {
		images -= int(float64(images) * cfg.ValidationSplit)
	}
	res := imageResult{
		Task: "image_classification", Dataset: d.name, Arch: o.arch,
		TestAccuracy: rep.accuracy, TestLoss: rep.loss, Epochs: initialEpoch + epochsRun,
		EpochAccuracy: hist.Values["accuracy"], EpochValAccuracy: hist.Values["val_accuracy"],
		TrainImages: images, TestImages: d.test.Len(),
		TrainImagesPerSec: float64(images*epochsRun) / fitSeconds,
		WallSeconds:       time.Since(start).Seconds(), ModelPath: save, Skipped: d.skipped,
	}
	if err := trackRun(o, save, res, hist); err != nil {
		return nil, err
	}
	return res, nil
}

// schedule returns the learning-rate schedule named by name over epochs.
func schedule(name string, lr float64, epochs int) optim.Schedule {
	switch name {
	case "cosine":
		if epochs < 2 {
			return nil
		}
		return optim.CosineAnnealing{Initial: lr, Min: lr / 100, TMax: epochs}
	case "step":
		return optim.StepLR{Initial: lr, StepSize: max(1, epochs/3), Gamma: 0.1}
	}
	return nil
}

// testHookBatchEnd, when set by a test, is called after every batch.
var testHookBatchEnd func(epoch, batch int)

func lastEpoch(h *nn.History, initial int) int {
	if h == nil || len(h.Epoch) == 0 {
		return initial
	}
	return h.Epoch[len(h.Epoch)-1] + 1
}

// evalReport is the test-set evaluation of a classifier.
type evalReport struct {
	accuracy, loss float64
	yTrue, yPred   []float64
	scores         [][]float64 // class probabilities
	confusion      [][]int
	report         string
}

func evaluate(ctx context.Context, m *nn.Model, ds data.Dataset, classes []string, batch int) (*evalReport, error) {
	loss, ms, err := m.Evaluate(ctx, ds, 256)
	if err != nil {
		return nil, err
	}
	r := &evalReport{loss: loss, accuracy: ms["accuracy"]}
	loader, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 256})
	if err != nil {
		return nil, err
	}
	for b, err := range loader.Epoch(ctx, 0) {
		if err != nil {
			return nil, err
		}
		p, err := m.Predict(ctx, b.X, 256)
		if err != nil {
			return nil, err
		}
		labels, err := data.Labels(b.Y)
		if err != nil {
			return nil, err
		}
		k := p.Shape()[1]
		pv := p.Float64s()
		for i, l := range labels {
			row := pv[i*k : (i+1)*k]
			best := 0
			for j := range row {
				if row[j] > row[best] {
					best = j
				}
			}
			r.yTrue = append(r.yTrue, float64(l))
			r.yPred = append(r.yPred, float64(best))
			r.scores = append(r.scores, append([]float64(nil), row...))
		}
	}
	n := len(r.yTrue)
	yt, yp := tensor.FromFloat64(r.yTrue, n), tensor.FromFloat64(r.yPred, n)
	all := make([]float64, len(classes))
	for i := range all {
		all[i] = float64(i)
	}
	if r.confusion, _, err = metrics.ConfusionMatrix(yt, yp, metrics.Labels(all...)); err != nil {
		return nil, err
	}
	if r.report, err = metrics.ClassificationReport(yt, yp, metrics.Labels(all...), metrics.TargetNames(classes...)); err != nil {
		return nil, err
	}
	return r, nil
}

func formatConfusion(cm [][]int, classes []string) string {
	w := 5
	for _, c := range classes {
		w = max(w, len(c)+1)
	}
	for _, row := range cm {
		for _, v := range row {
			w = max(w, len(strconv.Itoa(v))+1)
		}
	}
	var s []byte
	s = fmt.Appendf(s, "%*s", w, "")
	for _, c := range classes {
		s = fmt.Appendf(s, "%*s", w, c)
	}
	s = append(s, '\n')
	for i, row := range cm {
		s = fmt.Appendf(s, "%*s", w, classes[i])
		for _, v := range row {
			s = fmt.Appendf(s, "%*d", w, v)
		}
		s = append(s, '\n')
	}
	return string(s)
}
