package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ember-ml/ember/tensor"
)

var initializerNames = []string{"glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "random_normal", "random_uniform", "zeros", "ones"}

func checkInitializer(name string) error {
	for _, n := range initializerNames {
		if n == name {
			return nil
		}
	}
	return fmt.Errorf("unknown initializer %q (want one of %v)", name, initializerNames)
}

// fans returns fan-in and fan-out of a weight shape as Keras computes them:
// [in, out] for Dense, [out, in, kh, kw] for Conv2D, [n] for a bias.
func fans(shape []int) (in, out float64) {
	switch len(shape) {
	case 1:
		return float64(shape[0]), float64(shape[0])
	case 2:
		return float64(shape[0]), float64(shape[1])
	}
	rf := 1
	for _, d := range shape[2:] {
		rf *= d
	}
	return float64(shape[1] * rf), float64(shape[0] * rf)
}

// initialize returns a new tensor of the shape filled by the named
// initializer. The normal variants of glorot/he/lecun draw from a normal
// truncated at two standard deviations, scaled as Keras does.
func initialize(name string, dt tensor.DType, rng *rand.Rand, shape ...int) *tensor.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float64, n)
	fin, fout := fans(shape)
	uniform := func(limit float64) {
		for i := range v {
			v[i] = (2*rng.Float64() - 1) * limit
		}
	}
	truncNormal := func(std float64) {
		// Keras divides by the std of a unit normal truncated to [-2, 2].
		std /= 0.87962566103423978
		for i := range v {
			for {
				z := rng.NormFloat64()
				if math.Abs(z) <= 2 {
					v[i] = z * std
					break
				}
			}
		}
	}
	switch name {
	case "glorot_uniform":
		uniform(math.Sqrt(6 / (fin + fout)))
	case "glorot_normal":
		truncNormal(math.Sqrt(2 / (fin + fout)))
	case "he_normal":
		truncNormal(math.Sqrt(2 / fin))
	case "he_uniform":
		uniform(math.Sqrt(6 / fin))
	case "lecun_normal":
		truncNormal(math.Sqrt(1 / fin))
	case "lecun_uniform":
		uniform(math.Sqrt(3 / fin))
	case "random_normal":
		for i := range v {
			v[i] = rng.NormFloat64() * 0.05
		}
	case "random_uniform":
		uniform(0.05)
	case "zeros":
	case "ones":
		for i := range v {
			v[i] = 1
		}
	default:
		panic(fmt.Sprintf("nn: unknown initializer %q", name))
	}
	return tensor.FromSlice(dt, v, shape...)
}
