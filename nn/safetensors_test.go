package nn

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

func TestSafetensorsRoundTripAndLayout(t *testing.T) {
	ts := map[string]*tensor.Tensor{
		"b":      tensor.FromSlice(tensor.Float64, []float64{1.5, -2}, 2),
		"a/w":    tensor.FromSlice(tensor.Float32, []float64{1, 2, 3, 4, 5, 6}, 2, 3),
		"scalar": tensor.Full(tensor.Float32, 7),
	}
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	hl := binary.LittleEndian.Uint64(b)
	if (8+hl)%8 != 0 {
		t.Fatalf("data not 8-byte aligned: header %d", hl)
	}
	// The header is JSON with the real field names; "a/w" comes first.
	hdr := string(b[8 : 8+hl])
	for _, want := range []string{`"a/w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}`, `"b":{"dtype":"F64","shape":[2],"data_offsets":[24,40]}`, `"__metadata__":{"format":"pt"}`} {
		if !bytes.Contains([]byte(hdr), []byte(want)) {
			t.Fatalf("header %s lacks %s", hdr, want)
		}
	}
	// Raw little-endian float32 1.0 starts the data.
	if got := binary.LittleEndian.Uint32(b[8+hl:]); got != 0x3f800000 {
		t.Fatalf("first data word %#x", got)
	}
	back, meta, err := ReadSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || len(back) != 3 {
		t.Fatalf("meta %v, %d tensors", meta, len(back))
	}
	for k, v := range ts {
		if !slices.Equal(back[k].Shape(), v.Shape()) || back[k].DType() != v.DType() || !slices.Equal(back[k].Float64s(), v.Float64s()) {
			t.Fatalf("%s: %v, want %v", k, back[k], v)
		}
	}
}

func TestSafetensorsRejectsCorruption(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, map[string]*tensor.Tensor{"w": tensor.Ones(tensor.Float32, 4)}, nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	mk := func(header string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
		b = append(b, header...)
		return append(b, make([]byte, data)...)
	}
	cases := map[string][]byte{
		"empty":          nil,
		"short":          good[:5],
		"truncated data": good[:len(good)-1],
		"huge header":    binary.LittleEndian.AppendUint64(nil, 1<<62),
		"not json":       mk("{nope", 0),
		"not object":     mk("[1,2]", 0),
		"bad dtype":      mk(`{"w":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}`, 2),
		"size mismatch":  mk(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8),
		"negative shape": mk(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4),
		"overflow shape": mk(`{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,4]}}`, 4),
		"offsets out":    mk(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 4),
		"hole":           mk(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
		"overlap":        mk(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
		"trailing":       mk(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8),
		"one offset":     mk(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, 4),
		"bad metadata":   mk(`{"__metadata__":{"a":1}}`, 0),
	}
	for name, b := range cases {
		if _, _, err := ReadSafetensors(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzReadSafetensors checks that no input makes the reader panic and
// that whatever it accepts writes back to an equivalent file.
func FuzzReadSafetensors(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteSafetensors(&buf, map[string]*tensor.Tensor{
		"a": tensor.Ones(tensor.Float32, 2, 2), "b": tensor.Zeros(tensor.Float64, 3),
	}, map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add(binary.LittleEndian.AppendUint64(nil, 2))
	f.Add(append(binary.LittleEndian.AppendUint64(nil, 2), "{}"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, meta, err := ReadSafetensors(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteSafetensors(&out, ts, meta); err != nil {
			t.Fatalf("accepted tensors do not write back: %v", err)
		}
		back, _, err := ReadSafetensors(out.Bytes())
		if err != nil || len(back) != len(ts) {
			t.Fatalf("round trip: %v, %d vs %d tensors", err, len(back), len(ts))
		}
	})
}

// FuzzLoadArchitecture feeds corrupt model.json files beside valid weights
// to Load, which must return an error or a working model, never panic.
func FuzzLoadArchitecture(f *testing.F) {
	dir := f.TempDir()
	m := NewSequential(Conv2D(2, 3, WithPadding("same")), BatchNormalization(), MaxPooling2D(2), Flatten(), Dropout(0.1), Dense(3, WithActivation("softmax")))
	if err := m.Build([]int{1, 6, 6}, tensor.Float32); err != nil {
		f.Fatal(err)
	}
	if err := m.Compile(optim.NewAdam(1e-3), CategoricalCrossentropy(), Metrics("accuracy")); err != nil {
		f.Fatal(err)
	}
	if err := m.Save(dir); err != nil {
		f.Fatal(err)
	}
	arch, err := os.ReadFile(filepath.Join(dir, ArchitectureFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(arch)
	f.Add([]byte(`{"format":"ember.nn.Sequential","format_version":1,"dtype":"float32","input_shape":[4],"layers":[{"type":"Dense","name":"d","config":{"units":1000000000}}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, ArchitectureFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		w, _ := os.ReadFile(filepath.Join(dir, WeightsFile))
		if err := os.WriteFile(filepath.Join(d, WeightsFile), w, 0o644); err != nil {
			t.Fatal(err)
		}
		lm, err := Load(d)
		if err != nil || prod(lm.InputShape()) > 4096 {
			return
		}
		x := tensor.Zeros(lm.DType(), append([]int{2}, lm.InputShape()...)...)
		if _, err := lm.Predict(context.Background(), x, 0); err != nil {
			t.Fatalf("loaded model cannot predict: %v", err)
		}
	})
}
