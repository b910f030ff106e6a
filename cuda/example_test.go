package cuda_test

import (
	"fmt"

	"github.com/ember-ml/ember/cuda"
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
