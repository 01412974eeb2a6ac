package client_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// userLambda is the ARN of an operator Lambda outside the operator library.
func userLambda(name string) string {
	return "arn:aws:lambda:us-east-1:123456789012:function:" + name
}

// TestWorkflowAPI drives the definition routes of the workflow API (R01 to R22) through the client, the gateway's
// signature checks and the real workflow API handler on moto.
func TestWorkflowAPI(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	api := s.workflow

	// CP-04.
	require.NoError(t, api.Ping(ctx))
	version, err := api.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, client.Version{APIVersion: "3.0.0", FrameworkVersion: "v5.1.11"}, *version)

	// CP-05.
	require.NoError(t, api.SetMaxConcurrentWorkflows(ctx, 3))
	notes := client.SystemParameter{Name: "Notes", Value: "free-form"}
	require.NoError(t, notes.Extra.Set("Owner", "ops"))
	require.NoError(t, api.PutSystemParameter(ctx, notes))
	params, err := api.ListSystemParameters(ctx)
	require.NoError(t, err)
	byName := map[string]client.SystemParameter{}
	for _, p := range params {
		byName[p.Name] = p
	}
	assert.Equal(t, json.Number("3.0"), byName[client.MaxConcurrentWorkflows].Value, "DynamoDB numbers come back as floats")
	assert.Equal(t, "free-form", byName["Notes"].Value)
	var owner string
	found, err := byName["Notes"].Extra.Get("Owner", &owner)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "ops", owner)
	err = api.SetMaxConcurrentWorkflows(ctx, 0)
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Exception 'MaxConcurrentWorkflows must be a value > 1'")

	// CP-06, CP-08, CP-09: a Sync and an Async user operator; unknown members are stored and given back.
	detect := client.Operation{
		Name: "Detect", Type: client.OperationSync,
		Configuration:  client.OperationConfiguration{MediaType: "Video", Enabled: true},
		StartLambdaARN: userLambda("detect"),
	}
	require.NoError(t, detect.Configuration.Extra.Set("MinConfidence", "80"))
	require.NoError(t, detect.Extra.Set("Description", "finds things"))
	created, err := api.CreateOperation(ctx, detect)
	require.NoError(t, err)
	assert.Equal(t, "_Detect", created.StageName)
	assert.Equal(t, "OPERATION", created.ResourceType)
	assert.Equal(t, "v0", created.Version)
	assert.NotEmpty(t, created.ID)
	assert.Contains(t, created.StateMachineASL, "Filter Detect Media Type? (%%STAGE_NAME%%)")
	assert.Equal(t, json.RawMessage(`"finds things"`), created.Extra["Description"])
	assert.Equal(t, json.RawMessage(`"80"`), created.Configuration.Extra["MinConfidence"])

	transcribe := client.Operation{
		Name: "Transcribe", Type: client.OperationAsync,
		Configuration:    client.OperationConfiguration{MediaType: "Audio", Enabled: false},
		StartLambdaARN:   userLambda("start-transcribe"),
		MonitorLambdaARN: userLambda("check-transcribe"),
	}
	_, err = api.CreateOperation(ctx, transcribe)
	require.NoError(t, err)
	_, err = api.CreateOperation(ctx, detect)
	assertAPIError(t, err, http.StatusConflict, "ConflictError", "A operation with the name 'Detect' already exists")
	_, err = api.CreateOperation(ctx, client.Operation{Name: "Broken", Type: "Sometimes", StartLambdaARN: userLambda("x")})
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.Equal(t, "BadRequestError", apiErr.Code)

	// CP-11, CP-12.
	got, err := api.GetOperation(ctx, "Detect")
	require.NoError(t, err)
	assert.Equal(t, created.ID, got.ID)
	assert.Equal(t, json.RawMessage(`"finds things"`), got.Extra["Description"])
	ops, err := api.ListOperations(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"Detect", "Transcribe"}, operationNames(ops))
	_, err = api.GetOperation(ctx, "Nothing")
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Exception: operation 'Nothing' not found")

	// CP-14.
	prep, err := api.CreateStage(ctx, client.Stage{Name: "Prep", Operations: []string{"Detect"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"Detect"}, prep.Operations)
	assert.Equal(t, "Video", prep.Configuration["Detect"].MediaType)
	assert.NotEmpty(t, prep.Definition)
	_, err = api.CreateStage(ctx, client.Stage{Name: "Analyze", Operations: []string{"Transcribe"}})
	require.NoError(t, err)
	empty, err := api.CreateStage(ctx, client.Stage{Name: "Empty"})
	require.NoError(t, err, "a stage may have no operations")
	assert.Empty(t, empty.Operations)
	_, err = api.CreateStage(ctx, client.Stage{Name: "Prep", Operations: []string{"Detect"}})
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Exception 'A stage with the name 'Prep' already exists'")
	stage, err := api.GetStage(ctx, "Analyze")
	require.NoError(t, err)
	assert.Equal(t, []string{"Transcribe"}, stage.Operations)
	stages, err := api.ListStages(ctx)
	require.NoError(t, err)
	assert.Len(t, stages, 5, "three stages and the two singleton stages")
	_, err = api.GetStage(ctx, "Nothing")
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Exception: stage 'Nothing' not found")

	// CP-16, CP-17: stages sent in chain order.
	wf, err := api.CreateWorkflow(ctx, client.Workflow{
		Name: "MyWF", StartAt: "Prep",
		Stages: client.WorkflowStages{{Name: "Prep", Next: "Analyze"}, {Name: "Analyze", End: true}},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, wf.StateMachineARN)
	assert.Equal(t, []string{"Detect", "Transcribe"}, wf.Operations)
	assert.Equal(t, "api", wf.Trigger)
	assert.Equal(t, "v0", wf.Version)
	require.Len(t, wf.Stages, 2)
	assert.Equal(t, []string{"Prep", "Analyze"}, []string{wf.Stages[0].Name, wf.Stages[1].Name})
	assert.Equal(t, "Analyze", wf.Stages[0].Next)
	assert.True(t, wf.Stages[1].End)
	assert.Equal(t, []string{"Transcribe"}, wf.Stages[1].Operations)
	_, err = api.CreateWorkflow(ctx, client.Workflow{Name: "NoEnd", StartAt: "Prep", Stages: client.WorkflowStages{{Name: "Prep", Next: "Analyze"}}})
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "")

	// CP-12, CP-20.
	read, err := api.GetWorkflow(ctx, "MyWF")
	require.NoError(t, err)
	analyze, ok := read.Stages.Stage("Analyze")
	require.True(t, ok)
	assert.True(t, analyze.End)
	configuration, err := api.GetWorkflowConfiguration(ctx, "MyWF")
	require.NoError(t, err)
	assert.Equal(t, client.WorkflowConfiguration{
		"Prep":    {"Detect": {MediaType: "Video", Enabled: true, Extra: client.Extra{"MinConfidence": json.RawMessage(`"80"`)}}},
		"Analyze": {"Transcribe": {MediaType: "Audio", Enabled: false}},
	}, configuration)
	_, err = api.GetWorkflow(ctx, "no such/workflow")
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Exception: workflow 'no such/workflow' not found")

	// CP-18.
	updated, err := api.UpdateWorkflow(ctx, client.Workflow{Name: "MyWF"})
	require.NoError(t, err)
	assert.Equal(t, "v2", updated.Version)

	// CP-11, CP-19.
	workflows, err := api.ListWorkflows(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"MyWF"}, workflowNames(workflows))
	byOperation, err := api.ListWorkflowsByOperation(ctx, "Transcribe")
	require.NoError(t, err)
	assert.Equal(t, []string{"MyWF"}, workflowNames(byOperation))
	byStage, err := api.ListWorkflowsByStage(ctx, "Prep")
	require.NoError(t, err)
	assert.Equal(t, []string{"MyWF"}, workflowNames(byStage))
	unused, err := api.ListWorkflowsByStage(ctx, "Empty")
	require.NoError(t, err)
	assert.Empty(t, unused)

	// CP-13, CP-15: dependents refuse a delete without force.
	_, err = api.DeleteOperation(ctx, "Detect", client.DeleteOptions{})
	assertAPIError(t, err, http.StatusBadRequest, "BadRequestError", "")
	assert.True(t, strings.HasPrefix(err.(*client.APIError).Message, "Dependent workflows were found for operation Detect.\n"), err)
	_, err = api.DeleteStage(ctx, "Analyze", client.DeleteOptions{})
	assertAPIError(t, err, http.StatusBadRequest, "BadRequestError", "")

	// CP-13: forced, the workflow keeps running its copy and lists the operation as stale.
	deletedOp, err := api.DeleteOperation(ctx, "Transcribe", client.DeleteOptions{Force: true})
	require.NoError(t, err)
	require.NotNil(t, deletedOp.Item)
	assert.Equal(t, "Transcribe", deletedOp.Item.Name)
	stale, err := api.GetWorkflow(ctx, "MyWF")
	require.NoError(t, err)
	assert.Contains(t, stale.StaleOperations, "Transcribe")
	again, err := api.DeleteOperation(ctx, "Transcribe", client.DeleteOptions{})
	require.NoError(t, err)
	assert.Equal(t, &client.Deleted[client.Operation]{Warning: "Warning: operation 'Transcribe' not found"}, again)

	// CP-21.
	deletedWF, err := api.DeleteWorkflow(ctx, "MyWF")
	require.NoError(t, err)
	require.NotNil(t, deletedWF.Item)
	assert.Equal(t, wf.StateMachineARN, deletedWF.Item.StateMachineARN)
	goneWF, err := api.DeleteWorkflow(ctx, "MyWF")
	require.NoError(t, err)
	assert.Equal(t, "Workflow 'MyWF' not found", goneWF.Warning)
	assert.Nil(t, goneWF.Item)

	// CP-15.
	deletedStage, err := api.DeleteStage(ctx, "Prep", client.DeleteOptions{})
	require.NoError(t, err)
	require.NotNil(t, deletedStage.Item)
	assert.Equal(t, []string{"Detect"}, deletedStage.Item.Operations)
	goneStage, err := api.DeleteStage(ctx, "Prep", client.DeleteOptions{})
	require.NoError(t, err)
	assert.Equal(t, "Warning: stage 'Prep' not found", goneStage.Warning)
}

func operationNames(ops []client.Operation) []string {
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = o.Name
	}
	return names
}

func workflowNames(ws []client.Workflow) []string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.Name
	}
	return names
}
