package sdk_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk"
)

// startEvent is operator-sdk §3's START event, with an unusual Configuration: unknown keys, number spellings,
// nesting and key order that must all come back unchanged.
const startEvent = `{
  "Name": "Mediainfo",
  "AssetId": "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33",
  "WorkflowExecutionId": "0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11",
  "Input": {"Media": {"Video": {"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4"}}, "MetaData": {"Z": 1, "A": 2}},
  "Configuration": {"MediaType": "Video", "Enabled": true, "Ratio": 1.50, "Big": 123456789012345678901234567890, "Tiny": 1E-7, "List": [{"b": 1, "a": "é"}]},
  "Status": "Started",
  "MetaData": {"Carried": 2.50},
  "Media": {}
}`

// SDK-01: the exact status strings, spaces included.
func TestStatusConstants(t *testing.T) {
	assert.Equal(t, []string{"Queued", "Started", "Waiting", "Resumed", "Error", "Complete"}, []string{
		sdk.WorkflowStatusQueued, sdk.WorkflowStatusStarted, sdk.WorkflowStatusWaiting, sdk.WorkflowStatusResumed,
		sdk.WorkflowStatusError, sdk.WorkflowStatusComplete})
	assert.Equal(t, []string{"Not Started", "Started", "Executing", "Error", "Complete"}, []string{
		sdk.StageStatusNotStarted, sdk.StageStatusStarted, sdk.StageStatusExecuting, sdk.StageStatusError,
		sdk.StageStatusComplete})
	assert.Equal(t, []string{"Not Started", "Started", "Executing", "Error", "Complete", "Skipped"}, []string{
		sdk.OperationStatusNotStarted, sdk.OperationStatusStarted, sdk.OperationStatusExecuting,
		sdk.OperationStatusError, sdk.OperationStatusComplete, sdk.OperationStatusSkipped})
}

// SDK-02, SDK-22: decoding and re-encoding an event keeps every field; Input and Configuration come back byte for
// byte apart from insignificant whitespace, and numbers in MetaData keep their spelling.
func TestOperationRoundTrip(t *testing.T) {
	var op sdk.Operation
	require.NoError(t, json.Unmarshal([]byte(startEvent), &op))
	assert.Equal(t, "Mediainfo", op.Name)
	assert.Equal(t, "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33", op.AssetID)
	assert.Equal(t, "0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11", op.WorkflowExecutionID)
	assert.Equal(t, "Started", op.Status)
	assert.Equal(t, map[string]any{"Carried": json.Number("2.50")}, op.MetaData)
	assert.Equal(t, map[string]any{}, op.Media)

	out, err := json.Marshal(op)
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"Mediainfo","AssetId":"6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33",`+
		`"WorkflowExecutionId":"0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11",`+
		`"Input":{"Media":{"Video":{"S3Bucket":"mie-dataplane-1a2b3c","S3Key":"upload/keynote.mp4"}},"MetaData":{"Z":1,"A":2}},`+
		`"Configuration":{"MediaType":"Video","Enabled":true,"Ratio":1.50,"Big":123456789012345678901234567890,"Tiny":1E-7,"List":[{"b":1,"a":"\u00e9"}]},`+
		`"Status":"Started","MetaData":{"Carried":2.50},"Media":{}}`, string(out))

	var again sdk.Operation
	require.NoError(t, json.Unmarshal(out, &again))
	assert.Equal(t, op.MetaData, again.MetaData)
	assert.JSONEq(t, string(op.Configuration), string(again.Configuration))
}

// SDK-02: values that are not objects are echoed too (OperatorFailed's unit test passes strings).
func TestOperationEchoesAnyInputType(t *testing.T) {
	var op sdk.Operation
	require.NoError(t, json.Unmarshal([]byte(`{"Name":"n","AssetId":"a","WorkflowExecutionId":"w","Input":"testInput",
		"Configuration":[1,2.0],"Status":"s","MetaData":null}`), &op))
	out, err := json.Marshal(op)
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"n","AssetId":"a","WorkflowExecutionId":"w","Input":"testInput","Configuration":[1,2.0],`+
		`"Status":"s","MetaData":{},"Media":{}}`, string(out))
	_, err = op.InputObject()
	var te *sdk.TypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "Input must be a JSON object, not str", te.Message)
	_, err = op.ConfigurationObject()
	assert.EqualError(t, err, "Configuration must be a JSON object, not list")
}

// SDK-03: the required keys are checked in the original's order and reported as a KeyError; MetaData and Media are
// optional.
func TestOperationRequiredKeys(t *testing.T) {
	full := map[string]any{"Name": "n", "AssetId": "a", "WorkflowExecutionId": "w", "Input": map[string]any{},
		"Configuration": map[string]any{}, "Status": "Started", "MetaData": map[string]any{}, "Media": map[string]any{}}
	for _, key := range []string{"Name", "AssetId", "WorkflowExecutionId", "Input", "Configuration", "Status"} {
		t.Run(key, func(t *testing.T) {
			ev := map[string]any{}
			for k, v := range full {
				if k != key {
					ev[k] = v
				}
			}
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			var op sdk.Operation
			err = json.Unmarshal(b, &op)
			var ke *sdk.KeyError
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, key, ke.Key)
			assert.Equal(t, "'"+key+"'", err.Error())
			assert.Equal(t, "KeyError", reflect.TypeOf(err).Elem().Name(), "the Lambda errorType")
		})
	}
	t.Run("first missing wins", func(t *testing.T) {
		var op sdk.Operation
		assert.EqualError(t, json.Unmarshal([]byte(`{"Status":"s"}`), &op), "'Name'")
	})
	t.Run("optional", func(t *testing.T) {
		var op sdk.Operation
		require.NoError(t, json.Unmarshal([]byte(`{"Name":"n","AssetId":"a","WorkflowExecutionId":"w","Input":{},"Configuration":{},"Status":"s"}`), &op))
		assert.Equal(t, map[string]any{}, op.MetaData)
		assert.Equal(t, map[string]any{}, op.Media)
	})
	t.Run("wrong types", func(t *testing.T) {
		var op sdk.Operation
		err := json.Unmarshal([]byte(`{"Name":1,"AssetId":"a","WorkflowExecutionId":"w","Input":{},"Configuration":{},"Status":"s"}`), &op)
		assert.EqualError(t, err, "Name must be a string, not int")
		err = json.Unmarshal([]byte(`{"Name":"n","AssetId":"a","WorkflowExecutionId":"w","Input":{},"Configuration":{},"Status":"s","Media":[]}`), &op)
		assert.EqualError(t, err, "Media must be a JSON object, not list")
		assert.Error(t, json.Unmarshal([]byte(`[]`), &op))
	})
}

// SDK-04: the full output object has exactly the eight keys, in the original's order, and WorkflowInfo the two
// identifiers.
func TestFullOutputObject(t *testing.T) {
	var ev sdk.Operation
	require.NoError(t, json.Unmarshal([]byte(startEvent), &ev))
	h := sdk.NewOperationHelper(ev)
	assert.Equal(t, map[string]any{"AssetId": ev.AssetID, "WorkflowExecutionId": ev.WorkflowExecutionID}, h.WorkflowInfo())

	out := h.ReturnOutputObject()
	b, err := json.Marshal(out)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	_, err = dec.Token()
	require.NoError(t, err)
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	assert.Equal(t, []string{"Name", "AssetId", "WorkflowExecutionId", "Input", "Configuration", "Status", "MetaData", "Media"}, keys)
}

// SDK-05, SDK-06: status, metadata and media updates, starting from the event's values.
func TestOperationHelperUpdates(t *testing.T) {
	var ev sdk.Operation
	require.NoError(t, json.Unmarshal([]byte(startEvent), &ev))
	h := sdk.NewOperationHelper(ev)
	h.UpdateWorkflowStatus("anything at all")
	assert.Equal(t, "anything at all", h.ReturnOutputObject().Status, "statuses are not validated (SQ-12)")
	h.UpdateWorkflowStatus(sdk.OperationStatusComplete)

	h.AddWorkflowMetadata("Mediainfo_num_audio_tracks", "1")
	h.AddWorkflowMetadata("Carried", "replaced")
	h.AddWorkflowMetadataJSON(map[string]any{"JobId": "j1", "Mediainfo_num_audio_tracks": "2"})
	h.AddWorkflowMetadataJSON(h.WorkflowInfo())
	h.AddMediaObject("Audio", "b1", "k1")
	h.AddMediaObject("Audio", "b2", "k2")
	h.AddMediaObject("Text", "b3", "k3")

	out := h.ReturnOutputObject()
	assert.Equal(t, sdk.OperationStatusComplete, out.Status)
	assert.Equal(t, map[string]any{
		"Carried": "replaced", "Mediainfo_num_audio_tracks": "2", "JobId": "j1",
		"AssetId": ev.AssetID, "WorkflowExecutionId": ev.WorkflowExecutionID,
	}, out.MetaData)
	assert.Equal(t, map[string]any{
		"Audio": map[string]any{"S3Bucket": "b2", "S3Key": "k2"},
		"Text":  map[string]any{"S3Bucket": "b3", "S3Key": "k3"},
	}, out.Media)
	assert.Equal(t, map[string]any{"Carried": json.Number("2.50")}, ev.MetaData, "the event itself is not changed")

	h.AddWorkflowMetadata("Later", true)
	assert.NotContains(t, out.MetaData, "Later", "a returned object is not changed by later updates")

	b, err := json.Marshal(out)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Media":{"Audio":{"S3Bucket":"b2","S3Key":"k2"},"Text":{"S3Bucket":"b3","S3Key":"k3"}}`)
}

// SDK-05: float metadata is written as Python writes floats, which the data plane and later stages see.
func TestFloatMetadataSpelling(t *testing.T) {
	h := sdk.NewOutputHelper("op")
	h.AddWorkflowMetadata("Start", 2.0)
	h.AddWorkflowMetadata("Tiny", 0.00001)
	b, err := json.Marshal(h.ReturnOutputObject())
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"op","Status":"","MetaData":{"Start":2.0,"Tiny":1e-05},"Media":{}}`, string(b))
}

// SDK-07: the reduced object has four keys, starts empty with Status "", and does not inherit anything.
func TestOutputHelper(t *testing.T) {
	h := sdk.NewOutputHelper("labelDetection")
	b, err := json.Marshal(h.ReturnOutputObject())
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"labelDetection","Status":"","MetaData":{},"Media":{}}`, string(b))

	h.UpdateWorkflowStatus(sdk.OperationStatusExecuting)
	h.AddWorkflowMetadata("JobId", "4a1f")
	h.AddWorkflowMetadata("JobId", "4a1g")
	h.AddMediaObject("Video", "b", "k")
	b, err = json.Marshal(h.ReturnOutputObject())
	require.NoError(t, err)
	assert.Equal(t, `{"Name":"labelDetection","Status":"Executing","MetaData":{"JobId":"4a1g"},"Media":{"Video":{"S3Bucket":"b","S3Key":"k"}}}`, string(b))

	var back sdk.ReducedOutput
	require.NoError(t, json.Unmarshal([]byte(`{"Name":"labelDetection","Status":"Executing","MetaData":{"N":1.0},"Media":{}}`), &back))
	assert.Equal(t, sdk.ReducedOutput{Name: "labelDetection", Status: "Executing", MetaData: map[string]any{"N": json.Number("1.0")}, Media: map[string]any{}}, back)
	require.NoError(t, json.Unmarshal([]byte(`{}`), &back))
	assert.Equal(t, sdk.ReducedOutput{MetaData: map[string]any{}, Media: map[string]any{}}, back)
	assert.EqualError(t, json.Unmarshal([]byte(`{"Status":[]}`), &back), "Status must be a string, not list")
}
