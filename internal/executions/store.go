package executions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/mie-go/mie-go/internal/awsconf"
)

// DynamoDB is what the store does with the execution and slot tables.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Reader serves the store's reads: an execution's status and the number of slots held. None of the store's
// guarantees depends on what it returns, only on the conditions of its writes, so a reader that lags (as the
// status index does) costs at most a retry or a needless requeue.
type Reader interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Invoker invokes the scheduler asynchronously.
type Invoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Config names the tables and the scheduler.
type Config struct {
	// ExecutionTable is the WorkflowExecution table (WORKFLOW_EXECUTION_TABLE_NAME).
	ExecutionTable string
	// SlotTable is the slot store (EXECUTION_SLOT_TABLE_NAME).
	SlotTable string
	// SchedulerARN is the scheduler function (WORKFLOW_SCHEDULER_LAMBDA_ARN). The scheduler itself has none, and
	// then writes trigger nothing.
	SchedulerARN string
}

// ConfigFromLookup reads the configuration; the table names are required.
func ConfigFromLookup(lookup awsconf.Lookup) (Config, error) {
	c := Config{
		ExecutionTable: lookup("WORKFLOW_EXECUTION_TABLE_NAME"),
		SlotTable:      lookup("EXECUTION_SLOT_TABLE_NAME"),
		SchedulerARN:   lookup("WORKFLOW_SCHEDULER_LAMBDA_ARN"),
	}
	var missing []string
	if c.ExecutionTable == "" {
		missing = append(missing, "WORKFLOW_EXECUTION_TABLE_NAME")
	}
	if c.SlotTable == "" {
		missing = append(missing, "EXECUTION_SLOT_TABLE_NAME")
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("execution store: missing environment variables %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// Store changes execution statuses as the transition table allows, taking and releasing slots in the same
// DynamoDB transaction as the status write (CP-32, CP-33, MIE#755).
//
// The slot table holds one counter item (Id "Counter", attribute Held) and one holder item per execution that
// holds a slot (Id = the execution's Id, never "Counter", since execution ids are UUIDs). A take increments the
// counter under the condition Held < limit, creates the holder under the condition that it does not exist, and
// writes Started under the condition that the execution is in the expected status; a release deletes the holder,
// decrements the counter and writes the new status. So Held always equals the number of holders, and an execution
// holds a slot exactly while it is Started, whatever the number of writers.
//
// Every write of an execution's status is conditional on the record existing: a deleted execution is never
// re-created, and the write is skipped.
type Store struct {
	cfg    Config
	db     DynamoDB
	reader Reader
	lambda Invoker
	now    func() time.Time
	// pause waits before retrying a transaction that conflicted with another.
	pause func(ctx context.Context, attempt int) error
}

// Option configures a Store.
type Option func(*Store)

// WithReader serves the store's reads from r instead of the DynamoDB client.
func WithReader(r Reader) Option {
	return func(s *Store) { s.reader = r }
}

// New returns a store; lambda may be nil when cfg names no scheduler.
func New(cfg Config, db DynamoDB, lambda Invoker, opts ...Option) *Store {
	s := &Store{cfg: cfg, db: db, reader: db, lambda: lambda, now: time.Now, pause: backoff}
	for _, o := range opts {
		o(s)
	}
	return s
}

// maxAttempts bounds the retries of a status change whose conditions keep failing because other writers change the
// same execution or the slot counter at the same time.
const maxAttempts = 10

// backoff waits a little longer after each conflict, so that contending writers spread out.
func backoff(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Names of the status update, as the original spells them (§16).
const (
	statusName    = "#workflow_status"
	statusValue   = ":workflow_status"
	messageValue  = ":message"
	counterKey    = "Counter"
	heldAttribute = "Held"
)

// ErrNotFound is returned by Read for an execution that does not exist.
var ErrNotFound = errors.New("workflow execution not found")

// ErrNotWaiting is returned by Resume when the execution is not Waiting at the given stage, or does not exist.
var ErrNotWaiting = errors.New("workflow execution is not Waiting at that stage")

// Set changes the status of an execution (CP-32): `SET Status = :s`, plus `Message` when the new status is Error,
// then invokes the scheduler asynchronously after Complete and Error. A change out of Started releases the
// execution's slot in the same transaction. A change the table refuses is a *TransitionError; a change that would
// take a slot is one too, because only the scheduler, which knows the limit, takes slots (see Take). An execution
// that does not exist is left alone and Set returns nil.
func (s *Store) Set(ctx context.Context, id string, to Status, message string) error {
	groups := sources(to)
	var writes []func(context.Context) (outcome, error)
	if froms := groups[Release]; len(froms) > 0 {
		writes = append(writes, func(ctx context.Context) (outcome, error) { return s.release(ctx, id, froms[0], to, message) })
	}
	if froms := groups[Keep]; len(froms) > 0 {
		writes = append(writes, func(ctx context.Context) (outcome, error) { return s.update(ctx, id, froms, to, message) })
	}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		out, err := firstHolding(ctx, writes)
		if err != nil {
			return fmt.Errorf("set execution %s to %s: %w", id, to, err)
		}
		switch out {
		case done:
			return s.written(ctx, to)
		case conflict:
			if err := s.pause(ctx, attempt); err != nil {
				return err
			}
			continue
		}
		// No condition held: the execution is gone, in a status the table refuses to leave for `to`, or it moved
		// between the writes.
		cur, err := s.Read(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("set execution %s to %s: %w", id, to, err)
		}
		if slot, err := Transition(cur.Status, to); err != nil || slot == Take {
			return &TransitionError{ID: id, From: cur.Status, To: to}
		}
	}
	return fmt.Errorf("set execution %s to %s: its status kept changing during %d attempts", id, to, maxAttempts)
}

// firstHolding runs the conditional writes in order until one is done or conflicts with another transaction.
func firstHolding(ctx context.Context, writes []func(context.Context) (outcome, error)) (outcome, error) {
	for _, w := range writes {
		out, err := w(ctx)
		if err != nil || out != notFrom {
			return out, err
		}
	}
	return notFrom, nil
}

// written invokes the scheduler after a status write that frees capacity (CP-32).
func (s *Store) written(ctx context.Context, to Status) error {
	if !to.triggersScheduler() {
		return nil
	}
	return s.TriggerScheduler(ctx)
}

// TriggerScheduler invokes the scheduler asynchronously, with no payload (CP-32, CP-34); it does nothing when the
// function has no scheduler ARN, as the scheduler itself.
func (s *Store) TriggerScheduler(ctx context.Context) error {
	if s.cfg.SchedulerARN == "" {
		return nil
	}
	_, err := s.lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(s.cfg.SchedulerARN),
		InvocationType: lambdatypes.InvocationTypeEvent,
	})
	if err != nil {
		return fmt.Errorf("invoke the workflow scheduler: %w", err)
	}
	return nil
}

// outcome is how a conditional write ended.
type outcome int

const (
	done     outcome = iota + 1
	notFrom          // the execution is not in the expected status, or does not exist
	conflict         // another transaction touched the same items; try again
)

// statusUpdate is the original's status update (§16): the status, and the message for Error.
func (s *Store) statusUpdate(to Status, message string) (string, map[string]types.AttributeValue) {
	values := map[string]types.AttributeValue{statusValue: str(string(to))}
	if to == Error {
		values[messageValue] = str(message)
		return "SET " + statusName + " = " + statusValue + ", Message = " + messageValue, values
	}
	return "SET " + statusName + " = " + statusValue, values
}

// fromCondition requires the record to exist and to be in one of the given statuses, adding their values.
func fromCondition(froms []Status, values map[string]types.AttributeValue) string {
	if len(froms) == 1 {
		values[":from_status"] = str(string(froms[0]))
		return "attribute_exists(Id) AND " + statusName + " = :from_status"
	}
	names := make([]string, len(froms))
	for i, f := range froms {
		names[i] = ":from_status_" + strconv.Itoa(i)
		values[names[i]] = str(string(f))
	}
	return "attribute_exists(Id) AND " + statusName + " IN (" + strings.Join(names, ", ") + ")"
}

// update writes a status change that keeps the slot as it is.
func (s *Store) update(ctx context.Context, id string, froms []Status, to Status, message string) (outcome, error) {
	expr, values := s.statusUpdate(to, message)
	cond := fromCondition(froms, values)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.cfg.ExecutionTable),
		Key:                       executionKey(id),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{statusName: "Status"},
		ExpressionAttributeValues: values,
	})
	var ccf *types.ConditionalCheckFailedException
	var tce *types.TransactionConflictException
	switch {
	case err == nil:
		return done, nil
	case errors.As(err, &ccf):
		return notFrom, nil
	case errors.As(err, &tce):
		return conflict, nil
	}
	return 0, err
}

// statusItem is the status write of an execution inside a transaction.
func (s *Store) statusItem(id string, froms []Status, to Status, message string) types.TransactWriteItem {
	expr, values := s.statusUpdate(to, message)
	cond := fromCondition(froms, values)
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(s.cfg.ExecutionTable),
		Key:                       executionKey(id),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{statusName: "Status"},
		ExpressionAttributeValues: values,
	}}
}

// release moves an execution out of Started and releases its slot. An execution that holds no slot although it
// is Started (one started before slots existed) changes status all the same: releasing is idempotent.
func (s *Store) release(ctx context.Context, id string, from, to Status, message string) (outcome, error) {
	codes, err := s.transact(ctx, []types.TransactWriteItem{
		s.dropHolder(id),
		s.decrement(),
		s.statusItem(id, []Status{from}, to, message),
	})
	if err != nil {
		return 0, err
	}
	switch {
	case codes == nil:
		return done, nil
	case anyCode(codes, "TransactionConflict"):
		return conflict, nil
	case failed(codes, 2):
		return notFrom, nil
	case failed(codes, 0):
		return s.update(ctx, id, []Status{from}, to, message)
	}
	return 0, fmt.Errorf("the slot counter is already 0 although execution %s holds a slot", id)
}

// TakeResult is how a Take ended.
type TakeResult int

// The results of Take.
const (
	// Taken: the execution is Started and holds a slot.
	Taken TakeResult = iota + 1
	// Full: every slot is held; nothing changed.
	Full
	// Moved: the execution does not exist or is not in the expected status any more; nothing changed.
	Moved
)

// Take moves an execution from `from` (Queued or Resumed) to Started and takes a slot for it, in one transaction
// that holds only while fewer than limit slots are held (CP-33).
func (s *Store) Take(ctx context.Context, id string, from Status, limit int) (TakeResult, error) {
	if slot, err := Transition(from, Started); err != nil || slot != Take {
		return 0, &TransitionError{ID: id, From: from, To: Started}
	}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		codes, err := s.transact(ctx, []types.TransactWriteItem{
			s.increment(limit),
			s.addHolder(id),
			s.statusItem(id, []Status{from}, Started, ""),
		})
		if err != nil {
			return 0, fmt.Errorf("take a slot for execution %s: %w", id, err)
		}
		switch {
		case codes == nil:
			return Taken, nil
		case anyCode(codes, "TransactionConflict"):
			if err := s.pause(ctx, attempt); err != nil {
				return 0, err
			}
			continue
		case failed(codes, 2):
			// Checked before the counter: a request whose execution has moved on is obsolete, full or not.
			return Moved, nil
		case failed(codes, 0):
			return Full, nil
		}
		return 0, fmt.Errorf("take a slot for execution %s: it holds one although it is %s", id, from)
	}
	return 0, fmt.Errorf("take a slot for execution %s: conflicting writes during %d attempts", id, maxAttempts)
}

// Delete deletes an execution record and releases its slot if it holds one, for R29. It does not look at the
// status: the holder item is the truth about the slot, and a take that happens meanwhile makes the delete try again.
func (s *Store) Delete(ctx context.Context, id string) error {
	drop := types.TransactWriteItem{Delete: &types.Delete{
		TableName: aws.String(s.cfg.ExecutionTable),
		Key:       executionKey(id),
	}}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		codes, err := s.transact(ctx, []types.TransactWriteItem{drop, s.dropHolder(id), s.decrement()})
		if err != nil {
			return fmt.Errorf("delete execution %s: %w", id, err)
		}
		if codes == nil {
			return nil
		}
		if !anyCode(codes, "TransactionConflict") {
			if !failed(codes, 1) {
				return fmt.Errorf("delete execution %s: the slot counter is already 0 although it holds a slot", id)
			}
			// It holds no slot: delete it while that stays true.
			codes, err = s.transact(ctx, []types.TransactWriteItem{drop, {ConditionCheck: &types.ConditionCheck{
				TableName:           aws.String(s.cfg.SlotTable),
				Key:                 executionKey(id),
				ConditionExpression: aws.String("attribute_not_exists(Id)"),
			}}})
			if err != nil {
				return fmt.Errorf("delete execution %s: %w", id, err)
			}
			if codes == nil {
				return nil
			}
		}
		if err := s.pause(ctx, attempt); err != nil {
			return err
		}
	}
	return fmt.Errorf("delete execution %s: conflicting writes during %d attempts", id, maxAttempts)
}

// Resume moves a Waiting execution paused at stage to Resumed, with the original's conditional update (R24, §16);
// the table allows Resumed only from Waiting, and the change keeps the slot (a Waiting execution holds none). It
// returns ErrNotWaiting when the condition fails.
func (s *Store) Resume(ctx context.Context, id, stage string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.cfg.ExecutionTable),
		Key:                 executionKey(id),
		UpdateExpression:    aws.String("SET " + statusName + " = " + statusValue),
		ConditionExpression: aws.String(statusName + " = :workflow_waiting_status AND CurrentStage = :waiting_stage_name"),
		ExpressionAttributeNames: map[string]string{
			statusName: "Status",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			statusValue:                str(string(Resumed)),
			":workflow_waiting_status": str(string(Waiting)),
			":waiting_stage_name":      str(stage),
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrNotWaiting
	}
	if err != nil {
		return fmt.Errorf("resume execution %s: %w", id, err)
	}
	return nil
}

// Snapshot is what Read returns of an execution.
type Snapshot struct {
	Status Status
	// StateMachineExecutionArn is empty until the scheduler has started the state machine.
	StateMachineExecutionArn string
}

// Read returns an execution's status and state machine execution, or ErrNotFound, through the store's reader.
func (s *Store) Read(ctx context.Context, id string) (Snapshot, error) {
	out, err := s.reader.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.cfg.ExecutionTable),
		Key:                      executionKey(id),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("Id, " + statusName + ", StateMachineExecutionArn"),
		ExpressionAttributeNames: map[string]string{statusName: "Status"},
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("read execution %s: %w", id, err)
	}
	if out.Item == nil {
		return Snapshot{}, ErrNotFound
	}
	return Snapshot{Status: Status(stringAttr(out.Item, "Status")), StateMachineExecutionArn: stringAttr(out.Item, "StateMachineExecutionArn")}, nil
}

// Held returns the number of slots held, through the store's reader.
func (s *Store) Held(ctx context.Context) (int, error) {
	out, err := s.reader.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(s.cfg.SlotTable),
		Key:                  executionKey(counterKey),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String(heldAttribute),
	})
	if err != nil {
		return 0, fmt.Errorf("read the slot counter: %w", err)
	}
	n, ok := out.Item[heldAttribute].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	held, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, fmt.Errorf("slot counter %q: %w", n.Value, err)
	}
	return held, nil
}

// increment counts one more slot, while fewer than limit are held.
func (s *Store) increment(limit int) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:           aws.String(s.cfg.SlotTable),
		Key:                 executionKey(counterKey),
		UpdateExpression:    aws.String("SET Held = if_not_exists(Held, :zero) + :one"),
		ConditionExpression: aws.String("attribute_not_exists(Held) OR Held < :limit"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero":  num(0),
			":one":   num(1),
			":limit": num(limit),
		},
	}}
}

// decrement counts one slot less.
func (s *Store) decrement() types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:           aws.String(s.cfg.SlotTable),
		Key:                 executionKey(counterKey),
		UpdateExpression:    aws.String("SET Held = Held - :one"),
		ConditionExpression: aws.String("Held > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": num(0),
			":one":  num(1),
		},
	}}
}

// addHolder records that the execution holds a slot.
func (s *Store) addHolder(id string) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.cfg.SlotTable),
		Item: map[string]types.AttributeValue{
			"Id":      str(id),
			"TakenAt": num(int(s.now().Unix())),
		},
		ConditionExpression: aws.String("attribute_not_exists(Id)"),
	}}
}

// dropHolder removes the execution's holder item, which must exist.
func (s *Store) dropHolder(id string) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName:           aws.String(s.cfg.SlotTable),
		Key:                 executionKey(id),
		ConditionExpression: aws.String("attribute_exists(Id)"),
	}}
}

// transact runs a transaction. It returns nil codes on success and the cancellation reason of each item when the
// transaction was cancelled; any other failure is an error.
func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem) ([]string, error) {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil, nil
	}
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil, err
	}
	codes := make([]string, len(items))
	for i, r := range tce.CancellationReasons {
		if i < len(codes) {
			codes[i] = aws.ToString(r.Code)
		}
	}
	return codes, nil
}

// failed reports whether the item at index i failed its condition.
func failed(codes []string, i int) bool {
	return i < len(codes) && codes[i] == "ConditionalCheckFailed"
}

func anyCode(codes []string, code string) bool {
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

func executionKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"Id": str(id)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(n)} }

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
