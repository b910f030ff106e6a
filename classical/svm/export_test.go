package svm

// ExpNeg exports expNeg to the tests.
var ExpNeg = expNeg

// SigmoidCached returns the cache's sigmoid kernel value tanh(gamma·dot + coef0).
func SigmoidCached(gamma, coef0, dot float64) float64 {
	k := kernel{kind: "sigmoid", gamma: gamma, coef0: coef0}
	return k.cached(k.id(), dot, 0, 0)
}

// RBFRow exports rbfRow to the tests.
var RBFRow = rbfRow

// TanhRow exports tanhRow to the tests.
var TanhRow = tanhRow

// SetDenseOnly turns LinearSVC's sparse products off (true) or on, and
// returns a function that restores the previous setting.
func SetDenseOnly(on bool) (restore func()) {
	old := denseOnly
	denseOnly = on
	return func() { denseOnly = old }
}
