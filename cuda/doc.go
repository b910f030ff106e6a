// Package cuda is ember's GPU backend: the CUDA driver API and cuBLAS,
// loaded at run time with purego (no cgo, no CUDA headers, no build tag),
// and kernels written in CUDA C (kernels/ember.cu) compiled ahead of time to
// PTX for compute capability 5.2 and embedded, so that the driver
// JIT-compiles them for the GPU at hand.
//
// Open(0) loads libcuda.so.1, retains GPU 0's primary context, creates a
// stream, loads the kernels, finds cuBLAS (libcublas.so.13, .12 or .11; a
// tiled GEMM kernel of ember's own is used without it) and registers a
// tensor.Backend for the device. On a machine without an NVIDIA driver or
// GPU it returns an error (wrapping ErrNoDriver or ErrNoDevice) and nothing
// else changes: the engine stays on the CPU.
//
//	dev := tensor.CPU
//	if gpu, err := cuda.Open(0); err == nil {
//		dev = gpu.TensorDevice()
//	}
//	x := tensor.RandN(tensor.Float32, rng, 64, 128).To(dev)
//
// Networks train on the device with nn's Model.To(gpu.TensorDevice()), or
// cmd/train -device cuda.
//
// All work on a device is ordered on one stream; device memory comes from a
// caching allocator (plain cuMemAlloc, never managed memory) and returns to
// it when tensors are released.
//
// To regenerate the PTX after editing kernels/ember.cu: go generate ./cuda
// (needs nvcc). To check the committed PTX: sh cuda/check_ptx.sh.
package cuda
