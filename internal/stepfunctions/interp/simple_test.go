package interp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFail(t *testing.T) {
	const prefix = "An error occurred while executing the state 'S' (entered at the event id #2). "
	tests := []struct {
		name, fields, input  string
		wantError, wantCause string
	}{
		{"literal error and cause", `"Error": "Boom", "Cause": "because"`, `{}`, "Boom", "because"},
		{"no cause", `"Error": "Boom"`, `{}`, "Boom", ""},
		{"ErrorPath and CausePath", `"ErrorPath": "$.e", "CausePath": "$.c[0]"`, `{"e": "Dyn", "c": ["why"]}`, "Dyn", "why"},
		{"ErrorPath selects nothing", `"ErrorPath": "$.ErrorX"`, `{"a": 1}`, "States.Runtime",
			prefix + `The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{"a":1}'`},
		{"CausePath selects no string", `"Error": "E", "CausePath": "$.c"`, `{"c": {"k": [1, null, true]}}`, "States.Runtime",
			prefix + `The value of the field 'CausePath' must be a string, but the path $.c selects {"k":[1,null,true]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, h := run(t, machine(`"S": {"Type": "Fail", `+tc.fields+`}`), tc.input, nil, nil)
			assert.Equal(t, Outcome{Status: StatusFailed, Error: tc.wantError, Cause: tc.wantCause}, out)
			assert.Equal(t, []string{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}, h.types())
		})
	}
}

func TestEncodeJSON(t *testing.T) {
	// Step Functions writes JSON compactly and escapes only what JSON requires.
	v, err := decodeJSON([]byte(`{"s": "\"q\" \\ \n\r\t\b\f \u0001 é <&> \u2028 😀", "n": 1.50, "e": 1e3, "a": [null, false, {}], "o": {"z": 1, "a": 2}}`))
	require.NoError(t, err)
	assert.Equal(t, `{"s":"\"q\" \\ \n\r\t\b\f \u0001 é <&> `+"\u2028"+` 😀","n":1.50,"e":1e3,"a":[null,false,{}],"o":{"z":1,"a":2}}`, encodeJSON(v))
}

func TestJSONTypesInMessages(t *testing.T) {
	tests := []struct {
		input, path, want string
	}{
		{`{"a": null}`, "$.a.b", "property ['b'] in path $['a'] but found 'null'"},
		{`{"a": true}`, "$.a.b", "found 'boolean'"},
		{`{"a": 1}`, "$.a.b", "found 'number'"},
		{`{"a": []}`, "$.a.b", "found 'array'"},
		{`{"a": "s"}`, "$.a.b", "found 'string'"},
		{`{"a": {}}`, "$.a[0]", "an array with index [0] in path $['a'] but found 'object'"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			out, _ := run(t, machine(`"S": {"Type": "Pass", "InputPath": "`+tc.path+`", "End": true}`), tc.input, nil, nil)
			assert.Contains(t, out.Cause, tc.want)
		})
	}
}
