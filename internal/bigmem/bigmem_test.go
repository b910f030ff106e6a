package bigmem

import "testing"

func TestFloat32s(t *testing.T) {
	for _, n := range []int{0, 1, 1000, Threshold/4 - 1, Threshold / 4, 3*Threshold/4 + 17} {
		buf, free := Float32s(n)
		if len(buf) != n {
			t.Fatalf("n=%d: len %d", n, len(buf))
		}
		for i := range buf {
			if buf[i] != 0 {
				t.Fatalf("n=%d: buf[%d] = %v, want zeroed memory", n, i, buf[i])
			}
			buf[i] = float32(i)
		}
		for i := 0; i < n; i += 4097 {
			if buf[i] != float32(i) {
				t.Fatalf("n=%d: buf[%d] = %v after writing %d", n, i, buf[i], i)
			}
		}
		free()
		free() // a second call does nothing
	}
}
