package classical

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"sync"
)

// File format
//
// Save writes one JSON document (UTF-8, no code, nothing executed on load):
//
//	{
//	  "format":  "ember-classical",
//	  "version": 1,
//	  "type":    "linear.LogisticRegression",   // a registered type name
//	  "params":  {"C": 1, "penalty": "l2", ...}, // the estimator's own hyper-parameters
//	  "state":   {...} or null                   // fitted state, estimator-specific
//	}
//
// Arrays inside "state" are Floats: the base64 (standard alphabet, padded)
// of the IEEE-754 float64 values in little-endian byte order, so values
// round-trip bit for bit (NaN and Inf included). Composite estimators
// (Pipeline, ColumnTransformer, searches) store their children as nested
// documents of the same shape (without "format"). Maps keyed by floats in
// params (class_weight) are written with the keys formatted by
// strconv.FormatFloat(k, 'g', -1, 64).
//
// Load reads the header, refuses other formats and newer versions, builds
// the estimator from the registry of known type names (never from anything
// in the file but that name), sets the params and restores the state, which
// each estimator validates (array lengths, shapes). A corrupt or truncated
// file is an error, never a panic.

// FormatName and FormatVersion identify Save's file format.
const (
	FormatName    = "ember-classical"
	FormatVersion = 1
)

// ErrFormat marks a file Load cannot read: not ember's format, a newer
// version, an unknown type, corrupt or truncated content.
var ErrFormat = errors.New("bad model file")

// Persistable is an estimator that Save can write and Load can restore.
// TypeName is the registered name ("linear.Ridge"); MarshalState returns
// the fitted state as JSON ("null" when unfitted) and UnmarshalState
// restores it, validating everything (it is given untrusted bytes).
type Persistable interface {
	Estimator
	TypeName() string
	MarshalState() ([]byte, error)
	UnmarshalState(data []byte) error
}

var (
	regMu    sync.RWMutex
	registry = map[string]func() Estimator{}
)

// Register makes a type name known to Load; packages call it from init for
// each estimator they define. Registering a name twice panics.
func Register(name string, fresh func() Estimator) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("classical: Register called twice for " + name)
	}
	registry[name] = fresh
}

// Registered returns the sorted registered type names.
func Registered() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Document is one serialised estimator: its type, own params and state.
type Document struct {
	Format  string          `json:"format,omitempty"`
	Version int             `json:"version,omitempty"`
	Type    string          `json:"type"`
	Params  map[string]any  `json:"params"`
	State   json.RawMessage `json:"state"`
}

// Encode serialises est (fitted or not) as a Document. It is how composite
// estimators store their children.
func Encode(est Estimator) (*Document, error) {
	p, ok := est.(Persistable)
	if !ok {
		return nil, fmt.Errorf("classical: %T cannot be saved (it does not implement Persistable)", est)
	}
	params := map[string]any{}
	for k, v := range est.GetParams() {
		if _, _, nested := SplitNested(k); nested {
			continue
		}
		if _, isEst := v.(Estimator); isEst {
			continue
		}
		params[k] = jsonSafe(v)
	}
	st, err := p.MarshalState()
	if err != nil {
		return nil, fmt.Errorf("classical: saving %s: %w", p.TypeName(), err)
	}
	if len(st) == 0 {
		st = []byte("null")
	}
	return &Document{Type: p.TypeName(), Params: params, State: st}, nil
}

// Decode builds an estimator from a Document: the registered constructor
// for its type, then SetParams, then UnmarshalState.
func Decode(d *Document) (est Estimator, err error) {
	if d == nil {
		return nil, fmt.Errorf("classical: %w: missing estimator document", ErrFormat)
	}
	regMu.RLock()
	fresh, ok := registry[d.Type]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("classical: %w: unknown estimator type %q (is its package imported? known: %v)", ErrFormat, d.Type, Registered())
	}
	defer func() {
		if r := recover(); r != nil {
			est, err = nil, fmt.Errorf("classical: %w: restoring %s: %v", ErrFormat, d.Type, r)
		}
	}()
	est = fresh()
	if len(d.Params) > 0 {
		if err := est.SetParams(d.Params); err != nil {
			return nil, fmt.Errorf("classical: %w: params of %s: %v", ErrFormat, d.Type, err)
		}
	}
	p, ok := est.(Persistable)
	if !ok {
		return nil, fmt.Errorf("classical: %w: %s is not persistable", ErrFormat, d.Type)
	}
	if len(d.State) > 0 && string(d.State) != "null" {
		if err := p.UnmarshalState(d.State); err != nil {
			return nil, fmt.Errorf("classical: %w: state of %s: %v", ErrFormat, d.Type, err)
		}
	}
	return est, nil
}

// Marshal returns the bytes Save writes for est.
func Marshal(est Estimator) ([]byte, error) {
	d, err := Encode(est)
	if err != nil {
		return nil, err
	}
	d.Format, d.Version = FormatName, FormatVersion
	return json.Marshal(d)
}

// Unmarshal restores an estimator from Marshal's bytes.
func Unmarshal(data []byte) (Estimator, error) {
	var d Document
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("classical: %w: %v", ErrFormat, err)
	}
	if d.Format != FormatName {
		return nil, fmt.Errorf("classical: %w: format %q, want %q", ErrFormat, d.Format, FormatName)
	}
	if d.Version < 1 || d.Version > FormatVersion {
		return nil, fmt.Errorf("classical: %w: format version %d not supported (this build reads 1..%d)", ErrFormat, d.Version, FormatVersion)
	}
	return Decode(&d)
}

// Save writes est (usually fitted) to path atomically: a temporary file in
// the same directory, synced, then renamed over path.
func Save(path string, est Estimator) error {
	data, err := Marshal(est)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// Load reads an estimator written by Save. The packages that define the
// saved types must be linked in (imported) so that their names are
// registered.
func Load(path string) (Estimator, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("classical: Load: %w", err)
	}
	est, err := Unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return est, nil
}

// WriteFileAtomic writes data to a temporary file beside path and renames
// it over path, so that a crash never leaves a partial file at path.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("classical: Save: %w", err)
	}
	tmp := f.Name()
	fail := func(e error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("classical: Save: %w", e)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("classical: Save: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("classical: Save: %w", err)
	}
	return nil
}

// jsonSafe rewrites values encoding/json cannot write (maps keyed by
// floats) into equivalents SetParams accepts.
func jsonSafe(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Map && (rv.Type().Key().Kind() == reflect.Float64 || rv.Type().Key().Kind() == reflect.Float32) {
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[strconv.FormatFloat(it.Key().Float(), 'g', -1, 64)] = it.Value().Interface()
		}
		return out
	}
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return v
}

// Floats is a []float64 that JSON-encodes as base64 of little-endian
// IEEE-754 bytes (exact, compact, NaN-safe).
type Floats []float64

// MarshalJSON implements json.Marshaler.
func (f Floats) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 8*len(f))
	for i, v := range f {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(b))
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Floats) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*f = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("float array: %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("float array: %w", err)
	}
	if len(b)%8 != 0 {
		return fmt.Errorf("float array: %d bytes is not a multiple of 8", len(b))
	}
	out := make([]float64, len(b)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	*f = out
	return nil
}

// Array is a float64 array with a shape, for fitted state.
type Array struct {
	Shape []int  `json:"shape"`
	Data  Floats `json:"data"`
}

// NewArray returns an Array of data with the given shape.
func NewArray(data []float64, shape ...int) Array { return Array{Shape: shape, Data: data} }

// Check verifies that the shape is non-negative and matches the data
// length, and, when want is given, equals want (-1 matches any size).
func (a Array) Check(name string, want ...int) error {
	n := 1
	for _, s := range a.Shape {
		if s < 0 || s > 1<<40 {
			return fmt.Errorf("array %s: bad shape %v", name, a.Shape)
		}
		n *= s
	}
	if n != len(a.Data) {
		return fmt.Errorf("array %s: shape %v needs %d values, have %d", name, a.Shape, n, len(a.Data))
	}
	if want != nil {
		if len(want) != len(a.Shape) {
			return fmt.Errorf("array %s: shape %v, want %d dimensions", name, a.Shape, len(want))
		}
		for i, w := range want {
			if w >= 0 && a.Shape[i] != w {
				return fmt.Errorf("array %s: shape %v, want %v", name, a.Shape, want)
			}
		}
	}
	return nil
}

// CheckLen returns an error when len(v) != n, naming the array.
func CheckLen(name string, v []float64, n int) error {
	if len(v) != n {
		return fmt.Errorf("array %s: %d values, want %d", name, len(v), n)
	}
	return nil
}

// MarshalFitted returns "null" when fitted is false and the JSON of state
// otherwise: the usual body of MarshalState.
func MarshalFitted(fitted bool, state any) ([]byte, error) {
	if !fitted {
		return []byte("null"), nil
	}
	return json.Marshal(state)
}

// UnmarshalStrict decodes JSON into v, refusing unknown fields and trailing
// data.
func UnmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after state")
	}
	return nil
}
