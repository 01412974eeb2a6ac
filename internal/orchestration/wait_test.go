package orchestration

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk"
)

// waitEvent is the §16 operator parameter (test_app.py), Media as an object: the Go operation object cannot hold
// the string the original's test used there.
const waitEvent = `{"Name": "testName", "AssetId": "testAssetId", "WorkflowExecutionId": "testWorkflowId",
	"Configuration": {"Enabled": true, "MediaType": "testMedia"}, "Status": "testStatus", "MetaData": {"test": "metadataValue"},
	"Media": {"testMedia": {"S3Bucket": "b", "S3Key": "k"}}, "Input": {"Media": {"testMedia": "testMediaValue"}}}`

func operation(t *testing.T, text string) sdk.Operation {
	t.Helper()
	var op sdk.Operation
	require.NoError(t, json.Unmarshal([]byte(text), &op))
	return op
}

// outputJSON renders a handler's output object as the Lambda runtime does.
func outputJSON(t *testing.T, out any) string {
	t.Helper()
	b, err := json.Marshal(out)
	require.NoError(t, err)
	return string(b)
}

func TestStartWait(t *testing.T) {
	// CP-38 (§16 test_start_wait_operation_lambda): Waiting is written (releasing the Started execution's slot,
	// without a scheduler trigger) and the event comes back unchanged.
	f := &fakes{}
	out, err := NewStartWait(newStore(f)).Handle(t.Context(), operation(t, waitEvent))
	require.NoError(t, err)
	assert.JSONEq(t, waitEvent, outputJSON(t, out))
	assert.Equal(t, []string{"TransactWriteItems"}, f.ops())
	expr, values := statusWrite(f.calls[0])
	assert.Equal(t, "SET #workflow_status = :workflow_status", expr)
	assert.Equal(t, str("Waiting"), values[":workflow_status"])
	assert.Equal(t, str("Started"), values[":from_status"])
}

func TestStartWaitFailure(t *testing.T) {
	// CP-38: a failed write is a MasExecutionError carrying Status Error and WaitError.
	f := &fakes{txErrs: []error{apiError("TransactWriteItems", "ProvisionedThroughputExceededException", "slow down")}}
	_, err := NewStartWait(newStore(f)).Handle(t.Context(), operation(t, waitEvent))
	var mas *sdk.MasExecutionError
	require.ErrorAs(t, err, &mas)
	out := mas.Output.(*sdk.Operation)
	assert.Equal(t, "Error", out.Status)
	assert.Equal(t, "Unable to set workflow status to Waiting An error occurred (ProvisionedThroughputExceededException) when calling "+
		"the TransactWriteItems operation: slow down", out.MetaData["WaitError"])
	assert.Equal(t, "metadataValue", out.MetaData["test"])
}

func TestCheckWait(t *testing.T) {
	// CP-38 (§16 test_check_wait_operation_lambda_*): consistent read; Waiting and, Q-07, Resumed keep polling;
	// Started completes; a missing record or another status fails with WaitError.
	cases := []struct {
		name      string
		item      map[string]types.AttributeValue
		status    string
		waitError string
	}{
		{name: "waiting", item: map[string]types.AttributeValue{"Status": str("Waiting")}, status: "Executing"},
		{name: "resumed", item: map[string]types.AttributeValue{"Status": str("Resumed")}, status: "Executing"},
		{name: "started", item: map[string]types.AttributeValue{"Status": str("Started")}, status: "Complete"},
		{name: "missing", waitError: "Unable to find Waiting workflow execution testWorkflowId"},
		{name: "unexpected", item: map[string]types.AttributeValue{"Status": str("unexpected_status")},
			waitError: "Unexpected workflow execution status unexpected_status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakes{get: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
				return &dynamodb.GetItemOutput{Item: tc.item}, nil
			}}
			out, err := NewCheckWait(f, "testExecutionTable").Handle(t.Context(), operation(t, waitEvent))
			assert.Equal(t, []call{{op: "GetItem", in: &dynamodb.GetItemInput{
				TableName: aws.String("testExecutionTable"), Key: key, ConsistentRead: aws.Bool(true),
			}}}, f.calls)
			if tc.waitError == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.status, out.Status)
				return
			}
			var mas *sdk.MasExecutionError
			require.ErrorAs(t, err, &mas)
			failed := mas.Output.(*sdk.Operation)
			assert.Equal(t, "Error", failed.Status)
			assert.Equal(t, tc.waitError, failed.MetaData["WaitError"])
		})
	}

	f := &fakes{get: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"Id": str("testWorkflowId")}}, nil
	}}
	_, err := NewCheckWait(f, "testExecutionTable").Handle(t.Context(), operation(t, waitEvent))
	assert.Equal(t, &sdk.KeyError{Key: "Status"}, err)
}
