package linear

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/optimize"
	"github.com/ember-ml/ember/classical/internal/sparse"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

// LogisticRegression is a linear classifier with the logistic loss:
// binary problems fit one weight vector with the sigmoid, more classes a
// multinomial (softmax) model, as scikit-learn's default lbfgs solver
// does. The objective is scikit-learn's:
//
//	C · Σᵢ sᵢ·loss(xᵢ, yᵢ) + ½||W||²      (penalty "l2")
//	C · Σᵢ sᵢ·loss(xᵢ, yᵢ) + ||W||₁       (penalty "l1")
//
// with sᵢ the class weight of sample i; intercepts are not penalised.
// "l2" and "none" are minimised with L-BFGS, "l1" with OWL-QN (the
// orthant-wise L-BFGS of Andrew and Gao); the loss and gradient are
// evaluated with X·W and Xᵀ·residual (skinny.go: in one pass per block of
// rows for two classes, with the exponentials and logarithms in assembly;
// tensor MatMul when there are more than 8 classes).
type LogisticRegression struct {
	Penalty      string  // "penalty": "l2" (default), "l1" or "none"
	C            float64 // "C": inverse regularisation strength, default 1
	FitIntercept bool    // "fit_intercept", default true
	MaxIter      int     // "max_iter", default 100
	Tol          float64 // "tol", default 1e-4
	// ClassWeight ("class_weight") is nil, "balanced" (n / (classes ·
	// count)) or a map[float64]float64 from label to weight.
	ClassWeight any

	classifier
}

// classifier is a fitted linear classifier over sorted classes: scores
// X·coefᵀ + intercept, coef [K, p] with K = 1 for two classes (the
// positive class is the second), as scikit-learn's linear classifiers.
type classifier struct {
	classes []float64
	coef    []float64 // [K, p]
	icpt    []float64 // [K]
	nFeat   int
	nIter   int
}

func (c *classifier) fitted() bool { return c.coef != nil }

// scores returns X·coefᵀ + intercept: [n] for two classes, [n, classes]
// otherwise.
func (c *classifier) scores(est string, X *tensor.Tensor) (*tensor.Tensor, error) {
	if !c.fitted() {
		return nil, classical.NotFitted(est)
	}
	xm, err := classical.CheckFeatures(est, X, c.nFeat)
	if err != nil {
		return nil, err
	}
	return classical.LinearScores(xm, c.coef, c.icpt), nil
}

// labels returns the class of each row of X with the highest score.
func (c *classifier) labels(est string, X *tensor.Tensor) (*tensor.Tensor, error) {
	Z, err := c.scores(est, X)
	if err != nil {
		return nil, err
	}
	return classical.LabelsFromScores(Z, c.classes), nil
}

// Classes returns the sorted class labels.
func (c *classifier) Classes() []float64 { return slices.Clone(c.classes) }

// Coef returns coef_ as a [K, features] tensor (K = 1 for two classes).
func (c *classifier) Coef() *tensor.Tensor {
	if c.coef == nil {
		return nil
	}
	return tensor.FromFloat64(slices.Clone(c.coef), len(c.icpt), c.nFeat)
}

// Intercept returns intercept_ (one per row of Coef).
func (c *classifier) Intercept() []float64 { return slices.Clone(c.icpt) }

// NIter returns the iterations (epochs for SGD) of the last Fit.
func (c *classifier) NIter() int { return c.nIter }

type logState struct {
	Classes   classical.Floats `json:"classes"`
	Coef      classical.Array  `json:"coef"`
	Intercept classical.Floats `json:"intercept"`
	NIter     int              `json:"n_iter"`
}

func (c *classifier) marshal() ([]byte, error) {
	return classical.MarshalFitted(c.fitted(), logState{c.classes, classical.NewArray(c.coef, len(c.icpt), c.nFeat), c.icpt, c.nIter})
}

func (c *classifier) unmarshal(b []byte) error {
	var st logState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	if err := st.Coef.Check("coef", -1, -1); err != nil {
		return err
	}
	K, p := st.Coef.Shape[0], st.Coef.Shape[1]
	if p < 1 || K < 1 || len(st.Intercept) != K || len(st.Classes) < 2 || (K == 1) != (len(st.Classes) == 2) || (K > 1 && K != len(st.Classes)) {
		return fmt.Errorf("inconsistent shapes: coef %v, %d intercepts, %d classes", st.Coef.Shape, len(st.Intercept), len(st.Classes))
	}
	*c = classifier{classes: st.Classes, coef: st.Coef.Data, icpt: st.Intercept, nFeat: p, nIter: st.NIter}
	return nil
}

// NewLogisticRegression returns a LogisticRegression with scikit-learn's
// defaults.
func NewLogisticRegression() *LogisticRegression {
	return &LogisticRegression{Penalty: "l2", C: 1, FitIntercept: true, MaxIter: 100, Tol: 1e-4}
}

func (l *LogisticRegression) params() classical.Params {
	return classical.Params{
		classical.String("penalty", &l.Penalty, "l2", "l1", "none"),
		classical.Float("C", &l.C),
		classical.Bool("fit_intercept", &l.FitIntercept),
		classical.Int("max_iter", &l.MaxIter),
		classical.Float("tol", &l.Tol),
		classical.Any("class_weight", &l.ClassWeight, CheckClassWeight),
	}
}

// CheckClassWeight normalises a class_weight parameter: nil, "balanced"
// or weights by class label (see classical.CheckClassWeight).
func CheckClassWeight(v any) (any, error) {
	return classical.CheckClassWeight(v, "balanced")
}

// GetParams implements classical.Estimator.
func (l *LogisticRegression) GetParams() map[string]any { return l.params().Get() }

// SetParams implements classical.Estimator.
func (l *LogisticRegression) SetParams(m map[string]any) error {
	return l.params().Set("LogisticRegression", m)
}

// Clone implements classical.Estimator.
func (l *LogisticRegression) Clone() classical.Estimator {
	return classical.CloneByParams(l, NewLogisticRegression)
}

// Fit minimises the regularised logistic loss.
func (l *LogisticRegression) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "LogisticRegression"
	if !(l.C > 0) || math.IsInf(l.C, 0) || l.MaxIter < 1 || !(l.Tol > 0) {
		return classical.InvalidParamf(est, "need C > 0, max_iter >= 1, tol > 0; got %v, %d, %v", l.C, l.MaxIter, l.Tol)
	}
	xm, classes, idx, err := classical.CheckXYClasses(est, X, y)
	if err != nil {
		return err
	}
	n, p := xm.Rows, xm.Cols
	K := len(classes)
	if K == 2 {
		K = 1
	}
	sw := classical.ClassWeights(l.ClassWeight, classes, idx)
	swSum := 0.0
	for _, v := range sw {
		swSum += v
	}
	// Objective scaled by 1/(C·swSum) (same minimiser as scikit-learn's):
	// (1/swSum) Σ sᵢ lossᵢ + 1/(2·C·swSum) ||W||².
	reg := 1 / (l.C * swSum)
	Xt := xm.Tensor()
	nw := p * K
	Z := tensor.New(tensor.Float64, n, K)
	Rt := tensor.New(tensor.Float64, n, K)
	zd, rd := Z.Float64s(), Rt.Float64s()
	// A mostly-zero X (one-hot columns) is kept by sparse rows for the
	// binary loss.
	sp, isSparse := sparse.FromDense(xm.Data, n, p)
	isSparse = isSparse && !denseOnly
	f := func(x, g []float64) float64 {
		if K == 1 {
			b := 0.0
			if l.FitIntercept {
				b = x[nw]
			}
			var loss, gb float64
			if isSparse {
				loss, gb = binaryLogisticSparse(g, sp, n, p, x[:nw], b, idx, sw, swSum)
			} else {
				loss, gb = binaryLogistic(g, xm.Data, n, p, x[:nw], b, idx, sw, swSum)
			}
			loss /= swSum
			if l.FitIntercept {
				g[nw] = gb
			}
			if l.Penalty == "l2" {
				for j := 0; j < nw; j++ {
					loss += 0.5 * reg * x[j] * x[j]
					g[j] += reg * x[j]
				}
			}
			return loss
		}
		if isSparse {
			sp.MulMat(zd, x[:nw], K)
		} else if K <= 8 {
			skinnyMul(zd, xm.Data, n, p, x[:nw], K)
		} else {
			tensor.MatMulTo(Z, Xt, tensor.FromFloat64(x[:nw], p, K))
		}
		// Multinomial: the per-sample softmax loss and residuals run over
		// fixed blocks of rows in parallel; block sums are added in block
		// order, so the result does not depend on the number of workers.
		nb := (n + skinnyBlock - 1) / skinnyBlock
		blockLoss := make([]float64, nb)
		blockGB := make([]float64, nb*K)
		parallel.For(nb, 1, func(blo, bhi int) {
			for bk := blo; bk < bhi; bk++ {
				lo, hi := bk*skinnyBlock, min((bk+1)*skinnyBlock, n)
				bl, gbk := 0.0, blockGB[bk*K:(bk+1)*K]
				for i := lo; i < hi; i++ {
					row := zd[i*K : (i+1)*K]
					mx := math.Inf(-1)
					for k := range row {
						if l.FitIntercept {
							row[k] += x[nw+k]
						}
						mx = math.Max(mx, row[k])
					}
					se := 0.0
					for _, z := range row {
						se += math.Exp(z - mx)
					}
					lse := mx + math.Log(se)
					bl += sw[i] * (lse - row[idx[i]])
					r := rd[i*K : (i+1)*K]
					for k, z := range row {
						pk := math.Exp(z - lse)
						if k == idx[i] {
							pk--
						}
						r[k] = sw[i] * pk / swSum
						gbk[k] += r[k]
					}
				}
				blockLoss[bk] = bl
			}
		})
		loss := 0.0
		var gb []float64
		if l.FitIntercept {
			gb = g[nw:]
			clear(gb)
		}
		for bk := 0; bk < nb; bk++ {
			loss += blockLoss[bk]
			if gb != nil {
				for k := 0; k < K; k++ {
					gb[k] += blockGB[bk*K+k]
				}
			}
		}
		loss /= swSum
		// Gradient of the data term: Xᵀ R, written straight into g.
		if isSparse {
			sp.MulTMat(g[:nw], rd, K)
		} else if K <= 8 {
			skinnyMulT(g[:nw], xm.Data, n, p, rd, K)
		} else {
			tensor.MatMulTo(tensor.FromFloat64(g[:nw], p, K), Xt.T(), Rt)
		}
		if l.Penalty == "l2" {
			for j := 0; j < nw; j++ {
				loss += 0.5 * reg * x[j] * x[j]
				g[j] += reg * x[j]
			}
		}
		return loss
	}
	size := nw
	if l.FitIntercept {
		size += K
	}
	x := make([]float64, size)
	set := optimize.Settings{MaxIter: l.MaxIter, GTol: l.Tol}
	if l.Penalty == "l1" {
		set.L1 = reg
		set.L1Mask = make([]bool, size)
		for j := 0; j < nw; j++ {
			set.L1Mask[j] = true
		}
		// OWL-QN needs a finer stop: its pseudo-gradient is exact only at
		// the solution's support.
		set.FTol = 1e-10
	}
	res, err := optimize.Minimize(ctx, f, x, set)
	if err != nil {
		return fmt.Errorf("%s: fit cancelled: %w", est, err)
	}
	// Store coef as [K, p] like scikit-learn's coef_.
	coef := make([]float64, K*p)
	for j := 0; j < p; j++ {
		for k := 0; k < K; k++ {
			coef[k*p+j] = x[j*K+k]
		}
	}
	icpt := make([]float64, K)
	if l.FitIntercept {
		copy(icpt, x[nw:])
	}
	l.classifier = classifier{classes: classes, coef: coef, icpt: icpt, nFeat: p, nIter: res.Iter}
	return nil
}

// DecisionFunction returns X·coefᵀ + intercept: [n] for two classes,
// [n, classes] otherwise.
func (l *LogisticRegression) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	return l.scores("LogisticRegression", X)
}

// PredictProba returns class probabilities (sigmoid or softmax).
func (l *LogisticRegression) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	Z, err := l.DecisionFunction(X)
	if err != nil {
		return nil, err
	}
	if Z.Dim() == 1 {
		z := Z.Float64s()
		out := make([]float64, 2*len(z))
		for i, v := range z {
			s := 1 / (1 + math.Exp(-v))
			out[2*i], out[2*i+1] = 1-s, s
		}
		return tensor.FromFloat64(out, len(z), 2), nil
	}
	return tensor.Softmax(Z, 1), nil
}

// Predict returns the most probable class of each sample.
func (l *LogisticRegression) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return l.labels("LogisticRegression", X)
}

// Score returns the accuracy on (X, y).
func (l *LogisticRegression) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("LogisticRegression", l, X, y)
}

// TypeName implements classical.Persistable.
func (l *LogisticRegression) TypeName() string { return "linear.LogisticRegression" }

// MarshalState implements classical.Persistable.
func (l *LogisticRegression) MarshalState() ([]byte, error) { return l.marshal() }

// UnmarshalState implements classical.Persistable.
func (l *LogisticRegression) UnmarshalState(b []byte) error { return l.unmarshal(b) }

var _ json.Marshaler = classical.Floats(nil)
