package executions

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/resources"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// motoStore provisions a stack on moto and returns a store on its tables, with no scheduler to trigger.
func motoStore(t *testing.T) (*Store, *dynamodb.Client, Config) {
	t.Helper()
	conf := awstest.Config(t, nil)
	d, err := resources.Provision(t.Context(), conf, resources.Params{
		StackName: awstest.Prefix(t), ShortID: "abc123", Region: "us-east-1", Account: "123456789012",
		StageQueueReceiveWait: aws.Duration(0),
	})
	require.NoError(t, err)
	env, err := d.Env(resources.CompleteStageLambda)
	require.NoError(t, err)
	cfg, err := ConfigFromLookup(func(k string) string { return env[k] })
	require.NoError(t, err)
	cfg.SchedulerARN = ""
	db := conf.DynamoDB()
	return New(cfg, db, nil), db, cfg
}

func putExecution(t *testing.T, db *dynamodb.Client, table, id string, status Status) {
	t.Helper()
	_, err := db.PutItem(t.Context(), &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item:      map[string]types.AttributeValue{"Id": s(id), "Status": s(string(status)), "CurrentStage": s("A")},
	})
	require.NoError(t, err)
}

func TestStoreOnMoto(t *testing.T) {
	// CP-32, CP-33, CP-46 against DynamoDB semantics: transactions, conditions, IN, if_not_exists.
	store, db, cfg := motoStore(t)
	ctx := t.Context()
	record := func(id string) map[string]types.AttributeValue {
		t.Helper()
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cfg.ExecutionTable), Key: executionKey(id), ConsistentRead: aws.Bool(true)})
		require.NoError(t, err)
		return out.Item
	}
	held := func() int {
		t.Helper()
		n, err := store.Held(ctx)
		require.NoError(t, err)
		return n
	}
	holder := func(id string) bool {
		t.Helper()
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cfg.SlotTable), Key: executionKey(id), ConsistentRead: aws.Bool(true)})
		require.NoError(t, err)
		return out.Item != nil
	}
	take := func(id string, from Status) TakeResult {
		t.Helper()
		r, err := store.Take(ctx, id, from, 1)
		require.NoError(t, err)
		return r
	}

	putExecution(t, db, cfg.ExecutionTable, "a", Queued)
	putExecution(t, db, cfg.ExecutionTable, "b", Queued)
	assert.Equal(t, Taken, take("a", Queued))
	assert.Equal(t, s("Started"), record("a")["Status"])
	assert.Equal(t, 1, held())
	assert.True(t, holder("a"))

	assert.Equal(t, Full, take("b", Queued), "limit 1")
	assert.Equal(t, s("Queued"), record("b")["Status"], "a cancelled take changes nothing")
	assert.Equal(t, Moved, take("a", Queued), "a is Started already")
	assert.Equal(t, 1, held())

	// Waiting does not count against the limit (§8.1).
	require.NoError(t, store.Set(ctx, "a", Waiting, ""))
	assert.Equal(t, 0, held())
	assert.False(t, holder("a"))
	assert.Equal(t, Taken, take("b", Queued))

	require.NoError(t, store.Set(ctx, "a", Error, "failed while waiting"))
	assert.Equal(t, s("failed while waiting"), record("a")["Message"])
	assert.Equal(t, 1, held(), "a held no slot")

	require.NoError(t, store.Set(ctx, "b", Complete, "stage completed with status Complete"))
	assert.Equal(t, 0, held())
	_, hasMessage := record("b")["Message"]
	assert.False(t, hasMessage, "only Error writes the message")
	var te *TransitionError
	assert.ErrorAs(t, store.Set(ctx, "b", Error, "late"), &te, "Complete is final")

	// no phantom record.
	require.NoError(t, store.Set(ctx, "gone", Error, "m"))
	assert.Nil(t, record("gone"))

	// R29: deleting a Started execution releases its slot; deleting another keeps the counter.
	putExecution(t, db, cfg.ExecutionTable, "c", Queued)
	assert.Equal(t, Taken, take("c", Queued))
	require.NoError(t, store.Delete(ctx, "c"))
	assert.Nil(t, record("c"))
	assert.False(t, holder("c"))
	assert.Equal(t, 0, held())
	require.NoError(t, store.Delete(ctx, "a"))
	assert.Nil(t, record("a"))
	assert.Equal(t, 0, held())

	// R24 support.
	putExecution(t, db, cfg.ExecutionTable, "d", Waiting)
	assert.ErrorIs(t, store.Resume(ctx, "d", "B"), ErrNotWaiting, "wrong stage")
	require.NoError(t, store.Resume(ctx, "d", "A"))
	assert.Equal(t, s("Resumed"), record("d")["Status"])
	r, err := store.Take(ctx, "d", Resumed, 1)
	require.NoError(t, err)
	assert.Equal(t, Taken, r)
	snap, err := store.Read(ctx, "d")
	require.NoError(t, err)
	assert.Equal(t, Snapshot{Status: Started}, snap)
}
