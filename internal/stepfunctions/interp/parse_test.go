package interp

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// machine wraps states (the members of "States") into a definition starting at "S".
func machine(states string) string {
	return `{"StartAt": "S", "States": {` + states + `}}`
}

func TestParseRefuses(t *testing.T) {
	end := `"End": true`
	tests := []struct {
		name string
		def  string
		want string // a substring of one problem
	}{
		{"invalid JSON", `{"StartAt": `, "INVALID_JSON_DESCRIPTION"},
		{"not an object", `[]`, "must be a JSON object"},
		{"missing StartAt", `{"States": {"S": {"Type": "Succeed"}}}`, "these fields are required: [StartAt] at /"},
		{"missing States", `{"StartAt": "S"}`, "these fields are required: [States]"},
		{"empty States", `{"StartAt": "S", "States": {}}`, "Value cannot be empty at /States"},
		{"StartAt names no state", `{"StartAt": "X", "States": {"S": {"Type": "Succeed"}}}`,
			"MISSING_TRANSITION_TARGET: Missing 'StartAt' target: X at /StartAt"},
		{"Next names no state", machine(`"S": {"Type": "Pass", "Next": "Nowhere"}`),
			"MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/S/Next"},
		{"Default names no state", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "E"}], "Default": "X"}, "E": {"Type": "Succeed"}`),
			"Missing 'Next' target: X at /States/S/Default"},
		{"catcher names no state", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X"}], ` + end + `}`),
			"Missing 'Next' target: X at /States/S/Catch/0/Next"},
		{"no terminal state", machine(`"S": {"Type": "Pass", "Next": "S"}`), "MISSING_END_STATE"},
		{"unreachable state", machine(`"S": {"Type": "Succeed"}, "Lost": {"Type": "Succeed"}`), "the state 'Lost' is not reachable at /States/Lost"},
		{"both Next and End", machine(`"S": {"Type": "Pass", "Next": "S", "End": true}`), "cannot have both Next and End"},
		{"neither Next nor End", machine(`"S": {"Type": "Pass"}`), "must have either Next"},
		{"Next on a Choice", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "E"}], "Next": "E"}, "E": {"Type": "Succeed"}`),
			"Choice states do not support the fields Next and End"},
		{"End on a Succeed", machine(`"S": {"Type": "Succeed", "End": true}`), "Succeed states do not support"},
		{"unknown type", machine(`"S": {"Type": "Sleep", ` + end + `}`), "the field 'Type' should have one of these values"},
		{"unknown field", machine(`"S": {"Type": "Pass", "Foo": 1, ` + end + `}`), "the field 'Foo' is not supported by Step Functions at /States/S/Foo"},
		{"state name too long", machine(`"S": {"Type": "Pass", "Next": "` + strings.Repeat("x", 81) + `"}, "` + strings.Repeat("x", 81) + `": {"Type": "Succeed"}`),
			"INVALID_STATE_NAME"},
		{"duplicate state name across branches", machine(`"S": {"Type": "Parallel", "Branches": [{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}], ` + end + `}`),
			"DUPLICATE_STATE_NAME"},
		{"empty Branches", machine(`"S": {"Type": "Parallel", "Branches": [], ` + end + `}`), "Value cannot be empty at /States/S/Branches"},
		{"Map state", machine(`"S": {"Type": "Map", "ItemProcessor": {}, ` + end + `}`), "UNSUPPORTED_BY_LOCAL_ENGINE: Map states are not supported at /States/S/Type"},
		{"ItemsPath", machine(`"S": {"Type": "Pass", "ItemsPath": "$.a", ` + end + `}`), "Map states (ItemsPath) are not supported"},
		{"intrinsic function in Parameters", machine(`"S": {"Type": "Pass", "Parameters": {"a.$": "States.Format('{}', $.b)"}, ` + end + `}`),
			"intrinsic function States.Format is not supported at /States/S/Parameters/a.$"},
		{"intrinsic function nested in Parameters", machine(`"S": {"Type": "Pass", "Parameters": {"x": [{"a.$": "States.JsonMerge($.a, $.b, false)"}]}, ` + end + `}`),
			"intrinsic function States.JsonMerge is not supported at /States/S/Parameters/x/0/a.$"},
		{"intrinsic function as a path", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "States.ArrayLength($.a)", "NumericEquals": 1, "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"intrinsic function States.ArrayLength is not supported"},
		{"task token in Parameters", machine(`"S": {"Type": "Pass", "Parameters": {"t.$": "$$.Task.Token"}, ` + end + `}`), "task tokens ($$.Task.Token)"},
		{"waitForTaskToken", machine(`"S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", ` + end + `}`), "task tokens (.waitForTaskToken)"},
		{"service integration", machine(`"S": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", ` + end + `}`), "service integrations are not supported"},
		{"lambda:invoke integration", machine(`"S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", ` + end + `}`), "service integrations are not supported"},
		{"activity", machine(`"S": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:111122223333:activity:a", ` + end + `}`), "activities are not supported"},
		{"not an ARN", machine(`"S": {"Type": "Task", "Resource": "my-function", ` + end + `}`), "INVALID_RESOURCE"},
		{"missing Resource", machine(`"S": {"Type": "Task", ` + end + `}`), "these fields are required: [Resource] at /States/S"},
		{"Credentials", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Credentials": {"RoleArn": "r"}, ` + end + `}`), "(Credentials) are not supported"},
		{"Assign", machine(`"S": {"Type": "Pass", "Assign": {"a": 1}, ` + end + `}`), "variables (Assign) are not supported"},
		{"JSONata", `{"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "Succeed"}}}`, "only the JSONPath query language"},
		{"JSONata on a state", machine(`"S": {"Type": "Succeed", "QueryLanguage": "JSONata"}`), "only the JSONPath query language is supported at /States/S/QueryLanguage"},
		{"deep scan", machine(`"S": {"Type": "Pass", "InputPath": "$..a", ` + end + `}`), "deep scan"},
		{"wildcard", machine(`"S": {"Type": "Pass", "OutputPath": "$.a[*]", ` + end + `}`), "not a single-node reference path"},
		{"dot wildcard", machine(`"S": {"Type": "Pass", "OutputPath": "$.*", ` + end + `}`), "wildcards"},
		{"filter", machine(`"S": {"Type": "Pass", "InputPath": "$.a[?(@.b == 1)]", ` + end + `}`), "not a single-node reference path"},
		{"slice", machine(`"S": {"Type": "Pass", "Parameters": {"a.$": "$.a[0:2]"}, ` + end + `}`), "not a single-node reference path"},
		{"union", machine(`"S": {"Type": "Pass", "Parameters": {"a.$": "$['a','b']"}, ` + end + `}`), "not a single-node reference path"},
		{"function", machine(`"S": {"Type": "Pass", "InputPath": "$.a.length()", ` + end + `}`), "functions are not supported"},
		{"path without $", machine(`"S": {"Type": "Pass", "InputPath": "a.b", ` + end + `}`), "must start with '$'"},
		{"context in InputPath", machine(`"S": {"Type": "Pass", "InputPath": "$$.Execution", ` + end + `}`), "context object ($$) cannot be used here"},
		{"context in ResultPath", machine(`"S": {"Type": "Pass", "ResultPath": "$$.Execution", ` + end + `}`), "cannot be used here"},
		{"path of wrong type", machine(`"S": {"Type": "Pass", "ResultPath": 3, ` + end + `}`), "must be a JSONPath string or null"},
		{"dynamic field twice", machine(`"S": {"Type": "Pass", "Parameters": {"a": 1, "a.$": "$.a"}, ` + end + `}`), "given twice"},
		{"dynamic field not a string", machine(`"S": {"Type": "Pass", "Parameters": {"a.$": 1}, ` + end + `}`), "must be a JSONPath string"},
		{"States.ALL not alone", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": ["States.ALL", "X"]}], ` + end + `}`),
			"States.ALL must appear alone, in the last retrier or catcher at /States/S/Retry/0/ErrorEquals"},
		{"States.ALL not last", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "E"}, {"ErrorEquals": ["X"], "Next": "E"}], "Next": "E"}, "E": {"Type": "Succeed"}`),
			"at /States/S/Catch/0/ErrorEquals"},
		{"empty ErrorEquals", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": []}], ` + end + `}`), "Value cannot be empty at /States/S/Retry/0/ErrorEquals"},
		{"BackoffRate below 1", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}], ` + end + `}`), "BackoffRate"},
		{"IntervalSeconds zero", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}], ` + end + `}`), "IntervalSeconds"},
		{"MaxAttempts negative", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}], ` + end + `}`), "MaxAttempts"},
		{"bad JitterStrategy", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "SOME"}], ` + end + `}`), "JitterStrategy"},
		{"unknown retrier field", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": ["X"], "Intervals": 3}], ` + end + `}`), "'Intervals' is not supported"},
		{"heartbeat not below timeout", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "TimeoutSeconds": 5, "HeartbeatSeconds": 5, ` + end + `}`), "HeartbeatSeconds must be smaller"},
		{"TimeoutSeconds and its path", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", ` + end + `}`), "cannot both be given"},
		{"Wait with two forms", machine(`"S": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", ` + end + `}`), "exactly one of Seconds"},
		{"Wait without a form", machine(`"S": {"Type": "Wait", ` + end + `}`), "exactly one of Seconds"},
		{"Wait with a bad timestamp", machine(`"S": {"Type": "Wait", "Timestamp": "2016-03-14 01:59:00Z", ` + end + `}`), "RFC 3339"},
		{"Wait with negative seconds", machine(`"S": {"Type": "Wait", "Seconds": -1, ` + end + `}`), "'Seconds' must be an integer from 0"},
		{"Fail with Error and ErrorPath", machine(`"S": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}`), "cannot both be given"},
		{"no choices", machine(`"S": {"Type": "Choice", "Choices": [], "Default": "E"}, "E": {"Type": "Succeed"}`), "Value cannot be empty at /States/S/Choices"},
		{"rule without Next", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true}], "Default": "E"}, "E": {"Type": "Succeed"}`),
			"these fields are required: [Next] at /States/S/Choices/0"},
		{"Next inside And", machine(`"S": {"Type": "Choice", "Choices": [{"And": [{"Variable": "$.a", "IsNull": true, "Next": "E"}], "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"only top-level choice rules may have a 'Next' at /States/S/Choices/0/And/0/Next"},
		{"two operators", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "IsString": true, "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"exactly one comparison operator"},
		{"misspelled operator", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEqual": "x", "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"exactly one comparison operator"},
		{"no Variable", machine(`"S": {"Type": "Choice", "Choices": [{"StringEquals": "x", "Next": "E"}]}, "E": {"Type": "Succeed"}`), "these fields are required: [Variable]"},
		{"numeric operand not a number", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"the operand of 'NumericEquals' must be a number"},
		{"timestamp operand not a timestamp", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "TimestampEquals": "2016-03-14", "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"must be an RFC 3339 timestamp string"},
		{"Is operand not a boolean", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": "yes", "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"the operand of 'IsPresent' must be a boolean"},
		{"Path operand not a path", machine(`"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEqualsPath": "b", "Next": "E"}]}, "E": {"Type": "Succeed"}`),
			"must start with '$'"},
		{"TimeoutSeconds at the top", `{"TimeoutSeconds": 0, "StartAt": "S", "States": {"S": {"Type": "Succeed"}}}`, "'TimeoutSeconds' must be an integer from 1"},
		{"Version", `{"Version": "2.0", "StartAt": "S", "States": {"S": {"Type": "Succeed"}}}`, "'Version' should have one of these values: [1.0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.def)
			require.Error(t, err)
			assert.Nil(t, m)
			var de *DefinitionError
			require.True(t, errors.As(err, &de), "%T", err)
			assert.Contains(t, strings.Join(de.Problems, "\n"), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "Invalid State Machine Definition: '"), err.Error())
		})
	}
}

func TestParseListsEveryProblem(t *testing.T) {
	_, err := Parse(machine(`"S": {"Type": "Map", "Next": "X"}, "T": {"Type": "Pass", "Parameters": {"a.$": "States.UUID()"}, "End": true}`))
	var de *DefinitionError
	require.True(t, errors.As(err, &de))
	assert.Len(t, de.Problems, 2)
	assert.Equal(t, "Invalid State Machine Definition: '"+de.Problems[0]+", "+de.Problems[1]+"'", err.Error())
}

func TestParseAccepts(t *testing.T) {
	mywf, err := os.ReadFile("testdata/mywf.asl.json")
	require.NoError(t, err)
	tests := []struct {
		name    string
		def     string
		timeout int
	}{
		{"the compiled two-stage workflow of control-plane §5.5", string(mywf), 0},
		{"machine timeout and comments", `{"Comment": "c", "Version": "1.0", "TimeoutSeconds": 30, "QueryLanguage": "JSONPath", "StartAt": "S", "States": {"S": {"Type": "Succeed", "Comment": "c"}}}`, 30},
		{"null paths and every Wait form", machine(`
			"S": {"Type": "Wait", "Seconds": 0, "InputPath": null, "OutputPath": null, "Next": "W2"},
			"W2": {"Type": "Wait", "SecondsPath": "$.s", "Next": "W3"},
			"W3": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00.5+01:00", "Next": "W4"},
			"W4": {"Type": "Wait", "TimestampPath": "$['t s'][0]", "Next": "P"},
			"P": {"Type": "Pass", "Result": {"a": [1, "b"]}, "ResultPath": null, "Next": "F"},
			"F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}`), 0},
		{"task with every field", machine(`"S": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f:live",
			"Parameters": {"a.$": "$$.Execution.Input", "b": "$.literal"}, "ResultSelector": {"r.$": "$.x"}, "ResultPath": "$.out",
			"TimeoutSecondsPath": "$.t", "HeartbeatSeconds": 3, "InputPath": "$", "OutputPath": "$.out",
			"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 2, "MaxAttempts": 0, "BackoffRate": 1.5, "MaxDelaySeconds": 9, "JitterStrategy": "FULL"}],
			"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "E"}], "Next": "E"}, "E": {"Type": "Succeed"}`), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.def)
			require.NoError(t, err)
			assert.Equal(t, tc.timeout, m.TimeoutSeconds())
		})
	}
}
