package tensorboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Event is the subset of tensorflow.Event (tensorflow/core/util/event.proto)
// that this package writes and reads.
type Event struct {
	WallTime    float64  // field 1, double: seconds since the Unix epoch
	Step        int64    // field 2, int64
	FileVersion string   // field 3, string: "brain.Event:2" in the first event
	Summary     *Summary // field 5, message
}

// Summary is tensorflow.Summary: a list of tagged values.
type Summary struct {
	Values []SummaryValue // field 1, repeated Value
}

// SummaryValue is tensorflow.Summary.Value. Exactly one of the value fields
// is normally set; HasSimpleValue tells whether SimpleValue was present.
type SummaryValue struct {
	Tag            string          // field 1
	HasSimpleValue bool            // whether field 2 is present
	SimpleValue    float32         // field 2, float
	Image          *SummaryImage   // field 4
	Histo          *HistogramProto // field 5
}

// SummaryImage is tensorflow.Summary.Image.
type SummaryImage struct {
	Height     int32  // field 1
	Width      int32  // field 2
	Colorspace int32  // field 3: 1 grayscale, 2 grayscale+alpha, 3 RGB, 4 RGBA
	Encoded    []byte // field 4: the encoded image (PNG here)
}

// HistogramProto is tensorflow.HistogramProto. Bucket[i] counts the values
// v with BucketLimit[i-1] <= v < BucketLimit[i] (the first bucket is open
// below).
type HistogramProto struct {
	Min, Max, Num, Sum, SumSquares float64   // fields 1..5, double
	BucketLimit                    []float64 // field 6, packed double
	Bucket                         []float64 // field 7, packed double
}

// Protocol buffer wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

func appendDouble(b []byte, field int, v float64) []byte {
	b = appendTag(b, field, wireFixed64)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

func appendVarint(b []byte, field int, v uint64) []byte {
	b = appendTag(b, field, wireVarint)
	return binary.AppendUvarint(b, v)
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendPackedDoubles(b []byte, field int, v []float64) []byte {
	if len(v) == 0 {
		return b
	}
	b = appendTag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(8*len(v)))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// Marshal encodes e in the protocol buffer wire format, fields in
// ascending number order and proto3 defaults (zero values) omitted, as the
// reference implementations do.
func (e *Event) Marshal() []byte {
	var b []byte
	if e.WallTime != 0 {
		b = appendDouble(b, 1, e.WallTime)
	}
	if e.Step != 0 {
		b = appendVarint(b, 2, uint64(e.Step))
	}
	if e.FileVersion != "" {
		b = appendBytes(b, 3, []byte(e.FileVersion))
	}
	if e.Summary != nil {
		b = appendBytes(b, 5, e.Summary.Marshal())
	}
	return b
}

// Marshal encodes s in the protocol buffer wire format.
func (s *Summary) Marshal() []byte {
	var b []byte
	for i := range s.Values {
		b = appendBytes(b, 1, s.Values[i].marshal())
	}
	return b
}

func (v *SummaryValue) marshal() []byte {
	var b []byte
	if v.Tag != "" {
		b = appendBytes(b, 1, []byte(v.Tag))
	}
	if v.HasSimpleValue {
		b = appendTag(b, 2, wireFixed32)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v.SimpleValue))
	}
	if v.Image != nil {
		b = appendBytes(b, 4, v.Image.marshal())
	}
	if v.Histo != nil {
		b = appendBytes(b, 5, v.Histo.marshal())
	}
	return b
}

func (im *SummaryImage) marshal() []byte {
	var b []byte
	if im.Height != 0 {
		b = appendVarint(b, 1, uint64(int64(im.Height)))
	}
	if im.Width != 0 {
		b = appendVarint(b, 2, uint64(int64(im.Width)))
	}
	if im.Colorspace != 0 {
		b = appendVarint(b, 3, uint64(int64(im.Colorspace)))
	}
	if len(im.Encoded) != 0 {
		b = appendBytes(b, 4, im.Encoded)
	}
	return b
}

func (h *HistogramProto) marshal() []byte {
	var b []byte
	for i, v := range []float64{h.Min, h.Max, h.Num, h.Sum, h.SumSquares} {
		if v != 0 || math.Signbit(v) {
			b = appendDouble(b, i+1, v)
		}
	}
	b = appendPackedDoubles(b, 6, h.BucketLimit)
	b = appendPackedDoubles(b, 7, h.Bucket)
	return b
}

// errProto is wrapped by every decoding error.
var errProto = errors.New("tensorboard: malformed protocol buffer")

// field is one decoded key/value of a message.
type field struct {
	num   int
	wire  int
	u     uint64 // varint, fixed32 or fixed64 value
	bytes []byte // length-delimited value
}

// parseFields splits a message into its fields. Unknown fields are
// returned too; groups (wire types 3 and 4) are rejected.
func parseFields(b []byte, fn func(f field) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return fmt.Errorf("%w: bad field key", errProto)
		}
		b = b[n:]
		f := field{num: int(key >> 3), wire: int(key & 7)}
		if key>>3 == 0 || key>>3 > math.MaxInt32 {
			return fmt.Errorf("%w: field number %d", errProto, key>>3)
		}
		switch f.wire {
		case wireVarint:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return fmt.Errorf("%w: bad varint in field %d", errProto, f.num)
			}
			f.u, b = v, b[n:]
		case wireFixed64:
			if len(b) < 8 {
				return fmt.Errorf("%w: short fixed64 in field %d", errProto, f.num)
			}
			f.u, b = binary.LittleEndian.Uint64(b), b[8:]
		case wireFixed32:
			if len(b) < 4 {
				return fmt.Errorf("%w: short fixed32 in field %d", errProto, f.num)
			}
			f.u, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return fmt.Errorf("%w: bad length in field %d", errProto, f.num)
			}
			f.bytes, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return fmt.Errorf("%w: unsupported wire type %d in field %d", errProto, f.wire, f.num)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

func (f field) want(wire int) error {
	if f.wire != wire {
		return fmt.Errorf("%w: field %d has wire type %d, want %d", errProto, f.num, f.wire, wire)
	}
	return nil
}

func (f field) double() (float64, error) {
	if err := f.want(wireFixed64); err != nil {
		return 0, err
	}
	return math.Float64frombits(f.u), nil
}

// UnmarshalEvent decodes a serialized tensorflow.Event. Fields this package
// does not model (graph_def, log_message, session_log, ...) are skipped.
func UnmarshalEvent(b []byte) (*Event, error) {
	e := &Event{}
	err := parseFields(b, func(f field) error {
		var err error
		switch f.num {
		case 1:
			e.WallTime, err = f.double()
		case 2:
			if err = f.want(wireVarint); err == nil {
				e.Step = int64(f.u)
			}
		case 3:
			if err = f.want(wireBytes); err == nil {
				e.FileVersion = string(f.bytes)
			}
		case 5:
			if err = f.want(wireBytes); err == nil {
				e.Summary, err = unmarshalSummary(f.bytes)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func unmarshalSummary(b []byte) (*Summary, error) {
	s := &Summary{}
	err := parseFields(b, func(f field) error {
		if f.num != 1 {
			return nil
		}
		if err := f.want(wireBytes); err != nil {
			return err
		}
		v, err := unmarshalValue(f.bytes)
		if err != nil {
			return err
		}
		s.Values = append(s.Values, *v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func unmarshalValue(b []byte) (*SummaryValue, error) {
	v := &SummaryValue{}
	err := parseFields(b, func(f field) error {
		var err error
		switch f.num {
		case 1:
			if err = f.want(wireBytes); err == nil {
				v.Tag = string(f.bytes)
			}
		case 2:
			if err = f.want(wireFixed32); err == nil {
				v.HasSimpleValue = true
				v.SimpleValue = math.Float32frombits(uint32(f.u))
			}
		case 4:
			if err = f.want(wireBytes); err == nil {
				v.Image, err = unmarshalImage(f.bytes)
			}
		case 5:
			if err = f.want(wireBytes); err == nil {
				v.Histo, err = unmarshalHisto(f.bytes)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func unmarshalImage(b []byte) (*SummaryImage, error) {
	im := &SummaryImage{}
	err := parseFields(b, func(f field) error {
		var err error
		switch f.num {
		case 1, 2, 3:
			if err = f.want(wireVarint); err == nil {
				*[]*int32{&im.Height, &im.Width, &im.Colorspace}[f.num-1] = int32(f.u)
			}
		case 4:
			if err = f.want(wireBytes); err == nil {
				im.Encoded = f.bytes
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

func unmarshalHisto(b []byte) (*HistogramProto, error) {
	h := &HistogramProto{}
	err := parseFields(b, func(f field) error {
		switch f.num {
		case 1, 2, 3, 4, 5:
			v, err := f.double()
			if err != nil {
				return err
			}
			*[]*float64{&h.Min, &h.Max, &h.Num, &h.Sum, &h.SumSquares}[f.num-1] = v
		case 6, 7:
			dst := &h.BucketLimit
			if f.num == 7 {
				dst = &h.Bucket
			}
			switch f.wire {
			case wireFixed64: // unpacked encoding, also valid
				*dst = append(*dst, math.Float64frombits(f.u))
			case wireBytes:
				if len(f.bytes)%8 != 0 {
					return fmt.Errorf("%w: packed doubles of %d bytes", errProto, len(f.bytes))
				}
				for i := 0; i < len(f.bytes); i += 8 {
					*dst = append(*dst, math.Float64frombits(binary.LittleEndian.Uint64(f.bytes[i:])))
				}
			default:
				return f.want(wireBytes)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}
