package pyjson

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxEncodeDepth stops the encoder on cyclic values. It counts every nested value, pointers and
// interfaces included, so it is set well above the decoder's container limit: whatever Decode returns
// can always be encoded again.
const maxEncodeDepth = 10 * maxDepth

// Compact renders v as the original's HTTP bodies: separators "," and ":", every non-ASCII character
// escaped (CP-02, DP-02, control-plane §3.3).
//
// Accepted values: *Map and Map (in order); []any and other slices and arrays; map[string]any and other
// maps with string, integer or encoding.TextMarshaler keys (keys sorted, since Go maps have no order);
// string; Number and json.Number (written as spelled); bool; nil; every integer kind; float32 and
// float64 written as Python's repr (NaN and ±Inf are errors); json.RawMessage and json.Marshaler output
// (decoded and re-encoded, so the mode's separators and escaping apply and numbers keep their
// spelling); encoding.TextMarshaler (as a string); pointers and interfaces (nil is null); and structs,
// whose exported fields are written in declaration order following encoding/json's rules: json tag
// names, "-", omitempty, omitzero and string, embedded structs flattened. As in encoding/json, a []byte
// becomes a base64 string, a nil slice or map is null, and an empty json.Number is 0.
//
// Invalid UTF-8 in a Go string is written as \ufffd, one per bad byte.
func Compact(v any) ([]byte, error) {
	return encode(v, ",", ":")
}

// Python renders v as Python's json.dumps does by default: separators ", " and ": " — the stored and
// sent texts of the original (state machine definitions, queue and SNS messages, cursors, Kinesis
// records; control-plane §3.8, DP-29, DP-33). It accepts the same values as Compact.
func Python(v any) ([]byte, error) {
	return encode(v, ", ", ": ")
}

func encode(v any, comma, colon string) ([]byte, error) {
	e := encoder{comma: comma, colon: colon}
	if err := e.value(v); err != nil {
		return nil, err
	}
	return e.buf, nil
}

type encoder struct {
	buf   []byte
	comma string
	colon string
	depth int
}

// value writes the common decoded and built-in types directly and hands everything else to reflection.
func (e *encoder) value(v any) error {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxEncodeDepth {
		return fmt.Errorf("pyjson: value nested more than %d levels deep (cyclic?)", maxEncodeDepth)
	}
	switch t := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case *Map:
		if t == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.object(t)
	case Map:
		return e.object(&t)
	case []any:
		if t == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		e.buf = append(e.buf, '[')
		for i, x := range t {
			if i > 0 {
				e.buf = append(e.buf, e.comma...)
			}
			if err := e.value(x); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case map[string]any:
		if t == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		e.buf = append(e.buf, '{')
		for i, k := range slices.Sorted(maps.Keys(t)) {
			if i > 0 {
				e.buf = append(e.buf, e.comma...)
			}
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, e.colon...)
			if err := e.value(t[k]); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	case string:
		e.buf = appendString(e.buf, t)
	case Number:
		return e.number(string(t))
	case json.Number:
		return e.jsonNumber(string(t))
	case bool:
		e.buf = strconv.AppendBool(e.buf, t)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(t), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, t, 10)
	case float64:
		return e.float(t, 64)
	case json.RawMessage:
		return e.raw(t, "json.RawMessage")
	default:
		return e.reflectValue(reflect.ValueOf(v))
	}
	return nil
}

func (e *encoder) object(m *Map) error {
	e.buf = append(e.buf, '{')
	for i, k := range m.keys {
		if i > 0 {
			e.buf = append(e.buf, e.comma...)
		}
		e.buf = appendString(e.buf, k)
		e.buf = append(e.buf, e.colon...)
		if err := e.value(m.vals[k]); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encoder) number(tok string) error {
	if !validToken(tok) {
		return fmt.Errorf("pyjson: %q is not a JSON number", tok)
	}
	e.buf = append(e.buf, tok...)
	return nil
}

// jsonNumber follows encoding/json, which writes an empty json.Number as 0.
func (e *encoder) jsonNumber(tok string) error {
	if tok == "" {
		tok = "0"
	}
	return e.number(tok)
}

func (e *encoder) float(f float64, bits int) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("pyjson: unsupported float value %v", f)
	}
	e.buf = appendFloatRepr(e.buf, f, bits)
	return nil
}

// raw re-encodes JSON text produced elsewhere so that it follows this encoder's mode.
func (e *encoder) raw(data []byte, source string) error {
	if len(data) == 0 {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	v, err := Decode(data)
	if err != nil {
		return fmt.Errorf("pyjson: invalid JSON from %s: %w", source, err)
	}
	return e.value(v)
}

// reflectValue encodes any other value by its type, mirroring encoding/json's choices.
func (e *encoder) reflectValue(v reflect.Value) error {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxEncodeDepth {
		return fmt.Errorf("pyjson: value nested more than %d levels deep (cyclic?)", maxEncodeDepth)
	}
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	info := typeInfoFor(v.Type())
	switch info.special {
	case specialMap:
		m := v.Interface().(Map)
		return e.object(&m)
	case specialNumber:
		return e.number(v.String())
	case specialJSONNumber:
		return e.jsonNumber(v.String())
	case specialRaw:
		return e.raw(v.Bytes(), "json.RawMessage")
	case specialMarshaler:
		return e.marshaler(v)
	case specialAddrMarshaler:
		if v.CanAddr() {
			return e.marshaler(v.Addr())
		}
	case specialText:
		return e.text(v)
	case specialAddrText:
		if v.CanAddr() {
			return e.text(v.Addr())
		}
	}
	switch v.Kind() {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32:
		return e.float(v.Float(), 32)
	case reflect.Float64:
		return e.float(v.Float(), 64)
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		// Back to the type switch: decoded trees held in interface fields skip reflection.
		return e.value(v.Elem().Interface())
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.reflectValue(v.Elem())
	case reflect.Struct:
		return e.structValue(v, info.fields)
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if info.bytes {
			e.buf = append(e.buf, '"')
			e.buf = base64.StdEncoding.AppendEncode(e.buf, v.Bytes())
			e.buf = append(e.buf, '"')
			return nil
		}
		return e.list(v)
	case reflect.Array:
		return e.list(v)
	default:
		return fmt.Errorf("pyjson: unsupported type %s", v.Type())
	}
	return nil
}

func (e *encoder) marshaler(v reflect.Value) error {
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := v.Interface().(json.Marshaler)
	if !ok {
		return fmt.Errorf("pyjson: %s does not implement json.Marshaler", v.Type())
	}
	data, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("pyjson: MarshalJSON of %s: %w", v.Type(), err)
	}
	return e.raw(data, "MarshalJSON of "+v.Type().String())
}

func (e *encoder) text(v reflect.Value) error {
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return fmt.Errorf("pyjson: %s does not implement encoding.TextMarshaler", v.Type())
	}
	text, err := m.MarshalText()
	if err != nil {
		return fmt.Errorf("pyjson: MarshalText of %s: %w", v.Type(), err)
	}
	e.buf = appendString(e.buf, string(text))
	return nil
}

func (e *encoder) list(v reflect.Value) error {
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, e.comma...)
		}
		if err := e.reflectValue(v.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// mapValue writes a Go map with its keys sorted; keys are rendered as encoding/json renders them.
func (e *encoder) mapValue(v reflect.Value) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, err := mapKey(it.Key())
		if err != nil {
			return err
		}
		entries = append(entries, entry{k, it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	e.buf = append(e.buf, '{')
	for i, en := range entries {
		if i > 0 {
			e.buf = append(e.buf, e.comma...)
		}
		e.buf = appendString(e.buf, en.key)
		e.buf = append(e.buf, e.colon...)
		if err := e.reflectValue(en.val); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		if err != nil {
			return "", fmt.Errorf("pyjson: MarshalText of map key %s: %w", k.Type(), err)
		}
		return string(b), nil
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("pyjson: unsupported map key type %s", k.Type())
}

func (e *encoder) structValue(v reflect.Value, fields []field) error {
	e.buf = append(e.buf, '{')
	first := true
	for i := range fields {
		f := &fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omit(fv) {
			continue
		}
		if !first {
			e.buf = append(e.buf, e.comma...)
		}
		first = false
		e.buf = append(e.buf, f.quotedName...)
		e.buf = append(e.buf, e.colon...)
		if err := e.fieldValue(f, fv); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// fieldValue writes a field; with the "string" tag option a scalar is written inside a JSON string,
// as encoding/json does.
func (e *encoder) fieldValue(f *field, v reflect.Value) error {
	if !f.quoted {
		return e.reflectValue(v)
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		v = v.Elem()
	}
	inner := encoder{comma: e.comma, colon: e.colon}
	if err := inner.reflectValue(v); err != nil {
		return err
	}
	e.buf = appendString(e.buf, string(inner.buf))
	return nil
}

// fieldByIndex walks an index path through embedded structs; it reports false when an embedded
// pointer on the way is nil, in which case the field is left out.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

// appendString appends s as a JSON string the way Python writes it with ensure_ascii: short escapes for
// the usual control characters, \u00XX for the others and for DEL, \uXXXX (lower-case hex, surrogate
// pairs above U+FFFF) for everything outside ASCII, and "/", "<", ">", "&" as they are.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	appendU := func(dst []byte, r rune) []byte {
		return append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
			i++
		case c == '\n':
			dst = append(dst, '\\', 'n')
			i++
		case c == '\r':
			dst = append(dst, '\\', 'r')
			i++
		case c == '\t':
			dst = append(dst, '\\', 't')
			i++
		case c == '\b':
			dst = append(dst, '\\', 'b')
			i++
		case c == '\f':
			dst = append(dst, '\\', 'f')
			i++
		case c < utf8.RuneSelf:
			dst = appendU(dst, rune(c))
			i++
		default:
			// An invalid byte decodes as U+FFFD with size 1.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r > 0xFFFF {
				r1, r2 := utf16.EncodeRune(r)
				dst = appendU(appendU(dst, r1), r2)
			} else {
				dst = appendU(dst, r)
			}
			i += size
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
