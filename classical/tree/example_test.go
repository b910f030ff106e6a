package tree_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/tree"
)

// Fit a shallow tree on iris and print its rules, like scikit-learn's
// export_text (ExportDOT gives the Graphviz picture of plot_tree). The
// first split ties between petal length and petal width (the same
// partition); the feature order drawn from random_state decides.
func ExampleDecisionTreeClassifier() {
	X, y, err := testdata.Load("iris.csv")
	if err != nil {
		panic(err)
	}
	clf := tree.NewDecisionTreeClassifier()
	clf.MaxDepth = 2
	if err := clf.Fit(context.Background(), X, y); err != nil {
		panic(err)
	}
	acc, _ := clf.Score(X, y)
	rules, _ := clf.ExportText(tree.ExportOptions{
		FeatureNames: []string{"sepal length", "sepal width", "petal length", "petal width"},
		ClassNames:   []string{"setosa", "versicolor", "virginica"},
	})
	fmt.Printf("training accuracy %.3f\n%s", acc, rules)
	fmt.Printf("importances %.3f\n", clf.FeatureImportances())
	// Output:
	// training accuracy 0.960
	// |--- petal width <= 0.80
	// |   |--- class: setosa
	// |--- petal width >  0.80
	// |   |--- petal width <= 1.75
	// |   |   |--- class: versicolor
	// |   |--- petal width >  1.75
	// |   |   |--- class: virginica
	// importances [0.000 0.000 0.000 1.000]
}
