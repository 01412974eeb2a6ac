package errorhandler_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/errorhandler"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stepfunctions"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const (
	region  = "us-east-1"
	account = "123456789012"
	shortID = "abc123"
)

// gateClock holds every wait of a second or less (a state machine's TimeoutSeconds of 1, a Wait state of 1 s) until
// the test opens the gate, and every longer wait until the execution ends, so that what happens first never depends
// on timing: nothing ends before the test has recorded the executions as the scheduler does.
type gateClock struct{ gate chan struct{} }

func (gateClock) Now() time.Time { return time.Now() }

func (c gateClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= time.Second {
		select {
		case <-c.gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

// stack is a provisioned deployment on moto, the Step Functions engine behind its API, a Lambda endpoint where the
// scheduler counts its triggers, and the error handler built from its function's configuration, subscribed to the
// engine's status changes the way the stack's EventBridge rule delivers them.
type stack struct {
	db       *dynamodb.Client
	sfn      *sfn.Client
	engine   *stepfunctions.Engine
	store    *executions.Store
	cfg      executions.Config
	registry *lambdainvoke.Registry
	prefix   string
	gate     chan struct{}

	mu       sync.Mutex
	triggers int
	results  []errorhandler.Result
	failures []error
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := t.Context()
	conf := awstest.Config(t, nil)
	st := &stack{db: conf.DynamoDB(), prefix: awstest.Prefix(t), gate: make(chan struct{})}
	d, err := resources.Provision(ctx, conf, resources.Params{StackName: st.prefix, ShortID: shortID, Region: region, Account: account})
	require.NoError(t, err)
	env, err := d.Env(resources.WorkflowErrorHandlerLambda)
	require.NoError(t, err)

	st.engine = stepfunctions.New(nil, stepfunctions.WithLocation(region, account), stepfunctions.WithClock(gateClock{st.gate}))
	sfnServer := httptest.NewServer(stepfunctions.NewServer(st.engine))
	t.Cleanup(sfnServer.Close)
	t.Cleanup(st.engine.Close)

	st.registry = lambdainvoke.NewRegistry(region, account)
	scheduler := env["WORKFLOW_SCHEDULER_LAMBDA_ARN"]
	st.registry.RegisterFunc(scheduler[strings.LastIndex(scheduler, ":")+1:], func(context.Context, json.RawMessage) (string, error) {
		st.mu.Lock()
		defer st.mu.Unlock()
		st.triggers++
		return "", nil
	})
	lambdaServer := httptest.NewServer(lambdainvoke.NewServer(st.registry))
	t.Cleanup(lambdaServer.Close)

	env["AWS_ENDPOINT_URL_SFN"] = sfnServer.URL
	env["AWS_ENDPOINT_URL_LAMBDA"] = lambdaServer.URL
	lookup := awstest.Lookup(t, env)
	h, err := errorhandler.NewFromLookup(ctx, lookup)
	require.NoError(t, err)
	st.cfg, err = executions.ConfigFromLookup(lookup)
	require.NoError(t, err)
	// The test's own writes (R23's, the scheduler's, the wait functions') trigger nothing.
	own := st.cfg
	own.SchedulerARN = ""
	st.store = executions.New(own, st.db, nil)
	st.sfn = awstest.Config(t, map[string]string{"AWS_ENDPOINT_URL_SFN": sfnServer.URL}).SFN()

	// The stack's rule: state machine status changes to FAILED, ABORTED or TIMED_OUT (infrastructure §2.10).
	st.engine.Subscribe(func(ctx context.Context, ev stepfunctions.StatusChangeEvent) {
		switch ev.Detail.Status {
		case "FAILED", "ABORTED", "TIMED_OUT":
		default:
			return
		}
		raw, err := json.Marshal(ev)
		if err == nil {
			var res errorhandler.Result
			res, err = h.Handle(ctx, raw)
			st.mu.Lock()
			defer st.mu.Unlock()
			if err == nil {
				st.results = append(st.results, res)
				return
			}
		}
		st.failures = append(st.failures, err)
	})
	return st
}

// stateMachine creates a state machine named <name>-<suffix> and returns its ARN.
func (st *stack) stateMachine(t *testing.T, name, definition string) string {
	t.Helper()
	out, err := st.sfn.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
		Name:       aws.String(name),
		Definition: aws.String(definition),
		RoleArn:    aws.String("arn:aws:iam::" + account + ":role/" + st.prefix + "-StepFunctionRole"),
	})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

// run does what R23 and the scheduler do: write the record Queued, take its slot (Started), start the state machine
// and record the execution's ARN. It returns the ARN.
func (st *stack) run(t *testing.T, id, workflow, machine string) string {
	t.Helper()
	ctx := t.Context()
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.cfg.ExecutionTable), Item: map[string]dbtypes.AttributeValue{
		"Id": s(id), "Status": s("Queued"), "AssetId": s("asset-" + id), "Created": s("1704067200.1"), "CurrentStage": s("Prep"),
		"Workflow": &dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{"Name": s(workflow), "StateMachineArn": s(machine)}},
	}})
	require.NoError(t, err)
	taken, err := st.store.Take(ctx, id, executions.Queued, 10)
	require.NoError(t, err)
	require.Equal(t, executions.Taken, taken)
	out, err := st.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String(workflow + id), Input: aws.String(`{}`)})
	require.NoError(t, err)
	_, err = st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(st.cfg.ExecutionTable), Key: map[string]dbtypes.AttributeValue{"Id": s(id)},
		UpdateExpression:          aws.String("SET StateMachineExecutionArn = :arn"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":arn": s(aws.ToString(out.ExecutionArn))},
	})
	require.NoError(t, err)
	return aws.ToString(out.ExecutionArn)
}

// record returns an execution's Status and Message.
func (st *stack) record(t *testing.T, id string) (string, string) {
	t.Helper()
	out, err := st.db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(st.cfg.ExecutionTable), Key: map[string]dbtypes.AttributeValue{"Id": s(id)}, ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	status, _ := out.Item["Status"].(*dbtypes.AttributeValueMemberS)
	require.NotNil(t, status)
	var msg string
	if m, ok := out.Item["Message"].(*dbtypes.AttributeValueMemberS); ok {
		msg = m.Value
	}
	return status.Value, msg
}

func s(v string) dbtypes.AttributeValue { return &dbtypes.AttributeValueMemberS{Value: v} }

// CP-39 with the Step Functions engine's own status events (Q-01: the handler works): a workflow whose state
// machine execution fails, times out or is aborted ends Error with the Message built from its history, its slot is
// free again, and the scheduler is triggered. Another stack's state machine is left alone.
func TestEngineStatusEvents(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	const (
		failing = `{"StartAt": "Prep", "States": {"Prep": {"Type": "Wait", "Seconds": 1, "Next": "Fail"}, "Fail": {"Type": "Fail", "Error": "MyError", "Cause": "it broke"}}}`
		waiting = `{"StartAt": "Prep", "States": {"Prep": {"Type": "Wait", "Seconds": 3600, "End": true}}}`
		timing  = `{"StartAt": "Prep", "TimeoutSeconds": 1, "States": {"Prep": {"Type": "Wait", "Seconds": 3600, "End": true}}}`
	)
	cases := []struct {
		name, workflow, definition string
		stop                       bool
		status                     string
		causes                     string
	}{
		{name: "FAILED", workflow: "Failing", definition: failing, status: "FAILED", causes: ", cause: it broke"},
		{name: "TIMED_OUT", workflow: "Timing", definition: timing, status: "TIMED_OUT"},
		{name: "ABORTED", workflow: "Waiting", definition: waiting, stop: true, status: "ABORTED", causes: ", cause: stopped by a test"},
	}
	arns := map[string]string{}
	for _, tc := range cases {
		machine := st.stateMachine(t, tc.workflow+"-"+shortID, tc.definition)
		arns[tc.name] = st.run(t, tc.name, tc.workflow, machine)
		if tc.stop {
			_, err := st.sfn.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arns[tc.name]), Error: aws.String("Stopped"), Cause: aws.String("stopped by a test")})
			require.NoError(t, err)
		}
	}
	// Another stack's workflow, failing too.
	foreign := st.stateMachine(t, "Failing-zzz999", failing)
	foreignArn := st.run(t, "foreign", "Failing", foreign)

	close(st.gate)
	st.engine.Wait()
	st.registry.Wait()

	st.mu.Lock()
	defer st.mu.Unlock()
	require.Empty(t, st.failures)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := "Caught Step Function Execution Status Change event for execution: " + arns[tc.name] + ", status:" + tc.status + tc.causes
			status, got := st.record(t, tc.name)
			assert.Equal(t, "Error", status)
			assert.Equal(t, msg, got)
			assert.Contains(t, st.results, errorhandler.Result{StateMachineExecution: arns[tc.name], ErrorMessage: msg})
		})
	}
	status, msg := st.record(t, "foreign")
	assert.Equal(t, "Started", status, "Q-02: another stack's execution %s", foreignArn)
	assert.Empty(t, msg)
	assert.Contains(t, st.results, errorhandler.Result{}, "Q-02: another stack's event answers {}")

	held, err := st.store.Held(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, held, "the three ended executions freed their slots; the foreign one holds its own")
	assert.Equal(t, len(cases), st.triggers, "each Error write triggers the scheduler")
}

// a paused execution whose state machine execution is aborted ends Error too; an execution that has already
// ended keeps the status and Message its own writer gave it.
func TestEngineEndsPausedExecutionsOnly(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	machine := st.stateMachine(t, "Paused-"+shortID, `{"StartAt": "Prep", "States": {"Prep": {"Type": "Wait", "Seconds": 3600, "End": true}}}`)
	paused := st.run(t, "paused", "Paused", machine)
	require.NoError(t, st.store.Set(ctx, "paused", executions.Waiting, ""))
	resumed := st.run(t, "resumed", "Paused", machine)
	require.NoError(t, st.store.Set(ctx, "resumed", executions.Waiting, ""))
	require.NoError(t, st.store.Resume(ctx, "resumed", "Prep"))
	failedEarlier := st.run(t, "failed", "Paused", machine)
	const stageFailure = "Exception while rolling up stage status Stage Prep encountered and error during execution, aborting the workflow"
	require.NoError(t, st.store.Set(ctx, "failed", executions.Error, stageFailure))

	for _, arn := range []string{paused, resumed, failedEarlier} {
		_, err := st.sfn.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
	}
	st.engine.Wait()
	st.registry.Wait()

	st.mu.Lock()
	defer st.mu.Unlock()
	require.Empty(t, st.failures)
	for id, arn := range map[string]string{"paused": paused, "resumed": resumed} {
		status, msg := st.record(t, id)
		assert.Equal(t, "Error", status, id)
		assert.Equal(t, "Caught Step Function Execution Status Change event for execution: "+arn+", status:ABORTED", msg, id)
	}
	status, msg := st.record(t, "failed")
	assert.Equal(t, "Error", status)
	assert.Equal(t, stageFailure, msg)
	held, err := st.store.Held(ctx)
	require.NoError(t, err)
	assert.Zero(t, held)
}
