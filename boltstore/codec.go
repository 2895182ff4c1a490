package boltstore

import "encoding/json"

// Codec turns results into bytes and back. Implementations must be safe
// for concurrent use. Marshal must fail, rather than drop data, for a
// value it cannot represent: the task then fails with a clear error
// instead of recording a result that would not load back as it was.
type Codec interface {
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into v, a non-nil pointer.
	Unmarshal(data []byte, v any) error
}

// JSON returns the default codec, encoding/json. Results must be values
// that round-trip through JSON: exported struct fields, no channels or
// functions. Into an interface type (a task of type any) JSON decodes
// numbers as float64 and objects as maps; give keyed tasks concrete
// result types.
func JSON() Codec { return jsonCodec{} }

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
