package pyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// upperText has a value-receiver MarshalText.
type upperText string

func (u upperText) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(u))), nil }

// goJSON marshals with encoding/json's default HTML escaping and raw UTF-8, which the re-encoding
// must undo.
type goJSON struct{ Text string }

func (g goJSON) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"text": g.Text, "n": 1.50})
}

// ptrMarshaler implements json.Marshaler on the pointer only.
type ptrMarshaler struct{ N int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`{"ptr" : true}`), nil }

type failingMarshaler struct{ text string }

func (f failingMarshaler) MarshalJSON() ([]byte, error) {
	if f.text == "" {
		return nil, errors.New("boom")
	}
	return []byte(f.text), nil
}

func orderedMap(kv ...any) *Map {
	m := NewMap()
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

// CP-02, DP-02 (compact) and control-plane §3.8, DP-29, DP-33 (Python spacing); the expected texts are
// Python's json.dumps output for the same values.
func TestEncodeBothModes(t *testing.T) {
	cases := []struct {
		name    string
		in      any
		compact string
		python  string
	}{
		{
			name:    "escaping",
			in:      "q\" b\\ / < > & \n\r\t\b\f \x00\x1f\x7f é \u2028\u2029 \U0001F600 \uffff \U0010FFFF",
			compact: `"q\" b\\ / < > & \n\r\t\b\f \u0000\u001f\u007f \u00e9 \u2028\u2029 \ud83d\ude00 \uffff \udbff\udfff"`,
			python:  `"q\" b\\ / < > & \n\r\t\b\f \u0000\u001f\u007f \u00e9 \u2028\u2029 \ud83d\ude00 \uffff \udbff\udfff"`,
		},
		{
			name:    "invalid UTF-8 becomes U+FFFD per byte",
			in:      "a\xff\xfeb",
			compact: `"a\ufffd\ufffdb"`,
			python:  `"a\ufffd\ufffdb"`,
		},
		{
			name: "Map order, nested values, empty containers",
			in: orderedMap("b", 1, "a", []any{1, 2.0, orderedMap("x", nil, "y", true)},
				"c", NewMap(), "d", []any{}, "e", "é"),
			compact: `{"b":1,"a":[1,2.0,{"x":null,"y":true}],"c":{},"d":[],"e":"\u00e9"}`,
			python:  `{"b": 1, "a": [1, 2.0, {"x": null, "y": true}], "c": {}, "d": [], "e": "\u00e9"}`,
		},
		{
			name:    "Map value and non-ASCII keys",
			in:      *orderedMap("ü", 1, "a", 2),
			compact: `{"\u00fc":1,"a":2}`,
			python:  `{"\u00fc": 1, "a": 2}`,
		},
		{
			name:    "Go maps sorted",
			in:      map[string]any{"b": []string{"x"}, "a": map[int]bool{10: true, 2: false}},
			compact: `{"a":{"10":true,"2":false},"b":["x"]}`,
			python:  `{"a": {"10": true, "2": false}, "b": ["x"]}`,
		},
		{
			name:    "string-kind keys used directly, TextMarshaler values",
			in:      map[upperText]upperText{"b": "x", "a": "y"},
			compact: `{"a":"Y","b":"X"}`,
			python:  `{"a": "Y", "b": "X"}`,
		},
		{
			name: "numbers",
			in: []any{int8(-8), uint64(math.MaxUint64), int64(math.MinInt64), float32(0.1), 1e16, 1.5e16, 1e-05,
				0.0001, math.Copysign(0, -1), Number("1E+2"), Number("123456789012345678901234567890"), json.Number("2.50"), json.Number("")},
			compact: `[-8,18446744073709551615,-9223372036854775808,0.1,1e+16,1.5e+16,1e-05,0.0001,-0.0,1E+2,123456789012345678901234567890,2.50,0]`,
			python:  `[-8, 18446744073709551615, -9223372036854775808, 0.1, 1e+16, 1.5e+16, 1e-05, 0.0001, -0.0, 1E+2, 123456789012345678901234567890, 2.50, 0]`,
		},
		{
			name:    "Python constants kept as tokens",
			in:      []any{Number("NaN"), Number("-Infinity")},
			compact: `[NaN,-Infinity]`,
			python:  `[NaN, -Infinity]`,
		},
		{
			name:    "RawMessage re-encoded",
			in:      orderedMap("raw", json.RawMessage(`{"b" : 1.50 ,"a":[ "\u00e9" , "é", "\/"] }`)),
			compact: `{"raw":{"b":1.50,"a":["\u00e9","\u00e9","/"]}}`,
			python:  `{"raw": {"b": 1.50, "a": ["\u00e9", "\u00e9", "/"]}}`,
		},
		{
			name:    "Marshaler output re-encoded",
			in:      []any{goJSON{Text: "<é & />"}, &ptrMarshaler{}},
			compact: `[{"n":1.5,"text":"<\u00e9 & />"},{"ptr":true}]`,
			python:  `[{"n": 1.5, "text": "<\u00e9 & />"}, {"ptr": true}]`,
		},
		{
			name:    "bytes, nil and empty slices, nil pointers",
			in:      []any{[]byte("hi!"), []string(nil), []string{}, map[string]int(nil), (*int)(nil), (*Map)(nil), []any(nil)},
			compact: `["aGkh",null,[],null,null,null,null]`,
			python:  `["aGkh", null, [], null, null, null, null]`,
		},
		{
			name:    "byte arrays are lists",
			in:      [2]byte{1, 2},
			compact: `[1,2]`,
			python:  `[1, 2]`,
		},
		{
			name:    "scalars",
			in:      []any{nil, true, false, "", upperText("t")},
			compact: `[null,true,false,"","T"]`,
			python:  `[null, true, false, "", "T"]`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compact(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.compact, string(got))
			got, err = Python(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.python, string(got))
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	type node struct {
		Next *node `json:"next"`
	}
	loop := &node{}
	loop.Next = loop
	selfMap := NewMap()
	selfMap.Set("self", selfMap)

	cases := []struct {
		name string
		in   any
		want string
	}{
		{"NaN", math.NaN(), "unsupported float value NaN"},
		{"Inf in a struct", struct{ F float32 }{float32(math.Inf(1))}, "unsupported float value +Inf"},
		{"invalid Number", Number("1."), `"1." is not a JSON number`},
		{"invalid json.Number", json.Number("x"), `"x" is not a JSON number`},
		{"channel", make(chan int), "unsupported type chan int"},
		{"function field", struct{ F func() }{func() {}}, "unsupported type func()"},
		{"struct map key", map[struct{}]int{{}: 1}, "unsupported map key type struct {}"},
		{"Marshaler error", failingMarshaler{}, "boom"},
		{"Marshaler invalid JSON", failingMarshaler{text: "{"}, "Expecting property name"},
		{"invalid RawMessage", json.RawMessage(`[1,]`), "Expecting value: line 1 column 4 (char 3)"},
		{"struct cycle", loop, "nested more than"},
		{"Map cycle", selfMap, "nested more than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compact(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = Python(tc.in)
			assert.Error(t, err)
		})
	}
}

type Base struct {
	ID   string `json:"Id"`
	Kind string `json:"Type,omitempty"`
}

type Tagged struct {
	Label string `json:"Label"`
}

type Untagged struct {
	Label string
}

type hidden struct {
	Visible string
	private string
}

type Shown struct {
	Visible string
}

type Twin struct{ Shown }

type Other struct{ Shown }

type Renamed struct {
	Base `json:"base"`
	Name string
}

type withOptions struct {
	Empty    string            `json:",omitempty"`
	Zero     int               `json:"zero,omitempty"`
	NilPtr   *int              `json:"nilPtr,omitempty"`
	EmptyMap map[string]int    `json:"emptyMap,omitempty"`
	When     time.Time         `json:"when,omitzero"`
	Quoted   int               `json:"quoted,string"`
	QuotedS  string            `json:"quotedS,string"`
	Dash     int               `json:"-,"`
	Skipped  int               `json:"-"`
	BadName  int               `json:"a\"b"`
	Kept     map[string]string `json:"kept"`
	Iface    any               `json:"iface"`
	private  int
}

// Struct encoding follows encoding/json's field rules; for ASCII text without floats the compact output
// must equal encoding/json's (with HTML escaping off).
func TestEncodeStructsLikeEncodingJSON(t *testing.T) {
	one := 1
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"declaration order and tags", Base{ID: "i", Kind: "t"}, `{"Id":"i","Type":"t"}`},
		{"omitempty", Base{ID: "i"}, `{"Id":"i"}`},
		{"outer field beats embedded", struct {
			Shown
			Visible int
		}{Shown{"inner"}, 7}, `{"Visible":7}`},
		{"equal depth, no tags, cancels out", struct {
			hidden
			Shown
			Z int
		}{hidden{Visible: "h"}, Shown{"s"}, 1}, `{"Z":1}`},
		{"equal depth, tag wins", struct {
			Untagged
			Tagged
		}{Untagged{"u"}, Tagged{"t"}}, `{"Label":"t"}`},
		{"same struct twice at one depth cancels out", struct {
			Twin
			Other
			Z int
		}{Twin{Shown{"1"}}, Other{Shown{"2"}}, 3}, `{"Z":3}`},
		{"nil embedded pointer skipped", struct {
			*Base
			Z int
		}{nil, 1}, `{"Z":1}`},
		{"embedded pointer followed", struct {
			*Base
			Z int
		}{&Base{ID: "p"}, 1}, `{"Id":"p","Z":1}`},
		{"unexported embedded struct promotes exported fields", struct {
			hidden
		}{hidden{Visible: "v", private: "p"}}, `{"Visible":"v"}`},
		{"tagged embedded struct is a field", Renamed{Base{ID: "x"}, "n"}, `{"base":{"Id":"x"},"Name":"n"}`},
		{"options", withOptions{Quoted: 5, QuotedS: "s", Dash: 2, Skipped: 9, BadName: 4, private: 1}, `{"quoted":"5","quotedS":"\"s\"","-":2,"BadName":4,"kept":null,"iface":null}`},
		{"options set", withOptions{Empty: "e", Zero: 1, NilPtr: &one, EmptyMap: map[string]int{"k": 1},
			When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Kept: map[string]string{}, Iface: []int{1}},
			`{"Empty":"e","zero":1,"nilPtr":1,"emptyMap":{"k":1},"when":"2024-01-02T03:04:05Z","quoted":"0","quotedS":"\"\"","-":0,"BadName":0,"kept":{},"iface":[1]}`},
		{"addressable pointer-receiver Marshaler", &struct{ M ptrMarshaler }{}, `{"M":{"ptr":true}}`},
		{"non-addressable pointer-receiver Marshaler", struct{ M ptrMarshaler }{ptrMarshaler{N: 2}}, `{"M":{"N":2}}`},
		{"HTML characters not escaped", struct{ S string }{"<a href='/x'>&</a>"}, `{"S":"<a href='/x'>&</a>"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compact(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))

			var std bytes.Buffer
			enc := json.NewEncoder(&std)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(tc.in))
			assert.Equal(t, strings.TrimSuffix(std.String(), "\n"), string(got), "encoding/json differs")
		})
	}
}

// state mimics how the ASL compiler describes a state machine: structs whose field order is the
// output order, with floats and ordered maps inside.
type state struct {
	Type       string  `json:"Type"`
	Resource   string  `json:"Resource,omitempty"`
	Parameters *Map    `json:"Parameters,omitempty"`
	Retry      []retry `json:"Retry,omitempty"`
	Next       string  `json:"Next,omitempty"`
	End        bool    `json:"End,omitempty"`
}

type retry struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds int      `json:"IntervalSeconds"`
	MaxAttempts     int      `json:"MaxAttempts"`
	BackoffRate     float64  `json:"BackoffRate"`
}

type machine struct {
	Comment string `json:"Comment"`
	StartAt string `json:"StartAt"`
	States  *Map   `json:"States"`
}

func goldenMachine() machine {
	params := NewMap()
	params.Set("Name", "Mediainfo")
	params.Set("Input.$", "$.Input")
	params.Set("Note", "é/<&> \u2028 😀")
	states := NewMap()
	states.Set("Mediainfo Filter", state{Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:filter",
		Parameters: params, Next: "Mediainfo"})
	states.Set("Mediainfo", state{Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:mediainfo",
		Retry: []retry{{ErrorEquals: []string{"Lambda.ClientExecutionTimeoutException", "MasExecutionError"},
			IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2}}, End: true})
	return machine{Comment: "Stage \"defaultVideoStage\"", StartAt: "Mediainfo Filter", States: states}
}

// The golden texts were checked with Python: json.dumps(json.loads(text), separators=...) == text.
func TestEncodeGolden(t *testing.T) {
	for _, mode := range []struct {
		file string
		enc  func(any) ([]byte, error)
	}{
		{"machine.compact.golden", Compact},
		{"machine.python.golden", Python},
	} {
		t.Run(mode.file, func(t *testing.T) {
			got, err := mode.enc(goldenMachine())
			require.NoError(t, err)
			path := filepath.Join("testdata", mode.file)
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}
