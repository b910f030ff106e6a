// Command train trains ember models from the shell.
//
//	train                                    the seeds' CNN on the MNIST bundled with ember
//	train -data DIR [-size 64 -channels 3]   a CNN on a class-per-folder image directory
//	train -csv FILE -target COL [-model M]   a classical model on a table
//	train -rl ENV [-algo dqn]                a reinforcement-learning agent
//
// Every mode prints Keras- or scikit-learn-like progress and a final
// report; -json adds one JSON object with the results as the last line of
// standard output. Ctrl-C stops a neural run after the current batch and
// writes a checkpoint that -resume continues from.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

// errUsage marks a mistake in the command line (exit status 2).
var errUsage = errors.New("usage")

// usagef returns a usage error with a message.
func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// options are the command-line flags of every mode.
type options struct {
	// image mode
	dataDir     string
	size        int
	channels    int
	arch        string
	augment     bool
	epochs      int
	batch       int
	lr          float64
	optimizer   string
	valSplit    float64
	schedule    string
	valOnTest   bool
	patience    int
	checkpoint  string
	resume      bool
	limit       int
	plots       bool
	tensorboard string
	track       string
	workers     int
	skipCorrupt bool
	// table mode
	csv      string
	testCSV  string
	target   string
	drop     string
	model    string
	cv       int
	testSize float64
	// rl mode
	env   string
	algo  string
	steps int
	// all modes
	seed   int64
	save   string
	json   bool
	quiet  bool
	device string
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dataDir, "data", "", "class-per-folder image directory (DIR/train and DIR/test if present); empty: the bundled MNIST")
	fs.IntVar(&o.size, "size", 0, "image height and width (default 28 for MNIST-like data, 64 otherwise)")
	fs.IntVar(&o.channels, "channels", 0, "image channels: 1 (grayscale) or 3 (RGB) (default 1 for MNIST, else 3)")
	fs.StringVar(&o.arch, "arch", "cnn", "network: cnn (the seeds' CNN), mlp, or deep_cnn (for larger RGB images)")
	fs.BoolVar(&o.augment, "augment", false, "augment training images (rotation, shifts, zoom, horizontal flip)")
	fs.IntVar(&o.epochs, "epochs", 3, "training epochs")
	fs.IntVar(&o.batch, "batch", 32, "batch size (32, as Keras)")
	fs.Float64Var(&o.lr, "lr", 1e-3, "learning rate")
	fs.StringVar(&o.optimizer, "optimizer", "adam", "optimizer: adam, adamw, sgd, rmsprop, adagrad")
	var valSplit optFloat
	fs.Var(&valSplit, "val-split", "`fraction` of the training images held out for validation (default 0.1; for the bundled MNIST the 10,000 test images are shown as validation instead)")
	fs.StringVar(&o.schedule, "schedule", "cosine", "learning-rate schedule over the epochs: cosine (to lr/100), step (x0.1 every third of the epochs) or none")
	fs.IntVar(&o.patience, "patience", 0, "early-stopping patience in epochs on val_loss (0: off)")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "checkpoint directory, written before training and after every epoch (default SAVE.ckpt)")
	fs.BoolVar(&o.resume, "resume", false, "continue from the checkpoint")
	fs.IntVar(&o.limit, "limit", 0, "use at most this many training images (0: all)")
	fs.BoolVar(&o.plots, "plots", true, "write history.png and confusion_matrix.png (and roc.png for two classes) next to the saved model")
	fs.StringVar(&o.tensorboard, "tensorboard", "", "write TensorBoard event files to this directory")
	fs.StringVar(&o.track, "track", "", "log params, metrics and the model to an MLflow file store in this directory")
	fs.IntVar(&o.workers, "workers", 0, "image decoding workers (0: GOMAXPROCS)")
	fs.BoolVar(&o.skipCorrupt, "skip-corrupt", true, "skip unreadable images (counted) instead of failing")
	fs.StringVar(&o.csv, "csv", "", "train a classical model on this CSV table")
	fs.StringVar(&o.testCSV, "test", "", "separate test table with the same columns (instead of -test-size)")
	fs.StringVar(&o.target, "target", "", "target column of the table")
	fs.StringVar(&o.drop, "drop", "", "comma-separated columns of the table to leave out (identifiers, leaky columns)")
	fs.StringVar(&o.model, "model", "", "classical model for -csv: "+modelNames()+" (default random_forest for classification, ridge for regression)")
	fs.IntVar(&o.cv, "cv", 5, "cross-validation folds for -csv (0: none)")
	fs.Float64Var(&o.testSize, "test-size", 0.2, "fraction of the table held out for testing")
	fs.StringVar(&o.env, "rl", "", "train a reinforcement-learning agent on this environment")
	fs.StringVar(&o.algo, "algo", "", "reinforcement-learning algorithm: q_learning, sarsa or dqn")
	fs.IntVar(&o.steps, "steps", 0, "environment steps for -rl (0: a default for the environment)")
	fs.Int64Var(&o.seed, "seed", 42, "random seed")
	fs.StringVar(&o.save, "save", "", "where to save the trained model (default models/mnist-cnn for the default run)")
	fs.BoolVar(&o.json, "json", false, "print the results as one JSON object on the last line of standard output")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress output")
	fs.StringVar(&o.device, "device", "cpu", "where networks train: cpu, or cuda (the first GPU, found at run time)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `train trains ember models.

  train                                    the seeds' CNN on the MNIST bundled with ember
  train -data DIR [-size 64 -channels 3]   a CNN on a class-per-folder image directory
  train -csv FILE -target COL [-model M]   a classical model on a table
  train -rl ENV [-algo dqn]                a reinforcement-learning agent

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	o.valSplit = -1 // not given
	if valSplit.set {
		o.valSplit = valSplit.v
	}
	modes := 0
	for _, set := range []bool{o.dataDir != "", o.csv != "", o.env != ""} {
		if set {
			modes++
		}
	}
	if modes > 1 {
		return nil, usagef("give one of -data, -csv and -rl")
	}
	switch {
	case o.epochs < 1:
		return nil, usagef("-epochs %d: need at least 1", o.epochs)
	case o.batch < 1:
		return nil, usagef("-batch %d: need at least 1", o.batch)
	case !(o.lr > 0):
		return nil, usagef("-lr %g: need a positive learning rate", o.lr)
	case valSplit.set && (o.valSplit < 0 || o.valSplit >= 1):
		return nil, usagef("-val-split %g: need 0 <= split < 1", o.valSplit)
	case o.testSize <= 0 || o.testSize >= 1:
		return nil, usagef("-test-size %g: need 0 < size < 1", o.testSize)
	case o.cv < 0 || o.cv == 1:
		return nil, usagef("-cv %d: need 0 (none) or at least 2 folds", o.cv)
	case o.size < 0 || o.size > 4096:
		return nil, usagef("-size %d: need 1..4096", o.size)
	case o.channels != 0 && o.channels != 1 && o.channels != 3:
		return nil, usagef("-channels %d: need 1 or 3", o.channels)
	case o.limit < 0 || o.steps < 0 || o.patience < 0:
		return nil, usagef("-limit, -steps and -patience cannot be negative")
	case o.device != "cpu" && o.device != "cuda":
		return nil, usagef("-device %q: need cpu or cuda", o.device)
	case o.device == "cuda" && (o.csv != "" || o.env != ""):
		return nil, usagef("-device cuda: only the networks of image training run on a GPU; -csv and -rl run on the CPU")
	}
	if o.valSplit == -1 {
		o.valSplit = 0.1
		if o.dataDir == "" && o.csv == "" && o.env == "" {
			o.valSplit = 0 // MNIST: validate on the test set, train on all 60,000
			o.valOnTest = true
		}
	}
	switch o.schedule {
	case "cosine", "step", "none":
	default:
		return nil, usagef("-schedule %q: want cosine, step or none", o.schedule)
	}
	if o.csv != "" && o.target == "" {
		return nil, usagef("-csv needs -target COLUMN")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	progress := stderr
	if o.quiet {
		progress = io.Discard
	}
	var result any
	switch {
	case o.env != "":
		result, err = trainRL(ctx, o, progress)
	case o.csv != "":
		result, err = trainTable(ctx, o, stdout, progress)
	default:
		result, err = trainImages(ctx, o, stdout, progress)
	}
	if err != nil {
		return err
	}
	if o.json {
		b, err := json.Marshal(result)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	}
	return nil
}

// optFloat is a float flag that knows whether it was given.
type optFloat struct {
	v   float64
	set bool
}

func (f *optFloat) String() string {
	if f == nil || !f.set {
		return ""
	}
	return strconv.FormatFloat(f.v, 'g', -1, 64)
}

func (f *optFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %q", s)
	}
	f.v, f.set = v, true
	return nil
}
