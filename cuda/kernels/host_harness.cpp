// Host harness for ember.cu (tests only): builds the kernels as a shared
// library whose entry points take the kernel arguments as CUDA does (an array
// of pointers to each argument), and runs a launch block after block: with
// the real block size and one OS thread per CUDA thread for the kernels that
// synchronise (reduce, softmax, gemm), with one thread per block for the
// grid-stride kernels. Built by cuda/emulator_test.go with
//   g++ -O1 -std=c++14 -pthread -shared -fPIC -DEMBER_HOST -I. host_harness.cpp -o libemberhost.so
// The host build shrinks the GEMM tile and the reduction blocks so that the
// emulated threads stay few: the kernels are correct for any tile size and
// any power-of-two reduction block.
#define TILE 4
#define DEVICE_TILE 16 // the tile the Go side computes GEMM grids for
#define HOST_REDUCE_BLOCK 4u
#include "ember.cu"

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

dim3 blockDim, gridDim;
thread_local dim3 blockIdx, threadIdx;

// The barrier of the block being run.
static struct {
    std::mutex m;
    std::condition_variable cv;
    unsigned n = 1, count = 0, gen = 0;
} bar;

void ember_syncthreads() {
    std::unique_lock<std::mutex> l(bar.m);
    unsigned g = bar.gen;
    if (++bar.count == bar.n) {
        bar.count = 0;
        bar.gen++;
        bar.cv.notify_all();
    } else {
        bar.cv.wait(l, [&] { return bar.gen != g; });
    }
}

template <typename... A, size_t... I>
static void call_impl(void (*f)(A...), void **p, std::index_sequence<I...>) {
    f(*static_cast<typename std::decay<A>::type *>(p[I])...);
}

template <typename... A>
static void call(void (*f)(A...), void **p) {
    call_impl(f, p, std::index_sequence_for<A...>{});
}

typedef void (*wrapper)(void **);

// A naive GEMM with ember_gemm's arguments: the conformance runs use it
// because the tiled kernel's barriers are slow to emulate; the tiled kernel
// itself is checked by a dedicated test (ember_host_tiled_gemm(1)).
template <typename T>
static void naive_gemm(int ta, int tb, long long m, long long n, long long k, T alpha, const T *a, long long lda,
                       long long sa, const T *b, long long ldb, long long sb, T beta, T *c, long long ldc,
                       long long sc) {
    if (blockIdx.x != 0 || blockIdx.y != 0) return;
    long long z = blockIdx.z;
    for (long long i = 0; i < m; ++i)
        for (long long j = 0; j < n; ++j) {
            T acc = 0;
            for (long long p = 0; p < k; ++p)
                acc += (ta ? a[z * sa + p * lda + i] : a[z * sa + i * lda + p]) *
                       (tb ? b[z * sb + j * ldb + p] : b[z * sb + p * ldb + j]);
            T *out = &c[z * sc + i * ldc + j];
            *out = beta == T(0) ? alpha * acc : alpha * acc + beta * *out;
        }
}
static void naive_gemm_f32(int ta, int tb, long long m, long long n, long long k, float alpha, const float *a,
                           long long lda, long long sa, const float *b, long long ldb, long long sb, float beta,
                           float *c, long long ldc, long long sc) {
    naive_gemm<float>(ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc);
}
static void naive_gemm_f64(int ta, int tb, long long m, long long n, long long k, double alpha, const double *a,
                           long long lda, long long sa, const double *b, long long ldb, long long sb, double beta,
                           double *c, long long ldc, long long sc) {
    naive_gemm<double>(ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc);
}

static bool tiled_gemm = false;

// ember_host_tiled_gemm selects the real tiled GEMM kernel (1) or the naive
// loop (0) for later launches.
extern "C" void ember_host_tiled_gemm(int on) { tiled_gemm = on != 0; }

#define K(name) {#name, [](void **p) { call(name, p); }, false}
#define KS(base) K(ember_##base##_f32), K(ember_##base##_f64)
#define KT(name) {#name, [](void **p) { call(name, p); }, true}
#define KST(base) KT(ember_##base##_f32), KT(ember_##base##_f64)

static const struct {
    const char *name;
    wrapper fn;
    bool threaded; // uses shared memory and __syncthreads
} kernels[] = {
    KS(fill), KS(unary), KS(binary), KS(where), KST(reduce), KST(softmax), KS(index_select), KS(index_add),
    KS(im2col), KS(col2im), KS(pool), KS(pool_bwd), KS(bernoulli), KS(sgd), KS(adam), KS(rmsprop), KS(adagrad),
    KST(gemm), K(ember_copy_f32_f32), K(ember_copy_f32_f64), K(ember_copy_f64_f32), K(ember_copy_f64_f64),
};

// ember_host_kernel returns the index+1 of the kernel called name, 0 if none.
extern "C" unsigned long long ember_host_kernel(const char *name) {
    for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); ++i)
        if (strcmp(kernels[i].name, name) == 0) return i + 1;
    return 0;
}

// ember_host_launch runs kernel fn (from ember_host_kernel) over the grid.
extern "C" void ember_host_launch(unsigned long long fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                                  unsigned by, void **params) {
    wrapper w = kernels[fn - 1].fn;
    bool threaded = kernels[fn - 1].threaded;
    if (strncmp(kernels[fn - 1].name, "ember_gemm_", 11) == 0 && !tiled_gemm) {
        bool f32 = strcmp(kernels[fn - 1].name, "ember_gemm_f32") == 0;
        w = f32 ? [](void **p) { call(naive_gemm_f32, p); } : [](void **p) { call(naive_gemm_f64, p); };
        threaded = false;
    } else if (strncmp(kernels[fn - 1].name, "ember_gemm_", 11) == 0) {
        gx *= DEVICE_TILE / TILE;
        gy *= DEVICE_TILE / TILE;
        bx = by = TILE;
    } else if (threaded) {
        bx = bx < HOST_REDUCE_BLOCK ? bx : HOST_REDUCE_BLOCK;
    }
    gridDim = dim3{gx, gy, gz};
    blockDim = threaded ? dim3{bx, by, 1} : dim3{1, 1, 1};
    bar.n = blockDim.x * blockDim.y;
    bar.count = 0;
    auto blocks = [=] {
        for (unsigned z = 0; z < gz; ++z)
            for (unsigned y = 0; y < gy; ++y)
                for (unsigned x = 0; x < gx; ++x) {
                    blockIdx = dim3{x, y, z};
                    w(params);
                    // No thread starts the next block (and overwrites its
                    // shared memory) before every thread finished this one.
                    ember_syncthreads();
                }
    };
    if (!threaded) {
        threadIdx = dim3{0, 0, 0};
        blocks();
        return;
    }
    // One OS thread per CUDA thread of a block, for the whole grid.
    std::vector<std::thread> ts;
    for (unsigned ty = 0; ty < blockDim.y; ++ty)
        for (unsigned tx = 0; tx < blockDim.x; ++tx)
            ts.emplace_back([=] {
                threadIdx = dim3{tx, ty, 0};
                blocks();
            });
    for (auto &t : ts) t.join();
}
