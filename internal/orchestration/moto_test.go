package orchestration

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// engine is the completion Lambda and a store on a stack provisioned on moto.
type engine struct {
	complete *CompleteStage
	store    *executions.Store
	db       *dynamodb.Client
	table    string
}

func newEngine(t *testing.T) *engine {
	t.Helper()
	conf := awstest.Config(t, nil)
	d, err := resources.Provision(t.Context(), conf, resources.Params{
		StackName: awstest.Prefix(t), ShortID: "abc123", Region: "us-east-1", Account: "123456789012",
		StageQueueReceiveWait: aws.Duration(0),
	})
	require.NoError(t, err)
	env, err := d.Env(resources.CompleteStageLambda)
	require.NoError(t, err)
	cfg, err := executions.ConfigFromLookup(awsconf.MapLookup(env))
	require.NoError(t, err)
	cfg.SchedulerARN = "" // no scheduler to trigger here
	db := conf.DynamoDB()
	store := executions.New(cfg, db, nil)
	return &engine{complete: NewCompleteStage(store, db, cfg.ExecutionTable, nil), store: store, db: db, table: cfg.ExecutionTable}
}

// start writes a two-stage execution (A then B) and starts it as the scheduler would.
func (e *engine) start(t *testing.T, id string) {
	t.Helper()
	rec, err := pyjson.DecodeObject(fmt.Appendf(nil, `{"Id": %q, "Status": "Queued", "CurrentStage": "A",
		"Globals": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k.mp4"}}, "MetaData": {}},
		"Workflow": {"Name": "W", "Stages": {
			"A": {"Name": "A", "Next": "B", "Status": "Started", "WorkflowExecutionId": %q},
			"B": {"Name": "B", "End": true, "Status": "Not Started", "WorkflowExecutionId": %q}}}}`, id, id, id))
	require.NoError(t, err)
	item, err := ddbjson.MarshalMap(rec)
	require.NoError(t, err)
	_, err = e.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(e.table), Item: item})
	require.NoError(t, err)
	taken, err := e.store.Take(t.Context(), id, executions.Queued, 5)
	require.NoError(t, err)
	require.Equal(t, executions.Taken, taken)
}

func (e *engine) record(t *testing.T, id string) *pyjson.Map {
	t.Helper()
	out, err := e.db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(e.table),
		Key: idKey(id), ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	if out.Item == nil {
		return nil
	}
	m, err := ddbjson.UnmarshalMap(out.Item)
	require.NoError(t, err)
	return m
}

func get(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		var err error
		v, err = executions.Subscript(v, k)
		require.NoError(t, err, path)
	}
	return v
}

func stageEvent(stage *pyjson.Map, outputs string) json.RawMessage {
	ev := stage.Clone()
	o, err := pyjson.Decode([]byte(outputs))
	if err != nil {
		panic(err)
	}
	ev.Set("Outputs", o)
	raw, err := pyjson.Compact(ev)
	if err != nil {
		panic(err)
	}
	return raw
}

func TestCompleteStagesOnMoto(t *testing.T) {
	// CP-36, CP-37, CP-33: two stages complete in turn; the second ends the execution Complete and releases its slot.
	e := newEngine(t)
	ctx := t.Context()
	e.start(t, "run")

	stageA := get(t, e.record(t, "run"), "Workflow", "Stages", "A").(*pyjson.Map)
	next, err := e.complete.Handle(ctx, stageEvent(stageA, `[{"Name": "Mediainfo", "Status": "Complete", "Media": {},
		"MetaData": {"Mediainfo_num_audio_tracks": "1", "Duration": 12.50}}]`))
	require.NoError(t, err)
	assert.Equal(t, "B", get(t, next, "Name"))
	assert.Equal(t, "Started", get(t, next, "Status"))
	assert.Equal(t, pyjson.Number("12.50"), get(t, next, "Input", "MetaData", "Duration"), "Q-05: numbers stored as numbers")

	rec := e.record(t, "run")
	assert.Equal(t, "B", get(t, rec, "CurrentStage"))
	assert.Equal(t, "Started", get(t, rec, "Status"))
	assert.Equal(t, "Complete", get(t, rec, "Workflow", "Stages", "A", "Status"))
	assert.Equal(t, "Started", get(t, rec, "Workflow", "Stages", "B", "Status"))

	out, err := e.complete.Handle(ctx, stageEvent(next, `[{"Name": "Thumbnail", "Status": "Complete",
		"Media": {"Thumbnail": {"S3Bucket": "b", "S3Key": "t.jpg"}}, "MetaData": {}}]`))
	require.NoError(t, err)
	assert.Equal(t, 0, out.Len())
	rec = e.record(t, "run")
	assert.Equal(t, "Complete", get(t, rec, "Status"))
	assert.Equal(t, "End", get(t, rec, "CurrentStage"))
	assert.Equal(t, "t.jpg", get(t, rec, "Globals", "Media", "Thumbnail", "S3Key"))
	held, err := e.store.Held(ctx)
	require.NoError(t, err)
	assert.Zero(t, held)
}

func TestFailedStageOnMoto(t *testing.T) {
	// CP-37, Q-37: a failed first stage ends the execution Error, CurrentStage the failed stage, slot released.
	e := newEngine(t)
	ctx := t.Context()
	e.start(t, "bad")
	stageA := get(t, e.record(t, "bad"), "Workflow", "Stages", "A").(*pyjson.Map)
	_, err := e.complete.Handle(ctx, stageEvent(stageA, `[{"Name": "Mediainfo", "Status": "Error", "MetaData": {"MediainfoError": "boom"}}]`))
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	rec := e.record(t, "bad")
	assert.Equal(t, "Error", get(t, rec, "Status"))
	assert.Equal(t, "Exception while rolling up stage status Stage A encountered and error during execution, aborting the workflow", get(t, rec, "Message"))
	assert.Equal(t, "A", get(t, rec, "CurrentStage"))
	assert.Equal(t, "boom", get(t, rec, "Globals", "MetaData", "MediainfoError"))
	held, err := e.store.Held(ctx)
	require.NoError(t, err)
	assert.Zero(t, held)
}

func TestDeletedExecutionOnMoto(t *testing.T) {
	// deleted (R29, which releases the slot) while its state machine ran; the completion fails cleanly
	// and re-creates nothing.
	e := newEngine(t)
	ctx := t.Context()
	e.start(t, "gone")
	stageA := get(t, e.record(t, "gone"), "Workflow", "Stages", "A").(*pyjson.Map)
	require.NoError(t, e.store.Delete(ctx, "gone"))
	_, err := e.complete.Handle(ctx, stageEvent(stageA, `[]`))
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	assert.Nil(t, e.record(t, "gone"))
	held, err := e.store.Held(ctx)
	require.NoError(t, err)
	assert.Zero(t, held)
}
