//go:build !noasm && amd64

package svm

import "golang.org/x/sys/cpu"

var hasKernelAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func rbfRowAVX2(dst []float32, dots, sq []float64, sqi, gamma float64)

//go:noescape
func tanhRowAVX2(dst []float32, dots []float64, gamma, coef0 float64)

// rbfRowBulk fills the first multiple of four entries of an RBF kernel row
// (see rbfRow) with AVX2 and returns how many it filled.
func rbfRowBulk(dst []float32, dots, sq []float64, sqi, gamma float64) int {
	if !hasKernelAsm {
		return 0
	}
	rbfRowAVX2(dst, dots, sq, sqi, gamma)
	return len(dst) &^ 3
}

// tanhRowBulk fills the first multiple of four entries of a sigmoid
// kernel row (see tanhRow) with AVX2 and returns how many it filled.
func tanhRowBulk(dst []float32, dots []float64, gamma, coef0 float64) int {
	if !hasKernelAsm {
		return 0
	}
	tanhRowAVX2(dst, dots, gamma, coef0)
	return len(dst) &^ 3
}
