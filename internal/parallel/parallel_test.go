package parallel

import (
	"sync/atomic"
	"testing"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, grain int }{{0, 1}, {1, 1}, {7, 3}, {1000, 1}, {1000, 64}, {5, 100}} {
		hits := make([]int32, tc.n)
		For(tc.n, tc.grain, func(lo, hi int) {
			if hi-lo > max(tc.grain, 1) {
				t.Errorf("n=%d grain=%d: chunk [%d,%d) larger than grain", tc.n, tc.grain, lo, hi)
			}
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n=%d grain=%d: index %d visited %d times", tc.n, tc.grain, i, h)
			}
		}
	}
}

func TestNestedForDoesNotDeadlock(t *testing.T) {
	var total atomic.Int64
	For(64, 1, func(lo, hi int) {
		For(64, 1, func(lo2, hi2 int) {
			total.Add(int64(hi2 - lo2))
		})
	})
	if total.Load() != 64*64 {
		t.Fatalf("total = %d, want %d", total.Load(), 64*64)
	}
}

func TestForNSplitsEvenly(t *testing.T) {
	var got [][2]int
	ch := make(chan [2]int, 16)
	ForN(10, 3, func(lo, hi int) { ch <- [2]int{lo, hi} })
	close(ch)
	for c := range ch {
		got = append(got, c)
	}
	sum := 0
	for _, c := range got {
		sum += c[1] - c[0]
		if c[1]-c[0] < 3 || c[1]-c[0] > 4 {
			t.Errorf("uneven chunk %v", c)
		}
	}
	if len(got) != 3 || sum != 10 {
		t.Fatalf("chunks %v", got)
	}
}
