package controlplane

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// workflowDefinition is the object named in the original's "Key '<k>' is required" texts.
const workflowDefinition = "Workflow Definition"

// maxTimeoutSeconds is the largest TimeoutSeconds Step Functions accepts.
const maxTimeoutSeconds = 99999999

// clientError marks an AWS error that the original's workflow handlers re-raised instead of wrapping it
// (traceback 500, §6.14 step 4-6).
type clientError struct{ err error }

func (e *clientError) Error() string { return e.err.Error() }
func (e *clientError) Unwrap() error { return e.err }

// createWorkflowRoute is R15 (CP-17).
func (h *Handler) createWorkflowRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	wf, err := h.createWorkflow(ctx, "api", body)
	if err != nil {
		return nil, err
	}
	return respond(wf)
}

// createWorkflow compiles a workflow from its stages, creates its state machine and stores it (CP-16, CP-17,
// §6.14). trigger is "api" or "custom-resource".
func (h *Handler) createWorkflow(ctx context.Context, trigger string, body any) (*pyjson.Map, error) {
	// §6.14 step 7: on a failure that is not an AWS error the original tried to delete the state machine when the
	// workflow had a StateMachineArn key, and that call itself failed. The port creates the state machine only
	// after everything else has been checked, so only a StateMachineArn sent in the request can reach this.
	fail := func(err error) error {
		var ce *clientError
		if errors.As(err, &ce) {
			return traceback(ce.err)
		}
		has, cerr := pyContains(body, "StateMachineArn")
		if cerr != nil {
			return cerr
		}
		if has {
			if _, gerr := pyGet(body, "StateMachineArn"); gerr != nil {
				return gerr
			}
			return apigw.Unhandledf("TypeError", "delete_state_machine() only accepts keyword arguments.")
		}
		return viewError(err)
	}
	wf, ok := body.(*pyjson.Map)
	if !ok {
		return nil, fail(apigw.Unhandledf("TypeError", "'%s' object does not support item assignment", pyTypeName(body)))
	}
	wf.Set("Trigger", trigger)
	wf.Set("Operations", []any{})
	wf.Set("StaleOperations", []any{})
	wf.Set("StaleStages", []any{})
	wf.Set("Version", "v0")
	wf.Set("Id", h.newID())
	wf.Set("Created", pyjson.EpochSeconds(h.now()))
	wf.Set("Revisions", "1")
	wf.Set("ResourceType", "WORKFLOW")
	wf.Set("ApiVersion", APIVersion)
	for _, key := range []string{"Name", "StartAt", "Stages"} {
		if _, ok := wf.Get(key); !ok {
			return nil, fail(apigw.BadRequest("Key '%s' is required in '%s' input", key, workflowDefinition))
		}
	}
	nameValue, _ := wf.Get("Name")
	stages, err := checkShape(wf)
	if err != nil {
		return nil, fail(err)
	}
	// CP-44: a workflow name the state machine or its executions could never carry is refused up front.
	if name, ok := nameValue.(string); ok {
		if err := asl.ValidateWorkflowName(name); err != nil {
			return nil, apigw.BadRequest("%s", err.Error())
		}
	}
	timeout, err := timeoutSeconds(wf)
	if err != nil {
		return nil, err
	}
	definition, err := h.compileWorkflow(ctx, wf, stages, timeout)
	if err != nil {
		return nil, fail(err)
	}
	name, ok := nameValue.(string)
	if !ok {
		return nil, fail(concatError(nameValue))
	}
	// The item is checked before the state machine exists, so that nothing is left behind when it cannot be
	// stored (Q-12 spirit; the original created the state machine first).
	if _, err := toDB(wf); err != nil {
		return nil, fail(err)
	}
	out, err := h.clients.StepFunctions.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(name + "-" + h.cfg.ShortID),
		Definition: aws.String(definition),
		RoleArn:    aws.String(h.cfg.StepFunctionsRoleARN),
		LoggingConfiguration: &sfntypes.LoggingConfiguration{
			Level:                sfntypes.LogLevelAll,
			IncludeExecutionData: false,
			Destinations: []sfntypes.LogDestination{{
				CloudWatchLogsLogGroup: &sfntypes.CloudWatchLogsLogGroup{LogGroupArn: aws.String(h.cfg.LogGroupARN)},
			}},
		},
		// The scheduler may only start state machines tagged environment=mie (control-plane §2.4).
		Tags: []sfntypes.Tag{{Key: aws.String("environment"), Value: aws.String("mie")}},
	})
	if err != nil {
		return nil, traceback(err)
	}
	wf.Set("StateMachineArn", aws.ToString(out.StateMachineArn))
	err = h.putItem(ctx, h.cfg.WorkflowTable, wf, &condition{
		expression: "attribute_not_exists(#workflow_name)",
		names:      map[string]string{"#workflow_name": "Name"},
	})
	if isConditionFailed(err) {
		// The state machine stays: with an identical definition it is the existing workflow's own.
		return nil, apigw.Conflict("Workflow with Name %s already exists", name)
	}
	if err != nil {
		return nil, traceback(err)
	}
	return wf, nil
}

// concatError is the TypeError of `<Name> + "-"` for a workflow name that is not a string.
func concatError(v any) error {
	if _, ok := v.([]any); ok {
		return apigw.Unhandledf("TypeError", `can only concatenate list (not "str") to list`)
	}
	return apigw.Unhandledf("TypeError", "unsupported operand type(s) for +: '%s' and 'str'", pyTypeName(v))
}

// timeoutSeconds reads the optional workflow TimeoutSeconds that mie-go adds to the compiled state machine
// (CP-16, MIE#271): an integer from 1 to 99999999, or absent.
func timeoutSeconds(wf *pyjson.Map) (*int, error) {
	v, ok := wf.Get("TimeoutSeconds")
	if !ok {
		return nil, nil
	}
	var text string
	switch t := v.(type) {
	case pyjson.Number:
		text = string(t)
	case dbNumber:
		text = string(t)
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > maxTimeoutSeconds {
		return nil, apigw.BadRequest("TimeoutSeconds must be an integer from 1 to %d, not %s", maxTimeoutSeconds, pyjson.Repr(v))
	}
	return &n, nil
}

// checkShape runs §5.3 step 1 on the request's stage entries, before any stage is read: it returns the Stages
// object, failing as the original did when it is not an object or an entry is not one.
func checkShape(wf *pyjson.Map) (*pyjson.Map, error) {
	nameValue, _ := wf.Get("Name")
	name := pyStrOf(nameValue)
	v, _ := wf.Get("Stages")
	stages, ok := v.(*pyjson.Map)
	if !ok {
		return nil, attributeError(v, "items")
	}
	var shape []asl.WorkflowStage
	for stageName, e := range stages.All() {
		entry, ok := e.(*pyjson.Map)
		if !ok {
			// The stages before this one are checked first, as the original's loop did.
			var shapeErr *asl.ShapeError
			if err := asl.CheckShape(name, shape); errors.As(err, &shapeErr) && shapeErr.Problem == asl.NoTransition {
				return nil, err
			}
			return nil, attributeError(e, "get")
		}
		end, _ := entry.Get("End")
		s := asl.WorkflowStage{Name: stageName, End: truthy(end)}
		if _, hasNext := entry.Get("Next"); hasNext {
			s.Next = new(string)
		}
		shape = append(shape, s)
	}
	if err := asl.CheckShape(name, shape); err != nil {
		return nil, err
	}
	return stages, nil
}

// compileWorkflow runs §5.3 steps 2-5: every entry of stages (in order) is overlaid with its stage item, the
// stages' operations are collected in the workflow's Operations, and the definition is compiled (CP-16).
func (h *Handler) compileWorkflow(ctx context.Context, wf, stages *pyjson.Map, timeout *int) (string, error) {
	var operations []any
	compiled := make([]asl.WorkflowStage, 0, stages.Len())
	for stageName, e := range stages.All() {
		entry := e.(*pyjson.Map)
		// A consistent read, so that a stage created just before (CloudFormation creates a workflow right after
		// its stages) is found.
		item, err := h.getItem(ctx, h.cfg.StageTable, stageName, true)
		if err != nil {
			return "", &clientError{err}
		}
		if item == nil {
			return "", apigw.NotFound("Exception: stage '%s' not found", stageName)
		}
		definition, err := stageDefinition(item)
		if err != nil {
			return "", err
		}
		entry.Update(item)
		// The original parked the parsed definition on the entry under this key and removed it after merging.
		entry.Delete("stateMachineAsl")
		ops, err := pyGet(entry, "Operations")
		if err != nil {
			return "", err
		}
		elems, err := iterate(ops)
		if err != nil {
			return "", err
		}
		operations = append(operations, elems...)
		s := asl.WorkflowStage{Name: stageName, Definition: definition}
		end, _ := entry.Get("End")
		s.End = truthy(end)
		if next, ok := entry.Get("Next"); ok {
			nextName, isString := next.(string)
			if !isString {
				return "", lookupError(next)
			}
			s.Next = &nextName
		}
		compiled = append(compiled, s)
	}
	wf.Set("Operations", append([]any{}, operations...))
	startValue, _ := wf.Get("StartAt")
	startAt, ok := startValue.(string)
	if !ok {
		return "", lookupError(startValue)
	}
	nameValue, _ := wf.Get("Name")
	return asl.CompileWorkflow(pyStrOf(nameValue), startAt, compiled, timeout)
}

// stageDefinition returns a stage item's Definition after checking that it parses, as the original did when it
// read the stage; a stored definition that does not parse fails with Python's JSON error text.
func stageDefinition(item *pyjson.Map) (string, error) {
	v, err := pyGet(item, "Definition")
	if err != nil {
		return "", err
	}
	text, ok := v.(string)
	if !ok {
		return "", apigw.Unhandledf("TypeError", "the JSON object must be str, bytes or bytearray, not %s", pyTypeName(v))
	}
	if _, err := pyjson.Decode([]byte(text)); err != nil {
		return "", err
	}
	return text, nil
}

// updateWorkflowRoute is R16 (CP-18): the workflow is recompiled from the current stage definitions, with the
// request's StartAt and Stages when given.
func (h *Handler) updateWorkflowRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	// mie-go's TimeoutSeconds is checked first: no error text of the original can precede it.
	if m, ok := body.(*pyjson.Map); ok {
		if _, err := timeoutSeconds(m); err != nil {
			return nil, err
		}
	}
	wf, err := h.updateWorkflow(ctx, body)
	if err != nil {
		var ce *clientError
		if errors.As(err, &ce) {
			return nil, traceback(ce.err)
		}
		return nil, viewError(err)
	}
	return respond(wf)
}

func (h *Handler) updateWorkflow(ctx context.Context, body any) (*pyjson.Map, error) {
	hasName, err := pyContains(body, "Name")
	if err != nil {
		return nil, err
	}
	if !hasName {
		return nil, apigw.BadRequest("Key 'Name' is required in '%s' input", workflowDefinition)
	}
	nameValue, err := pyGet(body, "Name")
	if err != nil {
		return nil, err
	}
	request := body.(*pyjson.Map)
	wf, err := h.getItem(ctx, h.cfg.WorkflowTable, nameValue, false)
	if err != nil {
		return nil, &clientError{err}
	}
	if wf == nil {
		return nil, apigw.NotFound("Exception: workflow '%s' not found", pyStrOf(nameValue))
	}
	wf.Set("Operations", []any{})
	wf.Set("StaleOperations", []any{})
	wf.Set("StaleStages", []any{})
	revisions, err := pyGet(wf, "Revisions")
	if err != nil {
		return nil, err
	}
	n, err := pyInt(revisions)
	if err != nil {
		return nil, err
	}
	// Revisions is never incremented, so every update writes v2.
	wf.Set("Version", "v"+strconv.Itoa(n+1))
	if startAt, ok := request.Get("StartAt"); ok {
		wf.Set("StartAt", startAt)
	}
	if stages, ok := request.Get("Stages"); ok {
		wf.Set("Stages", stages)
	} else if stored, ok := wf.Get("Stages"); ok {
		// DynamoDB keeps no key order; chain order compiles the text the workflow was created with.
		if m, ok := stored.(*pyjson.Map); ok {
			startAt, _ := wf.Get("StartAt")
			wf.Set("Stages", chainOrder(m, startAt))
		}
	}
	if timeout, ok := request.Get("TimeoutSeconds"); ok {
		wf.Set("TimeoutSeconds", timeout)
	}
	stages, err := checkShape(wf)
	if err != nil {
		return nil, err
	}
	timeout, err := timeoutSeconds(wf)
	if err != nil {
		return nil, err
	}
	definition, err := h.compileWorkflow(ctx, wf, stages, timeout)
	if err != nil {
		return nil, err
	}
	arn, err := pyGet(wf, "StateMachineArn")
	if err != nil {
		return nil, err
	}
	if _, err := toDB(wf); err != nil {
		return nil, err
	}
	_, err = h.clients.StepFunctions.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(pyStrOf(arn)),
		Definition:      aws.String(definition),
		RoleArn:         aws.String(h.cfg.StepFunctionsRoleARN),
	})
	if err != nil {
		return nil, &clientError{err}
	}
	if err := h.putItem(ctx, h.cfg.WorkflowTable, wf, nil); err != nil {
		return nil, &clientError{err}
	}
	return wf, nil
}

// pyInt is Python's int() of a stored value (a string such as "1", or a number).
func pyInt(v any) (int, error) {
	switch t := v.(type) {
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil {
			return 0, apigw.Unhandledf("ValueError", "invalid literal for int() with base 10: %s", pyjson.QuoteKey(t))
		}
		return n, nil
	case dbNumber:
		f, err := pyjson.Number(t).Float64()
		if err != nil {
			return 0, err
		}
		return int(f), nil
	}
	return 0, apigw.Unhandledf("TypeError", "int() argument must be a string, a bytes-like object or a real number, not '%s'", pyTypeName(v))
}

// chainOrder orders stored stage entries as the chain runs: from startAt along each Next, then the entries the
// chain does not reach, in their present order.
func chainOrder(stages *pyjson.Map, startAt any) *pyjson.Map {
	ordered := pyjson.NewMap()
	for at, ok := startAt.(string); ok; {
		e, found := stages.Get(at)
		if _, seen := ordered.Get(at); !found || seen {
			break
		}
		ordered.Set(at, e)
		entry, _ := e.(*pyjson.Map)
		next, _ := entry.Get("Next")
		at, ok = next.(string)
	}
	for k, e := range stages.All() {
		if _, seen := ordered.Get(k); !seen {
			ordered.Set(k, e)
		}
	}
	return ordered
}

// listWorkflows is R17 (CP-11).
func (h *Handler) listWorkflows(ctx context.Context, _ *apigw.Request) (any, error) {
	return h.listTable(ctx, h.cfg.WorkflowTable)
}

// workflowsByOperation is R18 (CP-19).
func (h *Handler) workflowsByOperation(ctx context.Context, req *apigw.Request) (any, error) {
	items, err := h.workflowsUsingOperation(ctx, req.PathParam("operator_name"))
	if err != nil {
		return nil, traceback(err)
	}
	return respond(items)
}

// workflowsByStage is R19 (CP-19).
func (h *Handler) workflowsByStage(ctx context.Context, req *apigw.Request) (any, error) {
	items, err := h.workflowsUsingStage(ctx, req.PathParam("stage_name"))
	if err != nil {
		return nil, traceback(err)
	}
	return respond(items)
}

// workflowsUsingOperation returns the workflows whose Operations list holds the operation, reading every page
// with the filter.
func (h *Handler) workflowsUsingOperation(ctx context.Context, operation string) ([]any, error) {
	return h.scanWorkflows(ctx, expression.Contains(expression.Name("Operations"), operation))
}

// workflowsUsingStage returns the workflows whose Stages object has the stage; the stage name is one attribute
// name, not a document path, whatever dots it holds.
func (h *Handler) workflowsUsingStage(ctx context.Context, stage string) ([]any, error) {
	return h.scanWorkflows(ctx, expression.AttributeExists(expression.NameNoDotSplit("Stages").AppendName(expression.NameNoDotSplit(stage))))
}

func (h *Handler) scanWorkflows(ctx context.Context, filter expression.ConditionBuilder) ([]any, error) {
	expr, err := expression.NewBuilder().WithFilter(filter).Build()
	if err != nil {
		return nil, fmt.Errorf("build workflow filter: %w", err)
	}
	return h.scanAll(ctx, &dynamodb.ScanInput{
		TableName:                 aws.String(h.cfg.WorkflowTable),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ConsistentRead:            aws.Bool(true),
	})
}

// getWorkflow is R20 (CP-12).
func (h *Handler) getWorkflow(ctx context.Context, req *apigw.Request) (any, error) {
	return h.getDefinition(ctx, h.cfg.WorkflowTable, "workflow", req.PathParam("name"))
}

// workflowConfiguration is R21 (CP-20): the Configuration of each stage, by stage name.
func (h *Handler) workflowConfiguration(ctx context.Context, req *apigw.Request) (any, error) {
	name := req.PathParam("name")
	wf, err := h.getItem(ctx, h.cfg.WorkflowTable, name, false)
	if err != nil {
		return nil, traceback(err)
	}
	if wf == nil {
		return nil, apigw.NotFound("Exception: workflow '%s' not found", name)
	}
	v, err := pyGet(wf, "Stages")
	if err != nil {
		return nil, err
	}
	stages, ok := v.(*pyjson.Map)
	if !ok {
		return nil, attributeError(v, "items")
	}
	startAt, _ := wf.Get("StartAt")
	configuration := pyjson.NewMap()
	for stage, entry := range chainOrder(stages, startAt).All() {
		c, err := pyGet(entry, "Configuration")
		if err != nil {
			return nil, err
		}
		configuration.Set(stage, c)
	}
	return respond(configuration)
}

// deleteWorkflowRoute is R22 (CP-21).
func (h *Handler) deleteWorkflowRoute(ctx context.Context, req *apigw.Request) (any, error) {
	wf, err := h.deleteWorkflow(ctx, req.PathParam("name"))
	if err != nil {
		return nil, err
	}
	return respond(wf)
}

// deleteWorkflow deletes a workflow's state machine, then its item (§6.21). Executions are not looked at.
func (h *Handler) deleteWorkflow(ctx context.Context, name string) (*pyjson.Map, error) {
	wf, err := h.getItem(ctx, h.cfg.WorkflowTable, name, true)
	if err != nil {
		return nil, viewError(err)
	}
	if wf == nil {
		return message("Workflow '%s' not found", name), nil
	}
	arn, err := pyGet(wf, "StateMachineArn")
	if err != nil {
		return nil, viewError(err)
	}
	if _, err := h.clients.StepFunctions.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(pyStrOf(arn))}); err != nil {
		return nil, viewError(err)
	}
	if err := h.deleteItem(ctx, h.cfg.WorkflowTable, name); err != nil {
		return nil, viewError(err)
	}
	return wf, nil
}
