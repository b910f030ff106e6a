package selection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/metrics"
	"github.com/ember-ml/ember/tensor"
)

// ScoreFunc scores a fitted estimator on (X, y); larger is better.
type ScoreFunc func(est classical.Estimator, X, y *tensor.Tensor) (float64, error)

// Scorers lists the scoring names Scoring accepts (scikit-learn's).
var Scorers = []string{
	"accuracy", "balanced_accuracy", "f1", "f1_micro", "f1_macro", "f1_weighted",
	"precision", "precision_macro", "precision_weighted", "recall", "recall_macro", "recall_weighted",
	"roc_auc", "roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted", "neg_log_loss", "average_precision",
	"r2", "explained_variance", "neg_mean_squared_error", "neg_root_mean_squared_error",
	"neg_mean_absolute_error", "neg_median_absolute_error", "max_error",
}

// GetScorer returns the score function for a scoring name (see Scorers);
// "" uses the estimator's own Score method.
func GetScorer(name string) (ScoreFunc, error) {
	type labelMetric func(yTrue, yPred *tensor.Tensor) (float64, error)
	type optMetric func(yTrue, yPred *tensor.Tensor, opts ...metrics.Option) (float64, error)
	onPredict := func(f labelMetric, sign float64) ScoreFunc {
		return func(est classical.Estimator, X, y *tensor.Tensor) (float64, error) {
			p, ok := est.(classical.Predictor)
			if !ok {
				return 0, classical.InvalidParamf("selection", "scoring %q needs an estimator with Predict, got %T", name, est)
			}
			pred, err := p.Predict(X)
			if err != nil {
				return 0, err
			}
			v, err := f(y, pred)
			return sign * v, err
		}
	}
	withAvg := func(f optMetric, avg string) labelMetric {
		return func(t, p *tensor.Tensor) (float64, error) { return f(t, p, metrics.Average(avg)) }
	}
	proba := func(f func(cl classical.Classifier, y, pr *tensor.Tensor) (float64, error)) ScoreFunc {
		return func(est classical.Estimator, X, y *tensor.Tensor) (float64, error) {
			cl, ok := est.(classical.Classifier)
			if !ok {
				return 0, classical.InvalidParamf("selection", "scoring %q needs a classifier with PredictProba, got %T", name, est)
			}
			// For binary problems scikit-learn ranks by the decision
			// function when the estimator has one.
			if df, ok := est.(classical.DecisionFunctioner); ok && len(cl.Classes()) == 2 && name != "neg_log_loss" {
				if s, err := df.DecisionFunction(X); err == nil && s.Dim() == 1 {
					return f(cl, y, s)
				}
			}
			pr, err := cl.PredictProba(X)
			if err != nil {
				return 0, err
			}
			return f(cl, y, pr)
		}
	}
	auc := func(opts ...metrics.Option) ScoreFunc {
		return proba(func(cl classical.Classifier, y, pr *tensor.Tensor) (float64, error) {
			cls := cl.Classes()
			if pr.Dim() == 2 && pr.Shape()[1] > 2 {
				opts = append(opts, metrics.Labels(cls...))
			} else {
				opts = append(opts, metrics.PosLabel(cls[len(cls)-1]))
			}
			return metrics.ROCAUC(y, pr, opts...)
		})
	}
	switch name {
	case "":
		return func(est classical.Estimator, X, y *tensor.Tensor) (float64, error) {
			s, ok := est.(classical.Scorer)
			if !ok {
				return 0, classical.InvalidParamf("selection", "%T has no Score method; set Scoring", est)
			}
			return s.Score(X, y)
		}, nil
	case "accuracy":
		return onPredict(metrics.Accuracy, 1), nil
	case "balanced_accuracy":
		return onPredict(metrics.BalancedAccuracy, 1), nil
	case "f1", "precision", "recall":
		f := map[string]optMetric{"f1": metrics.F1, "precision": metrics.Precision, "recall": metrics.Recall}[name]
		return onPredict(withAvg(f, "binary"), 1), nil
	case "f1_micro", "f1_macro", "f1_weighted", "precision_macro", "precision_weighted", "recall_macro", "recall_weighted":
		head, avg, _ := strings.Cut(name, "_")
		f := map[string]optMetric{"f1": metrics.F1, "precision": metrics.Precision, "recall": metrics.Recall}[head]
		return onPredict(withAvg(f, avg), 1), nil
	case "roc_auc", "roc_auc_ovr":
		return auc(), nil
	case "roc_auc_ovo":
		return auc(metrics.MultiClass("ovo")), nil
	case "roc_auc_ovr_weighted":
		return auc(metrics.Average("weighted")), nil
	case "average_precision":
		return proba(func(cl classical.Classifier, y, pr *tensor.Tensor) (float64, error) {
			cls := cl.Classes()
			return metrics.AveragePrecision(y, pr, metrics.PosLabel(cls[len(cls)-1]))
		}), nil
	case "neg_log_loss":
		return proba(func(cl classical.Classifier, y, pr *tensor.Tensor) (float64, error) {
			v, err := metrics.LogLoss(y, pr, metrics.Labels(cl.Classes()...))
			return -v, err
		}), nil
	case "r2":
		return onPredict(metrics.R2, 1), nil
	case "explained_variance":
		return onPredict(metrics.ExplainedVariance, 1), nil
	case "neg_mean_squared_error":
		return onPredict(metrics.MeanSquaredError, -1), nil
	case "neg_root_mean_squared_error":
		return onPredict(metrics.RootMeanSquaredError, -1), nil
	case "neg_mean_absolute_error":
		return onPredict(metrics.MeanAbsoluteError, -1), nil
	case "neg_median_absolute_error":
		return onPredict(metrics.MedianAbsoluteError, -1), nil
	case "max_error":
		return onPredict(metrics.MaxError, -1), nil
	}
	return nil, classical.InvalidParamf("selection", "unknown scoring %q (known: %s)", name, strings.Join(Scorers, ", "))
}

// scorer returns the configured score function.
func (c *config) scorer() (ScoreFunc, error) {
	if c.scorerFunc != nil {
		return c.scorerFunc, nil
	}
	return GetScorer(c.scoring)
}

// CVResult holds per-fold results of CrossValidate.
type CVResult struct {
	TestScore  []float64
	TrainScore []float64 // with ReturnTrainScore
	FitTime    []float64 // seconds
	ScoreTime  []float64 // seconds
}

type foldData struct {
	Xtr, ytr, Xte, yte *tensor.Tensor
}

// runner evaluates candidates on folds in parallel.
type runner struct {
	c       *config
	score   ScoreFunc
	folds   []foldData
	results []foldResult
}

type foldResult struct {
	test, train, fit, scoreT float64
	err                      error
}

func workers(jobs int) int {
	if jobs <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return jobs
}

// prepare validates the data and builds the folds.
func prepare(c *config, est classical.Estimator, X, y *tensor.Tensor) ([]foldData, ScoreFunc, error) {
	if _, err := classical.CheckXOpts("selection", X, classical.CheckOptions{AllowNaN: true, MinSamples: 2}); err != nil {
		return nil, nil, err
	}
	if y != nil {
		if _, err := classical.CheckY("selection", y, X.Shape()[0]); err != nil {
			return nil, nil, err
		}
	}
	sc, err := c.scorer()
	if err != nil {
		return nil, nil, err
	}
	sp := c.splitter(est)
	if _, strat := sp.(StratifiedKFold); strat && y == nil {
		sp = KFold{NSplits: c.k, Shuffle: c.shuffle, Seed: c.seed}
	}
	folds, err := sp.Split(X, y)
	if err != nil {
		return nil, nil, err
	}
	fd := make([]foldData, len(folds))
	for i, f := range folds {
		fd[i] = foldData{Rows(X, f.Train), Rows(y, f.Train), Rows(X, f.Test), Rows(y, f.Test)}
	}
	return fd, sc, nil
}

// run fits every candidate (a params map applied to a clone of est) on
// every fold. Results are stored by (candidate, fold), so they do not
// depend on the number of workers.
func (r *runner) run(ctx context.Context, est classical.Estimator, cands []map[string]any) error {
	nf := len(r.folds)
	total := len(cands) * nf
	r.results = make([]foldResult, total)
	// Check the candidates' names once, up front.
	for _, p := range cands {
		if err := est.Clone().SetParams(p); err != nil {
			return err
		}
	}
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := time.Now()
	bar := func() {
		if r.c.verbose == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		progress(r.c.verbose, int(done.Load()), total, time.Since(start))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nw := min(workers(r.c.jobs), total)
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= total || ctx.Err() != nil {
					return
				}
				cand, fold := i/nf, i%nf
				res := r.one(ctx, est, cands[cand], r.folds[fold])
				r.results[i] = res
				if res.err != nil && r.c.errorScore == nil {
					cancel()
				}
				done.Add(1)
				bar()
			}
		}()
	}
	wg.Wait()
	if r.c.verbose != nil {
		fmt.Fprintln(r.c.verbose)
	}
	for i, res := range r.results {
		if res.err != nil && !errors.Is(res.err, context.Canceled) {
			if r.c.errorScore != nil {
				r.results[i].test, r.results[i].train = *r.c.errorScore, *r.c.errorScore
				continue
			}
			return fmt.Errorf("selection: candidate %s, fold %d: %w", fmtParams(cands[i/nf]), i%nf, res.err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("selection: cancelled: %w", err)
	}
	return nil
}

func (r *runner) one(ctx context.Context, est classical.Estimator, p map[string]any, f foldData) (res foldResult) {
	defer func() {
		if v := recover(); v != nil {
			res.err = fmt.Errorf("panic: %v", v)
		}
	}()
	e := est.Clone()
	if err := e.SetParams(p); err != nil {
		return foldResult{err: err}
	}
	t0 := time.Now()
	if err := e.Fit(ctx, f.Xtr, f.ytr); err != nil {
		return foldResult{err: err}
	}
	res.fit = time.Since(t0).Seconds()
	t1 := time.Now()
	s, err := r.score(e, f.Xte, f.yte)
	if err != nil {
		return foldResult{err: err}
	}
	res.test = s
	res.scoreT = time.Since(t1).Seconds()
	if r.c.trainScore {
		if res.train, err = r.score(e, f.Xtr, f.ytr); err != nil {
			return foldResult{err: err}
		}
	}
	return res
}

func progress(w io.Writer, done, total int, el time.Duration) {
	const width = 30
	fill := width * done / max(total, 1)
	eta := ""
	if done > 0 && done < total {
		eta = fmt.Sprintf(" eta %s", (el * time.Duration(total-done) / time.Duration(done)).Round(100*time.Millisecond))
	}
	fmt.Fprintf(w, "\r[%s%s] %d/%d fits %s%s", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total, el.Round(100*time.Millisecond), eta)
}

// CrossValidate fits clones of est on each training fold and scores them
// on the test folds. Options: CV, Shuffle and Seed, CVSplitter, Scoring,
// Jobs, ReturnTrainScore, Verbose.
func CrossValidate(ctx context.Context, est classical.Estimator, X, y *tensor.Tensor, opts ...Option) (*CVResult, error) {
	c := newConfig(opts)
	folds, sc, err := prepare(c, est, X, y)
	if err != nil {
		return nil, err
	}
	r := &runner{c: c, score: sc, folds: folds}
	if err := r.run(ctx, est, []map[string]any{{}}); err != nil {
		return nil, err
	}
	out := &CVResult{}
	for _, res := range r.results {
		out.TestScore = append(out.TestScore, res.test)
		out.FitTime = append(out.FitTime, res.fit)
		out.ScoreTime = append(out.ScoreTime, res.scoreT)
		if c.trainScore {
			out.TrainScore = append(out.TrainScore, res.train)
		}
	}
	return out, nil
}

// CrossValScore returns the test score of each fold (see CrossValidate).
func CrossValScore(ctx context.Context, est classical.Estimator, X, y *tensor.Tensor, opts ...Option) ([]float64, error) {
	r, err := CrossValidate(ctx, est, X, y, opts...)
	if err != nil {
		return nil, err
	}
	return r.TestScore, nil
}

// Mean returns the mean of v.
func Mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// Std returns the population standard deviation of v.
func Std(v []float64) float64 {
	m := Mean(v)
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)))
}
