package controlplane

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// Updates in place of operations and stages: PUT /workflow/operation (R06) and PUT /workflow/stage (R11), which the
// original answered with "not implemented" (CP-10, MIE#749).
//
// An update takes the creation body and replaces the item with what the creation would have stored, except that
// Id and Created stay and Version counts the rebuilds (v0, v1, v2, ...). Then everything built from the definition
// is rebuilt from the current items, the way a creation builds it: the stages that contain an updated operation
// (its singleton stage among them) and the workflows that use an updated stage, whose state machines get the new
// definition. A dependent that cannot be rebuilt keeps its copy and is flagged stale, as the deletions of R09 and
// R14 flag the workflows they leave behind; the answer names it.

// Names of the stale flags and of the answer's report. The workflow flags are those of R09 and R14 (§4.4); stages
// get StaleOperations only when an update could not rebuild them, and lose it when a rebuild succeeds.
const (
	staleOperations = "StaleOperations"
	staleStages     = "StaleStages"
	staleWorkflows  = "StaleWorkflows"
)

// updateOperation replaces an operation (CP-10): R05's validation and texts, the 404 of R08 for an unknown name,
// then the item, the inline policy of a user operator whose Lambdas changed (CP-09), the stages containing the
// operation and the workflows using it. The answer is the stored item plus StaleStages and StaleWorkflows, each
// only when not empty.
func (h *Handler) updateOperation(ctx context.Context, body any) (*pyjson.Map, error) {
	op, err := h.operationRequest(body)
	if err != nil {
		return nil, err
	}
	name := str(op, "Name")
	stored, err := h.getItem(ctx, h.cfg.OperationTable, name, true)
	if err != nil {
		return nil, viewError(err)
	}
	if stored == nil {
		return nil, notFound("operation", name)
	}
	// The answer's report keys are never stored, so that an answer without them means that nothing is stale.
	op.Delete(staleStages)
	op.Delete(staleWorkflows)
	if err := h.setTemplate(op); err != nil {
		return nil, viewError(err)
	}
	h.setRebuilt(op, stored, "OPERATION")
	op.Set("StageName", "_"+name)
	if err := h.replace(ctx, h.cfg.OperationTable, "operation", op, stored); err != nil {
		return nil, err
	}
	if err := h.updateInvokePolicy(ctx, stored, op); err != nil {
		h.restore(ctx, h.cfg.OperationTable, stored, op)
		return nil, viewError(err)
	}

	stages, err := h.stagesUsingOperation(ctx, name)
	if err != nil {
		return nil, viewError(err)
	}
	var stale []string
	for _, s := range stages {
		stage := s.(*pyjson.Map)
		if err := h.rebuildStage(ctx, stage); err != nil {
			stale = append(stale, h.markStale(ctx, h.cfg.StageTable, "stage", stage, staleOperations, name, err))
		}
	}
	workflows, err := h.workflowsUsingOperation(ctx, name)
	if err != nil {
		return nil, viewError(err)
	}
	return withReport(op, stale, h.rebuildWorkflows(ctx, workflows, stale, staleOperations, name)), nil
}

// updateStage replaces a stage (CP-10): R10's validation and texts, the 404 of R13 for an unknown name, then the
// item and the workflows using the stage. The answer is the stored item plus StaleWorkflows when not empty.
func (h *Handler) updateStage(ctx context.Context, body any) (*pyjson.Map, error) {
	stage, operations, err := h.stageRequest(body)
	if err != nil {
		return nil, err
	}
	name := str(stage, "Name")
	// A singleton stage keeps the exemption from the naming rules it had when its operation's registration
	// created it (CP-08).
	singleton := strings.HasPrefix(name, "_") && slices.Equal(operations, []string{name[1:]})
	if !singleton {
		if err := checkStageNames(name, operations); err != nil {
			return nil, err
		}
	}
	stored, err := h.getItem(ctx, h.cfg.StageTable, name, true)
	if err != nil {
		return nil, viewError(err)
	}
	if stored == nil {
		return nil, notFound("stage", name)
	}
	stage.Delete(staleWorkflows)
	stage.Delete(staleOperations)
	if err := h.compileStage(ctx, stage, operations); err != nil {
		return nil, err
	}
	h.setRebuilt(stage, stored, "STAGE")
	if err := h.replace(ctx, h.cfg.StageTable, "stage", stage, stored); err != nil {
		return nil, err
	}
	workflows, err := h.workflowsUsingStage(ctx, name)
	if err != nil {
		return nil, viewError(err)
	}
	return withReport(stage, nil, h.rebuildWorkflows(ctx, workflows, nil, staleStages, name)), nil
}

// notFound is the 404 of R08, R13 and R20.
func notFound(kind, name string) error {
	return apigw.NotFound("Exception: %s '%s' not found", kind, name)
}

// setRebuilt sets the generated attributes of a definition rebuilt in place, in the order creation sets them: the
// next Version, the stored item's Id and Created, the resource type and the API version.
func (h *Handler) setRebuilt(item, stored *pyjson.Map, resourceType string) {
	item.Set("Version", nextVersion(stored))
	id, ok := stored.Get("Id")
	if !ok {
		id = h.newID()
	}
	item.Set("Id", id)
	created, ok := stored.Get("Created")
	if !ok {
		created = pyjson.EpochSeconds(h.now())
	}
	item.Set("Created", created)
	item.Set("ResourceType", resourceType)
	item.Set("ApiVersion", APIVersion)
}

// nextVersion counts a rebuild in a stored Version "v<n>": "v<n+1>", or "v1" when it has another form.
func nextVersion(stored *pyjson.Map) string {
	v, _ := stored.Get("Version")
	s, _ := v.(string)
	digits, ok := strings.CutPrefix(s, "v")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 0 {
		return "v1"
	}
	return "v" + strconv.Itoa(n+1)
}

// replace writes the updated item of an update. The write is conditional on the table still holding stored (same
// Id and Version): of two concurrent updates the later one gets 409 and changes nothing, and an update racing a
// deletion gets the 404 of the deleted name instead of bringing the item back.
func (h *Handler) replace(ctx context.Context, table, kind string, item, stored *pyjson.Map) error {
	err := h.putUnchanged(ctx, table, item, stored)
	if err == nil {
		return nil
	}
	if !isConditionFailed(err) {
		return viewError(err)
	}
	name := str(item, "Name")
	current, err := h.getItem(ctx, table, name, true)
	if err != nil {
		return viewError(err)
	}
	if current == nil {
		return notFound(kind, name)
	}
	return apigw.Conflict("The %s '%s' was changed by another request", kind, name)
}

// restore puts back the item an update replaced when a later step of the update fails, unless another request has
// changed it since.
func (h *Handler) restore(ctx context.Context, table string, stored, written *pyjson.Map) {
	if err := h.putUnchanged(ctx, table, stored, written); err != nil {
		h.log.Error("restore the item of a failed update", "table", table, "name", str(stored, "Name"), "error", err)
	}
}

// putUnchanged writes item on the condition that the table holds an item of that name whose Id and Version are
// those of stored.
func (h *Handler) putUnchanged(ctx context.Context, table string, item, stored *pyjson.Map) error {
	cond := expression.AttributeExists(expression.Name("Name"))
	for _, key := range []string{"Id", "Version"} {
		v, ok := stored.Get(key)
		if !ok {
			cond = cond.And(expression.AttributeNotExists(expression.Name(key)))
			continue
		}
		av, err := attributeValue(v)
		if err != nil {
			return err
		}
		cond = cond.And(expression.Name(key).Equal(expression.Value(av)))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build update condition: %w", err)
	}
	av, err := toDB(item)
	if err != nil {
		return err
	}
	_, err = h.clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(table),
		Item:                      av,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	return err
}

// attributeValue converts one value of an item to its DynamoDB form.
func attributeValue(v any) (types.AttributeValue, error) {
	plain, err := convertNumbers(v, nil, nil)
	if err != nil {
		return nil, err
	}
	return ddbjson.Marshal(plain)
}

// updateInvokePolicy makes the inline policy of an updated operation the one its registration would have created
// (CP-09): written again when the Lambdas a user operator needs changed, removed when the operation no longer needs
// one, untouched otherwise.
func (h *Handler) updateInvokePolicy(ctx context.Context, stored, op *pyjson.Map) error {
	before, after := invokedLambdas(stored), invokedLambdas(op)
	switch {
	case slices.Equal(before, after):
		return nil
	case after == nil:
		return h.deleteInvokePolicy(ctx, str(op, "Name"))
	default:
		return h.putInvokePolicy(ctx, op)
	}
}

// invokedLambdas are the Lambdas the inline policy of an operation lets the Step Functions role invoke: none for
// the operator library and the Wait operation, else the start Lambda and, for an Async operation, the monitor.
func invokedLambdas(op *pyjson.Map) []string {
	start := str(op, "StartLambdaArn")
	if !isUserOperator(start) {
		return nil
	}
	if str(op, "Type") == "Async" {
		return []string{start, str(op, "MonitorLambdaArn")}
	}
	return []string{start}
}

// stagesUsingOperation returns the stages whose Operations list holds the operation, reading every page
// consistently.
func (h *Handler) stagesUsingOperation(ctx context.Context, operation string) ([]any, error) {
	expr, err := expression.NewBuilder().WithFilter(expression.Contains(expression.Name("Operations"), operation)).Build()
	if err != nil {
		return nil, fmt.Errorf("build stage filter: %w", err)
	}
	return h.scanAll(ctx, &dynamodb.ScanInput{
		TableName:                 aws.String(h.cfg.StageTable),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ConsistentRead:            aws.Bool(true),
	})
}

// rebuildStage compiles a stored stage again from the current items of its operations, as its creation did, and
// writes it in place of stored. A successful rebuild leaves the stage current, so its StaleOperations flag goes.
func (h *Handler) rebuildStage(ctx context.Context, stored *pyjson.Map) error {
	stage := stored.Clone()
	stage.Delete(staleOperations)
	v, err := pyGet(stage, "Operations")
	if err != nil {
		return err
	}
	list, _ := v.([]any)
	operations := make([]string, 0, len(list))
	for _, e := range list {
		op, ok := e.(string)
		if !ok {
			return fmt.Errorf("stage %s: operation %s is not a string", str(stored, "Name"), pyjson.Repr(e))
		}
		operations = append(operations, op)
	}
	if err := h.compileStage(ctx, stage, operations); err != nil {
		return err
	}
	h.setRebuilt(stage, stored, "STAGE")
	return h.putUnchanged(ctx, h.cfg.StageTable, stage, stored)
}

// rebuildWorkflows rebuilds each workflow and returns the names of those it flagged: the workflows whose rebuild
// failed, and those that use one of the stale stages and so still run the old copy of the definition. Flagging
// appends name to the workflow's list attribute (StaleOperations or StaleStages).
func (h *Handler) rebuildWorkflows(ctx context.Context, workflows []any, stale []string, attribute, name string) []string {
	var flagged []string
	for _, w := range workflows {
		wf := w.(*pyjson.Map)
		err := h.rebuildWorkflow(ctx, wf)
		if err == nil {
			err = usesStaleStage(wf, stale)
		}
		if err != nil {
			flagged = append(flagged, h.markStale(ctx, h.cfg.WorkflowTable, "workflow", wf, attribute, name, err))
		}
	}
	return flagged
}

// usesStaleStage fails when the workflow uses one of the stale stages.
func usesStaleStage(wf *pyjson.Map, stale []string) error {
	v, _ := wf.Get("Stages")
	stages, _ := v.(*pyjson.Map)
	for _, s := range stale {
		if stages == nil {
			break
		}
		if _, ok := stages.Get(s); ok {
			return fmt.Errorf("stage %s was not rebuilt", s)
		}
	}
	return nil
}

// rebuildWorkflow compiles a stored workflow again from the current items of its stages, in chain order and with
// its TimeoutSeconds, sends the definition to its state machine and writes the item in place of stored, as R16
// does for a request without StartAt and Stages (Version "v2", Q-15). Its stale flags stay: what a rebuild does not
// resolve (a deletion that R09 or R14 flagged) is still true afterwards.
func (h *Handler) rebuildWorkflow(ctx context.Context, stored *pyjson.Map) error {
	wf := stored.Clone()
	if m, ok := wf.Get("Stages"); ok {
		if stages, ok := m.(*pyjson.Map); ok {
			startAt, _ := wf.Get("StartAt")
			wf.Set("Stages", chainOrder(stages, startAt))
		}
	}
	stages, err := checkShape(wf)
	if err != nil {
		return err
	}
	timeout, err := timeoutSeconds(wf)
	if err != nil {
		return err
	}
	definition, err := h.compileWorkflow(ctx, wf, stages, timeout)
	if err != nil {
		return err
	}
	revisions, err := pyGet(wf, "Revisions")
	if err != nil {
		return err
	}
	n, err := pyInt(revisions)
	if err != nil {
		return err
	}
	wf.Set("Version", "v"+strconv.Itoa(n+1))
	arn, err := pyGet(wf, "StateMachineArn")
	if err != nil {
		return err
	}
	if _, err := toDB(wf); err != nil {
		return err
	}
	_, err = h.clients.StepFunctions.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(pyStrOf(arn)),
		Definition:      aws.String(definition),
		RoleArn:         aws.String(h.cfg.StepFunctionsRoleARN),
	})
	if err != nil {
		return err
	}
	return h.putUnchanged(ctx, h.cfg.WorkflowTable, wf, stored)
}

// markStale records why a dependent was not rebuilt, appends name to its list attribute and returns the
// dependent's name for the answer. A failure to flag is only logged: the answer names the dependent either way.
func (h *Handler) markStale(ctx context.Context, table, kind string, item *pyjson.Map, attribute, name string, cause error) string {
	dependent := str(item, "Name")
	h.log.Warn("dependent not rebuilt", "kind", kind, "name", dependent, "update", name, "error", pyStr(cause))
	if err := h.flagStale(ctx, table, item, attribute, name); err != nil {
		h.log.Error("flag a dependent stale", "kind", kind, "name", dependent, "error", err)
	}
	return dependent
}

// flagStale appends name to the item's list attribute, creating the list if needed, unless the list already holds
// it. The write never creates an item: one deleted meanwhile has nothing left to flag.
func (h *Handler) flagStale(ctx context.Context, table string, item *pyjson.Map, attribute, name string) error {
	if v, ok := item.Get(attribute); ok {
		if list, ok := v.([]any); ok && slices.Contains(list, any(name)) {
			return nil
		}
	}
	key, err := nameKey(str(item, "Name"))
	if err != nil {
		return err
	}
	list := expression.Name(attribute)
	update := expression.Set(list, expression.ListAppend(
		expression.IfNotExists(list, expression.Value(&types.AttributeValueMemberL{Value: []types.AttributeValue{}})),
		expression.Value(&types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: name}}}),
	))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(expression.AttributeExists(expression.Name("Name"))).Build()
	if err != nil {
		return fmt.Errorf("build stale flag: %w", err)
	}
	_, err = h.clients.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       key,
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if isConditionFailed(err) {
		return nil
	}
	return err
}

// withReport is the answer of an update: the stored item, then the names of the dependents left stale, sorted,
// under StaleStages and StaleWorkflows, each only when not empty.
func withReport(item *pyjson.Map, stages, workflows []string) *pyjson.Map {
	answer := item.Clone()
	for _, r := range []struct {
		key   string
		names []string
	}{{staleStages, stages}, {staleWorkflows, workflows}} {
		if len(r.names) == 0 {
			continue
		}
		names := slices.Sorted(slices.Values(r.names))
		list := make([]any, len(names))
		for i, n := range names {
			list[i] = n
		}
		answer.Set(r.key, list)
	}
	return answer
}
