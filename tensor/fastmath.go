package tensor

import "math"

// Float32 versions of the transcendental functions that dominate
// activation and softmax time. They compute in float32 (Cephes' expf and
// tanhf polynomials, about 1 ulp) instead of converting to float64 and
// calling package math, which is several times slower.

const (
	expfHi    = 88.72283
	expfLo    = -104 // below this the result rounds to 0
	log2e32   = 1.44269504088896341
	ln2Hi32   = 0.693359375
	ln2Lo32   = -2.12194440e-4
	roundMag  = 12582912 // 1.5·2²³: adding and subtracting it rounds to an integer
	tanhSmall = 0.625
)

// expf returns e**x in float32.
func expf(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > expfHi:
		return float32(math.Inf(1))
	case x < expfLo:
		return 0
	}
	n := x*log2e32 + roundMag
	n -= roundMag
	r := x - n*ln2Hi32
	r -= n * ln2Lo32
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	y := p*r*r + r + 1
	// Scale by 2**n as 2**(n>>1) · 2**(n-(n>>1)): n is in [-150, 128], and
	// both factors are normal floats, so the products round to denormals
	// and +Inf correctly (the same as the AVX2 loop in simd_amd64.s).
	ni := int32(n)
	n1 := ni >> 1
	return y * math.Float32frombits(uint32(n1+127)<<23) * math.Float32frombits(uint32(ni-n1+127)<<23)
}

// sigmoidf returns 1/(1+e**-x) in float32.
func sigmoidf(x float32) float32 {
	if x >= 0 {
		return 1 / (1 + expf(-x))
	}
	e := expf(x)
	return e / (1 + e)
}

// tanhf returns the hyperbolic tangent in float32.
func tanhf(x float32) float32 {
	a := x
	if a < 0 {
		a = -a
	}
	switch {
	case x != x:
		return x
	case a < tanhSmall:
		z := x * x
		p := float32(-5.70498872745e-3)
		p = p*z + 2.06390887954e-2
		p = p*z - 5.37397155531e-2
		p = p*z + 1.33314422036e-1
		p = p*z - 3.33332819422e-1
		return x + x*z*p
	case a > 9:
		if x > 0 {
			return 1
		}
		return -1
	}
	t := 1 - 2/(expf(2*a)+1)
	if x < 0 {
		return -t
	}
	return t
}
