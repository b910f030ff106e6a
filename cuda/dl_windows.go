//go:build windows

package cuda

import "syscall"

// driverLibs are the names tried, in order, for the driver library.
var driverLibs = []string{"nvcuda.dll"}

// cublasLibs are the cuBLAS DLLs tried, newest first.
var cublasLibs = []string{"cublas64_13.dll", "cublas64_12.dll", "cublas64_11.dll"}

// dlopen loads the DLL name.
func dlopen(name string) (uintptr, error) {
	h, err := syscall.LoadLibrary(name)
	return uintptr(h), err
}

// dlsym returns the address of the symbol name in the DLL h.
func dlsym(h uintptr, name string) (uintptr, error) {
	return syscall.GetProcAddress(syscall.Handle(h), name)
}
