package orchestration

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// event is a stage completion event: the §16 operator parameter (test_app.py) with the given Outputs.
func event(outputs string) json.RawMessage {
	return json.RawMessage(`{"Name": "testName", "AssetId": "testAssetId", "WorkflowExecutionId": "testWorkflowId",
		"Configuration": {"Enabled": true, "MediaType": "testMedia"}, "Status": "testStatus", "MetaData": {"test": "metadataValue"},
		"Input": {"Media": {"testMedia": "testMediaValue"}}, "Outputs": ` + outputs + `}`)
}

// oneStage is a record whose only stage, testName, is the last.
const oneStage = `{"Id": "testWorkflowId", "Status": "Started", "CurrentStage": "testName",
	"Workflow": {"Stages": {"testName": {"Outputs": {}, "End": true}}}, "Globals": {"Media": {}}}`

func newCompleteStage(f *fakes) *CompleteStage {
	return NewCompleteStage(newStore(f), f, "testExecutionTable", nil)
}

// errorMessages returns the Message of every Error written, in order.
func errorMessages(f *fakes) []string {
	var out []string
	for _, c := range f.calls {
		if c.failed {
			continue
		}
		if _, values := statusWrite(c); values[":workflow_status"] != nil {
			if m, ok := values[":message"].(*types.AttributeValueMemberS); ok {
				out = append(out, m.Value)
			}
		}
	}
	return out
}

var schedulerInvoke = &lambda.InvokeInput{FunctionName: aws.String("testSchedulerLambdaArn"), InvocationType: lambdatypes.InvocationTypeEvent}

func TestCompleteLastStage(t *testing.T) {
	// CP-36, CP-37 (§16 test_complete_stage_execution_lambda): the outputs' media and metadata roll up into the
	// globals with the two-attribute update; the last stage ends the execution with its status, which releases the
	// slot and triggers the scheduler; the output is {}.
	f := &fakes{get: itemOf(t, oneStage)}
	out, err := newCompleteStage(f).Handle(t.Context(), event(`[
		{"Name": "testName", "Status": "Complete", "Media": {"media1": "value1", "media2": "value2"}},
		{"Name": "testName", "Status": "Complete", "MetaData": {"metadata1": "value1", "metadata2": "value2"}}]`))
	require.NoError(t, err)
	assert.Equal(t, 0, out.Len())

	assert.Equal(t, []string{"GetItem", "UpdateItem", "UpdateItem", "TransactWriteItems", "Invoke"}, f.ops())
	assert.Equal(t, &dynamodb.GetItemInput{TableName: aws.String("testExecutionTable"), Key: key, ConsistentRead: aws.Bool(true)}, f.calls[0].in)
	assert.Equal(t, &dynamodb.UpdateItemInput{
		TableName:                aws.String("testExecutionTable"),
		Key:                      key,
		UpdateExpression:         aws.String("SET Workflow.Stages.#stage = :stage, Globals = :globals"),
		ConditionExpression:      aws.String("attribute_exists(Id)"),
		ExpressionAttributeNames: map[string]string{"#stage": "testName"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":stage": av(t, `{"Outputs": [{"Name": "testName", "Status": "Complete", "Media": {"media1": "value1", "media2": "value2"}},
				{"Name": "testName", "Status": "Complete", "MetaData": {"metadata1": "value1", "metadata2": "value2"}}], "End": true, "Status": "Complete"}`),
			":globals": av(t, `{"Media": {"media1": "value1", "media2": "value2"}, "MetaData": {"metadata1": "value1", "metadata2": "value2"}}`),
		},
	}, f.calls[1].in)
	assert.Equal(t, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("testExecutionTable"),
		Key:                       key,
		UpdateExpression:          aws.String("SET CurrentStage = :current_stage"),
		ConditionExpression:       aws.String("attribute_exists(Id)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":current_stage": str("End")},
	}, f.calls[2].in)
	expr, values := statusWrite(f.calls[3])
	assert.Equal(t, "SET #workflow_status = :workflow_status", expr)
	assert.Equal(t, str("Complete"), values[":workflow_status"])
	assert.Equal(t, schedulerInvoke, f.calls[4].in)
}

func TestCompleteStageStartsTheNext(t *testing.T) {
	// CP-36 (§8.5's constructed roll-up), CP-37: the next stage gets the globals as Input and status Started, is
	// written with CurrentStage in one update, the execution's status is written again (Started, no trigger), and
	// the next stage object is the output.
	rec := `{"Id": "testWorkflowId", "Status": "Started", "CurrentStage": "Prep",
		"Globals": {"Media": {"Video": {"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4"}}, "MetaData": {}},
		"Workflow": {"Stages": {
			"Prep": {"Name": "Prep", "Next": "Analyze", "Status": "Started"},
			"Analyze": {"Name": "Analyze", "End": true, "Status": "Not Started", "Configuration": {"LabelDetect": {"MinConfidence": 80}}}}}}`
	f := &fakes{get: itemOf(t, rec)}
	out, err := newCompleteStage(f).Handle(t.Context(), json.RawMessage(`{"Name": "Prep", "Status": "Started", "WorkflowExecutionId": "testWorkflowId",
		"Outputs": [
			{"Name": "Mediainfo", "Status": "Complete", "Media": {}, "MetaData": {"Mediainfo_num_audio_tracks": "1"}},
			{"Name": "Thumbnail", "Status": "Complete", "Media": {"Thumbnail": {"S3Bucket": "b", "S3Key": "k.jpg"}}, "MetaData": {"ThumbnailJobId": "j-1"}},
			{"Name": "Skipped", "Status": "Skipped", "Media": {}, "MetaData": {}}]}`))
	require.NoError(t, err)

	globals := `{"Media": {"Video": {"S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/keynote.mp4"}, "Thumbnail": {"S3Bucket": "b", "S3Key": "k.jpg"}},
		"MetaData": {"Mediainfo_num_audio_tracks": "1", "ThumbnailJobId": "j-1"}}`
	next := `{"Name": "Analyze", "End": true, "Status": "Started", "Configuration": {"LabelDetect": {"MinConfidence": 80}}, "Input": ` + globals + `}`
	got, err := pyjson.Compact(out)
	require.NoError(t, err)
	assert.JSONEq(t, next, string(got))

	assert.Equal(t, []string{"GetItem", "UpdateItem", "UpdateItem", "UpdateItem"}, f.ops())
	rollUp := f.calls[1].in.(*dynamodb.UpdateItemInput)
	assert.Equal(t, av(t, globals), rollUp.ExpressionAttributeValues[":globals"])
	assert.Equal(t, &dynamodb.UpdateItemInput{
		TableName:                aws.String("testExecutionTable"),
		Key:                      key,
		UpdateExpression:         aws.String("SET Workflow.Stages.#stage = :stage, CurrentStage = :current_stage"),
		ConditionExpression:      aws.String("attribute_exists(Id)"),
		ExpressionAttributeNames: map[string]string{"#stage": "Analyze"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":stage":         av(t, next),
			":current_stage": str("Analyze"),
		},
	}, f.calls[2].in)
	assert.Equal(t, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("testExecutionTable"),
		Key:                       key,
		UpdateExpression:          aws.String("SET #workflow_status = :workflow_status"),
		ConditionExpression:       aws.String("attribute_exists(Id) AND #workflow_status = :from_status"),
		ExpressionAttributeNames:  statusNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{":workflow_status": str("Started"), ":from_status": str("Started")},
	}, f.calls[3].in)
}

func TestCompleteStageOnlyEndTrueIsFinal(t *testing.T) {
	// a stage with End false and a Next advances; the original ended the execution there.
	rec := `{"Id": "testWorkflowId", "Status": "Started", "CurrentStage": "A", "Globals": {"Media": {}, "MetaData": {}},
		"Workflow": {"Stages": {"A": {"End": false, "Next": "B"}, "B": {"End": true}}}}`
	f := &fakes{get: itemOf(t, rec)}
	out, err := newCompleteStage(f).Handle(t.Context(), json.RawMessage(`{"Name": "A", "Status": "Started", "WorkflowExecutionId": "testWorkflowId", "Outputs": []}`))
	require.NoError(t, err)
	name, _ := out.Get("Status")
	assert.Equal(t, "Started", name)
	assert.Equal(t, str("B"), f.calls[2].in.(*dynamodb.UpdateItemInput).ExpressionAttributeValues[":current_stage"])

	// A stage that is neither final nor followed is an error, not a silent end.
	rec = `{"Id": "testWorkflowId", "Status": "Started", "CurrentStage": "A", "Globals": {"Media": {}, "MetaData": {}},
		"Workflow": {"Stages": {"A": {"End": false}}}}`
	f = &fakes{get: itemOf(t, rec)}
	_, err = newCompleteStage(f).Handle(t.Context(), json.RawMessage(`{"Name": "A", "Status": "Started", "WorkflowExecutionId": "testWorkflowId", "Outputs": []}`))
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Exception: 'Exception: 'Stage A has End False and no Next''", ve.Message)
}

func TestCompleteStageFailures(t *testing.T) {
	// CP-37, §8.8: the messages the execution ends with and the Lambda's ValueError.
	cases := []struct {
		name     string
		record   string
		outputs  string
		messages []string
		err      string
		// current is the CurrentStage written back by the error path.
		current string
	}{
		{
			// §16 test_complete_stage_execution_lambda_error_output.
			name:    "failed last stage",
			record:  oneStage,
			outputs: `[{"Name": "testName", "Status": "Error"}, {"Name": "testName", "Status": "Error", "Message": "message"}]`,
			messages: []string{"stage completed with status Error",
				"Exception while rolling up stage status Stage testName encountered and error during execution, aborting the workflow"},
			err:     "Exception: 'Stage testName encountered and error during execution, aborting the workflow'",
			current: "End",
		},
		{
			name: "failed stage with a next",
			record: `{"Id": "testWorkflowId", "Status": "Started", "CurrentStage": "testName", "Globals": {"Media": {}, "MetaData": {}},
				"Workflow": {"Stages": {"testName": {"Next": "B"}, "B": {"End": true}}}}`,
			outputs: `[{"Name": "op", "Status": "Executing"}]`,
			messages: []string{"stage completed with status Error",
				"Exception while rolling up stage status Stage testName encountered and error during execution, aborting the workflow"},
			err:     "Exception: 'Stage testName encountered and error during execution, aborting the workflow'",
			current: "testName",
		},
		{
			name:    "duplicate media type",
			record:  oneStage,
			outputs: `[{"Name": "a", "Status": "Complete", "Media": {"Video": {"S3Key": "1"}}}, {"Name": "b", "Status": "Complete", "Media": {"Video": {"S3Key": "2"}}}]`,
			messages: []string{
				"Exception while rolling up stage status Duplicate mediaType 'Video' found in operation output media.  mediaType keys must be unique within a stage.",
				"Exception while rolling up stage status Error rolling up stage status: Duplicate mediaType 'Video' found in operation output media.  mediaType keys must be unique within a stage.",
			},
			err:     "Exception: 'Error rolling up stage status: Duplicate mediaType 'Video' found in operation output media.  mediaType keys must be unique within a stage.'",
			current: "testName",
		},
		{
			// §8.8: a Parallel failure hands the error object instead of the list.
			name:    "parallel error object",
			record:  oneStage,
			outputs: `{"Error": "States.Runtime", "Cause": "boom"}`,
			messages: []string{
				"Exception while rolling up stage status string indices must be integers, not 'str'",
				"Exception while rolling up stage status Error rolling up stage status: string indices must be integers, not 'str'",
			},
			err:     "Exception: 'Error rolling up stage status: string indices must be integers, not 'str''",
			current: "testName",
		},
		{
			name:    "output without status",
			record:  oneStage,
			outputs: `[{"Name": "a"}]`,
			messages: []string{
				"Exception while rolling up stage status 'Status'",
				"Exception while rolling up stage status Error rolling up stage status: 'Status'",
			},
			err:     "Exception: 'Error rolling up stage status: 'Status''",
			current: "testName",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The first status write finds the execution Started; the later ones find it Error.
			f := &fakes{get: itemOf(t, tc.record), txErrs: []error{nil, cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"),
				cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed")}}
			_, err := newCompleteStage(f).Handle(t.Context(), event(tc.outputs))
			var ve *ValueError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.err, ve.Message)
			assert.Equal(t, tc.messages, errorMessages(f))
			var writeBack *dynamodb.UpdateItemInput
			for _, c := range f.calls {
				if in, ok := c.in.(*dynamodb.UpdateItemInput); ok && aws.ToString(in.UpdateExpression) == "SET Workflow = :workflow, Globals = :globals, CurrentStage = :currentstage" {
					writeBack = in
				}
			}
			require.NotNil(t, writeBack, "Q-37: the record is written back")
			assert.Equal(t, aws.String("attribute_exists(Id)"), writeBack.ConditionExpression)
			assert.Equal(t, str(tc.current), writeBack.ExpressionAttributeValues[":currentstage"])
		})
	}
}

func TestCompleteStageAdvanceFailure(t *testing.T) {
	// §8.5 step 4: a failed write while advancing nests the original's messages.
	rec := `{"Id": "testWorkflowId", "Status": "Started", "CurrentStage": "A", "Globals": {"Media": {}, "MetaData": {}},
		"Workflow": {"Stages": {"A": {"Next": "B"}, "B": {"End": true}}}}`
	boom := apiError("UpdateItem", "ProvisionedThroughputExceededException", "slow down")
	updates := 0
	f := &fakes{get: itemOf(t, rec), txErrs: []error{cancelled("ConditionalCheckFailed", "None", "None")}}
	f.update = func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		updates++
		if updates == 2 {
			return nil, boom
		}
		return &dynamodb.UpdateItemOutput{}, nil
	}
	_, err := newCompleteStage(f).Handle(t.Context(), json.RawMessage(`{"Name": "A", "Status": "Started", "WorkflowExecutionId": "testWorkflowId", "Outputs": []}`))
	e := "An error occurred (ProvisionedThroughputExceededException) when calling the UpdateItem operation: slow down"
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Exception: 'Exception: 'Exception queuing work item: "+e+" ''", ve.Message)
	assert.Equal(t, []string{
		"Exception queuing work item: " + e + " ",
		"Exception Exception queuing work item: " + e + " ",
		"Exception while rolling up stage status Exception: 'Exception queuing work item: " + e + " '",
	}, errorMessages(f))
}

func TestCompleteStageOfADeletedExecution(t *testing.T) {
	// the record was deleted while its state machine ran. The Lambda fails cleanly and writes nothing.
	f := &fakes{}
	_, err := newCompleteStage(f).Handle(t.Context(), event(`[]`))
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Exception: 'Exception: workflow execution id 'testWorkflowId' not found'", ve.Message)
	assert.Equal(t, []string{"GetItem"}, f.ops())
}

func TestCompleteStageEventKeys(t *testing.T) {
	// §9.4: the original read these keys before anything else; a missing one is a KeyError.
	for _, k := range []string{"Name", "Status", "Outputs", "WorkflowExecutionId"} {
		ev := decode(t, string(event(`[]`)))
		ev.Delete(k)
		raw, err := pyjson.Compact(ev)
		require.NoError(t, err)
		f := &fakes{}
		_, err = newCompleteStage(f).Handle(t.Context(), raw)
		assert.Equal(t, &sdk.KeyError{Key: k}, err)
		assert.Empty(t, f.calls)
	}
}
