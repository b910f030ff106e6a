package decomposition

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/ember-ml/ember/tensor/gemm"
)

// mul returns op(A)·op(B) (m×n) for row-major A and B, on the tensor GEMM.
func mul(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int) []float64 {
	c := make([]float64, m*n)
	if m == 0 || n == 0 {
		return c
	}
	gemm.Dgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
	return c
}

// exactSVD returns the singular values and the right singular vectors, as
// rows of vt [r×p], r = min(n, p), of the n×p matrix x (gonum's LAPACK
// port). ok is false when the factorisation did not converge.
//
// For tall matrices (n >= 2p) it first reduces X to the p×p triangular
// factor R of X = QR by Cholesky QR applied twice (two Gram matrices and a
// triangular product on the GEMM), whose singular values and right vectors
// are those of X; the SVD then runs on R. When X is too ill-conditioned for
// that, the SVD runs on X itself.
func exactSVD(x []float64, n, p int) (s, vt []float64, ok bool) {
	a, rows := x, n
	if n >= 2*p {
		if q1, r1, ok1 := cholQRR(x, n, p); ok1 {
			if _, r2, ok2 := cholQRR(q1, n, p); ok2 {
				a, rows = mul(false, false, p, p, p, r2, p, r1, p), p
			}
		}
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(rows, p, a), mat.SVDThinV) {
		return nil, nil, false
	}
	s = svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	r := len(s)
	vt = make([]float64, r*p)
	for i := 0; i < r; i++ {
		for j := 0; j < p; j++ {
			vt[i*p+j] = v.At(j, i)
		}
	}
	return s, vt, true
}

// flipSigns applies scikit-learn's svd_flip (u-based decision): each
// component's sign makes the entry of largest magnitude of its left
// singular vector, u_j = x·v_j, positive. x is n×p, vt holds k rows of p.
func flipSigns(x []float64, n, p int, vt []float64, k int) {
	u := mul(false, true, n, k, p, x, p, vt, p) // n×k
	for j := 0; j < k; j++ {
		best, bi := -1.0, 0
		for i := 0; i < n; i++ {
			if a := math.Abs(u[i*k+j]); a > best {
				best, bi = a, i
			}
		}
		if u[bi*k+j] < 0 {
			for f := 0; f < p; f++ {
				vt[j*p+f] = -vt[j*p+f]
			}
		}
	}
}

// orthonormalize returns an n×l matrix with orthonormal columns spanning
// the columns of y (n×l, row-major): Cholesky QR applied twice (passes
// times; one pass is enough to normalise power iterations), everything on
// the GEMM; modified Gram-Schmidt when y is (nearly) rank deficient.
func orthonormalize(y []float64, n, l, passes int) []float64 {
	q := y
	for pass := 0; pass < passes; pass++ {
		var ok bool
		if q, ok = cholQR(q, n, l); !ok {
			return gramSchmidt(y, n, l)
		}
	}
	return q
}

// cholQR returns y·R⁻¹ where RᵀR = yᵀy (Cholesky); ok is false when the
// Gram matrix is numerically singular.
func cholQR(y []float64, n, l int) ([]float64, bool) {
	q, _, ok := cholQRR(y, n, l)
	return q, ok
}

// cholQRR is cholQR that also returns R (l×l, upper triangular).
func cholQRR(y []float64, n, l int) (q, r []float64, ok bool) {
	g := mul(true, false, l, l, n, y, l, y, l)
	// g = Rᵀ R with R upper triangular, stored in r.
	r = make([]float64, l*l)
	maxDiag := 0.0
	for j := 0; j < l; j++ {
		maxDiag = max(maxDiag, g[j*l+j])
	}
	for j := 0; j < l; j++ {
		s := g[j*l+j]
		for k := 0; k < j; k++ {
			s -= r[k*l+j] * r[k*l+j]
		}
		if !(s > 1e-10*maxDiag) {
			return nil, nil, false
		}
		d := math.Sqrt(s)
		r[j*l+j] = d
		for i := j + 1; i < l; i++ {
			s := g[j*l+i]
			for k := 0; k < j; k++ {
				s -= r[k*l+j] * r[k*l+i]
			}
			r[j*l+i] = s / d
		}
	}
	// R⁻¹ (upper triangular) by back substitution, column by column.
	inv := make([]float64, l*l)
	for c := 0; c < l; c++ {
		for i := c; i >= 0; i-- {
			s := 0.0
			if i == c {
				s = 1
			}
			for k := i + 1; k <= c; k++ {
				s -= r[i*l+k] * inv[k*l+c]
			}
			inv[i*l+c] = s / r[i*l+i]
		}
	}
	return mul(false, false, n, l, l, y, l, inv, l), r, true
}

// gramSchmidt orthonormalises the columns of y with modified Gram-Schmidt,
// twice; columns that vanish become zero.
func gramSchmidt(y []float64, n, l int) []float64 {
	cols := make([][]float64, l)
	for j := range cols {
		c := make([]float64, n)
		for i := 0; i < n; i++ {
			c[i] = y[i*l+j]
		}
		cols[j] = c
	}
	norm0 := make([]float64, l)
	for j, c := range cols {
		norm0[j] = math.Sqrt(dot(c, c))
	}
	for j := range cols {
		for pass := 0; pass < 2; pass++ {
			for k := 0; k < j; k++ {
				a := dot(cols[k], cols[j])
				for i := range cols[j] {
					cols[j][i] -= a * cols[k][i]
				}
			}
		}
		nrm := math.Sqrt(dot(cols[j], cols[j]))
		if nrm <= 1e-12*max(norm0[j], 1e-300) {
			clear(cols[j])
			continue
		}
		for i := range cols[j] {
			cols[j][i] /= nrm
		}
	}
	q := make([]float64, n*l)
	for j, c := range cols {
		for i, v := range c {
			q[i*l+j] = v
		}
	}
	return q
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// randomizedSVD is Halko et al.'s randomized SVD as scikit-learn's
// randomized_svd: a Gaussian sketch of k+oversamples columns, nIter power
// iterations (each normalised), an orthonormal basis Q of X·Ω, and the
// exact SVD of the small QᵀX. It returns k singular values and the rows of
// Vᵀ, signs flipped as svd_flip does. x is n×p.
func randomizedSVD(x []float64, n, p, k, oversamples, nIter int, rng *rand.Rand) (s, vt []float64, ok bool) {
	transpose := n < p
	a, m, c := x, n, p
	if transpose {
		a = make([]float64, n*p)
		for i := 0; i < n; i++ {
			for j := 0; j < p; j++ {
				a[j*n+i] = x[i*p+j]
			}
		}
		m, c = p, n
	}
	l := min(k+oversamples, min(m, c))
	omega := make([]float64, c*l)
	for i := range omega {
		omega[i] = rng.NormFloat64()
	}
	q := mul(false, false, m, l, c, a, c, omega, l) // m×l
	for it := 0; it < nIter; it++ {
		q = orthonormalize(q, m, l, 1)
		z := mul(true, false, c, l, m, a, c, q, l) // c×l
		z = orthonormalize(z, c, l, 1)
		q = mul(false, false, m, l, c, a, c, z, l)
	}
	q = orthonormalize(q, m, l, 2)
	b := mul(true, false, l, c, m, q, l, a, c) // l×c
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(l, c, b), mat.SVDThin) {
		return nil, nil, false
	}
	sv := svd.Values(nil)
	var uh, vh mat.Dense
	svd.UTo(&uh)
	svd.VTo(&vh)
	r := len(sv)
	k = min(k, r)
	// Left vectors of A: Q·Uhat (m×r); right: Vh (c×r).
	uhat := make([]float64, l*r)
	for i := 0; i < l; i++ {
		for j := 0; j < r; j++ {
			uhat[i*r+j] = uh.At(i, j)
		}
	}
	u := mul(false, false, m, r, l, q, l, uhat, r)
	// In the original orientation the left vectors are u (not transposed)
	// or vh (transposed); flip on them.
	s = sv[:k]
	vt = make([]float64, k*p)
	for j := 0; j < k; j++ {
		sign := 1.0
		if transpose {
			// left vectors of X are the columns of vh.
			best, bi := -1.0, 0
			for i := 0; i < n; i++ {
				if v := math.Abs(vh.At(i, j)); v > best {
					best, bi = v, i
				}
			}
			if vh.At(bi, j) < 0 {
				sign = -1
			}
			for f := 0; f < p; f++ {
				vt[j*p+f] = sign * u[f*r+j]
			}
		} else {
			best, bi := -1.0, 0
			for i := 0; i < n; i++ {
				if v := math.Abs(u[i*r+j]); v > best {
					best, bi = v, i
				}
			}
			if u[bi*r+j] < 0 {
				sign = -1
			}
			for f := 0; f < p; f++ {
				vt[j*p+f] = sign * vh.At(f, j)
			}
		}
	}
	return s, vt, true
}
