//go:build noasm || !amd64

package svm

func rbfRowBulk(dst []float32, dots, sq []float64, sqi, gamma float64) int { return 0 }

func tanhRowBulk(dst []float32, dots []float64, gamma, coef0 float64) int { return 0 }
