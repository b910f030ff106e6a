package tensor

import (
	"fmt"
	"math"
)

type float interface{ ~float32 | ~float64 }

// unaryFunc returns the scalar function of op, for the ops without a
// specialised loop.
func unaryFunc(op UnaryOp, p0, p1 float64) func(float64) float64 {
	switch op {
	case OpNeg:
		return func(x float64) float64 { return -x }
	case OpAbs:
		return math.Abs
	case OpExp:
		return math.Exp
	case OpLog:
		return math.Log
	case OpSqrt:
		return math.Sqrt
	case OpRsqrt:
		return func(x float64) float64 { return 1 / math.Sqrt(x) }
	case OpSquare:
		return func(x float64) float64 { return x * x }
	case OpReciprocal:
		return func(x float64) float64 { return 1 / x }
	case OpTanh:
		return math.Tanh
	case OpSigmoid:
		return sigmoid
	case OpRelu:
		return func(x float64) float64 {
			if x > 0 {
				return x
			}
			return 0
		}
	case OpSin:
		return math.Sin
	case OpCos:
		return math.Cos
	case OpSign:
		return func(x float64) float64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return x
		}
	case OpFloor:
		return math.Floor
	case OpCeil:
		return math.Ceil
	case OpRound:
		return math.RoundToEven
	case OpSoftplus:
		return func(x float64) float64 {
			if x > 20 {
				return x
			}
			return math.Log1p(math.Exp(x))
		}
	case OpGelu:
		return func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
		}
	case OpGeluExact:
		return func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }
	case OpErf:
		return math.Erf
	case OpLog1p:
		return math.Log1p
	case OpExpm1:
		return math.Expm1
	case OpPowScalar:
		if p0 == 2 {
			return func(x float64) float64 { return x * x }
		}
		return func(x float64) float64 { return math.Pow(x, p0) }
	case OpAddScalar:
		return func(x float64) float64 { return x + p0 }
	case OpMulScalar:
		return func(x float64) float64 { return x * p0 }
	case OpAffine:
		return func(x float64) float64 { return x*p0 + p1 }
	case OpClip:
		return func(x float64) float64 {
			if x < p0 {
				return p0
			}
			if x > p1 {
				return p1
			}
			return x
		}
	case OpLeakyRelu:
		return func(x float64) float64 {
			if x > 0 {
				return x
			}
			return p0 * x
		}
	case OpElu:
		return func(x float64) float64 {
			if x > 0 {
				return x
			}
			return p0 * math.Expm1(x)
		}
	case OpReluGrad:
		return func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return 0
		}
	case OpStep:
		return func(x float64) float64 {
			if x > p0 {
				return 1
			}
			return 0
		}
	case OpIsNaN:
		return func(x float64) float64 {
			if x != x {
				return 1
			}
			return 0
		}
	case OpNanToNum:
		return func(x float64) float64 {
			if x != x {
				return p0
			}
			return x
		}
	case OpRsubScalar:
		return func(x float64) float64 { return p0 - x }
	case OpRdivScalar:
		return func(x float64) float64 { return p0 / x }
	}
	panic(fmt.Sprintf("tensor: unknown unary op %d", op))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// unaryRow applies op to n elements: d[i] = f(s[i*inc]).
func unaryRow[T float](op UnaryOp, d []T, s []T, inc int, p0, p1 float64) {
	n := len(d)
	if inc == 1 {
		if d32, ok := any(d).([]float32); ok && unaryRow32(op, d32, any(s).([]float32)[:n], p0, p1) {
			return
		}
		if d64, ok := any(d).([]float64); ok && op == OpRelu {
			// Branch-free: random signs would mispredict half the time.
			// Clearing by the sign bit maps -0 and negative NaNs to 0.
			for i, x := range any(s).([]float64)[:n] {
				b := math.Float64bits(x)
				d64[i] = math.Float64frombits(b &^ uint64(int64(b)>>63))
			}
			return
		}
	}
	switch {
	case op == OpRelu && inc == 1:
		s = s[:n]
		for i, x := range s {
			if x > 0 {
				d[i] = x
			} else {
				d[i] = 0
			}
		}
	case op == OpReluGrad && inc == 1:
		s = s[:n]
		for i, x := range s {
			if x > 0 {
				d[i] = 1
			} else {
				d[i] = 0
			}
		}
	case op == OpMulScalar && inc == 1:
		c := T(p0)
		s = s[:n]
		for i, x := range s {
			d[i] = x * c
		}
	case op == OpAddScalar && inc == 1:
		c := T(p0)
		s = s[:n]
		for i, x := range s {
			d[i] = x + c
		}
	case op == OpAffine && inc == 1:
		a, b := T(p0), T(p1)
		s = s[:n]
		for i, x := range s {
			d[i] = x*a + b
		}
	case op == OpNeg && inc == 1:
		s = s[:n]
		for i, x := range s {
			d[i] = -x
		}
	case op == OpSquare && inc == 1:
		s = s[:n]
		for i, x := range s {
			d[i] = x * x
		}
	case op == OpExp:
		for i := range d {
			d[i] = T(math.Exp(float64(s[i*inc])))
		}
	default:
		f := unaryFunc(op, p0, p1)
		for i := range d {
			d[i] = T(f(float64(s[i*inc])))
		}
	}
}

// unaryRow32 handles the float32 ops with a faster contiguous loop and
// reports whether op was one of them.
func unaryRow32(op UnaryOp, d, s []float32, p0, p1 float64) bool {
	switch op {
	case OpRelu:
		if reluF32(d, s) {
			return true
		}
		for i, x := range s {
			b := math.Float32bits(x)
			d[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
		}
	case OpMulScalar, OpAddScalar, OpAffine:
		a, b := float32(p0), float32(p1)
		switch op {
		case OpMulScalar:
			b = 0
		case OpAddScalar:
			a, b = 1, float32(p0)
		}
		return affineF32(d, s, a, b)
	case OpExp:
		expF32(d, s)
	case OpSigmoid:
		// 1/(1+e**-x): e**-x overflows to +Inf for very negative x, giving
		// exactly 0, and the division keeps the relative precision.
		sigmoidF32(d, s)
	case OpTanh:
		tanhF32(d, s)
	default:
		return false
	}
	return true
}

// binaryRow applies op to n elements: d[i] = a[i*ia] op b[i*ib].
func binaryRow[T float](op BinaryOp, d, a []T, ia int, b []T, ib int) {
	n := len(d)
	if ia == 1 && ib == 1 && (op == OpAdd || op == OpMul) {
		if d32, ok := any(d).([]float32); ok {
			a32, b32 := any(a).([]float32)[:n], any(b).([]float32)[:n]
			if (op == OpAdd && addF32(d32, a32, b32)) || (op == OpMul && mulF32(d32, a32, b32)) {
				return
			}
		}
	}
	switch op {
	case OpAdd:
		switch {
		case ia == 1 && ib == 1:
			a, b := a[:n], b[:n]
			for i := range d {
				d[i] = a[i] + b[i]
			}
		case ia == 1 && ib == 0:
			c := b[0]
			a := a[:n]
			for i := range d {
				d[i] = a[i] + c
			}
		case ia == 0 && ib == 1:
			c := a[0]
			b := b[:n]
			for i := range d {
				d[i] = c + b[i]
			}
		default:
			for i := range d {
				d[i] = a[i*ia] + b[i*ib]
			}
		}
	case OpSub:
		switch {
		case ia == 1 && ib == 1:
			a, b := a[:n], b[:n]
			for i := range d {
				d[i] = a[i] - b[i]
			}
		case ia == 1 && ib == 0:
			c := b[0]
			a := a[:n]
			for i := range d {
				d[i] = a[i] - c
			}
		default:
			for i := range d {
				d[i] = a[i*ia] - b[i*ib]
			}
		}
	case OpMul:
		switch {
		case ia == 1 && ib == 1:
			a, b := a[:n], b[:n]
			for i := range d {
				d[i] = a[i] * b[i]
			}
		case ia == 1 && ib == 0:
			c := b[0]
			a := a[:n]
			for i := range d {
				d[i] = a[i] * c
			}
		case ia == 0 && ib == 1:
			c := a[0]
			b := b[:n]
			for i := range d {
				d[i] = c * b[i]
			}
		default:
			for i := range d {
				d[i] = a[i*ia] * b[i*ib]
			}
		}
	case OpDiv:
		for i := range d {
			d[i] = a[i*ia] / b[i*ib]
		}
	default:
		f := binaryFunc(op)
		for i := range d {
			d[i] = T(f(float64(a[i*ia]), float64(b[i*ib])))
		}
	}
}

func b2f(c bool) float64 {
	if c {
		return 1
	}
	return 0
}

func binaryFunc(op BinaryOp) func(x, y float64) float64 {
	switch op {
	case OpAdd:
		return func(x, y float64) float64 { return x + y }
	case OpSub:
		return func(x, y float64) float64 { return x - y }
	case OpMul:
		return func(x, y float64) float64 { return x * y }
	case OpDiv:
		return func(x, y float64) float64 { return x / y }
	case OpPow:
		return math.Pow
	case OpMaximum:
		return func(x, y float64) float64 {
			if x != x || x > y {
				return x
			}
			return y
		}
	case OpMinimum:
		return func(x, y float64) float64 {
			if x != x || x < y {
				return x
			}
			return y
		}
	case OpEq:
		return func(x, y float64) float64 { return b2f(x == y) }
	case OpNe:
		return func(x, y float64) float64 { return b2f(x != y) }
	case OpLt:
		return func(x, y float64) float64 { return b2f(x < y) }
	case OpLe:
		return func(x, y float64) float64 { return b2f(x <= y) }
	case OpGt:
		return func(x, y float64) float64 { return b2f(x > y) }
	case OpGe:
		return func(x, y float64) float64 { return b2f(x >= y) }
	case OpAtan2:
		return math.Atan2
	}
	panic(fmt.Sprintf("tensor: unknown binary op %d", op))
}
