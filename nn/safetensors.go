package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/ember-ml/ember/tensor"
)

// The safetensors format (https://github.com/huggingface/safetensors): an
// 8-byte little-endian header length, a JSON header mapping each tensor
// name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into
// the data that follows the header) plus an optional "__metadata__" map of
// strings, then the raw little-endian data.

// maxHeader bounds the JSON header, as the reference implementation does.
const maxHeader = 100 << 20

type stEntry struct {
	DType   string  `json:"dtype"`
	Shape   []int64 `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// WriteSafetensors writes the named tensors (float32 or float64, on any
// device) and string metadata to w in the safetensors format, tensors in
// name order.
func WriteSafetensors(w io.Writer, tensors map[string]*tensor.Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		if n == "__metadata__" || n == "" {
			return fmt.Errorf("nn: safetensors: invalid tensor name %q", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off int64
	for _, n := range names {
		t := tensors[n]
		var dt string
		switch t.DType() {
		case tensor.Float32:
			dt = "F32"
		case tensor.Float64:
			dt = "F64"
		default:
			return fmt.Errorf("nn: safetensors: tensor %q has unsupported type %v", n, t.DType())
		}
		shape := make([]int64, t.Dim())
		for i, d := range t.Shape() {
			shape[i] = int64(d)
		}
		size := int64(t.Size() * t.DType().Size())
		header[n] = stEntry{DType: dt, Shape: shape, Offsets: []int64{off, off + size}}
		off += size
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return err
	}
	// Pad the header with spaces so the data starts 8-byte aligned.
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hj)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(hj); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, n := range names {
		t := tensors[n].To(tensor.CPU)
		if t.DType() == tensor.Float32 {
			for _, v := range t.Float32s() {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) >= 1<<16 {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		} else {
			for _, v := range t.Float64s() {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				if len(buf) >= 1<<16 {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		}
	}
	_, err = w.Write(buf)
	return err
}

// ReadSafetensors parses a safetensors file held in b and returns its
// tensors (float32 and float64; other types are an error naming them) and
// metadata. Every structural problem (truncation, bad JSON, offsets out of
// range, overlapping or missing data, a shape that does not match its
// byte size) is an error; it never panics.
func ReadSafetensors(b []byte) (map[string]*tensor.Tensor, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, errors.New("nn: safetensors: file shorter than its 8-byte header length")
	}
	hl := binary.LittleEndian.Uint64(b[:8])
	if hl > maxHeader || hl > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("nn: safetensors: header length %d exceeds the file (%d bytes) or the %d-byte limit", hl, len(b), maxHeader)
	}
	hdr := b[8 : 8+hl]
	data := b[8+hl:]
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(hdr))
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("nn: safetensors: header: %v", err)
	}
	if raw == nil {
		return nil, nil, errors.New("nn: safetensors: header is not a JSON object")
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, fmt.Errorf("nn: safetensors: __metadata__: %v", err)
		}
		delete(raw, "__metadata__")
	}
	type span struct {
		name       string
		begin, end int64
	}
	spans := make([]span, 0, len(raw))
	out := make(map[string]*tensor.Tensor, len(raw))
	entries := make(map[string]stEntry, len(raw))
	for name, r := range raw {
		if name == "" {
			return nil, nil, errors.New("nn: safetensors: a tensor has an empty name")
		}
		var e stEntry
		d := json.NewDecoder(bytes.NewReader(r))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("nn: safetensors: tensor %q: %v", name, err)
		}
		if len(e.Offsets) != 2 {
			return nil, nil, fmt.Errorf("nn: safetensors: tensor %q has %d data offsets, want 2", name, len(e.Offsets))
		}
		var es int64
		switch e.DType {
		case "F32":
			es = 4
		case "F64":
			es = 8
		default:
			return nil, nil, fmt.Errorf("nn: safetensors: tensor %q has unsupported dtype %q (want F32 or F64)", name, e.DType)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 || d > math.MaxInt32 {
				return nil, nil, fmt.Errorf("nn: safetensors: tensor %q has invalid shape %v", name, e.Shape)
			}
			if d != 0 && n > math.MaxInt64/8/d {
				return nil, nil, fmt.Errorf("nn: safetensors: tensor %q shape %v is too large", name, e.Shape)
			}
			n *= d
		}
		begin, end := e.Offsets[0], e.Offsets[1]
		if begin < 0 || end < begin || end > int64(len(data)) {
			return nil, nil, fmt.Errorf("nn: safetensors: tensor %q data offsets [%d, %d] outside the %d data bytes", name, begin, end, len(data))
		}
		if end-begin != n*es {
			return nil, nil, fmt.Errorf("nn: safetensors: tensor %q of shape %v %s needs %d bytes, offsets give %d", name, e.Shape, e.DType, n*es, end-begin)
		}
		spans = append(spans, span{name, begin, end})
		entries[name] = e
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].name < spans[j].name
	})
	var at int64
	for _, s := range spans {
		if s.begin != at {
			return nil, nil, fmt.Errorf("nn: safetensors: tensor %q starts at byte %d, expected %d (data overlaps or has a hole)", s.name, s.begin, at)
		}
		at = s.end
	}
	if at != int64(len(data)) {
		return nil, nil, fmt.Errorf("nn: safetensors: %d data bytes after the last tensor", int64(len(data))-at)
	}
	for name, e := range entries {
		shape := make([]int, len(e.Shape))
		for i, d := range e.Shape {
			shape[i] = int(d)
		}
		bs := data[e.Offsets[0]:e.Offsets[1]]
		if e.DType == "F32" {
			v := make([]float32, len(bs)/4)
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(bs[4*i:]))
			}
			if len(shape) == 0 {
				out[name] = tensor.Full(tensor.Float32, float64(v[0]))
			} else {
				out[name] = tensor.FromFloat32(v, shape...)
			}
		} else {
			v := make([]float64, len(bs)/8)
			for i := range v {
				v[i] = math.Float64frombits(binary.LittleEndian.Uint64(bs[8*i:]))
			}
			if len(shape) == 0 {
				out[name] = tensor.Full(tensor.Float64, v[0])
			} else {
				out[name] = tensor.FromFloat64(v, shape...)
			}
		}
	}
	return out, meta, nil
}

// writeFileAtomic writes data produced by fill to path through a temporary
// file in the same directory, synced and renamed into place.
func writeFileAtomic(path string, fill func(w io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}
