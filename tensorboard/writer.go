package tensorboard

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// FileVersion is the file_version of the first event of every file.
const FileVersion = "brain.Event:2"

// Writer appends events to one TensorBoard event file. Its methods are safe
// for concurrent use. Events are buffered; Flush writes them to the file
// and Close flushes and closes it.
type Writer struct {
	mu     sync.Mutex
	path   string
	f      io.Writer
	closer io.Closer
	buf    *bufio.Writer
	now    func() time.Time
	err    error // first write error; sticky
	closed bool
}

// NewWriter creates logDir (and its parents) if needed and opens a new
// event file in it named events.out.tfevents.<unix secs>.<hostname>, with
// ".<pid>.<n>" appended if a file of that name exists. It writes the
// file_version event at once.
func NewWriter(logDir string) (*Writer, error) {
	if logDir == "" {
		return nil, errors.New("tensorboard: empty log directory")
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	host = strings.ReplaceAll(host, string(filepath.Separator), "_")
	now := time.Now()
	base := fmt.Sprintf("events.out.tfevents.%010d.%s", now.Unix(), host)
	var f *os.File
	for n := 0; n < 1000; n++ {
		name := base
		if n > 0 {
			name = fmt.Sprintf("%s.%d.%d", base, os.Getpid(), n)
		}
		f, err = os.OpenFile(filepath.Join(logDir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil || !errors.Is(err, os.ErrExist) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	w := newWriter(f, f, time.Now)
	w.path = f.Name()
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// NewStreamWriter returns a Writer that writes an event stream (starting
// with the file_version event) to out, stamping events with the times now
// returns (time.Now if nil). Close does not close out.
func NewStreamWriter(out io.Writer, now func() time.Time) *Writer {
	if now == nil {
		now = time.Now
	}
	return newWriter(out, nil, now)
}

func newWriter(out io.Writer, closer io.Closer, now func() time.Time) *Writer {
	w := &Writer{f: out, closer: closer, buf: bufio.NewWriterSize(out, 64<<10), now: now}
	w.err = w.writeEventLocked(&Event{WallTime: w.wallTime(), FileVersion: FileVersion})
	return w
}

// Path returns the event file's path, or "" for a stream writer.
func (w *Writer) Path() string { return w.path }

func (w *Writer) wallTime() float64 {
	t := w.now()
	return float64(t.UnixNano()) / 1e9
}

func (w *Writer) writeEventLocked(e *Event) error {
	if w.closed {
		return errors.New("tensorboard: write to closed Writer")
	}
	if w.err != nil {
		return w.err
	}
	if err := WriteRecord(w.buf, e.Marshal()); err != nil {
		w.err = fmt.Errorf("tensorboard: %w", err)
	}
	return w.err
}

// WriteEvent appends e as it is. Most callers use the Add methods.
func (w *Writer) WriteEvent(e *Event) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeEventLocked(e)
}

func (w *Writer) addValue(v SummaryValue, step int64) error {
	if v.Tag == "" {
		return errors.New("tensorboard: empty tag")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeEventLocked(&Event{WallTime: w.wallTime(), Step: step, Summary: &Summary{Values: []SummaryValue{v}}})
}

// AddScalar records value under tag at step, as a simple_value (a float32,
// as in TensorBoard).
func (w *Writer) AddScalar(tag string, value float64, step int64) error {
	return w.addValue(SummaryValue{Tag: tag, HasSimpleValue: true, SimpleValue: float32(value)}, step)
}

// AddScalars records several scalars at one step, each under
// prefix+"/"+name (just name when prefix is empty), in one event per
// scalar, with names in sorted order. Handy for a Keras-style logs map.
func (w *Writer) AddScalars(prefix string, values map[string]float64, step int64) error {
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sortStrings(names)
	for _, k := range names {
		tag := k
		if prefix != "" {
			tag = prefix + "/" + k
		}
		if err := w.AddScalar(tag, values[k], step); err != nil {
			return err
		}
	}
	return nil
}

// AddHistogram records the distribution of values under tag at step, in
// TensorFlow's default buckets (see NewHistogram).
func (w *Writer) AddHistogram(tag string, values []float64, step int64) error {
	h, err := NewHistogram(values)
	if err != nil {
		return fmt.Errorf("%w (tag %q)", err, tag)
	}
	return w.addValue(SummaryValue{Tag: tag, Histo: h}, step)
}

// AddHistogram32 is AddHistogram for float32 values, such as a layer's
// weights.
func (w *Writer) AddHistogram32(tag string, values []float32, step int64) error {
	v := make([]float64, len(values))
	for i, x := range values {
		v[i] = float64(x)
	}
	return w.AddHistogram(tag, v, step)
}

// AddImage records img, encoded as PNG, under tag at step. Gray images are
// stored with colorspace 1, opaque ones as RGB (3), others as RGBA (4).
func (w *Writer) AddImage(tag string, img image.Image, step int64) error {
	if img == nil {
		return fmt.Errorf("tensorboard: nil image (tag %q)", tag)
	}
	si, err := EncodeImage(img)
	if err != nil {
		return fmt.Errorf("%w (tag %q)", err, tag)
	}
	return w.addValue(SummaryValue{Tag: tag, Image: si}, step)
}

// EncodeImage encodes img as PNG in a Summary.Image.
func EncodeImage(img image.Image) (*SummaryImage, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, errors.New("tensorboard: empty image")
	}
	if b.Dx() > math.MaxInt32 || b.Dy() > math.MaxInt32 {
		return nil, errors.New("tensorboard: image too large")
	}
	var cs int32
	switch img.ColorModel() {
	case color.GrayModel, color.Gray16Model:
		cs = 1
	default:
		cs = 4
		if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
			cs = 3
		}
	}
	if cs == 3 {
		// Encode explicitly opaque pixels so the PNG is RGB, matching colorspace.
		rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				rgba.Set(x-b.Min.X, y-b.Min.Y, img.At(x, y))
			}
		}
		img = rgba
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	return &SummaryImage{Height: int32(b.Dy()), Width: int32(b.Dx()), Colorspace: cs, Encoded: buf.Bytes()}, nil
}

// Flush writes buffered events to the file. For a file writer it does not
// fsync; TensorBoard reads files as they grow.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if w.err != nil {
		return w.err
	}
	if err := w.buf.Flush(); err != nil {
		w.err = fmt.Errorf("tensorboard: %w", err)
	}
	return w.err
}

// Close flushes and closes the file. Closing twice is not an error.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	err := w.flushLocked()
	w.closed = true
	if w.closer != nil {
		if cerr := w.closer.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("tensorboard: %w", cerr)
		}
	}
	return err
}
