package pyjson

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Number is a JSON number token with its exact spelling, as the decoder found it. Python's own
// constants NaN, Infinity and -Infinity are Numbers too, because json.loads accepts them.
type Number string

// String returns the token.
func (n Number) String() string { return string(n) }

// IsFloat reports whether Python would read the token as a float: it has a fraction or an exponent, or
// it is one of the constants NaN, Infinity, -Infinity. Other tokens are Python ints.
func (n Number) IsFloat() bool {
	return strings.ContainsAny(string(n), ".eEIN")
}

// Int64 returns the token as an int64; it fails for floats and for integers out of range.
func (n Number) Int64() (int64, error) {
	return strconv.ParseInt(string(n), 10, 64)
}

// Float64 returns the value Python's float() gives for the token: the nearest double, ±Inf for
// magnitudes beyond the double range (not an error, as in Python), NaN for NaN.
func (n Number) Float64() (float64, error) {
	if !validToken(string(n)) {
		return 0, fmt.Errorf("pyjson: %q is not a JSON number", string(n))
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, fmt.Errorf("pyjson: parse number %s: %w", string(n), err)
	}
	return f, nil
}

// MarshalJSON writes the token unchanged, so a Number inside a struct handled by encoding/json keeps
// its spelling.
func (n Number) MarshalJSON() ([]byte, error) {
	if !validToken(string(n)) {
		return nil, fmt.Errorf("pyjson: %q is not a JSON number", string(n))
	}
	return []byte(n), nil
}

// UnmarshalJSON keeps the number token as it is spelled; anything other than a number is an error.
func (n *Number) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	num, ok := v.(Number)
	if !ok {
		return fmt.Errorf("pyjson: JSON value is a %s, not a number", TypeName(v))
	}
	*n = num
	return nil
}

// validToken reports whether s is a number token json.loads accepts: the JSON grammar plus Python's
// NaN, Infinity and -Infinity.
func validToken(s string) bool {
	switch s {
	case "NaN", "Infinity", "-Infinity":
		return true
	}
	end := numberEnd(s, 0)
	return end > 0 && end == len(s)
}

// numberEnd returns the end of the JSON number starting at s[i], or -1 when none starts there. It
// follows Python's scanner: a "." or exponent without digits is not part of the number.
func numberEnd[T string | []byte](s T, i int) int {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digitsEnd(s, i+1)
	default:
		return -1
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i = digitsEnd(s, i+2)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if k := digitsEnd(s, j); k > j {
			i = k
		}
	}
	return i
}

func digitsEnd[T string | []byte](s T, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// FloatRepr returns Python's repr(f): the shortest digits that round-trip, positional notation with at
// least one fractional digit when 1e-4 <= |f| < 1e16 (or f is zero), otherwise exponent notation with
// a sign and at least two exponent digits ("1e-05", "1.5e+16"); "nan", "inf" and "-inf" for the
// non-finite values (operators.md §1.6, CP-02).
func FloatRepr(f float64) string {
	return string(appendFloatRepr(nil, f, 64))
}

// appendFloatRepr appends Python's repr of f. With bits == 32 the digits are the shortest that
// round-trip a float32, so a Go float32 is written as its short decimal rather than its float64 value.
func appendFloatRepr(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	var buf [32]byte
	// 'e' with precision -1 yields the shortest round-trip digits as d[.ddd]e±XX.
	sci := strconv.AppendFloat(buf[:0], f, 'e', -1, bits)
	if sci[0] == '-' {
		dst = append(dst, '-')
		sci = sci[1:]
	}
	ePos := 0
	for sci[ePos] != 'e' {
		ePos++
	}
	exp, _ := strconv.Atoi(string(sci[ePos+1:]))
	var digitBuf [24]byte
	digits := append(digitBuf[:0], sci[0])
	if ePos > 1 {
		digits = append(digits, sci[2:ePos]...)
	}
	if exp < -4 || exp >= 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, "0."...)
		for range -exp - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		dst = append(dst, digits...)
		for range intLen - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	}
	dst = append(dst, digits[:intLen]...)
	dst = append(dst, '.')
	return append(dst, digits[intLen:]...)
}

// DecimalString returns the string the data plane stores for a float token: Python's
// str(Decimal(repr(float(token)))) (DP-15, data-plane.md §4.4). Examples: "2.50" -> "2.5",
// "1e2" -> "100.0", "1e-5" -> "0.00001", "1e-7" -> "1E-7", "1e16" -> "1E+16". Tokens that are not JSON
// numbers, the constants NaN/Infinity/-Infinity and values that overflow to infinity are errors, because
// the original would store a non-JSON literal for them (data-plane Q-29).
func DecimalString(token string) (string, error) {
	if !validToken(token) {
		return "", fmt.Errorf("pyjson: %q is not a JSON number", token)
	}
	f, _ := Number(token).Float64()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("pyjson: number %s is not a finite float", token)
	}
	return decimalStr(FloatRepr(f)), nil
}

// decimalStr converts a finite float repr into the text Python's Decimal prints for it (the
// "to-scientific-string" rule of the General Decimal Arithmetic specification).
func decimalStr(repr string) string {
	var b strings.Builder
	if repr[0] == '-' {
		b.WriteByte('-')
		repr = repr[1:]
	}
	mant, expText, _ := strings.Cut(repr, "e")
	exp := 0
	if expText != "" {
		exp, _ = strconv.Atoi(expText)
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	// Decimal keeps trailing zeros of the fraction ("100.0" has coefficient 1000, exponent -1) but
	// drops leading zeros of the coefficient.
	coeff := strings.TrimLeft(intPart+frac, "0")
	if coeff == "" {
		coeff = "0"
	}
	exp -= len(frac)
	left := exp + len(coeff)
	dot := 1
	if exp <= 0 && left > -6 {
		dot = left
	}
	switch {
	case dot <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -dot))
		b.WriteString(coeff)
	case dot >= len(coeff):
		b.WriteString(coeff)
		b.WriteString(strings.Repeat("0", dot-len(coeff)))
	default:
		b.WriteString(coeff[:dot])
		b.WriteByte('.')
		b.WriteString(coeff[dot:])
	}
	if left != dot {
		b.WriteByte('E')
		if left-dot > 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(left - dot))
	}
	return b.String()
}

// CanonicalizeFloats applies the data plane's store-time rule (DP-15) to a decoded value: every float
// Number becomes the string DecimalString gives for it, integer Numbers stay Numbers with all their
// digits. Maps and slices are modified in place; the result is v itself, except that a top-level float
// Number is returned as its string. Values of other types are left alone.
func CanonicalizeFloats(v any) (any, error) {
	switch t := v.(type) {
	case Number:
		if !t.IsFloat() {
			return t, nil
		}
		return DecimalString(string(t))
	case *Map:
		if t == nil {
			return v, nil
		}
		for _, k := range t.keys {
			nv, err := CanonicalizeFloats(t.vals[k])
			if err != nil {
				return nil, err
			}
			t.vals[k] = nv
		}
	case []any:
		for i, e := range t {
			nv, err := CanonicalizeFloats(e)
			if err != nil {
				return nil, err
			}
			t[i] = nv
		}
	}
	return v, nil
}

// DynamoFloat renders a DynamoDB N value the way the original's HTTP layer does: converted to a binary
// float and written as Python's repr ("2" -> "2.0", "1.5" -> "1.5", "10000000000000000" -> "1e+16")
// (CP-02, control-plane Q-27).
func DynamoFloat(n string) (Number, error) {
	if !validDynamoNumber(n) {
		return "", fmt.Errorf("pyjson: %q is not a DynamoDB number", n)
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return "", fmt.Errorf("pyjson: DynamoDB number %s as float: %w", n, err)
	}
	return Number(FloatRepr(f)), nil
}

// validDynamoNumber accepts the decimal spellings DynamoDB may return: optional sign, digits with an
// optional fraction (either side may be empty, not both) and an optional exponent. It rejects the
// spellings strconv accepts but DynamoDB cannot hold (inf, nan, hex, underscores).
func validDynamoNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	i = digitsEnd(s, i)
	n := i - start
	if i < len(s) && s[i] == '.' {
		j := digitsEnd(s, i+1)
		n += j - i - 1
		i = j
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digitsEnd(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// EpochSeconds renders t as the original's Created attribute: Python's str(time.time()) of the epoch
// seconds at microsecond precision, i.e. the shortest float repr, which always has a fractional digit
// ("1704067200.0", "1704067200.1", "1605822398.292371") (control-plane §4).
func EpochSeconds(t time.Time) string {
	// Both operands are exact doubles, so the quotient is the double nearest to the microsecond value.
	return FloatRepr(float64(t.UnixMicro()) / 1e6)
}
