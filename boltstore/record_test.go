package boltstore

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecordRoundTrip(t *testing.T) {
	for _, c := range []struct{ typ, payload string }{
		{"int", "42"},
		{"", "null"},
		{"github.com/x/y.T", `{"A":1}`},
		{string(make([]byte, 300)), ""}, // a type name longer than one varint byte
	} {
		typ, payload, err := decodeRecord(encodeRecord(c.typ, []byte(c.payload)))
		require.NoError(t, err)
		require.Equal(t, c.typ, typ)
		require.Equal(t, c.payload, string(payload))
	}
}

func TestRecordDamage(t *testing.T) {
	rec := encodeRecord("int", []byte("42"))
	for i := range rec {
		bad := append([]byte(nil), rec...)
		bad[i] ^= 0x40
		_, _, err := decodeRecord(bad)
		require.ErrorIs(t, err, errCorrupt, "byte %d flipped", i)
	}
	for n := range len(rec) {
		_, _, err := decodeRecord(rec[:n])
		require.ErrorIs(t, err, errCorrupt, "cut to %d bytes", n)
	}
	// A record whose checksum matches but whose type length is impossible.
	body := []byte{recordVersion, 0x7f, 'x'}
	_, _, err := decodeRecord(binary.BigEndian.AppendUint32(body, crc32.Checksum(body, castagnoli)))
	require.ErrorContains(t, err, "bad type length")
}
