package tensor_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/ember-ml/ember/cuda"
	"github.com/ember-ml/ember/tensor"
)

// The tensor core embedded in someone else's program: multiply on the
// fastest kernel the CPU has, hand the result to gonum without a copy, and
// use a GPU when there is one.
func Example_gonum() {
	rng := tensor.NewRand(1)
	a := tensor.RandN(tensor.Float32, rng, 512, 256)
	b := tensor.RandN(tensor.Float32, rng, 256, 128)
	c := tensor.MatMul(a, b)

	m := tensor.ToGonum(c.AsType(tensor.Float64)) // *mat.Dense sharing the float64 tensor's memory
	r, k := m.Dims()
	fmt.Println("c is", r, "x", k)

	// The same product computed by gonum agrees.
	var want mat.Dense
	want.Mul(tensor.ToGonum(a.AsType(tensor.Float64)), tensor.ToGonum(b.AsType(tensor.Float64)))
	fmt.Println("agrees with gonum:", mat.EqualApprox(m, &want, 1e-3))

	// A GPU, if the machine has one: the same call runs there.
	onDevice := c
	if gpu, err := cuda.Open(0); err == nil {
		dev := gpu.TensorDevice()
		onDevice = tensor.MatMul(a.To(dev), b.To(dev)).To(tensor.CPU)
	}
	fmt.Println("same result on every device:", tensor.AllClose(onDevice, c, 1e-3, 1e-3))

	// And back: a gonum matrix becomes a tensor view of the same memory.
	x := tensor.FromGonum(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	fmt.Println(tensor.Softmax(x, 1))
	// Output:
	// c is 512 x 128
	// agrees with gonum: true
	// same result on every device: true
	// tensor([2 2], float64, [[0.2689, 0.7311], [0.2689, 0.7311]])
}

// Broadcasting, reductions and views.
func Example() {
	x := tensor.FromSlice(tensor.Float32, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	bias := tensor.FromSlice(tensor.Float32, []float64{10, 20, 30}, 3)
	y := tensor.Add(x, bias) // [2,3] + [3] broadcasts
	fmt.Println(y)
	fmt.Println(tensor.Sum(y, 0), tensor.ArgMax(y, 1))
	fmt.Println(y.T().Narrow(0, 1, 2)) // a view: nothing is copied
	// Output:
	// tensor([2 3], float32, [[11, 22, 33], [14, 25, 36]])
	// tensor([3], float32, [25, 47, 69]) [2 2]
	// tensor([2 2], float32, [[22, 25], [33, 36]])
}
