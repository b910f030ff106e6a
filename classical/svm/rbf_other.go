//go:build noasm || !amd64

package svm

func rbfRowBulk(dst []float32, dots, sq []float64, sqi, gamma float64) int { return 0 }
