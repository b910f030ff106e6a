package cuda_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/cuda"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// Run on the GPU when there is one and on the CPU otherwise: the result is
// the same either way.
func Example() {
	dev := tensor.CPU
	if gpu, err := cuda.Open(0); err == nil {
		dev = gpu.TensorDevice()
	}
	a := tensor.FromFloat32([]float32{1, 2, 3, 4, 5, 6}, 2, 3).To(dev)
	b := tensor.FromFloat32([]float32{1, 0, 0, 1, 1, 1}, 3, 2).To(dev)
	c := tensor.MatMul(a, b).To(tensor.CPU)
	fmt.Println(c.Float32s())
	// Output: [4 5 10 11]
}

// Train a network on the GPU when there is one: Model.To moves the
// weights, and Fit, Evaluate and Predict copy each batch over.
func Example_train() {
	dev := tensor.CPU
	if gpu, err := cuda.Open(0); err == nil {
		dev = gpu.TensorDevice()
	}
	// XOR, the classic problem a linear model cannot learn.
	x := tensor.FromFloat32([]float32{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)
	y := tensor.FromFloat32([]float32{0, 1, 1, 0}, 4)
	model := nn.NewSequential(
		nn.Dense(8, nn.WithActivation("tanh")),
		nn.Dense(2, nn.WithActivation("softmax")),
	)
	model.SetSeed(1)
	model.To(dev)
	if err := model.Compile(optim.NewAdam(0.05), nn.SparseCategoricalCrossentropy(), nil); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if _, err := model.FitXY(ctx, x, y, nn.FitConfig{Epochs: 200, BatchSize: 4}); err != nil {
		fmt.Println(err)
		return
	}
	p, err := model.Predict(ctx, x, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tensor.ArgMax(p, 1))
	// Output: [0 1 1 0]
}
