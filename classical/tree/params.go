package tree

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

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
// or a map from label to weight (map[float64]float64, or a map with string
// keys as JSON gives).
func CheckClassWeight(v any) (any, error) {
	switch w := v.(type) {
	case nil:
		return nil, nil
	case string:
		if w != "balanced" && w != "balanced_subsample" {
			return nil, fmt.Errorf("class_weight %q: want nil, \"balanced\" or a map", w)
		}
		return w, nil
	case map[float64]float64:
		out := make(map[float64]float64, len(w))
		for k, x := range w {
			if !(x >= 0) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("class_weight for %v is %v; want a finite weight >= 0", k, x)
			}
			out[k] = x
		}
		return out, nil
	case map[string]any:
		out := map[float64]float64{}
		for k, x := range w {
			kf, err := strconv.ParseFloat(k, 64)
			if err != nil {
				return nil, fmt.Errorf("class_weight key %q is not a number", k)
			}
			f, err := classical.AsFloat(x)
			if err != nil {
				return nil, err
			}
			out[kf] = f
		}
		return CheckClassWeight(out)
	}
	return nil, fmt.Errorf("class_weight: want nil, \"balanced\" or map[float64]float64, got %T", v)
}

// ClassSampleWeights returns per-sample weights for class_weight cw, given
// the sorted classes and each sample's class index ("balanced" weighs a
// class by n / (classes * count)).
func ClassSampleWeights(cw any, classes []float64, idx []int32) []float64 {
	n := len(idx)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	switch c := cw.(type) {
	case string:
		counts := make([]float64, len(classes))
		for _, k := range idx {
			counts[k]++
		}
		for i, k := range idx {
			w[i] = float64(n) / (float64(len(classes)) * counts[k])
		}
	case map[float64]float64:
		for i, k := range idx {
			if v, ok := c[classes[k]]; ok {
				w[i] = v
			}
		}
	}
	return w
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
