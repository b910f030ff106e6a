// Package tensortest is the conformance suite that every tensor backend
// passes: each operation, run on the backend's device, is checked against a
// naive reference computed on the host, in both element types, with
// contiguous, strided and permuted operands, broadcasting, and size-0 and
// size-1 dimensions.
//
// A backend's tests call Run with its device:
//
//	func TestConformance(t *testing.T) { tensortest.Run(t, tensor.CPU) }
package tensortest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

var dtypes = []tensor.DType{tensor.Float32, tensor.Float64}

// Run runs the whole suite on dev, one subtest per operation family.
func Run(t *testing.T, dev tensor.Device) {
	t.Run("Transfer", func(t *testing.T) { testTransfer(t, dev) })
	t.Run("Copy", func(t *testing.T) { testCopy(t, dev) })
	t.Run("Unary", func(t *testing.T) { testUnary(t, dev) })
	t.Run("Binary", func(t *testing.T) { testBinary(t, dev) })
	t.Run("Where", func(t *testing.T) { testWhere(t, dev) })
	t.Run("Reduce", func(t *testing.T) { testReduce(t, dev) })
	t.Run("ArgMax", func(t *testing.T) { testArg(t, dev) })
	t.Run("MatMul", func(t *testing.T) { testMatMul(t, dev) })
	t.Run("Softmax", func(t *testing.T) { testSoftmax(t, dev) })
	t.Run("Index", func(t *testing.T) { testIndex(t, dev) })
	t.Run("Concat", func(t *testing.T) { testConcat(t, dev) })
	t.Run("Conv2D", func(t *testing.T) { testConv(t, dev) })
	t.Run("Pool", func(t *testing.T) { testPool(t, dev) })
	t.Run("Bernoulli", func(t *testing.T) { testBernoulli(t, dev) })
	t.Run("Optimizers", func(t *testing.T) { testOptim(t, dev) })
}

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

// uniform returns a CPU tensor of values from [lo, hi).
func uniform(rng *rand.Rand, dt tensor.DType, lo, hi float64, shape ...int) *tensor.Tensor {
	return tensor.RandU(dt, rng, lo, hi, shape...)
}

// layout is one placement of a tensor's values on the device.
type layout struct {
	name string
	t    *tensor.Tensor
}

// layouts places the values of the CPU tensor x on dev as a contiguous
// tensor, as a strided view (every other element of a wider storage, at an
// offset) and, with two or more dimensions, as a permuted view.
func layouts(dev tensor.Device, x *tensor.Tensor) []layout {
	out := []layout{{"contiguous", x.Clone().To(dev)}}
	nd := x.Dim()
	if nd == 0 {
		return out
	}
	last := x.Shape()[nd-1]
	wide := slices.Clone(x.Shape())
	wide[nd-1] = 2*last + 1
	big := tensor.Full(x.DType(), 777, wide...)
	big.Slice(-1, 1, 2*last+1, 2).CopyFrom(x)
	out = append(out, layout{"strided", big.To(dev).Slice(-1, 1, 2*last+1, 2)})
	if nd >= 2 {
		y := x.Transpose(0, nd-1).Clone()
		out = append(out, layout{"permuted", y.To(dev).Transpose(0, nd-1)})
	}
	return out
}

func expectPanic(t *testing.T, what, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
			return
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, want) {
			t.Errorf("%s: panic %q does not contain %q", what, msg, want)
		}
	}()
	fn()
}

func testTransfer(t *testing.T, dev tensor.Device) {
	for _, dt := range dtypes {
		x := uniform(newRNG(1), dt, -1, 1, 3, 4)
		y := x.To(dev)
		if y.Device() != dev || y.DType() != dt || !slices.Equal(y.Shape(), []int{3, 4}) {
			t.Fatalf("%v: To(%v) gave %v %v on %v", dt, dev, y.DType(), y.Shape(), y.Device())
		}
		if d := diff(y, refOf(x), 0); d != "" {
			t.Errorf("%v round trip: %s", dt, d)
		}
		// A non-contiguous view moves as its values.
		if d := diff(x.T().To(dev), refOf(x.T().Clone()), 0); d != "" {
			t.Errorf("%v transposed round trip: %s", dt, d)
		}
		if !dev.IsCPU() {
			expectPanic(t, "mixed devices", "move them with To", func() { tensor.Add(y, x) })
		}
	}
}

func testCopy(t *testing.T, dev tensor.Device) {
	rng := newRNG(2)
	for _, dt := range dtypes {
		x := uniform(rng, dt, -5, 5, 2, 3, 4)
		want := refOf(x)
		for _, l := range layouts(dev, x) {
			c := l.t.Clone()
			if !c.IsContiguous() || c.Device() != dev {
				t.Errorf("%v %s: Clone not contiguous on %v", dt, l.name, dev)
			}
			if d := diff(c, want, 0); d != "" {
				t.Errorf("%v %s Clone: %s", dt, l.name, d)
			}
			if d := diff(l.t.Contiguous(), want, 0); d != "" {
				t.Errorf("%v %s Contiguous: %s", dt, l.name, d)
			}
			if d := diff(l.t.Reshape(4, 6), ref{shape: []int{4, 6}, v: want.v}, 0); d != "" {
				t.Errorf("%v %s Reshape: %s", dt, l.name, d)
			}
			other := tensor.Float64
			if dt == tensor.Float64 {
				other = tensor.Float32
			}
			conv := ref{shape: want.shape, v: make([]float64, len(want.v))}
			for i, v := range want.v {
				conv.v[i] = round(other, v)
			}
			a := l.t.AsType(other)
			if a.DType() != other {
				t.Errorf("%v AsType(%v) gave %v", dt, other, a.DType())
			}
			if d := diff(a, conv, 0); d != "" {
				t.Errorf("%v %s AsType: %s", dt, l.name, d)
			}
		}
		f := tensor.Zeros(dt, 3, 5).To(dev).Fill(2.5)
		if d := diff(f, ref{shape: []int{3, 5}, v: slices.Repeat([]float64{2.5}, 15)}, 0); d != "" {
			t.Errorf("%v Fill: %s", dt, d)
		}
		// Broadcasting copy into a contiguous destination.
		row := tensor.FromSlice(dt, []float64{1, 2, 3}, 3).To(dev)
		dst := tensor.Zeros(dt, 2, 3).To(dev).CopyFrom(row)
		if d := diff(dst, ref{shape: []int{2, 3}, v: []float64{1, 2, 3, 1, 2, 3}}, 0); d != "" {
			t.Errorf("%v CopyFrom broadcast: %s", dt, d)
		}
		e := tensor.Zeros(dt, 0, 3).To(dev).Clone()
		if e.Size() != 0 || !slices.Equal(e.Shape(), []int{0, 3}) {
			t.Errorf("%v empty Clone: %v", dt, e.Shape())
		}
	}
}

type unaryCase struct {
	name   string
	op     tensor.UnaryOp
	p0, p1 float64
	pos    bool // inputs must be positive
	f      func(x float64) float64
}

func relu(x float64) float64 {
	if x > 0 {
		return x
	}
	return 0
}

var unaryCases = []unaryCase{
	{"Neg", tensor.OpNeg, 0, 0, false, func(x float64) float64 { return -x }},
	{"Abs", tensor.OpAbs, 0, 0, false, math.Abs},
	{"Exp", tensor.OpExp, 0, 0, false, math.Exp},
	{"Log", tensor.OpLog, 0, 0, true, math.Log},
	{"Sqrt", tensor.OpSqrt, 0, 0, true, math.Sqrt},
	{"Rsqrt", tensor.OpRsqrt, 0, 0, true, func(x float64) float64 { return 1 / math.Sqrt(x) }},
	{"Square", tensor.OpSquare, 0, 0, false, func(x float64) float64 { return x * x }},
	{"Reciprocal", tensor.OpReciprocal, 0, 0, true, func(x float64) float64 { return 1 / x }},
	{"Tanh", tensor.OpTanh, 0, 0, false, math.Tanh},
	{"Sigmoid", tensor.OpSigmoid, 0, 0, false, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
	{"Relu", tensor.OpRelu, 0, 0, false, relu},
	{"Sin", tensor.OpSin, 0, 0, false, math.Sin},
	{"Cos", tensor.OpCos, 0, 0, false, math.Cos},
	{"Sign", tensor.OpSign, 0, 0, false, func(x float64) float64 {
		if x > 0 {
			return 1
		}
		if x < 0 {
			return -1
		}
		return 0
	}},
	{"Floor", tensor.OpFloor, 0, 0, false, math.Floor},
	{"Ceil", tensor.OpCeil, 0, 0, false, math.Ceil},
	{"Round", tensor.OpRound, 0, 0, false, math.RoundToEven},
	{"Softplus", tensor.OpSoftplus, 0, 0, false, func(x float64) float64 { return math.Log(1 + math.Exp(x)) }},
	{"Gelu", tensor.OpGelu, 0, 0, false, func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}},
	{"GeluExact", tensor.OpGeluExact, 0, 0, false, func(x float64) float64 { return x * 0.5 * (1 + math.Erf(x/math.Sqrt2)) }},
	{"Erf", tensor.OpErf, 0, 0, false, math.Erf},
	{"Log1p", tensor.OpLog1p, 0, 0, true, func(x float64) float64 { return math.Log(1 + x) }},
	{"Expm1", tensor.OpExpm1, 0, 0, false, func(x float64) float64 { return math.Exp(x) - 1 }},
	{"PowScalar3", tensor.OpPowScalar, 3, 0, false, func(x float64) float64 { return x * x * x }},
	{"PowScalar2", tensor.OpPowScalar, 2, 0, false, func(x float64) float64 { return x * x }},
	{"PowScalarHalf", tensor.OpPowScalar, 0.5, 0, true, math.Sqrt},
	{"AddScalar", tensor.OpAddScalar, 1.5, 0, false, func(x float64) float64 { return x + 1.5 }},
	{"MulScalar", tensor.OpMulScalar, -2, 0, false, func(x float64) float64 { return -2 * x }},
	{"Affine", tensor.OpAffine, 2, -1, false, func(x float64) float64 { return 2*x - 1 }},
	{"Clip", tensor.OpClip, -0.5, 0.7, false, func(x float64) float64 { return math.Max(-0.5, math.Min(0.7, x)) }},
	{"LeakyRelu", tensor.OpLeakyRelu, 0.1, 0, false, func(x float64) float64 { return math.Max(x, 0.1*x) }},
	{"Elu", tensor.OpElu, 1.3, 0, false, func(x float64) float64 {
		if x > 0 {
			return x
		}
		return 1.3 * (math.Exp(x) - 1)
	}},
	{"ReluGrad", tensor.OpReluGrad, 0, 0, false, func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return 0
	}},
	{"Step", tensor.OpStep, 0.2, 0, false, func(x float64) float64 {
		if x > 0.2 {
			return 1
		}
		return 0
	}},
	{"IsNaN", tensor.OpIsNaN, 0, 0, false, func(x float64) float64 {
		if math.IsNaN(x) {
			return 1
		}
		return 0
	}},
	{"NanToNum", tensor.OpNanToNum, 9, 0, false, func(x float64) float64 {
		if math.IsNaN(x) {
			return 9
		}
		return x
	}},
	{"RsubScalar", tensor.OpRsubScalar, 2, 0, false, func(x float64) float64 { return 2 - x }},
	{"RdivScalar", tensor.OpRdivScalar, 3, 0, true, func(x float64) float64 { return 3 / x }},
}

func testUnary(t *testing.T, dev tensor.Device) {
	rng := newRNG(3)
	for _, dt := range dtypes {
		for _, c := range unaryCases {
			lo, hi := -3.0, 3.0
			if c.pos {
				lo, hi = 0.1, 3
			}
			for _, shape := range [][]int{{3, 4, 5}, {7}, {}, {0, 2}, {1, 1}} {
				x := uniform(rng, dt, lo, hi, shape...)
				if (c.op == tensor.OpIsNaN || c.op == tensor.OpNanToNum) && x.Size() > 1 {
					x.Set(math.NaN(), make([]int, len(shape))...)
				}
				xr := refOf(x)
				want := ref{shape: xr.shape, v: make([]float64, len(xr.v))}
				for i, v := range xr.v {
					want.v[i] = round(dt, c.f(v))
				}
				for _, l := range layouts(dev, x) {
					got := tensor.UnaryTo(nil, c.op, l.t, c.p0, c.p1)
					if got.Device() != dev {
						t.Fatalf("%s: result on %v", c.name, got.Device())
					}
					if d := diff(got, want, 2*tol(dt)); d != "" {
						t.Errorf("%v %s %v %s: %s", dt, c.name, shape, l.name, d)
					}
				}
				// In place.
				y := x.Clone().To(dev)
				tensor.UnaryTo(y, c.op, y, c.p0, c.p1)
				if d := diff(y, want, 2*tol(dt)); d != "" {
					t.Errorf("%v %s in place: %s", dt, c.name, d)
				}
			}
		}
		// The named wrappers use the same kernels; spot-check a few.
		x := tensor.FromSlice(dt, []float64{-2.5, -0.5, 0.5, 1.5}, 4).To(dev)
		for name, c := range map[string]struct {
			got  *tensor.Tensor
			want []float64
		}{
			"Round":     {tensor.Round(x), []float64{-2, -0, 0, 2}},
			"Floor":     {tensor.Floor(x), []float64{-3, -1, 0, 1}},
			"Relu":      {tensor.Relu(x), []float64{0, 0, 0.5, 1.5}},
			"Clip":      {tensor.Clip(x, -1, 1), []float64{-1, -0.5, 0.5, 1}},
			"Abs":       {tensor.Abs(x), []float64{2.5, 0.5, 0.5, 1.5}},
			"Sign":      {tensor.Sign(x), []float64{-1, -1, 1, 1}},
			"Square":    {tensor.Square(x), []float64{6.25, 0.25, 0.25, 2.25}},
			"LeakyRelu": {tensor.LeakyRelu(x, 0.5), []float64{-1.25, -0.25, 0.5, 1.5}},
			"AddScalar": {tensor.AddScalar(x, 1), []float64{-1.5, 0.5, 1.5, 2.5}},
			"MulScalar": {tensor.MulScalar(x, 2), []float64{-5, -1, 1, 3}},
		} {
			if d := diff(c.got, ref{shape: []int{4}, v: c.want}, 0); d != "" {
				t.Errorf("%v %s: %s", dt, name, d)
			}
		}
		big := tensor.FromSlice(dt, []float64{-800, 800, 0}, 3).To(dev)
		if d := diff(tensor.Sigmoid(big), ref{shape: []int{3}, v: []float64{0, 1, 0.5}}, 1e-7); d != "" {
			t.Errorf("%v Sigmoid at extremes: %s", dt, d)
		}
		if d := diff(tensor.Softplus(big), ref{shape: []int{3}, v: []float64{0, 800, math.Ln2}}, 1e-6); d != "" {
			t.Errorf("%v Softplus at extremes: %s", dt, d)
		}
	}
}

type binaryCase struct {
	name string
	op   tensor.BinaryOp
	f    func(a, b float64) float64
}

func b2f(c bool) float64 {
	if c {
		return 1
	}
	return 0
}

var binaryCases = []binaryCase{
	{"Add", tensor.OpAdd, func(a, b float64) float64 { return a + b }},
	{"Sub", tensor.OpSub, func(a, b float64) float64 { return a - b }},
	{"Mul", tensor.OpMul, func(a, b float64) float64 { return a * b }},
	{"Div", tensor.OpDiv, func(a, b float64) float64 { return a / b }},
	{"Pow", tensor.OpPow, math.Pow},
	{"Maximum", tensor.OpMaximum, math.Max},
	{"Minimum", tensor.OpMinimum, math.Min},
	{"Eq", tensor.OpEq, func(a, b float64) float64 { return b2f(a == b) }},
	{"Ne", tensor.OpNe, func(a, b float64) float64 { return b2f(a != b) }},
	{"Lt", tensor.OpLt, func(a, b float64) float64 { return b2f(a < b) }},
	{"Le", tensor.OpLe, func(a, b float64) float64 { return b2f(a <= b) }},
	{"Gt", tensor.OpGt, func(a, b float64) float64 { return b2f(a > b) }},
	{"Ge", tensor.OpGe, func(a, b float64) float64 { return b2f(a >= b) }},
	{"Atan2", tensor.OpAtan2, math.Atan2},
}

// binaryInput draws operands suited to op: positive bases for Pow, divisors
// away from zero, and small integers (with ties) for comparisons.
func binaryInput(rng *rand.Rand, dt tensor.DType, op tensor.BinaryOp, second bool, shape []int) *tensor.Tensor {
	x := uniform(rng, dt, -2, 2, shape...)
	switch {
	case op == tensor.OpPow && !second:
		x = uniform(rng, dt, 0.2, 2, shape...)
	case op == tensor.OpDiv && second:
		x = uniform(rng, dt, 0.5, 2, shape...)
		if x.Size() > 0 {
			x = tensor.Mul(x, tensor.Sign(uniform(rng, dt, -1, 1, shape...)))
		}
	case op >= tensor.OpEq && op <= tensor.OpGe:
		x = tensor.Floor(uniform(rng, dt, 0, 3, shape...))
	}
	return x
}

func testBinary(t *testing.T, dev tensor.Device) {
	rng := newRNG(4)
	pairs := [][2][]int{
		{{2, 3, 4}, {2, 3, 4}},
		{{2, 3, 4}, {4}},
		{{4}, {2, 3, 4}},
		{{2, 1, 4}, {3, 1}},
		{{1}, {5}},
		{{}, {2, 2}},
		{{0, 3}, {3}},
		{{3, 1}, {1, 0}},
	}
	for _, dt := range dtypes {
		for _, c := range binaryCases {
			for _, pr := range pairs {
				a := binaryInput(rng, dt, c.op, false, pr[0])
				b := binaryInput(rng, dt, c.op, true, pr[1])
				ar, br := refOf(a), refOf(b)
				shape, err := tensor.BroadcastShapes(pr[0], pr[1])
				if err != nil {
					t.Fatal(err)
				}
				want := newRef(shape...)
				for i := range want.v {
					idx := unravel(i, shape)
					want.v[i] = round(dt, c.f(ar.bAt(idx), br.bAt(idx)))
				}
				la, lb := layouts(dev, a), layouts(dev, b)
				for i, l := range la {
					r := lb[min(i, len(lb)-1)]
					got := tensor.BinaryTo(nil, c.op, l.t, r.t)
					if d := diff(got, want, 2*tol(dt)); d != "" {
						t.Errorf("%v %s %v %v (%s, %s): %s", dt, c.name, pr[0], pr[1], l.name, r.name, d)
					}
				}
				// Into an operand, when it has the result's shape.
				if slices.Equal(pr[0], shape) {
					x := a.Clone().To(dev)
					tensor.BinaryTo(x, c.op, x, b.To(dev))
					if d := diff(x, want, 2*tol(dt)); d != "" {
						t.Errorf("%v %s into a: %s", dt, c.name, d)
					}
				}
			}
		}
		// Hand-computed broadcasting.
		a := tensor.FromSlice(dt, []float64{1, 2, 3}, 3, 1).To(dev)
		b := tensor.FromSlice(dt, []float64{10, 20}, 2).To(dev)
		if d := diff(tensor.Add(a, b), ref{shape: []int{3, 2}, v: []float64{11, 21, 12, 22, 13, 23}}, 0); d != "" {
			t.Errorf("%v Add [3,1]+[2]: %s", dt, d)
		}
		if d := diff(tensor.Sub(b, a), ref{shape: []int{3, 2}, v: []float64{9, 19, 8, 18, 7, 17}}, 0); d != "" {
			t.Errorf("%v Sub [2]-[3,1]: %s", dt, d)
		}
		if d := diff(tensor.Div(b, a), ref{shape: []int{3, 2}, v: []float64{10, 20, 5, 10, round(dt, 10.0/3), round(dt, 20.0/3)}}, 0); d != "" {
			t.Errorf("%v Div: %s", dt, d)
		}
		nan := tensor.FromSlice(dt, []float64{math.NaN(), 1}, 2).To(dev)
		one := tensor.FromSlice(dt, []float64{0, math.NaN()}, 2).To(dev)
		if d := diff(tensor.Maximum(nan, one), ref{shape: []int{2}, v: []float64{math.NaN(), math.NaN()}}, 0); d != "" {
			t.Errorf("%v Maximum with NaN: %s", dt, d)
		}
		if d := diff(tensor.Minimum(nan, one), ref{shape: []int{2}, v: []float64{math.NaN(), math.NaN()}}, 0); d != "" {
			t.Errorf("%v Minimum with NaN: %s", dt, d)
		}
		expectPanic(t, "Add shape mismatch", "Add shape mismatch: [2 3] and [4]", func() {
			tensor.Add(tensor.Zeros(dt, 2, 3).To(dev), tensor.Zeros(dt, 4).To(dev))
		})
	}
}

func testWhere(t *testing.T, dev tensor.Device) {
	for _, dt := range dtypes {
		cond := tensor.FromSlice(dt, []float64{1, 0, -2}, 3, 1).To(dev)
		a := tensor.FromSlice(dt, []float64{1, 2, 3, 4}, 1, 4).To(dev)
		b := tensor.Scalar(dt, -1).To(dev)
		want := ref{shape: []int{3, 4}, v: []float64{1, 2, 3, 4, -1, -1, -1, -1, 1, 2, 3, 4}}
		if d := diff(tensor.Where(cond, a, b), want, 0); d != "" {
			t.Errorf("%v Where: %s", dt, d)
		}
		// Condition of the other dtype, operands as views.
		other := tensor.Float64
		if dt == tensor.Float64 {
			other = tensor.Float32
		}
		rng := newRNG(5)
		x := uniform(rng, dt, -1, 1, 4, 5)
		y := uniform(rng, dt, -1, 1, 4, 5)
		c := tensor.Greater(x, y).AsType(other)
		xr, yr, cr := refOf(x), refOf(y), refOf(c)
		w := newRef(4, 5)
		for i := range w.v {
			if cr.v[i] != 0 {
				w.v[i] = xr.v[i]
			} else {
				w.v[i] = yr.v[i]
			}
		}
		lx, ly, lc := layouts(dev, x), layouts(dev, y), layouts(dev, c)
		for i := range lx {
			if d := diff(tensor.Where(lc[i].t, lx[i].t, ly[i].t), w, 0); d != "" {
				t.Errorf("%v Where %s: %s", dt, lx[i].name, d)
			}
		}
	}
}

// refReduce reduces x over the axes in mask with f, starting from init.
func refReduce(x ref, mask []bool, init float64, f func(acc, v float64) float64) ref {
	shape := slices.Clone(x.shape)
	for i, m := range mask {
		if m {
			shape[i] = 1
		}
	}
	out := newRef(shape...)
	for i := range out.v {
		out.v[i] = init
	}
	for i, v := range x.v {
		idx := unravel(i, x.shape)
		for d, m := range mask {
			if m {
				idx[d] = 0
			}
		}
		o := out.off(idx...)
		out.v[o] = f(out.v[o], v)
	}
	return out
}

func dropMasked(r ref, mask []bool) ref {
	var shape []int
	for i, d := range r.shape {
		if !mask[i] {
			shape = append(shape, d)
		}
	}
	return ref{shape: shape, v: r.v}
}

func testReduce(t *testing.T, dev tensor.Device) {
	rng := newRNG(6)
	axesSets := [][]int{nil, {0}, {1}, {2}, {-1}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}, {2, 0}}
	sum := func(a, v float64) float64 { return a + v }
	prod := func(a, v float64) float64 { return a * v }
	mx := func(a, v float64) float64 {
		if math.IsNaN(a) || math.IsNaN(v) {
			return math.NaN()
		}
		return math.Max(a, v)
	}
	mn := func(a, v float64) float64 {
		if math.IsNaN(a) || math.IsNaN(v) {
			return math.NaN()
		}
		return math.Min(a, v)
	}
	for _, dt := range dtypes {
		for _, shape := range [][]int{{3, 4, 5}, {1, 6, 1}, {2, 1, 3}} {
			x := uniform(rng, dt, -1.5, 1.5, shape...)
			xr := refOf(x)
			for _, axes := range axesSets {
				mask := make([]bool, 3)
				if axes == nil {
					mask = []bool{true, true, true}
				}
				n := 1
				for _, a := range axes {
					mask[(a+3)%3] = true
				}
				for i, m := range mask {
					if m {
						n *= shape[i]
					}
				}
				sumR := refReduce(xr, mask, 0, sum)
				meanR := ref{shape: sumR.shape, v: make([]float64, len(sumR.v))}
				for i, v := range sumR.v {
					meanR.v[i] = v / float64(n)
				}
				sqR := ref{shape: xr.shape, v: make([]float64, len(xr.v))}
				for i, v := range xr.v {
					idx := unravel(i, xr.shape)
					for d, m := range mask {
						if m {
							idx[d] = 0
						}
					}
					dv := v - meanR.at(idx...)
					sqR.v[i] = dv * dv
				}
				ssR := refReduce(sqR, mask, 0, sum)
				var0, var1, std1 := newRef(ssR.shape...), newRef(ssR.shape...), newRef(ssR.shape...)
				for i, v := range ssR.v {
					var0.v[i] = v / float64(n)
					var1.v[i] = v / float64(n-1)
					std1.v[i] = math.Sqrt(var1.v[i])
				}
				tl := 4 * tol(dt)
				for _, l := range layouts(dev, x) {
					name := fmt.Sprintf("%v %v axes %v %s", dt, shape, axes, l.name)
					checks := []struct {
						op   string
						got  *tensor.Tensor
						want ref
					}{
						{"Sum", tensor.Sum(l.t, axes...), dropMasked(sumR, mask)},
						{"SumKeep", tensor.SumKeep(l.t, axes...), sumR},
						{"Max", tensor.Max(l.t, axes...), dropMasked(refReduce(xr, mask, math.Inf(-1), mx), mask)},
						{"Min", tensor.Min(l.t, axes...), dropMasked(refReduce(xr, mask, math.Inf(1), mn), mask)},
						{"Prod", tensor.Prod(l.t, axes...), dropMasked(refReduce(xr, mask, 1, prod), mask)},
						{"Mean", tensor.Mean(l.t, axes...), dropMasked(meanR, mask)},
						{"MeanKeep", tensor.MeanKeep(l.t, axes...), meanR},
						{"Var0", tensor.Var(l.t, 0, axes...), dropMasked(var0, mask)},
					}
					if n > 1 {
						checks = append(checks, struct {
							op   string
							got  *tensor.Tensor
							want ref
						}{"Std1", tensor.Std(l.t, 1, axes...), dropMasked(std1, mask)})
					}
					for _, c := range checks {
						if d := diff(c.got, c.want, tl); d != "" {
							t.Errorf("%s %s: %s", name, c.op, d)
						}
					}
				}
			}
		}
		// Hand-computed values.
		m := tensor.FromSlice(dt, []float64{1, 2, 3, 4, 5, 6}, 2, 3).To(dev)
		for name, c := range map[string]struct {
			got  *tensor.Tensor
			want ref
		}{
			"Sum0":   {tensor.Sum(m, 0), ref{[]int{3}, []float64{5, 7, 9}}},
			"Sum1":   {tensor.Sum(m, 1), ref{[]int{2}, []float64{6, 15}}},
			"SumAll": {tensor.Sum(m), ref{[]int{}, []float64{21}}},
			"Max1":   {tensor.Max(m, -1), ref{[]int{2}, []float64{3, 6}}},
			"Min0":   {tensor.Min(m, 0), ref{[]int{3}, []float64{1, 2, 3}}},
			"Prod1":  {tensor.Prod(m, 1), ref{[]int{2}, []float64{6, 120}}},
			"Mean0":  {tensor.Mean(m, 0), ref{[]int{3}, []float64{2.5, 3.5, 4.5}}},
			"Var1":   {tensor.Var(m, 1, 1), ref{[]int{2}, []float64{1, 1}}},
			"Var0":   {tensor.Var(m, 0), ref{[]int{}, []float64{35.0 / 12}}},
			"SumT":   {tensor.Sum(m.T(), 1), ref{[]int{3}, []float64{5, 7, 9}}},
		} {
			if d := diff(c.got, c.want, tol(dt)); d != "" {
				t.Errorf("%v %s: %s", dt, name, d)
			}
		}
		// Size-0 dimensions.
		z := tensor.Zeros(dt, 0, 3).To(dev)
		if d := diff(tensor.Sum(z, 0), ref{[]int{3}, []float64{0, 0, 0}}, 0); d != "" {
			t.Errorf("%v Sum over empty axis: %s", dt, d)
		}
		if d := diff(tensor.Sum(z, 1), ref{[]int{0}, nil}, 0); d != "" {
			t.Errorf("%v Sum of empty: %s", dt, d)
		}
		if d := diff(tensor.Prod(z), ref{[]int{}, []float64{1}}, 0); d != "" {
			t.Errorf("%v Prod of empty: %s", dt, d)
		}
		// NaN propagates through Max and Min.
		nan := tensor.FromSlice(dt, []float64{1, math.NaN(), 3, 4}, 2, 2).To(dev)
		if d := diff(tensor.Max(nan, 1), ref{[]int{2}, []float64{math.NaN(), 4}}, 0); d != "" {
			t.Errorf("%v Max with NaN: %s", dt, d)
		}
		if d := diff(tensor.Min(nan, 0), ref{[]int{2}, []float64{1, math.NaN()}}, 0); d != "" {
			t.Errorf("%v Min with NaN: %s", dt, d)
		}
		// Long reductions, where a backend splits the work.
		long := uniform(rng, dt, 0, 1, 3, 70001)
		lr := refOf(long)
		lsum := refReduce(lr, []bool{true, true}, 0, sum)
		if d := diff(tensor.Sum(long), ref{[]int{}, lsum.v}, 1e-5); d != "" {
			t.Errorf("%v long Sum: %s", dt, d)
		}
		lrow := refReduce(lr, []bool{false, true}, 0, sum)
		if d := diff(tensor.Sum(long, 1), ref{[]int{3}, lrow.v}, 1e-5); d != "" {
			t.Errorf("%v long row Sum: %s", dt, d)
		}
		lcol := refReduce(lr, []bool{true, false}, 0, sum)
		if d := diff(tensor.Sum(long, 0), ref{[]int{70001}, lcol.v}, 1e-5); d != "" {
			t.Errorf("%v long column Sum: %s", dt, d)
		}
		lmax := refReduce(lr, []bool{true, true}, math.Inf(-1), mx)
		if d := diff(tensor.Max(long), ref{[]int{}, lmax.v}, 0); d != "" {
			t.Errorf("%v long Max: %s", dt, d)
		}
	}
}

func testArg(t *testing.T, dev tensor.Device) {
	rng := newRNG(7)
	for _, dt := range dtypes {
		x := uniform(rng, dt, -1, 1, 3, 4, 5)
		xr := refOf(x)
		for axis := -1; axis < 3; axis++ {
			ax := (axis + 3) % 3
			for _, l := range layouts(dev, x) {
				gotMax, gotMin := tensor.ArgMax(l.t, axis), tensor.ArgMin(l.t, axis)
				var wantMax, wantMin []int
				oshape := slices.Clone(xr.shape)
				oshape[ax] = 1
				for o := 0; o < size(oshape); o++ {
					idx := unravel(o, oshape)
					bi, si := 0, 0
					for i := 0; i < xr.shape[ax]; i++ {
						idx[ax] = i
						v := xr.at(idx...)
						idx[ax] = bi
						if v > xr.at(idx...) {
							bi = i
						}
						idx[ax] = si
						if v < xr.at(idx...) {
							si = i
						}
					}
					wantMax, wantMin = append(wantMax, bi), append(wantMin, si)
				}
				if !slices.Equal(gotMax, wantMax) {
					t.Errorf("%v ArgMax axis %d %s = %v, want %v", dt, axis, l.name, gotMax, wantMax)
				}
				if !slices.Equal(gotMin, wantMin) {
					t.Errorf("%v ArgMin axis %d %s = %v, want %v", dt, axis, l.name, gotMin, wantMin)
				}
			}
		}
		// Ties go to the first; NaN counts as the extreme.
		tie := tensor.FromSlice(dt, []float64{1, 3, 3, 0, 0, 5, math.NaN(), 5}, 2, 4).To(dev)
		if got := tensor.ArgMax(tie, 1); !slices.Equal(got, []int{1, 2}) {
			t.Errorf("%v ArgMax ties/NaN = %v, want [1 2]", dt, got)
		}
		if got := tensor.ArgMin(tie, 1); !slices.Equal(got, []int{3, 2}) {
			t.Errorf("%v ArgMin ties/NaN = %v, want [3 2]", dt, got)
		}
		if got := tensor.ArgMax(tie, 0); !slices.Equal(got, []int{0, 1, 1, 1}) {
			t.Errorf("%v ArgMax axis 0 = %v, want [0 1 1 1]", dt, got)
		}
		one := tensor.FromSlice(dt, []float64{4}, 1, 1).To(dev)
		if got := tensor.ArgMax(one, 0); !slices.Equal(got, []int{0}) {
			t.Errorf("%v ArgMax of one = %v", dt, got)
		}
	}
}

// refMatMul multiplies the last two dimensions of a and b, broadcasting the
// leading ones.
func refMatMul(a, b ref) ref {
	na, nb := len(a.shape), len(b.shape)
	m, k, n := a.shape[na-2], a.shape[na-1], b.shape[nb-1]
	batch := bshape(a.shape[:na-2], b.shape[:nb-2])
	out := newRef(append(slices.Clone(batch), m, n)...)
	for bi := 0; bi < size(batch); bi++ {
		bidx := unravel(bi, batch)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s float64
				for p := 0; p < k; p++ {
					s += a.bAt(append(slices.Clone(bidx), i, p)) * b.bAt(append(slices.Clone(bidx), p, j))
				}
				out.v[(bi*m+i)*n+j] = s
			}
		}
	}
	return out
}

func bshape(a, b []int) []int {
	s, err := tensor.BroadcastShapes(a, b)
	if err != nil {
		panic(err)
	}
	return s
}

func testMatMul(t *testing.T, dev tensor.Device) {
	rng := newRNG(8)
	sizes := [][3]int{{1, 1, 1}, {3, 5, 2}, {17, 33, 9}, {64, 70, 65}, {1, 40, 7}, {7, 40, 1}, {5, 0, 3}, {0, 4, 3}}
	for _, dt := range dtypes {
		for _, s := range sizes {
			m, k, n := s[0], s[1], s[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					a := uniform(rng, dt, -1, 1, m, k)
					b := uniform(rng, dt, -1, 1, k, n)
					want := refMatMul(refOf(a), refOf(b))
					// A transposed operand is the transpose view of its
					// transposed copy.
					da, db := a.To(dev), b.To(dev)
					if ta {
						da = a.T().Clone().To(dev).T()
					}
					if tb {
						db = b.T().Clone().To(dev).T()
					}
					tl := tol(dt) * math.Sqrt(float64(k)+1) * 4
					if d := diff(tensor.MatMul(da, db), want, tl); d != "" {
						t.Errorf("%v MatMul %dx%dx%d transA %v transB %v: %s", dt, m, k, n, ta, tb, d)
					}
				}
			}
			// Strided operands that need a copy (every other column).
			a := uniform(rng, dt, -1, 1, m, k)
			b := uniform(rng, dt, -1, 1, k, n)
			want := refMatMul(refOf(a), refOf(b))
			la, lb := layouts(dev, a), layouts(dev, b)
			for i := range la {
				tl := tol(dt) * math.Sqrt(float64(k)+1) * 4
				if d := diff(tensor.MatMul(la[i].t, lb[i].t), want, tl); d != "" {
					t.Errorf("%v MatMul %dx%dx%d %s: %s", dt, m, k, n, la[i].name, d)
				}
			}
		}
		// Batched, with broadcast batch dimensions.
		for _, c := range []struct{ a, b []int }{
			{[]int{4, 3, 5}, []int{4, 5, 2}},
			{[]int{2, 3, 4, 5}, []int{5, 6}},
			{[]int{2, 1, 4, 5}, []int{3, 5, 6}},
			{[]int{7, 5}, []int{2, 5, 3}},
			{[]int{1, 6, 40}, []int{3, 40, 50}},
		} {
			a := uniform(rng, dt, -1, 1, c.a...)
			b := uniform(rng, dt, -1, 1, c.b...)
			want := refMatMul(refOf(a), refOf(b))
			tl := tol(dt) * 30
			if d := diff(tensor.MatMul(a.To(dev), b.To(dev)), want, tl); d != "" {
				t.Errorf("%v batched MatMul %v @ %v: %s", dt, c.a, c.b, d)
			}
			// Transposed views of the batch.
			at := a.Transpose(-1, -2).Clone().To(dev).Transpose(-1, -2)
			bt := b.Transpose(-1, -2).Clone().To(dev).Transpose(-1, -2)
			if d := diff(tensor.MatMul(at, bt), want, tl); d != "" {
				t.Errorf("%v batched MatMul %v @ %v, transposed views: %s", dt, c.a, c.b, d)
			}
		}
		// Vectors (NumPy's matmul) and hand-computed values.
		a := tensor.FromSlice(dt, []float64{1, 2, 3, 4, 5, 6}, 2, 3).To(dev)
		b := tensor.FromSlice(dt, []float64{7, 8, 9, 10, 11, 12}, 3, 2).To(dev)
		v3 := tensor.FromSlice(dt, []float64{1, 0, -1}, 3).To(dev)
		v2 := tensor.FromSlice(dt, []float64{2, -1}, 2).To(dev)
		for name, c := range map[string]struct {
			got  *tensor.Tensor
			want ref
		}{
			"2x3@3x2":  {tensor.MatMul(a, b), ref{[]int{2, 2}, []float64{58, 64, 139, 154}}},
			"AT@A":     {tensor.MatMul(a.T(), a), ref{[]int{3, 3}, []float64{17, 22, 27, 22, 29, 36, 27, 36, 45}}},
			"A@v":      {tensor.MatMul(a, v3), ref{[]int{2}, []float64{-2, -2}}},
			"v@B":      {tensor.MatMul(v3, b), ref{[]int{2}, []float64{-4, -4}}},
			"v@v":      {tensor.MatMul(v3, v3), ref{[]int{}, []float64{2}}},
			"v@AT":     {tensor.MatMul(v2, a), ref{[]int{3}, []float64{-2, -1, 0}}},
			"batch@v":  {tensor.MatMul(tensor.Stack(0, a, a), v3), ref{[]int{2, 2}, []float64{-2, -2, -2, -2}}},
			"AT@BT^T":  {tensor.MatMul(b.T(), a.T()), ref{[]int{2, 2}, []float64{58, 139, 64, 154}}},
			"expanded": {tensor.MatMul(v2.Unsqueeze(0).Expand(3, 2), a), ref{[]int{3, 3}, []float64{-2, -1, 0, -2, -1, 0, -2, -1, 0}}},
		} {
			if d := diff(c.got, c.want, tol(dt)); d != "" {
				t.Errorf("%v MatMul %s: %s", dt, name, d)
			}
		}
		dst := tensor.Full(dt, 99, 2, 2).To(dev)
		if got := tensor.MatMulTo(dst, a, b); got != dst {
			t.Errorf("%v MatMulTo did not return dst", dt)
		}
		if d := diff(dst, ref{[]int{2, 2}, []float64{58, 64, 139, 154}}, 0); d != "" {
			t.Errorf("%v MatMulTo: %s", dt, d)
		}
		expectPanic(t, "MatMul mismatch", "MatMul shape mismatch: [2 3] and [2 3]", func() { tensor.MatMul(a, a) })
	}
}

func testSoftmax(t *testing.T, dev tensor.Device) {
	rng := newRNG(9)
	for _, dt := range dtypes {
		for _, shape := range [][]int{{3, 4, 5}, {2, 1}, {1, 300}} {
			x := uniform(rng, dt, -4, 4, shape...)
			if shape[0] == 3 {
				x.Set(1000, 0, 0, 0) // stability: a huge logit
			}
			xr := refOf(x)
			for axis := -1; axis < len(shape); axis++ {
				ax := (axis + len(shape)) % len(shape)
				mask := make([]bool, len(shape))
				mask[ax] = true
				mx := refReduce(xr, mask, math.Inf(-1), math.Max)
				ex := newRef(xr.shape...)
				for i, v := range xr.v {
					idx := unravel(i, xr.shape)
					idx[ax] = 0
					ex.v[i] = math.Exp(v - mx.at(idx...))
				}
				se := refReduce(ex, mask, 0, func(a, v float64) float64 { return a + v })
				sm, lsm := newRef(xr.shape...), newRef(xr.shape...)
				for i, v := range ex.v {
					idx := unravel(i, xr.shape)
					idx[ax] = 0
					sm.v[i] = v / se.at(idx...)
					lsm.v[i] = xr.v[i] - mx.at(idx...) - math.Log(se.at(idx...))
				}
				for _, l := range layouts(dev, x) {
					if d := diff(tensor.Softmax(l.t, axis), sm, 4*tol(dt)); d != "" {
						t.Errorf("%v Softmax %v axis %d %s: %s", dt, shape, axis, l.name, d)
					}
					if d := diff(tensor.LogSoftmax(l.t, axis), lsm, 4*tol(dt)); d != "" {
						t.Errorf("%v LogSoftmax %v axis %d %s: %s", dt, shape, axis, l.name, d)
					}
				}
			}
		}
		x := tensor.FromSlice(dt, []float64{1, 2, 3}, 3).To(dev)
		e1, e2, e3 := math.Exp(1), math.Exp(2), math.Exp(3)
		s := e1 + e2 + e3
		if d := diff(tensor.Softmax(x, 0), ref{[]int{3}, []float64{e1 / s, e2 / s, e3 / s}}, tol(dt)); d != "" {
			t.Errorf("%v Softmax [1 2 3]: %s", dt, d)
		}
		if d := diff(tensor.LogSoftmax(x, 0), ref{[]int{3}, []float64{1 - math.Log(s), 2 - math.Log(s), 3 - math.Log(s)}}, tol(dt)); d != "" {
			t.Errorf("%v LogSoftmax [1 2 3]: %s", dt, d)
		}
	}
}

func testIndex(t *testing.T, dev tensor.Device) {
	rng := newRNG(10)
	for _, dt := range dtypes {
		x := uniform(rng, dt, -1, 1, 3, 4, 5)
		xr := refOf(x)
		idx := []int{2, 0, 2}
		for axis := 0; axis < 3; axis++ {
			shape := slices.Clone(xr.shape)
			shape[axis] = len(idx)
			want := newRef(shape...)
			for i := range want.v {
				ii := unravel(i, shape)
				ii[axis] = idx[ii[axis]]
				want.v[i] = xr.at(ii...)
			}
			for _, l := range layouts(dev, x) {
				if d := diff(tensor.IndexSelect(l.t, axis, idx), want, 0); d != "" {
					t.Errorf("%v IndexSelect axis %d %s: %s", dt, axis, l.name, d)
				}
			}
			// IndexAdd is the adjoint: repeated indices accumulate.
			src := uniform(rng, dt, -1, 1, shape...)
			sr := refOf(src)
			base := uniform(rng, dt, -1, 1, 3, 4, 5)
			addW := refOf(base)
			for i, v := range sr.v {
				ii := unravel(i, shape)
				ii[axis] = idx[ii[axis]]
				addW.v[addW.off(ii...)] += v
			}
			for i := range addW.v {
				addW.v[i] = round(dt, addW.v[i])
			}
			for _, l := range layouts(dev, src) {
				dst := base.Clone().To(dev)
				tensor.IndexAdd(dst, axis, idx, l.t)
				if d := diff(dst, addW, 2*tol(dt)); d != "" {
					t.Errorf("%v IndexAdd axis %d src %s: %s", dt, axis, l.name, d)
				}
			}
		}
		if got := tensor.IndexSelect(x.To(dev), 1, nil); !slices.Equal(got.Shape(), []int{3, 0, 5}) {
			t.Errorf("%v IndexSelect with no indices: shape %v", dt, got.Shape())
		}
		// Gather, Scatter and OneHot.
		m := tensor.FromSlice(dt, []float64{1, 2, 3, 4, 5, 6}, 2, 3).To(dev)
		if d := diff(tensor.Gather(m, []int{2, 0}), ref{[]int{2}, []float64{3, 4}}, 0); d != "" {
			t.Errorf("%v Gather: %s", dt, d)
		}
		if d := diff(tensor.Gather(m.T(), []int{1, 0, 1}), ref{[]int{3}, []float64{4, 2, 6}}, 0); d != "" {
			t.Errorf("%v Gather of a view: %s", dt, d)
		}
		v := tensor.FromSlice(dt, []float64{7, 8}, 2).To(dev)
		if d := diff(tensor.Scatter(v, []int{1, 2}, 3), ref{[]int{2, 3}, []float64{0, 7, 0, 0, 0, 8}}, 0); d != "" {
			t.Errorf("%v Scatter: %s", dt, d)
		}
		if d := diff(tensor.OneHot(dt, []int{2, 0, 1}, 3), ref{[]int{3, 3}, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}}, 0); d != "" {
			t.Errorf("%v OneHot: %s", dt, d)
		}
		expectPanic(t, "IndexSelect range", "IndexSelect index 4 out of range", func() { tensor.IndexSelect(m, 1, []int{4}) })
		expectPanic(t, "Gather range", "Gather index 3 out of range", func() { tensor.Gather(m, []int{0, 3}) })
		expectPanic(t, "OneHot range", "OneHot label 3", func() { tensor.OneHot(dt, []int{3}, 3) })
	}
}

func testConcat(t *testing.T, dev tensor.Device) {
	rng := newRNG(11)
	for _, dt := range dtypes {
		a := uniform(rng, dt, -1, 1, 2, 3, 4)
		for axis := 0; axis < 3; axis++ {
			bs := []int{2, 3, 4}
			bs[axis] = 1
			b := uniform(rng, dt, -1, 1, bs...)
			cs := []int{2, 3, 4}
			cs[axis] = 0
			c := tensor.Zeros(dt, cs...)
			ar, br := refOf(a), refOf(b)
			shape := []int{2, 3, 4}
			shape[axis]++
			want := newRef(shape...)
			for i := range want.v {
				idx := unravel(i, shape)
				if idx[axis] < ar.shape[axis] {
					want.v[i] = ar.at(idx...)
				} else {
					idx[axis] -= ar.shape[axis]
					want.v[i] = br.at(idx...)
				}
			}
			la, lb := layouts(dev, a), layouts(dev, b)
			for i := range la {
				got := tensor.Concat(axis, la[i].t, c.To(dev), lb[min(i, len(lb)-1)].t)
				if d := diff(got, want, 0); d != "" {
					t.Errorf("%v Concat axis %d %s: %s", dt, axis, la[i].name, d)
				}
			}
		}
		for axis := -1; axis <= 3; axis++ {
			b := uniform(rng, dt, -1, 1, 2, 3, 4)
			ar, br := refOf(a), refOf(b)
			ax := axis
			if ax < 0 {
				ax += 4
			}
			shape := slices.Insert([]int{2, 3, 4}, ax, 2)
			want := newRef(shape...)
			for i := range want.v {
				idx := unravel(i, shape)
				which := idx[ax]
				idx = slices.Delete(idx, ax, ax+1)
				if which == 0 {
					want.v[i] = ar.at(idx...)
				} else {
					want.v[i] = br.at(idx...)
				}
			}
			la, lb := layouts(dev, a), layouts(dev, b)
			for i := range la {
				if d := diff(tensor.Stack(axis, la[i].t, lb[i].t), want, 0); d != "" {
					t.Errorf("%v Stack axis %d %s: %s", dt, axis, la[i].name, d)
				}
			}
		}
		x := tensor.FromSlice(dt, []float64{1, 2}, 1, 2).To(dev)
		y := tensor.FromSlice(dt, []float64{3, 4, 5, 6}, 2, 2).To(dev)
		if d := diff(tensor.Concat(0, x, y), ref{[]int{3, 2}, []float64{1, 2, 3, 4, 5, 6}}, 0); d != "" {
			t.Errorf("%v Concat hand: %s", dt, d)
		}
		if d := diff(tensor.Concat(1, y, y.T()), ref{[]int{2, 4}, []float64{3, 4, 3, 5, 5, 6, 4, 6}}, 0); d != "" {
			t.Errorf("%v Concat axis 1 hand: %s", dt, d)
		}
		expectPanic(t, "Concat mismatch", "Concat [1 2] with [2 2] along axis 1", func() { tensor.Concat(1, x, y) })
	}
}

// refConv is the definition of Conv2D (cross-correlation) as loops, with
// its two backward passes.
func refConv(x, w ref, p tensor.ConvParams) ref {
	n, c, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	f, kh, kw := w.shape[0], w.shape[2], w.shape[3]
	oh, ow := outSize(h, wd, kh, kw, p)
	y := newRef(n, f, oh, ow)
	for ni := 0; ni < n; ni++ {
		for fi := 0; fi < f; fi++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					var s float64
					for ci := 0; ci < c; ci++ {
						for ki := 0; ki < kh; ki++ {
							for kj := 0; kj < kw; kj++ {
								iy := oy*p.StrideH - p.PadTop + ki*p.DilationH
								ix := ox*p.StrideW - p.PadLeft + kj*p.DilationW
								if iy >= 0 && iy < h && ix >= 0 && ix < wd {
									s += x.at(ni, ci, iy, ix) * w.at(fi, ci, ki, kj)
								}
							}
						}
					}
					y.v[y.off(ni, fi, oy, ox)] = s
				}
			}
		}
	}
	return y
}

func outSize(h, w, kh, kw int, p tensor.ConvParams) (int, int) {
	return (h+p.PadTop+p.PadBottom-p.DilationH*(kh-1)-1)/p.StrideH + 1,
		(w+p.PadLeft+p.PadRight-p.DilationW*(kw-1)-1)/p.StrideW + 1
}

func refConvBack(x, w, dy ref, p tensor.ConvParams) (dx, dw ref) {
	n, c, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	f, kh, kw := w.shape[0], w.shape[2], w.shape[3]
	oh, ow := dy.shape[2], dy.shape[3]
	dx, dw = newRef(x.shape...), newRef(w.shape...)
	for ni := 0; ni < n; ni++ {
		for fi := 0; fi < f; fi++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					g := dy.at(ni, fi, oy, ox)
					for ci := 0; ci < c; ci++ {
						for ki := 0; ki < kh; ki++ {
							for kj := 0; kj < kw; kj++ {
								iy := oy*p.StrideH - p.PadTop + ki*p.DilationH
								ix := ox*p.StrideW - p.PadLeft + kj*p.DilationW
								if iy >= 0 && iy < h && ix >= 0 && ix < wd {
									dx.v[dx.off(ni, ci, iy, ix)] += g * w.at(fi, ci, ki, kj)
									dw.v[dw.off(fi, ci, ki, kj)] += g * x.at(ni, ci, iy, ix)
								}
							}
						}
					}
				}
			}
		}
	}
	return dx, dw
}

type convCase struct {
	name   string
	kh, kw int
	p      tensor.ConvParams
}

var convCases = []convCase{
	{"3x3", 3, 3, tensor.ConvParams{StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}},
	{"3x3/s2/p1", 3, 3, tensor.ConvParams{StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, DilationH: 1, DilationW: 1}},
	{"3x3/p2/d2", 3, 3, tensor.ConvParams{StrideH: 1, StrideW: 1, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 2}},
	{"1x1", 1, 1, tensor.ConvParams{StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}},
	{"1x1/s2", 1, 1, tensor.ConvParams{StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1}},
	{"2x3/asym", 2, 3, tensor.ConvParams{StrideH: 2, StrideW: 1, PadTop: 1, PadLeft: 0, PadBottom: 0, PadRight: 2, DilationH: 1, DilationW: 2}},
	{"5x5/same", 5, 5, tensor.ConvParams{StrideH: 1, StrideW: 1, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 1, DilationW: 1}},
	{"3x2/s3", 3, 2, tensor.ConvParams{StrideH: 3, StrideW: 3, PadTop: 0, PadLeft: 1, PadBottom: 2, PadRight: 0, DilationH: 1, DilationW: 1}},
}

func testConv(t *testing.T, dev tensor.Device) {
	rng := newRNG(12)
	for _, dt := range dtypes {
		for _, c := range convCases {
			for _, n := range []int{2, 1, 0} {
				x := uniform(rng, dt, -1, 1, n, 3, 7, 8)
				w := uniform(rng, dt, -1, 1, 4, 3, c.kh, c.kw)
				xr, wr := refOf(x), refOf(w)
				want := refConv(xr, wr, c.p)
				dy := uniform(rng, dt, -1, 1, want.shape...)
				dxW, dwW := refConvBack(xr, wr, refOf(dy), c.p)
				tl := tol(dt) * 20
				name := fmt.Sprintf("%v %s n=%d", dt, c.name, n)
				lx, lw, ldy := layouts(dev, x), layouts(dev, w), layouts(dev, dy)
				for i := range lx {
					got := tensor.Conv2D(lx[i].t, lw[i].t, c.p)
					if d := diff(got, want, tl); d != "" {
						t.Errorf("%s Conv2D %s: %s", name, lx[i].name, d)
					}
					dx := tensor.Conv2DBackwardData(ldy[i].t, lw[i].t, x.Shape(), c.p)
					if d := diff(dx, dxW, tl); d != "" {
						t.Errorf("%s Conv2DBackwardData %s: %s", name, lx[i].name, d)
					}
					dw := tensor.Conv2DBackwardFilter(lx[i].t, ldy[i].t, w.Shape(), c.p)
					if d := diff(dw, dwW, tl); d != "" {
						t.Errorf("%s Conv2DBackwardFilter %s: %s", name, lx[i].name, d)
					}
				}
			}
		}
		// A larger batch, so that backends split it.
		p := tensor.ConvParams{StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, DilationH: 1, DilationW: 1}
		x := uniform(rng, dt, -1, 1, 19, 2, 6, 5)
		w := uniform(rng, dt, -1, 1, 3, 2, 3, 3)
		xr, wr := refOf(x), refOf(w)
		want := refConv(xr, wr, p)
		dy := uniform(rng, dt, -1, 1, want.shape...)
		dxW, dwW := refConvBack(xr, wr, refOf(dy), p)
		if d := diff(tensor.Conv2D(x.To(dev), w.To(dev), p), want, tol(dt)*20); d != "" {
			t.Errorf("%v Conv2D batch 19: %s", dt, d)
		}
		if d := diff(tensor.Conv2DBackwardData(dy.To(dev), w.To(dev), x.Shape(), p), dxW, tol(dt)*20); d != "" {
			t.Errorf("%v Conv2DBackwardData batch 19: %s", dt, d)
		}
		if d := diff(tensor.Conv2DBackwardFilter(x.To(dev), dy.To(dev), w.Shape(), p), dwW, tol(dt)*40); d != "" {
			t.Errorf("%v Conv2DBackwardFilter batch 19: %s", dt, d)
		}
		// Zero ConvParams: stride and dilation 1, kernel size from w.
		hx := tensor.FromSlice(dt, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3).To(dev)
		hw := tensor.FromSlice(dt, []float64{1, 0, 0, -1}, 1, 1, 2, 2).To(dev)
		if d := diff(tensor.Conv2D(hx, hw, tensor.ConvParams{}), ref{[]int{1, 1, 2, 2}, []float64{-4, -4, -4, -4}}, 0); d != "" {
			t.Errorf("%v Conv2D hand: %s", dt, d)
		}
		hdy := tensor.Ones(dt, 1, 1, 2, 2).To(dev)
		if d := diff(tensor.Conv2DBackwardFilter(hx, hdy, []int{1, 1, 2, 2}, tensor.ConvParams{}), ref{[]int{1, 1, 2, 2}, []float64{12, 16, 24, 28}}, 0); d != "" {
			t.Errorf("%v Conv2DBackwardFilter hand: %s", dt, d)
		}
		if d := diff(tensor.Conv2DBackwardData(hdy, hw, []int{1, 1, 3, 3}, tensor.ConvParams{}), ref{[]int{1, 1, 3, 3}, []float64{1, 1, 0, 1, 0, -1, 0, -1, -1}}, 0); d != "" {
			t.Errorf("%v Conv2DBackwardData hand: %s", dt, d)
		}
		expectPanic(t, "Conv2D channels", "Conv2D shape mismatch: input [1 1 3 3]", func() {
			tensor.Conv2D(hx, tensor.Zeros(dt, 1, 2, 2, 2).To(dev), tensor.ConvParams{})
		})
		expectPanic(t, "Conv2DBackwardData shape", "Conv2DBackwardData", func() {
			tensor.Conv2DBackwardData(hdy, hw, []int{1, 1, 4, 4}, tensor.ConvParams{})
		})
		expectPanic(t, "Conv2DBackwardFilter shape", "Conv2DBackwardFilter", func() {
			tensor.Conv2DBackwardFilter(hx, hdy, []int{1, 1, 3, 3}, tensor.ConvParams{})
		})
	}
}

type poolCase struct {
	name string
	p    tensor.ConvParams
}

var poolCases = []poolCase{
	{"2x2/s2", tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2}},
	{"3x3/s2/p1", tensor.ConvParams{KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}},
	{"3x3/s1/p1/d2", tensor.ConvParams{KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, DilationH: 2, DilationW: 2}},
	{"2x2/s2/same", tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2, PadBottom: 1, PadRight: 1}},
	{"3x3/s3", tensor.ConvParams{KH: 3, KW: 3, StrideH: 3, StrideW: 3}},
	{"1x2/s(1,2)", tensor.ConvParams{KH: 1, KW: 2, StrideH: 1, StrideW: 2}},
}

// refPool returns max (isMax) or mean pooling, padding excluded, and the
// backward pass of dy.
func refPool(x, dy ref, p tensor.ConvParams, isMax bool) (y, dx ref) {
	p.StrideH, p.StrideW = max(p.StrideH, 1), max(p.StrideW, 1)
	p.DilationH, p.DilationW = max(p.DilationH, 1), max(p.DilationW, 1)
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	oh, ow := outSize(h, w, p.KH, p.KW, p)
	y, dx = newRef(n, c, oh, ow), newRef(x.shape...)
	for ni := 0; ni < n; ni++ {
		for ci := 0; ci < c; ci++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					var in [][2]int
					for ki := 0; ki < p.KH; ki++ {
						for kj := 0; kj < p.KW; kj++ {
							iy := oy*p.StrideH - p.PadTop + ki*p.DilationH
							ix := ox*p.StrideW - p.PadLeft + kj*p.DilationW
							if iy >= 0 && iy < h && ix >= 0 && ix < w {
								in = append(in, [2]int{iy, ix})
							}
						}
					}
					var g float64
					if dy.v != nil {
						g = dy.at(ni, ci, oy, ox)
					}
					o := y.off(ni, ci, oy, ox)
					if isMax {
						best := in[0]
						for _, q := range in[1:] {
							if x.at(ni, ci, q[0], q[1]) > x.at(ni, ci, best[0], best[1]) {
								best = q
							}
						}
						y.v[o] = x.at(ni, ci, best[0], best[1])
						dx.v[dx.off(ni, ci, best[0], best[1])] += g
						continue
					}
					var s float64
					for _, q := range in {
						s += x.at(ni, ci, q[0], q[1])
						dx.v[dx.off(ni, ci, q[0], q[1])] += g / float64(len(in))
					}
					y.v[o] = s / float64(len(in))
				}
			}
		}
	}
	return y, dx
}

func testPool(t *testing.T, dev tensor.Device) {
	rng := newRNG(13)
	for _, dt := range dtypes {
		for _, c := range poolCases {
			x := uniform(rng, dt, -1, 1, 2, 3, 7, 8)
			xr := refOf(x)
			for _, isMax := range []bool{true, false} {
				yW, _ := refPool(xr, ref{}, c.p, isMax)
				dy := uniform(rng, dt, -1, 1, yW.shape...)
				_, dxW := refPool(xr, refOf(dy), c.p, isMax)
				op := "AvgPool2D"
				if isMax {
					op = "MaxPool2D"
				}
				lx, ldy := layouts(dev, x), layouts(dev, dy)
				for i := range lx {
					var y, dx *tensor.Tensor
					if isMax {
						y = tensor.MaxPool2D(lx[i].t, c.p)
						dx = tensor.MaxPool2DBackward(ldy[i].t, lx[i].t, c.p)
					} else {
						y = tensor.AvgPool2D(lx[i].t, c.p)
						dx = tensor.AvgPool2DBackward(ldy[i].t, x.Shape(), c.p)
					}
					if d := diff(y, yW, 4*tol(dt)); d != "" {
						t.Errorf("%v %s %s %s: %s", dt, op, c.name, lx[i].name, d)
					}
					if d := diff(dx, dxW, 4*tol(dt)); d != "" {
						t.Errorf("%v %sBackward %s %s: %s", dt, op, c.name, lx[i].name, d)
					}
				}
			}
		}
		// Hand-computed, with a tie (the first maximum takes the gradient)
		// and a NaN (which wins, as in PyTorch).
		x := tensor.FromSlice(dt, []float64{
			1, 5, 2, 0,
			5, 3, 4, 4,
			0, 0, math.NaN(), 1,
			0, 9, 1, 1,
		}, 1, 1, 4, 4).To(dev)
		p := tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2}
		if d := diff(tensor.MaxPool2D(x, p), ref{[]int{1, 1, 2, 2}, []float64{5, 4, 9, math.NaN()}}, 0); d != "" {
			t.Errorf("%v MaxPool2D hand: %s", dt, d)
		}
		dy := tensor.FromSlice(dt, []float64{1, 2, 3, 4}, 1, 1, 2, 2).To(dev)
		dxGot := tensor.MaxPool2DBackward(dy, x, p)
		want := []float64{0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 3, 0, 0}
		if d := diff(dxGot, ref{[]int{1, 1, 4, 4}, want}, 0); d != "" {
			t.Errorf("%v MaxPool2DBackward hand: %s", dt, d)
		}
		a := tensor.FromSlice(dt, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3).To(dev)
		pa := tensor.ConvParams{KH: 2, KW: 2, StrideH: 2, StrideW: 2, PadBottom: 1, PadRight: 1}
		if d := diff(tensor.AvgPool2D(a, pa), ref{[]int{1, 1, 2, 2}, []float64{3, 4.5, 7.5, 9}}, 0); d != "" {
			t.Errorf("%v AvgPool2D hand (padding excluded): %s", dt, d)
		}
		if d := diff(tensor.MaxPool2D(a, pa), ref{[]int{1, 1, 2, 2}, []float64{5, 6, 8, 9}}, 0); d != "" {
			t.Errorf("%v MaxPool2D with bottom/right padding: %s", dt, d)
		}
		expectPanic(t, "MaxPool2DBackward shape", "MaxPool2DBackward shape mismatch", func() {
			tensor.MaxPool2DBackward(tensor.Zeros(dt, 1, 1, 3, 3).To(dev), x, p)
		})
		expectPanic(t, "AvgPool2DBackward shape", "AvgPool2DBackward", func() {
			tensor.AvgPool2DBackward(tensor.Zeros(dt, 1, 1, 3, 3).To(dev), []int{1, 1, 4, 4}, p)
		})
	}
}

func testBernoulli(t *testing.T, dev tensor.Device) {
	for _, dt := range dtypes {
		const n = 4099
		keep, scale := 0.3, 1/0.3
		got := tensor.Bernoulli(dev, dt, keep, scale, 42, n).To(tensor.CPU).Float64s()
		thr := uint64(keep * (1 << 53))
		kept := 0
		for i, v := range got {
			want := 0.0
			if tensor.Hash64(42, uint64(i))>>11 < thr {
				want = round(dt, scale)
				kept++
			}
			if v != want {
				t.Fatalf("%v Bernoulli[%d] = %v, want %v", dt, i, v, want)
			}
		}
		if kept < n/4 || kept > n*7/20 {
			t.Errorf("%v Bernoulli kept %d of %d at keep %v", dt, kept, n, keep)
		}
		all := tensor.Bernoulli(dev, dt, 1, 2, 7, 3, 5)
		if d := diff(all, ref{[]int{3, 5}, slices.Repeat([]float64{2}, 15)}, 0); d != "" {
			t.Errorf("%v Bernoulli keep 1: %s", dt, d)
		}
	}
}

// optimizer references, on float64 scalars.
func refSGD(p, g, v []float64, h tensor.OptimizerStep) {
	for i := range p {
		gi := g[i] + h.WeightDecay*p[i]
		if h.Beta1 != 0 {
			v[i] = h.Beta1*v[i] + gi
			if h.Nesterov {
				gi += h.Beta1 * v[i]
			} else {
				gi = v[i]
			}
		}
		p[i] -= h.LR * gi
	}
}

func refAdam(p, g, m, v []float64, h tensor.OptimizerStep) {
	for i := range p {
		gi := g[i]
		if h.Decoupled {
			p[i] *= 1 - h.LR*h.WeightDecay
		} else {
			gi += h.WeightDecay * p[i]
		}
		m[i] = h.Beta1*m[i] + (1-h.Beta1)*gi
		v[i] = h.Beta2*v[i] + (1-h.Beta2)*gi*gi
		mh := m[i] / (1 - math.Pow(h.Beta1, float64(h.Step)))
		vh := v[i] / (1 - math.Pow(h.Beta2, float64(h.Step)))
		p[i] -= h.LR * mh / (math.Sqrt(vh) + h.Eps)
	}
}

func refRMSprop(p, g, sq, mom []float64, h tensor.OptimizerStep) {
	for i := range p {
		gi := g[i] + h.WeightDecay*p[i]
		sq[i] = h.Beta2*sq[i] + (1-h.Beta2)*gi*gi
		u := gi / (math.Sqrt(sq[i]) + h.Eps)
		if mom != nil && h.Beta1 != 0 {
			mom[i] = h.Beta1*mom[i] + u
			u = mom[i]
		}
		p[i] -= h.LR * u
	}
}

func refAdagrad(p, g, s []float64, h tensor.OptimizerStep) {
	for i := range p {
		gi := g[i] + h.WeightDecay*p[i]
		s[i] += gi * gi
		p[i] -= h.LR * gi / (math.Sqrt(s[i]) + h.Eps)
	}
}

func testOptim(t *testing.T, dev tensor.Device) {
	rng := newRNG(14)
	type state struct {
		name string
		n    int // state tensors
		step func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep)
		ref  func(p, g []float64, s [][]float64, h tensor.OptimizerStep)
		h    tensor.OptimizerStep
	}
	cases := []state{
		{"SGD", 0, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) { tensor.SGDStep(p, g, nil, h) },
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refSGD(p, g, nil, h) },
			tensor.OptimizerStep{LR: 0.1, WeightDecay: 0.01}},
		{"SGDMomentum", 1, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) { tensor.SGDStep(p, g, s[0], h) },
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refSGD(p, g, s[0], h) },
			tensor.OptimizerStep{LR: 0.1, Beta1: 0.9}},
		{"SGDNesterov", 1, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) { tensor.SGDStep(p, g, s[0], h) },
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refSGD(p, g, s[0], h) },
			tensor.OptimizerStep{LR: 0.05, Beta1: 0.8, Nesterov: true, WeightDecay: 1e-3}},
		{"Adam", 2, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) {
			tensor.AdamStep(p, g, s[0], s[1], h)
		},
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refAdam(p, g, s[0], s[1], h) },
			tensor.OptimizerStep{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2}},
		{"AdamW", 2, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) {
			tensor.AdamStep(p, g, s[0], s[1], h)
		},
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refAdam(p, g, s[0], s[1], h) },
			tensor.OptimizerStep{LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true}},
		{"RMSprop", 1, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) {
			tensor.RMSpropStep(p, g, s[0], nil, h)
		},
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refRMSprop(p, g, s[0], nil, h) },
			tensor.OptimizerStep{LR: 1e-2, Beta2: 0.99, Eps: 1e-8}},
		{"RMSpropMomentum", 2, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) {
			tensor.RMSpropStep(p, g, s[0], s[1], h)
		},
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refRMSprop(p, g, s[0], s[1], h) },
			tensor.OptimizerStep{LR: 1e-2, Beta1: 0.9, Beta2: 0.9, Eps: 1e-8, WeightDecay: 1e-3}},
		{"Adagrad", 1, func(p, g *tensor.Tensor, s []*tensor.Tensor, h tensor.OptimizerStep) {
			tensor.AdagradStep(p, g, s[0], h)
		},
			func(p, g []float64, s [][]float64, h tensor.OptimizerStep) { refAdagrad(p, g, s[0], h) },
			tensor.OptimizerStep{LR: 0.1, Eps: 1e-10}},
	}
	for _, dt := range dtypes {
		for _, c := range cases {
			const n = 1000
			p := uniform(rng, dt, -1, 1, n)
			pr := refOf(p).v
			pd := p.Clone().To(dev)
			var sd []*tensor.Tensor
			var sr [][]float64
			for i := 0; i < c.n; i++ {
				sd = append(sd, tensor.Zeros(dt, n).To(dev))
				sr = append(sr, make([]float64, n))
			}
			for step := 1; step <= 3; step++ {
				g := uniform(rng, dt, -1, 1, n)
				h := c.h
				h.Step = step
				c.step(pd, g.To(dev), sd, h)
				c.ref(pr, refOf(g).v, sr, h)
			}
			if d := diff(pd, ref{[]int{n}, pr}, 20*tol(dt)); d != "" {
				t.Errorf("%v %s after 3 steps: %s", dt, c.name, d)
			}
			for i := range sd {
				if d := diff(sd[i], ref{[]int{n}, sr[i]}, 20*tol(dt)); d != "" {
					t.Errorf("%v %s state %d: %s", dt, c.name, i, d)
				}
			}
		}
		// Hand-computed first Adam step: the update is lr·sign(g).
		p := tensor.FromSlice(dt, []float64{1, -1}, 2).To(dev)
		g := tensor.FromSlice(dt, []float64{0.5, -2}, 2).To(dev)
		m, v := tensor.Zeros(dt, 2).To(dev), tensor.Zeros(dt, 2).To(dev)
		tensor.AdamStep(p, g, m, v, tensor.OptimizerStep{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1})
		if d := diff(p, ref{[]int{2}, []float64{0.9, -0.9}}, 1e-6); d != "" {
			t.Errorf("%v Adam first step: %s", dt, d)
		}
		if d := diff(m, ref{[]int{2}, []float64{0.05, -0.2}}, tol(dt)); d != "" {
			t.Errorf("%v Adam m: %s", dt, d)
		}
		// SGD with momentum 0.9, two steps of g=1 from p=0: v=1, then 1.9.
		sp, sv := tensor.Zeros(dt, 1).To(dev), tensor.Zeros(dt, 1).To(dev)
		one := tensor.Ones(dt, 1).To(dev)
		for i := 0; i < 2; i++ {
			tensor.SGDStep(sp, one, sv, tensor.OptimizerStep{LR: 0.1, Beta1: 0.9})
		}
		if d := diff(sp, ref{[]int{1}, []float64{-0.29}}, tol(dt)); d != "" {
			t.Errorf("%v SGD momentum hand: %s", dt, d)
		}
		expectPanic(t, "AdamStep state shape", "AdamStep state [3]", func() {
			tensor.AdamStep(p, g, tensor.Zeros(dt, 3).To(dev), v, tensor.OptimizerStep{LR: 1})
		})
	}
}
