package executions

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRepairSlots(t *testing.T) {
	// CP-33, MIE#272 (the reconciler's repair): holders of executions not seen Started are dropped, Started
	// executions without one get one, each on the condition of the execution's status.
	store, db, _ := newTestStore(testConfig)
	db.scan = func(*dynamodb.ScanInput) (*dynamodb.ScanOutput, error) {
		return &dynamodb.ScanOutput{Items: []map[string]types.AttributeValue{{"Id": s("Counter")}, {"Id": s("a")}, {"Id": s("b")}}}, nil
	}
	// The second repair finds the execution moved on: nothing to do, no error.
	db.transact = answers(nil, cancelled("None", "None", "ConditionalCheckFailed"))
	require.NoError(t, store.RepairSlots(t.Context(), []string{"b", "c"}))
	require.Len(t, db.calls, 3)
	assert.Equal(t, &dynamodb.ScanInput{TableName: aws.String("testSlotTable"), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("Id")}, db.calls[0])

	check := func(id, cond string) types.TransactWriteItem {
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                 aws.String("testExecutionTable"),
			Key:                       map[string]types.AttributeValue{"Id": s(id)},
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeNames:  statusNames,
			ExpressionAttributeValues: map[string]types.AttributeValue{":started": s("Started")},
		}}
	}
	drop := db.calls[1].(*dynamodb.TransactWriteItemsInput).TransactItems
	require.Len(t, drop, 3)
	assert.Equal(t, s("a"), drop[0].Delete.Key["Id"])
	assert.Equal(t, "SET Held = Held - :one", aws.ToString(drop[1].Update.UpdateExpression))
	assert.Equal(t, check("a", "attribute_not_exists(Id) OR #workflow_status <> :started"), drop[2])

	add := db.calls[2].(*dynamodb.TransactWriteItemsInput).TransactItems
	require.Len(t, add, 3)
	assert.Equal(t, s("c"), add[0].Put.Item["Id"])
	assert.Equal(t, &types.Update{
		TableName:                 aws.String("testSlotTable"),
		Key:                       counter,
		UpdateExpression:          aws.String("SET Held = if_not_exists(Held, :zero) + :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": n("0"), ":one": n("1")},
	}, add[1].Update, "no limit: the execution runs already")
	assert.Equal(t, check("c", "#workflow_status = :started"), add[2])
}

func TestRepairSlotsOnMoto(t *testing.T) {
	store, db, cfg := motoStore(t)
	ctx := t.Context()
	holder := func(id string) bool {
		t.Helper()
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cfg.SlotTable), Key: executionKey(id), ConsistentRead: aws.Bool(true)})
		require.NoError(t, err)
		return out.Item != nil
	}
	// legacy: Started before slots existed. stray: a holder left for a Complete execution. running: Started with
	// its slot, missing from a stale list. queued: on a stale list as Started.
	putExecution(t, db, cfg.ExecutionTable, "legacy", Started)
	for _, id := range []string{"stray", "running", "queued"} {
		putExecution(t, db, cfg.ExecutionTable, id, Queued)
	}
	for _, id := range []string{"stray", "running"} {
		r, err := store.Take(ctx, id, Queued, 5)
		require.NoError(t, err)
		require.Equal(t, Taken, r)
	}
	putExecution(t, db, cfg.ExecutionTable, "stray", Complete)

	require.NoError(t, store.RepairSlots(ctx, []string{"legacy", "queued"}))
	assert.True(t, holder("legacy"))
	assert.False(t, holder("stray"))
	assert.True(t, holder("running"), "Started after all: kept")
	assert.False(t, holder("queued"))
	held, err := store.Held(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, held)

	// legacy's release now goes through its holder.
	require.NoError(t, store.Set(ctx, "legacy", Complete, ""))
	held, err = store.Held(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, held)
}
