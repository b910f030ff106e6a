// Package autograd is ember's reverse-mode automatic differentiation,
// define-by-run like PyTorch: every differentiable operation on a Variable
// that is recorded on a Tape remembers how to push its gradient back to its
// inputs, and Tape.Backward walks the tape once, in reverse order of
// creation (a reverse topological order by construction).
//
// Gradient tracking is a property of how the variables are made, not a
// global switch, so that inference and training can run at the same time in
// separate goroutines:
//
//   - NewParam makes a trainable leaf (a layer's weights). It belongs to no
//     tape; its gradient accumulates in Grad across Backward calls until
//     ZeroGrad.
//   - Tape.Constant and Tape.Variable make inputs bound to a tape. Operations
//     whose operands include a variable on a tape and at least one variable
//     that requires a gradient are recorded on that tape.
//   - Constant makes a variable on no tape: nothing computed from it (and
//     parameters) is recorded. This is the no-grad mode used for inference.
//
// Each tape owns the intermediate tensors its operations allocate.
// Tape.Backward frees the gradients of intermediates as soon as they have
// been pushed back; Tape.Reset returns the intermediate values to the
// tensor allocator's pool (tensor.Release), so that a training loop reuses
// the same memory every step. A Tape is not safe for concurrent use; use one
// per goroutine.
//
// Every primitive has exactly one gradient rule, written beside its forward
// computation, and is checked against central differences in float64 by
// CheckGrad in the package tests.
package autograd

import (
	"fmt"
	"slices"

	"github.com/ember-ml/ember/tensor"
)

// Variable is a tensor in a computation: its value, its gradient and the
// operation that made it.
type Variable struct {
	// Value is the tensor the variable holds.
	Value *tensor.Tensor
	// Grad is the accumulated gradient of a leaf (a parameter or a
	// Tape.Variable) after Backward; nil before the first one. After
	// ZeroGrad it keeps its memory but Gradient reports nil until the next
	// Backward writes it.
	Grad *tensor.Tensor
	// Name is an optional label (parameters use "layer/kernel").
	Name string

	tape         *Tape
	requiresGrad bool
	leaf         bool
	gradOK       bool           // Grad holds a gradient (not stale after ZeroGrad)
	grad         *tensor.Tensor // gradient of an intermediate during Backward
}

// NewParam returns a trainable leaf variable holding t (which it uses, not
// copies), with the given name. It belongs to no tape.
func NewParam(t *tensor.Tensor, name string) *Variable {
	return &Variable{Value: t, Name: name, requiresGrad: true, leaf: true}
}

// Constant returns a variable on no tape that requires no gradient.
// Computations from constants and parameters record nothing: this is how
// inference runs without building a graph.
func Constant(t *tensor.Tensor) *Variable { return &Variable{Value: t} }

// Shape returns the shape of the value.
func (v *Variable) Shape() []int { return v.Value.Shape() }

// RequiresGrad reports whether gradients flow to v.
func (v *Variable) RequiresGrad() bool { return v.requiresGrad }

// Tape returns the tape v is bound to, or nil.
func (v *Variable) Tape() *Tape { return v.tape }

// Data returns Value (for optimizers, which see parameters through an
// interface).
func (v *Variable) Data() *tensor.Tensor { return v.Value }

// Gradient returns the accumulated gradient, or nil when there is none
// (never computed, or cleared by ZeroGrad).
func (v *Variable) Gradient() *tensor.Tensor {
	if !v.gradOK {
		return nil
	}
	return v.Grad
}

// ZeroGrad clears the accumulated gradient. The memory is kept and
// overwritten by the next Backward, so clearing costs nothing.
func (v *Variable) ZeroGrad() { v.gradOK = false }

// String describes the variable.
func (v *Variable) String() string {
	return fmt.Sprintf("Variable(%s %v %v, grad=%v)", v.Name, v.Value.Shape(), v.Value.DType(), v.requiresGrad)
}

// backwardFunc returns the gradients of a node's inputs, aligned with them
// (nil where an input needs none), from the gradient g of its output. Each
// returned tensor is either freshly allocated or a view of g.
type backwardFunc func(g *tensor.Tensor) []*tensor.Tensor

type node struct {
	op     string
	out    *Variable
	inputs []*Variable
	back   backwardFunc
}

// Tape records operations for one backward pass and owns the intermediate
// tensors they allocate.
type Tape struct {
	nodes  []*node
	values []*tensor.Tensor // owned intermediates, released by Reset
	noGrad bool
}

// NewInferenceTape returns a tape that records no operations (nothing
// computed on it requires a gradient, so no backward state is kept) but
// still owns the intermediate values, which Reset hands back to the
// allocator: inference in a loop without garbage.
func NewInferenceTape() *Tape { return &Tape{noGrad: true} }

// NewTape returns an empty tape.
func NewTape() *Tape { return &Tape{} }

// Constant returns a variable bound to the tape that requires no gradient
// (an input batch). It does not take ownership of t.
func (tp *Tape) Constant(t *tensor.Tensor) *Variable { return &Variable{Value: t, tape: tp} }

// Variable returns a leaf bound to the tape that requires a gradient; after
// Backward its gradient is in Grad. It does not take ownership of t.
func (tp *Tape) Variable(t *tensor.Tensor) *Variable {
	return &Variable{Value: t, tape: tp, requiresGrad: true, leaf: true}
}

// Keep hands t to the tape, which releases it on Reset.
func (tp *Tape) Keep(t *tensor.Tensor) {
	if tp != nil && t != nil {
		tp.values = append(tp.values, t)
	}
}

// Len returns the number of recorded operations.
func (tp *Tape) Len() int { return len(tp.nodes) }

// tapeOf returns the tape of the first operand bound to one, and whether
// any operand requires a gradient.
func tapeOf(inputs []*Variable) (*Tape, bool) {
	var tp *Tape
	req := false
	for _, in := range inputs {
		if tp == nil {
			tp = in.tape
		}
		req = req || in.requiresGrad
	}
	return tp, req
}

// record wraps out as the result of op on inputs. owned says out was
// allocated by the operation (not a view of an input) and may be released
// with the tape. saved are tensors the backward pass reads that the tape
// must release on Reset.
func record(op string, out *tensor.Tensor, owned bool, inputs []*Variable, back backwardFunc, saved ...*tensor.Tensor) *Variable {
	tp, req := tapeOf(inputs)
	v := &Variable{Value: out, tape: tp}
	if tp == nil {
		return v
	}
	if owned {
		tp.values = append(tp.values, out)
	}
	tp.values = append(tp.values, saved...)
	if req && !tp.noGrad {
		v.requiresGrad = true
		tp.nodes = append(tp.nodes, &node{op: op, out: v, inputs: slices.Clone(inputs), back: back})
	}
	return v
}

// Backward computes the gradient of loss, which must hold one element, with
// respect to every variable that requires one and was used to compute it,
// and accumulates it into the Grad of the leaves. The recorded graph is
// freed: a second Backward on the same tape needs a new forward pass.
func (tp *Tape) Backward(loss *Variable) {
	if loss.Value.Size() != 1 {
		panic(fmt.Sprintf("autograd: Backward of a non-scalar of shape %v; use BackwardWith", loss.Shape()))
	}
	g := tensor.EmptyLike(loss.Value).Fill(1)
	tp.BackwardWith(loss, g)
}

// BackwardWith is Backward seeded with the gradient grad of out (out's
// shape), which the tape takes ownership of.
func (tp *Tape) BackwardWith(out *Variable, grad *tensor.Tensor) {
	if !slices.Equal(out.Shape(), grad.Shape()) {
		panic(fmt.Sprintf("autograd: BackwardWith gradient %v for a variable of shape %v", grad.Shape(), out.Shape()))
	}
	if !out.requiresGrad {
		tensor.Release(grad)
		return
	}
	if out.leaf {
		accumulateLeaf(out, grad)
		return
	}
	if out.tape != tp {
		panic("autograd: BackwardWith on a variable recorded on another tape")
	}
	if !grad.IsContiguous() {
		grad = grad.Clone()
	}
	out.grad = grad
	for i := len(tp.nodes) - 1; i >= 0; i-- {
		n := tp.nodes[i]
		g := n.out.grad
		if g == nil {
			continue
		}
		n.out.grad = nil
		grads := n.back(g)
		transferred := false
		for j, in := range n.inputs {
			if j >= len(grads) || grads[j] == nil || !in.requiresGrad {
				continue
			}
			gi := grads[j]
			view := gi.SharesStorage(g)
			if !slices.Equal(gi.Shape(), in.Shape()) {
				panic(fmt.Sprintf("autograd: %s backward gave a gradient of shape %v for an input of shape %v", n.op, gi.Shape(), in.Shape()))
			}
			if in.leaf {
				accumulateLeaf(in, gi)
				if !view {
					tensor.Release(gi)
				}
				continue
			}
			switch {
			case in.grad == nil && view:
				if !transferred && gi.IsContiguous() {
					in.grad = gi
					transferred = true
				} else {
					in.grad = gi.Clone()
				}
			case in.grad == nil:
				if gi.IsContiguous() {
					in.grad = gi
				} else {
					in.grad = gi.Clone()
					tensor.Release(gi)
				}
			default:
				tensor.BinaryTo(in.grad, tensor.OpAdd, in.grad, gi)
				if !view {
					tensor.Release(gi)
				}
			}
		}
		if !transferred {
			tensor.Release(g)
		}
	}
	for _, n := range tp.nodes {
		if n.out.grad != nil {
			tensor.Release(n.out.grad)
			n.out.grad = nil
		}
	}
	clear(tp.nodes)
	tp.nodes = tp.nodes[:0]
}

// accumulateLeaf adds g into the persistent gradient of a leaf.
func accumulateLeaf(v *Variable, g *tensor.Tensor) {
	if v.Grad == nil || !slices.Equal(v.Grad.Shape(), v.Value.Shape()) || v.Grad.DType() != v.Value.DType() ||
		v.Grad.Device() != v.Value.Device() { // the variable moved to another device
		v.Grad = tensor.Empty(v.Value.DType(), v.Value.Shape()...).To(v.Value.Device())
		v.gradOK = false
	}
	if !v.gradOK {
		v.Grad.CopyFrom(g)
		v.gradOK = true
		return
	}
	tensor.BinaryTo(v.Grad, tensor.OpAdd, v.Grad, g)
}

// Reset releases every intermediate tensor the tape owns (values of
// recorded and unrecorded operations, saved masks) to the allocator's pool
// and clears the tape for the next step. Values of variables made on the
// tape must not be used afterwards; copy what you need first.
func (tp *Tape) Reset() {
	for _, n := range tp.nodes {
		if n.out.grad != nil {
			tensor.Release(n.out.grad)
			n.out.grad = nil
		}
	}
	clear(tp.nodes)
	tp.nodes = tp.nodes[:0]
	for _, t := range tp.values {
		tensor.Release(t)
	}
	clear(tp.values)
	tp.values = tp.values[:0]
}
