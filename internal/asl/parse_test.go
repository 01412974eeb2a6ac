package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// The model renders an operation template back to its exact text, as decoding and rendering it
// generically does: its fields follow the template's key order (CP-07). (The stored text of an
// operation with a non-ASCII name is not in rendered form, its names being inserted raw.)
func TestParseRoundTrip(t *testing.T) {
	for _, name := range []string{"operation_sync.golden", "operation_async.golden", "operation_unicode.golden"} {
		t.Run(name, func(t *testing.T) {
			text := readTestdata(t, name)
			generic, err := pyjson.Decode([]byte(text))
			require.NoError(t, err)
			want, err := pyjson.Python(generic)
			require.NoError(t, err)
			assert.Equal(t, string(want), roundTrip(t, text))
		})
	}
	text := readTestdata(t, "operation_async.golden")
	assert.Equal(t, text, roundTrip(t, text))
}

func roundTrip(t *testing.T, text string) string {
	t.Helper()
	sm, err := Parse(text)
	require.NoError(t, err)
	out, err := pyjson.Python(sm)
	require.NoError(t, err)
	return string(out)
}

// Every document the compiler writes is one Parse accepts.
func TestParseCompiledDocuments(t *testing.T) {
	for _, name := range []string{
		"stage_prep.golden", "stage_both.golden", "stage_empty.golden", "stage_unicode.golden",
		"workflow_mywf.golden", "original/CasVideoWorkflow.golden",
	} {
		t.Run(name, func(t *testing.T) {
			sm, err := Parse(readTestdata(t, name))
			require.NoError(t, err)
			assert.NotZero(t, sm.States.Len())
		})
	}
}

// The states the compiler never writes, as the Step Functions engine reads them.
func TestParseOtherStates(t *testing.T) {
	const doc = `{"Comment": "c", "StartAt": "P", "TimeoutSeconds": 60, "States": {` +
		`"P": {"Type": "Pass", "Result": {"a": [1, 2.5]}, "ResultPath": "$.r", "Next": "C"}, ` +
		`"C": {"Type": "Choice", "Choices": [` +
		`{"And": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.s", "IsPresent": true}}], "Next": "W"}, ` +
		`{"Or": [{"Variable": "$.t", "TimestampLessThanPath": "$.u"}, {"Variable": "$.b", "BooleanEquals": false}], "Next": "F"}], ` +
		`"Default": "S"}, ` +
		`"W": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "T"}, ` +
		`"T": {"Type": "Task", "Resource": "arn", "InputPath": "$.in", "ResultSelector": {"x.$": "$.y"}, ` +
		`"TimeoutSeconds": 30, "HeartbeatSeconds": 10, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}], "End": true}, ` +
		`"F": {"Type": "Fail", "Error": "E", "Cause": "C"}, ` +
		`"S": {"Type": "Succeed", "OutputPath": "$.o"}}}`
	sm, err := Parse(doc)
	require.NoError(t, err)
	assert.Equal(t, 60, sm.TimeoutSeconds)
	assert.Equal(t, []string{"P", "C", "W", "T", "F", "S"}, sm.States.Names())
	choice := state[*Choice](t, sm, "C")
	require.Len(t, choice.Choices, 2)
	rule := choice.Choices[0]
	require.Len(t, rule.And, 2)
	assert.Equal(t, ChoiceRule{Variable: "$.n", Operator: "NumericGreaterThan", Value: pyjson.Number("1")}, rule.And[0])
	assert.Equal(t, &ChoiceRule{Variable: "$.s", Operator: "IsPresent", Value: true}, rule.And[1].Not)
	assert.Equal(t, "W", rule.Next)
	assert.Equal(t, "$.delay", state[*Wait](t, sm, "W").SecondsPath)
	task := state[*Task](t, sm, "T")
	assert.Equal(t, 0, *task.Retry[0].MaxAttempts)
	assert.Equal(t, 30, task.TimeoutSeconds)
	assert.Equal(t, "E", state[*Fail](t, sm, "F").Error)

	// Rendering keeps the choice rules' structure and order.
	text, err := pyjson.Python(choice)
	require.NoError(t, err)
	assert.Equal(t, `{"Type": "Choice", "Choices": [`+
		`{"And": [{"Variable": "$.n", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.s", "IsPresent": true}}], "Next": "W"}, `+
		`{"Or": [{"Variable": "$.t", "TimestampLessThanPath": "$.u"}, {"Variable": "$.b", "BooleanEquals": false}], "Next": "F"}], `+
		`"Default": "S"}`, string(text))
}

func TestParseErrors(t *testing.T) {
	machine := func(states string) string { return `{"StartAt": "A", "States": {` + states + `}}` }
	tests := []struct{ name, doc, want string }{
		{"not JSON", `{`, "parse state machine: Expecting property name enclosed in double quotes"},
		{"not an object", `[]`, "JSON value is not an object"},
		{"unknown top-level field", `{"StartAt": "A", "Version": "1.0", "States": {"A": {"Type": "Succeed"}}}`, `unknown field "Version"`},
		{"no StartAt", `{"States": {"A": {"Type": "Succeed"}}}`, `missing "StartAt"`},
		{"StartAt names no state", `{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}`, `StartAt "B" names no state`},
		{"no states", `{"StartAt": "A", "States": {}}`, `"States" is empty`},
		{"state not an object", machine(`"A": "End"`), `state "A": not an object`},
		{"unsupported type", machine(`"A": {"Type": "Map"}`), `state "A": unsupported state type "Map"`},
		{"unknown state field", machine(`"A": {"Type": "Succeed", "Foo": 1}`), `state "A": unknown field "Foo"`},
		{"wrong field type", machine(`"A": {"Type": "Task", "Resource": 1, "End": true}`), `state "A": "Resource" must be a string, not int`},
		{"neither Next nor End", machine(`"A": {"Type": "Task", "Resource": "r"}`), `needs exactly one of "Next" and "End": true`},
		{"both Next and End", machine(`"A": {"Type": "Pass", "Next": "A", "End": true}`), `needs exactly one of "Next" and "End": true`},
		{"Next names no state", machine(`"A": {"Type": "Pass", "Next": "B"}`), `state "A": transition to "B", which names no state`},
		{"Catch names no state", machine(`"A": {"Type": "Task", "Resource": "r", "End": true, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}]}`), `transition to "B"`},
		{"null path", machine(`"A": {"Type": "Pass", "ResultPath": null, "End": true}`), `"ResultPath": null paths are not supported`},
		{"empty ErrorEquals", machine(`"A": {"Type": "Task", "Resource": "r", "End": true, "Retry": [{"ErrorEquals": []}]}`), `Retry[0]: "ErrorEquals" is empty`},
		{"negative MaxAttempts", machine(`"A": {"Type": "Task", "Resource": "r", "End": true, "Retry": [{"ErrorEquals": ["x"], "MaxAttempts": -1}]}`), `"MaxAttempts" must be a non-negative integer`},
		{"Wait with two durations", machine(`"A": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}`), "exactly one of Seconds"},
		{"Wait without duration", machine(`"A": {"Type": "Wait", "End": true}`), "exactly one of Seconds"},
		{"no choice rule", machine(`"A": {"Type": "Choice", "Choices": []}`), `"Choices" is empty`},
		{"rule without operator", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "A"}]}`), "exactly one comparison operator"},
		{"rule with two operators", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "IsPresent": true, "Next": "A"}]}`), "exactly one comparison operator"},
		{"operand of the wrong type", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": "1", "Next": "A"}]}`), `"NumericEquals": operand of the wrong type (str)`},
		{"top-level rule without Next", machine(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true}]}`), `missing "Next"`},
		{"nested rule with Next", machine(`"A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true, "Next": "A"}, "Next": "A"}]}`), `unknown field "Next"`},
		{"comparison without Variable", machine(`"A": {"Type": "Choice", "Choices": [{"IsNull": true, "Next": "A"}]}`), `"IsNull" needs a Variable`},
		{"TimeoutSeconds in a branch", machine(`"A": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "B", "TimeoutSeconds": 5, "States": {"B": {"Type": "Succeed"}}}]}`), `Branches[0]: unknown field "TimeoutSeconds"`},
		{"branch error", machine(`"A": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Nope"}}}]}`), `Branches[0]: state "B": unsupported state type "Nope"`},
		{"zero TimeoutSeconds", `{"StartAt": "A", "TimeoutSeconds": 0, "States": {"A": {"Type": "Succeed"}}}`, `"TimeoutSeconds" must be at least 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.doc)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
