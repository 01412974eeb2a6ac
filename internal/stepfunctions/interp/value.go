package interp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// JSON values in flight are what pyjson decodes: *pyjson.Map (objects, keys in document order, as Step
// Functions keeps them), []any, string, pyjson.Number (spelling kept), bool and nil. A value is never
// modified once built, so Parallel branches, retries and the context object can share it.

// decodeJSON parses one JSON text strictly: pyjson alone would also take Python's NaN and Infinity,
// which Step Functions refuses.
func decodeJSON(data []byte) (any, error) {
	if !json.Valid(data) {
		var probe json.RawMessage
		return nil, json.Unmarshal(data, &probe)
	}
	return pyjson.Decode(data)
}

// encodeJSON renders v compactly with no escaping beyond what JSON requires, the way Step Functions
// writes inputs and outputs.
func encodeJSON(v any) string {
	return string(appendJSON(nil, v))
}

func appendJSON(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, t)
	case string:
		return appendJSONString(b, t)
	case pyjson.Number:
		return append(b, t...)
	case []any:
		b = append(b, '[')
		for i, x := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, x)
		}
		return append(b, ']')
	case *pyjson.Map:
		b = append(b, '{')
		first := true
		for k, x := range t.All() {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x)
		}
		return append(b, '}')
	}
	// Only the types above are ever built; anything else is a bug in this package.
	panic(fmt.Sprintf("interp: %T is not a JSON value", v))
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
			continue
		}
		i++
	}
	return append(b, '"')
}

// jsonType names a value's JSON type for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case pyjson.Number:
		return "number"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// number returns the value of a JSON number, and false for any other value.
func number(v any) (float64, bool) {
	n, ok := v.(pyjson.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}
