package tensorboard

import (
	"bytes"
	"testing"
)

// TestCRC32CRFC3720 checks CRC32C against the published test vectors of
// RFC 3720 (iSCSI), appendix B.4, and the usual check value of "123456789".
// The RFC prints each CRC as the bytes sent on the wire (least significant
// byte first); the constants below are those bytes read as a little-endian
// uint32.
func TestCRC32CRFC3720(t *testing.T) {
	inc := make([]byte, 32)
	dec := make([]byte, 32)
	for i := range inc {
		inc[i] = byte(i)
		dec[i] = byte(31 - i)
	}
	iscsiRead := []byte{
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
		0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	}
	tests := []struct {
		name string
		data []byte
		want uint32
	}{
		{"32 bytes of zeroes", make([]byte, 32), 0x8a9136aa},             // aa 36 91 8a
		{"32 bytes of ones", bytes.Repeat([]byte{0xff}, 32), 0x62a8ab43}, // 43 ab a8 62
		{"32 incrementing bytes", inc, 0x46dd794e},                       // 4e 79 dd 46
		{"32 decrementing bytes", dec, 0x113fdb5c},                       // 5c db 3f 11
		{"iSCSI read command PDU", iscsiRead, 0xd9963a56},                // 56 3a 96 d9
		{"check value 123456789", []byte("123456789"), 0xe3069283},
		{"empty", nil, 0},
	}
	for _, tc := range tests {
		if got := CRC32C(tc.data); got != tc.want {
			t.Errorf("%s: CRC32C = %#08x, want %#08x", tc.name, got, tc.want)
		}
	}
}

func TestMaskCRC(t *testing.T) {
	// Hand-computed: rotate right by 15, then add 0xa282ead8 (mod 2^32).
	tests := []struct{ crc, masked uint32 }{
		{0, 0xa282ead8},
		{0x00008000, 0xa282ead9},              // bit 15 rotates to bit 0
		{0x00000001, 0xa282ead8 + 0x00020000}, // bit 0 rotates to bit 17
		{0x8a9136aa, 0x0fd7fffa},              // RFC 3720 zeroes CRC, wraps mod 2^32
		{0xffffffff, 0xa282ead7},              // all ones + delta wraps
	}
	for _, tc := range tests {
		if got := MaskCRC(tc.crc); got != tc.masked {
			t.Errorf("MaskCRC(%#08x) = %#08x, want %#08x", tc.crc, got, tc.masked)
		}
		if got := UnmaskCRC(tc.masked); got != tc.crc {
			t.Errorf("UnmaskCRC(%#08x) = %#08x, want %#08x", tc.masked, got, tc.crc)
		}
	}
	if got, want := MaskedCRC32C(make([]byte, 32)), uint32(0x0fd7fffa); got != want {
		t.Errorf("MaskedCRC32C(32 zeroes) = %#08x, want %#08x", got, want)
	}
}
