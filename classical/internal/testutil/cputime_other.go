//go:build !unix

package testutil

// CPUSeconds is not measured on this platform: it returns 0.
func CPUSeconds() float64 { return 0 }
