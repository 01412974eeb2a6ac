package failed

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// parsePythonLiteral reads the Python literal text of an errorMessage raised by a Python operator — repr() of its
// output dict — the way the original's json.loads(json.dumps(ast.literal_eval(text))) did, and returns the JSON
// value that chain produced: map[string]any, []any, string, json.Number, bool or nil.
//
// It accepts what ast.literal_eval accepts and json.dumps can render: dicts, lists, tuples (as lists), strings
// (single, double or triple quoted) with their prefixes u and r, escapes and implicit concatenation, int and
// float literals with one sign, True, False and None; dict keys that are numbers, booleans or None become strings
// as json.dumps makes them. It refuses sets, bytes, complex numbers, infinite floats (json.dumps would write the
// non-JSON Infinity) and anything that is not a literal, such as the repr of an exception object; the caller then
// falls back to the raw text. One difference remains: Python merges the keys 1 and True (and 0 and False) of one
// dict, which this parser keeps apart.
func parsePythonLiteral(text string) (any, error) {
	p := &literalParser{s: text}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, p.errorf("unexpected %q after the literal", p.s[p.i:])
	}
	return v, nil
}

// maxLiteralDepth bounds nesting, as Python's parser does.
const maxLiteralDepth = 200

type literalParser struct {
	s string
	i int
}

func (p *literalParser) errorf(format string, args ...any) error {
	return fmt.Errorf("python literal at offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *literalParser) skipSpace() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n\f", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *literalParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *literalParser) value(depth int) (any, error) {
	if depth > maxLiteralDepth {
		return nil, p.errorf("nested too deeply")
	}
	p.skipSpace()
	switch c := p.peek(); {
	case c == '{':
		return p.dict(depth)
	case c == '[':
		p.i++
		return p.sequence(']', depth)
	case c == '(':
		return p.tuple(depth)
	case c == '\'' || c == '"':
		return p.strings()
	case c == '+' || c == '-':
		p.i++
		p.skipSpace()
		return p.number(c == '-')
	case c >= '0' && c <= '9' || c == '.':
		return p.number(false)
	case isNameStart(c):
		return p.name()
	case c == 0:
		return nil, p.errorf("unexpected end of text")
	default:
		return nil, p.errorf("unexpected %q", c)
	}
}

// name reads True, False, None or a string with a prefix.
func (p *literalParser) name() (any, error) {
	start := p.i
	for p.i < len(p.s) && (isNameStart(p.s[p.i]) || p.s[p.i] >= '0' && p.s[p.i] <= '9') {
		p.i++
	}
	word := p.s[start:p.i]
	if q := p.peek(); (q == '\'' || q == '"') && isStringPrefix(word) {
		p.i = start
		return p.strings()
	}
	switch word {
	case "True":
		return true, nil
	case "False":
		return false, nil
	case "None":
		return nil, nil
	}
	p.i = start
	return nil, p.errorf("%q is not a literal", word)
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// isStringPrefix reports the prefixes of str literals: u and r in either case. Bytes (b) and f-strings are not
// literals json.dumps can render.
func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "u", "r":
		return true
	}
	return false
}

func (p *literalParser) dict(depth int) (any, error) {
	p.i++ // {
	m := map[string]any{}
	for {
		p.skipSpace()
		if p.peek() == '}' {
			p.i++
			return m, nil
		}
		k, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, err := p.jsonKey(k)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ':' {
			// {a, b} is a set, which json.dumps cannot render.
			return nil, p.errorf("expected ':' in a dict")
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[key] = v
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, p.errorf("expected ',' or '}' in a dict")
		}
	}
}

// jsonKey converts a dict key as json.dumps does: numbers, booleans and None become their JSON text.
func (p *literalParser) jsonKey(k any) (string, error) {
	switch t := k.(type) {
	case string:
		return t, nil
	case json.Number:
		return string(t), nil
	case bool:
		return strconv.FormatBool(t), nil
	case nil:
		return "null", nil
	}
	return "", p.errorf("a %s cannot be a JSON key", pyjson.TypeName(k))
}

// sequence reads the elements of a list or tuple up to close, a trailing comma allowed.
func (p *literalParser) sequence(close byte, depth int) ([]any, error) {
	list := []any{}
	for {
		p.skipSpace()
		if p.peek() == close {
			p.i++
			return list, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.i++
		case close:
			p.i++
			return list, nil
		default:
			return nil, p.errorf("expected ',' or %q", close)
		}
	}
}

// tuple reads (), (x,), (x, y) as lists, and (x) as x.
func (p *literalParser) tuple(depth int) (any, error) {
	p.i++ // (
	p.skipSpace()
	if p.peek() == ')' {
		p.i++
		return []any{}, nil
	}
	first, err := p.value(depth + 1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	switch p.peek() {
	case ')':
		p.i++
		return first, nil
	case ',':
		p.i++
		rest, err := p.sequence(')', depth)
		if err != nil {
			return nil, err
		}
		return append([]any{first}, rest...), nil
	}
	return nil, p.errorf("expected ',' or ')'")
}

// strings reads one string literal or several adjacent ones, which Python concatenates.
func (p *literalParser) strings() (any, error) {
	var b strings.Builder
	for {
		s, err := p.stringLiteral()
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		save := p.i
		p.skipSpace()
		if !p.atString() {
			p.i = save
			return b.String(), nil
		}
	}
}

// atString reports whether a string literal, possibly prefixed, starts here.
func (p *literalParser) atString() bool {
	j := p.i
	for j < len(p.s) && j-p.i < 2 && isNameStart(p.s[j]) {
		j++
	}
	return j < len(p.s) && (p.s[j] == '\'' || p.s[j] == '"') && (j == p.i || isStringPrefix(p.s[p.i:j]))
}

func (p *literalParser) stringLiteral() (string, error) {
	raw := false
	for p.peek() != '\'' && p.peek() != '"' {
		raw = raw || p.peek() == 'r' || p.peek() == 'R'
		p.i++
	}
	quote := p.s[p.i : p.i+1]
	if triple := strings.Repeat(quote, 3); strings.HasPrefix(p.s[p.i:], triple) {
		quote = triple
	}
	p.i += len(quote)
	var b []byte
	var pendingHigh rune // a \u escape of a high surrogate, waiting for its low half
	flush := func() {
		if pendingHigh != 0 {
			b = utf8.AppendRune(b, utf8.RuneError)
			pendingHigh = 0
		}
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] == '\n' && len(quote) == 1 {
			return "", p.errorf("unterminated string")
		}
		if strings.HasPrefix(p.s[p.i:], quote) {
			p.i += len(quote)
			flush()
			return string(b), nil
		}
		c := p.s[p.i]
		if c != '\\' {
			flush()
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", p.errorf("unterminated string")
		}
		next := p.s[p.i+1]
		if raw {
			// In a raw string a backslash escapes nothing, but a quote after it does not end the string.
			flush()
			b = append(b, c, next)
			p.i += 2
			continue
		}
		r, width, err := p.escape(next)
		if err != nil {
			return "", err
		}
		p.i += width
		switch {
		case r < 0: // line continuation
		case utf16.IsSurrogate(r) && r < 0xDC00:
			flush()
			pendingHigh = r
		case utf16.IsSurrogate(r) && pendingHigh != 0:
			// json.dumps writes the two halves as escapes, and json.loads joins them into one character.
			b = utf8.AppendRune(b, utf16.DecodeRune(pendingHigh, r))
			pendingHigh = 0
		default:
			// A lone surrogate becomes U+FFFD, which a Go string holds instead.
			flush()
			b = utf8.AppendRune(b, r)
		}
	}
}

// escape decodes the escape sequence whose character after the backslash is c. It returns the character (-1 for a
// line continuation) and the length of the sequence, backslash included.
func (p *literalParser) escape(c byte) (rune, int, error) {
	switch c {
	case '\n':
		return -1, 2, nil
	case '\\', '\'', '"':
		return rune(c), 2, nil
	case 'a':
		return '\a', 2, nil
	case 'b':
		return '\b', 2, nil
	case 'f':
		return '\f', 2, nil
	case 'n':
		return '\n', 2, nil
	case 'r':
		return '\r', 2, nil
	case 't':
		return '\t', 2, nil
	case 'v':
		return '\v', 2, nil
	case 'x':
		return p.hexEscape(2)
	case 'u':
		return p.hexEscape(4)
	case 'U':
		return p.hexEscape(8)
	case 'N':
		return 0, 0, p.errorf(`\N{...} escapes are not supported`)
	}
	if c >= '0' && c <= '7' {
		n, width := 0, 1
		for width <= 3 && p.i+width < len(p.s) && p.s[p.i+width] >= '0' && p.s[p.i+width] <= '7' {
			n = n*8 + int(p.s[p.i+width]-'0')
			width++
		}
		return rune(n), width, nil
	}
	// Python keeps an unknown escape as it is; the backslash is a character of its own.
	return '\\', 1, nil
}

func (p *literalParser) hexEscape(digits int) (rune, int, error) {
	start := p.i + 2
	if start+digits > len(p.s) {
		return 0, 0, p.errorf("truncated \\%c escape", p.s[p.i+1])
	}
	n, err := strconv.ParseUint(p.s[start:start+digits], 16, 32)
	if err != nil || n > unicode.MaxRune {
		return 0, 0, p.errorf("invalid \\%c escape", p.s[p.i+1])
	}
	return rune(n), 2 + digits, nil
}

// number reads an int or float literal; negative applies a unary minus. ints keep every digit; floats become
// Python's repr of the float, as json.dumps writes it.
func (p *literalParser) number(negative bool) (any, error) {
	start := p.i
	for p.i < len(p.s) && (isNameStart(p.s[p.i]) || p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '.' ||
		(p.s[p.i] == '+' || p.s[p.i] == '-') && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E')) {
		p.i++
	}
	text := p.s[start:p.i]
	if text == "" || !(text[0] >= '0' && text[0] <= '9' || text[0] == '.') {
		p.i = start
		return nil, p.errorf("expected a number")
	}
	if n, ok := parseInt(text); ok {
		if negative && n.Sign() != 0 {
			n.Neg(n)
		}
		return json.Number(n.String()), nil
	}
	f, err := parseFloat(text)
	if err != nil {
		p.i = start
		return nil, p.errorf("%q is not a number literal: %v", text, err)
	}
	if negative {
		f = -f
	}
	return json.Number(pyjson.FloatRepr(f)), nil
}

// parseInt reads a Python int literal: decimal without leading zeros (except zero itself), or 0x, 0o, 0b, with
// single underscores between digits.
func parseInt(text string) (*big.Int, bool) {
	if strings.HasPrefix(text, "_") || strings.HasSuffix(text, "_") || strings.Contains(text, "__") {
		return nil, false
	}
	digits := strings.ReplaceAll(text, "_", "")
	base := 10
	if len(digits) > 1 && digits[0] == '0' {
		switch digits[1] {
		case 'x', 'X':
			base, digits = 16, digits[2:]
		case 'o', 'O':
			base, digits = 8, digits[2:]
		case 'b', 'B':
			base, digits = 2, digits[2:]
		default:
			if strings.Trim(digits, "0") != "" {
				return nil, false
			}
		}
	}
	if digits == "" || strings.HasPrefix(digits, "+") || strings.HasPrefix(digits, "-") {
		return nil, false
	}
	return new(big.Int).SetString(digits, base)
}

// parseFloat reads a Python float literal; one that overflows to infinity is refused, as json.dumps would write
// Infinity, which is not JSON.
func parseFloat(text string) (float64, error) {
	// Without a point or an exponent it is a malformed int, such as 017.
	if !strings.ContainsAny(text, ".eE") || strings.ContainsAny(text, "jJxXoObB") || strings.HasPrefix(text, "_") ||
		strings.Contains(text, "__") || strings.Contains(text, "_.") || strings.Contains(text, "._") {
		return 0, errors.New("not a float literal")
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	if math.IsInf(f, 0) {
		return 0, errors.New("infinite float")
	}
	return f, nil
}
