package cuda

import "unsafe"

func addPtr(p *byte, n int) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(p), n) }

// cBytes returns s as a NUL-terminated byte slice.
func cBytes(s string) []byte { return append([]byte(s), 0) }
