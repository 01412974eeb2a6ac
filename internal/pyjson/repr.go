package pyjson

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Repr returns Python's repr() of a decoded value, as the original embeds it in error messages
// (operators.md §1.6, Q-49): {'k': 'v', 'n': 1}, ['a', 'b'], True, False, None, strings quoted as
// Python quotes them, integers as Python ints ("-0" is 0) and float Numbers as Python floats
// (1.50 is 1.5, 1e400 is inf). Go maps are shown with sorted keys. Values Compact can encode (structs,
// typed slices and maps) are shown as their decoded JSON; anything else falls back to fmt's %v.
func Repr(v any) string {
	return string(appendRepr(nil, v))
}

// QuoteKey renders a dictionary key as Python's KeyError shows it: the repr of the key, e.g. 'Name'
// (control-plane §6.3, data-plane §3.4).
func QuoteKey(name string) string {
	return string(appendStrRepr(nil, name))
}

// TypeName returns the name of the Python type a decoded value would have: dict, list, str, int,
// float, bool or NoneType. Go integer and float kinds map to int and float, other maps and structs to
// dict, other slices and arrays to list; any other type is named by Go's %T.
func TypeName(v any) string {
	switch t := v.(type) {
	case nil:
		return "NoneType"
	case *Map, Map:
		return "dict"
	case Number:
		if t.IsFloat() {
			return "float"
		}
		return "int"
	case json.Number:
		if Number(t).IsFloat() {
			return "float"
		}
		return "int"
	case json.RawMessage:
		d, err := Decode(t)
		if err != nil {
			return fmt.Sprintf("%T", v)
		}
		return TypeName(d)
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.String:
		return "str"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.Map, reflect.Struct:
		return "dict"
	case reflect.Slice, reflect.Array:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

func appendRepr(dst []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(dst, "None"...)
	case bool:
		if t {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case string:
		return appendStrRepr(dst, t)
	case Number:
		return appendNumberRepr(dst, string(t))
	case json.Number:
		return appendNumberRepr(dst, string(t))
	case *Map:
		if t == nil {
			return append(dst, "None"...)
		}
		return appendMapRepr(dst, t)
	case Map:
		return appendMapRepr(dst, &t)
	case []any:
		dst = append(dst, '[')
		for i, x := range t {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendRepr(dst, x)
		}
		return append(dst, ']')
	case map[string]any:
		dst = append(dst, '{')
		for i, k := range slices.Sorted(maps.Keys(t)) {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendStrRepr(dst, k)
			dst = append(dst, ": "...)
			dst = appendRepr(dst, t[k])
		}
		return append(dst, '}')
	case int:
		return strconv.AppendInt(dst, int64(t), 10)
	case int64:
		return strconv.AppendInt(dst, t, 10)
	case float64:
		return appendFloatRepr(dst, t, 64)
	case float32:
		return appendFloatRepr(dst, float64(t), 32)
	}
	text, err := Compact(v)
	if err != nil {
		return fmt.Appendf(dst, "%v", v)
	}
	d, err := Decode(text)
	if err != nil {
		return fmt.Appendf(dst, "%v", v)
	}
	return appendRepr(dst, d)
}

func appendMapRepr(dst []byte, m *Map) []byte {
	dst = append(dst, '{')
	for i, k := range m.keys {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendStrRepr(dst, k)
		dst = append(dst, ": "...)
		dst = appendRepr(dst, m.vals[k])
	}
	return append(dst, '}')
}

// appendNumberRepr writes a number token as the Python int or float json.loads makes of it.
func appendNumberRepr(dst []byte, tok string) []byte {
	if !validToken(tok) {
		return append(dst, tok...)
	}
	if !Number(tok).IsFloat() {
		if tok == "-0" {
			return append(dst, '0')
		}
		return append(dst, tok...)
	}
	f, _ := Number(tok).Float64()
	return appendFloatRepr(dst, f, 64)
}

// appendStrRepr writes Python's repr of a str: single quotes unless the text contains a single quote
// and no double quote; backslash, the quote, \t, \n, \r escaped; other ASCII control characters and
// DEL as \xHH; non-ASCII characters as they are when printable, otherwise \xHH, \uHHHH or \UHHHHHHHH.
// Invalid UTF-8 bytes are shown as U+FFFD.
func appendStrRepr(dst []byte, s string) []byte {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	dst = utf8.AppendRune(dst, quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\t':
			dst = append(dst, `\t`...)
		case r == '\n':
			dst = append(dst, `\n`...)
		case r == '\r':
			dst = append(dst, `\r`...)
		case r < ' ' || r == 0x7f:
			dst = fmt.Appendf(dst, `\x%02x`, r)
		case r < utf8.RuneSelf || unicode.IsPrint(r):
			dst = utf8.AppendRune(dst, r)
		case r <= 0xff:
			dst = fmt.Appendf(dst, `\x%02x`, r)
		case r <= 0xffff:
			dst = fmt.Appendf(dst, `\u%04x`, r)
		default:
			dst = fmt.Appendf(dst, `\U%08x`, r)
		}
	}
	return utf8.AppendRune(dst, quote)
}

// Truthy is Python's bool() of a decoded JSON value: false for null, false, "", 0, an empty object or array; a
// number token is compared as Python's float() reads it (a token beyond a double's range is true).
func Truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case Number:
		f, err := t.Float64()
		return err != nil || f != 0
	case json.Number:
		return Truthy(Number(t))
	case []any:
		return len(t) > 0
	case *Map:
		return t.Len() > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}
