package interp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathFields(t *testing.T) {
	// Each case runs one Pass or Task state S; the Task calls fnA, which returns {"x": 1, "y": [2, 3]}.
	task := func(fields string) string {
		return machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", ` + fields + `"End": true}`)
	}
	pass := func(fields string) string {
		return machine(`"S": {"Type": "Pass", ` + fields + `"End": true}`)
	}
	tests := []struct {
		name, def, input, want string
	}{
		{"InputPath selects the effective input", pass(`"InputPath": "$.a.b", `), `{"a": {"b": {"c": 1}}}`, `{"c": 1}`},
		{"InputPath with brackets and an index", pass(`"InputPath": "$['a-b'][1]", `), `{"a-b": [0, {"c": 1}]}`, `{"c": 1}`},
		{"InputPath null is an empty object", pass(`"InputPath": null, `), `{"a": 1}`, `{}`},
		{"Parameters: literal, path and nested", pass(`"Parameters": {"lit": "$.Status", "p.$": "$.a", "n": {"q.$": "$.b[0]", "arr": [{"r.$": "$"}, 2]}}, `),
			`{"a": "A", "b": [true]}`, `{"lit": "$.Status", "p": "A", "n": {"q": true, "arr": [{"r": {"a": "A", "b": [true]}}, 2]}}`},
		{"Parameters reads the effective input", pass(`"InputPath": "$.in", "Parameters": {"v.$": "$.v"}, `), `{"in": {"v": 5}}`, `{"v": 5}`},
		{"Parameters keeps the template's key order", pass(`"Parameters": {"z": 1, "a.$": "$.a", "m": 2}, `), `{"a": 0}`, `{"z":1,"a":0,"m":2}`},
		{"Parameters reads the context object", pass(`"Parameters": {
			"id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name", "start.$": "$$.Execution.StartTime",
			"input.$": "$$.Execution.Input", "role.$": "$$.Execution.RoleArn", "sm.$": "$$.StateMachine.Id",
			"smName.$": "$$.StateMachine.Name", "state.$": "$$.State.Name", "entered.$": "$$.State.EnteredTime",
			"retries.$": "$$.State.RetryCount"}, `), `{"a": 1}`,
			`{"id": "arn:aws:states:us-east-1:111122223333:execution:sm:exec-1", "name": "exec-1",
			  "start": "2026-11-24T09:59:59.123Z", "input": {"a": 1}, "role": "arn:aws:iam::111122223333:role/sfn",
			  "sm": "arn:aws:states:us-east-1:111122223333:stateMachine:sm", "smName": "sm", "state": "S",
			  "entered": "2026-11-24T10:00:00.000Z", "retries": 0}`},
		{"Result replaces the effective input", pass(`"Result": {"r": 1}, `), `{"a": 1}`, `{"r": 1}`},
		{"ResultSelector shapes the result", task(`"ResultSelector": {"first.$": "$.y[0]", "ctx.$": "$$.State.Name", "k": "v"}, `), `{}`, `{"first": 2, "ctx": "S", "k": "v"}`},
		{"ResultPath $ replaces the input", task(`"ResultPath": "$", `), `{"a": 1}`, `{"x": 1, "y": [2, 3]}`},
		{"ResultPath null keeps the raw input", task(`"InputPath": "$.a", "ResultPath": null, `), `{"a": {"z": 0}}`, `{"a": {"z": 0}}`},
		{"ResultPath adds a field to the raw input", task(`"InputPath": "$.a", "ResultPath": "$.r", `), `{"a": {"q": 1}}`, `{"a": {"q": 1}, "r": {"x": 1, "y": [2, 3]}}`},
		{"ResultPath creates nested objects", pass(`"Result": 7, "ResultPath": "$.a.b.c", `), `{"a": {"k": 1}}`, `{"a": {"k": 1, "b": {"c": 7}}}`},
		{"ResultPath overwrites in place", pass(`"Result": 7, "ResultPath": "$.b", `), `{"a": 1, "b": 2, "c": 3}`, `{"a":1,"b":7,"c":3}`},
		{"ResultPath into an array element", pass(`"Result": 7, "ResultPath": "$.a[1]", `), `{"a": [1, 2]}`, `{"a": [1, 7]}`},
		{"OutputPath selects the output", task(`"ResultPath": "$.r", "OutputPath": "$.r.y", `), `{}`, `[2, 3]`},
		{"OutputPath null is an empty object", pass(`"OutputPath": null, `), `{"a": 1}`, `{}`},
	}
	lambdas := &fakeLambdas{handlers: map[string]func(map[string]any) (any, error){
		fnA: func(map[string]any) (any, error) { return map[string]any{"x": 1, "y": []any{2, 3}}, nil },
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := run(t, tc.def, tc.input, lambdas, nil)
			require.Equal(t, StatusSucceeded, out.Status, out.Cause)
			jsonEq(t, tc.want, out.Output)
		})
	}
}

func TestPathFieldOrderIsKept(t *testing.T) {
	out, _ := run(t, machine(`"S": {"Type": "Pass", "Parameters": {"z": 1, "a.$": "$.a", "m": {"y": 1, "b": 2}}, "End": true}`), `{"a": 0}`, nil, nil)
	assert.Equal(t, `{"z":1,"a":0,"m":{"y":1,"b":2}}`, string(out.Output))
}

func TestContextObjectKeyOrder(t *testing.T) {
	out, _ := run(t, machine(`"S": {"Type": "Pass", "Parameters": {"c.$": "$$"}, "OutputPath": "$.c", "End": true}`), `{"a": 1}`, nil, nil)
	assert.Equal(t, `{"Execution":{"Id":"arn:aws:states:us-east-1:111122223333:execution:sm:exec-1","Input":{"a":1},`+
		`"StartTime":"2026-11-24T09:59:59.123Z","Name":"exec-1","RoleArn":"arn:aws:iam::111122223333:role/sfn"},`+
		`"StateMachine":{"Id":"arn:aws:states:us-east-1:111122223333:stateMachine:sm","Name":"sm"},`+
		`"State":{"Name":"S","EnteredTime":"2026-11-24T10:00:00.000Z","RetryCount":0}}`, string(out.Output))
}

func TestPathFailures(t *testing.T) {
	pass := func(fields string) string {
		return machine(`"S": {"Type": "Pass", ` + fields + `"End": true}`)
	}
	const prefix = "An error occurred while executing the state 'S' (entered at the event id #2). "
	tests := []struct {
		name, def, input, wantError, wantCause string
	}{
		{"InputPath selects nothing", pass(`"InputPath": "$.NoSuchInputPath", `), `{}`, "States.Runtime",
			prefix + "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"},
		{"InputPath misses an intermediate property", pass(`"InputPath": "$.no.such.path", `), `{}`, "States.Runtime",
			prefix + "Invalid path '$.no.such.path' : Missing property in path $['no']"},
		{"InputPath walks into a string", pass(`"InputPath": "$.a.b", `), `{"a": "s"}`, "States.Runtime",
			prefix + "Invalid path '$.a.b' : Expected to find an object with property ['b'] in path $['a'] but found 'string'"},
		{"InputPath index out of range", pass(`"InputPath": "$.a[2]", `), `{"a": [1]}`, "States.Runtime",
			prefix + "Invalid path '$.a[2]' : No results for path: $['a'][2]"},
		{"OutputPath selects nothing", pass(`"OutputPath": "$.NoSuchOutputPath", `), `{}`, "States.Runtime",
			prefix + "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"},
		{"Parameters path selects nothing", pass(`"Parameters": {"value.$": "$.no_such_jsonpath"}, `), `{"a": 1}`, "States.Runtime",
			prefix + "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"},
		{"Parameters context path selects nothing", pass(`"Parameters": {"value.$": "$$.Execution.Input.no_such_jsonpath"}, `), `{"a": 1}`, "States.Runtime",
			prefix + "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'"},
		{"ResultPath into a string", pass(`"Result": 1, "ResultPath": "$.a.b", `), `{"a": "s"}`, "States.ResultPathMatchFailure",
			prefix + "Unable to apply ResultPath '$.a.b' to the input: $['a'] is a string, not an object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, h := run(t, tc.def, tc.input, nil, nil)
			assert.Equal(t, StatusFailed, out.Status)
			assert.Equal(t, tc.wantError, out.Error)
			assert.Equal(t, tc.wantCause, out.Cause)
			failed := h.ofType("ExecutionFailed")
			require.Len(t, failed, 1)
			assert.Equal(t, tc.wantCause, failed[0].ExecutionFailedEventDetails.Cause)
		})
	}
}
