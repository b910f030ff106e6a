//go:build !windows

package cuda

import "github.com/ebitengine/purego"

// driverLibs are the names tried, in order, for the driver library.
var driverLibs = []string{"libcuda.so.1", "libcuda.so"}

// cublasLibs are the cuBLAS sonames tried, newest first.
var cublasLibs = []string{"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"}

// dlopen loads the shared library name.
func dlopen(name string) (uintptr, error) {
	return purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL)
}

// dlsym returns the address of the symbol name in the library h.
func dlsym(h uintptr, name string) (uintptr, error) { return purego.Dlsym(h, name) }
