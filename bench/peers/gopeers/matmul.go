package main

import (
	"fmt"
	"math"

	"github.com/ember-ml/ember/tensor"
	gt "gorgonia.org/tensor"
)

// runMatMul compares ember's tensor.MatMulTo with gorgonia.org/tensor's
// MatMul (into a reused result, so neither side allocates the output) on
// square n×n matrices, and checks that the two products agree.
func runMatMul(reps int) []row {
	var rows []row
	for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
		for _, n := range []int{256, 512, 1024} {
			rng := tensor.NewRand(uint64(n))
			a := tensor.RandN(dt, rng, n, n)
			b := tensor.RandN(dt, rng, n, n)
			c := tensor.New(dt, n, n)
			var ga, gb, gc *gt.Dense
			if dt == tensor.Float64 {
				ga = gt.New(gt.WithShape(n, n), gt.WithBacking(a.Float64s()))
				gb = gt.New(gt.WithShape(n, n), gt.WithBacking(b.Float64s()))
				gc = gt.New(gt.WithShape(n, n), gt.Of(gt.Float64))
			} else {
				ga = gt.New(gt.WithShape(n, n), gt.WithBacking(a.Float32s()))
				gb = gt.New(gt.WithShape(n, n), gt.WithBacking(b.Float32s()))
				gc = gt.New(gt.WithShape(n, n), gt.Of(gt.Float32))
			}
			r := row{section: "matmul", task: fmt.Sprintf("%v %dx%d @ %dx%d", dt, n, n, n, n), peerName: "gorgonia.org/tensor MatMul", accEmber: -1, accPeer: -1}
			r.ember, r.peer = alternate(reps,
				func() { tensor.MatMulTo(c, a, b) },
				func() {
					if _, err := gt.MatMul(ga, gb, gt.WithReuse(gc)); err != nil {
						panic(err)
					}
				})
			// Agreement of the two products, relative to the largest entry.
			var maxDiff, maxAbs float64
			var ev, pv []float64
			if dt == tensor.Float64 {
				ev, pv = c.Float64s(), gc.Data().([]float64)
			} else {
				for _, v := range c.Float32s() {
					ev = append(ev, float64(v))
				}
				for _, v := range gc.Data().([]float32) {
					pv = append(pv, float64(v))
				}
			}
			for i := range ev {
				maxDiff = math.Max(maxDiff, math.Abs(ev[i]-pv[i]))
				maxAbs = math.Max(maxAbs, math.Abs(ev[i]))
			}
			r.note = fmt.Sprintf("GFLOP/s ember %.1f, peer %.1f; max |diff|/max|c| %.1e",
				2*math.Pow(float64(n), 3)/float64(r.ember.best()), 2*math.Pow(float64(n), 3)/float64(r.peer.best()), maxDiff/maxAbs)
			rows = append(rows, r)
		}
	}
	return rows
}
