// Package scheduler is the workflow scheduler Lambda: it takes execution requests off the stage-execution queue
// while concurrency slots are free and starts their state machines (control-plane §8.3, CP-33, CP-34).
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/reconciler"
)

// DefaultLimit is the limit when neither the System table nor DEFAULT_MAX_CONCURRENT_WORKFLOWS gives one, as in the
// original (CP-43: the stack passes its MaxConcurrentWorkflows parameter, 5 by default, in that variable).
const DefaultLimit = 10

// maxBatch is the most messages one ReceiveMessage returns.
const maxBatch = 10

// Queue is the stage-execution queue.
type Queue interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// StepFunctions starts workflow state machines.
type StepFunctions interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// DynamoDB reads the limit from the System table and records the state machine execution of a started execution.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Config is the scheduler function's configuration.
type Config struct {
	Executions executions.Config
	// QueueURL is the stage-execution queue (STAGE_EXECUTION_QUEUE_URL).
	QueueURL string
	// SystemTable holds the MaxConcurrentWorkflows item (SYSTEM_TABLE_NAME).
	SystemTable string
	// DefaultLimit applies when the System table has no MaxConcurrentWorkflows item
	// (DEFAULT_MAX_CONCURRENT_WORKFLOWS, DefaultLimit when unset).
	DefaultLimit int
}

// ConfigFromLookup reads the configuration.
func ConfigFromLookup(lookup awsconf.Lookup) (Config, error) {
	ex, err := executions.ConfigFromLookup(lookup)
	if err != nil {
		return Config{}, fmt.Errorf("workflow scheduler: %w", err)
	}
	c := Config{Executions: ex, QueueURL: lookup("STAGE_EXECUTION_QUEUE_URL"), SystemTable: lookup("SYSTEM_TABLE_NAME"), DefaultLimit: DefaultLimit}
	var missing []string
	if c.QueueURL == "" {
		missing = append(missing, "STAGE_EXECUTION_QUEUE_URL")
	}
	if c.SystemTable == "" {
		missing = append(missing, "SYSTEM_TABLE_NAME")
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("workflow scheduler: missing environment variables %s", strings.Join(missing, ", "))
	}
	if raw := lookup("DEFAULT_MAX_CONCURRENT_WORKFLOWS"); raw != "" {
		if c.DefaultLimit, err = strconv.Atoi(raw); err != nil {
			return Config{}, fmt.Errorf("workflow scheduler: DEFAULT_MAX_CONCURRENT_WORKFLOWS %q is not an integer", raw)
		}
	}
	return c, nil
}

// Scheduler is the workflow scheduler. Several may run at once (the local runtime, retries of asynchronous
// invocations): the limit is kept by the slot store's conditional writes, not by anything a run reads.
type Scheduler struct {
	cfg   Config
	store *executions.Store
	db    DynamoDB
	queue Queue
	sfn   StepFunctions
	log   *slog.Logger
	// reconcile, when set, ends executions whose state machine run is gone before each scheduling pass.
	reconcile Reconciler
}

// Reconciler ends the executions whose state machine run failed, timed out, was aborted or never started, and
// repairs the slot count (MIE#272); the scheduler runs it on every trigger, the one-minute tick included.
type Reconciler interface {
	Run(ctx context.Context) error
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithReconciler makes every scheduling pass start with a reconciliation.
func WithReconciler(r Reconciler) Option {
	return func(s *Scheduler) { s.reconcile = r }
}

// New returns a scheduler; log may be nil.
func New(cfg Config, store *executions.Store, db DynamoDB, queue Queue, sfn StepFunctions, log *slog.Logger, opts ...Option) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{cfg: cfg, store: store, db: db, queue: queue, sfn: sfn, log: log}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// NewFromLookup builds the scheduler of a deployed function from lookup (os.Getenv in production).
func NewFromLookup(ctx context.Context, lookup awsconf.Lookup) (*Scheduler, error) {
	cfg, err := ConfigFromLookup(lookup)
	if err != nil {
		return nil, err
	}
	conf, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("workflow scheduler: %w", err)
	}
	rc, err := reconciler.ConfigFromLookup(lookup)
	if err != nil {
		return nil, fmt.Errorf("workflow scheduler: %w", err)
	}
	db := conf.DynamoDB()
	store := executions.New(cfg.Executions, db, conf.Lambda())
	rec := reconciler.New(rc, reconciler.NewExecutions(db, cfg.Executions.ExecutionTable, store), conf.SFN(), store,
		reconciler.WithLogger(slog.Default()))
	return New(cfg, store, db, conf.SQS(), conf.SFN(), slog.Default(), WithReconciler(rec)), nil
}

// Handle is the Lambda entry point (§9.1, CP-34): it takes no event, so that the EventBridge tick and an
// asynchronous invocation without a payload are the same; the output is "".
func (s *Scheduler) Handle(ctx context.Context) (string, error) {
	if s.reconcile != nil {
		// Reconcile first so that slots it frees are used in this very pass. A failure is logged, not returned:
		// scheduling must go on even when one execution cannot be checked.
		if err := s.reconcile.Run(ctx); err != nil {
			s.log.ErrorContext(ctx, "reconcile workflow executions", "error", err)
		}
	}
	return "", s.Run(ctx)
}

// Run schedules until no slot is free or the queue is empty (CP-33): it reads the limit, then repeatedly receives
// at most min(free, 10) messages and handles each. A message whose execution gets no slot goes back on the queue
// and ends the run; the next trigger tries again. A failure while handling one message does not stop the others
// of its batch; it ends the run with an error.
func (s *Scheduler) Run(ctx context.Context) error {
	limit, err := s.limit(ctx)
	if err != nil {
		return err
	}
	for {
		held, err := s.store.Held(ctx)
		if err != nil {
			return err
		}
		if held >= limit {
			s.log.InfoContext(ctx, "MaxConcurrentWorkflows has been reached - nothing to do", "held", held, "limit", limit)
			return nil
		}
		// No WaitTimeSeconds: the queue's receive wait applies (20 s on AWS, 0 or 1 s in tests and locally).
		out, err := s.queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(s.cfg.QueueURL),
			MaxNumberOfMessages: int32(min(limit-held, maxBatch)),
		})
		if err != nil {
			return fmt.Errorf("receive from the stage execution queue: %w", err)
		}
		if len(out.Messages) == 0 {
			s.log.InfoContext(ctx, "Queue is empty")
			return nil
		}
		var errs []error
		requeued := false
		for _, m := range out.Messages {
			back, err := s.handle(ctx, m, limit)
			requeued = requeued || back
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		if requeued {
			return nil
		}
	}
}

// limit reads MaxConcurrentWorkflows from the System table (consistent read), or the default.
func (s *Scheduler) limit(ctx context.Context) (int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.cfg.SystemTable),
		Key:            map[string]types.AttributeValue{"Name": &types.AttributeValueMemberS{Value: "MaxConcurrentWorkflows"}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("read MaxConcurrentWorkflows: %w", err)
	}
	if out.Item == nil {
		return s.cfg.DefaultLimit, nil
	}
	n, err := pythonInt(out.Item["Value"])
	if err != nil {
		return 0, fmt.Errorf("MaxConcurrentWorkflows: %w", err)
	}
	return n, nil
}

// pythonInt is the original's int(Value) of the System item's value: a number truncated towards zero, a string of
// decimal digits, or a boolean.
func pythonInt(v types.AttributeValue) (int, error) {
	switch t := v.(type) {
	case nil:
		return 0, errors.New("the item has no Value")
	case *types.AttributeValueMemberN:
		f, err := strconv.ParseFloat(t.Value, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid number %q", t.Value)
		}
		return int(math.Trunc(f)), nil
	case *types.AttributeValueMemberS:
		n, err := strconv.Atoi(strings.TrimSpace(t.Value))
		if err != nil {
			return 0, fmt.Errorf("invalid literal for int() with base 10: %s", pyjson.QuoteKey(t.Value))
		}
		return n, nil
	case *types.AttributeValueMemberBOOL:
		if t.Value {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("Value of type %T is not a number", v)
}

// request is what the scheduler needs of a queue message: the execution record R23 sent, or R24's
// {"Id": ..., "Status": "Resumed"}.
type request struct {
	id string
	// from is the status the execution must still have: Resumed for R24's messages, Queued for every other.
	from executions.Status
	// For a Queued request: the StartExecution parameters (§5.4).
	stateMachine, name, input string
}

// parse reads a message body with the original's lookups, in its order, so that a malformed request fails with the
// original's text. A body that is no JSON object or has no Id cannot be attributed to an execution: that is the
// second result.
func parse(body string) (request, bool, error) {
	rec, err := pyjson.DecodeObject([]byte(body))
	if err != nil {
		return request{}, false, err
	}
	r := request{}
	if r.id, err = executions.SubscriptString(rec, "Id"); err != nil {
		return request{}, false, err
	}
	status, err := executions.Subscript(rec, "Status")
	if err != nil {
		return r, true, err
	}
	r.from = executions.Queued
	if status == string(executions.Resumed) {
		// Resumed executions' state machines are still running, waiting for the resume: only the status changes.
		r.from = executions.Resumed
		return r, true, nil
	}
	wf, err := executions.Subscript(rec, "Workflow")
	if err != nil {
		return r, true, err
	}
	if r.stateMachine, err = executions.SubscriptString(wf, "StateMachineArn"); err != nil {
		return r, true, err
	}
	name, err := executions.SubscriptString(wf, "Name")
	if err != nil {
		return r, true, err
	}
	r.name = name + r.id
	stages, err := executions.Subscript(wf, "Stages")
	if err != nil {
		return r, true, err
	}
	current, err := executions.SubscriptString(rec, "CurrentStage")
	if err != nil {
		return r, true, err
	}
	stage, err := executions.Subscript(stages, current)
	if err != nil {
		return r, true, err
	}
	input, err := pyjson.Python(stage)
	if err != nil {
		return r, true, err
	}
	r.input = string(input)
	return r, true, nil
}

// handle handles one message and reports whether it went back on the queue. The order is Q-22's: take the slot,
// start the state machine (idempotent by execution name), record its ARN, and only then delete the message.
func (s *Scheduler) handle(ctx context.Context, m sqstypes.Message, limit int) (bool, error) {
	r, attributed, err := parse(aws.ToString(m.Body))
	if !attributed {
		// Nothing to mark Error: the message stays in flight and moves to the dead-letter queue (maxReceiveCount 1).
		return false, fmt.Errorf("message %s: %w", aws.ToString(m.MessageId), err)
	}
	if err != nil {
		return false, s.fail(ctx, m, r.id, err)
	}
	taken, err := s.store.Take(ctx, r.id, r.from, limit)
	if err != nil {
		return false, s.fail(ctx, m, r.id, err)
	}
	switch taken {
	case executions.Full:
		return true, s.requeue(ctx, m)
	case executions.Moved:
		return s.moved(ctx, m, r)
	}
	if r.from == executions.Resumed {
		return false, s.delete(ctx, m)
	}
	return false, s.start(ctx, m, r)
}

// moved handles a request whose execution was not in the expected status when its slot was to be taken.
func (s *Scheduler) moved(ctx context.Context, m sqstypes.Message, r request) (bool, error) {
	cur, err := s.store.Read(ctx, r.id)
	switch {
	case errors.Is(err, executions.ErrNotFound):
		// Deleted (R29): never re-create it.
		return false, s.delete(ctx, m)
	case err != nil:
		return true, errors.Join(err, s.requeue(ctx, m))
	case cur.Status == r.from:
		// The read lags behind the write that failed; let a later run decide.
		return true, s.requeue(ctx, m)
	case cur.Status == executions.Started && r.from == executions.Queued && cur.StateMachineExecutionArn == "":
		// Another scheduler took the slot for a copy of this message and has not recorded the state machine
		// execution yet, or stopped before it could: starting is idempotent, so finish the start.
		return false, s.start(ctx, m, r)
	}
	// A copy of the request was handled already, or the execution has ended or moved on.
	return false, s.delete(ctx, m)
}

// start starts the state machine of a Started execution, records the execution ARN and deletes the message.
func (s *Scheduler) start(ctx context.Context, m sqstypes.Message, r request) error {
	out, err := s.sfn.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(r.stateMachine),
		Name:            aws.String(r.name),
		Input:           aws.String(r.input),
	})
	if err != nil {
		return s.fail(ctx, m, r.id, err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.cfg.Executions.ExecutionTable),
		Key:                       map[string]types.AttributeValue{"Id": &types.AttributeValueMemberS{Value: r.id}},
		UpdateExpression:          aws.String("SET StateMachineExecutionArn = :arn"),
		ConditionExpression:       aws.String("attribute_exists(Id)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":arn": &types.AttributeValueMemberS{Value: aws.ToString(out.ExecutionArn)}},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return s.fail(ctx, m, r.id, err)
	}
	return s.delete(ctx, m)
}

// fail marks the execution Error with the original's message (§8.3 step 4), which releases its slot if it took one,
// and removes its request from the queue, then returns the cause, which fails the invocation.
func (s *Scheduler) fail(ctx context.Context, m sqstypes.Message, id string, cause error) error {
	cause = fmt.Errorf("execution %s: %w", id, cause)
	message := "Exception in workflow_scheduler_lambda " + executions.Text(errors.Unwrap(cause))
	if err := s.store.Set(ctx, id, executions.Error, message); err != nil {
		return errors.Join(cause, err)
	}
	return errors.Join(cause, s.delete(ctx, m))
}

// delete removes a handled message from the queue. A receipt handle the queue no longer knows means that a copy of
// the message, delivered twice, was deleted already (moto says so; SQS accepts the stale handle).
func (s *Scheduler) delete(ctx context.Context, m sqstypes.Message) error {
	_, err := s.queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(s.cfg.QueueURL), ReceiptHandle: m.ReceiptHandle})
	var gone *sqstypes.ReceiptHandleIsInvalid
	if errors.As(err, &gone) {
		s.log.InfoContext(ctx, "message deleted already", "message", aws.ToString(m.MessageId))
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete message %s: %w", aws.ToString(m.MessageId), err)
	}
	return nil
}

// requeue puts a message back on the queue as a new message. Making the received one visible again would not do:
// the queue moves a message received a second time to its dead-letter queue (maxReceiveCount 1, INF-14).
func (s *Scheduler) requeue(ctx context.Context, m sqstypes.Message) error {
	_, err := s.queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(s.cfg.QueueURL), MessageBody: m.Body})
	if err != nil {
		return fmt.Errorf("requeue message %s: %w", aws.ToString(m.MessageId), err)
	}
	return s.delete(ctx, m)
}
