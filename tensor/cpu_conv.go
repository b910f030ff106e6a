package tensor

import (
	"math"
	"sync"

	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/internal/pool"
	"github.com/ember-ml/ember/tensor/gemm"
)

// Convolution on the CPU is im2col into a per-worker column buffer followed
// by GEMM, one sample at a time, samples spread over the worker pool. The
// filter gradient sums per-chunk partial results in chunk order, with
// chunks fixed by the batch size, so it does not depend on the number of
// workers.

var colPool32, colPool64 sync.Pool

func getCol[T float](n int) *[]T {
	var z T
	pool := &colPool32
	if _, ok := any(z).(float64); ok {
		pool = &colPool64
	}
	if p, ok := pool.Get().(*[]T); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]T, n)
	return &s
}

func putCol[T float](p *[]T) {
	var z T
	if _, ok := any(z).(float64); ok {
		colPool64.Put(p)
		return
	}
	colPool32.Put(p)
}

// im2col writes the patches of one sample x[C,H,W] as col[C*KH*KW, OH*OW].
func im2col[T float](col, x []T, c, h, w, oh, ow int, p ConvParams) {
	ohw := oh * ow
	for ci := 0; ci < c; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for ki := 0; ki < p.KH; ki++ {
			for kj := 0; kj < p.KW; kj++ {
				row := col[((ci*p.KH+ki)*p.KW+kj)*ohw:][:ohw]
				dy, dx := ki*p.DilationH-p.PadTop, kj*p.DilationW-p.PadLeft
				for oy := 0; oy < oh; oy++ {
					iy := oy*p.StrideH + dy
					r := row[oy*ow : (oy+1)*ow]
					if iy < 0 || iy >= h {
						clear(r)
						continue
					}
					src := plane[iy*w : (iy+1)*w]
					if p.StrideW == 1 {
						// Contiguous run with zero borders.
						lo := max(0, -dx)
						hi := min(ow, w-dx)
						clear(r[:max(lo, 0)])
						if hi > lo {
							copy(r[lo:hi], src[lo+dx:hi+dx])
						}
						if hi < ow {
							clear(r[max(hi, 0):])
						}
						continue
					}
					for ox := 0; ox < ow; ox++ {
						ix := ox*p.StrideW + dx
						if ix < 0 || ix >= w {
							r[ox] = 0
						} else {
							r[ox] = src[ix]
						}
					}
				}
			}
		}
	}
}

// col2im adds col[C*KH*KW, OH*OW] back into the sample dx[C,H,W].
func col2im[T float](dx, col []T, c, h, w, oh, ow int, p ConvParams) {
	ohw := oh * ow
	for ci := 0; ci < c; ci++ {
		plane := dx[ci*h*w : (ci+1)*h*w]
		for ki := 0; ki < p.KH; ki++ {
			for kj := 0; kj < p.KW; kj++ {
				row := col[((ci*p.KH+ki)*p.KW+kj)*ohw:][:ohw]
				dy, dxo := ki*p.DilationH-p.PadTop, kj*p.DilationW-p.PadLeft
				for oy := 0; oy < oh; oy++ {
					iy := oy*p.StrideH + dy
					if iy < 0 || iy >= h {
						continue
					}
					dst := plane[iy*w : (iy+1)*w]
					r := row[oy*ow : (oy+1)*ow]
					if p.StrideW == 1 {
						lo := max(0, -dxo)
						hi := min(ow, w-dxo)
						if hi > lo {
							d := dst[lo+dxo : hi+dxo]
							for i, v := range r[lo:hi] {
								d[i] += v
							}
						}
						continue
					}
					for ox := 0; ox < ow; ox++ {
						ix := ox*p.StrideW + dxo
						if ix >= 0 && ix < w {
							dst[ix] += r[ox]
						}
					}
				}
			}
		}
	}
}

// isPointwise reports a 1×1, stride-1, unpadded convolution, whose im2col is
// the input itself.
func isPointwise(p ConvParams) bool {
	return p.KH == 1 && p.KW == 1 && p.StrideH == 1 && p.StrideW == 1 &&
		p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0
}

func (cpu) Conv2D(dst, x, w *Tensor, p ConvParams) {
	if dst.dtype == Float32 {
		conv2dT(dst, x.Contiguous(), w.Contiguous(), p.norm(), gemm.SgemmSerial)
	} else {
		conv2dT(dst, x.Contiguous(), w.Contiguous(), p.norm(), gemm.DgemmSerial)
	}
}

func conv2dT[T float](dst, x, w *Tensor, p ConvParams, mm gemmFunc[T]) {
	n, c, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	f, oh, ow := dst.shape[1], dst.shape[2], dst.shape[3]
	kk := c * p.KH * p.KW
	xs, ws := data[T](x)[x.offset:], data[T](w)[w.offset:]
	ds := data[T](dst)[dst.offset:]
	ohw := oh * ow
	// The filters are the same for every sample: pack them once.
	pw := gemm.PackA(false, f, kk, T(1), ws, kk)
	parallel.For(n, 1, func(lo, hi int) {
		var colp *[]T
		if !isPointwise(p) {
			colp = getCol[T](kk * ohw)
			defer putCol(colp)
		}
		for i := lo; i < hi; i++ {
			xi := xs[i*c*h*wd : (i+1)*c*h*wd]
			col := xi
			if colp != nil {
				col = *colp
				im2col(col, xi, c, h, wd, oh, ow, p)
			}
			if pw != nil {
				pw.MulSerial(false, ohw, col, ohw, 0, ds[i*f*ohw:], ohw)
			} else {
				mm(false, false, f, ohw, kk, 1, ws, kk, col, ohw, 0, ds[i*f*ohw:], ohw)
			}
		}
	})
}

func (cpu) Conv2DBackwardData(dx, dy, w *Tensor, p ConvParams) {
	if dx.dtype == Float32 {
		conv2dBackDataT(dx, dy.Contiguous(), w.Contiguous(), p.norm(), gemm.SgemmSerial)
	} else {
		conv2dBackDataT(dx, dy.Contiguous(), w.Contiguous(), p.norm(), gemm.DgemmSerial)
	}
}

func conv2dBackDataT[T float](dx, dy, w *Tensor, p ConvParams, mm gemmFunc[T]) {
	n, c, h, wd := dx.shape[0], dx.shape[1], dx.shape[2], dx.shape[3]
	f, oh, ow := dy.shape[1], dy.shape[2], dy.shape[3]
	kk := c * p.KH * p.KW
	ohw := oh * ow
	dxs := data[T](dx)[dx.offset:]
	dys, ws := data[T](dy)[dy.offset:], data[T](w)[w.offset:]
	// Wᵀ is the same for every sample: pack it once.
	pwt := gemm.PackA(true, kk, f, T(1), ws, kk)
	wtmul := func(dyi, out []T) {
		if pwt != nil {
			pwt.MulSerial(false, ohw, dyi, ohw, 0, out, ohw)
		} else {
			mm(true, false, kk, ohw, f, 1, ws, kk, dyi, ohw, 0, out, ohw)
		}
	}
	parallel.For(n, 1, func(lo, hi int) {
		pw := isPointwise(p)
		var colp *[]T
		if !pw {
			colp = getCol[T](kk * ohw)
			defer putCol(colp)
		}
		for i := lo; i < hi; i++ {
			dxi := dxs[i*c*h*wd : (i+1)*c*h*wd]
			if pw {
				wtmul(dys[i*f*ohw:], dxi)
				continue
			}
			col := *colp
			wtmul(dys[i*f*ohw:], col)
			clear(dxi)
			col2im(dxi, col, c, h, wd, oh, ow, p)
		}
	})
}

func (cpu) Conv2DBackwardFilter(dw, x, dy *Tensor, p ConvParams) {
	if dw.dtype == Float32 {
		conv2dBackFilterT(dw, x.Contiguous(), dy.Contiguous(), p.norm(), gemm.SgemmSerial)
	} else {
		conv2dBackFilterT(dw, x.Contiguous(), dy.Contiguous(), p.norm(), gemm.DgemmSerial)
	}
}

// filterChunks is the number of partial filter gradients, fixed so the sum
// does not depend on the number of workers.
const filterChunks = 8

func conv2dBackFilterT[T float](dw, x, dy *Tensor, p ConvParams, mm gemmFunc[T]) {
	n, c, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	f, oh, ow := dy.shape[1], dy.shape[2], dy.shape[3]
	kk := c * p.KH * p.KW
	ohw := oh * ow
	xs, dys := data[T](x)[x.offset:], data[T](dy)[dy.offset:]
	dws := data[T](dw)[dw.offset : dw.offset+f*kk]
	parts := min(n, filterChunks)
	if parts == 0 {
		clear(dws)
		return
	}
	partial := make([][]T, parts)
	parallel.For(parts, 1, func(plo, phi int) {
		for part := plo; part < phi; part++ {
			conv2dFilterPart(partial, part, part*n/parts, (part+1)*n/parts, f, kk, ohw, c, h, wd, oh, ow, xs, dys, p, mm)
		}
	})
	copy(dws, partial[0])
	for _, acc := range partial[1:] {
		for i, v := range acc {
			dws[i] += v
		}
	}
}

func conv2dFilterPart[T float](partial [][]T, part, lo, hi, f, kk, ohw, c, h, wd, oh, ow int, xs, dys []T, p ConvParams, mm gemmFunc[T]) {
	{
		acc := make([]T, f*kk)
		// dW [f, kk] or, when the GEMM's tiles fit it better (few input
		// channels: kk = 9 for a 3×3 kernel on one channel), dWᵀ.
		flip := flipFilterGEMM[T](f, kk)
		var colp *[]T
		if !isPointwise(p) {
			colp = getCol[T](kk * ohw)
			defer putCol(colp)
		}
		for i := lo; i < hi; i++ {
			xi := xs[i*c*h*wd : (i+1)*c*h*wd]
			col := xi
			if colp != nil {
				col = *colp
				im2col(col, xi, c, h, wd, oh, ow, p)
			}
			beta := T(1)
			if i == lo {
				beta = 0
			}
			if flip {
				mm(false, true, kk, f, ohw, 1, col, ohw, dys[i*f*ohw:], ohw, beta, acc, f)
			} else {
				mm(false, true, f, kk, ohw, 1, dys[i*f*ohw:], ohw, col, ohw, beta, acc, kk)
			}
		}
		if flip {
			t := make([]T, f*kk)
			for a := 0; a < kk; a++ {
				for b := 0; b < f; b++ {
					t[b*kk+a] = acc[a*f+b]
				}
			}
			acc = t
		}
		partial[part] = acc
	}
}

// flipFilterGEMM reports whether the filter gradient's GEMM wastes
// clearly less of the micro-kernel computing dWᵀ [kk, f] than dW [f, kk].
func flipFilterGEMM[T float](f, kk int) bool {
	var z T
	_, double := any(z).(float64)
	mr, nr := gemm.Tile(double)
	use := func(m, n int) float64 {
		return float64(m*n) / float64(((m+mr-1)/mr*mr)*((n+nr-1)/nr*nr))
	}
	return use(kk, f) > 1.25*use(f, kk)
}

func (cpu) MaxPool2D(dst, x *Tensor, p ConvParams) {
	if dst.dtype == Float32 {
		poolT[float32](dst, x.Contiguous(), p.norm(), true)
	} else {
		poolT[float64](dst, x.Contiguous(), p.norm(), true)
	}
}

func (cpu) AvgPool2D(dst, x *Tensor, p ConvParams) {
	if dst.dtype == Float32 {
		poolT[float32](dst, x.Contiguous(), p.norm(), false)
	} else {
		poolT[float64](dst, x.Contiguous(), p.norm(), false)
	}
}

// is2x2 reports whether p is 2×2 max pooling with stride 2 and no
// padding or dilation on an h×w plane, which has a faster path.
func is2x2(p ConvParams, h, w int) bool {
	return p.KH == 2 && p.KW == 2 && p.StrideH == 2 && p.StrideW == 2 && p.DilationH == 1 && p.DilationW == 1 &&
		p.PadTop == 0 && p.PadLeft == 0 && p.PadBottom == 0 && p.PadRight == 0 && h >= 2 && w >= 2
}

func poolT[T float](dst, x *Tensor, p ConvParams, isMax bool) {
	planes := x.shape[0] * x.shape[1]
	h, w := x.shape[2], x.shape[3]
	oh, ow := dst.shape[2], dst.shape[3]
	xs := data[T](x)[x.offset:]
	ds := data[T](dst)[dst.offset:]
	parallel.For(planes, max(1, elemGrain/max(h*w, 1)), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			src := xs[pl*h*w : (pl+1)*h*w]
			out := ds[pl*oh*ow : (pl+1)*oh*ow]
			if isMax && is2x2(p, h, w) {
				pool.Max2x2(out, src, nil, h, w)
				continue
			}
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					best := math.Inf(-1)
					var sum float64
					cnt := 0
					for ki := 0; ki < p.KH; ki++ {
						iy := oy*p.StrideH + ki*p.DilationH - p.PadTop
						if iy < 0 || iy >= h {
							continue
						}
						for kj := 0; kj < p.KW; kj++ {
							ix := ox*p.StrideW + kj*p.DilationW - p.PadLeft
							if ix < 0 || ix >= w {
								continue
							}
							v := float64(src[iy*w+ix])
							if v > best || v != v {
								best = v
							}
							sum += v
							cnt++
						}
					}
					if isMax {
						out[oy*ow+ox] = T(best)
					} else if cnt > 0 {
						out[oy*ow+ox] = T(sum / float64(cnt))
					} else {
						out[oy*ow+ox] = 0
					}
				}
			}
		}
	})
}

func (cpu) MaxPool2DBackward(dx, dy, x *Tensor, p ConvParams) {
	if dx.dtype == Float32 {
		poolBackT[float32](dx, dy.Contiguous(), x.Contiguous(), p.norm(), true)
	} else {
		poolBackT[float64](dx, dy.Contiguous(), x.Contiguous(), p.norm(), true)
	}
}

func (cpu) AvgPool2DBackward(dx, dy *Tensor, p ConvParams) {
	if dx.dtype == Float32 {
		poolBackT[float32](dx, dy.Contiguous(), nil, p.norm(), false)
	} else {
		poolBackT[float64](dx, dy.Contiguous(), nil, p.norm(), false)
	}
}

func poolBackT[T float](dx, dy, x *Tensor, p ConvParams, isMax bool) {
	planes := dx.shape[0] * dx.shape[1]
	h, w := dx.shape[2], dx.shape[3]
	oh, ow := dy.shape[2], dy.shape[3]
	dxs := data[T](dx)[dx.offset:]
	dys := data[T](dy)[dy.offset:]
	var xs []T
	if isMax {
		xs = data[T](x)[x.offset:]
	}
	parallel.For(planes, max(1, elemGrain/max(h*w, 1)), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			g := dxs[pl*h*w : (pl+1)*h*w]
			d := dys[pl*oh*ow : (pl+1)*oh*ow]
			var src []T
			if isMax {
				src = xs[pl*h*w : (pl+1)*h*w]
			}
			if isMax && is2x2(p, h, w) {
				pool.Max2x2BackwardFrom(g, d, src, h, w)
				continue
			}
			clear(g)
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					bi, cnt := -1, 0
					best := math.Inf(-1)
					for ki := 0; ki < p.KH; ki++ {
						iy := oy*p.StrideH + ki*p.DilationH - p.PadTop
						if iy < 0 || iy >= h {
							continue
						}
						for kj := 0; kj < p.KW; kj++ {
							ix := ox*p.StrideW + kj*p.DilationW - p.PadLeft
							if ix < 0 || ix >= w {
								continue
							}
							cnt++
							if isMax {
								v := float64(src[iy*w+ix])
								if bi < 0 || v > best || (v != v && best == best) {
									best, bi = v, iy*w+ix
								}
							}
						}
					}
					gv := d[oy*ow+ox]
					if isMax {
						if bi >= 0 {
							g[bi] += gv
						}
						continue
					}
					if cnt == 0 {
						continue
					}
					share := gv / T(cnt)
					for ki := 0; ki < p.KH; ki++ {
						iy := oy*p.StrideH + ki*p.DilationH - p.PadTop
						if iy < 0 || iy >= h {
							continue
						}
						for kj := 0; kj < p.KW; kj++ {
							ix := ox*p.StrideW + kj*p.DilationW - p.PadLeft
							if ix >= 0 && ix < w {
								g[iy*w+ix] += share
							}
						}
					}
				}
			}
		}
	})
}
