// Package data provides datasets and the loader that feeds them to training
// loops: in-memory tensor datasets, MNIST-style IDX files, class-per-folder
// image directories (like Keras's flow_from_directory), CSV files read into
// a typed column table with missing values, synthetic datasets like
// scikit-learn's make_* generators, image augmentation like Keras's
// ImageDataGenerator, and seeded splits.
//
// A Dataset is a length and the i-th example. The Loader shuffles it per
// epoch from a seed, batches it, and decodes and augments batches on a pool
// of goroutines ahead of the consumer, delivering them in order.
//
// Labels that are class indices are stored as float32 values (0, 1, 2, ...);
// Labels converts such a tensor to []int.
package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/ember-ml/ember/tensor"
)

// Dataset is an indexed collection of examples.
type Dataset interface {
	// Len returns the number of examples.
	Len() int
	// Get returns example i: its input x and target y. y may be a 0-d
	// scalar holding a class index or a value, a vector (for example a
	// one-hot row), or nil for an unlabelled dataset.
	Get(i int) (x, y *tensor.Tensor, err error)
}

// Batcher is implemented by datasets that can build a whole batch faster
// than by collating Get results (in-memory datasets). Batch returns x with
// shape [len(idx), ...] and y with shape [len(idx), ...] (nil when the
// dataset is unlabelled).
type Batcher interface {
	Batch(idx []int) (x, y *tensor.Tensor, err error)
}

// ClassNamer is implemented by datasets whose targets are class indices
// with names; ClassNames()[k] names class k.
type ClassNamer interface {
	ClassNames() []string
}

// TensorDataset is a dataset held in memory as two tensors whose first axis
// indexes the examples.
type TensorDataset struct {
	x, y    *tensor.Tensor
	classes []string
}

// NewTensorDataset returns a dataset over x and y, whose first axes index
// the examples. y may be nil (an unlabelled dataset). It is an error for
// x and y to hold different numbers of examples or for x to be a scalar.
func NewTensorDataset(x, y *tensor.Tensor) (*TensorDataset, error) {
	if x == nil {
		return nil, fmt.Errorf("data: NewTensorDataset: x is nil")
	}
	if x.Dim() == 0 {
		return nil, fmt.Errorf("data: NewTensorDataset: x is a scalar; its first axis must index the examples")
	}
	if y != nil {
		if y.Dim() == 0 {
			return nil, fmt.Errorf("data: NewTensorDataset: y is a scalar; its first axis must index the examples")
		}
		if y.Shape()[0] != x.Shape()[0] {
			return nil, fmt.Errorf("data: NewTensorDataset: x has %d examples (shape %v) but y has %d (shape %v)",
				x.Shape()[0], x.Shape(), y.Shape()[0], y.Shape())
		}
	}
	return &TensorDataset{x: x, y: y}, nil
}

// WithClassNames sets the names of the classes that the targets index and
// returns d.
func (d *TensorDataset) WithClassNames(names []string) *TensorDataset {
	d.classes = slices.Clone(names)
	return d
}

// ClassNames returns the class names set by WithClassNames (nil if none).
func (d *TensorDataset) ClassNames() []string { return d.classes }

// X returns the tensor of inputs (not a copy).
func (d *TensorDataset) X() *tensor.Tensor { return d.x }

// Y returns the tensor of targets (not a copy; nil when unlabelled).
func (d *TensorDataset) Y() *tensor.Tensor { return d.y }

// Len returns the number of examples.
func (d *TensorDataset) Len() int { return d.x.Shape()[0] }

// Get returns copies of example i.
func (d *TensorDataset) Get(i int) (x, y *tensor.Tensor, err error) {
	if i < 0 || i >= d.Len() {
		return nil, nil, fmt.Errorf("data: index %d out of range for a dataset of %d examples", i, d.Len())
	}
	x = d.x.Index(i).Clone()
	if d.y != nil {
		y = d.y.Index(i).Clone()
	}
	return x, y, nil
}

// Batch returns the examples idx stacked along a new first axis.
func (d *TensorDataset) Batch(idx []int) (x, y *tensor.Tensor, err error) {
	n := d.Len()
	for _, i := range idx {
		if i < 0 || i >= n {
			return nil, nil, fmt.Errorf("data: index %d out of range for a dataset of %d examples", i, n)
		}
	}
	x = gatherRows(d.x, idx)
	if d.y != nil {
		y = gatherRows(d.y, idx)
	}
	return x, y, nil
}

// gatherRows returns the entries idx of t's first axis: a row copy for a
// contiguous CPU tensor, IndexSelect otherwise.
func gatherRows(t *tensor.Tensor, idx []int) *tensor.Tensor {
	if !t.Device().IsCPU() || !t.IsContiguous() {
		return tensor.IndexSelect(t, 0, idx)
	}
	shape := slices.Clone(t.Shape())
	n := shape[0]
	row := 1
	for _, d := range shape[1:] {
		row *= d
	}
	shape[0] = len(idx)
	out := tensor.Empty(t.DType(), shape...)
	off := t.Offset()
	if t.DType() == tensor.Float32 {
		src := t.Storage32()[off : off+n*row]
		dst := out.Float32s()
		for j, i := range idx {
			copy(dst[j*row:(j+1)*row], src[i*row:(i+1)*row])
		}
		return out
	}
	src := t.Storage64()[off : off+n*row]
	dst := out.Float64s()
	for j, i := range idx {
		copy(dst[j*row:(j+1)*row], src[i*row:(i+1)*row])
	}
	return out
}

// Collate builds the batch idx of ds: through Batch when ds is a Batcher,
// otherwise by stacking the results of Get, which must all have the same
// shapes and types.
func Collate(ds Dataset, idx []int) (x, y *tensor.Tensor, err error) {
	if b, ok := ds.(Batcher); ok {
		return b.Batch(idx)
	}
	return collateGet(ds, idx)
}

func collateGet(ds Dataset, idx []int) (x, y *tensor.Tensor, err error) {
	xs := make([]*tensor.Tensor, len(idx))
	ys := make([]*tensor.Tensor, len(idx))
	for j, i := range idx {
		if xs[j], ys[j], err = ds.Get(i); err != nil {
			return nil, nil, err
		}
	}
	return stackExamples(idx, xs, ys)
}

// stackExamples stacks the inputs xs and targets ys of the examples idx
// into a batch, checking that they agree in shape and type.
func stackExamples(idx []int, xs, ys []*tensor.Tensor) (x, y *tensor.Tensor, err error) {
	if len(idx) == 0 {
		return nil, nil, fmt.Errorf("data: empty batch")
	}
	var bx, by *tensor.Tensor
	for j, i := range idx {
		xi, yi := xs[j], ys[j]
		if xi == nil {
			return nil, nil, fmt.Errorf("data: example %d has no input", i)
		}
		if j == 0 {
			bx = tensor.Empty(xi.DType(), append([]int{len(idx)}, xi.Shape()...)...)
			if yi != nil {
				by = tensor.Empty(yi.DType(), append([]int{len(idx)}, yi.Shape()...)...)
			}
		}
		if !slices.Equal(xi.Shape(), bx.Shape()[1:]) || xi.DType() != bx.DType() {
			return nil, nil, fmt.Errorf("data: example %d has input shape %v %v, but example %d has %v %v",
				i, xi.Shape(), xi.DType(), idx[0], bx.Shape()[1:], bx.DType())
		}
		bx.Index(j).CopyFrom(xi)
		switch {
		case (yi == nil) != (by == nil):
			return nil, nil, fmt.Errorf("data: example %d and example %d differ in having a target", i, idx[0])
		case yi != nil:
			if !slices.Equal(yi.Shape(), by.Shape()[1:]) || yi.DType() != by.DType() {
				return nil, nil, fmt.Errorf("data: example %d has target shape %v %v, but example %d has %v %v",
					i, yi.Shape(), yi.DType(), idx[0], by.Shape()[1:], by.DType())
			}
			by.Index(j).CopyFrom(yi)
		}
	}
	return bx, by, nil
}

// Labels converts a tensor of class indices (any shape, values that are
// whole non-negative numbers) into a slice of ints, in row-major order.
func Labels(y *tensor.Tensor) ([]int, error) {
	if y == nil {
		return nil, fmt.Errorf("data: Labels of a nil tensor")
	}
	vals := y.Float64s()
	out := make([]int, len(vals))
	for i, v := range vals {
		if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
			return nil, fmt.Errorf("data: label %d is %v, not a class index", i, v)
		}
		out[i] = int(v)
	}
	return out, nil
}

// subset is a view of some examples of a dataset.
type subset struct {
	ds  Dataset
	idx []int
}

// Subset returns the examples idx of ds as a dataset (no copy). It keeps
// the class names of ds, and is a Batcher (the fast path) exactly when ds
// is one. Indices are checked when examples are read.
func Subset(ds Dataset, idx []int) Dataset {
	var s *subset
	if inner := asSubset(ds); inner != nil {
		m := make([]int, len(idx))
		for k, i := range idx {
			if i < 0 || i >= len(inner.idx) {
				m[k] = -1 // reported as out of range on access
			} else {
				m[k] = inner.idx[i]
			}
		}
		s = &subset{ds: inner.ds, idx: m}
	} else {
		s = &subset{ds: ds, idx: slices.Clone(idx)}
	}
	if _, ok := s.ds.(Batcher); ok {
		return &batchSubset{s}
	}
	return s
}

// asSubset returns the subset behind ds, or nil.
func asSubset(ds Dataset) *subset {
	switch s := ds.(type) {
	case *subset:
		return s
	case *batchSubset:
		return s.subset
	}
	return nil
}

// batchSubset is a subset of a Batcher, and a Batcher itself.
type batchSubset struct{ *subset }

func (s *subset) Len() int { return len(s.idx) }

func (s *subset) at(i int) (int, error) {
	if i < 0 || i >= len(s.idx) {
		return 0, fmt.Errorf("data: index %d out of range for a subset of %d examples", i, len(s.idx))
	}
	j := s.idx[i]
	if j < 0 || j >= s.ds.Len() {
		return 0, fmt.Errorf("data: subset index %d out of range for a dataset of %d examples", j, s.ds.Len())
	}
	return j, nil
}

// Get returns example i of the subset.
func (s *subset) Get(i int) (x, y *tensor.Tensor, err error) {
	j, err := s.at(i)
	if err != nil {
		return nil, nil, err
	}
	return s.ds.Get(j)
}

// Batch builds the batch idx of the subset through its dataset's Batch.
func (s *batchSubset) Batch(idx []int) (x, y *tensor.Tensor, err error) {
	m := make([]int, len(idx))
	for k, i := range idx {
		if m[k], err = s.at(i); err != nil {
			return nil, nil, err
		}
	}
	return Collate(s.ds, m)
}

// ClassNames returns the class names of the underlying dataset, if any.
func (s *subset) ClassNames() []string {
	if c, ok := s.ds.(ClassNamer); ok {
		return c.ClassNames()
	}
	return nil
}

// Split divides ds into a training part and a validation part holding
// round(fraction*Len) examples, chosen by a shuffle that depends only on
// seed. fraction must be in [0, 1).
func Split(ds Dataset, fraction float64, seed uint64) (train, val Dataset, err error) {
	if ds == nil {
		return nil, nil, fmt.Errorf("data: Split of a nil dataset")
	}
	if !(fraction >= 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("data: Split fraction %v is not in [0, 1)", fraction)
	}
	n := ds.Len()
	nv := int(math.Round(fraction * float64(n)))
	perm := permutation(n, seed, 0)
	val = Subset(ds, sortedCopy(perm[:nv]))
	train = Subset(ds, sortedCopy(perm[nv:]))
	return train, val, nil
}

// StratifiedSplit is Split keeping the proportion of each class (the class
// indices are given in labels, one per example) in both parts, as
// scikit-learn's train_test_split(stratify=y). Each class contributes
// round(fraction*count) examples to the validation part.
func StratifiedSplit(ds Dataset, labels []int, fraction float64, seed uint64) (train, val Dataset, err error) {
	if ds == nil {
		return nil, nil, fmt.Errorf("data: StratifiedSplit of a nil dataset")
	}
	if !(fraction >= 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("data: StratifiedSplit fraction %v is not in [0, 1)", fraction)
	}
	if len(labels) != ds.Len() {
		return nil, nil, fmt.Errorf("data: StratifiedSplit with %d labels for %d examples", len(labels), ds.Len())
	}
	byClass := map[int][]int{}
	for i, l := range labels {
		byClass[l] = append(byClass[l], i)
	}
	classes := make([]int, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	var tr, va []int
	for k, c := range classes {
		members := byClass[c]
		perm := permutation(len(members), seed, uint64(k)+1)
		nv := int(math.Round(fraction * float64(len(members))))
		for j, p := range perm {
			if j < nv {
				va = append(va, members[p])
			} else {
				tr = append(tr, members[p])
			}
		}
	}
	slices.Sort(tr)
	slices.Sort(va)
	return Subset(ds, tr), Subset(ds, va), nil
}

// permutation returns a random permutation of 0..n-1 that depends only on
// seed and stream.
func permutation(n int, seed, stream uint64) []int {
	rng := rand.New(rand.NewPCG(seed, stream^0x6a09e667f3bcc909))
	return rng.Perm(n)
}

func sortedCopy(s []int) []int {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
