package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/bayes"
	"github.com/ember-ml/ember/classical/ensemble"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/metrics"
	"github.com/ember-ml/ember/classical/neighbors"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/classical/selection"
	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/serve/adapt"
	"github.com/ember-ml/ember/tensor"
)

// tableResult is the -json line of a table run.
type tableResult struct {
	Task        string    `json:"task"`
	Model       string    `json:"model"`
	Rows        int       `json:"rows"`
	Features    int       `json:"features"`
	CVScores    []float64 `json:"cv_scores,omitempty"`
	CVMean      float64   `json:"cv_mean"`
	CVStd       float64   `json:"cv_std"`
	Accuracy    *float64  `json:"accuracy,omitempty"`
	F1Macro     *float64  `json:"f1_macro,omitempty"`
	ROCAUC      *float64  `json:"roc_auc,omitempty"`
	R2          *float64  `json:"r2,omitempty"`
	RMSE        *float64  `json:"rmse,omitempty"`
	MAE         *float64  `json:"mae,omitempty"`
	FitSeconds  float64   `json:"fit_seconds"`
	WallSeconds float64   `json:"wall_seconds"`
	ModelPath   string    `json:"model_path,omitempty"`
}

// A tableModel makes a fresh estimator; regression says what it predicts.
type tableModel struct {
	make       func() classical.Estimator
	classifier bool
	regressor  bool
}

var tableModels = map[string]tableModel{
	"linear_regression":      {func() classical.Estimator { return linear.NewLinearRegression() }, false, true},
	"ridge":                  {func() classical.Estimator { return linear.NewRidge() }, false, true},
	"lasso":                  {func() classical.Estimator { return linear.NewLasso() }, false, true},
	"elastic_net":            {func() classical.Estimator { return linear.NewElasticNet() }, false, true},
	"logistic_regression":    {func() classical.Estimator { return linear.NewLogisticRegression() }, true, false},
	"svc":                    {func() classical.Estimator { return svm.NewSVC() }, true, false},
	"linear_svc":             {func() classical.Estimator { return svm.NewLinearSVC() }, true, false},
	"svr":                    {func() classical.Estimator { return svm.NewSVR() }, false, true},
	"gaussian_nb":            {func() classical.Estimator { return bayes.NewGaussianNB() }, true, false},
	"decision_tree":          {func() classical.Estimator { return tree.NewDecisionTreeClassifier() }, true, false},
	"random_forest":          {func() classical.Estimator { return ensemble.NewRandomForestClassifier() }, true, false},
	"extra_trees":            {func() classical.Estimator { return ensemble.NewExtraTreesClassifier() }, true, false},
	"gradient_boosting":      {func() classical.Estimator { return ensemble.NewGradientBoostingClassifier() }, true, false},
	"hist_gradient_boosting": {func() classical.Estimator { return ensemble.NewHistGradientBoostingClassifier() }, true, false},
	"adaboost":               {func() classical.Estimator { return ensemble.NewAdaBoostClassifier() }, true, false},
	"knn":                    {func() classical.Estimator { return neighbors.NewKNeighborsClassifier() }, true, false},
	"sgd":                    {func() classical.Estimator { return linear.NewSGDClassifier() }, true, false},
}

// regressorOf gives the regression form of the models that have both.
var regressorOf = map[string]func() classical.Estimator{
	"decision_tree":          func() classical.Estimator { return tree.NewDecisionTreeRegressor() },
	"random_forest":          func() classical.Estimator { return ensemble.NewRandomForestRegressor() },
	"extra_trees":            func() classical.Estimator { return ensemble.NewExtraTreesRegressor() },
	"gradient_boosting":      func() classical.Estimator { return ensemble.NewGradientBoostingRegressor() },
	"hist_gradient_boosting": func() classical.Estimator { return ensemble.NewHistGradientBoostingRegressor() },
	"adaboost":               func() classical.Estimator { return ensemble.NewAdaBoostRegressor() },
	"knn":                    func() classical.Estimator { return neighbors.NewKNeighborsRegressor() },
	"sgd":                    func() classical.Estimator { return linear.NewSGDRegressor() },
}

func modelNames() string {
	names := make([]string, 0, len(tableModels))
	for n := range tableModels {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// isClassification decides the task from the target column: categories,
// or a few distinct integers, make a classification.
func isClassification(c *data.Column) bool {
	if c.Kind() == data.Categorical {
		return true
	}
	seen := map[float64]bool{}
	for _, v := range c.Floats() {
		if math.IsNaN(v) {
			continue
		}
		if v != math.Trunc(v) {
			return false
		}
		seen[v] = true
		if len(seen) > 20 {
			return false
		}
	}
	return len(seen) >= 2
}

// newEstimator returns the named model for the task, seeded.
func newEstimator(name string, classify bool, seed int64) (classical.Estimator, error) {
	tm, ok := tableModels[name]
	if !ok {
		return nil, usagef("-model %q: unknown (known: %s)", name, modelNames())
	}
	est := tm.make()
	switch {
	case classify && !tm.classifier:
		return nil, usagef("-model %s is a regressor, but the target holds classes (categories, or at most 20 distinct integers)", name)
	case !classify && !tm.regressor:
		reg, ok := regressorOf[name]
		if !ok {
			return nil, usagef("-model %s is a classifier, but the target is numeric (regression)", name)
		}
		est = reg()
	}
	if _, ok := est.GetParams()["random_state"]; ok {
		if err := est.SetParams(map[string]any{"random_state": uint64(seed)}); err != nil {
			return nil, err
		}
	}
	if name == "svc" || name == "logistic_regression" && classify {
		if _, ok := est.GetParams()["probability"]; ok {
			_ = est.SetParams(map[string]any{"probability": true})
		}
	}
	return est, nil
}

// preprocessor imputes and scales the numeric columns and imputes and
// one-hot encodes the categorical ones.
func preprocessor(t *data.Table, features []string) classical.Estimator {
	var specs []preprocess.ColumnSpec
	var num, cat []string
	for _, f := range features {
		c, _ := t.Column(f)
		if c.Kind() == data.Categorical {
			cat = append(cat, f)
		} else {
			num = append(num, f)
		}
	}
	if len(num) > 0 {
		imp := preprocess.NewSimpleImputer()
		imp.Strategy = "median"
		specs = append(specs, preprocess.Columns("num", pipeline.New(
			pipeline.Step("imputer", imp), pipeline.Step("scaler", preprocess.NewStandardScaler())), num...))
	}
	if len(cat) > 0 {
		imp := preprocess.NewSimpleImputer()
		imp.Strategy = "most_frequent"
		ohe := preprocess.NewOneHotEncoder()
		ohe.HandleUnknown = "ignore"
		specs = append(specs, preprocess.Columns("cat", pipeline.New(
			pipeline.Step("imputer", imp), pipeline.Step("onehot", ohe)), cat...))
	}
	return preprocess.NewColumnTransformer(specs...).WithFeatureNames(features)
}

// identifierLike returns the categorical features with more than 20
// distinct values that are distinct in over half of the rows (names, ticket
// numbers): each category becomes a one-hot column that rarely generalises.
func identifierLike(t *data.Table, features []string) []string {
	var out []string
	for _, f := range features {
		c, err := t.Column(f)
		if err != nil || c.Kind() != data.Categorical {
			continue
		}
		if k := len(c.Categories()); k > 20 && 2*k > t.NumRows() {
			out = append(out, f)
		}
	}
	return out
}

// recode maps the categorical columns of test onto train's categories, so
// that equal strings get equal codes; unseen categories become missing.
func recode(train, test *data.Table) (*data.Table, error) {
	var cols []*data.Column
	for _, name := range train.Names() {
		tc, err := test.Column(name)
		if err != nil {
			return nil, fmt.Errorf("-test table: %w", err)
		}
		c, _ := train.Column(name)
		if c.Kind() != data.Categorical {
			if tc.Kind() == data.Categorical {
				return nil, fmt.Errorf("-test table: column %q is numeric in the training table but not in the test table", name)
			}
			cols = append(cols, tc)
			continue
		}
		index := map[string]int{}
		for i, s := range c.Categories() {
			index[s] = i
		}
		vals := make([]float64, tc.Len())
		for i := range vals {
			k, ok := index[tc.Str(i)]
			if tc.IsMissing(i) || !ok {
				vals[i] = math.NaN()
			} else {
				vals[i] = float64(k)
			}
		}
		cols = append(cols, data.NewNumericColumn(name, vals))
	}
	return data.NewTable(cols...)
}

func trainTable(ctx context.Context, o *options, stdout, progress io.Writer) (any, error) {
	start := time.Now()
	t, err := data.ReadCSV(o.csv)
	if err != nil {
		return nil, err
	}
	if o.drop != "" {
		if t, err = t.Drop(strings.Split(o.drop, ",")...); err != nil {
			return nil, usagef("-drop: %v", err)
		}
	}
	tc, err := t.Column(o.target)
	if err != nil {
		for _, name := range t.Names() {
			if strings.EqualFold(name, o.target) {
				return nil, usagef("-target %q: not a column of %s; did you mean %q? (columns: %s)", o.target, o.csv, name, strings.Join(t.Names(), ", "))
			}
		}
		return nil, usagef("-target %q: not a column of %s (columns: %s)", o.target, o.csv, strings.Join(t.Names(), ", "))
	}
	if n := tc.NumMissing(); n > 0 {
		fmt.Fprintf(progress, "dropping %d rows without a %s\n", n, o.target)
		if t, err = t.DropMissing(o.target); err != nil {
			return nil, err
		}
		tc, _ = t.Column(o.target)
	}
	classify := isClassification(tc)
	name := o.model
	if name == "" {
		name = "random_forest"
		if !classify {
			name = "ridge"
		}
	}
	est, err := newEstimator(name, classify, o.seed)
	if err != nil {
		return nil, err
	}
	X, y, features, err := t.XY(o.target)
	if err != nil {
		return nil, err
	}
	if len(features) == 0 {
		return nil, fmt.Errorf("%s has no feature columns besides %q", o.csv, o.target)
	}
	var classes []string
	if classify {
		if tc.Kind() == data.Categorical {
			classes = tc.Categories()
		} else {
			for _, v := range uniqueSorted(y.Float64s()) {
				classes = append(classes, strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
	}
	model := pipeline.New(pipeline.Step("preprocessor", preprocessor(t, features)), pipeline.Step("model", est))
	task := "regression"
	if classify {
		task = "classification"
	}
	fmt.Fprintf(progress, "%s: %d rows, %d features (%d categorical), target %q: %s with %s\n",
		o.csv, t.NumRows(), len(features), len(t.CategoricalNames(o.target)), o.target, task, name)
	for _, f := range identifierLike(t, features) {
		c, _ := t.Column(f)
		fmt.Fprintf(progress, "note: column %q has %d distinct values in %d rows, like an identifier; it becomes as many one-hot columns (-drop %s leaves it out)\n",
			f, len(c.Categories()), t.NumRows(), f)
	}

	var Xtr, Xte, ytr, yte *tensor.Tensor
	if o.testCSV != "" {
		tt, err := data.ReadCSV(o.testCSV)
		if err != nil {
			return nil, err
		}
		if tt, err = recode(t, tt); err != nil {
			return nil, err
		}
		if Xte, yte, _, err = tt.XY(o.target); err != nil {
			return nil, fmt.Errorf("-test: %w", err)
		}
		Xtr, ytr = X, y
	} else {
		opts := []selection.Option{selection.Seed(uint64(o.seed))}
		if classify {
			opts = append(opts, selection.Stratify())
		}
		if Xtr, Xte, ytr, yte, err = selection.TrainTestSplit(X, y, o.testSize, opts...); err != nil {
			return nil, err
		}
	}

	res := tableResult{Task: task, Model: name, Rows: t.NumRows(), Features: len(features)}
	if o.cv > 0 {
		scoring := "r2"
		if classify {
			scoring = "accuracy"
		}
		scores, err := selection.CrossValScore(ctx, model, Xtr, ytr, selection.CV(o.cv), selection.Scoring(scoring),
			selection.Seed(uint64(o.seed)), selection.Jobs(-1))
		if err != nil {
			return nil, err
		}
		res.CVScores, res.CVMean, res.CVStd = scores, selection.Mean(scores), selection.Std(scores)
		fmt.Fprintf(stdout, "%d-fold cross-validation %s: %.4f ± %.4f %s\n", o.cv, scoring, res.CVMean, res.CVStd, fmtScores(scores))
	}
	fitStart := time.Now()
	if err := model.Fit(ctx, Xtr, ytr); err != nil {
		return nil, err
	}
	res.FitSeconds = time.Since(fitStart).Seconds()
	pred, err := model.Predict(Xte)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "test set: %d rows\n", Xte.Shape()[0])
	if classify {
		acc, err := metrics.Accuracy(yte, pred)
		if err != nil {
			return nil, err
		}
		f1, err := metrics.F1(yte, pred, metrics.Average("macro"))
		if err != nil {
			return nil, err
		}
		res.Accuracy, res.F1Macro = &acc, &f1
		labels := make([]float64, len(classes))
		for i := range labels {
			labels[i] = float64(i)
		}
		if tc.Kind() != data.Categorical {
			labels = uniqueSorted(y.Float64s())
		}
		report, err := metrics.ClassificationReport(yte, pred, metrics.Labels(labels...), metrics.TargetNames(classes...))
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(stdout, report)
		if auc, ok := rocAUC(model, Xte, yte, len(classes)); ok {
			res.ROCAUC = &auc
			fmt.Fprintf(stdout, "ROC AUC: %.4f\n", auc)
		}
	} else {
		r2, err1 := metrics.R2(yte, pred)
		rmse, err2 := metrics.RootMeanSquaredError(yte, pred)
		mae, err3 := metrics.MeanAbsoluteError(yte, pred)
		if err := firstErr(err1, err2, err3); err != nil {
			return nil, err
		}
		res.R2, res.RMSE, res.MAE = &r2, &rmse, &mae
		fmt.Fprintf(stdout, "R2 %.4f  RMSE %.4f  MAE %.4f\n", r2, rmse, mae)
	}
	if o.save != "" {
		categories := map[string][]string{}
		for _, f := range features {
			if c, _ := t.Column(f); c.Kind() == data.Categorical {
				categories[f] = c.Categories()
			}
		}
		if err := saveTableModel(o.save, model, Xtr, features, classes, categories, classify); err != nil {
			return nil, err
		}
		res.ModelPath = o.save
		fmt.Fprintf(progress, "model saved to %s (serve it with: go run ./cmd/serve -model %s)\n", o.save, o.save)
	}
	res.WallSeconds = time.Since(start).Seconds()
	return res, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func fmtScores(s []float64) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.FormatFloat(v, 'f', 4, 64)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func uniqueSorted(v []float64) []float64 {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// rocAUC is the ROC AUC of a binary classifier's probability of the
// second class, or the one-vs-rest macro AUC for more classes.
func rocAUC(model classical.Estimator, X, y *tensor.Tensor, classes int) (float64, bool) {
	clf, ok := model.(classical.Classifier)
	if !ok || classes < 2 {
		return 0, false
	}
	proba, err := clf.PredictProba(X)
	if err != nil {
		return 0, false
	}
	var auc float64
	if classes == 2 {
		auc, err = metrics.ROCAUC(y, proba.Narrow(1, 1, 1).Reshape(-1))
	} else {
		auc, err = metrics.ROCAUC(y, proba, metrics.MultiClass("ovr"))
	}
	return auc, err == nil
}

// saveTableModel writes the model directory cmd/serve reads: the fitted
// pipeline, serving metadata and training statistics for drift monitoring.
func saveTableModel(dir string, model classical.Estimator, Xtr *tensor.Tensor, features, classes []string, categories map[string][]string, classify bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := classical.Save(filepath.Join(dir, adapt.ModelFile), model); err != nil {
		return err
	}
	kind := serve.Regressor
	if classify {
		kind = serve.Classifier
	}
	// The pipeline imputes missing values, so the server may pass nulls
	// and unseen categories on as missing.
	meta := adapt.Meta{Name: filepath.Base(filepath.Clean(dir)), Kind: kind, NumFeatures: len(features),
		FeatureNames: features, Classes: classes, Categories: categories, AcceptsMissing: true}
	if err := adapt.WriteMeta(dir, meta); err != nil {
		return err
	}
	stats, err := serve.ComputeStats(Xtr, features)
	if err != nil {
		return err
	}
	return serve.SaveStats(filepath.Join(dir, adapt.StatsFile), stats)
}
