package tensor

import (
	"fmt"
	"slices"
)

// result returns dst when given (checking it), or a new contiguous tensor.
func result(op string, dst *Tensor, like *Tensor, dt DType, shape []int) *Tensor {
	if dst == nil {
		return empty(like.st.dev, dt, shape, false)
	}
	if !slices.Equal(dst.shape, shape) || dst.dtype != dt || !dst.IsContiguous() {
		panic(fmt.Sprintf("tensor: %s into dst %v %v (contiguous %v), want %v %v", op, dst.shape, dst.dtype, dst.IsContiguous(), shape, dt))
	}
	if dst.st.dev != like.st.dev {
		panic(fmt.Sprintf("tensor: %s into dst on %v with operands on %v", op, dst.st.dev, like.st.dev))
	}
	return dst
}

func sameDType(op string, a, b *Tensor) {
	if a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor: %s with %v and %v operands (shapes %v and %v); convert with AsType", op, a.dtype, b.dtype, a.shape, b.shape))
	}
}

var binaryNames = [...]string{"Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "Atan2"}

// BinaryTo computes op(a, b) with NumPy broadcasting into dst (which may be
// nil for a new tensor, or alias a or b when it has the result's shape) and
// returns it.
func BinaryTo(dst *Tensor, op BinaryOp, a, b *Tensor) *Tensor {
	name := binaryNames[op]
	sameDType(name, a, b)
	bk := sameDevice(name, a, b)
	shape := a.shape
	if !slices.Equal(a.shape, b.shape) {
		s, err := BroadcastShapes(a.shape, b.shape)
		if err != nil {
			panic(fmt.Sprintf("tensor: %s shape mismatch: %v and %v do not broadcast", name, a.shape, b.shape))
		}
		shape = s
		a, b = a.Expand(shape...), b.Expand(shape...)
	}
	out := result(name, dst, a, a.dtype, shape)
	bk.Binary(op, out, a, b)
	return out
}

// Add returns a + b (broadcasting).
func Add(a, b *Tensor) *Tensor { return BinaryTo(nil, OpAdd, a, b) }

// Sub returns a - b (broadcasting).
func Sub(a, b *Tensor) *Tensor { return BinaryTo(nil, OpSub, a, b) }

// Mul returns a * b elementwise (broadcasting).
func Mul(a, b *Tensor) *Tensor { return BinaryTo(nil, OpMul, a, b) }

// Div returns a / b elementwise (broadcasting).
func Div(a, b *Tensor) *Tensor { return BinaryTo(nil, OpDiv, a, b) }

// Pow returns a ** b elementwise (broadcasting).
func Pow(a, b *Tensor) *Tensor { return BinaryTo(nil, OpPow, a, b) }

// Maximum returns the elementwise maximum (NaN wins).
func Maximum(a, b *Tensor) *Tensor { return BinaryTo(nil, OpMaximum, a, b) }

// Minimum returns the elementwise minimum (NaN wins).
func Minimum(a, b *Tensor) *Tensor { return BinaryTo(nil, OpMinimum, a, b) }

// Equal returns 1 where a == b and 0 elsewhere.
func Equal(a, b *Tensor) *Tensor { return BinaryTo(nil, OpEq, a, b) }

// NotEqual returns 1 where a != b.
func NotEqual(a, b *Tensor) *Tensor { return BinaryTo(nil, OpNe, a, b) }

// Less returns 1 where a < b.
func Less(a, b *Tensor) *Tensor { return BinaryTo(nil, OpLt, a, b) }

// LessEqual returns 1 where a <= b.
func LessEqual(a, b *Tensor) *Tensor { return BinaryTo(nil, OpLe, a, b) }

// Greater returns 1 where a > b.
func Greater(a, b *Tensor) *Tensor { return BinaryTo(nil, OpGt, a, b) }

// GreaterEqual returns 1 where a >= b.
func GreaterEqual(a, b *Tensor) *Tensor { return BinaryTo(nil, OpGe, a, b) }

var unaryNames = map[UnaryOp]string{OpNeg: "Neg", OpAbs: "Abs", OpExp: "Exp", OpLog: "Log", OpSqrt: "Sqrt", OpRsqrt: "Rsqrt",
	OpSquare: "Square", OpReciprocal: "Reciprocal", OpTanh: "Tanh", OpSigmoid: "Sigmoid", OpRelu: "Relu", OpSin: "Sin", OpCos: "Cos",
	OpSign: "Sign", OpFloor: "Floor", OpCeil: "Ceil", OpRound: "Round", OpSoftplus: "Softplus", OpGelu: "Gelu", OpGeluExact: "GeluExact",
	OpErf: "Erf", OpLog1p: "Log1p", OpExpm1: "Expm1", OpPowScalar: "PowScalar", OpAddScalar: "AddScalar", OpMulScalar: "MulScalar",
	OpAffine: "Affine", OpClip: "Clip", OpLeakyRelu: "LeakyRelu", OpElu: "Elu", OpReluGrad: "ReluGrad", OpStep: "Step",
	OpIsNaN: "IsNaN", OpNanToNum: "NanToNum", OpRsubScalar: "RsubScalar", OpRdivScalar: "RdivScalar"}

// UnaryTo applies op elementwise to src into dst (nil for a new tensor; it
// may be src itself when src is contiguous) and returns it. p0 and p1 are
// the op's parameters (see the Op constants).
func UnaryTo(dst *Tensor, op UnaryOp, src *Tensor, p0, p1 float64) *Tensor {
	out := result(unaryNames[op], dst, src, src.dtype, src.shape)
	src.st.dev.Backend().Unary(op, out, src, p0, p1)
	return out
}

func unary(op UnaryOp, t *Tensor) *Tensor { return UnaryTo(nil, op, t, 0, 0) }

// Neg returns -t.
func Neg(t *Tensor) *Tensor { return unary(OpNeg, t) }

// Abs returns |t|.
func Abs(t *Tensor) *Tensor { return unary(OpAbs, t) }

// Exp returns e**t.
func Exp(t *Tensor) *Tensor { return unary(OpExp, t) }

// Log returns the natural logarithm.
func Log(t *Tensor) *Tensor { return unary(OpLog, t) }

// Log1p returns log(1+t).
func Log1p(t *Tensor) *Tensor { return unary(OpLog1p, t) }

// Sqrt returns the square root.
func Sqrt(t *Tensor) *Tensor { return unary(OpSqrt, t) }

// Square returns t*t.
func Square(t *Tensor) *Tensor { return unary(OpSquare, t) }

// Reciprocal returns 1/t.
func Reciprocal(t *Tensor) *Tensor { return unary(OpReciprocal, t) }

// Tanh returns the hyperbolic tangent.
func Tanh(t *Tensor) *Tensor { return unary(OpTanh, t) }

// Sigmoid returns 1/(1+e**-t), computed stably.
func Sigmoid(t *Tensor) *Tensor { return unary(OpSigmoid, t) }

// Relu returns max(t, 0).
func Relu(t *Tensor) *Tensor { return unary(OpRelu, t) }

// Gelu returns the Gaussian error linear unit x·Φ(x).
func Gelu(t *Tensor) *Tensor { return unary(OpGeluExact, t) }

// Softplus returns log(1+e**t).
func Softplus(t *Tensor) *Tensor { return unary(OpSoftplus, t) }

// Sin returns the sine.
func Sin(t *Tensor) *Tensor { return unary(OpSin, t) }

// Cos returns the cosine.
func Cos(t *Tensor) *Tensor { return unary(OpCos, t) }

// Sign returns -1, 0 or 1.
func Sign(t *Tensor) *Tensor { return unary(OpSign, t) }

// Floor rounds down.
func Floor(t *Tensor) *Tensor { return unary(OpFloor, t) }

// Round rounds half to even.
func Round(t *Tensor) *Tensor { return unary(OpRound, t) }

// LeakyRelu returns t where t > 0 and alpha*t elsewhere.
func LeakyRelu(t *Tensor, alpha float64) *Tensor { return UnaryTo(nil, OpLeakyRelu, t, alpha, 0) }

// Elu returns t where t > 0 and alpha*(e**t - 1) elsewhere.
func Elu(t *Tensor, alpha float64) *Tensor { return UnaryTo(nil, OpElu, t, alpha, 0) }

// Clip limits t to [lo, hi].
func Clip(t *Tensor, lo, hi float64) *Tensor { return UnaryTo(nil, OpClip, t, lo, hi) }

// PowScalar returns t**p.
func PowScalar(t *Tensor, p float64) *Tensor { return UnaryTo(nil, OpPowScalar, t, p, 0) }

// AddScalar returns t + c.
func AddScalar(t *Tensor, c float64) *Tensor { return UnaryTo(nil, OpAddScalar, t, c, 0) }

// MulScalar returns t * c.
func MulScalar(t *Tensor, c float64) *Tensor { return UnaryTo(nil, OpMulScalar, t, c, 0) }

// IsNaN returns 1 where t is NaN.
func IsNaN(t *Tensor) *Tensor { return unary(OpIsNaN, t) }

// Where returns a where cond is non-zero and b elsewhere (broadcasting all
// three).
func Where(cond, a, b *Tensor) *Tensor {
	sameDType("Where", a, b)
	bk := sameDevice("Where", cond, a, b)
	shape, err := BroadcastShapes(cond.shape, a.shape, b.shape)
	if err != nil {
		panic(fmt.Sprintf("tensor: Where shape mismatch: cond %v, a %v, b %v", cond.shape, a.shape, b.shape))
	}
	out := empty(a.st.dev, a.dtype, shape, false)
	bk.Where(out, cond.Expand(shape...), a.Expand(shape...), b.Expand(shape...))
	return out
}

// reduceMask turns axes (none meaning all) into a mask over t's dimensions.
func reduceMask(op string, t *Tensor, axes []int) []bool {
	mask := make([]bool, len(t.shape))
	if len(axes) == 0 {
		for i := range mask {
			mask[i] = true
		}
		return mask
	}
	for _, a := range axes {
		mask[normAxis(op, a, len(t.shape))] = true
	}
	return mask
}

// ReduceTo reduces t over the given axes (all when none) into a tensor that
// keeps the reduced dimensions with size 1.
func ReduceTo(dst *Tensor, op ReduceOp, t *Tensor, axes ...int) *Tensor {
	names := [...]string{"Sum", "Max", "Min", "Prod", "ArgMax", "ArgMin"}
	mask := reduceMask(names[op], t, axes)
	shape := slices.Clone(t.shape)
	for i, m := range mask {
		if m {
			shape[i] = 1
		}
	}
	out := result(names[op], dst, t, t.dtype, shape)
	t.st.dev.Backend().Reduce(op, out, t, mask)
	return out
}

func dropAxes(t *Tensor, axes []int) *Tensor {
	if len(axes) == 0 {
		return t.Reshape()
	}
	mask := reduceMask("reduce", t, axes)
	var shape []int
	for i, d := range t.shape {
		if !mask[i] {
			shape = append(shape, d)
		}
	}
	return t.Reshape(shape...)
}

// Sum returns the sum over the given axes (all when none), which are
// removed from the shape. SumKeep keeps them with size 1.
func Sum(t *Tensor, axes ...int) *Tensor {
	return dropAxes(ReduceTo(nil, ReduceSum, t, axes...), axes)
}

// SumKeep is Sum keeping the reduced axes with size 1.
func SumKeep(t *Tensor, axes ...int) *Tensor { return ReduceTo(nil, ReduceSum, t, axes...) }

// Max returns the maximum over the given axes (all when none).
func Max(t *Tensor, axes ...int) *Tensor {
	return dropAxes(ReduceTo(nil, ReduceMax, t, axes...), axes)
}

// Min returns the minimum over the given axes (all when none).
func Min(t *Tensor, axes ...int) *Tensor {
	return dropAxes(ReduceTo(nil, ReduceMin, t, axes...), axes)
}

// Prod returns the product over the given axes (all when none).
func Prod(t *Tensor, axes ...int) *Tensor {
	return dropAxes(ReduceTo(nil, ReduceProd, t, axes...), axes)
}

func reducedCount(t *Tensor, axes []int) int {
	n := 1
	for i, m := range reduceMask("Mean", t, axes) {
		if m {
			n *= t.shape[i]
		}
	}
	return n
}

// Mean returns the mean over the given axes (all when none).
func Mean(t *Tensor, axes ...int) *Tensor {
	s := Sum(t, axes...)
	return UnaryTo(s, OpMulScalar, s, 1/float64(reducedCount(t, axes)), 0)
}

// MeanKeep is Mean keeping the reduced axes with size 1.
func MeanKeep(t *Tensor, axes ...int) *Tensor {
	s := SumKeep(t, axes...)
	return UnaryTo(s, OpMulScalar, s, 1/float64(reducedCount(t, axes)), 0)
}

// Var returns the variance over the given axes with ddof delta degrees of
// freedom (0 for the population variance, 1 for the sample variance).
func Var(t *Tensor, ddof int, axes ...int) *Tensor {
	m := MeanKeep(t, axes...)
	d := Sub(t, m)
	d = UnaryTo(d, OpSquare, d, 0, 0)
	s := Sum(d, axes...)
	return UnaryTo(s, OpMulScalar, s, 1/float64(reducedCount(t, axes)-ddof), 0)
}

// Std returns the standard deviation (see Var).
func Std(t *Tensor, ddof int, axes ...int) *Tensor {
	v := Var(t, ddof, axes...)
	return UnaryTo(v, OpSqrt, v, 0, 0)
}

// ArgMax returns, for every position of the other axes in row-major order,
// the index of the largest element along axis (the first on ties; NaN
// counts as largest).
func ArgMax(t *Tensor, axis int) []int { return argReduce(ReduceArgMax, t, axis) }

// ArgMin is ArgMax for the smallest element.
func ArgMin(t *Tensor, axis int) []int { return argReduce(ReduceArgMin, t, axis) }

func argReduce(op ReduceOp, t *Tensor, axis int) []int {
	axis = normAxis("ArgMax", axis, len(t.shape))
	if t.shape[axis] == 0 {
		panic(fmt.Sprintf("tensor: ArgMax/ArgMin over empty axis %d of shape %v", axis, t.shape))
	}
	r := ReduceTo(nil, op, t, axis).To(CPU).Float64s()
	out := make([]int, len(r))
	for i, v := range r {
		out[i] = int(v)
	}
	return out
}

// MatMul returns the matrix product of a and b. 2-D operands give the usual
// product; with more dimensions the leading ones are batch dimensions and
// broadcast; a 1-D a is a row vector and a 1-D b a column vector, whose
// added dimension is removed from the result (NumPy's matmul). Transposed
// views (T, Transpose) are used without copying.
func MatMul(a, b *Tensor) *Tensor { return MatMulTo(nil, a, b) }

// MatMulTo is MatMul into dst (nil for a new tensor).
func MatMulTo(dst, a, b *Tensor) *Tensor {
	sameDType("MatMul", a, b)
	bk := sameDevice("MatMul", a, b)
	if a.Dim() == 0 || b.Dim() == 0 {
		panic(fmt.Sprintf("tensor: MatMul shape mismatch: %v and %v (scalars)", a.shape, b.shape))
	}
	va, vb := a.Dim() == 1, b.Dim() == 1
	if va {
		a = a.Unsqueeze(0)
	}
	if vb {
		b = b.Unsqueeze(1)
	}
	na, nb := a.Dim(), b.Dim()
	m, k := a.shape[na-2], a.shape[na-1]
	k2, n := b.shape[nb-2], b.shape[nb-1]
	batch, err := BroadcastShapes(a.shape[:na-2], b.shape[:nb-2])
	if k != k2 || err != nil {
		panic(fmt.Sprintf("tensor: MatMul shape mismatch: %v and %v", a.shape, b.shape))
	}
	shape := append(slices.Clone(batch), m, n)
	a = a.Expand(append(slices.Clone(batch), m, k)...)
	b = b.Expand(append(slices.Clone(batch), k, n)...)
	outShape := slices.Clone(shape)
	if va {
		outShape = slices.Delete(outShape, len(outShape)-2, len(outShape)-1)
	}
	if vb {
		outShape = outShape[:len(outShape)-1]
	}
	var out *Tensor
	if dst != nil {
		out = result("MatMul", dst, a, a.dtype, outShape).Reshape(shape...)
	} else {
		out = empty(a.st.dev, a.dtype, shape, false)
	}
	bk.MatMul(out, a, b)
	if va || vb {
		out = out.Reshape(outShape...)
	}
	if dst != nil {
		return dst
	}
	return out
}

// Softmax returns exp(t)/sum(exp(t)) along axis, computed stably.
func Softmax(t *Tensor, axis int) *Tensor {
	axis = normAxis("Softmax", axis, t.Dim())
	out := empty(t.st.dev, t.dtype, t.shape, false)
	t.st.dev.Backend().Softmax(out, t, axis, false)
	return out
}

// LogSoftmax returns t - logsumexp(t) along axis, computed stably.
func LogSoftmax(t *Tensor, axis int) *Tensor {
	axis = normAxis("LogSoftmax", axis, t.Dim())
	out := empty(t.st.dev, t.dtype, t.shape, false)
	t.st.dev.Backend().Softmax(out, t, axis, true)
	return out
}

// OneHot returns a len(labels)×classes tensor with a 1 in each row at the
// label's column. It panics on a label outside [0, classes).
func OneHot(dt DType, labels []int, classes int) *Tensor {
	out := New(dt, len(labels), classes)
	for i, l := range labels {
		if l < 0 || l >= classes {
			panic(fmt.Sprintf("tensor: OneHot label %d at row %d outside [0, %d)", l, i, classes))
		}
		out.setFlat(i*classes+l, 1)
	}
	return out
}

// IndexSelect returns the entries idx of t along axis (like
// torch.index_select): the result has len(idx) entries on that axis.
func IndexSelect(t *Tensor, axis int, idx []int) *Tensor {
	axis = normAxis("IndexSelect", axis, t.Dim())
	for _, i := range idx {
		if i < 0 || i >= t.shape[axis] {
			panic(fmt.Sprintf("tensor: IndexSelect index %d out of range for axis %d of shape %v", i, axis, t.shape))
		}
	}
	shape := slices.Clone(t.shape)
	shape[axis] = len(idx)
	out := empty(t.st.dev, t.dtype, shape, false)
	t.st.dev.Backend().IndexSelect(out, t, axis, idx)
	return out
}

// IndexAdd adds src into dst at entries idx along axis (the adjoint of
// IndexSelect) in place and returns dst.
func IndexAdd(dst *Tensor, axis int, idx []int, src *Tensor) *Tensor {
	axis = normAxis("IndexAdd", axis, dst.Dim())
	bk := sameDevice("IndexAdd", dst, src)
	want := slices.Clone(dst.shape)
	want[axis] = len(idx)
	if !slices.Equal(src.shape, want) {
		panic(fmt.Sprintf("tensor: IndexAdd shape mismatch: src %v, want %v for dst %v", src.shape, want, dst.shape))
	}
	for _, i := range idx {
		if i < 0 || i >= dst.shape[axis] {
			panic(fmt.Sprintf("tensor: IndexAdd index %d out of range for axis %d of shape %v", i, axis, dst.shape))
		}
	}
	bk.IndexAdd(dst, src, axis, idx)
	return dst
}

// Gather picks one entry along the last axis for each row of a 2-D tensor:
// out[i] = t[i, idx[i]] (like torch.gather with an index column).
func Gather(t *Tensor, idx []int) *Tensor {
	if t.Dim() != 2 || len(idx) != t.shape[0] {
		panic(fmt.Sprintf("tensor: Gather shape mismatch: tensor %v with %d indices", t.shape, len(idx)))
	}
	c := t.To(CPU)
	out := New(t.dtype, len(idx))
	for i, j := range idx {
		if j < 0 || j >= t.shape[1] {
			panic(fmt.Sprintf("tensor: Gather index %d out of range at row %d of shape %v", j, i, t.shape))
		}
		out.setFlat(i, c.At(i, j))
	}
	return out.To(t.st.dev)
}

// Scatter is the adjoint of Gather: a rows×cols tensor that is zero except
// out[i, idx[i]] = v[i].
func Scatter(v *Tensor, idx []int, cols int) *Tensor {
	if v.Dim() != 1 || v.shape[0] != len(idx) {
		panic(fmt.Sprintf("tensor: Scatter shape mismatch: values %v with %d indices", v.shape, len(idx)))
	}
	c := v.To(CPU)
	out := New(v.dtype, len(idx), cols)
	for i, j := range idx {
		if j < 0 || j >= cols {
			panic(fmt.Sprintf("tensor: Scatter index %d out of range [0, %d) at row %d", j, cols, i))
		}
		out.setFlat(i*cols+j, c.At(i))
	}
	return out.To(v.st.dev)
}

// Dot returns the sum of a*b over all elements.
func Dot(a, b *Tensor) float64 {
	if !slices.Equal(a.shape, b.shape) {
		panic(fmt.Sprintf("tensor: Dot shape mismatch: %v and %v", a.shape, b.shape))
	}
	return Sum(Mul(a, b)).To(CPU).Item()
}

// AllClose reports whether a and b have the same shape and every pair of
// elements satisfies |a-b| <= atol + rtol*|b| (NaNs compare unequal).
func AllClose(a, b *Tensor, rtol, atol float64) bool {
	if !slices.Equal(a.shape, b.shape) {
		return false
	}
	x, y := a.To(CPU).Float64s(), b.To(CPU).Float64s()
	for i := range x {
		d := x[i] - y[i]
		if d < 0 {
			d = -d
		}
		ab := y[i]
		if ab < 0 {
			ab = -ab
		}
		if !(d <= atol+rtol*ab) {
			return false
		}
	}
	return true
}
