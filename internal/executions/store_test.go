package executions

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
)

var (
	statusNames = map[string]string{"#workflow_status": "Status"}
	key         = map[string]types.AttributeValue{"Id": s("testWorkflowId")}
	counter     = map[string]types.AttributeValue{"Id": s("Counter")}
)

// releaseTx is the transaction that moves testWorkflowId out of Started and releases its slot.
func releaseTx(update string, values map[string]types.AttributeValue) *dynamodb.TransactWriteItemsInput {
	values[":from_status"] = s("Started")
	return &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String("testSlotTable"), Key: key, ConditionExpression: aws.String("attribute_exists(Id)")}},
		{Update: &types.Update{
			TableName:                 aws.String("testSlotTable"),
			Key:                       counter,
			UpdateExpression:          aws.String("SET Held = Held - :one"),
			ConditionExpression:       aws.String("Held > :zero"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":zero": n("0"), ":one": n("1")},
		}},
		{Update: &types.Update{
			TableName:                 aws.String("testExecutionTable"),
			Key:                       key,
			UpdateExpression:          aws.String(update),
			ConditionExpression:       aws.String("attribute_exists(Id) AND #workflow_status = :from_status"),
			ExpressionAttributeNames:  statusNames,
			ExpressionAttributeValues: values,
		}},
	}}
}

var schedulerInvoke = &lambda.InvokeInput{FunctionName: aws.String("testSchedulerLambdaArn"), InvocationType: lambdatypes.InvocationTypeEvent}

func TestSetReleasesTheSlotAndTriggersTheScheduler(t *testing.T) {
	// CP-32, CP-33, CP-34: a change out of Started is one transaction: holder deleted, counter decremented, status
	// written with the original's update expression (§16), conditional on the record (Q-34, CP-46). Complete and
	// Error then invoke the scheduler asynchronously, without a payload; Waiting does not.
	cases := []struct {
		to      Status
		message string
		update  string
		values  map[string]types.AttributeValue
		trigger bool
	}{
		{to: Complete, message: "stage completed with status Complete", update: "SET #workflow_status = :workflow_status",
			values: map[string]types.AttributeValue{":workflow_status": s("Complete")}, trigger: true},
		{to: Error, message: "testMessage", update: "SET #workflow_status = :workflow_status, Message = :message",
			values: map[string]types.AttributeValue{":workflow_status": s("Error"), ":message": s("testMessage")}, trigger: true},
		{to: Waiting, update: "SET #workflow_status = :workflow_status",
			values: map[string]types.AttributeValue{":workflow_status": s("Waiting")}},
	}
	for _, tc := range cases {
		t.Run(string(tc.to), func(t *testing.T) {
			store, db, fl := newTestStore(testConfig)
			require.NoError(t, store.Set(t.Context(), "testWorkflowId", tc.to, tc.message))
			require.Len(t, db.calls, 1)
			assert.Equal(t, releaseTx(tc.update, tc.values), db.calls[0])
			if tc.trigger {
				assert.Equal(t, []*lambda.InvokeInput{schedulerInvoke}, fl.calls)
			} else {
				assert.Empty(t, fl.calls)
			}
		})
	}
}

func TestSetWithoutSlotChange(t *testing.T) {
	// CP-32 (§16 test_update_workflow_error_case): an execution that is not Started changes with one UpdateItem,
	// conditional on the statuses the table allows the change from.
	store, db, fl := newTestStore(testConfig)
	db.transact = answers(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"))
	require.NoError(t, store.Set(t.Context(), "testWorkflowId", Error, "testMessage"))
	require.Len(t, db.calls, 2)
	assert.Equal(t, &dynamodb.UpdateItemInput{
		TableName:                aws.String("testExecutionTable"),
		Key:                      key,
		UpdateExpression:         aws.String("SET #workflow_status = :workflow_status, Message = :message"),
		ConditionExpression:      aws.String("attribute_exists(Id) AND #workflow_status IN (:from_status_0, :from_status_1, :from_status_2, :from_status_3)"),
		ExpressionAttributeNames: statusNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":workflow_status": s("Error"), ":message": s("testMessage"),
			":from_status_0": s("Queued"), ":from_status_1": s("Waiting"), ":from_status_2": s("Resumed"), ":from_status_3": s("Error"),
		},
	}, db.calls[1])
	assert.Equal(t, []*lambda.InvokeInput{schedulerInvoke}, fl.calls)

	// Started -> Started, the completion Lambda's rewrite, keeps the slot and triggers nothing.
	store, db, fl = newTestStore(testConfig)
	require.NoError(t, store.Set(t.Context(), "testWorkflowId", Started, "stage completed with status Complete"))
	assert.Equal(t, []any{&dynamodb.UpdateItemInput{
		TableName:                 aws.String("testExecutionTable"),
		Key:                       key,
		UpdateExpression:          aws.String("SET #workflow_status = :workflow_status"),
		ConditionExpression:       aws.String("attribute_exists(Id) AND #workflow_status = :from_status"),
		ExpressionAttributeNames:  statusNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{":workflow_status": s("Started"), ":from_status": s("Started")},
	}}, db.calls)
	assert.Empty(t, fl.calls)
}

func TestSetOnAMissingRecordWritesNothing(t *testing.T) {
	// Q-34, CP-46: both conditional writes fail and the record is not there: no phantom item, no error, no trigger.
	store, db, fl := newTestStore(testConfig)
	db.transact = answers(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"))
	db.update = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		return nil, &types.ConditionalCheckFailedException{}
	}
	require.NoError(t, store.Set(t.Context(), "testWorkflowId", Error, "m"))
	require.Len(t, db.calls, 3)
	assert.Equal(t, &dynamodb.GetItemInput{
		TableName:                aws.String("testExecutionTable"),
		Key:                      key,
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("Id, #workflow_status, StateMachineExecutionArn"),
		ExpressionAttributeNames: statusNames,
	}, db.calls[2])
	assert.Empty(t, fl.calls)
}

func TestSetRefusesIllegalChanges(t *testing.T) {
	cases := []struct {
		current string
		to      Status
	}{
		{current: "Complete", to: Error},
		{current: "Complete", to: Waiting},
		{current: "Queued", to: Started}, // taking a slot is the scheduler's (Take)
		{current: "Resumed", to: Waiting},
		{current: "Error", to: Complete},
	}
	for _, tc := range cases {
		t.Run(tc.current+"->"+string(tc.to), func(t *testing.T) {
			store, db, fl := newTestStore(testConfig)
			db.transact = answers(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"))
			db.update = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				return nil, &types.ConditionalCheckFailedException{}
			}
			db.get = item(tc.current)
			err := store.Set(t.Context(), "testWorkflowId", tc.to, "m")
			var te *TransitionError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, &TransitionError{ID: "testWorkflowId", From: Status(tc.current), To: tc.to}, te)
			assert.Empty(t, fl.calls)
		})
	}
}

func TestSetRetriesWhenTheStatusMoves(t *testing.T) {
	// The record was Queued when the release was tried and Started when the plain write was: the next round
	// releases the slot.
	store, db, _ := newTestStore(testConfig)
	db.transact = answers(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"), nil)
	db.update = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		return nil, &types.ConditionalCheckFailedException{}
	}
	db.get = item("Started")
	require.NoError(t, store.Set(t.Context(), "testWorkflowId", Error, "m"))
	require.Len(t, db.calls, 4)
	assert.IsType(t, &dynamodb.TransactWriteItemsInput{}, db.calls[3])
}

func TestReleaseIsIdempotent(t *testing.T) {
	// CP-33: a Started execution without a holder item (started before slots existed, or released already) still
	// changes status, with the same condition and without touching the counter.
	store, db, _ := newTestStore(testConfig)
	db.transact = answers(cancelled("ConditionalCheckFailed", "None", "None"))
	require.NoError(t, store.Set(t.Context(), "testWorkflowId", Waiting, ""))
	require.Len(t, db.calls, 2)
	assert.Equal(t, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("testExecutionTable"),
		Key:                       key,
		UpdateExpression:          aws.String("SET #workflow_status = :workflow_status"),
		ConditionExpression:       aws.String("attribute_exists(Id) AND #workflow_status = :from_status"),
		ExpressionAttributeNames:  statusNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{":workflow_status": s("Waiting"), ":from_status": s("Started")},
	}, db.calls[1])
}

func TestSetWithoutSchedulerARN(t *testing.T) {
	// the scheduler has no WORKFLOW_SCHEDULER_LAMBDA_ARN; its Error writes trigger nothing.
	cfg := testConfig
	cfg.SchedulerARN = ""
	store, _, fl := newTestStore(cfg)
	require.NoError(t, store.Set(t.Context(), "testWorkflowId", Error, "m"))
	assert.Empty(t, fl.calls)
}

func TestSetFailures(t *testing.T) {
	boom := errors.New("boom")
	store, db, _ := newTestStore(testConfig)
	db.transact = answers(boom)
	assert.ErrorIs(t, store.Set(t.Context(), "testWorkflowId", Complete, ""), boom)

	store, db, _ = newTestStore(testConfig)
	db.transact = answers(cancelled("None", "ConditionalCheckFailed", "None"))
	assert.ErrorContains(t, store.Set(t.Context(), "testWorkflowId", Complete, ""), "slot counter is already 0")

	store, _, fl := newTestStore(testConfig)
	fl.err = boom
	assert.ErrorIs(t, store.Set(t.Context(), "testWorkflowId", Complete, ""), boom, "the trigger's failure is the caller's")
}

func TestTake(t *testing.T) {
	// CP-33, MIE#755: one transaction increments the counter only below the limit, creates the holder and writes
	// Started from the expected status.
	want := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:           aws.String("testSlotTable"),
			Key:                 counter,
			UpdateExpression:    aws.String("SET Held = if_not_exists(Held, :zero) + :one"),
			ConditionExpression: aws.String("attribute_not_exists(Held) OR Held < :limit"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":zero": n("0"), ":one": n("1"), ":limit": n("3"),
			},
		}},
		{Put: &types.Put{
			TableName:           aws.String("testSlotTable"),
			Item:                map[string]types.AttributeValue{"Id": s("testWorkflowId"), "TakenAt": n("1704067200")},
			ConditionExpression: aws.String("attribute_not_exists(Id)"),
		}},
		{Update: &types.Update{
			TableName:                 aws.String("testExecutionTable"),
			Key:                       key,
			UpdateExpression:          aws.String("SET #workflow_status = :workflow_status"),
			ConditionExpression:       aws.String("attribute_exists(Id) AND #workflow_status = :from_status"),
			ExpressionAttributeNames:  statusNames,
			ExpressionAttributeValues: map[string]types.AttributeValue{":workflow_status": s("Started"), ":from_status": s("Resumed")},
		}},
	}}
	cases := []struct {
		name    string
		answers []error
		want    TakeResult
		err     string
	}{
		{name: "taken", answers: []error{nil}, want: Taken},
		{name: "full", answers: []error{cancelled("ConditionalCheckFailed", "None", "None")}, want: Full},
		{name: "moved", answers: []error{cancelled("None", "None", "ConditionalCheckFailed")}, want: Moved},
		{name: "moved and full", answers: []error{cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed")}, want: Moved},
		{name: "conflict", answers: []error{cancelled("TransactionConflict", "None", "None"), nil}, want: Taken},
		{name: "holder without status", answers: []error{cancelled("None", "ConditionalCheckFailed", "None")}, err: "holds one although it is Resumed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store, db, _ := newTestStore(testConfig)
			db.transact = answers(tc.answers...)
			got, err := store.Take(t.Context(), "testWorkflowId", Resumed, 3)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			for _, c := range db.calls {
				assert.Equal(t, want, c)
			}
		})
	}

	store, _, _ := newTestStore(testConfig)
	_, err := store.Take(t.Context(), "testWorkflowId", Waiting, 3)
	var te *TransitionError
	assert.ErrorAs(t, err, &te, "only Queued and Resumed executions take slots")
}

func TestDelete(t *testing.T) {
	// R29 support: the record goes with its holder and a counter decrement when it holds a slot, and on the
	// condition that it holds none otherwise.
	drop := types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String("testExecutionTable"), Key: key}}
	store, db, _ := newTestStore(testConfig)
	require.NoError(t, store.Delete(t.Context(), "testWorkflowId"))
	require.Len(t, db.calls, 1)
	items := db.calls[0].(*dynamodb.TransactWriteItemsInput).TransactItems
	require.Len(t, items, 3)
	assert.Equal(t, drop, items[0])
	assert.Equal(t, releaseTx("", map[string]types.AttributeValue{}).TransactItems[:2], items[1:])

	store, db, _ = newTestStore(testConfig)
	db.transact = answers(cancelled("None", "ConditionalCheckFailed", "ConditionalCheckFailed"), nil)
	require.NoError(t, store.Delete(t.Context(), "testWorkflowId"))
	require.Len(t, db.calls, 2)
	assert.Equal(t, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{drop, {ConditionCheck: &types.ConditionCheck{
		TableName:           aws.String("testSlotTable"),
		Key:                 key,
		ConditionExpression: aws.String("attribute_not_exists(Id)"),
	}}}}, db.calls[1])

	// A slot taken between the two attempts: the first form again.
	store, db, _ = newTestStore(testConfig)
	db.transact = answers(cancelled("None", "ConditionalCheckFailed", "None"), cancelled("None", "ConditionalCheckFailed"), nil)
	require.NoError(t, store.Delete(t.Context(), "testWorkflowId"))
	require.Len(t, db.calls, 3)
	assert.Len(t, db.calls[2].(*dynamodb.TransactWriteItemsInput).TransactItems, 3)
}

func TestResume(t *testing.T) {
	// CP-26 support (§16, R24): the original's conditional update, Waiting -> Resumed at the given stage.
	store, db, fl := newTestStore(testConfig)
	require.NoError(t, store.Resume(t.Context(), "testWorkflowId", "testStage"))
	assert.Equal(t, []any{&dynamodb.UpdateItemInput{
		TableName:                aws.String("testExecutionTable"),
		Key:                      key,
		UpdateExpression:         aws.String("SET #workflow_status = :workflow_status"),
		ConditionExpression:      aws.String("#workflow_status = :workflow_waiting_status AND CurrentStage = :waiting_stage_name"),
		ExpressionAttributeNames: statusNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":workflow_status": s("Resumed"), ":workflow_waiting_status": s("Waiting"), ":waiting_stage_name": s("testStage"),
		},
	}}, db.calls)
	assert.Empty(t, fl.calls, "R24 invokes the scheduler itself, after sending its message")

	db.update = func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		return nil, &types.ConditionalCheckFailedException{}
	}
	assert.ErrorIs(t, store.Resume(t.Context(), "testWorkflowId", "testStage"), ErrNotWaiting)
}

func TestReads(t *testing.T) {
	store, db, _ := newTestStore(testConfig)
	held, err := store.Held(t.Context())
	require.NoError(t, err)
	assert.Zero(t, held, "no counter item before the first take")
	assert.Equal(t, &dynamodb.GetItemInput{
		TableName:            aws.String("testSlotTable"),
		Key:                  counter,
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("Held"),
	}, db.calls[0])

	db.get = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"Held": n("2")}}, nil
	}
	held, err = store.Held(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, held)

	_, err = store.Read(t.Context(), "testWorkflowId")
	assert.NoError(t, err)
	db.get = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return &dynamodb.GetItemOutput{}, nil }
	_, err = store.Read(t.Context(), "testWorkflowId")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestWithReader(t *testing.T) {
	reader := &fakeDB{get: item("Waiting")}
	db := &fakeDB{}
	store := New(testConfig, db, nil, WithReader(reader))
	snap, err := store.Read(t.Context(), "testWorkflowId")
	require.NoError(t, err)
	assert.Equal(t, Snapshot{Status: Waiting}, snap)
	assert.Len(t, reader.calls, 1)
	assert.Empty(t, db.calls)
}

func TestConfigFromLookup(t *testing.T) {
	_, err := ConfigFromLookup(awsconf.MapLookup(nil))
	assert.EqualError(t, err, "execution store: missing environment variables WORKFLOW_EXECUTION_TABLE_NAME, EXECUTION_SLOT_TABLE_NAME")
	cfg, err := ConfigFromLookup(awsconf.MapLookup(map[string]string{
		"WORKFLOW_EXECUTION_TABLE_NAME": "e", "EXECUTION_SLOT_TABLE_NAME": "s", "WORKFLOW_SCHEDULER_LAMBDA_ARN": "arn",
	}))
	require.NoError(t, err)
	assert.Equal(t, Config{ExecutionTable: "e", SlotTable: "s", SchedulerARN: "arn"}, cfg)
}

func TestText(t *testing.T) {
	// §14: errors as the original's str(e) shows them, botocore's form for AWS errors.
	api := &smithy.OperationError{ServiceID: "SFN", OperationName: "StartExecution",
		Err: &smithy.GenericAPIError{Code: "StateMachineDoesNotExist", Message: "State Machine Does Not Exist: 'x'"}}
	assert.Equal(t, "An error occurred (StateMachineDoesNotExist) when calling the StartExecution operation: State Machine Does Not Exist: 'x'",
		Text(errors.Join(api)))
	assert.Equal(t, "boom", Text(errors.New("boom")))
}
