package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// scansCanonical reports whether the scanner accepts data as one canonical value.
func scansCanonical(data string) bool {
	s := canonScanner{data: data}
	return s.value(0, 0) == len(data)
}

// canonicalSamples are texts in the form pyjson.Python writes.
var canonicalSamples = []string{
	`{}`, `[]`, `""`, `0`, `-12`, `true`, `false`, `null`,
	`{"a": 1, "b": [1, "x", {"c": null}], "d": {}}`,
	`"\" \\ \n \r \t \b \f \u0000 \u001f \u007f \u00e9 \ud83c\udfac \uffff / < > &"`,
	`{"StartAt": "\u00c9tape", "States": {"\u00c9tape": {"Type": "Succeed"}}}`,
}

func TestCanonicalSamples(t *testing.T) {
	for _, text := range canonicalSamples {
		t.Run(text, func(t *testing.T) {
			assert.True(t, scansCanonical(text))
			assertRoundTrip(t, text)
		})
	}
	for _, name := range []string{
		"operation_async.golden", "stage_both.golden", "stage_unicode.golden", "workflow_mywf.golden",
		"original/CasVideoWorkflow.golden", "original/defaultVideoStage.golden",
	} {
		t.Run(name, func(t *testing.T) {
			text := readTestdata(t, name)
			_, ok := canonicalMembers(text)
			assert.True(t, ok, "every text this package writes is canonical")
		})
	}
}

// Texts that decode but that pyjson.Python would write differently take the decoding path.
func TestNonCanonical(t *testing.T) {
	for _, text := range []string{
		``, ` {}`, `{} `, `{ }`, `[ ]`, `{"a":1}`, `{"a" : 1}`, `{"a": 1,"b": 2}`, `[1,2]`, `[1 , 2]`,
		`{"a": 1, "a": 2}`, `{"a": {"b": 1, "b": 1}}`, `{"\u0061": 1, "a": 2}`,
		`"\/"`, `"\u0041"`, `"\u000a"`, `"\u00E9"`, `"\ud83c"`, `"\udfac"`, `"\ud83c\u0041"`, "\"\u00e9\"", "\"\x7f\"", "\"\t\"",
		`01`, `-0`, `-01`, `1.0`, `1e5`, `1E5`, `NaN`, `Infinity`, `-Infinity`, `tru`, `nul`, `"abc`, `{"a": 1`, `[1, 2`,
	} {
		t.Run(text, func(t *testing.T) {
			assert.False(t, scansCanonical(text))
		})
	}
}

// assertRoundTrip checks the property the compiler relies on: an accepted text is exactly what
// pyjson.Python writes for its decoded value.
func assertRoundTrip(t *testing.T, text string) {
	t.Helper()
	v, err := pyjson.Decode([]byte(text))
	require.NoError(t, err)
	again, err := pyjson.Python(v)
	require.NoError(t, err)
	assert.Equal(t, text, string(again))
}

func FuzzCanonical(f *testing.F) {
	for _, text := range canonicalSamples {
		f.Add(text)
	}
	f.Add(`{"a": [1, {"b": "\u00e9"}], "c": -1}`)
	f.Add(`{"a":1}`)
	f.Fuzz(func(t *testing.T, text string) {
		if scansCanonical(text) {
			assertRoundTrip(t, text)
		}
	})
}

func TestCanonicalMembers(t *testing.T) {
	top, ok := canonicalMembers(`{"StartAt": "A", "States": {"A": {"End": true}, "B": [{"x": 1}]}, "n": {"m": {"k": 1}}}`)
	require.True(t, ok)
	require.Len(t, top, 3)
	assert.Equal(t, member{`"StartAt"`, `"A"`}, top[0].member)
	assert.Empty(t, top[0].inner)
	assert.Equal(t, []member{{`"A"`, `{"End": true}`}, {`"B"`, `[{"x": 1}]`}}, top[1].inner)
	assert.Equal(t, []member{{`"m"`, `{"k": 1}`}}, top[2].inner)

	_, ok = canonicalMembers(`["not an object"]`)
	assert.False(t, ok)
}

func TestMembersAndHasEndKey(t *testing.T) {
	var got []member
	for k, v := range members(`{"a": "x\"}", "b": [1, {"c": 2}], "End": -3, "d": {}}`, 0) {
		got = append(got, member{k, v})
	}
	assert.Equal(t, []member{{`"a"`, `"x\"}"`}, {`"b"`, `[1, {"c": 2}]`}, {`"End"`, `-3`}, {`"d"`, `{}`}}, got)
	assert.True(t, hasEndKey(`{"Type": "Task", "End": true}`))
	assert.False(t, hasEndKey(`{"Type": "Task", "Next": "End"}`))
	assert.False(t, hasEndKey(`{}`))
	assert.False(t, hasEndKey(`"End"`))
}

// CP-16: a definition stored in any other form than Python's (here compact, as in the original's unit
// tests, or with reordered whitespace) compiles to the same text through the decoding path.
func TestCompileWorkflowNonCanonicalDefinitions(t *testing.T) {
	want := mustCompile(t, "MyWF", "Prep", exampleStages(t), nil)
	stages := exampleStages(t)
	for i := range stages {
		v, err := pyjson.Decode([]byte(stages[i].Definition))
		require.NoError(t, err)
		compact, err := pyjson.Compact(v)
		require.NoError(t, err)
		stages[i].Definition = "\n " + string(compact) + " \n"
		_, ok := canonicalMembers(stages[i].Definition)
		require.False(t, ok)
	}
	assert.Equal(t, want, mustCompile(t, "MyWF", "Prep", stages, nil))

	// One of each kind.
	mixed := exampleStages(t)
	mixed[1].Definition = stages[1].Definition
	assert.Equal(t, want, mustCompile(t, "MyWF", "Prep", mixed, nil))
}
