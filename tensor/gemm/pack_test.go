package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestInterleave checks interleave (assembly where the machine has it)
// against interleaveGo and the definition, for every panel width in use.
func TestInterleave(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, w := range []int{4, 6, 8, 12, 14, 16, 32} {
		for _, cnt := range []int{1, 2, 3, 5, w - 1, w} {
			if cnt < 1 || cnt > w {
				continue
			}
			for _, kb := range []int{1, 7, 130} {
				ld, off := kb+3, 2
				src := make([]float32, off+(cnt-1)*ld+kb)
				for i := range src {
					src[i] = float32(rng.IntN(100))
				}
				src64 := make([]float64, len(src))
				for i, v := range src {
					src64[i] = float64(v)
				}
				for _, alpha := range []float32{1, -2} {
					got := make([]float32, kb*w+5)
					for i := range got {
						got[i] = -7 // also checks that d is fully written
					}
					interleave(got[:kb*w], w, cnt, src, ld, off, kb, alpha)
					ref := make([]float32, kb*w+5)
					interleaveGo(ref[:kb*w], w, cnt, src, ld, off, kb, alpha)
					got64 := make([]float64, kb*w)
					interleave(got64, w, cnt, src64, ld, off, kb, float64(alpha))
					for p := 0; p < kb; p++ {
						for i := 0; i < w; i++ {
							want := float32(0)
							if i < cnt {
								want = alpha * src[off+i*ld+p]
							}
							idx := p*w + i
							if got[idx] != want || ref[idx] != want || got64[idx] != float64(want) {
								t.Fatalf("w=%d cnt=%d kb=%d alpha=%v: d[%d] = %v (Go %v, float64 %v), want %v", w, cnt, kb, alpha, idx, got[idx], ref[idx], got64[idx], want)
							}
						}
					}
					for i := kb * w; i < len(got); i++ {
						if got[i] != -7 {
							t.Fatalf("w=%d cnt=%d kb=%d: wrote past the panel at %d", w, cnt, kb, i)
						}
					}
				}
			}
		}
	}
}
