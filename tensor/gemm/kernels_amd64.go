//go:build !noasm && amd64

package gemm

// asmKernels returns the assembly kernel sets this CPU can run, best first.
func asmKernels() []*kernelSet { return nil }
