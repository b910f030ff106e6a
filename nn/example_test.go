package nn_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// syntheticDigits makes n 1×12×12 images of four classes: a bright
// horizontal bar, vertical bar, main diagonal or anti-diagonal, with noise.
func syntheticDigits(n int, seed uint64) (*tensor.Tensor, *tensor.Tensor) {
	rng := tensor.NewRand(seed)
	x := make([]float64, n*144)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		c := i % 4
		y[i] = float64(c)
		img := x[i*144 : (i+1)*144]
		for j := range img {
			img[j] = 0.2 * rng.Float64()
		}
		k := 2 + rng.IntN(8)
		for t := 0; t < 12; t++ {
			switch c {
			case 0:
				img[k*12+t] = 1
			case 1:
				img[t*12+k] = 1
			case 2:
				img[t*12+t] = 1
			case 3:
				img[t*12+11-t] = 1
			}
		}
	}
	return tensor.FromSlice(tensor.Float32, x, n, 1, 12, 12), tensor.FromSlice(tensor.Float32, y, n)
}

// The Keras workflow for a small CNN: define, compile, fit with
// validation and callbacks, evaluate, save and load.
func Example_cnn() {
	ctx := context.Background()
	xTrain, yTrain := syntheticDigits(512, 1)
	xTest, yTest := syntheticDigits(128, 2)
	train, _ := data.NewTensorDataset(xTrain, yTrain)
	test, _ := data.NewTensorDataset(xTest, yTest)

	model := nn.NewSequential(
		nn.Conv2D(8, 3, nn.WithActivation("relu")),
		nn.MaxPooling2D(2),
		nn.Conv2D(16, 3, nn.WithActivation("relu")),
		nn.MaxPooling2D(2),
		nn.Flatten(),
		nn.Dense(32, nn.WithActivation("relu")),
		nn.Dropout(0.5),
		nn.Dense(4, nn.WithActivation("softmax")),
	)
	if err := model.Compile(optim.NewAdam(1e-2), nn.CategoricalCrossentropy(), nn.Metrics("accuracy")); err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "ember-example")
	defer os.RemoveAll(dir)
	stop := nn.EarlyStopping("val_loss", 3)
	stop.RestoreBestWeights = true
	hist, err := model.Fit(ctx, train, nn.FitConfig{
		Epochs: 8, BatchSize: 32, ValidationSplit: 0.1, Seed: 42,
		Callbacks: []nn.Callback{stop, nn.ModelCheckpoint(filepath.Join(dir, "best"), true)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("epochs run:", len(hist.Epoch) > 0)

	loss, metrics, err := model.Evaluate(ctx, test, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("test accuracy >= 0.9: %v, loss < 0.5: %v\n", metrics["accuracy"] >= 0.9, loss < 0.5)

	if err := model.Save(filepath.Join(dir, "final")); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := nn.Load(filepath.Join(dir, "final"))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := loaded.Predict(ctx, xTest.Narrow(0, 0, 4), 0)
	fmt.Println("predicted classes:", tensor.ArgMax(p, 1))
	// Output:
	// epochs run: true
	// test accuracy >= 0.9: true, loss < 0.5: true
	// predicted classes: [0 1 2 3]
}

// Summary prints a Keras-like table of the layers.
func ExampleModel_Summary() {
	model := nn.NewSequential(
		nn.Conv2D(32, 3, nn.WithActivation("relu")),
		nn.MaxPooling2D(2),
		nn.Flatten(),
		nn.Dense(10, nn.WithActivation("softmax")),
	)
	if err := model.Build([]int{1, 28, 28}, tensor.Float32); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(model.Summary())
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	//  Layer (type)                Output Shape              Param #
	// =================================================================
	//  conv2d (Conv2D)             (None, 32, 26, 26)        320
	//
	//  max_pooling2d (MaxPooling2D) (None, 32, 13, 13)        0
	//
	//  flatten (Flatten)           (None, 5408)              0
	//
	//  dense (Dense)               (None, 10)                54,090
	// =================================================================
	// Total params: 54,410
	// Trainable params: 54,410
	// Non-trainable params: 0
	// _________________________________________________________________
}

// The seeds' MLP on a make_classification-style dataset: binary
// cross-entropy with a final sigmoid (fused with the loss), Adam, a
// validation split and a held-out evaluation.
func Example_mlp() {
	ctx := context.Background()
	x, y, err := data.MakeClassification(data.ClassificationConfig{
		NSamples: 3000, NFeatures: 20, NInformative: 10, NClasses: 2, Seed: 42,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	all, err := data.NewTensorDataset(x, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test, err := data.Split(all, 0.2, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	model := nn.NewSequential(
		nn.Dense(128, nn.WithActivation("relu")),
		nn.Dropout(0.2),
		nn.Dense(64, nn.WithActivation("relu")),
		nn.Dropout(0.2),
		nn.Dense(32, nn.WithActivation("relu")),
		nn.Dense(1, nn.WithActivation("sigmoid")),
	)
	if err := model.Compile(optim.NewAdam(1e-3), nn.BinaryCrossentropy(), nn.Metrics("accuracy", "auc")); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := model.Fit(ctx, train, nn.FitConfig{Epochs: 10, BatchSize: 32, ValidationSplit: 0.1, Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	_, metrics, err := model.Evaluate(ctx, test, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("test accuracy > 0.85: %v, AUC > 0.9: %v\n", metrics["accuracy"] > 0.85, metrics["auc"] > 0.9)
	// Output:
	// test accuracy > 0.85: true, AUC > 0.9: true
}
