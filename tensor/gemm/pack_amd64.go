//go:build !noasm && amd64

package gemm

import "golang.org/x/sys/cpu"

// Gathering packers (pack_amd64.s), AVX-512F.
//
//go:noescape
func gatherS(d, src *float32, ld, kb, cnt, w int, alpha float32)

//go:noescape
func gatherD(d, src *float64, ld, kb, cnt, w int, alpha float64)

var hasGather = cpu.X86.HasAVX512F

// interleaveAsm does interleave's work with AVX-512 gathers when it can,
// and reports whether it did.
func interleaveAsm[T Float](d []T, w, cnt int, src []T, ld, off, kb int, alpha T) bool {
	if !hasGather || cnt < 1 || kb < 1 {
		return false
	}
	// The checks the assembly relies on: every read and write in bounds.
	need := off + (cnt-1)*ld + kb
	if need > len(src) || kb*w > len(d) {
		return false
	}
	switch d := any(d).(type) {
	case []float32:
		if w > 32 || int64(ld)*32 >= 1<<31 {
			return false
		}
		s := any(src).([]float32)
		gatherS(&d[0], &s[off], ld, kb, cnt, w, float32(alpha))
		return true
	case []float64:
		if w > 16 || int64(ld)*16 >= 1<<31 {
			return false
		}
		s := any(src).([]float64)
		gatherD(&d[0], &s[off], ld, kb, cnt, w, float64(alpha))
		return true
	}
	return false
}
