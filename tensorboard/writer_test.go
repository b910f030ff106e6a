package tensorboard

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func fixedClock() func() time.Time {
	t := time.Unix(1700000000, 500_000_000)
	return func() time.Time { return t }
}

func TestStreamWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewStreamWriter(&buf, fixedClock())
	if err := w.AddScalar("loss", 0.25, 3); err != nil {
		t.Fatal(err)
	}
	if err := w.AddScalars("val", map[string]float64{"loss": 0.5, "accuracy": 0.75}, 3); err != nil {
		t.Fatal(err)
	}
	if err := w.AddHistogram32("dense/kernel", []float32{-1, 0, 1, 1}, 4); err != nil {
		t.Fatal(err)
	}
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	gray.SetGray(1, 1, color.Gray{Y: 200})
	if err := w.AddImage("sample", gray, 5); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := w.AddScalar("late", 1, 1); err == nil {
		t.Fatal("AddScalar after Close: no error")
	}

	// The first record is the file_version event, byte for byte.
	first := AppendRecord(nil, (&Event{WallTime: 1700000000.5, FileVersion: FileVersion}).Marshal())
	if !bytes.HasPrefix(buf.Bytes(), first) {
		t.Fatalf("stream does not start with the file_version record")
	}
	// The second is the scalar event: same bytes as the hand-encoded one
	// apart from the wall time.
	second := AppendRecord(nil, (&Event{WallTime: 1700000000.5, Step: 3, Summary: &Summary{Values: []SummaryValue{{Tag: "loss", HasSimpleValue: true, SimpleValue: 0.25}}}}).Marshal())
	if !bytes.HasPrefix(buf.Bytes()[len(first):], second) {
		t.Fatalf("second record is not the scalar event")
	}

	events, err := ReadEvents(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 6 {
		t.Fatalf("%d events, want 6", len(events))
	}
	if events[0].FileVersion != "brain.Event:2" || events[0].WallTime != 1700000000.5 {
		t.Fatalf("first event %+v", events[0])
	}
	sc := Scalars(events)
	want := map[string]float32{"loss": 0.25, "val/loss": 0.5, "val/accuracy": 0.75}
	if len(sc) != len(want) {
		t.Fatalf("scalars %v", sc)
	}
	for tag, v := range want {
		if p := sc[tag]; len(p) != 1 || p[0].Value != v || p[0].Step != 3 {
			t.Fatalf("scalar %q = %+v, want %g at step 3", tag, p, v)
		}
	}
	// AddScalars writes names in sorted order.
	if events[2].Summary.Values[0].Tag != "val/accuracy" || events[3].Summary.Values[0].Tag != "val/loss" {
		t.Fatalf("AddScalars order: %q, %q", events[2].Summary.Values[0].Tag, events[3].Summary.Values[0].Tag)
	}
	h := events[4].Summary.Values[0].Histo
	if h == nil || h.Num != 4 || h.Min != -1 || h.Max != 1 || h.Sum != 1 || h.SumSquares != 3 || events[4].Step != 4 {
		t.Fatalf("histogram event %+v", events[4])
	}
	im := events[5].Summary.Values[0].Image
	if im == nil || im.Width != 3 || im.Height != 2 || im.Colorspace != 1 {
		t.Fatalf("image event %+v", events[5])
	}
	dec, err := png.Decode(bytes.NewReader(im.Encoded))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := dec.At(1, 1).RGBA(); r>>8 != 200 {
		t.Fatalf("decoded pixel (1,1) = %v, want gray 200", dec.At(1, 1))
	}
}

func TestEncodeImageColorspace(t *testing.T) {
	opaque := image.NewRGBA(image.Rect(2, 3, 6, 5)) // non-zero origin
	for y := 3; y < 5; y++ {
		for x := 2; x < 6; x++ {
			opaque.Set(x, y, color.RGBA{R: uint8(10 * x), G: uint8(20 * y), B: 7, A: 255})
		}
	}
	translucent := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	translucent.Set(0, 0, color.NRGBA{R: 255, A: 128})
	tests := []struct {
		img  image.Image
		cs   int32
		w, h int32
	}{
		{opaque, 3, 4, 2},
		{translucent, 4, 2, 2},
		{image.NewGray16(image.Rect(0, 0, 1, 1)), 1, 1, 1},
	}
	for i, tc := range tests {
		si, err := EncodeImage(tc.img)
		if err != nil {
			t.Fatal(err)
		}
		if si.Colorspace != tc.cs || si.Width != tc.w || si.Height != tc.h {
			t.Fatalf("case %d: %+v, want colorspace %d size %dx%d", i, si, tc.cs, tc.w, tc.h)
		}
		dec, err := png.Decode(bytes.NewReader(si.Encoded))
		if err != nil {
			t.Fatal(err)
		}
		if b := dec.Bounds(); int32(b.Dx()) != tc.w || int32(b.Dy()) != tc.h {
			t.Fatalf("case %d: decoded size %v", i, b)
		}
	}
	si, _ := EncodeImage(opaque)
	dec, _ := png.Decode(bytes.NewReader(si.Encoded))
	if got := color.RGBAModel.Convert(dec.At(1, 0)).(color.RGBA); got != (color.RGBA{R: 30, G: 60, B: 7, A: 255}) {
		t.Fatalf("pixel moved to origin: got %v", got)
	}
	if _, err := EncodeImage(image.NewRGBA(image.Rectangle{})); err == nil {
		t.Fatal("empty image: no error")
	}
}

func TestWriterErrors(t *testing.T) {
	w := NewStreamWriter(&bytes.Buffer{}, fixedClock())
	if err := w.AddScalar("", 1, 0); err == nil {
		t.Error("empty tag: no error")
	}
	if err := w.AddHistogram("h", []float64{math.NaN()}, 0); err == nil || !strings.Contains(err.Error(), `"h"`) {
		t.Errorf("NaN histogram: err = %v", err)
	}
	if err := w.AddHistogram("h", nil, 0); err == nil {
		t.Error("empty histogram: no error")
	}
	if err := w.AddImage("i", nil, 0); err == nil {
		t.Error("nil image: no error")
	}
	if _, err := NewWriter(""); err == nil {
		t.Error("NewWriter(\"\"): no error")
	}
	// A failing sink makes the error sticky.
	fw := NewStreamWriter(failWriter{}, fixedClock())
	if err := fw.Flush(); err == nil {
		t.Fatal("Flush to failing writer: no error")
	}
	if err := fw.AddScalar("x", 1, 1); err == nil {
		t.Fatal("write after failure: no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFileWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs", "exp1")
	w1, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := NewWriter(dir) // same second: must not clobber w1's file
	if err != nil {
		t.Fatal(err)
	}
	if w1.Path() == w2.Path() {
		t.Fatalf("two writers share %s", w1.Path())
	}
	if !strings.HasPrefix(filepath.Base(w1.Path()), "events.out.tfevents.") {
		t.Fatalf("file name %s", w1.Path())
	}
	// The file_version event is on disk before anything else is written.
	if events, err := ReadFile(w1.Path()); err != nil || len(events) != 1 || events[0].FileVersion != FileVersion {
		t.Fatalf("fresh file: %v, %v", events, err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for s := 0; s < 25; s++ {
				if err := w1.AddScalar("loss", float64(s), int64(s)); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	if err := w1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	events, err := ReadFile(w1.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(Scalars(events)["loss"]); n != 100 {
		t.Fatalf("%d loss scalars, want 100", n)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
