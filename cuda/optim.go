package cuda

import (
	"math"

	"github.com/ember-ml/ember/tensor"
)

// adamScalars are the per-step constants of the fused Adam update, computed
// on the host exactly as the CPU backend does (PyTorch's formulation:
// p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)).
type adamScalars struct {
	stepSize, invSqrtBC2, decay float64
}

func adamConsts(h tensor.OptimizerStep) adamScalars {
	step := float64(max(h.Step, 1))
	bc1 := 1 - math.Pow(h.Beta1, step)
	bc2 := 1 - math.Pow(h.Beta2, step)
	return adamScalars{stepSize: h.LR / bc1, invSqrtBC2: 1 / math.Sqrt(bc2), decay: 1 - h.LR*h.WeightDecay}
}
