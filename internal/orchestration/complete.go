package orchestration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// Records is what stage completion does with the execution table, besides status writes.
type Records interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// CompleteStage is the CompleteStageLambda (CP-36, CP-37): the task after each stage's Parallel state. It rolls the
// operations' outputs into the execution record and hands the next stage to the state machine.
type CompleteStage struct {
	store *executions.Store
	db    Records
	table string
	log   *slog.Logger
}

// NewCompleteStage returns the handler for the given execution table; log may be nil.
func NewCompleteStage(store *executions.Store, db Records, table string, log *slog.Logger) *CompleteStage {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &CompleteStage{store: store, db: db, table: table, log: log}
}

// NewCompleteStageFromLookup builds the handler of a deployed function from lookup (os.Getenv in production).
func NewCompleteStageFromLookup(ctx context.Context, lookup awsconf.Lookup) (*CompleteStage, error) {
	cfg, err := executions.ConfigFromLookup(lookup)
	if err != nil {
		return nil, fmt.Errorf("complete stage: %w", err)
	}
	conf, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("complete stage: %w", err)
	}
	db := conf.DynamoDB()
	return NewCompleteStage(executions.New(cfg, db, conf.Lambda()), db, cfg.ExecutionTable, slog.Default()), nil
}

// Handle completes the stage the event (the stage object plus Outputs) describes and returns the next stage object,
// or {} after the last stage (§8.5). A failed stage, or any failure on the way, marks the execution Error and fails
// the invocation with a *ValueError `Exception: '<reason>'`; the task has no Retry or Catch, so the state machine
// execution fails with it. An event without Name, Status, Outputs or WorkflowExecutionId is a *sdk.KeyError.
func (c *CompleteStage) Handle(ctx context.Context, raw json.RawMessage) (*pyjson.Map, error) {
	event, err := pyjson.DecodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("stage completion event: %w", err)
	}
	name, err := executions.SubscriptString(event, "Name")
	if err != nil {
		return nil, err
	}
	status, err := executions.Subscript(event, "Status")
	if err != nil {
		return nil, err
	}
	outputs, err := executions.Subscript(event, "Outputs")
	if err != nil {
		return nil, err
	}
	id, err := executions.SubscriptString(event, "WorkflowExecutionId")
	if err != nil {
		return nil, err
	}
	return c.complete(ctx, id, name, status, outputs)
}

func (c *CompleteStage) complete(ctx context.Context, id, stageName string, status, outputs any) (*pyjson.Map, error) {
	out, err := c.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(c.table),
		Key:            idKey(id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, c.abort(ctx, id, nil, executions.Text(err))
	}
	if out.Item == nil {
		// deleted while its state machine ran. Nothing to write; fail cleanly.
		reason := fmt.Sprintf("Exception: workflow execution id '%s' not found", id)
		return nil, &ValueError{Message: "Exception: '" + reason + "'"}
	}
	rec, err := ddbjson.UnmarshalMap(out.Item)
	if err != nil {
		return nil, c.abort(ctx, id, nil, err.Error())
	}
	stages, err := stagesOf(rec)
	if err != nil {
		return nil, c.abort(ctx, id, rec, executions.Text(err))
	}

	status, err = rollUp(rec, stages, stageName, status, outputs)
	if err != nil {
		if werr := c.store.Set(ctx, id, executions.Error, "Exception while rolling up stage status "+executions.Text(err)); werr != nil {
			c.log.ErrorContext(ctx, "cannot mark the execution Error", "execution", id, "error", werr)
		}
		return nil, c.abort(ctx, id, rec, "Error rolling up stage status: "+executions.Text(err))
	}
	stage, _ := executions.Subscript(stages, stageName) // rollUp has read it
	globals, _ := rec.Get("Globals")
	if err := c.update(ctx, id, "SET Workflow.Stages.#stage = :stage, Globals = :globals",
		map[string]string{"#stage": stageName}, map[string]any{":stage": stage, ":globals": globals}); err != nil {
		return nil, c.abort(ctx, id, rec, executions.Text(err))
	}
	if err := c.advance(ctx, id, stageName, rec, stages); err != nil {
		return nil, c.abort(ctx, id, rec, executions.Text(err))
	}
	if status == string(executions.Error) {
		return nil, c.abort(ctx, id, rec,
			fmt.Sprintf("Stage %s encountered and error during execution, aborting the workflow", stageName))
	}

	current, _ := rec.Get("CurrentStage")
	if current == "End" {
		return pyjson.NewMap(), nil
	}
	next, err := executions.Subscript(stages, pyStr(current))
	if err != nil {
		return nil, err
	}
	m, ok := next.(*pyjson.Map)
	if !ok {
		return nil, &sdk.TypeError{Message: fmt.Sprintf("stage %s must be an object, not %s", pyStr(current), pyjson.TypeName(next))}
	}
	return m, nil
}

// stagesOf returns Workflow.Stages of a record.
func stagesOf(rec *pyjson.Map) (any, error) {
	wf, err := executions.Subscript(rec, "Workflow")
	if err != nil {
		return nil, err
	}
	return executions.Subscript(wf, "Stages")
}

// rollUp is the roll-up of §8.5 step 2 on the record in memory: the stage's status from its outputs (an incoming
// Error is kept), the outputs stored in the stage, the outputs' media merged into the globals (a media type twice
// in one stage is an error) and their metadata too. It returns the stage status.
func rollUp(rec *pyjson.Map, stages any, stageName string, status, outputs any) (any, error) {
	ops, err := iterate(outputs)
	if err != nil {
		return nil, err
	}
	stageStatus := sdk.StageStatusComplete
	for _, op := range ops {
		s, err := executions.Subscript(op, "Status")
		if err != nil {
			return nil, err
		}
		if s != sdk.OperationStatusComplete && s != sdk.OperationStatusSkipped {
			stageStatus = sdk.StageStatusError
		}
	}
	if status != sdk.StageStatusError {
		status = stageStatus
	}
	stage, err := executions.Subscript(stages, stageName)
	if err != nil {
		return nil, err
	}
	if err := setItem(stage, "Outputs", outputs); err != nil {
		return nil, err
	}
	globals, err := executions.Subscript(rec, "Globals")
	if err != nil {
		return nil, err
	}
	if err := setDefault(globals, "MetaData"); err != nil {
		return nil, err
	}
	var produced []string
	if err := merge(ops, globals, "Media", func(mediaType string) error {
		for _, p := range produced {
			if p == mediaType {
				return &ValueError{Message: fmt.Sprintf("Duplicate mediaType '%s' found in operation output media.  "+
					"mediaType keys must be unique within a stage.", mediaType)}
			}
		}
		produced = append(produced, mediaType)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := merge(ops, globals, "MetaData", func(string) error { return nil }); err != nil {
		return nil, err
	}
	if err := setItem(stage, "Status", status); err != nil {
		return nil, err
	}
	return status, nil
}

// merge copies every entry of each output's `attr` object into globals[attr], in order; check runs before each
// entry is copied.
func merge(ops []any, globals any, attr string, check func(key string) error) error {
	for _, op := range ops {
		src, err := getOr(op, attr)
		if err != nil {
			return err
		}
		names, err := keys(src)
		if err != nil {
			return err
		}
		for _, k := range names {
			if err := check(k); err != nil {
				return err
			}
			v, _ := src.(*pyjson.Map).Get(k)
			dst, err := executions.Subscript(globals, attr)
			if err != nil {
				return err
			}
			if err := setItem(dst, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// advance moves the execution past a completed stage (§8.5 step 4, CP-37): at the last stage it ends the execution
// with the stage's status, after a failed stage it ends it in Error, otherwise it makes the next stage current.
// The execution's status is written with the message `stage completed with status <status>`. A failure marks the
// execution Error and comes back as `Exception: '<e>'`.
func (c *CompleteStage) advance(ctx context.Context, id, stageName string, rec *pyjson.Map, stages any) error {
	err := c.next(ctx, id, stageName, rec, stages)
	if err == nil {
		return nil
	}
	rec.Set("Status", string(executions.Error))
	if werr := c.store.Set(ctx, id, executions.Error, "Exception "+executions.Text(err)); werr != nil {
		c.log.ErrorContext(ctx, "cannot mark the execution Error", "execution", id, "error", werr)
	}
	return &ValueError{Message: "Exception: '" + executions.Text(err) + "'"}
}

func (c *CompleteStage) next(ctx context.Context, id, stageName string, rec *pyjson.Map, stages any) error {
	stage, err := executions.Subscript(stages, stageName)
	if err != nil {
		return err
	}
	stageStatus, err := executions.Subscript(stage, "Status")
	if err != nil {
		return err
	}
	message := "stage completed with status " + pyStr(stageStatus)
	end, _ := stage.(*pyjson.Map).Get("End") // rollUp has checked that the stage is an object
	_, hasNext := stage.(*pyjson.Map).Get("Next")
	switch {
	case pyjson.Truthy(end):
		// the last stage only when End is true; the original ended at any stage with an End key.
		rec.Set("CurrentStage", "End")
		rec.Set("Status", stageStatus)
		if err := c.update(ctx, id, "SET CurrentStage = :current_stage", nil, map[string]any{":current_stage": "End"}); err != nil {
			return err
		}
		return c.store.Set(ctx, id, executions.Status(pyStr(stageStatus)), message)
	case stageStatus == sdk.StageStatusError:
		// The record's CurrentStage becomes End; the one in memory stays the stage, which the error path writes
		// back.
		rec.Set("Status", stageStatus)
		if err := c.update(ctx, id, "SET CurrentStage = :current_stage", nil, map[string]any{":current_stage": "End"}); err != nil {
			return err
		}
		return c.store.Set(ctx, id, executions.Error, message)
	case hasNext:
		return c.startNext(ctx, id, stage, rec, stages, message)
	}
	return &ValueError{Message: fmt.Sprintf("Stage %s has End %s and no Next", stageName, pyjson.Repr(end))}
}

// startNext makes the stage after `stage` current: its Input is the globals and its status Started.
func (c *CompleteStage) startNext(ctx context.Context, id string, stage any, rec *pyjson.Map, stages any, message string) error {
	nextName, err := executions.SubscriptString(stage, "Next")
	if err != nil {
		return err
	}
	rec.Set("CurrentStage", nextName)
	next, err := executions.Subscript(stages, nextName)
	if err != nil {
		return err
	}
	globals, _ := rec.Get("Globals")
	if err := setItem(next, "Input", globals); err != nil {
		return err
	}
	if err := setItem(next, "Status", sdk.StageStatusStarted); err != nil {
		return err
	}
	err = c.update(ctx, id, "SET Workflow.Stages.#stage = :stage, CurrentStage = :current_stage",
		map[string]string{"#stage": nextName}, map[string]any{":stage": next, ":current_stage": nextName})
	if err == nil {
		// The execution keeps its status (Started), written again with the message.
		current, _ := rec.Get("Status")
		err = c.store.Set(ctx, id, executions.Status(pyStr(current)), message)
	}
	if err != nil {
		queuing := "Exception queuing work item: " + executions.Text(err) + " "
		rec.Set("Status", string(executions.Error))
		if werr := c.store.Set(ctx, id, executions.Error, queuing); werr != nil {
			c.log.ErrorContext(ctx, "cannot mark the execution Error", "execution", id, "error", werr)
		}
		return &ValueError{Message: queuing}
	}
	return nil
}

// abort is the error path of §8.5 step 6: it writes back what the completion changed in memory (rec, when it was
// read), marks the execution Error with `Exception while rolling up stage status <reason>` and returns the
// Lambda's failure. The original put the whole record back, status included; writing Workflow, Globals and
// CurrentStage gives the same end state without overwriting a status another writer set meanwhile.
func (c *CompleteStage) abort(ctx context.Context, id string, rec *pyjson.Map, reason string) error {
	if rec != nil {
		if err := c.writeBack(ctx, id, rec); err != nil {
			c.log.ErrorContext(ctx, "cannot save the execution", "execution", id, "error", err)
		}
	}
	if err := c.store.Set(ctx, id, executions.Error, "Exception while rolling up stage status "+reason); err != nil {
		c.log.ErrorContext(ctx, "cannot mark the execution Error", "execution", id, "error", err)
	}
	return &ValueError{Message: "Exception: '" + reason + "'"}
}

// writeBack writes the attributes of the record the completion changes.
func (c *CompleteStage) writeBack(ctx context.Context, id string, rec *pyjson.Map) error {
	var sets []string
	values := map[string]any{}
	for _, attr := range []string{"Workflow", "Globals", "CurrentStage"} {
		if v, ok := rec.Get(attr); ok {
			placeholder := ":" + strings.ToLower(attr)
			sets = append(sets, attr+" = "+placeholder)
			values[placeholder] = v
		}
	}
	if len(sets) == 0 {
		return nil
	}
	err := c.update(ctx, id, "SET "+strings.Join(sets, ", "), nil, values)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil // deleted meanwhile
	}
	return err
}

// update updates the execution record, which must exist (Q-34: a deleted execution is not re-created).
func (c *CompleteStage) update(ctx context.Context, id, expr string, names map[string]string, values map[string]any) error {
	av := make(map[string]types.AttributeValue, len(values))
	for k, v := range values {
		a, err := ddbjson.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		av[k] = a
	}
	_, err := c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(c.table),
		Key:                       idKey(id),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("attribute_exists(Id)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: av,
	})
	return err
}

func idKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"Id": &types.AttributeValueMemberS{Value: id}}
}
