//go:build noasm || !amd64

package gemm

// asmKernels returns no assembly kernels on this platform or build.
func asmKernels() []*kernelSet { return nil }
