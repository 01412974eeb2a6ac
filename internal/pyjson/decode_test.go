package pyjson

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected texts were produced by Python 3.11's json.loads on the same inputs.
func TestDecodeErrorTextsMatchPython(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		// control-plane §6.3: the empty body.
		{``, `Expecting value: line 1 column 1 (char 0)`},
		{` `, `Expecting value: line 1 column 2 (char 1)`},
		{`{`, `Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{`[`, `Expecting value: line 1 column 2 (char 1)`},
		{`{"a"`, `Expecting ':' delimiter: line 1 column 5 (char 4)`},
		{`{"a" 1}`, `Expecting ':' delimiter: line 1 column 6 (char 5)`},
		{`{"a":`, `Expecting value: line 1 column 6 (char 5)`},
		{`{"a":1`, `Expecting ',' delimiter: line 1 column 7 (char 6)`},
		{`{"a":1,}`, `Expecting property name enclosed in double quotes: line 1 column 8 (char 7)`},
		{`{'a':1}`, `Expecting property name enclosed in double quotes: line 1 column 2 (char 1)`},
		{`{"a":1 "b":2}`, `Expecting ',' delimiter: line 1 column 8 (char 7)`},
		{`[1,]`, `Expecting value: line 1 column 4 (char 3)`},
		{`[1 2]`, `Expecting ',' delimiter: line 1 column 4 (char 3)`},
		{`[1,2`, `Expecting ',' delimiter: line 1 column 5 (char 4)`},
		{`{"a":{"b":[}}`, `Expecting value: line 1 column 12 (char 11)`},
		{`"abc`, `Unterminated string starting at: line 1 column 1 (char 0)`},
		{`"a\`, `Unterminated string starting at: line 1 column 1 (char 0)`},
		{"\"a\x01b\"", `Invalid control character at: line 1 column 3 (char 2)`},
		{"\"\t\"", `Invalid control character at: line 1 column 2 (char 1)`},
		{`"\x"`, `Invalid \escape: line 1 column 2 (char 1)`},
		{`"é\q"`, `Invalid \escape: line 1 column 3 (char 2)`},
		{`"\u12"`, `Invalid \uXXXX escape: line 1 column 3 (char 2)`},
		{`"\u0041`, `Invalid \uXXXX escape: line 1 column 3 (char 2)`},
		{`"\uZZZZ"`, `Invalid \uXXXX escape: line 1 column 3 (char 2)`},
		{`"\ud83d\uZZZZ"`, `Invalid \uXXXX escape: line 1 column 9 (char 8)`},
		{`1 2`, `Extra data: line 1 column 3 (char 2)`},
		{`{} {}`, `Extra data: line 1 column 4 (char 3)`},
		{`01`, `Extra data: line 1 column 2 (char 1)`},
		{`1.`, `Extra data: line 1 column 2 (char 1)`},
		{`1e+`, `Extra data: line 1 column 2 (char 1)`},
		{"1\x0c", `Extra data: line 1 column 2 (char 1)`},
		{`nul`, `Expecting value: line 1 column 1 (char 0)`},
		{`True`, `Expecting value: line 1 column 1 (char 0)`},
		{`-`, `Expecting value: line 1 column 1 (char 0)`},
		{`+1`, `Expecting value: line 1 column 1 (char 0)`},
		{`.5`, `Expecting value: line 1 column 1 (char 0)`},
		{"\u00a01", `Expecting value: line 1 column 1 (char 0)`},
		{"\uFEFF{}", `Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)`},
		// Positions count code points and lines as Python does.
		{`{"é": x}`, `Expecting value: line 1 column 7 (char 6)`},
		{`["😀", x]`, `Expecting value: line 1 column 7 (char 6)`},
		{"[\n1,\n2\n,]", `Expecting value: line 4 column 2 (char 8)`},
		{"\n\n  x", `Expecting value: line 3 column 3 (char 4)`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			var syn *SyntaxError
			require.ErrorAs(t, err, &syn)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestSyntaxErrorFields(t *testing.T) {
	_, err := Decode([]byte("{\"é\":\n x}"))
	var syn *SyntaxError
	require.ErrorAs(t, err, &syn)
	assert.Equal(t, SyntaxError{Msg: "Expecting value", Offset: 8, Pos: 7, Line: 2, Column: 2}, *syn)
}

func TestDecodeValues(t *testing.T) {
	obj := func(kv ...any) *Map {
		m := NewMap()
		for i := 0; i < len(kv); i += 2 {
			m.Set(kv[i].(string), kv[i+1])
		}
		return m
	}
	cases := []struct {
		name string
		in   string
		want any
	}{
		{"null", `null`, nil},
		{"true", ` true `, true},
		{"false", "\t\r\nfalse", false},
		{"string escapes", `"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"`, "a\"\\/\b\f\n\r\t\u00e9\U0001F600"},
		{"raw non-ASCII and DEL", "\"é\u2028\x7f\"", "é\u2028\x7f"},
		{"number spellings kept", `[0, -0, 2.50, 1E+2, 1e-7, -12.5e-3]`,
			[]any{Number("0"), Number("-0"), Number("2.50"), Number("1E+2"), Number("1e-7"), Number("-12.5e-3")}},
		{"big integers unchanged", `[9007199254740993, -123456789012345678901234567890]`,
			[]any{Number("9007199254740993"), Number("-123456789012345678901234567890")}},
		{"python constants", `[NaN, Infinity, -Infinity]`,
			[]any{Number("NaN"), Number("Infinity"), Number("-Infinity")}},
		{"empty containers", `[{}, []]`, []any{NewMap(), []any{}}},
		{"object order", `{"z": 1, "a": {"y": [], "b": null}}`,
			obj("z", Number("1"), "a", obj("y", []any{}, "b", nil))},
		{"duplicate key keeps first position, last value", `{"a": 1, "b": 2, "a": 3}`,
			obj("a", Number("3"), "b", Number("2"))},
		// Documented replacements: Go strings cannot hold lone surrogates or invalid UTF-8.
		{"lone high surrogate", `"\ud800x"`, "\uFFFDx"},
		{"lone low surrogate", `"\udc00"`, "\uFFFD"},
		{"high surrogate then non-surrogate", `"\ud800\u0041"`, "\uFFFDA"},
		{"invalid UTF-8 in a plain string", "\"a\xffb\"", "a\uFFFDb"},
		{"invalid UTF-8 in an escaped string", "\"\\n\xff\xfe\"", "\n\uFFFD\uFFFD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeInvalidUTF8CountsOneCharPerByte(t *testing.T) {
	_, err := Decode([]byte("[\"\xff\xfe\", x]"))
	require.Error(t, err)
	assert.Equal(t, "Expecting value: line 1 column 8 (char 7)", err.Error())
}

func TestDecodeDepthLimit(t *testing.T) {
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	_, err := Decode([]byte(ok))
	require.NoError(t, err)

	_, err = Decode([]byte("[" + ok + "]"))
	var depth *DepthError
	require.ErrorAs(t, err, &depth)
	assert.Equal(t, "maximum recursion depth exceeded while decoding a JSON array from a unicode string", err.Error())

	deepObj := strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1)
	_, err = Decode([]byte(deepObj))
	require.ErrorAs(t, err, &depth)
	assert.Equal(t, "maximum recursion depth exceeded while decoding a JSON object from a unicode string", err.Error())
}

func TestDecodeObject(t *testing.T) {
	m, err := DecodeObject([]byte(`{"Name": "x"}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"Name"}, m.Keys())

	for in, typ := range map[string]string{`[]`: "list", `"s"`: "str", `1`: "int", `1.5`: "float", `true`: "bool", `null`: "NoneType"} {
		_, err := DecodeObject([]byte(in))
		require.ErrorIs(t, err, ErrNotObject, in)
		assert.Equal(t, "JSON value is not an object (got "+typ+")", err.Error())
	}

	_, err = DecodeObject([]byte(`{`))
	var syn *SyntaxError
	assert.ErrorAs(t, err, &syn)
}

// A decoded document written in Python mode and decoded again keeps its key order and number spellings.
func TestRoundTripDecodePythonDecode(t *testing.T) {
	in := `{"z":{"b":1,"a":[2.50,1E+2,-0,12345678901234567890123]},"é":"\u00e9\ud83d\ude00","a":NaN,"m":[]}`
	first, err := Decode([]byte(in))
	require.NoError(t, err)
	text, err := Python(first)
	require.NoError(t, err)
	assert.Equal(t, `{"z": {"b": 1, "a": [2.50, 1E+2, -0, 12345678901234567890123]}, "\u00e9": "\u00e9\ud83d\ude00", "a": NaN, "m": []}`, string(text))
	second, err := Decode(text)
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, []string{"z", "é", "a", "m"}, second.(*Map).Keys())
}
