package main

import (
	"sync/atomic"

	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/tensor"
)

// augmented applies a random augmentation to every example it returns,
// drawn from (seed, epoch, index): the same for a seed, different every
// epoch. The loader calls Get from its workers, so the augmentation runs
// in parallel ahead of the training loop.
type augmented struct {
	data.Dataset
	aug   *data.Augmentation
	seed  uint64
	epoch atomic.Int64
}

func (a *augmented) Get(i int) (x, y *tensor.Tensor, err error) {
	x, y, err = a.Dataset.Get(i)
	if err != nil {
		return nil, nil, err
	}
	x, err = a.aug.Apply(x, data.ExampleRand(a.seed, int(a.epoch.Load()), i))
	return x, y, err
}

// epochCallback keeps the dataset's epoch in step with Fit.
func (a *augmented) epochCallback() nn.Callback {
	return nn.CallbackFuncs{EpochBegin: func(_ *nn.Model, epoch int) error {
		a.epoch.Store(int64(epoch))
		return nil
	}}
}

// defaultAugmentation is what -augment applies: small rotations, shifts
// and zooms, and horizontal flips except for digits (a flipped digit is
// another symbol).
func defaultAugmentation(digits bool) *data.Augmentation {
	return &data.Augmentation{
		RotationRange: 10, WidthShiftRange: 0.1, HeightShiftRange: 0.1,
		ZoomRange: data.Zoom(0.1), HorizontalFlip: !digits, FillMode: "nearest",
	}
}
