package pool

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMax2x2 pools one 26×26 plane 2048 times (a batch of 64 samples
// with 32 channels, as after the seeds' first convolution), on one core.
func BenchmarkMax2x2(b *testing.B) {
	const h, w, planes = 26, 26, 2048
	r := rand.New(rand.NewPCG(1, 1))
	src := make([]float32, planes*h*w)
	for i := range src {
		src[i] = r.Float32()
	}
	out := make([]float32, planes*(h/2)*(w/2))
	arg := make([]uint8, len(out))
	d := make([]float32, len(src))
	n, m := h*w, (h/2)*(w/2)
	b.Run("fwd", func(b *testing.B) {
		b.SetBytes(int64(4 * len(src)))
		for b.Loop() {
			for p := range planes {
				Max2x2(out[p*m:(p+1)*m], src[p*n:(p+1)*n], nil, h, w)
			}
		}
	})
	b.Run("fwd_arg", func(b *testing.B) {
		b.SetBytes(int64(4 * len(src)))
		for b.Loop() {
			for p := range planes {
				Max2x2(out[p*m:(p+1)*m], src[p*n:(p+1)*n], arg[p*m:(p+1)*m], h, w)
			}
		}
	})
	b.Run("bwd_arg", func(b *testing.B) {
		b.SetBytes(int64(4 * len(src)))
		for b.Loop() {
			for p := range planes {
				Max2x2Backward(d[p*n:(p+1)*n], out[p*m:(p+1)*m], arg[p*m:(p+1)*m], h, w)
			}
		}
	})
	b.Run("bwd_src", func(b *testing.B) {
		b.SetBytes(int64(4 * len(src)))
		for b.Loop() {
			for p := range planes {
				Max2x2BackwardFrom(d[p*n:(p+1)*n], out[p*m:(p+1)*m], src[p*n:(p+1)*n], h, w)
			}
		}
	})
}
