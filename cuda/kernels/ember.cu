// Kernels of ember's CUDA backend. Compiled to PTX by gen.sh (go generate in
// package cuda) and embedded; every entry point is extern "C" so that its
// name in the PTX is the one the Go side launches.
//
// Conventions: element counts and offsets are 64-bit; strided operands are
// described by a Layout (row-major unravel of a linear index over shape, then
// dot with stride, plus offset), which is how broadcasting (stride 0) and
// permuted views reach the kernels without copies.

#ifdef EMBER_HOST
#include "host_shim.h"
#else
#include <math_constants.h>
#endif

#define MAXD 8

struct Layout {
    long long ndim;
    long long shape[MAXD];
    long long stride[MAXD];
    long long offset;
};

struct ConvShape {
    int n, c, h, w, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw;
};

__device__ __forceinline__ long long loff(const Layout &L, long long i) {
    long long o = L.offset;
    for (int d = (int)L.ndim - 1; d >= 0; --d) {
        long long s = L.shape[d];
        long long c = i % s;
        i /= s;
        o += c * L.stride[d];
    }
    return o;
}

#define GRID_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// ---- elementwise -----------------------------------------------------------

enum {
    OpNeg, OpAbs, OpExp, OpLog, OpSqrt, OpRsqrt, OpSquare, OpReciprocal, OpTanh, OpSigmoid,
    OpRelu, OpSin, OpCos, OpSign, OpFloor, OpCeil, OpRound, OpSoftplus, OpGelu, OpGeluExact,
    OpErf, OpLog1p, OpExpm1, OpPowScalar, OpAddScalar, OpMulScalar, OpAffine, OpClip, OpLeakyRelu, OpElu,
    OpReluGrad, OpStep, OpIsNaN, OpNanToNum, OpRsubScalar, OpRdivScalar
};

template <typename T>
__device__ __forceinline__ T unary_op(int op, T x, T p0, T p1) {
    switch (op) {
    case OpNeg: return -x;
    case OpAbs: return fabs(x);
    case OpExp: return exp(x);
    case OpLog: return log(x);
    case OpSqrt: return sqrt(x);
    case OpRsqrt: return T(1) / sqrt(x);
    case OpSquare: return x * x;
    case OpReciprocal: return T(1) / x;
    case OpTanh: return tanh(x);
    case OpSigmoid:
        if (x >= T(0)) return T(1) / (T(1) + exp(-x));
        else { T e = exp(x); return e / (T(1) + e); }
    case OpRelu: return x > T(0) ? x : T(0);
    case OpSin: return sin(x);
    case OpCos: return cos(x);
    case OpSign: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);
    case OpFloor: return floor(x);
    case OpCeil: return ceil(x);
    case OpRound: return rint(x);
    case OpSoftplus: return x > T(20) ? x : log1p(exp(x));
    case OpGelu: return T(0.5) * x * (T(1) + tanh(T(0.7978845608028654) * (x + T(0.044715) * x * x * x)));
    case OpGeluExact: return T(0.5) * x * (T(1) + erf(x * T(0.7071067811865476)));
    case OpErf: return erf(x);
    case OpLog1p: return log1p(x);
    case OpExpm1: return expm1(x);
    case OpPowScalar: return p0 == T(2) ? x * x : pow(x, p0);
    case OpAddScalar: return x + p0;
    case OpMulScalar: return x * p0;
    case OpAffine: return x * p0 + p1;
    case OpClip: return x < p0 ? p0 : (x > p1 ? p1 : x);
    case OpLeakyRelu: return x > T(0) ? x : p0 * x;
    case OpElu: return x > T(0) ? x : p0 * expm1(x);
    case OpReluGrad: return x > T(0) ? T(1) : T(0);
    case OpStep: return x > p0 ? T(1) : T(0);
    case OpIsNaN: return x != x ? T(1) : T(0);
    case OpNanToNum: return x != x ? p0 : x;
    case OpRsubScalar: return p0 - x;
    case OpRdivScalar: return p0 / x;
    }
    return x;
}

enum { OpAdd, OpSub, OpMul, OpDiv, OpPow, OpMaximum, OpMinimum, OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpAtan2 };

template <typename T>
__device__ __forceinline__ T binary_op(int op, T x, T y) {
    switch (op) {
    case OpAdd: return x + y;
    case OpSub: return x - y;
    case OpMul: return x * y;
    case OpDiv: return x / y;
    case OpPow: return pow(x, y);
    case OpMaximum: return (x != x || x > y) ? x : y;
    case OpMinimum: return (x != x || x < y) ? x : y;
    case OpEq: return x == y ? T(1) : T(0);
    case OpNe: return x != y ? T(1) : T(0);
    case OpLt: return x < y ? T(1) : T(0);
    case OpLe: return x <= y ? T(1) : T(0);
    case OpGt: return x > y ? T(1) : T(0);
    case OpGe: return x >= y ? T(1) : T(0);
    case OpAtan2: return atan2(x, y);
    }
    return x;
}

template <typename T>
__device__ void fill_k(T *dst, long long n, T v) {
    GRID_LOOP(i, n) dst[i] = v;
}

// dst may be strided too (ld), so that a strided device tensor can be
// written in place.
template <typename D, typename S>
__device__ void copy_k(D *dst, const Layout &ld, const S *src, const Layout &ls, long long n) {
    GRID_LOOP(i, n) dst[loff(ld, i)] = (D)src[loff(ls, i)];
}

template <typename T>
__device__ void unary_k(int op, T *dst, const T *src, const Layout &ls, long long n, double p0, double p1) {
    T q0 = (T)p0, q1 = (T)p1;
    GRID_LOOP(i, n) dst[i] = unary_op<T>(op, src[loff(ls, i)], q0, q1);
}

template <typename T>
__device__ void binary_k(int op, T *dst, const T *a, const Layout &la, const T *b, const Layout &lb, long long n) {
    GRID_LOOP(i, n) dst[i] = binary_op<T>(op, a[loff(la, i)], b[loff(lb, i)]);
}

template <typename T>
__device__ void where_k(T *dst, const T *c, const Layout &lc, const T *a, const Layout &la, const T *b, const Layout &lb, long long n) {
    GRID_LOOP(i, n) dst[i] = c[loff(lc, i)] != T(0) ? a[loff(la, i)] : b[loff(lb, i)];
}

// ---- reductions --------------------------------------------------------------

enum { ReduceSum, ReduceMax, ReduceMin, ReduceProd, ReduceArgMax, ReduceArgMin };

// One block per output element. ls lists the kept dimensions first and the
// reduced ones last, so element (o, r) is at loff(ls, o*red + r). blockDim.x
// must be a power of two no larger than 256.
template <typename T>
__device__ void reduce_k(int op, T *dst, const T *src, const Layout &ls, long long out, long long red) {
    __shared__ double sv[256];
    __shared__ long long si[256];
    long long o = blockIdx.x;
    if (o >= out) return;
    int t = threadIdx.x;
    double acc;
    long long idx = -1;
    switch (op) {
    case ReduceSum: acc = 0; break;
    case ReduceProd: acc = 1; break;
    case ReduceMax: case ReduceArgMax: acc = -CUDART_INF; break;
    default: acc = CUDART_INF; break;
    }
    for (long long r = t; r < red; r += blockDim.x) {
        double v = (double)src[loff(ls, o * red + r)];
        switch (op) {
        case ReduceSum: acc += v; break;
        case ReduceProd: acc *= v; break;
        case ReduceMax: if (v > acc || v != v) acc = v; break;
        case ReduceMin: if (v < acc || v != v) acc = v; break;
        case ReduceArgMax:
        case ReduceArgMin:
            // Ties go to the first; the first NaN counts as the extreme.
            if (idx < 0 || (v != v && acc == acc) || (op == ReduceArgMax ? v > acc : v < acc)) { acc = v; idx = r; }
            break;
        }
    }
    sv[t] = acc;
    si[t] = idx;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) {
            double a = sv[t], b = sv[t + s];
            long long ia = si[t], ib = si[t + s];
            switch (op) {
            case ReduceSum: sv[t] = a + b; break;
            case ReduceProd: sv[t] = a * b; break;
            case ReduceMax: sv[t] = (a != a || a > b) ? a : b; break;
            case ReduceMin: sv[t] = (a != a || a < b) ? a : b; break;
            case ReduceArgMax:
            case ReduceArgMin: {
                bool an = a != a, bn = b != b, take;
                if (ib < 0) take = false;
                else if (ia < 0) take = true;
                else if (an || bn) take = bn && (!an || ib < ia);
                else take = (op == ReduceArgMax ? b > a : b < a) || (b == a && ib < ia);
                if (take) { sv[t] = b; si[t] = ib; }
                break;
            }
            }
        }
        __syncthreads();
    }
    if (t == 0) {
        if (op == ReduceArgMax || op == ReduceArgMin) dst[o] = (T)(si[0] < 0 ? 0 : si[0]);
        else dst[o] = (T)sv[0];
    }
}

// Softmax over rows: ld and ls put the softmax axis last; one block per row;
// blockDim.x a power of two no larger than 256.
template <typename T>
__device__ void softmax_k(T *dst, const Layout &ld, const T *src, const Layout &ls, long long rows, long long len, int logmode) {
    __shared__ double sh[256];
    long long row = blockIdx.x;
    if (row >= rows) return;
    int t = threadIdx.x;
    double m = -CUDART_INF;
    for (long long k = t; k < len; k += blockDim.x) m = fmax(m, (double)src[loff(ls, row * len + k)]);
    sh[t] = m;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] = fmax(sh[t], sh[t + s]);
        __syncthreads();
    }
    m = sh[0];
    __syncthreads();
    double sum = 0;
    for (long long k = t; k < len; k += blockDim.x) sum += exp((double)src[loff(ls, row * len + k)] - m);
    sh[t] = sum;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] += sh[t + s];
        __syncthreads();
    }
    sum = sh[0];
    double lse = log(sum);
    for (long long k = t; k < len; k += blockDim.x) {
        double x = (double)src[loff(ls, row * len + k)] - m;
        dst[loff(ld, row * len + k)] = (T)(logmode ? x - lse : exp(x) / sum);
    }
}

// ---- indexing ------------------------------------------------------------------

// ls has dst's shape and src's strides; coordinate axis is replaced by idx.
template <typename T>
__device__ void index_select_k(T *dst, const T *src, const Layout &ls, int axis, const long long *idx, long long n) {
    GRID_LOOP(i, n) {
        long long o = ls.offset, j = i;
        for (int d = (int)ls.ndim - 1; d >= 0; --d) {
            long long c = j % ls.shape[d];
            j /= ls.shape[d];
            if (d == axis) c = idx[c];
            o += c * ls.stride[d];
        }
        dst[i] = src[o];
    }
}

__device__ __forceinline__ void atomic_add(float *p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void atomic_add(double *p, double v) {
    unsigned long long *a = (unsigned long long *)p;
    unsigned long long old = *a, assumed;
    do {
        assumed = old;
        old = atomicCAS(a, assumed, __double_as_longlong(v + __longlong_as_double(assumed)));
    } while (assumed != old);
}

// ld has src's shape and dst's strides; coordinate axis is replaced by idx.
template <typename T>
__device__ void index_add_k(T *dst, const Layout &ld, const T *src, const Layout &ls, int axis, const long long *idx, long long n) {
    GRID_LOOP(i, n) {
        long long o = ld.offset, j = i;
        for (int d = (int)ld.ndim - 1; d >= 0; --d) {
            long long c = j % ld.shape[d];
            j /= ld.shape[d];
            if (d == axis) c = idx[c];
            o += c * ld.stride[d];
        }
        atomic_add(&dst[o], src[loff(ls, i)]);
    }
}

// ---- convolution and pooling (contiguous NCHW) --------------------------------

// Columns are laid out [c*kh*kw][n*oh*ow]: row (c, ki, kj), column (n, oy, ox),
// so one GEMM covers a whole batch of images.
template <typename T>
__device__ void im2col_k(T *col, const T *x, const ConvShape &s) {
    long long ohw = (long long)s.oh * s.ow;
    long long total = (long long)s.c * s.kh * s.kw * s.n * ohw;
    GRID_LOOP(i, total) {
        long long p = i % ohw;
        long long r = i / ohw;
        long long n = r % s.n;
        long long row = r / s.n;
        int kj = row % s.kw;
        int ki = (row / s.kw) % s.kh;
        int c = row / ((long long)s.kw * s.kh);
        int oy = p / s.ow, ox = p % s.ow;
        int iy = oy * s.sh + ki * s.dh - s.pt;
        int ix = ox * s.sw + kj * s.dw - s.pl;
        T v = 0;
        if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w) v = x[((n * s.c + c) * s.h + iy) * s.w + ix];
        col[i] = v;
    }
}

// dx[n][c][h][w] = sum of the column entries that read it (a gather: no
// atomics, deterministic).
template <typename T>
__device__ void col2im_k(T *dx, const T *col, const ConvShape &s) {
    long long total = (long long)s.n * s.c * s.h * s.w;
    long long ohw = (long long)s.oh * s.ow;
    GRID_LOOP(i, total) {
        int x = i % s.w;
        int y = (i / s.w) % s.h;
        long long nc = i / ((long long)s.w * s.h);
        int c = nc % s.c;
        long long n = nc / s.c;
        double acc = 0;
        for (int ki = 0; ki < s.kh; ++ki) {
            int ty = y + s.pt - ki * s.dh;
            if (ty < 0 || ty % s.sh) continue;
            int oy = ty / s.sh;
            if (oy >= s.oh) continue;
            for (int kj = 0; kj < s.kw; ++kj) {
                int tx = x + s.pl - kj * s.dw;
                if (tx < 0 || tx % s.sw) continue;
                int ox = tx / s.sw;
                if (ox >= s.ow) continue;
                long long row = ((long long)c * s.kh + ki) * s.kw + kj;
                acc += (double)col[(row * s.n + n) * ohw + (long long)oy * s.ow + ox];
            }
        }
        dx[i] = (T)acc;
    }
}

template <typename T>
__device__ void pool_k(T *dst, const T *x, const ConvShape &s, int ismax) {
    long long total = (long long)s.n * s.c * s.oh * s.ow;
    GRID_LOOP(i, total) {
        int ox = i % s.ow;
        int oy = (i / s.ow) % s.oh;
        long long pl = i / ((long long)s.ow * s.oh);
        const T *src = x + pl * s.h * s.w;
        double best = -CUDART_INF, sum = 0;
        int cnt = 0;
        for (int ki = 0; ki < s.kh; ++ki) {
            int iy = oy * s.sh + ki * s.dh - s.pt;
            if (iy < 0 || iy >= s.h) continue;
            for (int kj = 0; kj < s.kw; ++kj) {
                int ix = ox * s.sw + kj * s.dw - s.pl;
                if (ix < 0 || ix >= s.w) continue;
                double v = (double)src[iy * s.w + ix];
                if (v > best || v != v) best = v;
                sum += v;
                cnt++;
            }
        }
        dst[i] = ismax ? (T)best : (cnt > 0 ? (T)(sum / cnt) : T(0));
    }
}

// Backward pooling as a gather over the windows that cover each input
// element; for max, the window's arg-max is recomputed (first maximum, a NaN
// wins as in the forward pass).
template <typename T>
__device__ void pool_bwd_k(T *dx, const T *dy, const T *x, const ConvShape &s, int ismax) {
    long long total = (long long)s.n * s.c * s.h * s.w;
    GRID_LOOP(i, total) {
        int xx = i % s.w;
        int yy = (i / s.w) % s.h;
        long long pl = i / ((long long)s.w * s.h);
        const T *g = dy + pl * s.oh * s.ow;
        const T *src = ismax ? x + pl * s.h * s.w : 0;
        double acc = 0;
        for (int ki = 0; ki < s.kh; ++ki) {
            int ty = yy + s.pt - ki * s.dh;
            if (ty < 0 || ty % s.sh) continue;
            int oy = ty / s.sh;
            if (oy >= s.oh) continue;
            for (int kj = 0; kj < s.kw; ++kj) {
                int tx = xx + s.pl - kj * s.dw;
                if (tx < 0 || tx % s.sw) continue;
                int ox = tx / s.sw;
                if (ox >= s.ow) continue;
                if (ismax) {
                    double best = -CUDART_INF;
                    int bi = -1;
                    for (int a = 0; a < s.kh; ++a) {
                        int iy = oy * s.sh + a * s.dh - s.pt;
                        if (iy < 0 || iy >= s.h) continue;
                        for (int b = 0; b < s.kw; ++b) {
                            int ix = ox * s.sw + b * s.dw - s.pl;
                            if (ix < 0 || ix >= s.w) continue;
                            double v = (double)src[iy * s.w + ix];
                            if (bi < 0 || v > best || v != v) { best = v; bi = iy * s.w + ix; }
                        }
                    }
                    if (bi == yy * s.w + xx) acc += (double)g[oy * s.ow + ox];
                } else {
                    int cnt = 0;
                    for (int a = 0; a < s.kh; ++a) {
                        int iy = oy * s.sh + a * s.dh - s.pt;
                        if (iy < 0 || iy >= s.h) continue;
                        for (int b = 0; b < s.kw; ++b) {
                            int ix = ox * s.sw + b * s.dw - s.pl;
                            if (ix >= 0 && ix < s.w) cnt++;
                        }
                    }
                    if (cnt > 0) acc += (double)g[oy * s.ow + ox] / cnt;
                }
            }
        }
        dx[i] = (T)acc;
    }
}

// ---- dropout masks and optimizers ---------------------------------------------

// SplitMix64's finaliser over (seed, counter): tensor.Hash64, bit for bit.
__device__ __forceinline__ unsigned long long hash64(unsigned long long seed, unsigned long long ctr) {
    unsigned long long z = seed + (ctr + 1ULL) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

template <typename T>
__device__ void bernoulli_k(T *dst, long long n, unsigned long long seed, unsigned long long thr, T scale) {
    GRID_LOOP(i, n) dst[i] = (hash64(seed, (unsigned long long)i) >> 11) < thr ? scale : T(0);
}

template <typename T>
__device__ void sgd_k(T *p, const T *g, T *v, long long n, T lr, T mom, T wd, int nesterov) {
    GRID_LOOP(i, n) {
        T gi = g[i] + wd * p[i];
        if (mom != T(0)) {
            v[i] = mom * v[i] + gi;
            if (nesterov) gi += mom * v[i];
            else gi = v[i];
        }
        p[i] -= lr * gi;
    }
}

template <typename T>
__device__ void adam_k(T *p, const T *g, T *m, T *v, long long n, T b1, T b2, T stepSize, T invSqrtBC2, T eps, T wd, T decay, int decoupled) {
    GRID_LOOP(i, n) {
        T gi = g[i];
        if (decoupled) p[i] *= decay;
        else if (wd != T(0)) gi += wd * p[i];
        m[i] = b1 * m[i] + (T(1) - b1) * gi;
        v[i] = b2 * v[i] + (T(1) - b2) * gi * gi;
        T den = sqrt(v[i]) * invSqrtBC2 + eps;
        p[i] -= stepSize * m[i] / den;
    }
}

template <typename T>
__device__ void rmsprop_k(T *p, const T *g, T *sq, T *mo, long long n, T lr, T rho, T eps, T wd, T mu) {
    GRID_LOOP(i, n) {
        T gi = g[i] + wd * p[i];
        sq[i] = rho * sq[i] + (T(1) - rho) * gi * gi;
        T upd = gi / (sqrt(sq[i]) + eps);
        if (mo != 0 && mu != T(0)) {
            mo[i] = mu * mo[i] + upd;
            upd = mo[i];
        }
        p[i] -= lr * upd;
    }
}

template <typename T>
__device__ void adagrad_k(T *p, const T *g, T *s, long long n, T lr, T eps, T wd) {
    GRID_LOOP(i, n) {
        T gi = g[i] + wd * p[i];
        s[i] += gi * gi;
        p[i] -= lr * gi / (sqrt(s[i]) + eps);
    }
}

// ---- GEMM fallback (used when cuBLAS is missing) -------------------------------

// Row-major C[m,n] = alpha*op(A)[m,k] @ op(B)[k,n] + beta*C, batch in
// blockIdx.z; op(A)(i,p) = ta ? a[p*lda+i] : a[i*lda+p]. 16x16 tiles.
#ifndef TILE
#define TILE 16
#endif
template <typename T>
__device__ void gemm_k(int ta, int tb, long long m, long long n, long long k, T alpha,
                       const T *a, long long lda, long long sa, const T *b, long long ldb, long long sb,
                       T beta, T *c, long long ldc, long long sc) {
    __shared__ T As[TILE][TILE + 1];
    __shared__ T Bs[TILE][TILE + 1];
    long long z = blockIdx.z;
    a += z * sa;
    b += z * sb;
    c += z * sc;
    long long row = (long long)blockIdx.y * TILE + threadIdx.y;
    long long col = (long long)blockIdx.x * TILE + threadIdx.x;
    T acc = 0;
    for (long long p0 = 0; p0 < k; p0 += TILE) {
        long long pa = p0 + threadIdx.x, pb = p0 + threadIdx.y;
        As[threadIdx.y][threadIdx.x] = (row < m && pa < k) ? (ta ? a[pa * lda + row] : a[row * lda + pa]) : T(0);
        Bs[threadIdx.y][threadIdx.x] = (pb < k && col < n) ? (tb ? b[col * ldb + pb] : b[pb * ldb + col]) : T(0);
        __syncthreads();
#pragma unroll
        for (int q = 0; q < TILE; ++q) acc += As[threadIdx.y][q] * Bs[q][threadIdx.x];
        __syncthreads();
    }
    if (row < m && col < n) {
        T *out = &c[row * ldc + col];
        *out = beta == T(0) ? alpha * acc : alpha * acc + beta * *out;
    }
}

// ---- entry points ----------------------------------------------------------------

#define ENTRIES(T, S)                                                                                          \
    extern "C" __global__ void ember_fill_##S(T *dst, long long n, T v) { fill_k<T>(dst, n, v); }              \
    extern "C" __global__ void ember_unary_##S(int op, T *dst, const T *src, Layout ls, long long n,           \
                                               double p0, double p1) { unary_k<T>(op, dst, src, ls, n, p0, p1); } \
    extern "C" __global__ void ember_binary_##S(int op, T *dst, const T *a, Layout la, const T *b, Layout lb,  \
                                                long long n) { binary_k<T>(op, dst, a, la, b, lb, n); }         \
    extern "C" __global__ void ember_where_##S(T *dst, const T *c, Layout lc, const T *a, Layout la,           \
                                               const T *b, Layout lb, long long n) {                           \
        where_k<T>(dst, c, lc, a, la, b, lb, n);                                                               \
    }                                                                                                          \
    extern "C" __global__ void ember_reduce_##S(int op, T *dst, const T *src, Layout ls, long long out,        \
                                                long long red) { reduce_k<T>(op, dst, src, ls, out, red); }     \
    extern "C" __global__ void ember_softmax_##S(T *dst, Layout ld, const T *src, Layout ls, long long rows,   \
                                                 long long len, int logmode) {                                 \
        softmax_k<T>(dst, ld, src, ls, rows, len, logmode);                                                    \
    }                                                                                                          \
    extern "C" __global__ void ember_index_select_##S(T *dst, const T *src, Layout ls, int axis,               \
                                                      const long long *idx, long long n) {                     \
        index_select_k<T>(dst, src, ls, axis, idx, n);                                                         \
    }                                                                                                          \
    extern "C" __global__ void ember_index_add_##S(T *dst, Layout ld, const T *src, Layout ls, int axis,       \
                                                   const long long *idx, long long n) {                        \
        index_add_k<T>(dst, ld, src, ls, axis, idx, n);                                                        \
    }                                                                                                          \
    extern "C" __global__ void ember_im2col_##S(T *col, const T *x, ConvShape s) { im2col_k<T>(col, x, s); }   \
    extern "C" __global__ void ember_col2im_##S(T *dx, const T *col, ConvShape s) { col2im_k<T>(dx, col, s); } \
    extern "C" __global__ void ember_pool_##S(T *dst, const T *x, ConvShape s, int ismax) {                    \
        pool_k<T>(dst, x, s, ismax);                                                                           \
    }                                                                                                          \
    extern "C" __global__ void ember_pool_bwd_##S(T *dx, const T *dy, const T *x, ConvShape s, int ismax) {    \
        pool_bwd_k<T>(dx, dy, x, s, ismax);                                                                    \
    }                                                                                                          \
    extern "C" __global__ void ember_bernoulli_##S(T *dst, long long n, unsigned long long seed,               \
                                                   unsigned long long thr, T scale) {                          \
        bernoulli_k<T>(dst, n, seed, thr, scale);                                                              \
    }                                                                                                          \
    extern "C" __global__ void ember_sgd_##S(T *p, const T *g, T *v, long long n, T lr, T mom, T wd,           \
                                             int nesterov) { sgd_k<T>(p, g, v, n, lr, mom, wd, nesterov); }    \
    extern "C" __global__ void ember_adam_##S(T *p, const T *g, T *m, T *v, long long n, T b1, T b2,           \
                                              T stepSize, T invSqrtBC2, T eps, T wd, T decay, int decoupled) { \
        adam_k<T>(p, g, m, v, n, b1, b2, stepSize, invSqrtBC2, eps, wd, decay, decoupled);                    \
    }                                                                                                          \
    extern "C" __global__ void ember_rmsprop_##S(T *p, const T *g, T *sq, T *mo, long long n, T lr, T rho,     \
                                                 T eps, T wd, T mu) {                                          \
        rmsprop_k<T>(p, g, sq, mo, n, lr, rho, eps, wd, mu);                                                   \
    }                                                                                                          \
    extern "C" __global__ void ember_adagrad_##S(T *p, const T *g, T *s, long long n, T lr, T eps, T wd) {     \
        adagrad_k<T>(p, g, s, n, lr, eps, wd);                                                                 \
    }                                                                                                          \
    extern "C" __global__ void ember_gemm_##S(int ta, int tb, long long m, long long n, long long k, T alpha,  \
                                              const T *a, long long lda, long long sa, const T *b,             \
                                              long long ldb, long long sb, T beta, T *c, long long ldc,        \
                                              long long sc) {                                                  \
        gemm_k<T>(ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc);                           \
    }

ENTRIES(float, f32)
ENTRIES(double, f64)

#define COPY(D, SD, S, SS) \
    extern "C" __global__ void ember_copy_##SD##_##SS(D *dst, Layout ld, const S *src, Layout ls, long long n) { \
        copy_k<D, S>(dst, ld, src, ls, n);                                                                        \
    }

COPY(float, f32, float, f32)
COPY(float, f32, double, f64)
COPY(double, f64, float, f32)
COPY(double, f64, double, f64)
