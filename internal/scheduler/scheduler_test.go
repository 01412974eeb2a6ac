package scheduler

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

func TestSchedulerStartsAQueuedExecution(t *testing.T) {
	// CP-33 (§16 test_workflow_scheduler_lambda_empty_queue): limit 2, one slot held, so one message is received;
	// the slot is taken, the state machine started with name <Workflow><Id> and the stage object as input, the ARN
	// recorded, and (Q-22, CP-46) only then the message deleted.
	f := &fakes{get: tables(num(2), 1, "", ""), receive: once(queuedBody)}
	out, err := newTestScheduler(f).Handle(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "", out)

	assert.Equal(t, []string{"GetItem", "GetItem", "ReceiveMessage", "TransactWriteItems", "StartExecution", "UpdateItem",
		"DeleteMessage", "GetItem", "ReceiveMessage"}, f.ops())
	assert.Equal(t, &dynamodb.GetItemInput{
		TableName:      aws.String("testSystemTable"),
		Key:            map[string]types.AttributeValue{"Name": str("MaxConcurrentWorkflows")},
		ConsistentRead: aws.Bool(true),
	}, f.calls[0].in)
	assert.Equal(t, &sqs.ReceiveMessageInput{QueueUrl: aws.String("testExecutionQueueUrl"), MaxNumberOfMessages: 1}, f.calls[2].in,
		"min(free, 10) messages, the queue's own wait time")
	take := f.calls[3].in.(*dynamodb.TransactWriteItemsInput).TransactItems
	require.Len(t, take, 3)
	assert.Equal(t, num(2), take[0].Update.ExpressionAttributeValues[":limit"])
	assert.Equal(t, str("Queued"), take[2].Update.ExpressionAttributeValues[":from_status"])
	assert.Equal(t, str("Started"), take[2].Update.ExpressionAttributeValues[":workflow_status"])
	assert.Equal(t, &sfn.StartExecutionInput{
		StateMachineArn: aws.String("testStateMachineArn"),
		Name:            aws.String("testWorkflowNametestWorkflowId"),
		Input:           aws.String("{}"),
	}, f.calls[4].in)
	assert.Equal(t, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("testExecutionTable"),
		Key:                       map[string]types.AttributeValue{"Id": str("testWorkflowId")},
		UpdateExpression:          aws.String("SET StateMachineExecutionArn = :arn"),
		ConditionExpression:       aws.String("attribute_exists(Id)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":arn": str("testExecutionArn")},
	}, f.calls[5].in)
	assert.Equal(t, &sqs.DeleteMessageInput{QueueUrl: aws.String("testExecutionQueueUrl"), ReceiptHandle: aws.String("testReceiptHandle0")}, f.calls[6].in)
}

func TestSchedulerIgnoresItsEvent(t *testing.T) {
	// CP-34: the one-minute EventBridge tick and the asynchronous invocations without payload run the same code.
	reg := lambdainvoke.NewRegistry("us-east-1", "123456789012")
	f := &fakes{get: tables(num(1), 1, "", "")}
	reg.RegisterFunc("scheduler", newTestScheduler(f).Handle)
	for _, payload := range []string{"", `{"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}`} {
		res, err := reg.Invoke(t.Context(), "scheduler", []byte(payload))
		require.NoError(t, err)
		require.Nil(t, res.Error)
		assert.Equal(t, `""`, string(res.Payload))
	}
}

func TestSchedulerStageInputIsPythonJSON(t *testing.T) {
	// §8.3: the input is json.dumps of the current stage object, keys in the message's order.
	body := `{"Status": "Queued", "Id": "3f0c", "CurrentStage": "Prep", "Workflow": {"StateMachineArn": "arn:sm", "Name": "MyWF",
		"Stages": {"Prep": {"Next": "Analyze", "Name": "Prep", "Status": "Started", "Configuration": {"Mediainfo": {"MediaType": "Video", "Enabled": true, "N": 1.50}},
		"Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k\u00e9"}}, "MetaData": {}}}, "Analyze": {"End": true}}}}`
	f := &fakes{get: tables(nil, 0, "", ""), receive: once(body)}
	require.NoError(t, newTestScheduler(f).Run(t.Context()))
	start := inputs[*sfn.StartExecutionInput](f, "StartExecution")
	require.Len(t, start, 1)
	assert.Equal(t, "MyWF3f0c", aws.ToString(start[0].Name))
	assert.Equal(t, `{"Next": "Analyze", "Name": "Prep", "Status": "Started", "Configuration": {"Mediainfo": {"MediaType": "Video", "Enabled": true, "N": 1.50}}, `+
		`"Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k\u00e9"}}, "MetaData": {}}}`, aws.ToString(start[0].Input))
	assert.Equal(t, int32(10), inputs[*sqs.ReceiveMessageInput](f, "ReceiveMessage")[0].MaxNumberOfMessages,
		"CP-43: no System item, the configured default (10 when unset); at most 10 per receive")
}

func TestSchedulerLimitReached(t *testing.T) {
	// §16 test_workflow_scheduler_lambda_max_concurrency_reached: nothing is received.
	f := &fakes{get: tables(num(1), 1, "", "")}
	require.NoError(t, newTestScheduler(f).Run(t.Context()))
	assert.Equal(t, []string{"GetItem", "GetItem"}, f.ops())
}

func TestSchedulerLimitValues(t *testing.T) {
	// §4.1: int(Value) of the System item.
	cases := []struct {
		value types.AttributeValue
		want  int32
		err   string
	}{
		{value: num(3), want: 3},
		{value: &types.AttributeValueMemberN{Value: "2.9"}, want: 2},
		{value: str("4"), want: 4},
		{value: &types.AttributeValueMemberBOOL{Value: true}, want: 1},
		{value: str("many"), err: "MaxConcurrentWorkflows: invalid literal for int() with base 10: 'many'"},
	}
	for _, tc := range cases {
		f := &fakes{get: tables(tc.value, 0, "", "")}
		err := newTestScheduler(f).Run(t.Context())
		if tc.err != "" {
			assert.EqualError(t, err, tc.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, inputs[*sqs.ReceiveMessageInput](f, "ReceiveMessage")[0].MaxNumberOfMessages)
	}
}

func TestConfigFromLookup(t *testing.T) {
	// CP-43: DEFAULT_MAX_CONCURRENT_WORKFLOWS (the stack parameter) is the default limit; 10 when unset.
	env := map[string]string{
		"WORKFLOW_EXECUTION_TABLE_NAME": "e", "EXECUTION_SLOT_TABLE_NAME": "s", "STAGE_EXECUTION_QUEUE_URL": "q",
		"SYSTEM_TABLE_NAME": "sys",
	}
	cfg, err := ConfigFromLookup(awsconf.MapLookup(env))
	require.NoError(t, err)
	assert.Equal(t, Config{Executions: executions.Config{ExecutionTable: "e", SlotTable: "s"}, QueueURL: "q", SystemTable: "sys", DefaultLimit: 10}, cfg)
	env["DEFAULT_MAX_CONCURRENT_WORKFLOWS"] = "5"
	cfg, err = ConfigFromLookup(awsconf.MapLookup(env))
	require.NoError(t, err)
	assert.Equal(t, 5, cfg.DefaultLimit)
	env["DEFAULT_MAX_CONCURRENT_WORKFLOWS"] = "five"
	_, err = ConfigFromLookup(awsconf.MapLookup(env))
	assert.Error(t, err)
	delete(env, "STAGE_EXECUTION_QUEUE_URL")
	_, err = ConfigFromLookup(awsconf.MapLookup(env))
	assert.ErrorContains(t, err, "STAGE_EXECUTION_QUEUE_URL")
}

func TestSchedulerResumesWithoutStarting(t *testing.T) {
	// §8.3: a Resumed request flips Resumed -> Started (taking a slot); its state machine is still running.
	f := &fakes{get: tables(nil, 0, "", ""), receive: once(`{"Id": "testWorkflowId", "Status": "Resumed"}`)}
	require.NoError(t, newTestScheduler(f).Run(t.Context()))
	assert.Equal(t, []string{"GetItem", "GetItem", "ReceiveMessage", "TransactWriteItems", "DeleteMessage", "GetItem", "ReceiveMessage"}, f.ops())
	take := inputs[*dynamodb.TransactWriteItemsInput](f, "TransactWriteItems")[0].TransactItems
	assert.Equal(t, str("Resumed"), take[2].Update.ExpressionAttributeValues[":from_status"])
}

func TestSchedulerRequeuesWhenFull(t *testing.T) {
	// CP-33: another scheduler took the last slot after this one read the counter. The message goes back on the
	// queue as a new message (a second receive would move it to the dead-letter queue), and the run ends.
	f := &fakes{get: tables(num(1), 0, "", ""), receive: once(queuedBody), transact: transactions(cancelled("ConditionalCheckFailed", "None", "None"))}
	require.NoError(t, newTestScheduler(f).Run(t.Context()))
	assert.Equal(t, []string{"GetItem", "GetItem", "ReceiveMessage", "TransactWriteItems", "SendMessage", "DeleteMessage"}, f.ops())
	assert.Equal(t, &sqs.SendMessageInput{QueueUrl: aws.String("testExecutionQueueUrl"), MessageBody: aws.String(queuedBody)}, f.calls[4].in)
}

func TestSchedulerHandlesMovedExecutions(t *testing.T) {
	// The take failed because the execution is not in the request's status any more; its current status decides.
	cases := []struct {
		name   string
		status string
		arn    string
		ops    []string
	}{
		// deleted, so never re-created.
		{name: "deleted", ops: []string{"GetItem", "DeleteMessage"}},
		// A duplicate of a request already handled.
		{name: "started", status: "Started", arn: "arn:x", ops: []string{"GetItem", "DeleteMessage"}},
		// Taken by another scheduler that has not recorded the state machine execution yet: start is idempotent.
		{name: "started without execution", status: "Started", ops: []string{"GetItem", "StartExecution", "UpdateItem", "DeleteMessage"}},
		// R23 failed after sending the request.
		{name: "error", status: "Error", ops: []string{"GetItem", "DeleteMessage"}},
		// The read lags behind the failed write: a later run decides.
		{name: "stale read", status: "Queued", ops: []string{"GetItem", "SendMessage", "DeleteMessage"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakes{
				get:      tables(nil, 0, tc.status, tc.arn),
				receive:  once(queuedBody),
				transact: transactions(cancelled("None", "None", "ConditionalCheckFailed")),
			}
			require.NoError(t, newTestScheduler(f).Run(t.Context()))
			got := f.ops()
			require.GreaterOrEqual(t, len(got), 4)
			assert.Equal(t, tc.ops, got[4:4+len(tc.ops)])
			read := f.calls[4].in.(*dynamodb.GetItemInput)
			assert.Equal(t, "testExecutionTable", aws.ToString(read.TableName))
			assert.True(t, aws.ToBool(read.ConsistentRead))
		})
	}
}

func TestSchedulerErrorPath(t *testing.T) {
	// CP-33, §8.3 step 4: a failure after the slot was taken marks the execution Error with the original's text
	// (which releases the slot), removes the request and fails the invocation.
	apiErr := &smithy.OperationError{ServiceID: "SFN", OperationName: "StartExecution",
		Err: &smithy.GenericAPIError{Code: "StateMachineDoesNotExist", Message: "State Machine Does Not Exist: 'testStateMachineArn'"}}
	f := &fakes{get: tables(nil, 0, "", ""), receive: once(queuedBody),
		start: func(*sfn.StartExecutionInput) (*sfn.StartExecutionOutput, error) { return nil, apiErr }}
	err := newTestScheduler(f).Run(t.Context())
	require.ErrorIs(t, err, apiErr)
	assert.Equal(t, []string{"GetItem", "GetItem", "ReceiveMessage", "TransactWriteItems", "StartExecution", "TransactWriteItems", "DeleteMessage"}, f.ops())
	release := inputs[*dynamodb.TransactWriteItemsInput](f, "TransactWriteItems")[1].TransactItems
	require.Len(t, release, 3)
	assert.Equal(t, "SET #workflow_status = :workflow_status, Message = :message", aws.ToString(release[2].Update.UpdateExpression))
	assert.Equal(t, str("Exception in workflow_scheduler_lambda An error occurred (StateMachineDoesNotExist) when calling the "+
		"StartExecution operation: State Machine Does Not Exist: 'testStateMachineArn'"), release[2].Update.ExpressionAttributeValues[":message"])
	assert.Empty(t, inputs[any](f, "Invoke"), "Q-36: the scheduler does not trigger itself")
}

func TestSchedulerMalformedRequests(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		message string
	}{
		{name: "no workflow", body: `{"Id": "testWorkflowId", "Status": "Queued", "CurrentStage": "A"}`,
			message: "Exception in workflow_scheduler_lambda 'Workflow'"},
		{name: "no status", body: `{"Id": "testWorkflowId"}`, message: "Exception in workflow_scheduler_lambda 'Status'"},
		{name: "unknown stage", body: `{"Id": "testWorkflowId", "Status": "Queued", "CurrentStage": "B",
			"Workflow": {"StateMachineArn": "a", "Name": "n", "Stages": {"A": {}}}}`, message: "Exception in workflow_scheduler_lambda 'B'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The record is Queued: the Error write needs no slot change.
			f := &fakes{get: tables(nil, 0, "", ""), receive: once(tc.body),
				transact: transactions(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"))}
			assert.Error(t, newTestScheduler(f).Run(t.Context()))
			updates := inputs[*dynamodb.UpdateItemInput](f, "UpdateItem")
			require.Len(t, updates, 1)
			assert.Equal(t, str(tc.message), updates[0].ExpressionAttributeValues[":message"])
			assert.Empty(t, inputs[any](f, "StartExecution"))
			assert.Len(t, inputs[any](f, "DeleteMessage"), 1)
		})
	}

	// Without an Id nothing can be marked: the message stays in flight for the dead-letter queue.
	f := &fakes{get: tables(nil, 0, "", ""), receive: once(`not json`, queuedBody)}
	err := newTestScheduler(f).Run(t.Context())
	assert.Error(t, err)
	assert.Len(t, inputs[any](f, "StartExecution"), 1, "the rest of the batch is handled")
	assert.Len(t, inputs[any](f, "DeleteMessage"), 1)
}

func TestSchedulerDeleteFailureKeepsTheExecution(t *testing.T) {
	// A failure after the state machine started and its ARN was recorded does not end the execution.
	boom := errors.New("boom")
	f := &fakes{get: tables(nil, 0, "", ""), receive: once(queuedBody)}
	q := &failingDelete{fakes: f, err: boom}
	s := New(testConfig, executions.New(testConfig.Executions, f, f), f, q, f, nil)
	assert.ErrorIs(t, s.Run(t.Context()), boom)
	assert.Len(t, inputs[any](f, "TransactWriteItems"), 1, "no Error write")

	// A handle the queue no longer knows: a copy delivered twice was deleted already.
	f = &fakes{get: tables(nil, 0, "", ""), receive: once(queuedBody)}
	q = &failingDelete{fakes: f, err: &sqstypes.ReceiptHandleIsInvalid{Message: aws.String("The input receipt handle is invalid.")}}
	s = New(testConfig, executions.New(testConfig.Executions, f, f), f, q, f, nil)
	assert.NoError(t, s.Run(t.Context()))
}

type failingDelete struct {
	*fakes
	err error
}

func (q *failingDelete) DeleteMessage(_ context.Context, in *sqs.DeleteMessageInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	q.log("DeleteMessage", in)
	return nil, q.err
}
