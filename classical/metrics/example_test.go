package metrics_test

import (
	"fmt"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/metrics"
)

// The text table scikit-learn's classification_report prints.
func ExampleClassificationReport() {
	yTrue := classical.Vector([]float64{0, 1, 2, 2, 2, 1, 0, 0})
	yPred := classical.Vector([]float64{0, 2, 2, 2, 1, 1, 0, 1})
	report, err := metrics.ClassificationReport(yTrue, yPred, metrics.TargetNames("cat", "dog", "bird"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(report)
	// Output:
	//               precision    recall  f1-score   support
	//
	//          cat       1.00      0.67      0.80         3
	//          dog       0.33      0.50      0.40         2
	//         bird       0.67      0.67      0.67         3
	//
	//     accuracy                           0.62         8
	//    macro avg       0.67      0.61      0.62         8
	// weighted avg       0.71      0.62      0.65         8
}

// ROC curve and its area for a binary problem scored by a classifier.
func ExampleROCCurve() {
	y := classical.Vector([]float64{0, 0, 1, 1})
	score := classical.Vector([]float64{0.1, 0.4, 0.35, 0.8})
	fpr, tpr, thr, _ := metrics.ROCCurve(y, score)
	auc, _ := metrics.ROCAUC(y, score)
	fmt.Println("fpr", fpr)
	fmt.Println("tpr", tpr)
	fmt.Println("thresholds", thr)
	fmt.Println("auc", auc)
	// Output:
	// fpr [0 0 0.5 0.5 1]
	// tpr [0 0.5 0.5 1 1]
	// thresholds [1.8 0.8 0.4 0.35 0.1]
	// auc 0.75
}
