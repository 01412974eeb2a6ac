package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/controlplane"
	"github.com/mie-go/mie-go/internal/dataplane"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/sigv4"
	"github.com/mie-go/mie-go/operators/sdk"
	"github.com/mie-go/mie-go/operators/sdk/client"
)

// executionStack is a deployment on moto whose workflow API, behind a local gateway, invokes the real data plane
// function and a scheduler that only counts its triggers, through the Lambda Invoke API.
type executionStack struct {
	workflow   *client.WorkflowAPI
	executions *dynamodb.Client
	table      string
	registry   *lambdainvoke.Registry
	triggers   atomic.Int32
}

func newExecutionStack(t *testing.T) *executionStack {
	t.Helper()
	ctx := t.Context()
	cfg := awstest.Config(t, nil)
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(ctx, cfg, resources.Params{StackName: prefix, ShortID: prefix[:6], Region: region, Account: "123456789012"})
	require.NoError(t, err)
	name := func(id string) string {
		n, err := d.Resolve(resources.NameOf(id))
		require.NoError(t, err)
		return n
	}
	s := &executionStack{executions: cfg.DynamoDB(), registry: lambdainvoke.NewRegistry(region, "123456789012")}
	s.table = name(resources.WorkflowExecutionTable)
	lambdaAPI := httptest.NewServer(lambdainvoke.NewServer(s.registry))
	t.Cleanup(lambdaAPI.Close)
	t.Cleanup(s.registry.Wait)

	dataplaneEnv, err := d.Env(resources.DataplaneAPIHandler)
	require.NoError(t, err)
	dataplaneHandler, err := dataplane.NewFromLookup(ctx, awstest.Lookup(t, dataplaneEnv))
	require.NoError(t, err)
	s.registry.RegisterFunc(name(resources.DataplaneAPIHandler), dataplaneHandler.Handle)
	s.registry.RegisterFunc(name(resources.WorkflowSchedulerLambda), func(context.Context) error {
		s.triggers.Add(1)
		return nil
	})

	workflowEnv, err := d.Env(resources.WorkflowAPIHandler)
	require.NoError(t, err)
	workflowEnv["AWS_ENDPOINT_URL_LAMBDA"] = lambdaAPI.URL
	workflowHandler, err := controlplane.NewFromLookup(ctx, awstest.Lookup(t, workflowEnv))
	require.NoError(t, err)
	verifier := sigv4.New(sigv4.StaticCredentials(callerKey), region)
	url := startGateway(t, &gateway{router: workflowHandler.Router(), handler: workflowHandler.Handle, verifier: verifier})
	s.workflow, err = client.NewWorkflowAPI(callerConfig(callerKey), url)
	require.NoError(t, err)
	return s
}

// setStatus changes an execution's status behind the API's back, as the engine would.
func (s *executionStack) setStatus(t *testing.T, id, status string) {
	t.Helper()
	_, err := s.executions.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"Id": &types.AttributeValueMemberS{Value: id}},
		UpdateExpression:          aws.String("SET #s = :s"),
		ExpressionAttributeNames:  map[string]string{"#s": "Status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: status}},
	})
	require.NoError(t, err)
}

// TestWorkflowExecutions drives the execution routes (R23 to R29) through the client, the gateway's signature
// checks and the real workflow API and data plane handlers.
func TestWorkflowExecutions(t *testing.T) {
	s := newExecutionStack(t)
	ctx := t.Context()
	api := s.workflow
	_, err := api.CreateOperation(ctx, client.Operation{
		Name: "Detect", Type: client.OperationSync,
		Configuration:  client.OperationConfiguration{MediaType: "Video", Enabled: true},
		StartLambdaARN: userLambda("detect"),
	})
	require.NoError(t, err)
	_, err = api.CreateWorkflow(ctx, client.Workflow{Name: "Scan", StartAt: "_Detect", Stages: client.WorkflowStages{{Name: "_Detect", End: true}}})
	require.NoError(t, err)

	// CP-22, CP-24: the Media form creates the asset in the data plane.
	video := client.S3Object{S3Bucket: "media", S3Key: "in/talk.mp4"}
	first, err := api.StartExecution(ctx, client.ExecutionRequest{
		Name:          "Scan",
		Input:         client.ExecutionInput{Media: map[string]client.S3Object{"Video": video}},
		Configuration: client.ExecutionConfiguration{"_Detect": {"Detect": {"MinConfidence": "90"}}},
	})
	require.NoError(t, err)
	assert.Equal(t, sdk.WorkflowStatusQueued, first.Status)
	assert.Equal(t, "_Detect", first.CurrentStage)
	assert.Equal(t, "WORKFLOW_EXECUTION", first.ResourceType)
	require.NotEmpty(t, first.AssetID)
	require.NotNil(t, first.Globals)
	assert.Equal(t, map[string]client.S3Object{"Video": video}, first.Globals.Media)
	assert.Empty(t, first.Globals.MetaData)
	assert.Equal(t, client.ExecutionConfiguration{"_Detect": {"Detect": {"MinConfidence": "90"}}}, first.Configuration)
	require.NotNil(t, first.Workflow)
	assert.Equal(t, "Scan", first.Workflow.Name)
	stage, ok := first.Workflow.Stages.Stage("_Detect")
	require.True(t, ok)
	var stageStatus string
	found, err := stage.Extra.Get("Status", &stageStatus)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, sdk.StageStatusStarted, stageStatus)
	var minConfidence string
	_, err = stage.Configuration["Detect"].Extra.Get("MinConfidence", &minConfidence)
	require.NoError(t, err)
	assert.Equal(t, "90", minConfidence, "the override is in the execution's copy of the workflow")

	// CP-23: the AssetId form reads the asset back from the data plane, once its last execution has ended.
	again := client.ExecutionRequest{Name: "Scan", Input: client.ExecutionInput{AssetID: first.AssetID}}
	_, err = api.StartExecution(ctx, again)
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError",
		"Exception 'There is currently another workflow execution(Id = "+first.ID+") active on AssetId "+first.AssetID+".'")
	s.setStatus(t, first.ID, sdk.WorkflowStatusComplete)
	second, err := api.StartExecution(ctx, again)
	require.NoError(t, err)
	assert.Equal(t, first.Globals.Media, second.Globals.Media)
	_, err = api.StartExecution(ctx, client.ExecutionRequest{Name: "Scan", Input: client.ExecutionInput{AssetID: "nothing"}})
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Exception 'Unable to retrieve asset: nothing'")
	_, err = api.StartExecution(ctx, client.ExecutionRequest{Name: "Scan"})
	assertAPIError(t, err, http.StatusBadRequest, "BadRequestError", `Input must contain either "AssetId" or "Media"`)

	// CP-11, CP-12, CP-27.
	got, err := api.GetExecution(ctx, second.ID)
	require.NoError(t, err)
	assert.Equal(t, second.ID, got.ID)
	assert.Equal(t, second.Created, got.Created)
	_, err = api.GetExecution(ctx, "nothing")
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "Exception: workflow execution 'nothing' not found")
	all, err := api.ListExecutions(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 2)
	queued, err := api.ListExecutionsByStatus(ctx, sdk.WorkflowStatusQueued)
	require.NoError(t, err)
	require.Len(t, queued, 1)
	assert.Equal(t, second.ID, queued[0].ID)
	assert.Equal(t, "Scan", queued[0].Workflow.Name)
	assert.Empty(t, queued[0].Created, "R26's projection has no Created")
	byAsset, err := api.ListExecutionsByAsset(ctx, first.AssetID)
	require.NoError(t, err)
	require.Len(t, byAsset, 2)
	assert.Equal(t, []string{second.ID, first.ID}, []string{byAsset[0].ID, byAsset[1].ID}, "newest first")
	assert.Equal(t, sdk.WorkflowStatusComplete, byAsset[1].Status)
	assert.NotEmpty(t, byAsset[1].Created)

	// CP-26: only a Waiting execution resumes.
	_, err = api.ResumeExecution(ctx, second.ID, "_Detect")
	assertAPIError(t, err, http.StatusBadRequest, "BadRequestError", "Workflow status is not 'Waiting' or Current stage doesn't match the request")
	s.setStatus(t, second.ID, sdk.WorkflowStatusWaiting)
	resumed, err := api.ResumeExecution(ctx, second.ID, "_Detect")
	require.NoError(t, err)
	assert.Equal(t, client.Execution{ID: second.ID, Status: sdk.WorkflowStatusResumed}, *resumed)

	// CP-28.
	deleted, err := api.DeleteExecution(ctx, first.ID)
	require.NoError(t, err)
	assert.Equal(t, first.ID, deleted.ID)
	assert.Equal(t, sdk.WorkflowStatusComplete, deleted.Status)
	_, err = api.DeleteExecution(ctx, first.ID)
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Exception 'Exception: workflow execution '"+first.ID+"' not found'")

	s.registry.Wait()
	assert.Equal(t, int32(3), s.triggers.Load(), "two starts and a resume trigger the scheduler")
}
