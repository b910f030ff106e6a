// Host harness for ember.cu (tests only): builds the kernels as a shared
// library whose entry points take the kernel arguments as CUDA does (an array
// of pointers to each argument), and runs a launch serially: every block of
// the grid in turn, one thread per block. Built by cuda/emulator_test.go with
//   g++ -O1 -shared -fPIC -DEMBER_HOST -I. host_harness.cpp -o libemberhost.so
#include "ember.cu"

#include <cstring>
#include <type_traits>
#include <utility>

thread_local dim3 blockIdx, threadIdx, blockDim, gridDim;

template <typename... A, size_t... I>
static void call_impl(void (*f)(A...), void **p, std::index_sequence<I...>) {
    f(*static_cast<typename std::decay<A>::type *>(p[I])...);
}

template <typename... A>
static void call(void (*f)(A...), void **p) {
    call_impl(f, p, std::index_sequence_for<A...>{});
}

typedef void (*wrapper)(void **);

#define K(name) {#name, [](void **p) { call(name, p); }}
#define KS(base) K(ember_##base##_f32), K(ember_##base##_f64)

static const struct {
    const char *name;
    wrapper fn;
} kernels[] = {
    KS(fill), KS(unary), KS(binary), KS(where), KS(reduce), KS(softmax), KS(index_select), KS(index_add),
    KS(im2col), KS(col2im), KS(pool), KS(pool_bwd), KS(bernoulli), KS(sgd), KS(adam), KS(rmsprop), KS(adagrad),
    KS(gemm), K(ember_copy_f32_f32), K(ember_copy_f32_f64), K(ember_copy_f64_f32), K(ember_copy_f64_f64),
};

// ember_host_kernel returns the index+1 of the kernel called name, 0 if none.
extern "C" unsigned long long ember_host_kernel(const char *name) {
    for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); ++i)
        if (strcmp(kernels[i].name, name) == 0) return i + 1;
    return 0;
}

// ember_host_launch runs kernel fn (from ember_host_kernel) over the grid.
extern "C" void ember_host_launch(unsigned long long fn, unsigned gx, unsigned gy, unsigned gz, void **params) {
    wrapper w = kernels[fn - 1].fn;
    gridDim = dim3{gx, gy, gz};
    blockDim = dim3{1, 1, 1};
    threadIdx = dim3{0, 0, 0};
    for (unsigned z = 0; z < gz; ++z)
        for (unsigned y = 0; y < gy; ++y)
            for (unsigned x = 0; x < gx; ++x) {
                blockIdx = dim3{x, y, z};
                w(params);
            }
}
