package interp

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Choice comparisons (ASL "Choice Rules"). A comparison whose operands are not both of the operator's
// type is simply false, never an error; only a path that selects nothing is (except for IsPresent).

// operandKind is what an operator compares.
type operandKind int

const (
	operandString operandKind = iota
	operandNumber
	operandBool
	operandTimestamp
	operandPattern  // StringMatches
	operandTypeTest // IsNull, IsNumeric, IsString, IsBoolean, IsTimestamp
	operandPresence // IsPresent
)

// operator describes one comparison key of a choice rule.
type operator struct {
	kind operandKind
	// path: the operand is a reference path into the input ("...Path" operators).
	path bool
	// holds says whether a comparison result (-1, 0, 1) satisfies the operator.
	holds func(c int) bool
	// test is the type test of an Is... operator.
	test func(v any) bool
}

// operators is the table of every comparison key the States Language defines.
var operators = comparisonOperators()

func comparisonOperators() map[string]operator {
	relations := map[string]func(int) bool{
		"Equals":            func(c int) bool { return c == 0 },
		"LessThan":          func(c int) bool { return c < 0 },
		"GreaterThan":       func(c int) bool { return c > 0 },
		"LessThanEquals":    func(c int) bool { return c <= 0 },
		"GreaterThanEquals": func(c int) bool { return c >= 0 },
	}
	families := map[string]operandKind{"String": operandString, "Numeric": operandNumber, "Timestamp": operandTimestamp}
	ops := make(map[string]operator)
	for family, kind := range families {
		for relation, holds := range relations {
			ops[family+relation] = operator{kind: kind, holds: holds}
			ops[family+relation+"Path"] = operator{kind: kind, holds: holds, path: true}
		}
	}
	ops["BooleanEquals"] = operator{kind: operandBool, holds: relations["Equals"]}
	ops["BooleanEqualsPath"] = operator{kind: operandBool, holds: relations["Equals"], path: true}
	ops["StringMatches"] = operator{kind: operandPattern}
	ops["IsPresent"] = operator{kind: operandPresence}
	typeTests := map[string]func(any) bool{
		"IsNull":      func(v any) bool { return v == nil },
		"IsNumeric":   func(v any) bool { _, ok := v.(pyjson.Number); return ok },
		"IsString":    func(v any) bool { _, ok := v.(string); return ok },
		"IsBoolean":   func(v any) bool { _, ok := v.(bool); return ok },
		"IsTimestamp": func(v any) bool { s, ok := v.(string); return ok && isTimestamp(s) },
	}
	for name, test := range typeTests {
		ops[name] = operator{kind: operandTypeTest, test: test}
	}
	return ops
}

// compare orders a and b as kind, and reports false when either is not of that kind.
func compare(kind operandKind, a, b any) (int, bool) {
	switch kind {
	case operandString:
		x, ok1 := a.(string)
		y, ok2 := b.(string)
		return compareUTF16(x, y), ok1 && ok2
	case operandNumber:
		x, ok1 := number(a)
		y, ok2 := number(b)
		switch {
		case x < y:
			return -1, ok1 && ok2
		case x > y:
			return 1, ok1 && ok2
		}
		return 0, ok1 && ok2
	case operandBool:
		x, ok1 := a.(bool)
		y, ok2 := b.(bool)
		if x != y {
			return 1, ok1 && ok2
		}
		return 0, ok1 && ok2
	case operandTimestamp:
		x, ok1 := timestampValue(a)
		y, ok2 := timestampValue(b)
		return x.Compare(y), ok1 && ok2
	}
	return 0, false
}

// compareUTF16 orders strings by their UTF-16 code units, as Step Functions (a Java service) does; Go's
// own order (by code point) differs for characters above U+FFFF against U+E000..U+FFFF.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := utf16Lead(ra), utf16Lead(rb)
			if ua != ub {
				if ua < ub {
					return -1
				}
				return 1
			}
			if ra < rb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// utf16Lead returns the first UTF-16 code unit of r.
func utf16Lead(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

// Timestamps (ASL "Timestamps"): RFC 3339 with an uppercase T between date and time and an uppercase
// Z or a numeric offset, e.g. 2016-03-14T01:59:00Z or 2016-03-14T01:59:00.123+01:00.
func parseTimestamp(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' || strings.ContainsAny(s, "tz") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func isTimestamp(s string) bool {
	_, ok := parseTimestamp(s)
	return ok
}

func timestampValue(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	return parseTimestamp(s)
}

// pattern is a compiled StringMatches operand: literal pieces between unescaped "*" wildcards.
type pattern []string

// compilePattern splits s at its wildcards; "\*" is a literal star and "\\" a literal backslash.
func compilePattern(s string) pattern {
	var pieces pattern
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\'):
			i++
			cur.WriteByte(s[i])
		case s[i] == '*':
			pieces = append(pieces, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(pieces, cur.String())
}

// match reports whether s matches the whole pattern; the earliest placement of each middle piece is
// always a valid choice when only "*" wildcards exist.
func (p pattern) match(s string) bool {
	if len(p) == 1 {
		return s == p[0]
	}
	if !strings.HasPrefix(s, p[0]) {
		return false
	}
	s = s[len(p[0]):]
	for _, piece := range p[1 : len(p)-1] {
		i := strings.Index(s, piece)
		if i < 0 {
			return false
		}
		s = s[i+len(piece):]
	}
	return strings.HasSuffix(s, p[len(p)-1])
}
