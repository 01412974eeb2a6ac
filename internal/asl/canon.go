package asl

import (
	"iter"
	"slices"
	"strings"
)

// The workflow compiler splices stored stage definitions instead of decoding and re-rendering them:
// a 10-stage workflow is some 150 KB of text, and a full round trip through ordered maps costs
// several milliseconds. Splicing is exact only for texts already in canonical form, i.e. exactly what
// pyjson.Python (like Python's json.dumps) writes for the decoded value; the definitions written by
// StageDefinition and by the original always are. canonicalMembers checks it while it finds the
// pieces, and the compiler falls back to a full decode for any other text.

// maxCanonicalDepth bounds the nesting spliced as is; state machines nest about ten levels deep.
// Deeper texts take the decoding path, where pyjson's limits apply.
const maxCanonicalDepth = 100

// canonicalMembers returns the members of the JSON object data, each with the members of its value
// when that is an object (the two levels the compiler edits), if data is written exactly as
// pyjson.Python writes it: separators ", " and ": " and no other whitespace, strings escaped as Python
// escapes them, no duplicate keys, and only integers as numbers (floats are left to the decoding
// path, whose spelling rules apply).
func canonicalMembers(data string) ([]canonMember, bool) {
	if !strings.HasPrefix(data, "{") {
		return nil, false
	}
	s := canonScanner{data: data}
	if s.value(0, 0) != len(data) {
		return nil, false
	}
	return s.top, true
}

// canonMember is a member of a canonical object, with the members of its value if that is an object.
type canonMember struct {
	member
	inner []member
}

// canonScanner checks canonical form; each method returns the end of the value starting at i, or -1.
type canonScanner struct {
	data string
	keys []string // the keys of the objects being scanned, for the duplicate check
	// top collects the members of the object at depth 0; inner those of the objects at depth 1.
	top   []canonMember
	inner []member
}

func (s *canonScanner) value(i, depth int) int {
	if i >= len(s.data) || depth > maxCanonicalDepth {
		return -1
	}
	switch c := s.data[i]; {
	case c == '{':
		return s.object(i, depth)
	case c == '[':
		return s.array(i, depth)
	case c == '"':
		return s.str(i)
	case c == '-' || c >= '0' && c <= '9':
		return s.integer(i)
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if hasPrefix(s.data, i, lit) {
			return i + len(lit)
		}
	}
	return -1
}

func (s *canonScanner) object(i, depth int) int {
	i++ // '{'
	if i < len(s.data) && s.data[i] == '}' {
		return i + 1
	}
	first := len(s.keys)
	defer func() { s.keys = s.keys[:first] }()
	for {
		end := s.str(i)
		if end < 0 {
			return -1
		}
		key := s.data[i:end]
		// Canonical strings have one spelling per value, so equal keys have equal texts.
		if slices.Contains(s.keys[first:], key) {
			return -1
		}
		s.keys = append(s.keys, key)
		if !hasPrefix(s.data, end, ": ") {
			return -1
		}
		mark, start := len(s.inner), end+2
		if i = s.value(start, depth+1); i < 0 {
			return -1
		}
		switch m := (member{key, s.data[start:i]}); depth {
		case 0:
			s.top = append(s.top, canonMember{m, s.inner[mark:len(s.inner):len(s.inner)]})
		case 1:
			s.inner = append(s.inner, m)
		}
		end, closed := s.next(i, '}')
		if closed || end < 0 {
			return end
		}
		i = end + 2
	}
}

func (s *canonScanner) array(i, depth int) int {
	i++ // '['
	if i < len(s.data) && s.data[i] == ']' {
		return i + 1
	}
	for {
		if i = s.value(i, depth+1); i < 0 {
			return -1
		}
		end, closed := s.next(i, ']')
		if closed || end < 0 {
			return end
		}
		i = end + 2
	}
}

// next looks at what follows a member at i: the closing byte (returns its end and true), ", " (returns
// i and false), or anything else (-1).
func (s *canonScanner) next(i int, closing byte) (int, bool) {
	switch {
	case i < len(s.data) && s.data[i] == closing:
		return i + 1, true
	case hasPrefix(s.data, i, ", "):
		return i, false
	}
	return -1, false
}

// integer accepts what Python writes for an int: no sign but '-', no leading zero, no "-0".
func (s *canonScanner) integer(i int) int {
	start := i
	if s.data[i] == '-' {
		i++
	}
	digits := i
	for i < len(s.data) && s.data[i] >= '0' && s.data[i] <= '9' {
		i++
	}
	switch {
	case i == digits, s.data[digits] == '0' && (i-digits > 1 || digits > start):
		return -1
	case i < len(s.data) && (s.data[i] == '.' || s.data[i] == 'e' || s.data[i] == 'E'):
		return -1
	}
	return i
}

// str accepts a string as Python's ensure_ascii encoder writes it: printable ASCII as is, the short
// escapes for '"', '\', \n, \r, \t, \b, \f, and \u with lower-case hex for every other character
// (surrogate pairs above U+FFFF).
func (s *canonScanner) str(i int) int {
	if i >= len(s.data) || s.data[i] != '"' {
		return -1
	}
	for i++; i < len(s.data); {
		c := s.data[i]
		switch {
		case c == '"':
			return i + 1
		case c-0x20 < 0x7f-0x20 && c != '\\': // printable ASCII, the bulk of the text
			i++
		case c != '\\' || i+1 >= len(s.data):
			return -1
		case strings.IndexByte(`"\nrtbf`, s.data[i+1]) >= 0:
			i += 2
		case s.data[i+1] == 'u':
			if i = s.unicodeEscape(i); i < 0 {
				return -1
			}
		default:
			return -1
		}
	}
	return -1
}

// unicodeEscape checks the \u escape at i (with its low surrogate, if any) and returns its end.
func (s *canonScanner) unicodeEscape(i int) int {
	r, ok := hex4(s.data, i+2)
	switch {
	case !ok:
		return -1
	case r < 0x20:
		// These have short escapes.
		if r == '\b' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
			return -1
		}
		return i + 6
	case r < 0x7f, r >= 0xdc00 && r <= 0xdfff:
		return -1
	case r >= 0xd800 && r <= 0xdbff:
		if !hasPrefix(s.data, i+6, `\u`) {
			return -1
		}
		low, ok := hex4(s.data, i+8)
		if !ok || low < 0xdc00 || low > 0xdfff {
			return -1
		}
		return i + 12
	}
	return i + 6
}

func hasPrefix(data string, i int, prefix string) bool {
	return strings.HasPrefix(data[i:], prefix)
}

// hex4 reads four lower-case hex digits at i.
func hex4(data string, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := data[j]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// members iterates over the members of the canonical object at data[i], yielding each key's text
// (quotes included) and value's text. It trusts the text to be canonical.
func members(data string, i int) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if data[i+1] == '}' {
			return
		}
		for i++; ; {
			keyEnd := skipValue(data, i)
			valueEnd := skipValue(data, keyEnd+2)
			if !yield(data[i:keyEnd], data[keyEnd+2:valueEnd]) || data[valueEnd] == '}' {
				return
			}
			i = valueEnd + 2
		}
	}
}

// skipValue returns the end of the canonical value at data[i].
func skipValue(data string, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			i = stringEnd(data, i) - 1
		case '{', '[':
			depth++
			continue
		case '}', ']':
			depth--
		case ',':
			if depth == 0 {
				return i
			}
			continue
		default:
			if depth == 0 && !isScalarByte(data[i]) {
				return i
			}
			continue
		}
		if depth == 0 {
			return i + 1
		}
		if depth < 0 {
			return i
		}
	}
	return i
}

// stringEnd returns the end of the canonical string at data[i]: after the first quote that no odd
// run of backslashes escapes.
func stringEnd(data string, i int) int {
	for j := i + 1; ; {
		q := j + strings.IndexByte(data[j:], '"')
		backslashes := 0
		for k := q - 1; data[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

func isScalarByte(c byte) bool {
	return c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z'
}
