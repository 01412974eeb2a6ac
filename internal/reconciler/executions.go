package reconciler

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/resources"
)

// Querier reads the WorkflowExecution table's status index.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// StatusStore is what ending an execution needs of the execution store: a consistent read of its status and the
// status helper, which releases the slot and triggers the scheduler (CP-32).
type StatusStore interface {
	Read(ctx context.Context, id string) (executions.Snapshot, error)
	Set(ctx context.Context, id string, to executions.Status, message string) error
}

// activeStatuses are the statuses of an execution whose state machine execution is alive, or should be: Started
// runs, Waiting polls in its Wait operation, Resumed polls until the scheduler promotes it (§8.1, Q-29).
var activeStatuses = []executions.Status{executions.Started, executions.Waiting, executions.Resumed}

func isActive(s executions.Status) bool {
	for _, a := range activeStatuses {
		if s == a {
			return true
		}
	}
	return false
}

// Execution is an active workflow execution as the status index lists it.
type Execution struct {
	ID     string
	Status executions.Status
	// StateMachineExecutionArn is empty until the scheduler has recorded the state machine execution it started.
	StateMachineExecutionArn string
	// Created is the record's creation time as R23 writes it: epoch seconds with a fraction, as text.
	Created string
	// StateMachineArn and WorkflowName are the workflow's, from which the scheduler names the state machine
	// execution it starts (§8.3).
	StateMachineArn, WorkflowName string
}

// Executions lists the active workflow executions and ends them. The workflow error handler and the reconciler
// both end executions through it, so that neither overwrites an end another writer already recorded.
type Executions struct {
	db    Querier
	table string
	store StatusStore
}

// NewExecutions returns the active executions of the given WorkflowExecution table.
func NewExecutions(db Querier, table string, store StatusStore) *Executions {
	return &Executions{db: db, table: table, store: store}
}

// Names of the status index query, as the original spells them (§16).
const (
	statusName   = "#workflow_status"
	statusValue  = ":workflow_status"
	workflowName = "#workflow_name"
)

// Active lists every Started, Waiting and Resumed execution through the status index, all pages. The index is
// eventually consistent: a listed execution may have moved on, which End checks.
func (e *Executions) Active(ctx context.Context) ([]Execution, error) {
	var out []Execution
	for _, status := range activeStatuses {
		p := dynamodb.NewQueryPaginator(e.db, &dynamodb.QueryInput{
			TableName:              aws.String(e.table),
			IndexName:              aws.String(resources.WorkflowExecutionStatusIndex),
			KeyConditionExpression: aws.String(statusName + " = " + statusValue),
			ProjectionExpression: aws.String("Id, AssetId, CurrentStage, Created, StateMachineExecutionArn, " + statusName +
				", Workflow." + workflowName + ", Workflow.StateMachineArn"),
			ExpressionAttributeNames:  map[string]string{statusName: "Status", workflowName: "Name"},
			ExpressionAttributeValues: map[string]types.AttributeValue{statusValue: &types.AttributeValueMemberS{Value: string(status)}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list %s workflow executions: %w", status, err)
			}
			for _, item := range page.Items {
				workflow, _ := item["Workflow"].(*types.AttributeValueMemberM)
				var wf map[string]types.AttributeValue
				if workflow != nil {
					wf = workflow.Value
				}
				out = append(out, Execution{
					ID:                       stringAttr(item, "Id"),
					Status:                   status,
					StateMachineExecutionArn: stringAttr(item, "StateMachineExecutionArn"),
					Created:                  stringAttr(item, "Created"),
					StateMachineArn:          stringAttr(wf, "StateMachineArn"),
					WorkflowName:             stringAttr(wf, "Name"),
				})
			}
		}
	}
	return out, nil
}

// End sets an execution Error with message through the status helper, which releases its slot and triggers the
// scheduler, and reports whether it did. It first reads the execution consistently and leaves it alone unless it is
// still Started, Waiting or Resumed: an execution that has ended keeps the status and Message its own writer gave
// it (the completion Lambda's error path writes Error before its state machine fails). An execution that moves on
// between the read and the write is refused by the transition table and left alone as well.
func (e *Executions) End(ctx context.Context, id, message string) (bool, error) {
	cur, err := e.store.Read(ctx, id)
	if errors.Is(err, executions.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !isActive(cur.Status) {
		return false, nil
	}
	err = e.store.Set(ctx, id, executions.Error, message)
	var te *executions.TransitionError
	if errors.As(err, &te) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
