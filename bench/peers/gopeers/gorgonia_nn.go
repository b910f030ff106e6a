package main

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	gt "gorgonia.org/tensor"
)

// gorgoniaNet is a compiled gorgonia training graph: a TapeMachine that
// runs the forward pass, the symbolic gradients and, after each run, an
// Adam step on the learnables.
type gorgoniaNet struct {
	g          *G.ExprGraph
	x, y, cost *G.Node
	learnables G.Nodes
}

// gorgoniaMLP builds 784-128(relu)-10 with biases, softmax and the mean
// of -log(p)·onehot over the batch's elements.
func gorgoniaMLP() (*gorgoniaNet, error) {
	g := G.NewGraph()
	dt := G.Float32
	x := G.NewMatrix(g, dt, G.WithShape(nnBatch, 784), G.WithName("x"))
	y := G.NewMatrix(g, dt, G.WithShape(nnBatch, 10), G.WithName("y"))
	w1 := G.NewMatrix(g, dt, G.WithShape(784, 128), G.WithName("w1"), G.WithInit(G.GlorotU(1)))
	b1 := G.NewMatrix(g, dt, G.WithShape(1, 128), G.WithName("b1"), G.WithInit(G.Zeroes()))
	w2 := G.NewMatrix(g, dt, G.WithShape(128, 10), G.WithName("w2"), G.WithInit(G.GlorotU(1)))
	b2 := G.NewMatrix(g, dt, G.WithShape(1, 10), G.WithName("b2"), G.WithInit(G.Zeroes()))
	var err error
	h := G.Must(G.Mul(x, w1))
	if h, err = G.BroadcastAdd(h, b1, nil, []byte{0}); err != nil {
		return nil, err
	}
	h = G.Must(G.Rectify(h))
	out := G.Must(G.Mul(h, w2))
	if out, err = G.BroadcastAdd(out, b2, nil, []byte{0}); err != nil {
		return nil, err
	}
	return gorgoniaFinish(g, x, y, out, G.Nodes{w1, b1, w2, b2})
}

// gorgoniaCNN builds the seeds CNN in gorgonia (NCHW, as ember): conv 32
// 3×3 valid relu, 2×2 max pool, conv 64 3×3 relu, 2×2 max pool, flatten,
// dense 128 relu, dropout 0.5, dense 10, softmax. Its convolutions have
// no bias (as in gorgonia's convnet example); the dense layers do.
func gorgoniaCNN() (*gorgoniaNet, error) {
	g := G.NewGraph()
	dt := G.Float32
	x := G.NewTensor(g, dt, 4, G.WithShape(nnBatch, 1, 28, 28), G.WithName("x"))
	y := G.NewMatrix(g, dt, G.WithShape(nnBatch, 10), G.WithName("y"))
	k1 := G.NewTensor(g, dt, 4, G.WithShape(32, 1, 3, 3), G.WithName("k1"), G.WithInit(G.GlorotU(1)))
	k2 := G.NewTensor(g, dt, 4, G.WithShape(64, 32, 3, 3), G.WithName("k2"), G.WithInit(G.GlorotU(1)))
	w1 := G.NewMatrix(g, dt, G.WithShape(64*5*5, 128), G.WithName("w1"), G.WithInit(G.GlorotU(1)))
	b1 := G.NewMatrix(g, dt, G.WithShape(1, 128), G.WithName("b1"), G.WithInit(G.Zeroes()))
	w2 := G.NewMatrix(g, dt, G.WithShape(128, 10), G.WithName("w2"), G.WithInit(G.GlorotU(1)))
	b2 := G.NewMatrix(g, dt, G.WithShape(1, 10), G.WithName("b2"), G.WithInit(G.Zeroes()))
	var (
		h   *G.Node
		err error
	)
	step := func(f func() (*G.Node, error)) {
		if err == nil {
			h, err = f()
		}
	}
	step(func() (*G.Node, error) { return G.Conv2d(x, k1, gt.Shape{3, 3}, []int{0, 0}, []int{1, 1}, []int{1, 1}) })
	step(func() (*G.Node, error) { return G.Rectify(h) })
	step(func() (*G.Node, error) { return G.MaxPool2D(h, gt.Shape{2, 2}, []int{0, 0}, []int{2, 2}) })
	step(func() (*G.Node, error) { return G.Conv2d(h, k2, gt.Shape{3, 3}, []int{0, 0}, []int{1, 1}, []int{1, 1}) })
	step(func() (*G.Node, error) { return G.Rectify(h) })
	step(func() (*G.Node, error) { return G.MaxPool2D(h, gt.Shape{2, 2}, []int{0, 0}, []int{2, 2}) })
	step(func() (*G.Node, error) { return G.Reshape(h, gt.Shape{nnBatch, 64 * 5 * 5}) })
	step(func() (*G.Node, error) { return G.Mul(h, w1) })
	step(func() (*G.Node, error) { return G.BroadcastAdd(h, b1, nil, []byte{0}) })
	step(func() (*G.Node, error) { return G.Rectify(h) })
	step(func() (*G.Node, error) { return G.Dropout(h, 0.5) })
	step(func() (*G.Node, error) { return G.Mul(h, w2) })
	step(func() (*G.Node, error) { return G.BroadcastAdd(h, b2, nil, []byte{0}) })
	if err != nil {
		return nil, err
	}
	return gorgoniaFinish(g, x, y, h, G.Nodes{k1, k2, w1, b1, w2, b2})
}

// gorgoniaFinish adds softmax, the loss and its gradients.
func gorgoniaFinish(g *G.ExprGraph, x, y, logits *G.Node, learnables G.Nodes) (*gorgoniaNet, error) {
	prob, err := G.SoftMax(logits)
	if err != nil {
		return nil, err
	}
	cost := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.HadamardProd(G.Must(G.Log(prob)), y))))))
	if _, err := G.Grad(cost, learnables...); err != nil {
		return nil, err
	}
	return &gorgoniaNet{g: g, x: x, y: y, cost: cost, learnables: learnables}, nil
}

// gorgoniaTrainer returns a function that runs nnBatches training steps
// (forward, backward, Adam) of net on d, with inputs of per-example shape
// in.
func gorgoniaTrainer(net *gorgoniaNet, d nnData, in ...int) (func(), error) {
	per := 1
	for _, v := range in {
		per *= v
	}
	xs := make([]*gt.Dense, nnBatches)
	ys := make([]*gt.Dense, nnBatches)
	for b := 0; b < nnBatches; b++ {
		xs[b] = gt.New(gt.WithShape(append([]int{nnBatch}, in...)...), gt.WithBacking(d.pixels[b*nnBatch*per:(b+1)*nnBatch*per]))
		oh := make([]float32, nnBatch*10)
		for i := 0; i < nnBatch; i++ {
			oh[i*10+int(d.labels[b*nnBatch+i])] = 1
		}
		ys[b] = gt.New(gt.WithShape(nnBatch, 10), gt.WithBacking(oh))
	}
	vm := G.NewTapeMachine(net.g, G.BindDualValues(net.learnables...))
	solver := G.NewAdamSolver(G.WithLearnRate(1e-3))
	run := func() error {
		for b := 0; b < nnBatches; b++ {
			if err := G.Let(net.x, xs[b]); err != nil {
				return err
			}
			if err := G.Let(net.y, ys[b]); err != nil {
				return err
			}
			if err := vm.RunAll(); err != nil {
				return err
			}
			if err := solver.Step(G.NodesToValueGrads(net.learnables)); err != nil {
				return err
			}
			vm.Reset()
		}
		return nil
	}
	if err := run(); err != nil {
		return nil, fmt.Errorf("gorgonia: %w", err)
	}
	return func() {
		if err := run(); err != nil {
			panic(err)
		}
	}, nil
}
