package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ember-ml/ember/tensor"
)

// IDXType is the element type code of an IDX file (the third byte of its
// magic number).
type IDXType byte

// The element types of the IDX format.
const (
	IDXUint8   IDXType = 0x08
	IDXInt8    IDXType = 0x09
	IDXInt16   IDXType = 0x0B
	IDXInt32   IDXType = 0x0C
	IDXFloat32 IDXType = 0x0D
	IDXFloat64 IDXType = 0x0E
)

// Size returns the number of bytes of one element (0 for an unknown type).
func (t IDXType) Size() int {
	switch t {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

// String names the type.
func (t IDXType) String() string {
	switch t {
	case IDXUint8:
		return "uint8"
	case IDXInt8:
		return "int8"
	case IDXInt16:
		return "int16"
	case IDXInt32:
		return "int32"
	case IDXFloat32:
		return "float32"
	case IDXFloat64:
		return "float64"
	}
	return "IDXType(0x" + strconv.FormatUint(uint64(t), 16) + ")"
}

// MaxIDXBytes bounds the payload an IDX header may declare (4 GiB), so a
// corrupt header cannot make the reader allocate without limit.
const MaxIDXBytes = 1 << 32

// IDX is the content of an IDX file: the element type, the dimensions and
// the elements as stored (big-endian).
type IDX struct {
	Type  IDXType
	Shape []int
	Data  []byte
}

// Len returns the number of elements.
func (m *IDX) Len() int { return len(m.Data) / m.Type.Size() }

// Value returns element i as a float64.
func (m *IDX) Value(i int) float64 {
	switch m.Type {
	case IDXUint8:
		return float64(m.Data[i])
	case IDXInt8:
		return float64(int8(m.Data[i]))
	case IDXInt16:
		return float64(int16(binary.BigEndian.Uint16(m.Data[2*i:])))
	case IDXInt32:
		return float64(int32(binary.BigEndian.Uint32(m.Data[4*i:])))
	case IDXFloat32:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(m.Data[4*i:])))
	case IDXFloat64:
		return math.Float64frombits(binary.BigEndian.Uint64(m.Data[8*i:]))
	}
	panic("data: IDX value of unknown type " + m.Type.String())
}

// Tensor returns the elements as a tensor of the given type and the file's
// shape, each multiplied by scale.
func (m *IDX) Tensor(dt tensor.DType, scale float64) *tensor.Tensor {
	t := tensor.Empty(dt, m.Shape...)
	n := m.Len()
	if dt == tensor.Float32 {
		d := t.Float32s()
		if m.Type == IDXUint8 {
			s := float32(scale)
			for i, b := range m.Data {
				d[i] = float32(b) * s
			}
			return t
		}
		for i := range n {
			d[i] = float32(m.Value(i) * scale)
		}
		return t
	}
	d := t.Float64s()
	for i := range n {
		d[i] = m.Value(i) * scale
	}
	return t
}

// ReadIDX reads an IDX file, gzip-compressed or not (detected from its
// first bytes). It checks the magic number (two zero bytes, a known type,
// at least one dimension), that the dimensions' product fits, and that the
// payload holds exactly as many bytes as the header declares.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("data: IDX: bad gzip header: %w", err)
		}
		defer zr.Close()
		return readIDX(zr, -1)
	}
	return readIDX(br, -1)
}

// readIDX parses an uncompressed IDX stream. size is the total length of
// the stream when known (for an early, allocation-free length check), or -1.
func readIDX(r io.Reader, size int64) (*IDX, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, fmt.Errorf("data: IDX: file too short for the magic number: %w", noEOF(err))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("data: IDX: bad magic number % x (the first two bytes must be zero)", magic)
	}
	typ := IDXType(magic[2])
	if typ.Size() == 0 {
		return nil, fmt.Errorf("data: IDX: unknown element type code 0x%02x", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, fmt.Errorf("data: IDX: header declares no dimensions")
	}
	dims := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dims); err != nil {
		return nil, fmt.Errorf("data: IDX: file too short for %d dimension sizes: %w", nd, noEOF(err))
	}
	shape := make([]int, nd)
	total := uint64(typ.Size())
	for i := range nd {
		d := binary.BigEndian.Uint32(dims[4*i:])
		shape[i] = int(d)
		total *= uint64(d)
		if total > MaxIDXBytes {
			return nil, fmt.Errorf("data: IDX: shape %v of %v declares more than %d bytes", shape[:i+1], typ, uint64(MaxIDXBytes))
		}
	}
	want := int64(total)
	if size >= 0 {
		if got := size - int64(4+4*nd); got != want {
			return nil, fmt.Errorf("data: IDX: header declares shape %v of %v (%d bytes of data) but the file holds %d", shape, typ, want, got)
		}
	}
	// Read at most one byte more than declared, growing the buffer as the
	// data arrives, so a lying header costs no more memory than the file.
	var buf bytes.Buffer
	if want < 1<<26 {
		buf.Grow(int(want) + 1)
	}
	n, err := io.Copy(&buf, io.LimitReader(r, want+1))
	if err != nil {
		return nil, fmt.Errorf("data: IDX: reading data of shape %v: %w", shape, err)
	}
	if n != want {
		if n > want {
			return nil, fmt.Errorf("data: IDX: header declares shape %v of %v (%d bytes of data) but the file holds more", shape, typ, want)
		}
		return nil, fmt.Errorf("data: IDX: header declares shape %v of %v (%d bytes of data) but the file holds %d", shape, typ, want, n)
	}
	return &IDX{Type: typ, Shape: shape, Data: buf.Bytes()}, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadIDXFile reads an IDX file (gzip-compressed or not). Errors name the
// file.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(2)
	var m *IDX
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		m, err = ReadIDX(br)
	} else {
		size := int64(-1)
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		m, err = readIDX(br, size)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// MNISTClassNames are the class names of MNIST: the digits "0" to "9".
var MNISTClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// NewMNIST builds an MNIST-style dataset from an IDX image file (uint8,
// shape [N, rows, cols]) and an IDX label file (uint8, shape [N]), either
// gzip-compressed or not. The images become float32 [N, 1, rows, cols]
// scaled to [0, 1] and the labels float32 class indices; classes are the
// digits 0-9 unless a label is larger, in which case there are max+1.
func NewMNIST(images, labels io.Reader) (*TensorDataset, error) {
	im, err := ReadIDX(images)
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	lb, err := ReadIDX(labels)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return mnistFromIDX(im, lb)
}

func mnistFromIDX(im, lb *IDX) (*TensorDataset, error) {
	if im.Type != IDXUint8 || len(im.Shape) != 3 {
		return nil, fmt.Errorf("data: MNIST images must be uint8 of shape [N, rows, cols], got %v %v", im.Type, im.Shape)
	}
	if lb.Type != IDXUint8 || len(lb.Shape) != 1 {
		return nil, fmt.Errorf("data: MNIST labels must be uint8 of shape [N], got %v %v", lb.Type, lb.Shape)
	}
	if im.Shape[0] != lb.Shape[0] {
		return nil, fmt.Errorf("data: MNIST has %d images but %d labels", im.Shape[0], lb.Shape[0])
	}
	n, h, w := im.Shape[0], im.Shape[1], im.Shape[2]
	x := im.Tensor(tensor.Float32, 1.0/255).Reshape(n, 1, h, w)
	y := lb.Tensor(tensor.Float32, 1)
	maxLabel := 9
	for _, b := range lb.Data {
		maxLabel = max(maxLabel, int(b))
	}
	names := MNISTClassNames
	if maxLabel > 9 {
		names = make([]string, maxLabel+1)
		for i := range names {
			names[i] = strconv.Itoa(i)
		}
	}
	ds, err := NewTensorDataset(x, y)
	if err != nil {
		return nil, err
	}
	return ds.WithClassNames(names), nil
}

// LoadMNIST reads MNIST from dir, which holds train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each optionally gzip-compressed with a .gz
// suffix. Images are float32 [N, 1, 28, 28] in [0, 1]; labels are class
// indices.
func LoadMNIST(dir string) (train, test *TensorDataset, err error) {
	load := func(prefix string) (*TensorDataset, error) {
		im, err := readIDXNamed(dir, prefix+"-images-idx3-ubyte")
		if err != nil {
			return nil, err
		}
		lb, err := readIDXNamed(dir, prefix+"-labels-idx1-ubyte")
		if err != nil {
			return nil, err
		}
		ds, err := mnistFromIDX(im, lb)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, prefix), err)
		}
		return ds, nil
	}
	if train, err = load("train"); err != nil {
		return nil, nil, err
	}
	if test, err = load("t10k"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// readIDXNamed reads dir/name.gz or dir/name, whichever exists.
func readIDXNamed(dir, name string) (*IDX, error) {
	p := filepath.Join(dir, name+".gz")
	if _, err := os.Stat(p); err != nil {
		p = filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("data: neither %s.gz nor %s found in %s", name, name, dir)
		}
	}
	return ReadIDXFile(p)
}
