package tensorboard

import (
	"bytes"
	"image"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestProtocDecodeRaw has protoc, an independent protocol buffer decoder,
// read the events this package writes (skipped when protoc is not
// installed; Debian's protobuf-compiler has it). decode_raw prints field
// numbers and values, which must be those of event.proto / summary.proto.
func TestProtocDecodeRaw(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		t.Skip("protoc is not installed")
	}
	var buf bytes.Buffer
	w := NewStreamWriter(&buf, func() time.Time { return time.Unix(1700000000, 0) })
	if err := w.AddScalar("loss", 0.25, 7); err != nil {
		t.Fatal(err)
	}
	if err := w.AddHistogram("w", []float64{1, 2}, 7); err != nil {
		t.Fatal(err)
	}
	if err := w.AddImage("img", image.NewGray(image.Rect(0, 0, 3, 2)), 7); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rr := NewRecordReader(&buf)
	want := [][]string{
		{`1: 0x41d954fc40000000`, `3: "brain.Event:2"`}, // 1.7e9 as a double
		{`2: 7`, `5 {`, `1: "loss"`, `2: 0x3e800000`},   // 0.25 as a float
		{`2: 7`, `5 {`, `1: "w"`, `5 {`, `1: 0x3ff0000000000000`, `2: 0x4000000000000000`, `3: 0x4000000000000000`},
		{`2: 7`, `1: "img"`, `4 {`, `1: 2`, `2: 3`, `3: 1`, `4: "\211PNG`},
	}
	for i, fields := range want {
		data, err := rr.Next()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(protoc, "--decode_raw")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("event %d: protoc: %v: %s", i, err, out)
		}
		for _, f := range fields {
			if !strings.Contains(string(out), f) {
				t.Errorf("event %d: protoc output lacks %q:\n%s", i, f, out)
			}
		}
	}
}
