package autograd

import (
	"fmt"
	"slices"

	"github.com/ember-ml/ember/tensor"
)

// normAxes resolves negative axes; none means all.
func normAxes(op string, nd int, axes []int) []int {
	if len(axes) == 0 {
		out := make([]int, nd)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, len(axes))
	for i, a := range axes {
		if a < 0 {
			a += nd
		}
		if a < 0 || a >= nd {
			panic(fmt.Sprintf("autograd: %s axis %d out of range for %d dimensions", op, axes[i], nd))
		}
		out[i] = a
	}
	return out
}

func keepShape(shape []int, axes []int) []int {
	ks := slices.Clone(shape)
	for _, a := range axes {
		ks[a] = 1
	}
	return ks
}

func dropShape(shape []int, axes []int) []int {
	var out []int
	for i, d := range shape {
		if !slices.Contains(axes, i) {
			out = append(out, d)
		}
	}
	return out
}

// expandTo materialises g (reshaped to keep) broadcast to shape, times c.
func expandTo(g *tensor.Tensor, keep, shape []int, c float64) *tensor.Tensor {
	out := tensor.Empty(g.DType(), shape...).To(g.Device())
	out.CopyFrom(g.Reshape(keep...))
	if c != 1 {
		tensor.UnaryTo(out, tensor.OpMulScalar, out, c, 0)
	}
	return out
}

// Sum returns the sum of a over axes (all when none), removing them.
func Sum(a *Variable, axes ...int) *Variable { return sum("sum", a, false, false, axes) }

// SumKeep is Sum keeping the reduced axes with size 1.
func SumKeep(a *Variable, axes ...int) *Variable { return sum("sum", a, true, false, axes) }

// Mean returns the mean of a over axes (all when none), removing them.
func Mean(a *Variable, axes ...int) *Variable { return sum("mean", a, false, true, axes) }

// MeanKeep is Mean keeping the reduced axes with size 1.
func MeanKeep(a *Variable, axes ...int) *Variable { return sum("mean", a, true, true, axes) }

func sum(op string, a *Variable, keep, mean bool, axes []int) *Variable {
	shape := slices.Clone(a.Shape())
	ax := normAxes(op, len(shape), axes)
	ks := keepShape(shape, ax)
	out := tensor.ReduceTo(nil, tensor.ReduceSum, a.Value, ax...)
	c := 1.0
	if mean {
		n := 1
		for _, i := range ax {
			n *= shape[i]
		}
		c = 1 / float64(max(n, 1))
		tensor.UnaryTo(out, tensor.OpMulScalar, out, c, 0)
	}
	if !keep {
		out = out.Reshape(dropShape(shape, ax)...)
	}
	return record(op, out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(expandTo(g, ks, shape, c))
	})
}

// Max returns the maximum of a over axes (all when none), removing them.
// The gradient is shared equally among tied maxima.
func Max(a *Variable, axes ...int) *Variable { return maxOp(a, false, axes) }

// MaxKeep is Max keeping the reduced axes with size 1.
func MaxKeep(a *Variable, axes ...int) *Variable { return maxOp(a, true, axes) }

func maxOp(a *Variable, keep bool, axes []int) *Variable {
	shape := slices.Clone(a.Shape())
	ax := normAxes("max", len(shape), axes)
	ks := keepShape(shape, ax)
	m := tensor.ReduceTo(nil, tensor.ReduceMax, a.Value, ax...)
	out := m
	if !keep {
		out = m.Reshape(dropShape(shape, ax)...)
	}
	return record("max", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		mask := tensor.BinaryTo(nil, tensor.OpEq, a.Value, m)
		cnt := tensor.ReduceTo(nil, tensor.ReduceSum, mask, ax...)
		share := tensor.BinaryTo(nil, tensor.OpDiv, g.Reshape(ks...), cnt)
		tensor.BinaryTo(mask, tensor.OpMul, mask, share)
		tensor.Release(cnt)
		tensor.Release(share)
		return grads(mask)
	})
}

// Reshape returns a with a new shape (one dimension may be -1). It is a
// view when a is contiguous.
func Reshape(a *Variable, shape ...int) *Variable {
	in := slices.Clone(a.Shape())
	out := a.Value.Reshape(shape...)
	return record("reshape", out, !out.SharesStorage(a.Value), []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(g.Reshape(in...))
	})
}

// Flatten reshapes a to [N, rest].
func Flatten(a *Variable) *Variable {
	if a.Value.Dim() == 0 {
		return Reshape(a, 1, 1)
	}
	return Reshape(a, a.Shape()[0], -1)
}

// Permute reorders the dimensions: dimension i of the result is dimension
// axes[i] of a (a view).
func Permute(a *Variable, axes ...int) *Variable {
	out := a.Value.Permute(axes...)
	inv := make([]int, len(axes))
	for i, ax := range normAxes("permute", len(axes), axes) {
		inv[ax] = i
	}
	return record("permute", out, false, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(g.Permute(inv...))
	})
}

// Transpose swaps dimensions i and j (a view).
func Transpose(a *Variable, i, j int) *Variable {
	nd := a.Value.Dim()
	axes := make([]int, nd)
	for k := range axes {
		axes[k] = k
	}
	ij := normAxes("transpose", nd, []int{i, j})
	axes[ij[0]], axes[ij[1]] = axes[ij[1]], axes[ij[0]]
	return Permute(a, axes...)
}

// Narrow returns length entries of axis starting at start (a view).
func Narrow(a *Variable, axis, start, length int) *Variable {
	return Slice(a, axis, start, start+length, 1)
}

// Slice returns a[start:stop:step] along axis (a view; Python's rules for
// negative bounds).
func Slice(a *Variable, axis, start, stop, step int) *Variable {
	shape := slices.Clone(a.Shape())
	out := a.Value.Slice(axis, start, stop, step)
	return record("slice", out, false, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		dx := tensor.Zeros(g.DType(), shape...).To(g.Device())
		dx.Slice(axis, start, stop, step).CopyFrom(g)
		return grads(dx)
	})
}

// Concat joins variables along axis.
func Concat(axis int, vs ...*Variable) *Variable {
	ts := make([]*tensor.Tensor, len(vs))
	for i, v := range vs {
		ts[i] = v.Value
	}
	out := tensor.Concat(axis, ts...)
	ax := normAxes("concat", out.Dim(), []int{axis})[0]
	return record("concat", out, true, vs, func(g *tensor.Tensor) []*tensor.Tensor {
		gs := make([]*tensor.Tensor, len(vs))
		at := 0
		for i, v := range vs {
			n := v.Shape()[ax]
			if v.requiresGrad {
				gs[i] = g.Narrow(ax, at, n)
			}
			at += n
		}
		return gs
	})
}

// IndexSelect returns the entries idx of a along axis.
func IndexSelect(a *Variable, axis int, idx []int) *Variable {
	shape := slices.Clone(a.Shape())
	out := tensor.IndexSelect(a.Value, axis, idx)
	return record("index_select", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		dx := tensor.Zeros(g.DType(), shape...).To(g.Device())
		tensor.IndexAdd(dx, axis, idx, g)
		return grads(dx)
	})
}

// Gather picks out[i] = a[i, idx[i]] from a 2-D variable.
func Gather(a *Variable, idx []int) *Variable {
	cols := a.Shape()[1]
	out := tensor.Gather(a.Value, idx)
	return record("gather", out, true, []*Variable{a}, func(g *tensor.Tensor) []*tensor.Tensor {
		return grads(tensor.Scatter(g, idx, cols))
	})
}
