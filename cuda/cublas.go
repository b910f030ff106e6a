package cuda

import (
	"errors"
	"fmt"
	"strings"
)

// cublas is a cuBLAS handle bound to a device's stream.
type cublas struct {
	lib     string
	handle  uintptr
	destroy func() error
	sgemm   func(h uintptr, ta, tb int32, m, n, k int32, alpha *float32, a uintptr, lda int32, b uintptr, ldb int32, beta *float32, c uintptr, ldc int32) int32
	dgemm   func(h uintptr, ta, tb int32, m, n, k int32, alpha *float64, a uintptr, lda int32, b uintptr, ldb int32, beta *float64, c uintptr, ldc int32) int32
}

// cuBLAS operation codes.
const (
	cublasOpN = 0
	cublasOpT = 1
)

// openCublas loads cuBLAS and creates a handle on stream (the context is
// current).
func openCublas(stream uintptr) (*cublas, error) {
	var tried []string
	for _, name := range cublasLibs {
		h, err := dlopen(name)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		b, err := bindCublas(h, name, stream)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		return b, nil
	}
	return nil, fmt.Errorf("cuda: no usable cuBLAS (tried %s)", strings.Join(tried, "; "))
}

func bindCublas(h uintptr, name string, stream uintptr) (*cublas, error) {
	for _, s := range []string{"cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSgemm_v2", "cublasDgemm_v2"} {
		if _, err := dlsym(h, s); err != nil {
			return nil, fmt.Errorf("%s lacks %s", name, s)
		}
	}
	var create func(h *uintptr) int32
	var destroy func(h uintptr) int32
	var setStream func(h uintptr, s uintptr) int32
	b := &cublas{lib: name}
	_ = register(&create, h, "cublasCreate_v2")       // present: checked above
	_ = register(&destroy, h, "cublasDestroy_v2")     // present: checked above
	_ = register(&setStream, h, "cublasSetStream_v2") // present: checked above
	_ = register(&b.sgemm, h, "cublasSgemm_v2")       // present: checked above
	_ = register(&b.dgemm, h, "cublasDgemm_v2")       // present: checked above
	if st := create(&b.handle); st != 0 {
		return nil, fmt.Errorf("%s: cublasCreate: status %d", name, st)
	}
	if st := setStream(b.handle, stream); st != 0 {
		destroy(b.handle)
		return nil, fmt.Errorf("%s: cublasSetStream: status %d", name, st)
	}
	b.destroy = func() error {
		if st := destroy(b.handle); st != 0 {
			return fmt.Errorf("cuda: cublasDestroy: status %d", st)
		}
		return nil
	}
	return b, nil
}

// gemmCall is one row-major GEMM, possibly batched: for each batch z,
// C_z[m,n] = alpha*op(A_z)[m,k] @ op(B_z)[k,n] + beta*C_z, where op(A)(i,p)
// is a[i*lda+p], or a[p*lda+i] when ta; strides are in elements.
type gemmCall struct {
	f32               bool
	ta, tb            bool
	m, n, k           int
	alpha, beta       float64
	a, b, c           uintptr // device addresses of batch 0
	lda, ldb, ldc     int
	sa, sb, sc, batch int
}

var errGemmShape = errors.New("cuda: GEMM dimension exceeds int32")

// cublasArgs maps a row-major call onto column-major cuBLAS: row-major
// C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, so the operands swap and m and n swap.
func (g gemmCall) cublasArgs() (ta, tb int32, m, n, k int32, a uintptr, lda int32, b uintptr, ldb int32, err error) {
	for _, v := range []int{g.m, g.n, g.k, g.lda, g.ldb, g.ldc} {
		if v > 1<<31-1 {
			return 0, 0, 0, 0, 0, 0, 0, 0, 0, errGemmShape
		}
	}
	op := func(t bool) int32 {
		if t {
			return cublasOpT
		}
		return cublasOpN
	}
	return op(g.tb), op(g.ta), int32(g.n), int32(g.m), int32(g.k), g.b, int32(g.ldb), g.a, int32(g.lda), nil
}

// run issues the call through cuBLAS, one GEMM per batch entry.
func (cb *cublas) run(g gemmCall) error {
	ta, tb, m, n, k, a, lda, b, ldb, err := g.cublasArgs()
	if err != nil {
		return err
	}
	es := uintptr(8)
	if g.f32 {
		es = 4
	}
	for z := 0; z < g.batch; z++ {
		az, bz, cz := a+uintptr(z*g.sb)*es, b+uintptr(z*g.sa)*es, g.c+uintptr(z*g.sc)*es
		var st int32
		if g.f32 {
			al, be := float32(g.alpha), float32(g.beta)
			st = cb.sgemm(cb.handle, ta, tb, m, n, k, &al, az, lda, bz, ldb, &be, cz, int32(g.ldc))
		} else {
			al, be := g.alpha, g.beta
			st = cb.dgemm(cb.handle, ta, tb, m, n, k, &al, az, lda, bz, ldb, &be, cz, int32(g.ldc))
		}
		if st != 0 {
			return fmt.Errorf("cuda: cublas gemm (%s): status %d", cb.lib, st)
		}
	}
	return nil
}

// gemm runs g with cuBLAS when present, else with ember's tiled kernel. The
// context is current.
func (dv *Device) gemm(g gemmCall) error {
	if g.batch <= 0 || g.m == 0 || g.n == 0 {
		return nil
	}
	if dv.blas != nil {
		return dv.blas.run(g)
	}
	name := "ember_gemm_f64"
	if g.f32 {
		name = "ember_gemm_f32"
	}
	a := new(kargs).i32(b2i(g.ta)).i32(b2i(g.tb)).i64(g.m).i64(g.n).i64(g.k).real(g.f32, g.alpha).
		ptr(g.a).i64(g.lda).i64(g.sa).ptr(g.b).i64(g.ldb).i64(g.sb).real(g.f32, g.beta).
		ptr(g.c).i64(g.ldc).i64(g.sc)
	gx, gy := (g.n+gemmTile-1)/gemmTile, (g.m+gemmTile-1)/gemmTile
	if gx > 1<<31-1 || gy > 65535 || g.batch > 65535 {
		return errGemmShape
	}
	return dv.launch(name, uint32(gx), uint32(gy), uint32(g.batch), gemmTile, gemmTile, a)
}

// gemmTile is TILE in ember.cu.
const gemmTile = 16

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
