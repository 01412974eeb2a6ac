package failed

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk"
)

func newTestHandler() *Handler {
	return New(nil)
}

// cause is the Cause Step Functions' Catch puts into Outputs for a failed Lambda invocation: the JSON text of
// the function error.
func cause(t *testing.T, errorMessage string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"errorMessage": errorMessage, "errorType": "MasExecutionError", "requestId": "r1", "stackTrace": []any{},
	})
	require.NoError(t, err)
	return string(b)
}

// failureEvent is the state that entered the failing task plus the Catch's Outputs.
func failureEvent(t *testing.T, outputs map[string]any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"Name": "Mediaconvert", "AssetId": "A1", "WorkflowExecutionId": "W1",
		"Input":         map[string]any{"Media": map[string]any{}, "MetaData": map[string]any{}},
		"Configuration": map[string]any{"MediaType": "Video", "Enabled": true},
		"Status":        "Started", "MetaData": map[string]any{"Old": "dropped"}, "Media": map[string]any{"Video": "dropped"},
		"Outputs": outputs,
	})
	require.NoError(t, err)
	return b
}

// expected is operators.md §15's output with the given MetaData.
func expected(metadata string) string {
	return `{"Name":"Mediaconvert","AssetId":"A1","WorkflowExecutionId":"W1","Input":{"Media":{},"MetaData":{}},` +
		`"Configuration":{"Enabled":true,"MediaType":"Video"},"Status":"Error","MetaData":` + metadata + `,"Media":{}}`
}

// goOperatorMessage is what a Go operator's MasExecutionError carries: its output object as JSON.
func goOperatorMessage(t *testing.T) string {
	t.Helper()
	var ev sdk.Operation
	require.NoError(t, json.Unmarshal([]byte(`{"Name":"Mediaconvert","AssetId":"A1","WorkflowExecutionId":"W1",
		"Input":{"Media":{},"MetaData":{}},"Configuration":{"MediaType":"Video","Enabled":true},"Status":"Started"}`), &ev))
	op := sdk.NewOperationHelper(ev)
	op.UpdateWorkflowStatus(sdk.OperationStatusError)
	op.AddWorkflowMetadata("MediaconvertError", "boom")
	op.AddWorkflowMetadata("Retries", 2.0)
	op.AddMediaObject("Audio", "b", "k")
	return op.MasExecutionError().Error()
}

// pythonOperatorMessage is what the original's Python operators carried: str() of the output dict.
const pythonOperatorMessage = `{'Name': 'Mediaconvert', 'AssetId': 'A1', 'WorkflowExecutionId': 'W1', ` +
	`'Input': {'Media': {}, 'MetaData': {}}, 'Configuration': {'MediaType': 'Video', 'Enabled': True}, ` +
	`'Status': 'Error', 'MetaData': {'MediaconvertError': "An error occurred (AccessDenied) when calling the GetJob operation: it's denied", 'JobId': None, 'Done': False}, 'Media': {}}`

// SDK-09, OP-41: the output for each kind of failure.
func TestOperatorFailedOutputs(t *testing.T) {
	cases := []struct {
		name     string
		outputs  map[string]any
		metadata string
	}{
		{"non-Mas error records its type", map[string]any{"Error": "KeyError", "Cause": `{"errorMessage": "'AssetId'", "errorType": "KeyError"}`},
			`{"MediaconvertError":"KeyError"}`},
		{"Step Functions error", map[string]any{"Error": "States.Timeout", "Cause": ""}, `{"MediaconvertError":"States.Timeout"}`},
		{"non-Mas error without a Cause", map[string]any{"Error": "Lambda.Unknown"}, `{"MediaconvertError":"Lambda.Unknown"}`},
		{"non-string error is copied as it is", map[string]any{"Error": map[string]any{"n": 1.5}}, `{"MediaconvertError":{"n":1.5}}`},
		{"Go operator, JSON message", map[string]any{"Error": "MasExecutionError", "Cause": cause(t, goOperatorMessage(t))},
			`{"MediaconvertError":"boom","Retries":2.0}`},
		{"Python operator, literal message", map[string]any{"Error": "MasExecutionError", "Cause": cause(t, pythonOperatorMessage)},
			`{"Done":false,"JobId":null,"MediaconvertError":"An error occurred (AccessDenied) when calling the GetJob operation: it's denied"}`},
		{"message that is only text", map[string]any{"Error": "MasExecutionError", "Cause": cause(t, "JSON can only be passed in from AWS transcribe")},
			`{"MediaconvertError":"JSON can only be passed in from AWS transcribe"}`},
		{"message holding an exception's repr", map[string]any{"Error": "MasExecutionError",
			"Cause": cause(t, `{'Status': 'Error', 'MetaData': {'MediaconvertError': ClientError('boom')}}`)},
			`{"MediaconvertError":"{'Status': 'Error', 'MetaData': {'MediaconvertError': ClientError('boom')}}"}`},
		{"MetaData that is not an object", map[string]any{"Error": "MasExecutionError", "Cause": cause(t, `{"MetaData": "x"}`)},
			`{"MediaconvertError":"{\"MetaData\": \"x\"}"}`},
		{"errorMessage that is not a string", map[string]any{"Error": "MasExecutionError", "Cause": `{"errorMessage": ["x"]}`},
			`{"MediaconvertError":["x"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := newTestHandler().Handle(t.Context(), failureEvent(t, tc.outputs))
			require.NoError(t, err)
			b, err := json.Marshal(out)
			require.NoError(t, err)
			assert.Equal(t, expected(tc.metadata), string(b))
		})
	}
}

// SDK-09, OP-41: an input without Outputs passes through unchanged (the original's test_invalid_input).
func TestOperatorFailedPassThrough(t *testing.T) {
	for _, event := range []string{
		`{"test":"input"}`,
		`{"Name": "Mediainfo", "Status": "Executing", "MetaData": {"n": 1.50}, "Extra": [1, "é"]}`,
	} {
		out, err := newTestHandler().Handle(t.Context(), json.RawMessage(event))
		require.NoError(t, err)
		assert.Equal(t, json.RawMessage(event), out)
	}
	_, err := newTestHandler().Handle(t.Context(), json.RawMessage(`["not", "an", "object"]`))
	var te *sdk.TypeError
	assert.ErrorAs(t, err, &te)
}

// SDK-09, OP-41: the original's test_parameter_validation and test_with_valid_parameters: each required key
// missing fails the function with a KeyError; any JSON value is copied for Input and Configuration.
func TestOperatorFailedRequiredKeys(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"Outputs": map[string]any{"Error": "test_error"},
			"Name":    "testName", "AssetId": "testAssetId", "WorkflowExecutionId": "testWorkflowExecutionId",
			"Input": "testInput", "Configuration": "testConfiguration",
		}
	}
	for _, key := range []string{"Name", "AssetId", "WorkflowExecutionId", "Input", "Configuration"} {
		ev := base()
		delete(ev, key)
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		_, err = newTestHandler().Handle(t.Context(), b)
		assert.Equal(t, &sdk.KeyError{Key: key}, err)
	}
	b, err := json.Marshal(base())
	require.NoError(t, err)
	out, err := newTestHandler().Handle(t.Context(), b)
	require.NoError(t, err)
	got, err := json.Marshal(out)
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"testName","AssetId":"testAssetId","WorkflowExecutionId":"testWorkflowExecutionId",`+
		`"Input":"testInput","Configuration":"testConfiguration","Status":"Error","MetaData":{"testNameError":"test_error"},"Media":{}}`, string(got))
}

// SDK-09: malformed error objects fail the function, with the error types the original raised.
func TestOperatorFailedMalformedOutputs(t *testing.T) {
	cases := []struct {
		name    string
		outputs any
		err     error
	}{
		{"no Error", map[string]any{"Cause": "x"}, &sdk.KeyError{Key: "Error"}},
		{"no Cause", map[string]any{"Error": "MasExecutionError"}, &sdk.KeyError{Key: "Cause"}},
		{"Cause not JSON", map[string]any{"Error": "MasExecutionError", "Cause": "boom"},
			&JSONDecodeError{Message: "Expecting value: line 1 column 1 (char 0)"}},
		{"Cause without errorMessage", map[string]any{"Error": "MasExecutionError", "Cause": `{"errorType": "MasExecutionError"}`},
			&sdk.KeyError{Key: "errorMessage"}},
		{"output without MetaData", map[string]any{"Error": "MasExecutionError", "Cause": `{"errorMessage": "{'Status': 'Error'}"}`},
			&sdk.KeyError{Key: "MetaData"}},
		{"Cause not a string", map[string]any{"Error": "MasExecutionError", "Cause": map[string]any{}},
			&sdk.TypeError{Message: "the Cause of a MasExecutionError must be a string"}},
		{"Cause not an object", map[string]any{"Error": "MasExecutionError", "Cause": `[]`},
			&sdk.TypeError{Message: "the Cause of a MasExecutionError is not a JSON object"}},
		{"Outputs not an object", "x", &sdk.TypeError{Message: "Outputs is not a JSON object"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(map[string]any{"Name": "n", "AssetId": "a", "WorkflowExecutionId": "w",
				"Input": map[string]any{}, "Configuration": map[string]any{}, "Outputs": tc.outputs})
			require.NoError(t, err)
			_, err = newTestHandler().Handle(t.Context(), b)
			assert.Equal(t, tc.err, err)
		})
	}
}

// SDK-09: when the filter fails, the failure state receives the stage object, so the output is named after the
// stage (control-plane Q-14).
func TestOperatorFailedAfterFilterFailure(t *testing.T) {
	stage := `{"Name": "defaultVideoStage", "AssetId": "A1", "WorkflowExecutionId": "W1", "Status": "Started",
	  "Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}, "MetaData": {}},
	  "Configuration": {"Mediainfo": {"MediaType": "Video", "Enabled": true}},
	  "Operations": ["Mediainfo"], "Definition": "{}", "Metrics": {}, "End": true,
	  "Outputs": {"Error": "KeyError", "Cause": "{\"errorMessage\": \"'Enabled'\", \"errorType\": \"KeyError\"}"}}`
	out, err := newTestHandler().Handle(t.Context(), json.RawMessage(stage))
	require.NoError(t, err)
	op := out.(*sdk.Operation)
	assert.Equal(t, "defaultVideoStage", op.Name)
	assert.Equal(t, map[string]any{"defaultVideoStageError": "KeyError"}, op.MetaData)
	assert.JSONEq(t, `{"Mediainfo": {"MediaType": "Video", "Enabled": true}}`, string(op.Configuration))
}
