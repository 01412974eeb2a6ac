package controlplane

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// createStageRoute is R10 (CP-14).
func (h *Handler) createStageRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	stage, err := h.createStage(ctx, body, false)
	if err != nil {
		return nil, err
	}
	return respond(stage)
}

// updateStageRoute is R11. The original answered "NOT IMPLEMENTED"; mie-go updates the stage in place and
// rebuilds the workflows that use it (CP-10, update.go).
func (h *Handler) updateStageRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	answer, err := h.updateStage(ctx, body)
	if err != nil {
		return nil, err
	}
	return respond(answer)
}

// createStage builds and stores a stage: the request plus a snapshot of each operation's Configuration and the
// stage definition compiled from their branch templates (CP-14, §6.10). singleton marks the stage `_<op>` that
// operation registration creates (CP-08); its name derives from an operation name that was already checked.
// Every failure but a schema violation is the original's 500 `Exception '<e>'`, a duplicate name included.
func (h *Handler) createStage(ctx context.Context, body any, singleton bool) (*pyjson.Map, error) {
	stage, operations, err := h.stageRequest(body)
	if err != nil {
		return nil, err
	}
	name := str(stage, "Name")
	// The singleton stage is exempt from the naming rules: an operation whose name is too long for its own
	// singleton stage still runs in stages with shorter names, as it did in the original.
	if !singleton {
		if err := checkStageNames(name, operations); err != nil {
			return nil, err
		}
	}
	existing, err := h.getItem(ctx, h.cfg.StageTable, name, true)
	if err != nil {
		return nil, viewError(err)
	}
	if existing != nil {
		return nil, stageExists(name)
	}
	if err := h.compileStage(ctx, stage, operations); err != nil {
		return nil, err
	}
	h.setGenerated(stage, "STAGE")
	if err := h.putItem(ctx, h.cfg.StageTable, stage, nameIsNew); err != nil {
		if isConditionFailed(err) {
			return nil, stageExists(name)
		}
		return nil, viewError(err)
	}
	return stage, nil
}

// stageRequest checks a stage body against the schema of R10 (400) and returns it, the stage item to be, with its
// operation names.
func (h *Handler) stageRequest(body any) (*pyjson.Map, []string, error) {
	if text := h.stageSchema.validate(body); text != "" {
		return nil, nil, apigw.BadRequest("%s", text)
	}
	// The schema guarantees a string Name and a list of string Operations.
	stage := body.(*pyjson.Map)
	v, _ := stage.Get("Operations")
	operations := make([]string, 0, len(v.([]any)))
	for _, op := range v.([]any) {
		operations = append(operations, op.(string))
	}
	return stage, operations, nil
}

// checkStageNames refuses a stage whose name, or whose state names with its operations, could never run (CP-44).
func checkStageNames(name string, operations []string) error {
	if err := asl.ValidateStageName(name); err != nil {
		return apigw.BadRequest("%s", err.Error())
	}
	if err := asl.ValidateStateNames(name, operations); err != nil {
		return apigw.BadRequest("%s", err.Error())
	}
	return nil
}

// compileStage sets a stage's Configuration, a snapshot of each operation's Configuration, and its Definition,
// compiled from their branch templates in order (§5.2). Failures are the original's 500 `Exception '<e>'`.
func (h *Handler) compileStage(ctx context.Context, stage *pyjson.Map, operations []string) error {
	templates := make([]string, 0, len(operations))
	configuration := pyjson.NewMap()
	for _, opName := range operations {
		// A consistent read: the original's eventually consistent one could miss an operation registered just
		// before, such as the one whose singleton stage this is.
		op, err := h.getItem(ctx, h.cfg.OperationTable, opName, true)
		if err != nil {
			return viewError(err)
		}
		if op == nil {
			return apigw.ViewError("Exception '%s'", "Exception: operation '"+opName+"' not found")
		}
		template, err := pyGet(op, "StateMachineAsl")
		if err != nil {
			return viewError(err)
		}
		text, _ := template.(string)
		templates = append(templates, text)
		opConfiguration, err := pyGet(op, "Configuration")
		if err != nil {
			return viewError(err)
		}
		configuration.Set(opName, opConfiguration)
	}
	definition, err := asl.StageDefinition(str(stage, "Name"), templates, h.cfg.CompleteStageARN)
	if err != nil {
		return viewError(err)
	}
	stage.Set("Configuration", configuration)
	stage.Set("Definition", definition)
	return nil
}

func stageExists(name string) error {
	return apigw.ViewError("Exception '%s'", "A stage with the name '"+name+"' already exists")
}

// listStages is R12 (CP-11).
func (h *Handler) listStages(ctx context.Context, _ *apigw.Request) (any, error) {
	return h.listTable(ctx, h.cfg.StageTable)
}

// getStage is R13 (CP-12).
func (h *Handler) getStage(ctx context.Context, req *apigw.Request) (any, error) {
	return h.getDefinition(ctx, h.cfg.StageTable, "stage", req.PathParam("name"))
}

// deleteStageRoute is R14 (CP-15).
func (h *Handler) deleteStageRoute(ctx context.Context, req *apigw.Request) (any, error) {
	stage, err := h.deleteStage(ctx, req.PathParam("name"), force(req))
	if err != nil {
		return nil, err
	}
	return respond(stage)
}

// deleteStage removes a stage and flags the workflows that still embed it (§6.13).
func (h *Handler) deleteStage(ctx context.Context, name string, force bool) (*pyjson.Map, error) {
	stage, err := h.getItem(ctx, h.cfg.StageTable, name, true)
	if err != nil {
		return nil, viewError(err)
	}
	if stage == nil {
		return message("Warning: stage '%s' not found", name), nil
	}
	dependents, err := h.workflowsUsingStage(ctx, name)
	if err != nil {
		return nil, viewError(err)
	}
	if len(dependents) > 0 && !force {
		return nil, apigw.BadRequest(dependentWorkflowsText, "stage", name, "stage")
	}
	if err := h.deleteItem(ctx, h.cfg.StageTable, name); err != nil {
		return nil, viewError(err)
	}
	if err := h.flagWorkflows(ctx, h.workflowsUsingStage, name, "StaleStages"); err != nil {
		return nil, viewError(err)
	}
	return stage, nil
}

// flagWorkflows appends name to the list attribute (StaleOperations or StaleStages) of every workflow find
// returns. A failure is wrapped once here and once more by the caller, as in the original.
func (h *Handler) flagWorkflows(ctx context.Context, find func(context.Context, string) ([]any, error), name, attribute string) error {
	workflows, err := find(ctx, name)
	if err != nil {
		return viewError(err)
	}
	for _, wf := range workflows {
		wfName, err := pyGet(wf, "Name")
		if err != nil {
			return viewError(err)
		}
		key, err := nameKey(wfName)
		if err != nil {
			return viewError(err)
		}
		_, err = h.clients.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:        aws.String(h.cfg.WorkflowTable),
			Key:              key,
			UpdateExpression: aws.String("SET " + attribute + " = list_append(" + attribute + ", :i)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":i": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: name}}},
			},
			ReturnValues: types.ReturnValueUpdatedNew,
		})
		if err != nil {
			return viewError(err)
		}
	}
	return nil
}
