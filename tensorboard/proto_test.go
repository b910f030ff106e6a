package tensorboard

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestEventMarshalKnownBytes(t *testing.T) {
	e := &Event{WallTime: 1.5, Step: 3, Summary: &Summary{Values: []SummaryValue{{Tag: "loss", HasSimpleValue: true, SimpleValue: 0.25}}}}
	if got, want := e.Marshal(), mustHex(t, scalarEventHex); !bytes.Equal(got, want) {
		t.Fatalf("Marshal\n got %x\nwant %x", got, want)
	}
	// file_version event: 09 <wall time> 1a 0d "brain.Event:2"
	fv := &Event{WallTime: 1.5, FileVersion: FileVersion}
	want := append(mustHex(t, "09000000000000f83f1a0d"), "brain.Event:2"...)
	if got := fv.Marshal(); !bytes.Equal(got, want) {
		t.Fatalf("file version event\n got %x\nwant %x", got, want)
	}
	// A zero simple_value is still written when HasSimpleValue is set.
	z := (&SummaryValue{Tag: "z", HasSimpleValue: true}).marshal()
	if want := mustHex(t, "0a017a1500000000"); !bytes.Equal(z, want) {
		t.Fatalf("zero scalar\n got %x\nwant %x", z, want)
	}
	// Negative steps are int64 varints of ten bytes.
	neg := (&Event{Step: -1}).Marshal()
	if want := mustHex(t, "10ffffffffffffffffff01"); !bytes.Equal(neg, want) {
		t.Fatalf("step -1\n got %x\nwant %x", neg, want)
	}
}

func TestHistogramAndImageMarshal(t *testing.T) {
	h := &HistogramProto{Min: -1, Max: 2, Num: 2, Sum: 1, SumSquares: 5, BucketLimit: []float64{0, 3}, Bucket: []float64{1, 1}}
	b := (&SummaryValue{Tag: "h", Histo: h}).marshal()
	want := mustHex(t, "0a0168"+"2a"+"51"+ // tag, field 5 of 81 bytes
		"09000000000000f0bf"+"110000000000000040"+"190000000000000040"+"21000000000000f03f"+"290000000000001440"+
		"3210"+"0000000000000000"+"0000000000000840"+
		"3a10"+"000000000000f03f"+"000000000000f03f")
	if !bytes.Equal(b, want) {
		t.Fatalf("histogram value\n got %x\nwant %x", b, want)
	}
	im := &SummaryImage{Height: 2, Width: 300, Colorspace: 3, Encoded: []byte{0x89, 'P'}}
	b = im.marshal()
	if want := mustHex(t, "0802"+"10ac02"+"1803"+"22028950"); !bytes.Equal(b, want) {
		t.Fatalf("image\n got %x\nwant %x", b, want)
	}
}

func TestEventRoundTrip(t *testing.T) {
	events := []*Event{
		{WallTime: 1700000000.25, FileVersion: FileVersion},
		{WallTime: 2, Step: 7, Summary: &Summary{Values: []SummaryValue{
			{Tag: "a", HasSimpleValue: true, SimpleValue: -3.5},
			{Tag: "b", HasSimpleValue: true, SimpleValue: 0},
		}}},
		{Step: 1 << 40, Summary: &Summary{Values: []SummaryValue{
			{Tag: "img", Image: &SummaryImage{Height: 4, Width: 5, Colorspace: 4, Encoded: []byte("png")}},
			{Tag: "hist", Histo: &HistogramProto{Min: -0.5, Max: 9, Num: 3, Sum: 8, SumSquares: 81.5,
				BucketLimit: []float64{-0.4, 1e-12, 10}, Bucket: []float64{1, 0, 2}}},
		}}},
	}
	for i, e := range events {
		got, err := UnmarshalEvent(e.Marshal())
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("event %d round trip\n got %+v\nwant %+v", i, got, e)
		}
	}
}

func TestUnmarshalSkipsUnknownFieldsAndUnpackedDoubles(t *testing.T) {
	// Event with an unknown varint field 9, an unknown fixed32 field 10,
	// then step 4; a histogram with unpacked bucket_limit / bucket.
	b := mustHex(t, "4805"+"5501020304"+"1004")
	e, err := UnmarshalEvent(b)
	if err != nil || e.Step != 4 {
		t.Fatalf("UnmarshalEvent = %+v, %v; want step 4", e, err)
	}
	h, err := unmarshalHisto(mustHex(t, "31000000000000f03f"+"39000000000000f03f"+"310000000000000040"+"390000000000000040"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.BucketLimit, []float64{1, 2}) || !reflect.DeepEqual(h.Bucket, []float64{1, 2}) {
		t.Fatalf("unpacked doubles: %+v", h)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, in := range []string{
		"09000000",             // short double
		"2a05",                 // summary length past the end
		"0b",                   // group start (wire type 3)
		"00",                   // field number 0
		"10",                   // missing varint
		"0d00000000",           // field 1 with wire type 5
		"2a030a01ff",           // summary -> value with bad length
		"2a050a032a0105",       // histogram of 1 byte of packed doubles... via value field 5
		"ffffffffffffffffffff", // overlong key
	} {
		if _, err := UnmarshalEvent(mustHex(t, in)); !errors.Is(err, errProto) {
			t.Errorf("UnmarshalEvent(%s): err = %v, want errProto", in, err)
		}
	}
	if _, err := unmarshalHisto(mustHex(t, "3203010203")); !errors.Is(err, errProto) {
		t.Errorf("packed doubles of 3 bytes: err = %v", err)
	}
}

func FuzzUnmarshalEvent(f *testing.F) {
	f.Add([]byte{})
	f.Add((&Event{WallTime: 1, FileVersion: FileVersion}).Marshal())
	f.Add((&Event{Step: 2, Summary: &Summary{Values: []SummaryValue{{Tag: "x", HasSimpleValue: true, SimpleValue: 1},
		{Tag: "h", Histo: &HistogramProto{Num: 1, BucketLimit: []float64{1}, Bucket: []float64{1}}},
		{Tag: "i", Image: &SummaryImage{Height: 1, Width: 1, Colorspace: 1, Encoded: []byte{1}}}}}}).Marshal())
	f.Fuzz(func(t *testing.T, in []byte) {
		e, err := UnmarshalEvent(in)
		if err != nil {
			return
		}
		// A decoded event re-encodes and decodes to the same event.
		again, err := UnmarshalEvent(e.Marshal())
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if !eventsEqual(e, again) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", e, again)
		}
	})
}

// eventsEqual compares events treating NaNs as equal to themselves.
func eventsEqual(a, b *Event) bool {
	return reflect.DeepEqual(nanFree(a), nanFree(b))
}

func nanFree(e *Event) *Event {
	c := *e
	if math.IsNaN(c.WallTime) {
		c.WallTime = 0
	}
	if e.Summary == nil {
		return &c
	}
	s := &Summary{}
	for _, v := range e.Summary.Values {
		if math.IsNaN(float64(v.SimpleValue)) {
			v.SimpleValue = 0
		}
		if v.Histo != nil {
			h := *v.Histo
			fix := func(x []float64) []float64 {
				y := make([]float64, len(x))
				for i, f := range x {
					if !math.IsNaN(f) {
						y[i] = f
					}
				}
				return y
			}
			for _, p := range []*float64{&h.Min, &h.Max, &h.Num, &h.Sum, &h.SumSquares} {
				if math.IsNaN(*p) {
					*p = 0
				}
			}
			h.BucketLimit, h.Bucket = fix(h.BucketLimit), fix(h.Bucket)
			v.Histo = &h
		}
		s.Values = append(s.Values, v)
	}
	c.Summary = s
	return &c
}
