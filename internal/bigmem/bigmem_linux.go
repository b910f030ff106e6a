package bigmem

import (
	"sync"
	"syscall"
	"unsafe"
)

const hugePage = 2 << 20

// mapFloat32s maps n float32 of anonymous memory aligned to a huge page
// and asks for transparent huge pages.
func mapFloat32s(n int) ([]float32, func(), bool) {
	size := n * 4
	m, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, false
	}
	off := int((hugePage - uintptr(unsafe.Pointer(&m[0]))%hugePage) % hugePage)
	b := m[off : off+size]
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE; without it, 4 KiB pages
	buf := unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
	var once sync.Once
	return buf, func() { once.Do(func() { _ = syscall.Munmap(m) }) }, true
}
