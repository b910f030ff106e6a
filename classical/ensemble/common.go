package ensemble

import (
	"errors"
	"fmt"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/tree"
	"github.com/ember-ml/ember/tensor"
)

// This file holds the pieces that several of the ensembles share.

// sumImportances adds up the normalised importances of the trees that
// split at least once and normalises the sum: feature_importances_ of the
// forests and of gradient boosting.
func sumImportances(trees []*tree.Tree, nFeat int) []float64 {
	imp := make([]float64, nFeat)
	for _, t := range trees {
		if len(t.Nodes) <= 1 {
			continue
		}
		for j, v := range t.Importances() {
			imp[j] += v
		}
	}
	tree.Normalize(imp)
	return imp
}

// checkTrees reports the first tree of a loaded model that is missing or
// does not have nFeat features and nValues values per node.
func checkTrees(trees []*tree.Tree, nFeat, nValues int) error {
	for i, t := range trees {
		if t == nil || t.NFeatures != nFeat || t.NValues != nValues {
			return fmt.Errorf("tree %d does not match the model", i)
		}
	}
	return nil
}

// encodeClasses maps the labels ys to class indices and refuses a single
// class.
func encodeClasses(est string, ys []float64) (classes []float64, idx []int32, err error) {
	classes, idx = tree.EncodeClasses(ys)
	if len(classes) < 2 {
		return nil, nil, classical.Invalidf(est, "y has a single class %v; at least two are needed", classes)
	}
	return classes, idx, nil
}

// nOutputs is the number of raw scores per sample of a log-loss boosting
// model with nc classes: one (the binomial log-odds) for two classes, one
// per class otherwise.
func nOutputs(nc int) int {
	if nc == 2 {
		return 1
	}
	return nc
}

// checkOutputs checks a loaded log-loss boosting model's classes against
// its number of raw scores K.
func checkOutputs(nc, K int) error {
	if nc < 2 || K != nOutputs(nc) {
		return errors.New("classes do not match the number of outputs")
	}
	return nil
}

// rawScores wraps the raw scores [n, K] of a boosting classifier as its
// decision function: [n] when K is 1, [n, K] otherwise.
func rawScores(raw []float64, n, K int) *tensor.Tensor {
	if K == 1 {
		return classical.Vector(raw)
	}
	return tensor.FromFloat64(raw, n, K)
}
