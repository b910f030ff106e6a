package svm

// ExpNeg exports expNeg to the tests.
var ExpNeg = expNeg
