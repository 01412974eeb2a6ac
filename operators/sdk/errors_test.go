package sdk_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/operators/sdk"
)

// failingOperator is a START Lambda that fails the conventional way.
func failingOperator(_ context.Context, ev sdk.Operation) (*sdk.Operation, error) {
	h := sdk.NewOperationHelper(ev)
	h.UpdateWorkflowStatus(sdk.OperationStatusError)
	h.AddWorkflowMetadata("MediainfoError", "File does not contain valid video, audio, image, or text content")
	return nil, h.MasExecutionError()
}

// invoke calls a handler through the Lambda Invoke API as Step Functions would, and returns the function error.
func invoke(t *testing.T, handler any, event string) (functionError string, payload map[string]any) {
	t.Helper()
	reg := lambdainvoke.NewRegistry("us-east-1", "123456789012")
	reg.RegisterFunc("operator", handler)
	srv := httptest.NewServer(lambdainvoke.NewServer(reg))
	t.Cleanup(srv.Close)
	client := lambda.New(lambda.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	out, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("operator"), Payload: []byte(event)})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out.Payload, &payload))
	return aws.ToString(out.FunctionError), payload
}

// SDK-08: a returned *MasExecutionError reaches Step Functions as errorType "MasExecutionError", the name the
// compiled Retry and Catch rules match, with the output object as JSON for OperatorFailed.
func TestMasExecutionErrorContract(t *testing.T) {
	assert.Equal(t, "MasExecutionError", reflect.TypeOf(&sdk.MasExecutionError{}).Elem().Name())

	fnErr, payload := invoke(t, failingOperator, startEvent)
	assert.Equal(t, "Unhandled", fnErr)
	assert.Equal(t, "MasExecutionError", payload["errorType"])
	var output map[string]any
	require.NoError(t, json.Unmarshal([]byte(payload["errorMessage"].(string)), &output))
	assert.Equal(t, "Error", output["Status"])
	assert.Equal(t, map[string]any{"Carried": 2.5, "MediainfoError": "File does not contain valid video, audio, image, or text content"}, output["MetaData"])
	assert.Equal(t, "6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33", output["AssetId"])

	// An event without a required key fails with KeyError, which is not retried.
	_, payload = invoke(t, failingOperator, `{"Name": "Mediainfo"}`)
	assert.Equal(t, "KeyError", payload["errorType"])
	assert.Equal(t, "'AssetId'", payload["errorMessage"])
}

// SDK-08: Error() is the output object as JSON with Python's spacing, from either helper.
func TestMasExecutionErrorText(t *testing.T) {
	out := sdk.NewOutputHelper("labelDetection")
	out.UpdateWorkflowStatus(sdk.OperationStatusError)
	out.AddWorkflowMetadata("LabelDetectionError", "Unable to upload metadata for asset: A")
	out.AddWorkflowMetadata("Retry", true)
	assert.Equal(t, `{"Name": "labelDetection", "Status": "Error", "MetaData": {"LabelDetectionError": "Unable to upload metadata for asset: A", "Retry": true}, "Media": {}}`,
		out.MasExecutionError().Error())

	var ev sdk.Operation
	require.NoError(t, json.Unmarshal([]byte(`{"Name":"n","AssetId":"a","WorkflowExecutionId":"w","Input":{"Media":{}},"Configuration":{"Enabled":true},"Status":"Started"}`), &ev))
	op := sdk.NewOperationHelper(ev)
	op.UpdateWorkflowStatus(sdk.OperationStatusError)
	op.AddWorkflowMetadata("nError", "é")
	assert.Equal(t, `{"Name": "n", "AssetId": "a", "WorkflowExecutionId": "w", "Input": {"Media": {}}, "Configuration": {"Enabled": true}, "Status": "Error", "MetaData": {"nError": "\u00e9"}, "Media": {}}`,
		op.MasExecutionError().Error())

	bad := sdk.NewMasExecutionError(map[string]any{"MetaData": math.Inf(1)})
	assert.Contains(t, bad.Error(), "operator output cannot be encoded as JSON")
}
