//go:build !noasm && amd64

package pool

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func max2x2F32AVX2(o []float32, arg []uint8, r0, r1 []float32)

//go:noescape
func max2x2BackF32AVX2(d0, d1, g, r0, r1 []float32)

// rowBulk pools the windows of the row pair r0, r1 (each at least 2*len(o)
// long) with AVX2 and returns how many it did: all of them, or none when
// there are fewer than eight or the CPU lacks AVX2.
func rowBulk[T Float](o []T, arg []uint8, r0, r1 []T) int {
	o32, ok := any(o).([]float32)
	if !ok || !hasAVX2 {
		return 0
	}
	n := len(o)
	if n < 8 {
		return 0
	}
	a, b := any(r0).([]float32), any(r1).([]float32)
	max2x2F32AVX2(o32, arg, a[:2*n], b[:2*n])
	if n%8 != 0 {
		// The last eight windows again: they overlap the ones done,
		// which get the same values.
		var tail []uint8
		if len(arg) > 0 {
			tail = arg[n-8 : n]
		}
		max2x2F32AVX2(o32[n-8:n], tail, a[2*n-16:2*n], b[2*n-16:2*n])
	}
	return n
}

// backRowBulk is rowBulk for the gradient from the input rows.
func backRowBulk[T Float](d0, d1, g, r0, r1 []T) int {
	g32, ok := any(g).([]float32)
	if !ok || !hasAVX2 {
		return 0
	}
	n := len(g)
	if n < 8 {
		return 0
	}
	e0, e1 := any(d0).([]float32), any(d1).([]float32)
	a, b := any(r0).([]float32), any(r1).([]float32)
	max2x2BackF32AVX2(e0[:2*n], e1[:2*n], g32, a[:2*n], b[:2*n])
	if n%8 != 0 {
		max2x2BackF32AVX2(e0[2*n-16:2*n], e1[2*n-16:2*n], g32[n-8:], a[2*n-16:2*n], b[2*n-16:2*n])
	}
	return n
}
