package selection_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/metrics"
	"github.com/ember-ml/ember/classical/pipeline"
	"github.com/ember-ml/ember/classical/preprocess"
	"github.com/ember-ml/ember/classical/selection"
	"github.com/ember-ml/ember/classical/svm"
	"github.com/ember-ml/ember/data"
)

// The scikit-learn workflow: a CSV table with numeric and categorical
// columns, a ColumnTransformer that scales the numeric
// columns and one-hot encodes the categorical ones by name, a classifier
// after it in a Pipeline, a grid search over nested parameter names on all
// cores, and a report on a stratified held-out test set.
func Example_pipelineGridSearch() {
	ctx := context.Background()
	table, err := data.ReadCSV("../testdata/customers.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	X, y, names, err := table.XY("churn")
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
	table, err := data.ReadCSV("../testdata/customers.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	X, y, _, err := table.XY("churn")
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
	// accuracy 0.858 ± 0.031 over 5 folds
}
