package pyjson

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expected values are Python 3.11's repr(json.loads(in)).
func TestReprOfDecodedValues(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{`{"k": "v", "n": 1}`, `{'k': 'v', 'n': 1}`},
		{`{"test": "error"}`, `{'test': 'error'}`},
		{`["a", "b"]`, `['a', 'b']`},
		{`true`, `True`},
		{`false`, `False`},
		{`null`, `None`},
		{`""`, `''`},
		{`"it's"`, `"it's"`},
		{`"say \"hi\""`, `'say "hi"'`},
		{`"both ' and \""`, `'both \' and "'`},
		{`"tab\tnl\ncr\r bs\\ nul\u0000 del\u007f"`, `'tab\tnl\ncr\r bs\\ nul\x00 del\x7f'`},
		{`"\u00e9\u00a0\u00ad\u200b\u2028\ud83d\ude00\u0378"`, `'é\xa0\xad\u200b\u2028😀\u0378'`},
		{`[1.50, 1e400, -0, 2.0, 1e-7, 12345678901234567890, NaN, -Infinity]`,
			`[1.5, inf, 0, 2.0, 1e-07, 12345678901234567890, nan, -inf]`},
		{`{"a": {"b": [true, false, null]}, "c": {}}`, `{'a': {'b': [True, False, None]}, 'c': {}}`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			v, err := Decode([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, Repr(v))
		})
	}
}

func TestReprOfGoValues(t *testing.T) {
	type status struct {
		Status string `json:"Status"`
		Code   int    `json:"Code,omitempty"`
	}
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"sorted Go map", map[string]any{"b": 1, "a": []any{true, nil}}, `{'a': [True, None], 'b': 1}`},
		{"ints", []int{1, -2}, `[1, -2]`},
		{"float64", 2.0, `2.0`},
		{"float32", float32(0.1), `0.1`},
		{"json.Number", json.Number("-0"), `0`},
		{"struct in field order", status{Status: "Failed"}, `{'Status': 'Failed'}`},
		{"Map value", *NewMap(), `{}`},
		{"nil *Map", (*Map)(nil), `None`},
		{"unencodable falls back to %v", complex(1, 2), "(1+2i)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Repr(tc.in))
		})
	}
}

// control-plane §6.3 and data-plane §3.4: a KeyError shows the key in Python's quotes.
func TestQuoteKey(t *testing.T) {
	assert.Equal(t, `'Name'`, QuoteKey("Name"))
	assert.Equal(t, `'S3Key'`, QuoteKey("S3Key"))
	assert.Equal(t, `"it's"`, QuoteKey("it's"))
	assert.Equal(t, `''`, QuoteKey(""))
	assert.Equal(t, "Exception ''Name''", "Exception '"+QuoteKey("Name")+"'")
}

func TestTypeName(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{nil, "NoneType"},
		{NewMap(), "dict"},
		{[]any{}, "list"},
		{"s", "str"},
		{Number("1"), "int"},
		{Number("1.0"), "float"},
		{json.Number("1e3"), "float"},
		{true, "bool"},
		{42, "int"},
		{uint8(1), "int"},
		{2.5, "float"},
		{map[string]int{}, "dict"},
		{struct{}{}, "dict"},
		{[2]string{}, "list"},
		{json.RawMessage(`[1]`), "list"},
		{make(chan int), "chan int"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, TypeName(tc.in), "%#v", tc.in)
	}
}

func TestTruthy(t *testing.T) {
	cases := []struct {
		v    any
		want bool
	}{
		{nil, false}, {false, false}, {true, true}, {"", false}, {"false", true},
		{Number("0"), false}, {Number("0.0"), false}, {Number("-0"), false}, {Number("2"), true}, {Number("1e400"), true},
		{json.Number("0"), false}, {json.Number("0.5"), true},
		{[]any{}, false}, {[]any{nil}, true}, {NewMap(), false}, {map[string]any{}, false}, {map[string]any{"a": 1}, true},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Truthy(tc.v), "%#v", tc.v)
	}
	m := NewMap()
	m.Set("k", false)
	assert.True(t, Truthy(m))
}
