// Package pool holds the CPU kernels of 2×2, stride-2 max pooling, the
// pooling of nearly every CNN, shared by the tensor backend and by
// autograd's fused operations. They work on one plane (one sample's
// channel) of contiguous data at a time; callers parallelise over planes.
//
// A NaN counts as larger than any number: it is the maximum of its window,
// and the first NaN of a window (in row-major order) takes the gradient,
// as in the tensor package's general pooling loop. Among equal maxima the
// first one wins.
package pool

// Float is the element type of the kernels.
type Float interface{ ~float32 | ~float64 }

// b2u converts a comparison to 0 or 1 without a branch.
func b2u(b bool) uint8 {
	var x uint8
	if b {
		x = 1
	}
	return x
}

// beats reports, as 0 or 1, whether x wins against an earlier y: it is
// larger, or a NaN where y is not.
func beats[T Float](x, y T) uint8 {
	return b2u(x > y) | b2u(x != x)&b2u(y == y)
}

// Max2x2 pools the 2×2 windows of the plane src ([h, w], h and w at least
// 2) into o ([h/2, w/2]); an odd last row or column is not read. When arg
// is not nil it records each window's winner: 0-3, in row-major order. The
// comparisons are branch-free, as their outcome is unpredictable; float32
// rows run in AVX2 where the CPU has it.
func Max2x2[T Float](o, src []T, arg []uint8, h, w int) {
	oh, ow := h/2, w/2
	for oy := 0; oy < oh; oy++ {
		r0 := src[2*oy*w : 2*oy*w+2*ow]
		r1 := src[(2*oy+1)*w : (2*oy+1)*w+2*ow]
		oo := o[oy*ow : (oy+1)*ow]
		var aa []uint8
		if arg != nil {
			aa = arg[oy*ow : (oy+1)*ow]
		}
		for ox := rowBulk(oo, aa, r0, r1); ox < ow; ox++ {
			a, b, c, d := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
			i01, i23 := beats(b, a), 2+beats(d, c)
			s := beats(max(c, d), max(a, b))
			k := i01 + s*(i23-i01)
			// The winner's own value, as the assembly takes it: of -0
			// and +0 the first one, where max would give +0.
			oo[ox] = [4]T{a, b, c, d}[k&3]
			if aa != nil {
				aa[ox] = k
			}
		}
	}
}

// Max2x2Backward writes the gradient d ([h, w]) of Max2x2 from the pooled
// gradient g ([h/2, w/2]) and the winners arg that Max2x2 recorded: each
// g goes to its window's winner, every other element is zero.
func Max2x2Backward[T Float](d, g []T, arg []uint8, h, w int) {
	oh, ow := h/2, w/2
	if 2*oh != h || 2*ow != w {
		clear(d)
	}
	off := [4]int{0, 1, w, w + 1}
	for oy := 0; oy < oh; oy++ {
		clear(d[2*oy*w : 2*oy*w+2*ow])
		clear(d[(2*oy+1)*w : (2*oy+1)*w+2*ow])
		base := 2 * oy * w
		gg := g[oy*ow : (oy+1)*ow]
		aa := arg[oy*ow : (oy+1)*ow]
		for ox, gv := range gg {
			d[base+2*ox+off[aa[ox]&3]] = gv
		}
	}
}

// Max2x2BackwardFrom is Max2x2Backward for a caller that kept the input
// src ([h, w]) instead of the winners: it finds each window's winner again.
func Max2x2BackwardFrom[T Float](d, g, src []T, h, w int) {
	oh, ow := h/2, w/2
	if 2*oh != h || 2*ow != w {
		clear(d)
	}
	off := [4]int{0, 1, w, w + 1}
	for oy := 0; oy < oh; oy++ {
		r0 := src[2*oy*w : 2*oy*w+2*ow]
		r1 := src[(2*oy+1)*w : (2*oy+1)*w+2*ow]
		d0 := d[2*oy*w : 2*oy*w+2*ow]
		d1 := d[(2*oy+1)*w : (2*oy+1)*w+2*ow]
		gg := g[oy*ow : (oy+1)*ow]
		done := backRowBulk(d0, d1, gg, r0, r1)
		clear(d0[2*done:])
		clear(d1[2*done:])
		base := 2 * oy * w
		for ox := done; ox < ow; ox++ {
			a, b, c, e := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
			i01, i23 := beats(b, a), 2+beats(e, c)
			s := beats(max(c, e), max(a, b))
			d[base+2*ox+off[i01+s*(i23-i01)]] = gg[ox]
		}
	}
}
