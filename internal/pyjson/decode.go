package pyjson

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects. Python's decoder gives up with a RecursionError
// just below 1000 levels (the exact point depends on its call stack); this limit keeps the port close
// to that and bounds the Go stack.
const maxDepth = 1000

// SyntaxError is a JSON syntax error worded like Python's json.JSONDecodeError, whose text the original
// handlers embed in their responses (e.g. control-plane §6.3: "Expecting value: line 1 column 1 (char 0)").
type SyntaxError struct {
	// Msg is Python's message without the position, e.g. "Expecting ',' delimiter".
	Msg string
	// Offset is the byte offset of the error in the input.
	Offset int
	// Pos is Python's "char": the offset in code points.
	Pos int
	// Line and Column are 1-based, counted as Python counts them (only "\n" ends a line).
	Line, Column int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: line %d column %d (char %d)", e.Msg, e.Line, e.Column, e.Pos)
}

// DepthError reports a document nested deeper than the decoder accepts; its text is Python's
// RecursionError message for the same situation.
type DepthError struct {
	// Object is true when the container that went too deep is an object, false for an array.
	Object bool
}

func (e *DepthError) Error() string {
	kind := "array"
	if e.Object {
		kind = "object"
	}
	return "maximum recursion depth exceeded while decoding a JSON " + kind + " from a unicode string"
}

// Decode parses one JSON value the way Python's json.loads does and returns it as *Map, []any, string,
// Number, bool or nil. Whitespace may surround the value; anything else after it is an "Extra data"
// error. Like Python it accepts NaN, Infinity and -Infinity (as Numbers); callers that must produce
// valid JSON reject them. Errors are *SyntaxError, or *DepthError for nesting beyond 1000 levels.
//
// Go strings cannot hold what Python can in two cases, and both become U+FFFD: a byte that is not part
// of valid UTF-8 (it also counts as one character in error positions), and a \u escape of a lone
// surrogate.
func Decode(data []byte) (any, error) {
	d := decoder{data: data}
	// Python refuses a str that starts with a byte order mark.
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		return nil, d.errorAt("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
	}
	v, end, err := d.value(d.skipSpace(0))
	if err != nil {
		return nil, err
	}
	if end = d.skipSpace(end); end != len(data) {
		return nil, d.errorAt("Extra data", end)
	}
	return v, nil
}

// DecodeObject decodes data like Decode and requires the value to be an object; otherwise the error
// wraps ErrNotObject and names the Python type found (list, str, int, float, bool, NoneType).
func DecodeObject(data []byte) (*Map, error) {
	v, err := Decode(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		return nil, fmt.Errorf("%w (got %s)", ErrNotObject, TypeName(v))
	}
	return m, nil
}

type decoder struct {
	data  []byte
	depth int
	buf   []byte // scratch space for strings that contain escapes
}

// errorAt builds the Python error for byte offset off, converting it to Python's code-point positions.
func (d *decoder) errorAt(msg string, off int) *SyntaxError {
	prefix := d.data[:off]
	pos := utf8.RuneCount(prefix)
	col := pos + 1
	if nl := bytes.LastIndexByte(prefix, '\n'); nl >= 0 {
		col = pos - utf8.RuneCount(prefix[:nl])
	}
	return &SyntaxError{
		Msg:    msg,
		Offset: off,
		Pos:    pos,
		Line:   bytes.Count(prefix, []byte{'\n'}) + 1,
		Column: col,
	}
}

// skipSpace skips the four characters Python's decoder treats as whitespace.
func (d *decoder) skipSpace(i int) int {
	for i < len(d.data) {
		switch d.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (d *decoder) hasLiteral(i int, lit string) bool {
	return len(d.data)-i >= len(lit) && string(d.data[i:i+len(lit)]) == lit
}

// value decodes the value starting exactly at i and returns it with the offset just after it.
func (d *decoder) value(i int) (any, int, error) {
	if i >= len(d.data) {
		return nil, i, d.errorAt("Expecting value", i)
	}
	switch d.data[i] {
	case '"':
		s, end, err := d.str(i + 1)
		if err != nil {
			return nil, end, err
		}
		return s, end, nil
	case '{':
		return d.nested(i, true)
	case '[':
		return d.nested(i, false)
	case 'n':
		if d.hasLiteral(i, "null") {
			return nil, i + 4, nil
		}
	case 't':
		if d.hasLiteral(i, "true") {
			return true, i + 4, nil
		}
	case 'f':
		if d.hasLiteral(i, "false") {
			return false, i + 5, nil
		}
	case 'N':
		if d.hasLiteral(i, "NaN") {
			return Number("NaN"), i + 3, nil
		}
	case 'I':
		if d.hasLiteral(i, "Infinity") {
			return Number("Infinity"), i + 8, nil
		}
	case '-':
		if d.hasLiteral(i, "-Infinity") {
			return Number("-Infinity"), i + 9, nil
		}
	}
	end := numberEnd(d.data, i)
	if end < 0 {
		return nil, i, d.errorAt("Expecting value", i)
	}
	return Number(d.data[i:end]), end, nil
}

func (d *decoder) nested(i int, object bool) (any, int, error) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		return nil, i, &DepthError{Object: object}
	}
	if object {
		return d.object(i + 1)
	}
	return d.array(i + 1)
}

// object decodes the members after "{" at i. Like a Python dict, a repeated key keeps its first
// position and takes the last value.
func (d *decoder) object(i int) (any, int, error) {
	m := NewMap()
	i = d.skipSpace(i)
	if i < len(d.data) && d.data[i] == '}' {
		return m, i + 1, nil
	}
	for {
		if i >= len(d.data) || d.data[i] != '"' {
			return nil, i, d.errorAt("Expecting property name enclosed in double quotes", i)
		}
		key, next, err := d.str(i + 1)
		if err != nil {
			return nil, next, err
		}
		i = d.skipSpace(next)
		if i >= len(d.data) || d.data[i] != ':' {
			return nil, i, d.errorAt("Expecting ':' delimiter", i)
		}
		val, next, err := d.value(d.skipSpace(i + 1))
		if err != nil {
			return nil, next, err
		}
		m.Set(key, val)
		i = d.skipSpace(next)
		if i < len(d.data) && d.data[i] == '}' {
			return m, i + 1, nil
		}
		if i >= len(d.data) || d.data[i] != ',' {
			return nil, i, d.errorAt("Expecting ',' delimiter", i)
		}
		i = d.skipSpace(i + 1)
	}
}

// array decodes the elements after "[" at i. Python 3.11 reports a trailing comma as a missing value.
func (d *decoder) array(i int) (any, int, error) {
	arr := []any{}
	i = d.skipSpace(i)
	if i < len(d.data) && d.data[i] == ']' {
		return arr, i + 1, nil
	}
	for {
		val, next, err := d.value(i)
		if err != nil {
			return nil, next, err
		}
		arr = append(arr, val)
		i = d.skipSpace(next)
		if i < len(d.data) && d.data[i] == ']' {
			return arr, i + 1, nil
		}
		if i >= len(d.data) || d.data[i] != ',' {
			return nil, i, d.errorAt("Expecting ',' delimiter", i)
		}
		i = d.skipSpace(i + 1)
	}
}

// str decodes the string whose content starts at start (just after the opening quote).
func (d *decoder) str(start int) (string, int, error) {
	begin := start - 1
	ascii := true
	i := start
	for ; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '"':
			seg := d.data[start:i]
			if ascii || utf8.Valid(seg) {
				return string(seg), i + 1, nil
			}
			return string(appendValidUTF8(d.buf[:0], seg)), i + 1, nil
		case c == '\\':
			return d.escapedStr(begin, start, i)
		case c < 0x20:
			return "", i, d.errorAt("Invalid control character at", i)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", i, d.errorAt("Unterminated string starting at", begin)
}

// escapedStr continues str once the first backslash (at i) is found; it follows the checks and error
// positions of Python's C scanner.
func (d *decoder) escapedStr(begin, start, i int) (string, int, error) {
	data := d.data
	buf := appendValidUTF8(d.buf[:0], data[start:i])
	defer func() { d.buf = buf[:0] }()
	for {
		// data[i] is a backslash.
		i++
		if i >= len(data) {
			return "", i, d.errorAt("Unterminated string starting at", begin)
		}
		if c := data[i]; c != 'u' {
			r, ok := simpleEscape(c)
			if !ok {
				return "", i, d.errorAt(`Invalid \escape`, i-1)
			}
			buf = append(buf, r)
			i++
		} else {
			r, end, err := d.unicodeEscape(i)
			if err != nil {
				return "", end, err
			}
			buf = utf8.AppendRune(buf, r)
			i = end
		}
		// Copy up to the next escape or the closing quote.
		j := i
		for ; j < len(data); j++ {
			c := data[j]
			if c == '"' || c == '\\' {
				break
			}
			if c < 0x20 {
				return "", j, d.errorAt("Invalid control character at", j)
			}
		}
		if j >= len(data) {
			return "", j, d.errorAt("Unterminated string starting at", begin)
		}
		buf = appendValidUTF8(buf, data[i:j])
		if data[j] == '"' {
			return string(buf), j + 1, nil
		}
		i = j
	}
}

func simpleEscape(c byte) (byte, bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// unicodeEscape decodes \uXXXX with u at data[u], joining a following low surrogate escape into one
// code point. It returns the rune and the offset after the escape(s). Python reports these errors at
// the "u", and requires at least one character after the four digits (so an unterminated string
// ending in an escape is an escape error).
func (d *decoder) unicodeEscape(u int) (rune, int, error) {
	data := d.data
	end := u + 5
	if end >= len(data) {
		return 0, u, d.errorAt(`Invalid \uXXXX escape`, u)
	}
	r, ok := hex4(data[u+1 : end])
	if !ok {
		return 0, u, d.errorAt(`Invalid \uXXXX escape`, u)
	}
	if utf16.IsSurrogate(r) && r < 0xDC00 && end+6 < len(data) && data[end] == '\\' && data[end+1] == 'u' {
		r2, ok := hex4(data[end+2 : end+6])
		if !ok {
			return 0, end + 1, d.errorAt(`Invalid \uXXXX escape`, end+1)
		}
		if r2 >= 0xDC00 && r2 <= 0xDFFF {
			return utf16.DecodeRune(r, r2), end + 6, nil
		}
	}
	// A lone surrogate cannot live in a Go string; utf8.AppendRune writes U+FFFD for it.
	return r, end, nil
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// appendValidUTF8 appends s, replacing each byte that is not part of valid UTF-8 with U+FFFD.
func appendValidUTF8(dst, s []byte) []byte {
	if utf8.Valid(s) {
		return append(dst, s...)
	}
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return dst
}
