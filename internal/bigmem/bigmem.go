// Package bigmem allocates large, short-lived float32 buffers, such as an
// SVM's kernel matrix, so that touching them for the first time is cheap.
//
// A fresh 100 MB slice from make costs about 50 ms of page faults on
// Linux, one per 4 KiB page, often more than the computation that fills
// it. On Linux, buffers of at least Threshold bytes are mapped outside
// the Go heap with transparent huge pages requested (MADV_HUGEPAGE), which
// takes one fault per 2 MiB and cuts that cost about fourfold where the
// kernel allows huge pages; elsewhere, and when the mapping fails, they
// come from make.
package bigmem

// Threshold is the size in bytes from which Float32s maps memory instead
// of using make.
const Threshold = 8 << 20

// Float32s returns a zeroed slice of n float32 and the function that
// releases it. The caller must call free exactly once, after the last use
// of buf (a mapped buffer is unmapped: a later access faults).
func Float32s(n int) (buf []float32, free func()) {
	if n*4 >= Threshold {
		if buf, free, ok := mapFloat32s(n); ok {
			return buf, free
		}
	}
	return make([]float32, n), func() {}
}
