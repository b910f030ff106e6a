package tensorboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxRecordSize bounds the payload length a RecordReader accepts, so that a
// corrupt length field cannot make it allocate without limit.
const MaxRecordSize = 1 << 30

// ErrChecksum is wrapped by the errors a RecordReader returns when a stored
// CRC does not match the bytes it covers.
var ErrChecksum = errors.New("tensorboard: record checksum mismatch")

// AppendRecord appends data framed as one TFRecord to dst and returns the
// extended slice.
func AppendRecord(dst, data []byte) []byte {
	var hdr [12]byte
	binary.LittleEndian.PutUint64(hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(hdr[8:], MaskedCRC32C(hdr[:8]))
	dst = append(dst, hdr[:]...)
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, MaskedCRC32C(data))
}

// WriteRecord writes data framed as one TFRecord to w.
func WriteRecord(w io.Writer, data []byte) error {
	_, err := w.Write(AppendRecord(make([]byte, 0, len(data)+16), data))
	return err
}

// RecordReader reads TFRecords and verifies both checksums of each.
type RecordReader struct {
	r      io.Reader
	offset int64
}

// NewRecordReader returns a RecordReader reading from r.
func NewRecordReader(r io.Reader) *RecordReader { return &RecordReader{r: r} }

// Next returns the payload of the next record. It returns io.EOF at a clean
// end of input, io.ErrUnexpectedEOF for a truncated record, and an error
// wrapping ErrChecksum when a CRC does not match.
func (rr *RecordReader) Next() ([]byte, error) {
	var hdr [12]byte
	n, err := io.ReadFull(rr.r, hdr[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("tensorboard: record header at offset %d (%d of 12 bytes): %w", rr.offset, n, io.ErrUnexpectedEOF)
	}
	length := binary.LittleEndian.Uint64(hdr[:8])
	if got, want := MaskedCRC32C(hdr[:8]), binary.LittleEndian.Uint32(hdr[8:]); got != want {
		return nil, fmt.Errorf("%w: length CRC at offset %d is %#08x, computed %#08x", ErrChecksum, rr.offset, want, got)
	}
	if length > MaxRecordSize {
		return nil, fmt.Errorf("tensorboard: record at offset %d has length %d, over the %d limit", rr.offset, length, MaxRecordSize)
	}
	buf := make([]byte, int(length)+4)
	if _, err := io.ReadFull(rr.r, buf); err != nil {
		return nil, fmt.Errorf("tensorboard: record at offset %d truncated: %w", rr.offset, io.ErrUnexpectedEOF)
	}
	data := buf[:length]
	if got, want := MaskedCRC32C(data), binary.LittleEndian.Uint32(buf[length:]); got != want {
		return nil, fmt.Errorf("%w: data CRC at offset %d is %#08x, computed %#08x", ErrChecksum, rr.offset, want, got)
	}
	rr.offset += 12 + int64(length) + 4
	return data, nil
}
