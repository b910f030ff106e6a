package selection_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/metrics"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/classical/selection"
	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/tensor"
)

// readTable is a minimal CSV reader for the example: numbers stay numbers,
// other columns become category codes in order of first appearance, and
// the target column becomes y. (Package data's table reader does this with
// type inference and missing values.)
func readTable(path, target string) (X, y *tensor.Tensor, names []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, nil, err
	}
	codes := map[int]map[string]float64{}
	var xs, ys []float64
	for _, row := range rows[1:] {
		for j, s := range row {
			v, perr := strconv.ParseFloat(s, 64)
			if perr != nil {
				if codes[j] == nil {
					codes[j] = map[string]float64{}
				}
				if _, ok := codes[j][s]; !ok {
					codes[j][s] = float64(len(codes[j]))
				}
				v = codes[j][s]
			}
			if rows[0][j] == target {
				ys = append(ys, v)
			} else {
				xs = append(xs, v)
			}
		}
	}
	for _, n := range rows[0] {
		if n != target {
			names = append(names, n)
		}
	}
	return tensor.FromFloat64(xs, len(ys), len(names)), classical.Vector(ys), names, nil
}

// The scikit-learn workflow: a ColumnTransformer that scales the numeric
// columns and one-hot encodes the categorical ones by name, a classifier
// after it in a Pipeline, a grid search over nested parameter names on all
// cores, and a report on a stratified held-out test set.
func Example_pipelineGridSearch() {
	ctx := context.Background()
	X, y, names, err := readTable("../testdata/customers.csv", "churn")
	if err != nil {
		fmt.Println(err)
		return
	}
	pre := preprocess.NewColumnTransformer(
		preprocess.Columns("num", preprocess.NewStandardScaler(), "age", "salary", "experience"),
		preprocess.Columns("cat", preprocess.NewOneHotEncoder(), "department", "location"),
	).WithFeatureNames(names)
	pipe := pipeline.New(
		pipeline.Step("preprocessor", pre),
		pipeline.Step("classifier", svm.NewSVC()),
	)
	search := selection.NewGridSearchCV(pipe, selection.Grid{
		"classifier__C":      {0.1, 1.0, 10.0},
		"classifier__kernel": {"linear", "rbf"},
		"classifier__gamma":  {"scale", 0.01},
	}, selection.CV(5), selection.Scoring("accuracy"), selection.Jobs(-1))

	Xtr, Xte, ytr, yte, err := selection.TrainTestSplit(X, y, 0.25, selection.Stratify(), selection.Seed(42))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := search.Fit(ctx, Xtr, ytr); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("best:", search.BestParams())
	fmt.Printf("cv accuracy: %.3f\n", search.BestScore())
	pred, err := search.Predict(Xte)
	if err != nil {
		fmt.Println(err)
		return
	}
	report, err := metrics.ClassificationReport(yte, pred, metrics.TargetNames("stays", "churns"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(report)
	// Output:
	// best: map[classifier__C:1 classifier__gamma:scale classifier__kernel:linear]
	// cv accuracy: 0.850
	//               precision    recall  f1-score   support
	//
	//        stays       0.85      0.79      0.82        29
	//       churns       0.82      0.87      0.84        31
	//
	//     accuracy                           0.83        60
	//    macro avg       0.84      0.83      0.83        60
	// weighted avg       0.83      0.83      0.83        60
}

// Cross-validation of a scaled logistic regression, as
// cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=5).
func ExampleCrossValScore() {
	X, y, _, err := readTable("../testdata/customers.csv", "churn")
	if err != nil {
		fmt.Println(err)
		return
	}
	pipe := pipeline.New(
		pipeline.Step("scaler", preprocess.NewStandardScaler()),
		pipeline.Step("logreg", linear.NewLogisticRegression()),
	)
	scores, err := selection.CrossValScore(context.Background(), pipe, X, y, selection.CV(5), selection.Jobs(-1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy %.3f ± %.3f over %d folds\n", selection.Mean(scores), selection.Std(scores), len(scores))
	// Output:
	// accuracy 0.854 ± 0.051 over 5 folds
}
