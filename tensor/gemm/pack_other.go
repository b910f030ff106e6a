//go:build noasm || !amd64

package gemm

// interleaveAsm reports false: there is no assembly packer here.
func interleaveAsm[T Float](d []T, w, cnt int, src []T, ld, off, kb int, alpha T) bool {
	return false
}
