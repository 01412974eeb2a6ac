package reconciler_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/reconciler"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stepfunctions"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// stalledClock holds every wait until the execution ends: the Wait states below run until they are stopped.
type stalledClock struct{}

func (stalledClock) Now() time.Time { return time.Now() }

func (stalledClock) Sleep(ctx context.Context, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

// CP-33, MIE#272: Step Functions executions that ended while no status event reached the error handler. The
// reconciler, run as the scheduler's tick runs it, ends their workflow executions Error with its own Message and
// the slot count is right again; a fresh Started execution without a state machine execution is left alone inside
// the grace period, and running ones are left alone.
func TestReconcileWithoutStatusEvents(t *testing.T) {
	ctx := t.Context()
	conf := awstest.Config(t, nil)
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(ctx, conf, resources.Params{StackName: prefix, ShortID: "abc123", Region: "us-east-1", Account: "123456789012"})
	require.NoError(t, err)
	env, err := d.Env(resources.WorkflowSchedulerLambda)
	require.NoError(t, err)
	cfg, err := executions.ConfigFromLookup(awsconf.MapLookup(env))
	require.NoError(t, err)
	db := conf.DynamoDB()
	store := executions.New(cfg, db, nil)

	// The engine delivers its status events to nobody: they are lost.
	engine := stepfunctions.New(nil, stepfunctions.WithClock(stalledClock{}))
	srv := httptest.NewServer(stepfunctions.NewServer(engine))
	t.Cleanup(srv.Close)
	t.Cleanup(engine.Close)
	sfnAPI := awstest.Config(t, map[string]string{"AWS_ENDPOINT_URL_SFN": srv.URL}).SFN()
	sm, err := sfnAPI.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("MyWF-abc123"),
		Definition: aws.String(`{"StartAt": "Prep", "States": {"Prep": {"Type": "Wait", "Seconds": 10, "End": true}}}`),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/" + prefix + "-StepFunctionRole"),
	})
	require.NoError(t, err)
	machineArn := aws.ToString(sm.StateMachineArn)

	now := time.Now()
	created := func(ago time.Duration) string {
		return pyjson.EpochSeconds(now.Add(-ago)) // as R23 writes Created
	}
	// put writes a record as R23 does and, for an execution the scheduler took, takes its slot, starts its state
	// machine execution and (when record is true) records the ARN.
	put := func(id, createdAt string, start, record bool) string {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(cfg.ExecutionTable), Item: map[string]dbtypes.AttributeValue{
			"Id": s(id), "Status": s("Queued"), "AssetId": s("asset-" + id), "Created": s(createdAt), "CurrentStage": s("Prep"),
			"Workflow": &dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{"Name": s("MyWF"), "StateMachineArn": s(machineArn)}},
		}})
		require.NoError(t, err)
		taken, err := store.Take(ctx, id, executions.Queued, 10)
		require.NoError(t, err)
		require.Equal(t, executions.Taken, taken)
		if !start {
			return ""
		}
		out, err := sfnAPI.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machineArn), Name: aws.String("MyWF" + id)})
		require.NoError(t, err)
		arn := aws.ToString(out.ExecutionArn)
		if record {
			_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(cfg.ExecutionTable), Key: map[string]dbtypes.AttributeValue{"Id": s(id)},
				UpdateExpression:          aws.String("SET StateMachineExecutionArn = :arn"),
				ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":arn": s(arn)},
			})
			require.NoError(t, err)
		}
		return arn
	}

	stopped := put("stopped", created(time.Hour), true, true)
	running := put("running", created(time.Hour), true, true)
	put("fresh", created(time.Minute), false, false)
	put("neverstarted", created(time.Hour), false, false)
	unrecorded := put("unrecorded", created(time.Hour), true, false)
	paused := put("paused", created(time.Hour), true, true)
	require.NoError(t, store.Set(ctx, "paused", executions.Waiting, ""))
	// A record whose status was overwritten without its slot being released, as the original's stage completion
	// overwrote whole records: its holder is stale.
	put("overwritten", created(time.Hour), false, false)
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(cfg.ExecutionTable), Key: map[string]dbtypes.AttributeValue{"Id": s("overwritten")},
		UpdateExpression: aws.String("SET #s = :s"), ExpressionAttributeNames: map[string]string{"#s": "Status"},
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":s": s("Complete")},
	})
	require.NoError(t, err)
	// A record started before slots existed: Started and running, but holding no slot.
	legacy, err := sfnAPI.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machineArn), Name: aws.String("MyWFlegacy")})
	require.NoError(t, err)
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(cfg.ExecutionTable), Item: map[string]dbtypes.AttributeValue{
		"Id": s("legacy"), "Status": s("Started"), "Created": s(created(time.Hour)), "StateMachineExecutionArn": s(aws.ToString(legacy.ExecutionArn)),
		"Workflow": &dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{"Name": s("MyWF"), "StateMachineArn": s(machineArn)}},
	}})
	require.NoError(t, err)

	for _, arn := range []string{stopped, paused} {
		_, err = sfnAPI.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String("Stopped"), Cause: aws.String("by hand")})
		require.NoError(t, err)
	}
	held, err := store.Held(ctx)
	require.NoError(t, err)
	require.Equal(t, 6, held, "stopped, running, fresh, neverstarted, unrecorded, overwritten")

	r := reconciler.New(reconciler.Config{Grace: 10 * time.Minute}, reconciler.NewExecutions(db, cfg.ExecutionTable, store), sfnAPI, store)
	require.NoError(t, r.Run(ctx))

	const p = "Workflow execution reconciler: "
	want := map[string][2]string{
		"stopped":      {"Error", p + "state machine execution " + stopped + " has status ABORTED, error: Stopped, cause: by hand"},
		"paused":       {"Error", p + "state machine execution " + paused + " has status ABORTED, error: Stopped, cause: by hand"},
		"neverstarted": {"Error", p + "no state machine execution was started for the workflow execution within 10 minutes of its creation"},
		"running":      {"Started", ""},
		"fresh":        {"Started", ""},
		"unrecorded":   {"Started", ""},
		"legacy":       {"Started", ""},
		"overwritten":  {"Complete", ""},
	}
	for id, w := range want {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cfg.ExecutionTable), Key: map[string]dbtypes.AttributeValue{"Id": s(id)}, ConsistentRead: aws.Bool(true)})
		require.NoError(t, err)
		var msg string
		if m, ok := out.Item["Message"].(*dbtypes.AttributeValueMemberS); ok {
			msg = m.Value
		}
		assert.Equal(t, w, [2]string{out.Item["Status"].(*dbtypes.AttributeValueMemberS).Value, msg}, id)
	}
	held, err = store.Held(ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, held, "the slots of the executions that really run: running, fresh, unrecorded, legacy (%s)", running)

	// Once the unrecorded execution's state machine execution ends, the reconciler finds it by its name.
	_, err = sfnAPI.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(unrecorded)})
	require.NoError(t, err)
	require.NoError(t, r.Run(ctx))
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cfg.ExecutionTable), Key: map[string]dbtypes.AttributeValue{"Id": s("unrecorded")}, ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	assert.Equal(t, s("Error"), out.Item["Status"])
	assert.Equal(t, s(p+"state machine execution "+unrecorded+" has status ABORTED"), out.Item["Message"])
	held, err = store.Held(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, held)
}
