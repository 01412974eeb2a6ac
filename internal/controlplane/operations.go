package controlplane

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// dependentWorkflowsText is the 400 of R09/R14 when workflows still use the definition; the line breaks and
// 20-space indents are the original's (§6.9).
const dependentWorkflowsText = `Dependent workflows were found for %s %s.
                    Either delete the dependent workflows or set the query parameter
                    force=true to delete the stage anyhow.  Undeleted dependent workflows
                    will be kept but will contain the deleted definition of the stage.  To
                    find the workflow that depend on a stage use the following endpoint:
                    GET /workflow/list/%s/`

// decodeBody parses a request body; the routes that call it let a bad body fail as the original's uncaught
// json.loads did (traceback 500).
func decodeBody(req *apigw.Request) (any, error) {
	raw, err := req.RawBody()
	if err != nil {
		return nil, traceback(err)
	}
	v, err := pyjson.Decode(raw)
	if err != nil {
		return nil, jsonError(err)
	}
	return v, nil
}

// message is the {"Message": ...} body of the original's warnings and placeholders.
func message(format string, args ...any) *pyjson.Map {
	m := pyjson.NewMap()
	m.Set("Message", fmt.Sprintf(format, args...))
	return m
}

// createOperationRoute is R05 (CP-06).
func (h *Handler) createOperationRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	op, err := h.createOperation(ctx, body)
	if err != nil {
		return nil, err
	}
	return respond(op)
}

// updateOperationRoute is R06. The original answered "Update on stages is not implemented"; mie-go updates the
// operation in place and rebuilds what was built from it (CP-10, update.go).
func (h *Handler) updateOperationRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	answer, err := h.updateOperation(ctx, body)
	if err != nil {
		return nil, err
	}
	return respond(answer)
}

// createOperation registers an operation: the request plus its branch template and generated fields, its
// singleton stage `_<Name>`, and for user operators the inline policy that lets the Step Functions role invoke
// them (CP-06, CP-07, CP-08, CP-09; §6.5). Whatever fails after the first write is undone.
func (h *Handler) createOperation(ctx context.Context, body any) (*pyjson.Map, error) {
	op, err := h.operationRequest(body)
	if err != nil {
		return nil, err
	}
	name := str(op, "Name")
	existing, err := h.getItem(ctx, h.cfg.OperationTable, name, true)
	if err != nil {
		return nil, viewError(err)
	}
	if existing != nil {
		return nil, operationExists(name)
	}
	if err := h.setTemplate(op); err != nil {
		return nil, viewError(err)
	}
	h.setGenerated(op, "OPERATION")
	if err := h.putItem(ctx, h.cfg.OperationTable, op, nameIsNew); err != nil {
		// A concurrent registration of the same name won the race: answer as if it had been first.
		if isConditionFailed(err) {
			return nil, operationExists(name)
		}
		return nil, viewError(err)
	}

	stageName := "_" + name
	singleton := pyjson.NewMap()
	singleton.Set("Name", stageName)
	singleton.Set("Operations", []any{name})
	if _, err := h.createStage(ctx, singleton, true); err != nil {
		h.undo(ctx, h.cfg.OperationTable, name)
		return nil, viewError(err)
	}
	op.Set("StageName", stageName)
	if err := h.putItem(ctx, h.cfg.OperationTable, op, nil); err != nil {
		h.undo(ctx, h.cfg.StageTable, stageName)
		h.undo(ctx, h.cfg.OperationTable, name)
		return nil, viewError(err)
	}
	if err := h.putInvokePolicy(ctx, op); err != nil {
		h.undo(ctx, h.cfg.StageTable, stageName)
		h.undo(ctx, h.cfg.OperationTable, name)
		return nil, viewError(err)
	}
	return op, nil
}

// operationRequest checks an operation body as R05 does, in its order: the schema (400), the monitor Lambda of an
// Async operation (500), the name (400, CP-44: a name that could never run is refused before anything is
// written). It returns the body, which becomes the operation item.
func (h *Handler) operationRequest(body any) (*pyjson.Map, error) {
	if text := h.opSchema.validate(body); text != "" {
		return nil, apigw.BadRequest("%s", text)
	}
	// The schema guarantees an object whose Name, Type, StartLambdaArn, MonitorLambdaArn and
	// Configuration.MediaType are strings.
	op := body.(*pyjson.Map)
	if _, ok := op.Get("MonitorLambdaArn"); str(op, "Type") == "Async" && !ok {
		return nil, apigw.ViewError("Exception '%s'", "Key 'MonitorLambdaArn' is required in 'Operation monitoring lambda function ARN' input")
	}
	if err := asl.ValidateOperationName(str(op, "Name")); err != nil {
		return nil, apigw.BadRequest("%s", err.Error())
	}
	return op, nil
}

// setTemplate sets the operation's branch template, StateMachineAsl (CP-07, §5.1), on a checked operation body.
func (h *Handler) setTemplate(op *pyjson.Map) error {
	configuration, _ := op.Get("Configuration")
	template, err := asl.OperationTemplate(asl.Operation{
		Name:             str(op, "Name"),
		Type:             str(op, "Type"),
		MediaType:        str(configuration.(*pyjson.Map), "MediaType"),
		StartLambdaArn:   str(op, "StartLambdaArn"),
		MonitorLambdaArn: str(op, "MonitorLambdaArn"),
	}, h.lambdas)
	if err != nil {
		return err
	}
	op.Set("StateMachineAsl", template)
	return nil
}

func operationExists(name string) error {
	return apigw.Conflict("A operation with the name '%s' already exists", name)
}

// undo deletes an item this request created; the request's own error is what the client gets, so a failure
// here is only logged.
func (h *Handler) undo(ctx context.Context, table, name string) {
	if err := h.deleteItem(ctx, table, name); err != nil {
		h.log.Error("roll back a partly created operation", "table", table, "name", name, "error", err)
	}
}

// setGenerated sets the attributes every definition item gets at creation (control-plane §4); they overwrite
// same-named request keys.
func (h *Handler) setGenerated(item *pyjson.Map, resourceType string) {
	item.Set("Version", "v0")
	item.Set("Id", h.newID())
	item.Set("Created", pyjson.EpochSeconds(h.now()))
	item.Set("ResourceType", resourceType)
	item.Set("ApiVersion", APIVersion)
}

// str returns a string attribute; callers use it where validation guarantees the type.
func str(m *pyjson.Map, key string) string {
	v, _ := m.Get(key)
	s, _ := v.(string)
	return s
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// listOperations is R07 (CP-11).
func (h *Handler) listOperations(ctx context.Context, _ *apigw.Request) (any, error) {
	return h.listTable(ctx, h.cfg.OperationTable)
}

// listTable is the full scan of R07, R12 and R17; the original let AWS errors through (traceback 500).
func (h *Handler) listTable(ctx context.Context, table string) (any, error) {
	items, err := h.scanAll(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		return nil, traceback(err)
	}
	return respond(items)
}

// getOperation is R08 (CP-12).
func (h *Handler) getOperation(ctx context.Context, req *apigw.Request) (any, error) {
	return h.getDefinition(ctx, h.cfg.OperationTable, "operation", req.PathParam("name"))
}

// getDefinition is the eventually consistent read of R08, R13 and R20 with its 404.
func (h *Handler) getDefinition(ctx context.Context, table, kind, name string) (any, error) {
	item, err := h.getItem(ctx, table, name, false)
	if err != nil {
		return nil, traceback(err)
	}
	if item == nil {
		return nil, notFound(kind, name)
	}
	return respond(item)
}

// deleteOperationRoute is R09 (CP-13).
func (h *Handler) deleteOperationRoute(ctx context.Context, req *apigw.Request) (any, error) {
	op, err := h.deleteOperation(ctx, req.PathParam("name"), force(req))
	if err != nil {
		return nil, err
	}
	return respond(op)
}

// deleteOperation removes an operation, its singleton stage and its inline policy, and flags the workflows that
// still embed it (§6.9).
func (h *Handler) deleteOperation(ctx context.Context, name string, force bool) (*pyjson.Map, error) {
	op, err := h.getItem(ctx, h.cfg.OperationTable, name, true)
	if err != nil {
		return nil, viewError(err)
	}
	if op == nil {
		return message("Warning: operation '%s' not found", name), nil
	}
	dependents, err := h.workflowsUsingOperation(ctx, name)
	if err != nil {
		return nil, viewError(err)
	}
	if len(dependents) > 0 && !force {
		return nil, apigw.BadRequest(dependentWorkflowsText, "operation", name, "operation")
	}
	v, err := pyGet(op, "StageName")
	if err != nil {
		return nil, viewError(err)
	}
	stageName, ok := v.(string)
	if !ok {
		return nil, viewError(fmt.Errorf("operation %s has no string StageName", name))
	}
	if _, err := h.deleteStage(ctx, stageName, true); err != nil {
		return nil, viewError(err)
	}
	if err := h.deleteItem(ctx, h.cfg.OperationTable, name); err != nil {
		return nil, viewError(err)
	}
	start, err := pyGet(op, "StartLambdaArn")
	if err != nil {
		return nil, viewError(err)
	}
	if s, ok := start.(string); !ok || isUserOperator(s) {
		if err := h.deleteInvokePolicy(ctx, name); err != nil {
			return nil, viewError(err)
		}
	}
	if err := h.flagWorkflows(ctx, h.workflowsUsingOperation, name, "StaleOperations"); err != nil {
		return nil, viewError(err)
	}
	return op, nil
}

// isUserOperator is the original's test for operators outside the operator library and the Wait operation, which
// the Step Functions role may not invoke without an inline policy (CP-09).
func isUserOperator(startLambdaArn string) bool {
	return !strings.Contains(startLambdaArn, "OperatorLibrary") && !strings.Contains(startLambdaArn, "start-wait-operation")
}
