package tensor

import "github.com/ember-ml/ember/internal/parallel"

// elemGrain is the number of elements worth handing to one worker.
const elemGrain = 1 << 15

// collapse merges neighbouring dimensions that every operand walks with
// unit-compatible strides, so the iteration has as few, long rows as
// possible. strides[k] are the strides of operand k over shape.
func collapse(shape []int, strides ...[]int) ([]int, [][]int) {
	cs := make([]int, 0, len(shape))
	cst := make([][]int, len(strides))
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if n := len(cs); n > 0 {
			merge := true
			for _, s := range strides {
				if s[i]*d != s[prevIndex(shape, i)] {
					merge = false
					break
				}
			}
			if merge {
				cs[n-1] *= d
				for k, s := range strides {
					cst[k][n-1] = s[i]
				}
				continue
			}
		}
		cs = append(cs, d)
		for k, s := range strides {
			cst[k] = append(cst[k], s[i])
		}
	}
	if len(cs) == 0 {
		cs = append(cs, 1)
		for k := range cst {
			cst[k] = append(cst[k], 0)
		}
	}
	return cs, cst
}

// prevIndex returns the index of the last dimension before i whose size is
// not 1 (collapse skips those of size 1).
func prevIndex(shape []int, i int) int {
	for j := i - 1; j >= 0; j-- {
		if shape[j] != 1 {
			return j
		}
	}
	return i
}

// forRows walks shape in row-major order, a row being the last (collapsed)
// dimension, and calls fn with the number of elements in the row and, for
// each operand, the storage offset of the row's first element and its
// stride along the row. Rows are spread over the worker pool.
func forRows(shape []int, offsets []int, strides [][]int, fn func(n int, offs, incs []int)) {
	cs, cst := collapse(shape, strides...)
	nd := len(cs)
	rowLen := cs[nd-1]
	rows := 1
	for _, d := range cs[:nd-1] {
		rows *= d
	}
	if rows*rowLen == 0 {
		return
	}
	nop := len(offsets)
	incs := make([]int, nop)
	for k := range incs {
		incs[k] = cst[k][nd-1]
	}
	grain := max(1, elemGrain/max(rowLen, 1))
	if rows == 1 && rowLen > 2*elemGrain {
		// One long row: split it.
		parallel.For(rowLen, elemGrain, func(lo, hi int) {
			offs := make([]int, nop)
			for k := range offs {
				offs[k] = offsets[k] + lo*incs[k]
			}
			fn(hi-lo, offs, incs)
		})
		return
	}
	parallel.For(rows, grain, func(lo, hi int) {
		idx := make([]int, nd-1)
		offs := make([]int, nop)
		// Position of row lo.
		r := lo
		for d := nd - 2; d >= 0; d-- {
			idx[d] = r % cs[d]
			r /= cs[d]
		}
		for k := range offs {
			offs[k] = offsets[k]
			for d := 0; d < nd-1; d++ {
				offs[k] += idx[d] * cst[k][d]
			}
		}
		for row := lo; row < hi; row++ {
			fn(rowLen, offs, incs)
			for d := nd - 2; d >= 0; d-- {
				idx[d]++
				for k := range offs {
					offs[k] += cst[k][d]
				}
				if idx[d] < cs[d] {
					break
				}
				for k := range offs {
					offs[k] -= idx[d] * cst[k][d]
				}
				idx[d] = 0
			}
		}
	})
}
