package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// A record is one result as stored under its key:
//
//	version  1 byte, recordVersion
//	type     uvarint length, then the Go type of the value ("" for nil)
//	payload  the codec's encoding of the value
//	checksum 4 bytes, CRC-32C (Castagnoli) of everything before it
//
// bbolt commits a transaction atomically, so a crash never leaves half a
// record behind; the checksum also catches a record damaged on disk or
// written by something else, which then loads as an error, never as a
// success.
const recordVersion = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt is wrapped by the error of a record that fails its checks.
var errCorrupt = errors.New("corrupt record")

// encodeRecord returns the record of payload, a value of type typ.
func encodeRecord(typ string, payload []byte) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(typ)+len(payload)+4)
	b = append(b, recordVersion)
	b = binary.AppendUvarint(b, uint64(len(typ)))
	b = append(b, typ...)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decodeRecord checks a record and returns its type and payload, which
// alias rec.
func decodeRecord(rec []byte) (typ string, payload []byte, err error) {
	if len(rec) < 1+1+4 {
		return "", nil, fmt.Errorf("%w: %d bytes", errCorrupt, len(rec))
	}
	body, sum := rec[:len(rec)-4], binary.BigEndian.Uint32(rec[len(rec)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return "", nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	if body[0] != recordVersion {
		return "", nil, fmt.Errorf("%w: format version %d, want %d", errCorrupt, body[0], recordVersion)
	}
	n, w := binary.Uvarint(body[1:])
	if w <= 0 || n > uint64(len(body)-1-w) {
		return "", nil, fmt.Errorf("%w: bad type length", errCorrupt)
	}
	start := 1 + w
	return string(body[start : start+int(n)]), body[start+int(n):], nil
}
