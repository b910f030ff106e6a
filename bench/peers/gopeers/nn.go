package main

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // registers the pure-Go backend "go"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	gctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

const (
	nnBatch   = 64
	nnBatches = 8 // one timed run trains on nnBatches batches of nnBatch images
)

// nnData is the same random MNIST-shaped data for both sides: pixels in
// [0, 1) and labels i mod 10.
type nnData struct {
	pixels []float32 // [nnBatches*nnBatch, 28*28]
	labels []int32
}

func makeNNData() nnData {
	n := nnBatches * nnBatch
	x := tensor.RandU(tensor.Float32, tensor.NewRand(1), 0, 1, n, 28*28)
	d := nnData{pixels: x.Float32s(), labels: make([]int32, n)}
	for i := range d.labels {
		d.labels[i] = int32(i % 10)
	}
	return d
}

// emberTrainer returns a function that trains m for one epoch (nnBatches
// steps of nnBatch, no shuffling) through the public Model.FitXY, with
// inputs of per-example shape in.
func emberTrainer(m *nn.Model, d nnData, in ...int) func() {
	n := nnBatches * nnBatch
	x := tensor.New(tensor.Float32, append([]int{n}, in...)...)
	copy(x.Float32s(), d.pixels)
	lab := make([]float64, n)
	for i, v := range d.labels {
		lab[i] = float64(v)
	}
	y := tensor.FromSlice(tensor.Float32, lab, n)
	if err := m.Compile(optim.NewAdam(1e-3), nn.CategoricalCrossentropy(), nil); err != nil {
		panic(err)
	}
	ctx := context.Background()
	return func() {
		if _, err := m.FitXY(ctx, x, y, nn.FitConfig{Epochs: 1, BatchSize: nnBatch, NoShuffle: true}); err != nil {
			panic(err)
		}
	}
}

// gomlxTrainer returns a function that runs nnBatches TrainSteps of a
// gomlx train.Trainer (Adam, sparse softmax cross-entropy on logits) with
// model on the simplego backend, inputs of per-example shape in.
func gomlxTrainer(backend backends.Backend, model train.ModelFn, d nnData, in ...int) func() {
	ctx := gctx.New()
	tr := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().LearningRate(1e-3).Done(), nil, nil)
	per := 1
	for _, v := range in {
		per *= v
	}
	xs := make([]*tensors.Tensor, nnBatches)
	ys := make([]*tensors.Tensor, nnBatches)
	for b := 0; b < nnBatches; b++ {
		xs[b] = tensors.FromFlatDataAndDimensions(d.pixels[b*nnBatch*per:(b+1)*nnBatch*per], append([]int{nnBatch}, in...)...)
		ys[b] = tensors.FromFlatDataAndDimensions(d.labels[b*nnBatch:(b+1)*nnBatch], nnBatch, 1)
	}
	return func() {
		for b := 0; b < nnBatches; b++ {
			if _, err := tr.TrainStep(nil, []*tensors.Tensor{xs[b]}, []*tensors.Tensor{ys[b]}); err != nil {
				panic(err)
			}
		}
	}
}

// gomlxMLP is 784-128(relu)-10 logits.
func gomlxMLP(ctx *gctx.Context, _ any, inputs []*graph.Node) []*graph.Node {
	x := inputs[0]
	x = activations.Relu(layers.Dense(ctx.In("d1"), x, true, 128))
	return []*graph.Node{layers.Dense(ctx.In("d2"), x, true, 10)}
}

// gomlxCNN is ember's seeds CNN in channels-last layout: conv 32 3×3
// (valid) relu, 2×2 max pool, conv 64 3×3 relu, 2×2 max pool, flatten,
// dense 128 relu, dropout 0.5, dense 10 logits.
func gomlxCNN(ctx *gctx.Context, _ any, inputs []*graph.Node) []*graph.Node {
	x := inputs[0]
	b := x.Shape().Dimensions[0]
	x = activations.Relu(layers.Convolution(ctx.In("c1"), x).Channels(32).KernelSize(3).NoPadding().Done())
	x = graph.MaxPool(x).Window(2).Done()
	x = activations.Relu(layers.Convolution(ctx.In("c2"), x).Channels(64).KernelSize(3).NoPadding().Done())
	x = graph.MaxPool(x).Window(2).Done()
	x.AssertDims(b, 5, 5, 64)
	x = graph.Reshape(x, b, -1)
	x = activations.Relu(layers.Dense(ctx.In("d1"), x, true, 128))
	x = layers.DropoutStatic(ctx, x, 0.5)
	return []*graph.Node{layers.Dense(ctx.In("d2"), x, true, 10)}
}

// gomlxStridedCNN replaces the pooling by stride 2 (simplego has no
// gradient for max pooling): conv 32 3×3 stride 2 relu, conv 64 3×3
// stride 2 relu, flatten, dense 128 relu, dropout 0.5, dense 10 logits.
func gomlxStridedCNN(ctx *gctx.Context, _ any, inputs []*graph.Node) []*graph.Node {
	x := inputs[0]
	b := x.Shape().Dimensions[0]
	x = activations.Relu(layers.Convolution(ctx.In("c1"), x).Channels(32).KernelSize(3).Strides(2).NoPadding().Done())
	x = activations.Relu(layers.Convolution(ctx.In("c2"), x).Channels(64).KernelSize(3).Strides(2).NoPadding().Done())
	x.AssertDims(b, 6, 6, 64)
	x = graph.Reshape(x, b, -1)
	x = activations.Relu(layers.Dense(ctx.In("d1"), x, true, 128))
	x = layers.DropoutStatic(ctx, x, 0.5)
	return []*graph.Node{layers.Dense(ctx.In("d2"), x, true, 10)}
}

// tryGomlx builds a gomlx trainer and runs it once (which compiles the
// graph), turning a panic (an op the backend lacks) into an error.
func tryGomlx(backend backends.Backend, model train.ModelFn, d nnData, in ...int) (f func(), err error) {
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("%v", e)
		}
	}()
	f = gomlxTrainer(backend, model, d, in...)
	f()
	return f, nil
}

func runNN(reps int) (rows []row) {
	backend, err := backends.NewWithConfig("go")
	if err != nil {
		return []row{{section: "nn", task: "gomlx backend", peerName: "gomlx simplego", skipped: true, note: err.Error()}}
	}
	defer backend.Finalize()
	d := makeNNData()
	images := float64(nnBatches * nnBatch)
	note := func(r *row) {
		r.note = fmt.Sprintf("images/s ember %.0f, gomlx %.0f", images/r.ember.best().Seconds(), images/r.peer.best().Seconds())
	}

	// MLP 784-128-10.
	mlp := nn.NewSequential(nn.Dense(128, nn.WithActivation("relu")), nn.Dense(10, nn.WithActivation("softmax")))
	r := row{section: "nn", task: fmt.Sprintf("MLP 784-128-10 train, %d steps of batch %d (Adam)", nnBatches, nnBatch), peerName: "gomlx simplego Trainer.TrainStep", accEmber: -1, accPeer: -1}
	r.ember, r.peer = alternate(reps, emberTrainer(mlp, d, 28*28), gomlxTrainer(backend, gomlxMLP, d, 28*28))
	note(&r)
	rows = append(rows, r)

	// CNN (ember's seeds CNN), then the same without pooling.
	cnns := []struct {
		task  string
		ember *nn.Model
		gomlx train.ModelFn
	}{
		{"CNN conv32-maxpool-conv64-maxpool-128-10", nn.NewSequential(
			nn.Conv2D(32, 3, nn.WithActivation("relu")), nn.MaxPooling2D(2),
			nn.Conv2D(64, 3, nn.WithActivation("relu")), nn.MaxPooling2D(2),
			nn.Flatten(), nn.Dense(128, nn.WithActivation("relu")), nn.Dropout(0.5),
			nn.Dense(10, nn.WithActivation("softmax"))), gomlxCNN},
		{"CNN conv32/2-conv64/2-128-10 (stride 2, no pooling)", nn.NewSequential(
			nn.Conv2D(32, 3, nn.WithActivation("relu"), nn.WithStrides(2)),
			nn.Conv2D(64, 3, nn.WithActivation("relu"), nn.WithStrides(2)),
			nn.Flatten(), nn.Dense(128, nn.WithActivation("relu")), nn.Dropout(0.5),
			nn.Dense(10, nn.WithActivation("softmax"))), gomlxStridedCNN},
	}
	for _, c := range cnns {
		r := row{section: "nn", task: fmt.Sprintf("%s train, %d steps of batch %d (Adam)", c.task, nnBatches, nnBatch), peerName: "gomlx simplego Trainer.TrainStep", accEmber: -1, accPeer: -1}
		peer, err := tryGomlx(backend, c.gomlx, d, 28, 28, 1)
		if err != nil {
			r.skipped = true
			r.note = "gomlx simplego failed: " + err.Error()
			rows = append(rows, r)
			continue
		}
		r.ember, r.peer = alternate(reps, emberTrainer(c.ember, d, 1, 28, 28), peer)
		note(&r)
		rows = append(rows, r)
	}
	rows = append(rows, cnnPredictRow(backend, d, reps))
	return append(rows, gorgoniaRows(d, reps)...)
}

// gorgoniaRows compares ember with gorgonia (TapeMachine, Adam) on the MLP
// and the seeds CNN.
func gorgoniaRows(d nnData, reps int) []row {
	var rows []row
	nets := []struct {
		task  string
		ember *nn.Model
		build func() (*gorgoniaNet, error)
		in    []int
	}{
		{"MLP 784-128-10", nn.NewSequential(nn.Dense(128, nn.WithActivation("relu")), nn.Dense(10, nn.WithActivation("softmax"))), gorgoniaMLP, []int{784}},
		{"CNN conv32-maxpool-conv64-maxpool-128-10", nn.NewSequential(
			nn.Conv2D(32, 3, nn.WithActivation("relu")), nn.MaxPooling2D(2),
			nn.Conv2D(64, 3, nn.WithActivation("relu")), nn.MaxPooling2D(2),
			nn.Flatten(), nn.Dense(128, nn.WithActivation("relu")), nn.Dropout(0.5),
			nn.Dense(10, nn.WithActivation("softmax"))), gorgoniaCNN, []int{1, 28, 28}},
	}
	images := float64(nnBatches * nnBatch)
	for _, c := range nets {
		r := row{section: "nn", task: fmt.Sprintf("%s train, %d steps of batch %d (Adam)", c.task, nnBatches, nnBatch), peerName: "gorgonia TapeMachine", accEmber: -1, accPeer: -1}
		net, err := c.build()
		var peer func()
		if err == nil {
			peer, err = gorgoniaTrainer(net, d, c.in...)
		}
		if err != nil {
			r.skipped, r.note = true, "gorgonia failed: "+err.Error()
			rows = append(rows, r)
			continue
		}
		r.ember, r.peer = alternate(reps, emberTrainer(c.ember, d, c.in...), peer)
		r.note = fmt.Sprintf("images/s ember %.0f, gorgonia %.0f", images/r.ember.best().Seconds(), images/r.peer.best().Seconds())
		rows = append(rows, r)
	}
	return rows
}

// predictBatches is the number of batches one timed CNN inference run
// classifies (simplego needs about 3 s a batch here).
const predictBatches = 2

// cnnPredictRow compares inference of the seeds CNN (max pooling; dropout
// off) over predictBatches*nnBatch images in batches of nnBatch: ember's
// Model.Predict against a gomlx context.Exec of the same graph.
func cnnPredictRow(backend backends.Backend, d nnData, reps int) row {
	n := predictBatches * nnBatch
	r := row{section: "nn", task: fmt.Sprintf("CNN conv32-maxpool-conv64-maxpool-128-10 predict, %d images in batches of %d", n, nnBatch), peerName: "gomlx simplego context.Exec", accEmber: -1, accPeer: -1}
	m := nn.NewSequential(
		nn.Conv2D(32, 3, nn.WithActivation("relu")), nn.MaxPooling2D(2),
		nn.Conv2D(64, 3, nn.WithActivation("relu")), nn.MaxPooling2D(2),
		nn.Flatten(), nn.Dense(128, nn.WithActivation("relu")), nn.Dropout(0.5),
		nn.Dense(10, nn.WithActivation("softmax")))
	x := tensor.New(tensor.Float32, n, 1, 28, 28)
	copy(x.Float32s(), d.pixels[:n*784])
	ctx := context.Background()
	emberRun := func() {
		if _, err := m.Predict(ctx, x, nnBatch); err != nil {
			panic(err)
		}
	}
	xs := make([]*tensors.Tensor, predictBatches)
	for b := range xs {
		xs[b] = tensors.FromFlatDataAndDimensions(d.pixels[b*nnBatch*784:(b+1)*nnBatch*784], nnBatch, 28, 28, 1)
	}
	var peerRun func()
	if err := func() (err error) {
		defer func() {
			if e := recover(); e != nil {
				err = fmt.Errorf("%v", e)
			}
		}()
		exec, err := gctx.NewExec(backend, gctx.New(), func(ctx *gctx.Context, x *graph.Node) *graph.Node {
			return graph.Softmax(gomlxCNN(ctx, nil, []*graph.Node{x})[0])
		})
		if err != nil {
			return err
		}
		peerRun = func() {
			for _, xb := range xs {
				out, err := exec.Exec(xb)
				if err != nil {
					panic(err)
				}
				for _, o := range out {
					if err := o.FinalizeAll(); err != nil {
						panic(err)
					}
				}
			}
		}
		peerRun()
		return nil
	}(); err != nil {
		r.skipped, r.note = true, "gomlx simplego failed: "+err.Error()
		return r
	}
	r.ember, r.peer = alternate(reps, emberRun, peerRun)
	r.note = fmt.Sprintf("images/s ember %.0f, gomlx %.0f", float64(n)/r.ember.best().Seconds(), float64(n)/r.peer.best().Seconds())
	return r
}
