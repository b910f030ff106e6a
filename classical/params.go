package classical

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// Param binds one hyper-parameter name to the field that holds it. An
// estimator lists its Params once and gets GetParams, SetParams and Clone
// from them:
//
//	func (r *Ridge) params() classical.Params {
//		return classical.Params{
//			classical.Float("alpha", &r.Alpha),
//			classical.Bool("fit_intercept", &r.FitIntercept),
//		}
//	}
//	func (r *Ridge) GetParams() map[string]any        { return r.params().Get() }
//	func (r *Ridge) SetParams(m map[string]any) error { return r.params().Set("Ridge", m) }
type Param struct {
	Name string
	Get  func() any
	Set  func(v any) error
}

// Params is an estimator's list of hyper-parameters.
type Params []Param

// Get returns the parameters as a map from name to value.
func (ps Params) Get() map[string]any {
	m := make(map[string]any, len(ps))
	for _, p := range ps {
		m[p.Name] = p.Get()
	}
	return m
}

// Set assigns the values in m by name. An unknown name is an
// ErrUnknownParam error that lists the valid names; a value of the wrong
// type is an ErrInvalidParam error. Names are applied in sorted order and
// nothing is changed when any name is unknown.
func (ps Params) Set(est string, m map[string]any) error {
	byName := make(map[string]Param, len(ps))
	for _, p := range ps {
		byName[p.Name] = p
	}
	keys := slices.Sorted(maps.Keys(m))
	for _, k := range keys {
		if _, ok := byName[k]; !ok {
			return UnknownParam(est, k, ps.Names())
		}
	}
	for _, k := range keys {
		if err := byName[k].Set(m[k]); err != nil {
			return fmt.Errorf("%s: %w: %s: %v", est, ErrInvalidParam, k, err)
		}
	}
	return nil
}

// Names returns the sorted parameter names.
func (ps Params) Names() []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

// UnknownParam returns the error for SetParams with a name est lacks.
func UnknownParam(est, name string, valid []string) error {
	return fmt.Errorf("%s: %w %q (valid: %s)", est, ErrUnknownParam, name, strings.Join(valid, ", "))
}

// Int binds an int parameter; whole float64 values (as from JSON) are
// accepted.
func Int(name string, p *int) Param {
	return Param{Name: name, Get: func() any { return *p }, Set: func(v any) error {
		i, err := AsInt(v)
		if err == nil {
			*p = i
		}
		return err
	}}
}

// Float binds a float64 parameter; any Go number is accepted.
func Float(name string, p *float64) Param {
	return Param{Name: name, Get: func() any { return *p }, Set: func(v any) error {
		f, err := AsFloat(v)
		if err == nil {
			*p = f
		}
		return err
	}}
}

// Uint64 binds a uint64 parameter (seeds: "random_state").
func Uint64(name string, p *uint64) Param {
	return Param{Name: name, Get: func() any { return *p }, Set: func(v any) error {
		f, err := AsFloat(v)
		if err != nil {
			return err
		}
		if u, ok := v.(uint64); ok {
			*p = u
			return nil
		}
		if f < 0 || f != math.Trunc(f) || f > 1<<53 {
			return fmt.Errorf("want a non-negative integer, got %v", v)
		}
		*p = uint64(f)
		return nil
	}}
}

// String binds a string parameter; when allowed is not empty the value must
// be one of them.
func String(name string, p *string, allowed ...string) Param {
	return Param{Name: name, Get: func() any { return *p }, Set: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %T", v)
		}
		if len(allowed) > 0 && !slices.Contains(allowed, s) {
			return fmt.Errorf("%q is not one of %q", s, allowed)
		}
		*p = s
		return nil
	}}
}

// Bool binds a bool parameter.
func Bool(name string, p *bool) Param {
	return Param{Name: name, Get: func() any { return *p }, Set: func(v any) error {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want a bool, got %T", v)
		}
		*p = b
		return nil
	}}
}

// Any binds a parameter that may hold values of several types (gamma:
// "scale" or a number). check, when not nil, validates and may normalise
// the value (for example a JSON float64 to an int).
func Any(name string, p *any, check func(v any) (any, error)) Param {
	return Param{Name: name, Get: func() any { return *p }, Set: func(v any) error {
		if check != nil {
			nv, err := check(v)
			if err != nil {
				return err
			}
			v = nv
		}
		*p = v
		return nil
	}}
}

// Ints binds a []int parameter (copied on get and set).
func Ints(name string, p *[]int) Param { return sliceParam(name, p, AsInt) }

// Floats binds a []float64 parameter (copied on get and set).
func FloatSlice(name string, p *[]float64) Param { return sliceParam(name, p, AsFloat) }

// sliceParam binds a []T parameter (copied on get and set). Set takes a
// []T, nil, or a []any (as JSON decodes) whose elements conv converts.
func sliceParam[T any](name string, p *[]T, conv func(any) (T, error)) Param {
	return Param{Name: name, Get: func() any { return slices.Clone(*p) }, Set: func(v any) error {
		switch s := v.(type) {
		case []T:
			*p = slices.Clone(s)
			return nil
		case nil:
			*p = nil
			return nil
		case []any:
			out := make([]T, len(s))
			for i, e := range s {
				x, err := conv(e)
				if err != nil {
					return err
				}
				out[i] = x
			}
			*p = out
			return nil
		}
		return fmt.Errorf("want %T, got %T", []T(nil), v)
	}}
}

// AsInt converts a parameter value to int: Go integers, and floats that are
// whole numbers (JSON decodes numbers as float64).
func AsInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int8:
		return int(x), nil
	case int16:
		return int(x), nil
	case int32:
		return int(x), nil
	case int64:
		return int(x), nil
	case uint:
		return int(x), nil
	case uint8:
		return int(x), nil
	case uint16:
		return int(x), nil
	case uint32:
		return int(x), nil
	case uint64:
		return int(x), nil
	case float32:
		return AsInt(float64(x))
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, fmt.Errorf("want an integer, got %v", x)
		}
		return int(x), nil
	case json.Number:
		i, err := x.Int64()
		return int(i), err
	}
	return 0, fmt.Errorf("want an integer, got %T", v)
}

// AsFloat converts a parameter value (any Go number) to float64.
func AsFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint:
		return float64(x), nil
	case uint8:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	}
	return 0, fmt.Errorf("want a number, got %T", v)
}

// SplitNested splits "step__param" into "step" and "param"; ok is false
// when name has no "__".
func SplitNested(name string) (head, rest string, ok bool) {
	return strings.Cut(name, "__")
}

// NestParams adds the parameters of e, a sub-estimator called name of a
// composite estimator, to m as "name__param"; a nil e adds none. It is
// the composites' GetParams.
func NestParams(m map[string]any, name string, e Estimator) {
	if e == nil {
		return
	}
	for k, v := range e.GetParams() {
		m[name+"__"+k] = v
	}
}

// SplitNestedParams splits the parameters m given to the SetParams of the
// composite estimator est into its own ("param") and its sub-estimators'
// ("name__param", grouped by the sub-estimator's index, "name__" cut).
// index returns the index of the sub-estimator called name, or -1 when
// there is none that takes parameters; a key naming none is an
// UnknownParam error listing valid().
func SplitNestedParams(est string, m map[string]any, index func(name string) int, valid func() []string) (own map[string]any, nested map[int]map[string]any, err error) {
	own = map[string]any{}
	nested = map[int]map[string]any{}
	for k, v := range m {
		head, rest, ok := SplitNested(k)
		if !ok {
			own[k] = v
			continue
		}
		i := index(head)
		if i < 0 {
			return nil, nil, UnknownParam(est, k, valid())
		}
		if nested[i] == nil {
			nested[i] = map[string]any{}
		}
		nested[i][rest] = v
	}
	return own, nested, nil
}

// CloneByParams makes a fresh estimator with fresh() and copies est's
// parameters into it: the usual body of Clone.
func CloneByParams[E Estimator](est Estimator, fresh func() E) E {
	c := fresh()
	if err := c.SetParams(est.GetParams()); err != nil {
		panic(fmt.Sprintf("classical: Clone: SetParams of own parameters failed: %v", err))
	}
	return c
}

func sortFloats(s []float64) { slices.Sort(s) }
