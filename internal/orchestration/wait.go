package orchestration

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// waitErrorKey is the MetaData key of the Wait operation's failures (§8.7).
const waitErrorKey = "WaitError"

// StartWait is the START Lambda of the Wait operation (CP-38): it pauses the execution.
type StartWait struct {
	store *executions.Store
}

// NewStartWait returns the start-wait handler.
func NewStartWait(store *executions.Store) *StartWait { return &StartWait{store: store} }

// NewStartWaitFromLookup builds the handler of a deployed function from lookup (os.Getenv in production).
func NewStartWaitFromLookup(ctx context.Context, lookup awsconf.Lookup) (*StartWait, error) {
	store, err := storeFromLookup(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("start-wait operation: %w", err)
	}
	return NewStartWait(store), nil
}

// Handle sets the execution Waiting, which releases its slot (§8.1), and returns the event unchanged as the
// output object. A failed write is a *sdk.MasExecutionError whose output has Status Error and
// MetaData.WaitError `Unable to set workflow status to Waiting <e>`.
func (w *StartWait) Handle(ctx context.Context, event sdk.Operation) (*sdk.Operation, error) {
	h := sdk.NewOperationHelper(event)
	if err := w.store.Set(ctx, event.WorkflowExecutionID, executions.Waiting, ""); err != nil {
		h.UpdateWorkflowStatus(sdk.OperationStatusError)
		h.AddWorkflowMetadata(waitErrorKey, "Unable to set workflow status to Waiting "+executions.Text(err))
		return nil, h.MasExecutionError()
	}
	return h.ReturnOutputObject(), nil
}

// ItemReader reads an execution record.
type ItemReader interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// CheckWait is the MONITOR Lambda of the Wait operation (CP-38), polled every 10 s while it answers Executing.
type CheckWait struct {
	db    ItemReader
	table string
}

// NewCheckWait returns the check-wait handler for the given execution table.
func NewCheckWait(db ItemReader, table string) *CheckWait { return &CheckWait{db: db, table: table} }

// NewCheckWaitFromLookup builds the handler of a deployed function from lookup (os.Getenv in production).
func NewCheckWaitFromLookup(ctx context.Context, lookup awsconf.Lookup) (*CheckWait, error) {
	table := lookup("WORKFLOW_EXECUTION_TABLE_NAME")
	if table == "" {
		return nil, fmt.Errorf("check-wait operation: WORKFLOW_EXECUTION_TABLE_NAME is not set")
	}
	conf, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("check-wait operation: %w", err)
	}
	return NewCheckWait(conf.DynamoDB(), table), nil
}

// Handle reads the execution (consistent read) and answers by its status: Waiting, and Resumed too (Q-07: the
// scheduler has not found a free slot yet), keep the operation Executing; Started completes it; a missing record
// or any other status is a *sdk.MasExecutionError with MetaData.WaitError.
func (w *CheckWait) Handle(ctx context.Context, event sdk.Operation) (*sdk.Operation, error) {
	h := sdk.NewOperationHelper(event)
	out, err := w.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(w.table),
		Key:            map[string]types.AttributeValue{"Id": &types.AttributeValueMemberS{Value: event.WorkflowExecutionID}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read workflow execution %s: %w", event.WorkflowExecutionID, err)
	}
	if out.Item == nil {
		h.UpdateWorkflowStatus(sdk.OperationStatusError)
		h.AddWorkflowMetadata(waitErrorKey, "Unable to find Waiting workflow execution "+event.WorkflowExecutionID)
		return nil, h.MasExecutionError()
	}
	raw, ok := out.Item["Status"]
	if !ok {
		return nil, &sdk.KeyError{Key: "Status"}
	}
	status, err := ddbjson.Unmarshal(raw)
	if err != nil {
		return nil, fmt.Errorf("status of workflow execution %s: %w", event.WorkflowExecutionID, err)
	}
	switch executions.Status(pyStr(status)) {
	case executions.Waiting, executions.Resumed:
		h.UpdateWorkflowStatus(sdk.OperationStatusExecuting)
	case executions.Started:
		h.UpdateWorkflowStatus(sdk.OperationStatusComplete)
	default:
		h.UpdateWorkflowStatus(sdk.OperationStatusError)
		h.AddWorkflowMetadata(waitErrorKey, "Unexpected workflow execution status "+pyStr(status))
		return nil, h.MasExecutionError()
	}
	return h.ReturnOutputObject(), nil
}

// pyStr is Python's str() of a decoded value, as format() inserts it into a message.
func pyStr(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case pyjson.Number:
		return string(t)
	}
	return pyjson.Repr(v)
}

// storeFromLookup builds the execution store of a deployed function.
func storeFromLookup(ctx context.Context, lookup awsconf.Lookup) (*executions.Store, error) {
	cfg, err := executions.ConfigFromLookup(lookup)
	if err != nil {
		return nil, err
	}
	conf, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, err
	}
	return executions.New(cfg, conf.DynamoDB(), conf.Lambda()), nil
}
