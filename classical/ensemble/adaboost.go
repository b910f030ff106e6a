package ensemble

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/internal/parallel"
	"github.com/ember-ml/ember/tensor"
)

func init() {
	classical.Register("ensemble.AdaBoostClassifier", func() classical.Estimator { return NewAdaBoostClassifier() })
	classical.Register("ensemble.AdaBoostRegressor", func() classical.Estimator { return NewAdaBoostRegressor() })
}

// adaModel is the fitted state of an AdaBoost model.
type adaModel struct {
	Trees   []*tree.Tree     `json:"trees"`
	Weights classical.Floats `json:"weights"`
	Classes classical.Floats `json:"classes,omitempty"`
	NFeat   int              `json:"n_features"`
}

func (m *adaModel) fitted() bool { return len(m.Trees) > 0 }

func (m *adaModel) validate(nValues int) error {
	if len(m.Trees) == 0 || len(m.Weights) != len(m.Trees) {
		return errors.New("inconsistent AdaBoost state")
	}
	return checkTrees(m.Trees, m.NFeat, nValues)
}

// adaParams binds the hyper-parameters of the two AdaBoost models, in
// scikit-learn's order; variant is "algorithm" (classifier) or "loss"
// (regressor).
func adaParams(nEstimators *int, learningRate *float64, variant classical.Param, maxDepth *int, seed *uint64) classical.Params {
	return classical.Params{
		classical.Int("n_estimators", nEstimators),
		classical.Float("learning_rate", learningRate),
		variant,
		classical.Int("max_depth", maxDepth),
		classical.Uint64("random_state", seed),
	}
}

// checkAdaParams validates the hyper-parameters the two AdaBoost models
// share.
func checkAdaParams(est string, nEstimators int, learningRate float64, maxDepth int) error {
	if nEstimators < 1 || !(learningRate > 0) || maxDepth < 0 {
		return classical.InvalidParamf(est, "need n_estimators >= 1, learning_rate > 0, max_depth >= 0; got %d, %v, %d", nEstimators, learningRate, maxDepth)
	}
	return nil
}

// uniformWeights returns n sample weights of 1/n, AdaBoost's start.
func uniformWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	return w
}

// AdaBoostClassifier boosts shallow classification trees by re-weighting
// the samples: SAMME.R (real, class probabilities; scikit-learn 1.2's
// default) or SAMME (discrete).
type AdaBoostClassifier struct {
	NEstimators  int     // "n_estimators", default 50
	LearningRate float64 // "learning_rate", default 1
	Algorithm    string  // "algorithm": "SAMME.R" (default) or "SAMME"
	MaxDepth     int     // "max_depth" of the base trees, default 1 (stumps)
	Seed         uint64  // "random_state"
	m            adaModel
}

// NewAdaBoostClassifier returns AdaBoost with scikit-learn's defaults: 50
// stumps, SAMME.R, learning rate 1.
func NewAdaBoostClassifier() *AdaBoostClassifier {
	return &AdaBoostClassifier{NEstimators: 50, LearningRate: 1, Algorithm: "SAMME.R", MaxDepth: 1}
}

func (a *AdaBoostClassifier) params() classical.Params {
	return adaParams(&a.NEstimators, &a.LearningRate, classical.String("algorithm", &a.Algorithm, "SAMME.R", "SAMME"), &a.MaxDepth, &a.Seed)
}

// GetParams implements classical.Estimator.
func (a *AdaBoostClassifier) GetParams() map[string]any { return a.params().Get() }

// SetParams implements classical.Estimator.
func (a *AdaBoostClassifier) SetParams(m map[string]any) error {
	return a.params().Set("AdaBoostClassifier", m)
}

// Clone implements classical.Estimator.
func (a *AdaBoostClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(a, NewAdaBoostClassifier)
}

// Fit boosts the trees on X [n, p] and labels y [n].
func (a *AdaBoostClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "AdaBoostClassifier"
	if err := checkAdaParams(est, a.NEstimators, a.LearningRate, a.MaxDepth); err != nil {
		return err
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	classes, idx, err := encodeClasses(est, ys)
	if err != nil {
		return err
	}
	K := len(classes)
	n := xm.Rows
	ps := tree.Presort(xm)
	spec := tree.Spec{Criterion: tree.Gini, NClasses: K, MaxDepth: a.MaxDepth, MinSamplesSplit: 2, MinSamplesLeaf: 1}
	rng := tree.NewRand(a.Seed)
	sw := uniformWeights(n)
	m := adaModel{Classes: classes, NFeat: xm.Cols}
	proba := make([]float64, n*K)
	const eps = 2.220446049250313e-16
	isReal := a.Algorithm == "SAMME.R"
	for it := 0; it < a.NEstimators; it++ {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
		t, err := tree.Grow(ctx, ps, tree.Target{Class: idx, W: sw}, spec, rng)
		if err != nil {
			return fmt.Errorf("%s: %w", est, err)
		}
		parallel.For(n, 2048, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				tree.LeafProba(t, leafIndex(t, ps, i), proba[i*K:(i+1)*K])
			}
		})
		errSum, wSum := 0.0, 0.0
		for i := 0; i < n; i++ {
			wSum += sw[i]
			if floats.Argmax(proba[i*K:(i+1)*K]) != int(idx[i]) {
				errSum += sw[i]
			}
		}
		e := errSum / wSum
		last := it == a.NEstimators-1
		if e <= 0 {
			m.Trees, m.Weights = append(m.Trees, t), append(m.Weights, 1)
			break
		}
		if isReal {
			m.Trees, m.Weights = append(m.Trees, t), append(m.Weights, 1)
			if !last {
				c := -a.LearningRate * float64(K-1) / float64(K)
				for i := 0; i < n; i++ {
					s := 0.0
					for k := 0; k < K; k++ {
						yc := -1 / float64(K-1)
						if k == int(idx[i]) {
							yc = 1
						}
						s += yc * math.Log(math.Max(proba[i*K+k], eps))
					}
					ew := c * s
					if sw[i] > 0 || ew < 0 {
						sw[i] *= math.Exp(ew)
					}
				}
			}
		} else {
			if e >= 1-1/float64(K) {
				if len(m.Trees) == 0 {
					return classical.Invalidf(est, "the first base tree is no better than chance (error %v); AdaBoost cannot continue", e)
				}
				break
			}
			alpha := a.LearningRate * (math.Log((1-e)/e) + math.Log(float64(K-1)))
			m.Trees, m.Weights = append(m.Trees, t), append(m.Weights, alpha)
			if !last {
				for i := 0; i < n; i++ {
					if sw[i] > 0 && floats.Argmax(proba[i*K:(i+1)*K]) != int(idx[i]) {
						sw[i] *= math.Exp(alpha)
					}
				}
			}
		}
		s := 0.0
		for _, v := range sw {
			s += v
		}
		if !(s > 0) || math.IsInf(s, 0) {
			break
		}
		for i := range sw {
			sw[i] /= s
		}
	}
	a.m = m
	return nil
}

func (a *AdaBoostClassifier) check(X *tensor.Tensor) (classical.Matrix, error) {
	if !a.m.fitted() {
		return classical.Matrix{}, classical.NotFitted("AdaBoostClassifier")
	}
	return classical.CheckFeatures("AdaBoostClassifier", X, a.m.NFeat)
}

// decision returns the [n, K] weighted scores (before the binary fold).
func (a *AdaBoostClassifier) decision(xm classical.Matrix) []float64 {
	K := len(a.m.Classes)
	out := make([]float64, xm.Rows*K)
	wsum := 0.0
	for _, w := range a.m.Weights {
		wsum += w
	}
	isReal := a.Algorithm == "SAMME.R"
	const eps = 2.220446049250313e-16
	parallel.For(xm.Rows, 256, func(lo, hi int) {
		pr := make([]float64, K)
		for i := lo; i < hi; i++ {
			o := out[i*K : (i+1)*K]
			row := xm.Row(i)
			for t, tr := range a.m.Trees {
				tree.LeafProba(tr, tr.Leaf(row), pr)
				if isReal {
					mean := 0.0
					for k := range pr {
						pr[k] = math.Log(math.Max(pr[k], eps))
						mean += pr[k]
					}
					mean /= float64(K)
					for k := range pr {
						o[k] += float64(K-1) * (pr[k] - mean)
					}
				} else {
					o[floats.Argmax(pr)] += a.m.Weights[t]
				}
			}
			for k := range o {
				o[k] /= wsum
			}
		}
	})
	return out
}

// DecisionFunction returns the boosted scores: [n] for two classes
// (positive: the larger class), [n, classes] otherwise.
func (a *AdaBoostClassifier) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := a.check(X)
	if err != nil {
		return nil, err
	}
	d := a.decision(xm)
	if len(a.m.Classes) == 2 {
		out := make([]float64, xm.Rows)
		for i := range out {
			out[i] = d[2*i+1] - d[2*i]
		}
		return classical.Vector(out), nil
	}
	return tensor.FromFloat64(d, xm.Rows, len(a.m.Classes)), nil
}

// PredictProba returns softmax(decision / (classes - 1)) as scikit-learn.
func (a *AdaBoostClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := a.check(X)
	if err != nil {
		return nil, err
	}
	K := len(a.m.Classes)
	d := a.decision(xm)
	out := make([]float64, len(d))
	z := make([]float64, K)
	for i := 0; i < xm.Rows; i++ {
		if K == 2 {
			df := d[2*i+1] - d[2*i]
			z[0], z[1] = -df/2, df/2
		} else {
			for k := 0; k < K; k++ {
				z[k] = d[i*K+k] / float64(K-1)
			}
		}
		softmax(z, out[i*K:(i+1)*K])
	}
	return tensor.FromFloat64(out, xm.Rows, K), nil
}

// Predict returns the class with the largest score.
func (a *AdaBoostClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	xm, err := a.check(X)
	if err != nil {
		return nil, err
	}
	K := len(a.m.Classes)
	d := a.decision(xm)
	out := make([]float64, xm.Rows)
	for i := range out {
		if K == 2 {
			if d[2*i+1]-d[2*i] > 0 {
				out[i] = a.m.Classes[1]
			} else {
				out[i] = a.m.Classes[0]
			}
		} else {
			out[i] = a.m.Classes[floats.Argmax(d[i*K:(i+1)*K])]
		}
	}
	return classical.Vector(out), nil
}

// Score returns the accuracy on (X, y).
func (a *AdaBoostClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("AdaBoostClassifier", a.Predict, X, y, classical.Accuracy)
}

// Classes returns the sorted labels (classes_).
func (a *AdaBoostClassifier) Classes() []float64 { return slices.Clone(a.m.Classes) }

// FeatureImportances returns the estimator-weighted mean of the trees'
// importances (feature_importances_).
func (a *AdaBoostClassifier) FeatureImportances() []float64 { return a.m.importances() }

func (m *adaModel) importances() []float64 {
	if !m.fitted() {
		return nil
	}
	imp := make([]float64, m.NFeat)
	for t, tr := range m.Trees {
		for j, v := range tr.Importances() {
			imp[j] += m.Weights[t] * v
		}
	}
	tree.Normalize(imp)
	return imp
}

// TypeName implements classical.Persistable.
func (a *AdaBoostClassifier) TypeName() string { return "ensemble.AdaBoostClassifier" }

// MarshalState implements classical.Persistable.
func (a *AdaBoostClassifier) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(a.m.fitted(), &a.m)
}

// UnmarshalState implements classical.Persistable.
func (a *AdaBoostClassifier) UnmarshalState(b []byte) error {
	var m adaModel
	if err := classical.UnmarshalStrict(b, &m); err != nil {
		return err
	}
	if len(m.Classes) < 2 {
		return errors.New("need at least two classes")
	}
	if err := m.validate(len(m.Classes)); err != nil {
		return err
	}
	a.m = m
	return nil
}

// AdaBoostRegressor is AdaBoost.R2 (Drucker, 1997): each tree is grown on
// a weighted bootstrap sample, samples are re-weighted by their relative
// error, and the prediction is the weighted median of the trees'.
type AdaBoostRegressor struct {
	NEstimators  int     // "n_estimators", default 50
	LearningRate float64 // "learning_rate", default 1
	Loss         string  // "loss": "linear" (default), "square", "exponential"
	MaxDepth     int     // "max_depth" of the base trees, default 3
	Seed         uint64  // "random_state"
	m            adaModel
}

// NewAdaBoostRegressor returns AdaBoost.R2 with scikit-learn's defaults:
// 50 trees of depth 3, linear loss.
func NewAdaBoostRegressor() *AdaBoostRegressor {
	return &AdaBoostRegressor{NEstimators: 50, LearningRate: 1, Loss: "linear", MaxDepth: 3}
}

func (a *AdaBoostRegressor) params() classical.Params {
	return adaParams(&a.NEstimators, &a.LearningRate, classical.String("loss", &a.Loss, "linear", "square", "exponential"), &a.MaxDepth, &a.Seed)
}

// GetParams implements classical.Estimator.
func (a *AdaBoostRegressor) GetParams() map[string]any { return a.params().Get() }

// SetParams implements classical.Estimator.
func (a *AdaBoostRegressor) SetParams(m map[string]any) error {
	return a.params().Set("AdaBoostRegressor", m)
}

// Clone implements classical.Estimator.
func (a *AdaBoostRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(a, NewAdaBoostRegressor)
}

// Fit boosts the trees on X [n, p] and targets y [n].
func (a *AdaBoostRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "AdaBoostRegressor"
	if err := checkAdaParams(est, a.NEstimators, a.LearningRate, a.MaxDepth); err != nil {
		return err
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	n := xm.Rows
	ps := tree.Presort(xm)
	spec := tree.Spec{Criterion: tree.SquaredError, MaxDepth: a.MaxDepth, MinSamplesSplit: 2, MinSamplesLeaf: 1}
	rng := tree.NewRand(a.Seed)
	sw := uniformWeights(n)
	m := adaModel{NFeat: xm.Cols}
	pred := make([]float64, n)
	errv := make([]float64, n)
	cdf := make([]float64, n)
	for it := 0; it < a.NEstimators; it++ {
		if err := classical.CheckContext(ctx, est); err != nil {
			return err
		}
		// Weighted bootstrap sample, as counts.
		c := 0.0
		for i, w := range sw {
			c += w
			cdf[i] = c
		}
		counts := make([]float64, n)
		for k := 0; k < n; k++ {
			u := rng.Float64() * c
			i := sort.SearchFloat64s(cdf, u)
			counts[min(i, n-1)]++
		}
		t, err := tree.Grow(ctx, ps, tree.Target{Y: ys, W: counts}, spec, rng)
		if err != nil {
			return fmt.Errorf("%s: %w", est, err)
		}
		emax := 0.0
		for i := 0; i < n; i++ {
			pred[i] = t.Value[leafIndex(t, ps, i)]
			errv[i] = math.Abs(pred[i] - ys[i])
			if sw[i] > 0 {
				emax = math.Max(emax, errv[i])
			}
		}
		e := 0.0
		for i := range errv {
			if emax > 0 {
				errv[i] /= emax
			}
			switch a.Loss {
			case "square":
				errv[i] *= errv[i]
			case "exponential":
				errv[i] = 1 - math.Exp(-errv[i])
			}
			if sw[i] > 0 {
				e += sw[i] * errv[i]
			}
		}
		if e <= 0 {
			m.Trees, m.Weights = append(m.Trees, t), append(m.Weights, 1)
			break
		}
		if e >= 0.5 {
			if len(m.Trees) == 0 {
				m.Trees, m.Weights = append(m.Trees, t), append(m.Weights, 1)
			}
			break
		}
		beta := e / (1 - e)
		m.Trees, m.Weights = append(m.Trees, t), append(m.Weights, a.LearningRate*math.Log(1/beta))
		if it < a.NEstimators-1 {
			s := 0.0
			for i := range sw {
				if sw[i] > 0 {
					sw[i] *= math.Pow(beta, (1-errv[i])*a.LearningRate)
				}
				s += sw[i]
			}
			if !(s > 0) {
				break
			}
			for i := range sw {
				sw[i] /= s
			}
		}
	}
	a.m = m
	return nil
}

// Predict returns the weighted median of the trees' predictions.
func (a *AdaBoostRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	if !a.m.fitted() {
		return nil, classical.NotFitted("AdaBoostRegressor")
	}
	xm, err := classical.CheckFeatures("AdaBoostRegressor", X, a.m.NFeat)
	if err != nil {
		return nil, err
	}
	T := len(a.m.Trees)
	tot := 0.0
	for _, w := range a.m.Weights {
		tot += w
	}
	out := make([]float64, xm.Rows)
	parallel.For(xm.Rows, 256, func(lo, hi int) {
		p := make([]float64, T)
		o := make([]int, T)
		for i := lo; i < hi; i++ {
			row := xm.Row(i)
			for t, tr := range a.m.Trees {
				p[t] = tr.Value[tr.Leaf(row)]
				o[t] = t
			}
			sort.SliceStable(o, func(x, y int) bool { return p[o[x]] < p[o[y]] })
			c := 0.0
			out[i] = p[o[T-1]]
			for _, t := range o {
				c += a.m.Weights[t]
				if c >= 0.5*tot {
					out[i] = p[t]
					break
				}
			}
		}
	})
	return classical.Vector(out), nil
}

// Score returns R² on (X, y).
func (a *AdaBoostRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return scoreWith("AdaBoostRegressor", a.Predict, X, y, classical.R2)
}

// FeatureImportances returns the estimator-weighted mean of the trees'
// importances.
func (a *AdaBoostRegressor) FeatureImportances() []float64 { return a.m.importances() }

// TypeName implements classical.Persistable.
func (a *AdaBoostRegressor) TypeName() string { return "ensemble.AdaBoostRegressor" }

// MarshalState implements classical.Persistable.
func (a *AdaBoostRegressor) MarshalState() ([]byte, error) {
	return classical.MarshalFitted(a.m.fitted(), &a.m)
}

// UnmarshalState implements classical.Persistable.
func (a *AdaBoostRegressor) UnmarshalState(b []byte) error {
	var m adaModel
	if err := classical.UnmarshalStrict(b, &m); err != nil {
		return err
	}
	if err := m.validate(1); err != nil {
		return err
	}
	a.m = m
	return nil
}
