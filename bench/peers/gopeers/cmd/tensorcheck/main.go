// Command tensorcheck imports gorgonia.org/tensor v0.9.24 alone and
// multiplies two 2x2 matrices, to show whether the package starts.
package main

import (
	"fmt"

	"gorgonia.org/tensor"
)

func main() {
	a := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	c, err := a.MatMul(a)
	fmt.Println("tensor started:", c, err)
}
