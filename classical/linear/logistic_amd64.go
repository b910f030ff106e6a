//go:build !noasm && amd64

package linear

import "golang.org/x/sys/cpu"

var hasLogisticAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func logisticAVX2(lse, sg, z []float64)

// logisticBulk runs logisticAVX2 on the first multiple of four entries of
// z and returns how many it did.
func logisticBulk(lse, sg, z []float64) int {
	if !hasLogisticAsm {
		return 0
	}
	logisticAVX2(lse, sg, z)
	return len(z) &^ 3
}
