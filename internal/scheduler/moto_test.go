package scheduler

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/orchestration"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/operators/sdk"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// stack is a provisioned deployment on moto with one workflow state machine.
type stack struct {
	cfg          Config
	db           *dynamodb.Client
	sqs          *sqs.Client
	sfn          *sfn.Client
	dlq          string
	stateMachine string
	workflow     string
}

// newStack provisions a fresh stack; the stage-execution queue's receive wait is 0, so that a run with free slots
// and an empty queue returns at once.
func newStack(t *testing.T) *stack {
	t.Helper()
	conf := awstest.Config(t, nil)
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(t.Context(), conf, resources.Params{
		StackName: prefix, ShortID: "abc123", Region: "us-east-1", Account: "123456789012",
		StageQueueReceiveWait: aws.Duration(0),
	})
	require.NoError(t, err)
	env, err := d.Env(resources.WorkflowSchedulerLambda)
	require.NoError(t, err)
	cfg, err := ConfigFromLookup(awsconf.MapLookup(env))
	require.NoError(t, err)
	dlq, err := d.Resolve(resources.URLOf(resources.StageExecutionDeadLetterQueue))
	require.NoError(t, err)
	st := &stack{cfg: cfg, db: conf.DynamoDB(), sqs: conf.SQS(), sfn: conf.SFN(), dlq: dlq, workflow: "MyWF" + prefix}
	sm, err := st.sfn.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
		Name:       aws.String(st.workflow + "-abc123"),
		Definition: aws.String(`{"StartAt": "Prep", "States": {"Prep": {"Type": "Pass", "End": true}}}`),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/" + prefix + "-StepFunctionRole"),
	})
	require.NoError(t, err)
	st.stateMachine = aws.ToString(sm.StateMachineArn)
	return st
}

// scheduler returns a scheduler of the stack; the store reads through reader when it is not nil.
func (st *stack) scheduler(db executions.DynamoDB, reader executions.Reader) (*Scheduler, *executions.Store) {
	var opts []executions.Option
	if reader != nil {
		opts = append(opts, executions.WithReader(reader))
	}
	store := executions.New(st.cfg.Executions, db, nil, opts...)
	return New(st.cfg, store, db, st.sqs, st.sfn, nil), store
}

func (st *stack) setLimit(t *testing.T, n int) {
	t.Helper()
	_, err := st.db.PutItem(t.Context(), &dynamodb.PutItemInput{
		TableName: aws.String(st.cfg.SystemTable),
		Item:      map[string]types.AttributeValue{"Name": str("MaxConcurrentWorkflows"), "Value": num(n)},
	})
	require.NoError(t, err)
}

// record is an execution record as R23 writes it (§4.5), for a one-stage workflow.
func (st *stack) record(id, stateMachine string) *pyjson.Map {
	rec, err := pyjson.DecodeObject(fmt.Appendf(nil, `{"Id": %q, "Trigger": "api", "CurrentStage": "Prep",
		"Globals": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k.mp4"}}, "MetaData": {}}, "Configuration": {},
		"AssetId": "asset-%s", "Version": "v0", "Created": "1704067200.1", "ResourceType": "WORKFLOW_EXECUTION", "ApiVersion": "3.0.0",
		"Workflow": {"Name": %q, "StartAt": "Prep", "StateMachineArn": %q, "Stages": {"Prep": {"End": true, "Name": "Prep",
			"Operations": ["Wait"], "Configuration": {"Wait": {"MediaType": "MetadataOnly", "Enabled": true}}, "Status": "Started",
			"Metrics": {}, "AssetId": "asset-%s", "WorkflowExecutionId": %q, "MetaData": {},
			"Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k.mp4"}}, "MetaData": {}}}}},
		"Status": "Queued"}`, id, id, st.workflow, stateMachine, id, id))
	if err != nil {
		panic(err)
	}
	return rec
}

// enqueue does what R23 does: put the record, then send it as the request.
func (st *stack) enqueue(t *testing.T, id string) {
	t.Helper()
	st.enqueueFor(t, id, st.stateMachine)
}

func (st *stack) enqueueFor(t *testing.T, id, stateMachine string) {
	t.Helper()
	rec := st.record(id, stateMachine)
	item, err := ddbjson.MarshalMap(rec)
	require.NoError(t, err)
	_, err = st.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(st.cfg.Executions.ExecutionTable), Item: item})
	require.NoError(t, err)
	body, err := pyjson.Python(rec)
	require.NoError(t, err)
	st.send(t, string(body))
}

func (st *stack) send(t *testing.T, body string) {
	t.Helper()
	_, err := st.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(st.cfg.QueueURL), MessageBody: aws.String(body)})
	require.NoError(t, err)
}

// executions returns every record's Status and StateMachineExecutionArn, by Id.
func (st *stack) executions(ctx context.Context, db scanner) (map[string][2]string, error) {
	out := map[string][2]string{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(st.cfg.Executions.ExecutionTable), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, item := range page.Items {
			id := item["Id"].(*types.AttributeValueMemberS).Value
			var arn string
			if a, ok := item["StateMachineExecutionArn"].(*types.AttributeValueMemberS); ok {
				arn = a.Value
			}
			out[id] = [2]string{item["Status"].(*types.AttributeValueMemberS).Value, arn}
		}
	}
	return out, nil
}

type scanner interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

func (st *stack) withStatus(t *testing.T, status executions.Status) []string {
	t.Helper()
	all, err := st.executions(t.Context(), st.db)
	require.NoError(t, err)
	var ids []string
	for id, e := range all {
		if e[0] == string(status) {
			ids = append(ids, id)
		}
	}
	return ids
}

// queued returns the number of messages on a queue, visible or in flight.
func (st *stack) queued(t *testing.T, url string) int {
	t.Helper()
	out, err := st.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	require.NoError(t, err)
	visible, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	inFlight, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return visible + inFlight
}

func TestLimitTwoWithSevenQueued(t *testing.T) {
	// CP-33, CP-46: with MaxConcurrentWorkflows 2 and 7 executions queued, each run fills the free slots and no
	// more; the state machine is started with the stage object; completions free the slots for the next run.
	t.Parallel()
	st := newStack(t)
	st.setLimit(t, 2)
	for i := range 7 {
		st.enqueue(t, fmt.Sprintf("exec-%d", i))
	}
	sched, store := st.scheduler(st.db, nil)
	completed := 0
	for round := 0; completed < 7; round++ {
		require.Less(t, round, 7, "every round starts at least one execution")
		require.NoError(t, sched.Run(t.Context()))
		started := st.withStatus(t, executions.Started)
		assert.Len(t, started, min(2, 7-completed), "round %d", round)
		held, err := store.Held(t.Context())
		require.NoError(t, err)
		assert.Equal(t, len(started), held)
		for _, id := range started {
			arn := st.executionArn(t, id)
			desc, err := st.sfn.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
			require.NoError(t, err)
			assert.Equal(t, st.workflow+id, aws.ToString(desc.Name))
			stage, err := pyjson.Python(st.stage(t, id))
			require.NoError(t, err)
			assert.JSONEq(t, string(stage), aws.ToString(desc.Input))
			require.NoError(t, store.Set(t.Context(), id, executions.Complete, "stage completed with status Complete"))
		}
		completed += len(started)
	}
	assert.Len(t, st.withStatus(t, executions.Complete), 7)
	assert.Zero(t, st.queued(t, st.cfg.QueueURL))
	assert.Zero(t, st.queued(t, st.dlq))
	// An empty queue with free slots: the run returns (the queue's receive wait is 0 here).
	require.NoError(t, sched.Run(t.Context()))
}

// stage returns the current stage object of a record, the input its state machine execution must get.
func (st *stack) stage(t *testing.T, id string) any {
	t.Helper()
	v := any(st.record(id, st.stateMachine))
	for _, k := range []string{"Workflow", "Stages", "Prep"} {
		var err error
		v, err = executions.Subscript(v, k)
		require.NoError(t, err)
	}
	return v
}

func (st *stack) executionArn(t *testing.T, id string) string {
	t.Helper()
	all, err := st.executions(t.Context(), st.db)
	require.NoError(t, err)
	require.NotEmpty(t, all[id][1], "StateMachineExecutionArn of %s", id)
	return all[id][1]
}

func TestWaitingExecutionFreesItsSlot(t *testing.T) {
	// CP-33, CP-38, Q-07: limit 1. A Waiting execution does not count, so a second one starts; its resume then
	// finds no slot, stays on the queue (not in the dead-letter queue) while check-wait keeps polling, and
	// continues once the other completes.
	t.Parallel()
	st := newStack(t)
	st.setLimit(t, 1)
	sched, store := st.scheduler(st.db, nil)
	ctx := t.Context()
	wait := func(id string) sdk.Operation {
		return sdk.Operation{Name: "Wait", AssetID: "asset-" + id, WorkflowExecutionID: id, Input: []byte(`{"Media": {}, "MetaData": {}}`),
			Configuration: []byte(`{"MediaType": "MetadataOnly", "Enabled": true}`), Status: "Started"}
	}
	checkWait := orchestration.NewCheckWait(st.db, st.cfg.Executions.ExecutionTable)
	check := func(id string) string {
		t.Helper()
		out, err := checkWait.Handle(ctx, wait(id))
		require.NoError(t, err)
		return out.Status
	}

	st.enqueue(t, "a")
	require.NoError(t, sched.Run(ctx))
	assert.Equal(t, []string{"a"}, st.withStatus(t, executions.Started))
	_, err := orchestration.NewStartWait(store).Handle(ctx, wait("a"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, st.withStatus(t, executions.Waiting))

	st.enqueue(t, "b")
	require.NoError(t, sched.Run(ctx))
	assert.Equal(t, []string{"b"}, st.withStatus(t, executions.Started), "Waiting does not count against the limit")

	// R24.
	require.NoError(t, store.Resume(ctx, "a", "Prep"))
	st.send(t, `{"Id": "a", "Status": "Resumed"}`)
	for range 2 {
		require.NoError(t, sched.Run(ctx))
		assert.Equal(t, []string{"a"}, st.withStatus(t, executions.Resumed), "no slot for the resume")
		assert.Equal(t, 1, st.queued(t, st.cfg.QueueURL), "the request stays on the queue")
		assert.Zero(t, st.queued(t, st.dlq))
		assert.Equal(t, sdk.OperationStatusExecuting, check("a"), "Q-07: Resumed keeps the Wait operation polling")
	}

	require.NoError(t, store.Set(ctx, "b", executions.Complete, "stage completed with status Complete"))
	require.NoError(t, sched.Run(ctx))
	assert.Equal(t, []string{"a"}, st.withStatus(t, executions.Started), "resume flips Resumed -> Started")
	assert.Equal(t, sdk.OperationStatusComplete, check("a"))
	assert.Zero(t, st.queued(t, st.cfg.QueueURL))
	out, err := st.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(st.stateMachine)})
	require.NoError(t, err)
	assert.Len(t, out.Executions, 2, "a resume starts no second state machine execution")
}

func TestSchedulerErrorPathOnMoto(t *testing.T) {
	// CP-33, §8.3 step 4: the state machine does not exist. The execution ends Error with the original's message,
	// its slot is released and its request removed; the invocation fails.
	t.Parallel()
	st := newStack(t)
	sched, store := st.scheduler(st.db, nil)
	missing := "arn:aws:states:us-east-1:123456789012:stateMachine:missing-abc123"
	st.enqueueFor(t, "x", missing)
	err := sched.Run(t.Context())
	require.Error(t, err)
	out, err := st.db.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(st.cfg.Executions.ExecutionTable),
		Key: map[string]types.AttributeValue{"Id": str("x")}, ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	assert.Equal(t, str("Error"), out.Item["Status"])
	assert.Equal(t, str("Exception in workflow_scheduler_lambda An error occurred (StateMachineDoesNotExist) when calling the "+
		"StartExecution operation: State Machine Does Not Exist: '"+missing+"'"), out.Item["Message"])
	held, err := store.Held(t.Context())
	require.NoError(t, err)
	assert.Zero(t, held)
	assert.Zero(t, st.queued(t, st.cfg.QueueURL))
}

func TestDeletedExecutionIsNotRecreated(t *testing.T) {
	// a queued execution deleted (R29) before the scheduler sees it is dropped, not re-created.
	t.Parallel()
	st := newStack(t)
	sched, store := st.scheduler(st.db, nil)
	st.enqueue(t, "gone")
	require.NoError(t, store.Delete(t.Context(), "gone"))
	require.NoError(t, sched.Run(t.Context()))
	all, err := st.executions(t.Context(), st.db)
	require.NoError(t, err)
	assert.Empty(t, all)
	assert.Zero(t, st.queued(t, st.cfg.QueueURL))
}

// serialDB sends one DynamoDB request at a time and measures, after every write, how many executions are Started
// and how many slots are held. moto does not isolate concurrent transactions from each other (it checks conditions
// and writes without a lock, and restores whole tables when one is cancelled), while DynamoDB serializes
// conflicting ones; one request at a time gives the schedulers DynamoDB's guarantee, and they still interleave at
// every request.
type serialDB struct {
	mu          sync.Mutex
	db          *dynamodb.Client
	st          *stack
	maxStarted  int
	maxHeld     int
	measureErrs []error
}

func (s *serialDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.GetItem(ctx, in, optFns...)
}

func (s *serialDB) Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Scan(ctx, in, optFns...)
}

func (s *serialDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.db.UpdateItem(ctx, in, optFns...)
	s.measure(ctx)
	return out, err
}

func (s *serialDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.db.TransactWriteItems(ctx, in, optFns...)
	s.measure(ctx)
	return out, err
}

// measure counts Started executions and the slot counter; the caller holds the lock.
func (s *serialDB) measure(ctx context.Context) {
	all, err := s.st.executions(ctx, s.db)
	if err != nil {
		s.measureErrs = append(s.measureErrs, err)
		return
	}
	started := 0
	for _, e := range all {
		if e[0] == string(executions.Started) {
			started++
		}
	}
	s.maxStarted = max(s.maxStarted, started)
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.st.cfg.Executions.SlotTable),
		Key: map[string]types.AttributeValue{"Id": str("Counter")}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		s.measureErrs = append(s.measureErrs, err)
		return
	}
	if n, ok := out.Item["Held"].(*types.AttributeValueMemberN); ok {
		held, _ := strconv.Atoi(n.Value)
		s.maxHeld = max(s.maxHeld, held)
	}
}

// laggingReader answers each GetItem with what the same request returned `lag` calls earlier, as a lagging index
// would: the scheduler's reads of statuses and of the counter are stale.
type laggingReader struct {
	mu      sync.Mutex
	next    executions.Reader
	lag     int
	history map[string][]*dynamodb.GetItemOutput
}

func (r *laggingReader) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := r.next.GetItem(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	k := aws.ToString(in.TableName) + "/" + in.Key["Id"].(*types.AttributeValueMemberS).Value
	r.mu.Lock()
	defer r.mu.Unlock()
	h := append(r.history[k], out)
	r.history[k] = h
	return h[max(0, len(h)-1-r.lag)], nil
}

func TestConcurrentSchedulersKeepTheLimit(t *testing.T) {
	// CP-33, MIE#755: four schedulers run at once over 20 queued executions with limit 3, their reads served
	// stale; executions complete meanwhile. Measured after every write: never more than 3 executions Started nor
	// slots held. Every execution is started exactly once and completes.
	t.Parallel()
	st := newStack(t)
	st.setLimit(t, 3)
	const total = 20
	for i := range total {
		st.enqueue(t, fmt.Sprintf("exec-%02d", i))
	}
	db := &serialDB{db: st.db, st: st}
	ctx := t.Context()

	var (
		mu       sync.Mutex
		finished bool
		runErrs  []error
		wg       sync.WaitGroup
	)
	isFinished := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return finished
	}
	for range 4 {
		sched, _ := st.scheduler(db, &laggingReader{next: db, lag: 2, history: map[string][]*dynamodb.GetItemOutput{}})
		wg.Go(func() {
			for runs := 0; !isFinished(); runs++ {
				if runs > 2000 {
					mu.Lock()
					runErrs = append(runErrs, fmt.Errorf("a scheduler ran %d times without the executions finishing", runs))
					mu.Unlock()
					return
				}
				if err := sched.Run(ctx); err != nil {
					mu.Lock()
					runErrs = append(runErrs, err)
					mu.Unlock()
				}
			}
		})
	}
	// The executions' state machines: each one that has been started completes.
	_, completer := st.scheduler(db, nil)
	for rounds := 0; ; rounds++ {
		require.Less(t, rounds, 5000, "the executions did not finish")
		all, err := st.executions(ctx, db)
		require.NoError(t, err)
		complete := 0
		for id, e := range all {
			switch {
			case e[0] == string(executions.Complete):
				complete++
			case e[0] == string(executions.Started) && e[1] != "":
				require.NoError(t, completer.Set(ctx, id, executions.Complete, "stage completed with status Complete"))
			}
		}
		if complete == total {
			break
		}
		mu.Lock()
		stop := len(runErrs) > 0
		mu.Unlock()
		if stop {
			break
		}
	}
	mu.Lock()
	finished = true
	mu.Unlock()
	wg.Wait()

	require.Empty(t, runErrs)
	require.Empty(t, db.measureErrs)
	assert.LessOrEqual(t, db.maxStarted, 3, "Started executions at once")
	assert.LessOrEqual(t, db.maxHeld, 3, "slots held at once")
	assert.Positive(t, db.maxStarted)
	assert.Len(t, st.withStatus(t, executions.Complete), total)
	list, err := st.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(st.stateMachine)})
	require.NoError(t, err)
	// By name: StartExecution is idempotent by name on AWS, but moto can record two executions for two
	// simultaneous starts of one name.
	names := map[string]bool{}
	for _, e := range list.Executions {
		names[aws.ToString(e.Name)] = true
	}
	assert.Len(t, names, total, "one state machine execution per workflow execution")
	held, err := completer.Held(ctx)
	require.NoError(t, err)
	assert.Zero(t, held)
	assert.Zero(t, st.queued(t, st.cfg.QueueURL))
	assert.Zero(t, st.queued(t, st.dlq))
}
