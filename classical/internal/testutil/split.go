package testutil

import (
	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/tensor"
)

// SplitEveryFourth splits the rows of X [n, p] and y [n] the way the
// reference scripts (classical/tree/testdata/gen_sklearn_trees.py) do:
// rows with index%4 == 0 are the test set, the others the training set,
// both in their original order.
func SplitEveryFourth(X, y *tensor.Tensor) (Xtr, ytr, Xte, yte *tensor.Tensor) {
	n, p := X.Shape()[0], X.Shape()[1]
	xd, yd := X.Float64s(), y.Float64s()
	var a, b, c, d []float64
	for i := 0; i < n; i++ {
		if i%4 == 0 {
			c = append(c, xd[i*p:(i+1)*p]...)
			d = append(d, yd[i])
		} else {
			a = append(a, xd[i*p:(i+1)*p]...)
			b = append(b, yd[i])
		}
	}
	return tensor.FromFloat64(a, len(b), p), classical.Vector(b), tensor.FromFloat64(c, len(d), p), classical.Vector(d)
}

// FirstColumnTarget turns X [n, p] into a regression problem, as the
// reference scripts do: the features are X without its first column
// ([n, p-1]) and the target is that column.
func FirstColumnTarget(X *tensor.Tensor) (features, target *tensor.Tensor) {
	n, p := X.Shape()[0], X.Shape()[1]
	xd := X.Float64s()
	var a, t []float64
	for i := 0; i < n; i++ {
		a = append(a, xd[i*p+1:(i+1)*p]...)
		t = append(t, xd[i*p])
	}
	return tensor.FromFloat64(a, n, p-1), classical.Vector(t)
}
