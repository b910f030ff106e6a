package gemm

import (
	"testing"
	"time"
)

func TestZZKern(t *testing.T) {
	for _, kc := range []int{64, 128, 256, 384, 512} {
		a := make([]float32, 12*kc)
		b := make([]float32, 32*kc)
		c := make([]float32, 12*32)
		reps := 200000 * 64 / kc
		t0 := time.Now()
		for r := 0; r < reps; r++ {
			kernS512(kc, &a[0], &b[0], &c[0], 32, 0)
		}
		el := time.Since(t0).Seconds()
		t.Logf("S kc=%d: %.1f GF/s", kc, float64(reps)*2*12*32*float64(kc)/el/1e9)
		ad := make([]float64, 12*kc)
		bd := make([]float64, 16*kc)
		cd := make([]float64, 12*16)
		t0 = time.Now()
		for r := 0; r < reps; r++ {
			kernD512(kc, &ad[0], &bd[0], &cd[0], 16, 1)
		}
		el = time.Since(t0).Seconds()
		t.Logf("D kc=%d: %.1f GF/s", kc, float64(reps)*2*12*16*float64(kc)/el/1e9)
	}
}
