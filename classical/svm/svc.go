// Package svm holds support vector machines as scikit-learn has them: SVC
// (C-support vector classification with linear, polynomial, RBF and
// sigmoid kernels, one-vs-one for several classes, Platt-scaled
// probabilities) and SVR (epsilon-support vector regression), both trained
// with libsvm's SMO algorithm and second-order working set selection, and
// LinearSVC (L2-regularised squared hinge loss, one-vs-rest, minimised
// with L-BFGS as a smooth problem on the primal, liblinear's objective).
// Predictions evaluate the kernel against the support vectors with one
// GEMM.
package svm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("svm.SVC", func() classical.Estimator { return NewSVC() })
	classical.Register("svm.SVR", func() classical.Estimator { return NewSVR() })
	classical.Register("svm.OneClassSVM", func() classical.Estimator { return NewOneClassSVM() })
	classical.Register("svm.LinearSVC", func() classical.Estimator { return NewLinearSVC() })
}

// kernelParams are the hyper-parameters SVC and SVR share.
type kernelParams struct {
	Kernel    string  // "kernel": linear, poly, rbf (default), sigmoid
	Degree    int     // "degree" of poly, default 3
	Gamma     any     // "gamma": "scale" (default), "auto" or a number > 0
	Coef0     float64 // "coef0" of poly and sigmoid
	Tol       float64 // "tol": stopping tolerance of SMO, default 1e-3
	MaxIter   int     // "max_iter": -1 (default) for no limit
	CacheSize float64 // "cache_size" of kernel rows in MB, default 200
}

func defaultKernel() kernelParams {
	return kernelParams{Kernel: "rbf", Degree: 3, Gamma: "scale", Tol: 1e-3, MaxIter: -1, CacheSize: 200}
}

func checkGamma(v any) (any, error) {
	if s, ok := v.(string); ok {
		if s != "scale" && s != "auto" {
			return nil, fmt.Errorf("gamma %q: want \"scale\", \"auto\" or a positive number", s)
		}
		return s, nil
	}
	f, err := classical.AsFloat(v)
	if err != nil {
		return nil, fmt.Errorf("gamma: want \"scale\", \"auto\" or a positive number, got %T", v)
	}
	return f, nil
}

func (k *kernelParams) params() classical.Params {
	return classical.Params{
		classical.String("kernel", &k.Kernel, "linear", "poly", "rbf", "sigmoid"),
		classical.Int("degree", &k.Degree),
		classical.Any("gamma", &k.Gamma, checkGamma),
		classical.Float("coef0", &k.Coef0),
		classical.Float("tol", &k.Tol),
		classical.Int("max_iter", &k.MaxIter),
		classical.Float("cache_size", &k.CacheSize),
	}
}

// resolve validates the parameters and returns the kernel for data xm.
func (k *kernelParams) resolve(est string, xm classical.Matrix) (kernel, error) {
	if !(k.Tol > 0) || k.Degree < 0 || !(k.CacheSize > 0) || math.IsNaN(k.Coef0) || math.IsInf(k.Coef0, 0) {
		return kernel{}, classical.InvalidParamf(est, "need tol > 0, degree >= 0, cache_size > 0 and a finite coef0; got %v, %d, %v, %v", k.Tol, k.Degree, k.CacheSize, k.Coef0)
	}
	g := 0.0
	switch v := k.Gamma.(type) {
	case string:
		if v == "auto" {
			g = 1 / float64(xm.Cols)
		} else {
			mean, sq := 0.0, 0.0
			for _, x := range xm.Data {
				mean += x
			}
			mean /= float64(len(xm.Data))
			for _, x := range xm.Data {
				sq += (x - mean) * (x - mean)
			}
			vr := sq / float64(len(xm.Data))
			g = 1.0
			if vr > 0 {
				g = 1 / (float64(xm.Cols) * vr)
			}
		}
	case float64:
		g = v
	default:
		return kernel{}, classical.InvalidParamf(est, "gamma %v (%T): want \"scale\", \"auto\" or a number", k.Gamma, k.Gamma)
	}
	if !(g > 0) || math.IsInf(g, 0) {
		if k.Kernel != "linear" {
			return kernel{}, classical.InvalidParamf(est, "gamma must be > 0, got %v", g)
		}
	}
	return kernel{kind: k.Kernel, gamma: g, coef0: k.Coef0, degree: k.Degree}, nil
}

// SVC is C-support vector classification (scikit-learn's SVC, libsvm's
// C-SVC). Several classes are handled one-vs-one; DecisionFunction
// aggregates the pairwise values one-vs-rest by default
// (DecisionFunctionShape "ovr") as scikit-learn does. With Probability set,
// Fit also calibrates Platt sigmoids on an internal 5-fold cross-validation
// (seeded by Seed) and PredictProba couples them pairwise (Wu, Lin and
// Weng); otherwise PredictProba is an error, as in scikit-learn.
type SVC struct {
	kernelParams
	C                     float64 // "C": penalty, default 1
	Probability           bool    // "probability"
	ClassWeight           any     // "class_weight": nil, "balanced" or map[float64]float64
	DecisionFunctionShape string  // "decision_function_shape": "ovr" (default) or "ovo"
	Seed                  uint64  // "random_state" of the probability calibration

	m  *svcModel
	nu float64 // > 0: ν-SVC (NuSVC's machinery)
}

// est names the estimator in errors.
func (s *SVC) est() string {
	if s.nu > 0 {
		return "NuSVC"
	}
	return "SVC"
}

// svcModel is a fitted SVC: support vectors (the union over the pairwise
// problems) and one dense row of dual coefficients (αᵢyᵢ) per pair.
type svcModel struct {
	Classes  classical.Floats `json:"classes"`
	SV       classical.Array  `json:"support_vectors"` // [nSV, p]
	Coef     classical.Array  `json:"coef"`            // [pairs, nSV]
	Rho      classical.Floats `json:"rho"`             // [pairs]
	NSupport []int            `json:"n_support"`       // per class
	Gamma    float64          `json:"gamma"`
	ProbA    classical.Floats `json:"prob_a,omitempty"`
	ProbB    classical.Floats `json:"prob_b,omitempty"`
	Support  []int            `json:"support"`
}

// NewSVC returns an SVC with scikit-learn's defaults (RBF kernel, C = 1,
// gamma "scale").
func NewSVC() *SVC {
	return &SVC{kernelParams: defaultKernel(), C: 1, DecisionFunctionShape: "ovr"}
}

func (s *SVC) params() classical.Params {
	return append(s.kernelParams.params(),
		classical.Float("C", &s.C),
		classical.Bool("probability", &s.Probability),
		classical.Any("class_weight", &s.ClassWeight, linear.CheckClassWeight),
		classical.String("decision_function_shape", &s.DecisionFunctionShape, "ovr", "ovo"),
		classical.Uint64("random_state", &s.Seed),
	)
}

// GetParams implements classical.Estimator.
func (s *SVC) GetParams() map[string]any { return s.params().Get() }

// SetParams implements classical.Estimator.
func (s *SVC) SetParams(m map[string]any) error { return s.params().Set("SVC", m) }

// Clone implements classical.Estimator.
func (s *SVC) Clone() classical.Estimator { return classical.CloneByParams(s, NewSVC) }

// binaryFit solves one two-class problem on rows idx of xm (pos: label +1)
// and returns the signed dual coefficients per row and rho.
//
// With nu > 0 it is libsvm's ν-SVC instead (cPos and cNeg unused): the
// ν-solver from libsvm's starting point, νl/2 of α on each label, and the
// solution rescaled by the offset r it returns.
func binaryFit(ctx context.Context, k kernel, xm classical.Matrix, idx []int, pos []bool, cPos, cNeg, nu, tol float64, maxIter int, cacheMB float64) ([]float64, float64, error) {
	l := len(idx)
	sub := classical.Matrix{Rows: l, Cols: xm.Cols, Data: make([]float64, l*xm.Cols)}
	for r, i := range idx {
		copy(sub.Data[r*xm.Cols:], xm.Row(i))
	}
	s := &solver{y: make([]float64, l), p: make([]float64, l), c: make([]float64, l), si: make([]int, l),
		kc: newKCache(k, sub, cacheMB*(1<<20)), eps: tol, maxIt: maxIter}
	for r := range idx {
		s.si[r], s.p[r] = r, -1
		if pos[r] {
			s.y[r], s.c[r] = 1, cPos
		} else {
			s.y[r], s.c[r] = -1, cNeg
		}
	}
	if nu > 0 {
		s.nu, s.alpha0 = true, make([]float64, l)
		sumPos, sumNeg := nu*float64(l)/2, nu*float64(l)/2
		for r := range idx {
			s.p[r], s.c[r] = 0, 1
			if pos[r] {
				s.alpha0[r] = math.Min(1, sumPos)
				sumPos -= s.alpha0[r]
			} else {
				s.alpha0[r] = math.Min(1, sumNeg)
				sumNeg -= s.alpha0[r]
			}
		}
	}
	rho, _, err := s.solve(ctx)
	if err != nil {
		return nil, 0, err
	}
	scale := 1.0
	if nu > 0 {
		scale = 1 / s.r
		rho *= scale
	}
	coef := make([]float64, l)
	for r := range coef {
		coef[r] = s.alpha[r] * s.y[r] * scale
	}
	return coef, rho, nil
}

// pairwise trains the one-vs-one problems and returns, for each pair
// (a<b, in libsvm's order), the dual coefficients over the rows of xm and
// rho.
func (s *SVC) pairwise(ctx context.Context, k kernel, xm classical.Matrix, idx []int, nClasses int, rows []int, cw []float64) ([][]float64, []float64, error) {
	byClass := make([][]int, nClasses)
	for _, r := range rows {
		byClass[idx[r]] = append(byClass[idx[r]], r)
	}
	var coefs [][]float64
	var rhos []float64
	for a := 0; a < nClasses; a++ {
		for b := a + 1; b < nClasses; b++ {
			if err := classical.CheckContext(ctx, s.est()); err != nil {
				return nil, nil, err
			}
			sub := append(slices.Clone(byClass[a]), byClass[b]...)
			pos := make([]bool, len(sub))
			for r := range byClass[a] {
				pos[r] = true
			}
			c, rho, err := binaryFit(ctx, k, xm, sub, pos, s.C*cw[a], s.C*cw[b], s.nu, s.Tol, s.MaxIter, s.CacheSize)
			if err != nil {
				return nil, nil, fmt.Errorf("SVC: fit cancelled: %w", err)
			}
			full := make([]float64, xm.Rows)
			for r, i := range sub {
				full[i] = c[r]
			}
			coefs = append(coefs, full)
			rhos = append(rhos, rho)
		}
	}
	return coefs, rhos, nil
}

// Fit trains the one-vs-one SVMs (and the probability calibration when
// Probability is set).
func (s *SVC) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	est := s.est()
	s.m = nil
	if !(s.C > 0) || math.IsInf(s.C, 0) {
		return classical.InvalidParamf(est, "C must be > 0, got %v", s.C)
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	k, err := s.resolve(est, xm)
	if err != nil {
		return err
	}
	classes, idx, err := classical.ClassesOf(est, ys)
	if err != nil {
		return err
	}
	K := len(classes)
	cw := classWeights(s.ClassWeight, classes, idx)
	all := make([]int, xm.Rows)
	for i := range all {
		all[i] = i
	}
	coefs, rhos, err := s.pairwise(ctx, k, xm, idx, K, all, cw)
	if err != nil {
		return err
	}
	m := compact(xm, idx, K, coefs, rhos)
	m.Classes, m.Gamma = classes, k.gamma
	if s.Probability {
		if err := s.calibrate(ctx, k, xm, idx, K, cw, m); err != nil {
			return err
		}
	}
	s.m = m
	return nil
}

// classWeights returns one weight per class from class_weight.
func classWeights(cw any, classes []float64, idx []int) []float64 {
	sw := classical.ClassWeights(cw, classes, idx)
	out := make([]float64, len(classes))
	for i := range out {
		out[i] = 1
	}
	for i, k := range idx {
		out[k] = sw[i]
	}
	return out
}

// compact keeps the rows that are support vectors of any pair, grouped by
// class in libsvm's order.
func compact(xm classical.Matrix, idx []int, K int, coefs [][]float64, rhos []float64) *svcModel {
	var sv []int
	nSup := make([]int, K)
	for c := 0; c < K; c++ {
		for i := 0; i < xm.Rows; i++ {
			if idx[i] != c {
				continue
			}
			for _, co := range coefs {
				if co[i] != 0 {
					sv = append(sv, i)
					nSup[c]++
					break
				}
			}
		}
	}
	p := xm.Cols
	svd := make([]float64, len(sv)*p)
	coef := make([]float64, len(coefs)*len(sv))
	for r, i := range sv {
		copy(svd[r*p:], xm.Row(i))
		for q, co := range coefs {
			coef[q*len(sv)+r] = co[i]
		}
	}
	return &svcModel{SV: classical.NewArray(svd, len(sv), p), Coef: classical.NewArray(coef, len(coefs), len(sv)),
		Rho: slices.Clone(rhos), NSupport: nSup, Support: sv}
}

// pairValues returns the libsvm decision values [n, pairs] of X (positive
// for the first class of each pair).
func (m *svcModel) pairValues(k kernel, xm classical.Matrix) []float64 {
	nsv := m.SV.Shape[0]
	np := len(m.Rho)
	out := make([]float64, xm.Rows*np)
	if nsv > 0 {
		km := k.matrix(xm, classical.Matrix{Rows: nsv, Cols: m.SV.Shape[1], Data: m.SV.Data})
		tensor.MatMulTo(tensor.FromFloat64(out, xm.Rows, np), tensor.FromFloat64(km, xm.Rows, nsv), tensor.FromFloat64(m.Coef.Data, np, nsv).T())
	}
	for i := 0; i < xm.Rows; i++ {
		for q := 0; q < np; q++ {
			out[i*np+q] -= m.Rho[q]
		}
	}
	return out
}

func (s *SVC) kernel() kernel {
	return kernel{kind: s.Kernel, gamma: s.m.Gamma, coef0: s.Coef0, degree: s.Degree}
}

func (s *SVC) check(X *tensor.Tensor) (classical.Matrix, error) {
	if s.m == nil {
		return classical.Matrix{}, classical.NotFitted(s.est())
	}
	return classical.CheckFeatures(s.est(), X, s.m.SV.Shape[1])
}

// DecisionFunction returns [n] values for two classes (positive means
// Classes()[1]), else [n, classes] one-vs-rest scores (votes plus scaled
// confidences) or, with DecisionFunctionShape "ovo", the [n, pairs]
// pairwise values (positive for the first class of each pair).
func (s *SVC) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := s.check(X)
	if err != nil {
		return nil, err
	}
	dv := s.m.pairValues(s.kernel(), xm)
	K := len(s.m.Classes)
	if K == 2 {
		for i := range dv {
			dv[i] = -dv[i]
		}
		return classical.Vector(dv), nil
	}
	np := len(s.m.Rho)
	if s.DecisionFunctionShape == "ovo" {
		return tensor.FromFloat64(dv, xm.Rows, np), nil
	}
	out := make([]float64, xm.Rows*K)
	for i := 0; i < xm.Rows; i++ {
		votes := make([]float64, K)
		conf := make([]float64, K)
		q := 0
		for a := 0; a < K; a++ {
			for b := a + 1; b < K; b++ {
				d := dv[i*np+q]
				if d > 0 {
					votes[a]++
				} else {
					votes[b]++
				}
				conf[a] += d
				conf[b] -= d
				q++
			}
		}
		for c := 0; c < K; c++ {
			out[i*K+c] = votes[c] + conf[c]/(3*(math.Abs(conf[c])+1))
		}
	}
	return tensor.FromFloat64(out, xm.Rows, K), nil
}

// Predict returns the class with the most one-vs-one votes (ties to the
// smaller label), as libsvm.
func (s *SVC) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := s.check(X)
	if err != nil {
		return nil, err
	}
	dv := s.m.pairValues(s.kernel(), xm)
	K := len(s.m.Classes)
	np := len(s.m.Rho)
	out := make([]float64, xm.Rows)
	votes := make([]int, K)
	for i := range out {
		clear(votes)
		q := 0
		for a := 0; a < K; a++ {
			for b := a + 1; b < K; b++ {
				if dv[i*np+q] > 0 {
					votes[a]++
				} else {
					votes[b]++
				}
				q++
			}
		}
		best := 0
		for c := range votes {
			if votes[c] > votes[best] {
				best = c
			}
		}
		out[i] = s.m.Classes[best]
	}
	return classical.Vector(out), nil
}

// Classes returns the sorted class labels.
func (s *SVC) Classes() []float64 {
	if s.m == nil {
		return nil
	}
	return slices.Clone(s.m.Classes)
}

// NSupport returns the number of support vectors of each class.
func (s *SVC) NSupport() []int {
	if s.m == nil {
		return nil
	}
	return slices.Clone(s.m.NSupport)
}

// Support returns the indices of the support vectors in the training data.
func (s *SVC) Support() []int {
	if s.m == nil {
		return nil
	}
	return slices.Clone(s.m.Support)
}

// Intercept returns scikit-learn's intercept_: -rho of each pair (negated
// again for two classes, to match the sign of DecisionFunction).
func (s *SVC) Intercept() []float64 {
	if s.m == nil {
		return nil
	}
	out := make([]float64, len(s.m.Rho))
	for i, r := range s.m.Rho {
		out[i] = -r
		if len(s.m.Classes) == 2 {
			out[i] = r
		}
	}
	return out
}

// PredictProba returns Platt-calibrated class probabilities; it needs
// Probability set before Fit.
func (s *SVC) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := s.check(X)
	if err != nil {
		return nil, err
	}
	if s.m.ProbA == nil {
		return nil, classical.InvalidParamf(s.est(), "PredictProba needs probability=true at fit time")
	}
	dv := s.m.pairValues(s.kernel(), xm)
	K := len(s.m.Classes)
	out := make([]float64, xm.Rows*K)
	np := len(s.m.Rho)
	for i := 0; i < xm.Rows; i++ {
		copy(out[i*K:], coupleProbabilities(dv[i*np:(i+1)*np], s.m.ProbA, s.m.ProbB, K))
	}
	return tensor.FromFloat64(out, xm.Rows, K), nil
}

// Score returns the accuracy on (X, y).
func (s *SVC) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier(s.est(), s, X, y)
}

// calibrate fits libsvm's Platt sigmoid for each pair on decision values
// from a seeded 5-fold cross-validation of that pair's problem.
func (s *SVC) calibrate(ctx context.Context, k kernel, xm classical.Matrix, idx []int, K int, cw []float64, m *svcModel) error {
	r := rand.New(rand.NewPCG(s.Seed, s.Seed^0x2545f4914f6cdd1d))
	np := K * (K - 1) / 2
	m.ProbA, m.ProbB = make([]float64, np), make([]float64, np)
	q := 0
	for a := 0; a < K; a++ {
		for b := a + 1; b < K; b++ {
			var rows []int
			for i, c := range idx {
				if c == a || c == b {
					rows = append(rows, i)
				}
			}
			l := len(rows)
			perm := r.Perm(l)
			dec := make([]float64, l)
			const nf = 5
			for f := 0; f < nf; f++ {
				lo, hi := f*l/nf, (f+1)*l/nf
				var trn, tst []int
				for t, pi := range perm {
					if t >= lo && t < hi {
						tst = append(tst, pi)
					} else {
						trn = append(trn, pi)
					}
				}
				sub := make([]int, len(trn))
				pos := make([]bool, len(trn))
				np1, nn := 0, 0
				for t, pi := range trn {
					sub[t] = rows[pi]
					pos[t] = idx[rows[pi]] == a
					if pos[t] {
						np1++
					} else {
						nn++
					}
				}
				switch {
				case np1 == 0 && nn == 0:
				case np1 > 0 && nn == 0:
					for _, pi := range tst {
						dec[pi] = 1
					}
				case np1 == 0:
					for _, pi := range tst {
						dec[pi] = -1
					}
				default:
					c, rho, err := binaryFit(ctx, k, xm, sub, pos, s.C*cw[a], s.C*cw[b], s.nu, s.Tol, s.MaxIter, s.CacheSize)
					if err != nil {
						return fmt.Errorf("SVC: fit cancelled: %w", err)
					}
					tm := classical.Matrix{Rows: len(tst), Cols: xm.Cols, Data: make([]float64, len(tst)*xm.Cols)}
					for t, pi := range tst {
						copy(tm.Data[t*xm.Cols:], xm.Row(rows[pi]))
					}
					svm := classical.Matrix{Rows: len(sub), Cols: xm.Cols, Data: make([]float64, len(sub)*xm.Cols)}
					for t, ri := range sub {
						copy(svm.Data[t*xm.Cols:], xm.Row(ri))
					}
					km := k.matrix(tm, svm)
					for t, pi := range tst {
						v := -rho
						for u, cu := range c {
							v += cu * km[t*len(sub)+u]
						}
						dec[pi] = v
					}
				}
			}
			lab := make([]bool, l)
			for t, ri := range rows {
				lab[t] = idx[ri] == a
			}
			m.ProbA[q], m.ProbB[q] = sigmoidTrain(dec, lab)
			q++
		}
	}
	return nil
}

// sigmoidTrain is libsvm's Platt scaling (Lin, Lin and Weng's robust
// Newton method): P(y=+1|f) = 1 / (1 + exp(A f + B)).
func sigmoidTrain(dec []float64, pos []bool) (A, B float64) {
	prior1, prior0 := 0.0, 0.0
	for _, p := range pos {
		if p {
			prior1++
		} else {
			prior0++
		}
	}
	const maxIter, minStep, sigma, eps = 100, 1e-10, 1e-12, 1e-5
	hiT, loT := (prior1+1)/(prior1+2), 1/(prior0+2)
	l := len(dec)
	t := make([]float64, l)
	for i, p := range pos {
		if p {
			t[i] = hiT
		} else {
			t[i] = loT
		}
	}
	A, B = 0, math.Log((prior0+1)/(prior1+1))
	fval := 0.0
	for i := range dec {
		fApB := dec[i]*A + B
		if fApB >= 0 {
			fval += t[i]*fApB + math.Log1p(math.Exp(-fApB))
		} else {
			fval += (t[i]-1)*fApB + math.Log1p(math.Exp(fApB))
		}
	}
	for it := 0; it < maxIter; it++ {
		h11, h22, h21, g1, g2 := sigma, sigma, 0.0, 0.0, 0.0
		for i := range dec {
			fApB := dec[i]*A + B
			var p, q float64
			if fApB >= 0 {
				p = math.Exp(-fApB) / (1 + math.Exp(-fApB))
				q = 1 / (1 + math.Exp(-fApB))
			} else {
				p = 1 / (1 + math.Exp(fApB))
				q = math.Exp(fApB) / (1 + math.Exp(fApB))
			}
			d2 := p * q
			h11 += dec[i] * dec[i] * d2
			h22 += d2
			h21 += dec[i] * d2
			d1 := t[i] - p
			g1 += dec[i] * d1
			g2 += d1
		}
		if math.Abs(g1) < eps && math.Abs(g2) < eps {
			break
		}
		det := h11*h22 - h21*h21
		dA := -(h22*g1 - h21*g2) / det
		dB := -(-h21*g1 + h11*g2) / det
		gd := g1*dA + g2*dB
		step := 1.0
		for step >= minStep {
			nA, nB := A+step*dA, B+step*dB
			nf := 0.0
			for i := range dec {
				fApB := dec[i]*nA + nB
				if fApB >= 0 {
					nf += t[i]*fApB + math.Log1p(math.Exp(-fApB))
				} else {
					nf += (t[i]-1)*fApB + math.Log1p(math.Exp(fApB))
				}
			}
			if nf < fval+0.0001*step*gd {
				A, B, fval = nA, nB, nf
				break
			}
			step /= 2
		}
		if step < minStep {
			break
		}
	}
	return A, B
}

func sigmoidPredict(f, A, B float64) float64 {
	fApB := f*A + B
	if fApB >= 0 {
		return math.Exp(-fApB) / (1 + math.Exp(-fApB))
	}
	return 1 / (1 + math.Exp(fApB))
}

// coupleProbabilities turns pairwise probabilities into class
// probabilities (libsvm's multiclass_probability, Wu, Lin and Weng's
// second method).
func coupleProbabilities(dv, probA, probB []float64, K int) []float64 {
	const minProb = 1e-7
	r := make([][]float64, K)
	for i := range r {
		r[i] = make([]float64, K)
	}
	q := 0
	for a := 0; a < K; a++ {
		for b := a + 1; b < K; b++ {
			p := math.Min(math.Max(sigmoidPredict(dv[q], probA[q], probB[q]), minProb), 1-minProb)
			r[a][b], r[b][a] = p, 1-p
			q++
		}
	}
	if K == 2 {
		return []float64{r[0][1], r[1][0]}
	}
	Q := make([][]float64, K)
	p := make([]float64, K)
	Qp := make([]float64, K)
	for t := 0; t < K; t++ {
		p[t] = 1 / float64(K)
		Q[t] = make([]float64, K)
		for j := 0; j < K; j++ {
			if j != t {
				Q[t][t] += r[j][t] * r[j][t]
				Q[t][j] = -r[j][t] * r[t][j]
			}
		}
	}
	maxIter := max(100, K)
	eps := 0.005 / float64(K)
	for it := 0; it < maxIter; it++ {
		pQp := 0.0
		for t := 0; t < K; t++ {
			Qp[t] = 0
			for j := 0; j < K; j++ {
				Qp[t] += Q[t][j] * p[j]
			}
			pQp += p[t] * Qp[t]
		}
		maxErr := 0.0
		for t := 0; t < K; t++ {
			maxErr = math.Max(maxErr, math.Abs(Qp[t]-pQp))
		}
		if maxErr < eps {
			break
		}
		for t := 0; t < K; t++ {
			diff := (-Qp[t] + pQp) / Q[t][t]
			p[t] += diff
			pQp = (pQp + diff*(diff*Q[t][t]+2*Qp[t])) / (1 + diff) / (1 + diff)
			for j := 0; j < K; j++ {
				Qp[j] = (Qp[j] + diff*Q[t][j]) / (1 + diff)
				p[j] /= 1 + diff
			}
		}
	}
	return p
}

// TypeName implements classical.Persistable.
func (s *SVC) TypeName() string { return "svm.SVC" }

// MarshalState implements classical.Persistable.
func (s *SVC) MarshalState() ([]byte, error) { return classical.MarshalFitted(s.m != nil, s.m) }

// UnmarshalState implements classical.Persistable.
func (s *SVC) UnmarshalState(b []byte) error {
	var m svcModel
	if err := classical.UnmarshalStrict(b, &m); err != nil {
		return err
	}
	if err := m.SV.Check("support_vectors", -1, -1); err != nil {
		return err
	}
	K := len(m.Classes)
	np := K * (K - 1) / 2
	nsv, p := m.SV.Shape[0], m.SV.Shape[1]
	if K < 2 || p < 1 || len(m.Rho) != np || len(m.NSupport) != K || len(m.Support) != nsv {
		return fmt.Errorf("inconsistent SVC state: %d classes, %d rho, support vectors %v", K, len(m.Rho), m.SV.Shape)
	}
	if err := m.Coef.Check("coef", np, nsv); err != nil {
		return err
	}
	if m.ProbA != nil && (len(m.ProbA) != np || len(m.ProbB) != np) {
		return fmt.Errorf("prob_a/prob_b: want %d values", np)
	}
	if !(m.Gamma >= 0) || math.IsInf(m.Gamma, 0) {
		return fmt.Errorf("bad gamma %v", m.Gamma)
	}
	s.m = &m
	return nil
}
