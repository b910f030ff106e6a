package tensor

import (
	"slices"
	"testing"
)

// TestCopyIntoStrided runs the device path of CopyFrom into a strided
// destination (built from backend kernels with contiguous destinations
// only) on the CPU, against copyStrided.
func TestCopyIntoStrided(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		base := Arange(dt, 0, 60, 1).Reshape(3, 4, 5)
		views := map[string]*Tensor{
			"column":     base.Narrow(2, 1, 1),
			"step":       base.Slice(2, 0, 5, 2),
			"transposed": base.Transpose(0, 2),
			"inner":      base.Index(1).Narrow(0, 1, 2).Narrow(1, 2, 3),
			"scalar":     base.Index(2).Index(3).Narrow(0, 4, 1),
		}
		for name, v := range views {
			src := RandN(dt, NewRand(3), v.Shape()...)
			want := base.Clone()
			wv := want.view(slices.Clone(v.shape), slices.Clone(v.strides), v.offset)
			copyStrided(wv, src)

			got := base.Clone()
			gv := got.view(slices.Clone(v.shape), slices.Clone(v.strides), v.offset)
			copyIntoStrided(gv, src)
			if !slices.Equal(got.Float64s(), want.Float64s()) {
				t.Errorf("%v %s: copyIntoStrided differs from copyStrided", dt, name)
			}
		}
	}
}
