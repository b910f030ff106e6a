package tensorboard

import "hash/crc32"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskDelta is the constant TFRecord adds to a rotated CRC.
const maskDelta = 0xa282ead8

// CRC32C returns the CRC-32C (Castagnoli) checksum of b.
func CRC32C(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// MaskCRC masks a CRC the way TFRecord does: the CRC is rotated right by
// 15 bits and a constant is added, so that a CRC stored inside the data it
// covers does not checksum to itself.
func MaskCRC(crc uint32) uint32 { return ((crc >> 15) | (crc << 17)) + maskDelta }

// UnmaskCRC inverts MaskCRC.
func UnmaskCRC(masked uint32) uint32 {
	rot := masked - maskDelta
	return (rot >> 17) | (rot << 15)
}

// MaskedCRC32C returns MaskCRC(CRC32C(b)), the checksum stored in TFRecords.
func MaskedCRC32C(b []byte) uint32 { return MaskCRC(CRC32C(b)) }
