package tensorboard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

// scalarEventHex is Event{wall_time: 1.5, step: 3, summary {value {tag:
// "loss" simple_value: 0.25}}} encoded by hand from event.proto and
// summary.proto: 09 <1.5 as little-endian double> 10 03 2a 0d (summary)
// 0a 0b (value) 0a 04 "loss" 15 <0.25 as little-endian float>.
const scalarEventHex = "09000000000000f83f" + "1003" + "2a0d" + "0a0b" + "0a046c6f7373" + "150000803e"

// scalarRecordHex is that event framed as a TFRecord, with CRCs computed by
// an independent bit-by-bit CRC32C (polynomial 0x82F63B78) in Python:
// length 26, masked CRC of the length 0x2dd89b12, the payload, masked CRC
// of the payload 0x55b254d0.
const scalarRecordHex = "1a00000000000000" + "129bd82d" + scalarEventHex + "d054b255"

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppendRecordKnownBytes(t *testing.T) {
	tests := []struct {
		name      string
		data, rec string
	}{
		// Empty payload: 8 zero bytes, masked CRC of them, masked CRC of nothing (0 -> 0xa282ead8).
		{"empty", "", "0000000000000000" + "29039807" + "d8ea82a2"},
		{"scalar event", scalarEventHex, scalarRecordHex},
	}
	for _, tc := range tests {
		got := AppendRecord(nil, mustHex(t, tc.data))
		if want := mustHex(t, tc.rec); !bytes.Equal(got, want) {
			t.Errorf("%s: record\n got %x\nwant %x", tc.name, got, want)
		}
		var buf bytes.Buffer
		if err := WriteRecord(&buf, mustHex(t, tc.data)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), got) {
			t.Errorf("%s: WriteRecord differs from AppendRecord", tc.name)
		}
	}
}

func TestRecordReaderRoundTrip(t *testing.T) {
	payloads := [][]byte{[]byte("first"), {}, bytes.Repeat([]byte{0xab}, 1000), []byte("last")}
	var stream []byte
	for _, p := range payloads {
		stream = AppendRecord(stream, p)
	}
	rr := NewRecordReader(bytes.NewReader(stream))
	for i, want := range payloads {
		got, err := rr.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d = %q, want %q", i, got, want)
		}
	}
	if _, err := rr.Next(); err != io.EOF {
		t.Fatalf("after last record: err = %v, want io.EOF", err)
	}
}

func TestRecordReaderErrors(t *testing.T) {
	good := mustHex(t, scalarRecordHex)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	huge := AppendRecord(nil, nil)
	huge[7] = 0x01 // length 2^56, with a CRC that does not match
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"length byte flipped", flip(0), ErrChecksum},
		{"length CRC flipped", flip(9), ErrChecksum},
		{"payload byte flipped", flip(14), ErrChecksum},
		{"data CRC flipped", flip(len(good) - 1), ErrChecksum},
		{"truncated header", good[:5], io.ErrUnexpectedEOF},
		{"truncated payload", good[:20], io.ErrUnexpectedEOF},
		{"missing data CRC", good[:len(good)-2], io.ErrUnexpectedEOF},
		{"huge length", huge, ErrChecksum},
	}
	for _, tc := range tests {
		_, err := NewRecordReader(bytes.NewReader(tc.in)).Next()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestRecordReaderRejectsOversizedLength(t *testing.T) {
	// A length over MaxRecordSize with a valid CRC must be refused before
	// any allocation of that size.
	var hdr [8]byte
	hdr[4] = 0x01 // 2^32
	rec := append(hdr[:], 0, 0, 0, 0)
	m := MaskedCRC32C(hdr[:])
	rec[8], rec[9], rec[10], rec[11] = byte(m), byte(m>>8), byte(m>>16), byte(m>>24)
	_, err := NewRecordReader(bytes.NewReader(rec)).Next()
	if err == nil || errors.Is(err, ErrChecksum) || errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want a length-limit error", err)
	}
}

func FuzzRecordReader(f *testing.F) {
	f.Add(AppendRecord(nil, nil))
	f.Add(AppendRecord(AppendRecord(nil, []byte("a")), []byte("bc")))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, in []byte) {
		rr := NewRecordReader(bytes.NewReader(in))
		var out []byte
		for {
			d, err := rr.Next()
			if err != nil {
				break
			}
			out = AppendRecord(out, d)
		}
		// Whatever was read back must be a prefix of the input.
		if !bytes.HasPrefix(in, out) {
			t.Fatalf("re-framed records are not a prefix of the input")
		}
	})
}
