//go:build !noasm && amd64

package svm

import "golang.org/x/sys/cpu"

var hasRBFAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func rbfRowAVX2(dst []float32, dots, sq []float64, sqi, gamma float64)

// rbfRowBulk fills the first multiple of four entries of an RBF kernel row
// (see rbfRow) with AVX2 and returns how many it filled.
func rbfRowBulk(dst []float32, dots, sq []float64, sqi, gamma float64) int {
	if !hasRBFAsm {
		return 0
	}
	rbfRowAVX2(dst, dots, sq, sqi, gamma)
	return len(dst) &^ 3
}
