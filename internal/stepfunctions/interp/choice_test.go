package interp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// choiceMachine moves to "T" when rule (a JSON choice rule without Next) holds, else to "F"; both
// output their name.
func choiceMachine(rule string) string {
	rule = strings.TrimSuffix(strings.TrimSpace(rule), "}") + `, "Next": "T"}`
	return machine(`"S": {"Type": "Choice", "Choices": [` + rule + `], "Default": "F"},
		"T": {"Type": "Pass", "Result": "T", "End": true},
		"F": {"Type": "Pass", "Result": "F", "End": true}`)
}

func TestChoiceComparisons(t *testing.T) {
	const ts = `"2016-03-14T01:59:00Z"`
	tests := []struct {
		op       string
		variable string // JSON value of $.v
		operand  string // JSON operand, literal or (for ...Path operators) the value of $.o
		want     bool
	}{
		{"StringEquals", `"Hello"`, `"Hello"`, true},
		{"StringEquals", `"Hello"`, `"Hello "`, false},
		{"StringEquals", `1`, `"1"`, false},
		{"StringEqualsPath", `"a"`, `"a"`, true},
		{"StringEqualsPath", `"a"`, `1`, false},
		{"StringLessThan", `"A"`, `"AB"`, true},
		{"StringLessThan", `"AB"`, `"A"`, false},
		{"StringLessThan", `"\uffff"`, `"\ud83d\ude00"`, false}, // UTF-16 order: U+FFFF sorts after a surrogate pair
		{"StringLessThanPath", `"A"`, `"B"`, true},
		{"StringGreaterThan", `"b"`, `"a"`, true},
		{"StringGreaterThan", `""`, `""`, false},
		{"StringGreaterThanPath", `"b"`, `"a"`, true},
		{"StringLessThanEquals", `"A"`, `"A"`, true},
		{"StringLessThanEquals", `"B"`, `"A"`, false},
		{"StringLessThanEqualsPath", `"A"`, `"A"`, true},
		{"StringGreaterThanEquals", `"AB"`, `"A"`, true},
		{"StringGreaterThanEquals", `"A"`, `"AB"`, false},
		{"StringGreaterThanEqualsPath", `"A"`, `"A"`, true},
		{"StringMatches", `"log-2023.txt"`, `"log-*.txt"`, true},
		{"StringMatches", `"log-2023.csv"`, `"log-*.txt"`, false},
		{"StringMatches", `"foobar.zebra"`, `"foo*.*"`, true},
		{"StringMatches", `"a*b"`, `"a\\*b"`, true},
		{"StringMatches", `"axb"`, `"a\\*b"`, false},
		{"StringMatches", `"a\\b"`, `"a\\\\b"`, true},
		{"StringMatches", `"abc"`, `"*"`, true},
		{"StringMatches", `1`, `"*"`, false},
		{"NumericEquals", `1`, `1.0`, true},
		{"NumericEquals", `1`, `2`, false},
		{"NumericEquals", `"1"`, `1`, false},
		{"NumericEqualsPath", `2.5`, `2.5`, true},
		{"NumericEqualsPath", `2`, `"2"`, false},
		{"NumericLessThan", `0`, `1`, true},
		{"NumericLessThan", `1`, `1`, false},
		{"NumericLessThanPath", `-1`, `0`, true},
		{"NumericGreaterThan", `1e3`, `999`, true},
		{"NumericGreaterThan", `1`, `1`, false},
		{"NumericGreaterThanPath", `2`, `1`, true},
		{"NumericLessThanEquals", `1`, `1`, true},
		{"NumericLessThanEquals", `2`, `1`, false},
		{"NumericLessThanEqualsPath", `1`, `1`, true},
		{"NumericGreaterThanEquals", `1`, `1`, true},
		{"NumericGreaterThanEquals", `0`, `1`, false},
		{"NumericGreaterThanEqualsPath", `1`, `1`, true},
		{"BooleanEquals", `true`, `true`, true},
		{"BooleanEquals", `false`, `true`, false},
		{"BooleanEquals", `1`, `true`, false},
		{"BooleanEqualsPath", `false`, `false`, true},
		{"BooleanEqualsPath", `false`, `"false"`, false},
		{"TimestampEquals", ts, ts, true},
		{"TimestampEquals", `"2016-03-14T02:59:00+01:00"`, ts, true},
		{"TimestampEquals", `"2016-03-14T01:59:00"`, ts, false},
		{"TimestampEquals", `1`, ts, false},
		{"TimestampEqualsPath", ts, ts, true},
		{"TimestampLessThan", `"2016-03-14T01:58:59.999Z"`, ts, true},
		{"TimestampLessThan", ts, ts, false},
		{"TimestampLessThanPath", `"2015-01-01T00:00:00Z"`, ts, true},
		{"TimestampGreaterThan", `"2017-01-01T00:00:00Z"`, ts, true},
		{"TimestampGreaterThan", ts, ts, false},
		{"TimestampGreaterThanPath", `"2017-01-01T00:00:00Z"`, ts, true},
		{"TimestampLessThanEquals", ts, ts, true},
		{"TimestampLessThanEquals", `"2017-01-01T00:00:00Z"`, ts, false},
		{"TimestampLessThanEqualsPath", ts, ts, true},
		{"TimestampGreaterThanEquals", ts, ts, true},
		{"TimestampGreaterThanEquals", `"2015-01-01T00:00:00Z"`, ts, false},
		{"TimestampGreaterThanEqualsPath", ts, ts, true},
		{"IsNull", `null`, `true`, true},
		{"IsNull", `0`, `true`, false},
		{"IsNull", `0`, `false`, true},
		{"IsPresent", `null`, `true`, true},
		{"IsPresent", `null`, `false`, false},
		{"IsNumeric", `1.5`, `true`, true},
		{"IsNumeric", `"1"`, `true`, false},
		{"IsString", `""`, `true`, true},
		{"IsString", `[]`, `true`, false},
		{"IsBoolean", `false`, `true`, true},
		{"IsBoolean", `0`, `true`, false},
		{"IsTimestamp", ts, `true`, true},
		{"IsTimestamp", `"2016-03-14T01:59:00"`, `true`, false},
		{"IsTimestamp", `"2016-03-14t01:59:00z"`, `true`, false},
		{"IsTimestamp", `"2016-13-14T01:59:00Z"`, `false`, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tc.op, tc.variable, tc.operand), func(t *testing.T) {
			rule := fmt.Sprintf(`{"Variable": "$.v", %q: %s}`, tc.op, tc.operand)
			input := fmt.Sprintf(`{"v": %s}`, tc.variable)
			if strings.HasSuffix(tc.op, "Path") {
				rule = fmt.Sprintf(`{"Variable": "$.v", %q: "$.o"}`, tc.op)
				input = fmt.Sprintf(`{"v": %s, "o": %s}`, tc.variable, tc.operand)
			}
			out, _ := run(t, choiceMachine(rule), input, nil, nil)
			require.Equal(t, StatusSucceeded, out.Status, out.Cause)
			want := map[bool]string{true: `"T"`, false: `"F"`}[tc.want]
			assert.Equal(t, want, string(out.Output))
		})
	}
}

func TestChoiceRules(t *testing.T) {
	tests := []struct {
		name, rule, input string
		want              string
	}{
		{"And holds when all hold", `{"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Variable": "$.a", "NumericLessThan": 3}]}`, `{"a": 2}`, `"T"`},
		{"And fails when one fails", `{"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Variable": "$.a", "NumericLessThan": 2}]}`, `{"a": 2}`, `"F"`},
		{"Or holds when one holds", `{"Or": [{"Variable": "$.a", "StringEquals": "x"}, {"Variable": "$.a", "StringEquals": "y"}]}`, `{"a": "y"}`, `"T"`},
		{"Or fails when none holds", `{"Or": [{"Variable": "$.a", "StringEquals": "x"}]}`, `{"a": "y"}`, `"F"`},
		{"Not negates", `{"Not": {"Variable": "$.a", "StringEquals": "x"}}`, `{"a": "y"}`, `"T"`},
		{"nested", `{"Not": {"And": [{"Variable": "$.a", "IsPresent": true}, {"Or": [{"Variable": "$.a", "IsNull": true}]}]}}`, `{"a": null}`, `"F"`},
		{"Or stops at the first true rule", `{"Or": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$.missing", "IsNull": true}]}`, `{"a": 1}`, `"T"`},
		{"IsPresent of an absent path is false", `{"Variable": "$.a.b", "IsPresent": true}`, `{}`, `"F"`},
		{"IsPresent false of an absent path holds", `{"Variable": "$.a", "IsPresent": false}`, `{}`, `"T"`},
		{"context object variable", `{"Variable": "$$.Execution.Name", "StringEquals": "exec-1"}`, `{}`, `"T"`},
		{"context object retry count", `{"Variable": "$$.State.RetryCount", "NumericEquals": 0}`, `{}`, `"T"`},
		{"bracket and index paths", `{"Variable": "$['a b'][1]", "StringEquals": "y"}`, `{"a b": ["x", "y"]}`, `"T"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := run(t, choiceMachine(tc.rule), tc.input, nil, nil)
			require.Equal(t, StatusSucceeded, out.Status, out.Cause)
			assert.Equal(t, tc.want, string(out.Output))
		})
	}
}

func TestChoiceFailures(t *testing.T) {
	tests := []struct {
		name, def, input string
		wantError        string
		wantCause        string
	}{
		{"missing variable", choiceMachine(`{"Variable": "$.status", "StringEquals": "x"}`), `{}`, "States.Runtime",
			"An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.status': The choice state's condition path references an invalid value."},
		{"missing variable of an Is operator", choiceMachine(`{"Variable": "$.a", "IsNull": true}`), `{}`, "States.Runtime", "Invalid path '$.a'"},
		{"missing operand path", choiceMachine(`{"Variable": "$.a", "StringEqualsPath": "$.b"}`), `{"a": "x"}`, "States.Runtime", "Invalid path '$.b'"},
		{"no rule matches and no Default", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			`{"a": 1}`, "States.NoChoiceMatched", "(entered at the event id #2)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, h := run(t, tc.def, tc.input, nil, nil)
			assert.Equal(t, StatusFailed, out.Status)
			assert.Equal(t, tc.wantError, out.Error)
			assert.Contains(t, out.Cause, tc.wantCause)
			assert.Equal(t, []string{"ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"}, h.types())
		})
	}
}

func TestChoiceInputAndOutputPaths(t *testing.T) {
	def := machine(`"S": {"Type": "Choice", "InputPath": "$.in", "OutputPath": "$.keep",
		"Choices": [{"Variable": "$.flag", "BooleanEquals": true, "Next": "E"}]}, "E": {"Type": "Succeed"}`)
	out, h := run(t, def, `{"in": {"flag": true, "keep": {"k": 1}}}`, nil, nil)
	require.Equal(t, StatusSucceeded, out.Status, out.Cause)
	jsonEq(t, `{"k": 1}`, out.Output)
	assert.Equal(t, []string{"ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"}, h.types())
}
