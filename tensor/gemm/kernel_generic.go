package gemm

import "unsafe"

// genericKernels returns the pure-Go kernel set, correct on every platform.
func genericKernels() *kernelSet {
	return &kernelSet{
		name: "generic",
		s:    kernel[float32]{mr: 4, nr: 4, mc: 128, kc: 256, nc: 1024, maskCols: true, fn: kernGeneric[float32]},
		d:    kernel[float64]{mr: 4, nr: 4, mc: 128, kc: 256, nc: 1024, maskCols: true, fn: kernGeneric[float64]},
	}
}

// kernGeneric is the 4×4 pure-Go micro-kernel.
func kernGeneric[T Float](k int, a, b, c *T, ldc int, beta T, rows, cols int) {
	as := unsafe.Slice(a, 4*k)
	bs := unsafe.Slice(b, 4*k)

	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	for len(as) >= 4 && len(bs) >= 4 {
		a0, a1, a2, a3 := as[0], as[1], as[2], as[3]
		b0, b1, b2, b3 := bs[0], bs[1], bs[2], bs[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		as, bs = as[4:], bs[4:]
	}
	if rows < 4 || cols < 4 {
		acc := [16]T{c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33}
		cs := unsafe.Slice(c, (rows-1)*ldc+cols)
		for i := 0; i < rows; i++ {
			row := cs[i*ldc : i*ldc+cols]
			for j := range row {
				if beta == 0 {
					row[j] = acc[i*4+j]
				} else {
					row[j] = acc[i*4+j] + beta*row[j]
				}
			}
		}
		return
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	r0 := cs[0*ldc : 0*ldc+4 : 0*ldc+4]
	r1 := cs[1*ldc : 1*ldc+4 : 1*ldc+4]
	r2 := cs[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := cs[3*ldc : 3*ldc+4 : 3*ldc+4]
	if beta == 0 {
		r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
		r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
		r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
		r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
		return
	}
	r0[0], r0[1], r0[2], r0[3] = c00+beta*r0[0], c01+beta*r0[1], c02+beta*r0[2], c03+beta*r0[3]
	r1[0], r1[1], r1[2], r1[3] = c10+beta*r1[0], c11+beta*r1[1], c12+beta*r1[2], c13+beta*r1[3]
	r2[0], r2[1], r2[2], r2[3] = c20+beta*r2[0], c21+beta*r2[1], c22+beta*r2[2], c23+beta*r2[3]
	r3[0], r3[1], r3[2], r3[3] = c30+beta*r3[0], c31+beta*r3[1], c32+beta*r3[2], c33+beta*r3[3]
}
