// Host shim for ember.cu: lets g++ compile the kernels as ordinary C++ so
// that tests can run them serially on the CPU (see host_harness.cpp and
// cuda/emulator_test.go). Blocks run one after another. Kernels that use
// shared memory and __syncthreads (reduce, softmax, gemm) run with their
// real block size, one OS thread per CUDA thread and a barrier; the others
// (grid-stride loops, correct for any block size) run one thread per block.
#pragma once
#include <cmath>
#include <cstring>
#include <limits>

using namespace std;

struct dim3 {
    unsigned x, y, z;
};
extern dim3 blockDim, gridDim;
extern thread_local dim3 blockIdx, threadIdx;
void ember_syncthreads();

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() ember_syncthreads()
#define CUDART_INF (std::numeric_limits<double>::infinity())

inline float atomicAdd(float *p, float v) {
    float old = *p;
    *p = old + v;
    return old;
}
inline unsigned long long atomicCAS(unsigned long long *p, unsigned long long cmp, unsigned long long v) {
    unsigned long long old = *p;
    if (old == cmp) *p = v;
    return old;
}
inline long long __double_as_longlong(double d) {
    long long r;
    memcpy(&r, &d, 8);
    return r;
}
inline double __longlong_as_double(long long v) {
    double r;
    memcpy(&r, &v, 8);
    return r;
}
