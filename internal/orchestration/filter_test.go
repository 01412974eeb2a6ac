package orchestration

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

func TestFilter(t *testing.T) {
	// CP-35 (§16 test_filter_operation_lambda, §8.4): the eight-key output, StageName and Type dropped, Status from
	// the media type and Enabled.
	event := func(cfg, media string) string {
		return `{"StageName": "Prep", "Name": "Mediainfo", "Input": {"Media": ` + media + `, "MetaData": {}},
			"Configuration": ` + cfg + `, "AssetId": "A1", "WorkflowExecutionId": "W1", "Type": "Video", "Status": "$.Status"}`
	}
	output := func(cfg, media, status string) string {
		return `{"Name":"Mediainfo","AssetId":"A1","WorkflowExecutionId":"W1","Input":{"Media":` + media + `,"MetaData":{}},` +
			`"Configuration":` + cfg + `,"Status":"` + status + `","MetaData":{},"Media":{}}`
	}
	video := `{"Video":{"S3Bucket":"b","S3Key":"k"}}`
	cases := []struct {
		name, cfg, media, status string
	}{
		{name: "media present", cfg: `{"MediaType":"Video","Enabled":true,"MinConfidence":80.0}`, media: video, status: "Started"},
		{name: "media absent", cfg: `{"MediaType":"Audio","Enabled":true}`, media: video, status: "Skipped"},
		{name: "metadata only", cfg: `{"MediaType":"MetadataOnly","Enabled":true}`, media: `{}`, status: "Started"},
		{name: "disabled", cfg: `{"MediaType":"Video","Enabled":false}`, media: video, status: "Skipped"},
		{name: "truthy string", cfg: `{"MediaType":"Video","Enabled":"false"}`, media: video, status: "Started"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := NewFilter().Handle(t.Context(), operation(t, event(tc.cfg, tc.media)))
			require.NoError(t, err)
			got := outputJSON(t, out)
			assert.Equal(t, output(tc.cfg, tc.media, tc.status), got, "the original's key order; Input and Configuration as sent")
		})
	}

	// §16: MetaData and Media given in the event are kept.
	out, err := NewFilter().Handle(t.Context(), operation(t, waitEvent))
	require.NoError(t, err)
	assert.Equal(t, "Started", out.Status)
	assert.Equal(t, "metadataValue", out.MetaData["test"])
}

func TestLambdaErrorTypes(t *testing.T) {
	// §9.2, §9.4, CP-38: the error types the state machines and operator-failed see, through the Lambda runtime's
	// naming of Go errors.
	reg := lambdainvoke.NewRegistry("us-east-1", "123456789012")
	reg.RegisterFunc("filter", NewFilter().Handle)
	reg.RegisterFunc("complete", newCompleteStage(&fakes{}).Handle)
	reg.RegisterFunc("checkwait", NewCheckWait(&fakes{}, "testExecutionTable").Handle)
	cases := []struct {
		function, payload, errorType, message string
	}{
		{function: "filter", payload: `{"Name": "n", "AssetId": "a", "WorkflowExecutionId": "w", "Input": {}, "Status": "s"}`,
			errorType: "KeyError", message: "'Configuration'"},
		{function: "filter", payload: `{"Name": "n", "AssetId": "a", "WorkflowExecutionId": "w", "Input": {}, "Status": "s", "Configuration": {"Enabled": true}}`,
			errorType: "KeyError", message: "'MediaType'"},
		{function: "complete", payload: string(event(`[]`)), errorType: "ValueError",
			message: "Exception: 'Exception: workflow execution id 'testWorkflowId' not found'"},
		{function: "checkwait", payload: waitEvent, errorType: "MasExecutionError"},
	}
	for _, tc := range cases {
		t.Run(tc.function+" "+tc.errorType, func(t *testing.T) {
			res, err := reg.Invoke(t.Context(), tc.function, []byte(tc.payload))
			require.NoError(t, err)
			require.NotNil(t, res.Error, string(res.Payload))
			assert.Equal(t, tc.errorType, res.Error.Type)
			if tc.message != "" {
				assert.Equal(t, tc.message, res.Error.Message)
			}
		})
	}

	// The completion's output is the next stage object or {}, as JSON.
	res, err := reg.Invoke(t.Context(), "filter", []byte(`{"Name": "n", "AssetId": "a", "WorkflowExecutionId": "w", "Input": {"Media": {}},
		"Status": "s", "Configuration": {"MediaType": "MetadataOnly", "Enabled": true}}`))
	require.NoError(t, err)
	require.Nil(t, res.Error)
	var out map[string]any
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	assert.Len(t, out, 8)
}
