package linear

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/sparse"
	"github.com/ember-ml/ember/tensor"
)

// Stochastic gradient descent for linear models, scikit-learn's
// SGDClassifier and SGDRegressor: one pass over the samples per epoch, a
// step per sample on the loss's gradient and the penalty, with
// scikit-learn's learning-rate schedules and stopping rule (no improvement
// of the epoch's summed loss by tol·n for NIterNoChange epochs). The
// arithmetic follows scikit-learn's plain SGD step by step (the weights
// kept as a vector times a scale, the L1 penalty by Tsuruoka et al.'s
// cumulative truncated gradient), so with Shuffle off the two give the same
// weights; with Shuffle on the order comes from Seed.

func init() {
	classical.Register("linear.SGDClassifier", func() classical.Estimator { return NewSGDClassifier() })
	classical.Register("linear.SGDRegressor", func() classical.Estimator { return NewSGDRegressor() })
}

// sgdLoss is a loss of the prediction p for the target y and its
// derivative in p.
type sgdLoss struct {
	loss, dloss func(p, y float64) float64
}

// sgdLosses returns the loss called name; epsilon is the Huber and
// epsilon-insensitive losses' threshold.
func sgdLosses(name string, epsilon float64) (sgdLoss, bool) {
	hinge := func(threshold float64) sgdLoss {
		return sgdLoss{
			loss: func(p, y float64) float64 { return math.Max(0, threshold-p*y) },
			dloss: func(p, y float64) float64 {
				if p*y <= threshold {
					return -y
				}
				return 0
			},
		}
	}
	switch name {
	case "hinge":
		return hinge(1), true
	case "perceptron":
		return hinge(0), true
	case "squared_hinge":
		return sgdLoss{
			loss: func(p, y float64) float64 { z := 1 - p*y; return math.Max(0, z) * math.Max(0, z) },
			dloss: func(p, y float64) float64 {
				if z := 1 - p*y; z > 0 {
					return -2 * y * z
				}
				return 0
			},
		}, true
	case "log_loss":
		return sgdLoss{
			loss: func(p, y float64) float64 {
				z := p * y
				switch {
				case z > 18:
					return math.Exp(-z)
				case z < -18:
					return -z
				}
				return math.Log(1 + math.Exp(-z))
			},
			dloss: func(p, y float64) float64 {
				z := p * y
				switch {
				case z > 18:
					return math.Exp(-z) * -y
				case z < -18:
					return -y
				}
				return -y / (math.Exp(z) + 1)
			},
		}, true
	case "modified_huber":
		return sgdLoss{
			loss: func(p, y float64) float64 {
				z := p * y
				switch {
				case z >= 1:
					return 0
				case z >= -1:
					return (1 - z) * (1 - z)
				}
				return -4 * z
			},
			dloss: func(p, y float64) float64 {
				z := p * y
				switch {
				case z >= 1:
					return 0
				case z >= -1:
					return 2 * (1 - z) * -y
				}
				return -4 * y
			},
		}, true
	case "squared_error":
		return sgdLoss{
			loss:  func(p, y float64) float64 { return 0.5 * (p - y) * (p - y) },
			dloss: func(p, y float64) float64 { return p - y },
		}, true
	case "huber":
		c := epsilon
		return sgdLoss{
			loss: func(p, y float64) float64 {
				r := p - y
				if a := math.Abs(r); a <= c {
					return 0.5 * r * r
				}
				return c*math.Abs(r) - 0.5*c*c
			},
			dloss: func(p, y float64) float64 {
				r := p - y
				switch {
				case math.Abs(r) <= c:
					return r
				case r > 0:
					return c
				}
				return -c
			},
		}, true
	case "epsilon_insensitive":
		return sgdLoss{
			loss: func(p, y float64) float64 { return math.Max(0, math.Abs(y-p)-epsilon) },
			dloss: func(p, y float64) float64 {
				switch {
				case y-p > epsilon:
					return -1
				case p-y > epsilon:
					return 1
				}
				return 0
			},
		}, true
	}
	return sgdLoss{}, false
}

// sgdParams are the hyper-parameters shared by SGDClassifier and
// SGDRegressor.
type sgdParams struct {
	Loss          string  // "loss"
	Penalty       string  // "penalty": "l2" (default), "l1", "elasticnet" or "none"
	Alpha         float64 // "alpha": the penalty's strength, default 1e-4
	L1Ratio       float64 // "l1_ratio" of "elasticnet", default 0.15
	FitIntercept  bool    // "fit_intercept", default true
	MaxIter       int     // "max_iter": epochs at most, default 1000
	Tol           float64 // "tol": the stopping rule's tolerance, default 1e-3; <= 0 runs MaxIter epochs
	NIterNoChange int     // "n_iter_no_change", default 5
	Shuffle       bool    // "shuffle" the samples every epoch, default true
	Seed          uint64  // "random_state" of the shuffling
	Epsilon       float64 // "epsilon" of the huber and epsilon_insensitive losses, default 0.1
	LearningRate  string  // "learning_rate": "optimal", "constant", "invscaling" or "adaptive"
	Eta0          float64 // "eta0": the initial step of constant, invscaling and adaptive
	PowerT        float64 // "power_t" of invscaling
}

func (s *sgdParams) params(losses ...string) classical.Params {
	return classical.Params{
		classical.String("loss", &s.Loss, losses...),
		classical.String("penalty", &s.Penalty, "l2", "l1", "elasticnet", "none"),
		classical.Float("alpha", &s.Alpha),
		classical.Float("l1_ratio", &s.L1Ratio),
		classical.Bool("fit_intercept", &s.FitIntercept),
		classical.Int("max_iter", &s.MaxIter),
		classical.Float("tol", &s.Tol),
		classical.Int("n_iter_no_change", &s.NIterNoChange),
		classical.Bool("shuffle", &s.Shuffle),
		classical.Uint64("random_state", &s.Seed),
		classical.Float("epsilon", &s.Epsilon),
		classical.String("learning_rate", &s.LearningRate, "optimal", "constant", "invscaling", "adaptive"),
		classical.Float("eta0", &s.Eta0),
		classical.Float("power_t", &s.PowerT),
	}
}

// check validates the parameters and returns the loss.
func (s *sgdParams) check(est string) (sgdLoss, error) {
	loss, ok := sgdLosses(s.Loss, s.Epsilon)
	switch {
	case !ok:
		return loss, classical.InvalidParamf(est, "unknown loss %q", s.Loss)
	case !(s.Alpha >= 0) || math.IsInf(s.Alpha, 0) || (s.LearningRate == "optimal" && s.Alpha == 0):
		return loss, classical.InvalidParamf(est, "alpha must be a finite number >= 0 (> 0 with learning_rate \"optimal\"), got %v", s.Alpha)
	case !(s.L1Ratio >= 0 && s.L1Ratio <= 1):
		return loss, classical.InvalidParamf(est, "l1_ratio must be in [0, 1], got %v", s.L1Ratio)
	case s.MaxIter < 1 || s.NIterNoChange < 1:
		return loss, classical.InvalidParamf(est, "max_iter and n_iter_no_change must be >= 1, got %d and %d", s.MaxIter, s.NIterNoChange)
	case math.IsNaN(s.Tol) || !(s.Epsilon >= 0) || math.IsInf(s.Epsilon, 0) || math.IsNaN(s.PowerT) || math.IsInf(s.PowerT, 0):
		return loss, classical.InvalidParamf(est, "need a tol, epsilon >= 0 and a finite power_t; got %v, %v, %v", s.Tol, s.Epsilon, s.PowerT)
	case s.LearningRate != "optimal" && !(s.Eta0 > 0 && !math.IsInf(s.Eta0, 0)):
		return loss, classical.InvalidParamf(est, "learning_rate %q needs eta0 > 0, got %v", s.LearningRate, s.Eta0)
	}
	return loss, nil
}

// denseOnly turns the sparse-row paths off, for tests.
var denseOnly = false

// sgdFit runs plain SGD on the rows of xm with targets y (±1 for a binary
// classification) and per-sample weights sw (nil: 1), from zero weights,
// and returns the weights, the intercept and the epochs run. order is the
// shuffled sample order (rewritten every epoch when s.Shuffle).
func sgdFit(ctx context.Context, est string, s *sgdParams, loss sgdLoss, xm classical.Matrix, y, sw []float64, rng *rand.Rand) (w []float64, b float64, epochs int, err error) {
	const maxDLoss = 1e12
	n, p := xm.Rows, xm.Cols
	w = make([]float64, p)
	wscale := 1.0
	l1Ratio := s.L1Ratio
	switch s.Penalty {
	case "l2":
		l1Ratio = 0
	case "l1":
		l1Ratio = 1
	}
	l1 := s.Penalty == "l1" || s.Penalty == "elasticnet"
	shrink := s.Penalty == "l2" || s.Penalty == "elasticnet"
	var q []float64 // the L1 penalty applied to each weight so far
	u := 0.0        // the L1 penalty each weight could have received
	if l1 {
		q = make([]float64, p)
	}
	alpha, eta := s.Alpha, s.Eta0
	optimalInit := 0.0
	if s.LearningRate == "optimal" {
		typw := math.Sqrt(1 / math.Sqrt(alpha))
		optimalInit = 1 / (typw / math.Max(1, loss.dloss(-typw, 1)) * alpha)
	}
	tol := s.Tol
	if tol <= 0 {
		tol = math.Inf(-1)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	// A mostly-zero X (one-hot columns) by sparse rows: the same sums and
	// updates, as the zeros add nothing.
	sp, isSparse := sparse.FromDense(xm.Data, n, p)
	isSparse = isSparse && !denseOnly
	t := 1.0
	bestLoss, noImprovement := math.Inf(1), 0
	for epochs = 1; epochs <= s.MaxIter; epochs++ {
		if err := classical.CheckContext(ctx, est); err != nil {
			return nil, 0, epochs, err
		}
		if s.Shuffle {
			rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		sumLoss := 0.0
		for _, i := range order {
			var dot float64
			if isSparse {
				dot = sp.Dot(i, w)
			} else {
				for j, v := range xm.Row(i) {
					dot += w[j] * v
				}
			}
			pred := dot*wscale + b
			switch s.LearningRate {
			case "optimal":
				eta = 1 / (alpha * (optimalInit + t - 1))
			case "invscaling":
				eta = s.Eta0 / math.Pow(t, s.PowerT)
			}
			sumLoss += loss.loss(pred, y[i])
			d := max(-maxDLoss, min(maxDLoss, loss.dloss(pred, y[i])))
			update := -eta * d
			if sw != nil {
				update *= sw[i]
			}
			if shrink {
				// Never scale to negative values (eta or alpha too big):
				// the weights go to zero instead.
				wscale *= math.Max(0, 1-(1-l1Ratio)*eta*alpha)
				if wscale < 1e-9 {
					for j := range w {
						w[j] *= wscale
					}
					wscale = 1
				}
			}
			if update != 0 {
				c := update / wscale
				if isSparse {
					sp.AddTo(w, i, c)
				} else {
					for j, v := range xm.Row(i) {
						w[j] += v * c
					}
				}
				if s.FitIntercept {
					b += update
				}
			}
			if l1 {
				u += l1Ratio * eta * alpha
				for j := range w {
					z := w[j]
					switch {
					case wscale*z > 0:
						w[j] = math.Max(0, w[j]-(u+q[j])/wscale)
					case wscale*z < 0:
						w[j] = math.Min(0, w[j]+(u-q[j])/wscale)
					}
					q[j] += wscale * (w[j] - z)
				}
			}
			t++
		}
		if math.IsNaN(b) || math.IsInf(b, 0) || !allFiniteSlice(w) {
			return nil, 0, epochs, classical.Invalidf(est, "the weights overflowed in epoch %d; scale the features (StandardScaler) or lower eta0/alpha", epochs)
		}
		if tol > math.Inf(-1) && sumLoss > bestLoss-tol*float64(n) {
			noImprovement++
		} else {
			noImprovement = 0
		}
		bestLoss = math.Min(bestLoss, sumLoss)
		if noImprovement >= s.NIterNoChange {
			if s.LearningRate == "adaptive" && eta > 1e-6 {
				eta /= 5
				noImprovement = 0
			} else {
				break
			}
		}
	}
	epochs = min(epochs, s.MaxIter)
	for j := range w {
		w[j] *= wscale
	}
	return w, b, epochs, nil
}

func allFiniteSlice(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// SGDClassifier is a linear classifier trained by stochastic gradient
// descent: a linear SVM with the default hinge loss, logistic regression
// with "log_loss", and "modified_huber", "squared_hinge" or "perceptron".
// More than two classes are fitted one-vs-rest.
type SGDClassifier struct {
	sgdParams
	// ClassWeight ("class_weight") is nil, "balanced" or a
	// map[float64]float64 from label to weight.
	ClassWeight any

	classifier
}

// NewSGDClassifier returns an SGDClassifier with scikit-learn's defaults.
func NewSGDClassifier() *SGDClassifier {
	return &SGDClassifier{sgdParams: sgdParams{Loss: "hinge", Penalty: "l2", Alpha: 1e-4, L1Ratio: 0.15, FitIntercept: true,
		MaxIter: 1000, Tol: 1e-3, NIterNoChange: 5, Shuffle: true, Epsilon: 0.1, LearningRate: "optimal", PowerT: 0.5}}
}

func (c *SGDClassifier) params() classical.Params {
	return append(c.sgdParams.params("hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron", "squared_error", "huber", "epsilon_insensitive"),
		classical.Any("class_weight", &c.ClassWeight, CheckClassWeight))
}

// GetParams implements classical.Estimator.
func (c *SGDClassifier) GetParams() map[string]any { return c.params().Get() }

// SetParams implements classical.Estimator.
func (c *SGDClassifier) SetParams(m map[string]any) error { return c.params().Set("SGDClassifier", m) }

// Clone implements classical.Estimator.
func (c *SGDClassifier) Clone() classical.Estimator {
	return classical.CloneByParams(c, NewSGDClassifier)
}

// Fit trains one weight vector (two classes) or one per class against the
// rest.
func (c *SGDClassifier) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "SGDClassifier"
	c.classifier = classifier{}
	loss, err := c.check(est)
	if err != nil {
		return err
	}
	xm, classes, idx, err := classical.CheckXYClasses(est, X, y)
	if err != nil {
		return err
	}
	// Each class's weight; as scikit-learn, one-vs-rest problems weigh
	// the class's own samples by it and the rest by 1.
	var classW []float64
	if c.ClassWeight != nil {
		classW = make([]float64, len(classes))
		for i, w := range classical.ClassWeights(c.ClassWeight, classes, idx) {
			classW[idx[i]] = w
		}
	}
	K, p := len(classes), xm.Cols
	if K == 2 {
		K = 1
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x5ed))
	coef, icpt := make([]float64, K*p), make([]float64, K)
	target := make([]float64, len(idx))
	epochs := 0
	for k := 0; k < K; k++ {
		pos := k
		if K == 1 {
			pos = 1 // the second class is the positive one
		}
		var sw []float64
		if classW != nil {
			sw = make([]float64, len(idx))
		}
		for i, ci := range idx {
			target[i] = -1
			if ci == pos {
				target[i] = 1
			}
			switch {
			case sw == nil:
			case K == 1 || ci == pos:
				sw[i] = classW[ci]
			default:
				sw[i] = 1
			}
		}
		w, b, e, err := sgdFit(ctx, est, &c.sgdParams, loss, xm, target, sw, rng)
		if err != nil {
			return err
		}
		copy(coef[k*p:], w)
		icpt[k], epochs = b, max(epochs, e)
	}
	c.classifier = classifier{classes: classes, coef: coef, icpt: icpt, nFeat: p, nIter: epochs}
	return nil
}

// DecisionFunction returns X·coefᵀ + intercept: [n] for two classes,
// [n, classes] otherwise.
func (c *SGDClassifier) DecisionFunction(X *tensor.Tensor) (*tensor.Tensor, error) {
	return c.scores("SGDClassifier", X)
}

// Predict returns the class with the highest score.
func (c *SGDClassifier) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return c.labels("SGDClassifier", X)
}

// PredictProba returns class probabilities for the "log_loss" (the
// sigmoid of the scores) and "modified_huber" ((clip(score, −1, 1) + 1)/2)
// losses, normalised over the classes when there are more than two, as
// scikit-learn does; other losses have no probabilities (an error).
func (c *SGDClassifier) PredictProba(X *tensor.Tensor) (*tensor.Tensor, error) {
	const est = "SGDClassifier"
	Z, err := c.scores(est, X)
	if err != nil {
		return nil, err
	}
	if c.Loss != "log_loss" && c.Loss != "modified_huber" {
		return nil, classical.InvalidParamf(est, "probabilities need loss \"log_loss\" or \"modified_huber\", not %q", c.Loss)
	}
	f := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	if c.Loss == "modified_huber" {
		f = func(z float64) float64 { return (math.Max(-1, math.Min(1, z)) + 1) / 2 }
	}
	z := Z.Float64s()
	n := Z.Shape()[0]
	if Z.Dim() == 1 {
		out := make([]float64, 2*n)
		for i, v := range z {
			pr := f(v)
			out[2*i], out[2*i+1] = 1-pr, pr
		}
		return tensor.FromFloat64(out, n, 2), nil
	}
	K := Z.Shape()[1]
	out := make([]float64, len(z))
	for i := 0; i < n; i++ {
		s := 0.0
		for k := 0; k < K; k++ {
			out[i*K+k] = f(z[i*K+k])
			s += out[i*K+k]
		}
		for k := 0; k < K; k++ {
			if s == 0 {
				out[i*K+k] = 1 / float64(K)
			} else {
				out[i*K+k] /= s
			}
		}
	}
	return tensor.FromFloat64(out, n, K), nil
}

// Score returns the accuracy on (X, y).
func (c *SGDClassifier) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreClassifier("SGDClassifier", c, X, y)
}

// TypeName implements classical.Persistable.
func (c *SGDClassifier) TypeName() string { return "linear.SGDClassifier" }

// MarshalState implements classical.Persistable.
func (c *SGDClassifier) MarshalState() ([]byte, error) { return c.marshal() }

// UnmarshalState implements classical.Persistable.
func (c *SGDClassifier) UnmarshalState(b []byte) error { return c.unmarshal(b) }

// SGDRegressor is a linear regressor trained by stochastic gradient
// descent, with the "squared_error" (default), "huber",
// "epsilon_insensitive" or other losses.
type SGDRegressor struct {
	sgdParams
	m model
}

// NewSGDRegressor returns an SGDRegressor with scikit-learn's defaults.
func NewSGDRegressor() *SGDRegressor {
	return &SGDRegressor{sgdParams: sgdParams{Loss: "squared_error", Penalty: "l2", Alpha: 1e-4, L1Ratio: 0.15, FitIntercept: true,
		MaxIter: 1000, Tol: 1e-3, NIterNoChange: 5, Shuffle: true, Epsilon: 0.1, LearningRate: "invscaling", Eta0: 0.01, PowerT: 0.25}}
}

func (r *SGDRegressor) params() classical.Params {
	return r.sgdParams.params("squared_error", "huber", "epsilon_insensitive")
}

// GetParams implements classical.Estimator.
func (r *SGDRegressor) GetParams() map[string]any { return r.params().Get() }

// SetParams implements classical.Estimator.
func (r *SGDRegressor) SetParams(m map[string]any) error { return r.params().Set("SGDRegressor", m) }

// Clone implements classical.Estimator.
func (r *SGDRegressor) Clone() classical.Estimator {
	return classical.CloneByParams(r, NewSGDRegressor)
}

// Fit trains the weights.
func (r *SGDRegressor) Fit(ctx context.Context, X, y *tensor.Tensor) error {
	const est = "SGDRegressor"
	r.m = model{}
	loss, err := r.check(est)
	if err != nil {
		return err
	}
	xm, ys, err := classical.CheckXY(est, X, y)
	if err != nil {
		return err
	}
	w, b, epochs, err := sgdFit(ctx, est, &r.sgdParams, loss, xm, ys, nil, rand.New(rand.NewPCG(r.Seed, 0x5ed)))
	if err != nil {
		return err
	}
	r.m = model{Coef: w, Intercept: b, NIter: epochs}
	return nil
}

// Predict returns X·coef + intercept.
func (r *SGDRegressor) Predict(X *tensor.Tensor) (*tensor.Tensor, error) {
	return r.m.predict("SGDRegressor", X)
}

// Score returns R² on (X, y).
func (r *SGDRegressor) Score(X, y *tensor.Tensor) (float64, error) {
	return classical.ScoreRegressor("SGDRegressor", r, X, y)
}

// Coef returns coef_, nil before Fit.
func (r *SGDRegressor) Coef() []float64 { return append([]float64(nil), r.m.Coef...) }

// Intercept returns intercept_.
func (r *SGDRegressor) Intercept() float64 { return r.m.Intercept }

// NIter returns the epochs of the last Fit.
func (r *SGDRegressor) NIter() int { return r.m.NIter }

// TypeName implements classical.Persistable.
func (r *SGDRegressor) TypeName() string { return "linear.SGDRegressor" }

// MarshalState implements classical.Persistable.
func (r *SGDRegressor) MarshalState() ([]byte, error) { return r.m.marshal() }

// UnmarshalState implements classical.Persistable.
func (r *SGDRegressor) UnmarshalState(b []byte) error { return r.m.unmarshal(b) }
