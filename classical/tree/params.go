package tree

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/ember-ml/ember/classical"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// CheckMaxFeatures normalises a max_features parameter: nil (all
// features), "sqrt", "log2", "auto" (as "sqrt"), an int count >= 1, or a
// float fraction in (0, 1]. Whole floats above 1 (as JSON gives) become
// ints; the float 1.0 means all features and becomes nil.
func CheckMaxFeatures(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		switch x {
		case "sqrt", "log2":
			return x, nil
		case "auto":
			return "sqrt", nil
		}
		return nil, fmt.Errorf("max_features %q: want nil, \"sqrt\", \"log2\", an int or a float in (0, 1]", x)
	case float64, float32:
		f, _ := classical.AsFloat(x)
		if f == 1 {
			return nil, nil
		}
		if f > 0 && f < 1 {
			return f, nil
		}
		if f > 1 && f == math.Trunc(f) && f < 1<<31 {
			return int(f), nil
		}
		return nil, fmt.Errorf("max_features %v: a float must be in (0, 1]", f)
	default:
		n, err := classical.AsInt(v)
		if err != nil {
			return nil, fmt.Errorf("max_features: %v", err)
		}
		if n < 1 {
			return nil, fmt.Errorf("max_features %d: must be >= 1", n)
		}
		return n, nil
	}
}

// ResolveMaxFeatures turns a max_features value (see CheckMaxFeatures)
// into a count of features out of p, as scikit-learn does.
func ResolveMaxFeatures(v any, p int) int {
	switch x := v.(type) {
	case string:
		if x == "log2" {
			return max(1, int(math.Log2(float64(p))))
		}
		return max(1, int(math.Sqrt(float64(p))))
	case float64:
		return max(1, int(x*float64(p)))
	case int:
		return min(x, p)
	}
	return p
}

// CheckClassWeight normalises a class_weight parameter: nil, "balanced",
// "balanced_subsample" (forests) or weights by class label (see
// classical.CheckClassWeight).
func CheckClassWeight(v any) (any, error) {
	return classical.CheckClassWeight(v, "balanced", "balanced_subsample")
}

// EncodeClasses returns the sorted classes of y and each sample's class
// index as int32.
func EncodeClasses(y []float64) ([]float64, []int32) {
	classes, idx := classical.Classes(y)
	out := make([]int32, len(idx))
	for i, k := range idx {
		out[i] = int32(k)
	}
	return classes, out
}
