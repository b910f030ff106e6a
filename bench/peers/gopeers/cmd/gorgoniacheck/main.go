// Command gorgoniacheck imports gorgonia.org/gorgonia v0.9.18 and builds a
// one-node graph, to show whether the package starts on this Go version.
package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

func main() {
	g := G.NewGraph()
	x := G.NewScalar(g, G.Float64, G.WithName("x"))
	fmt.Println("gorgonia started; node:", x)
}
