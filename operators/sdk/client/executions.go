package client

import (
	"context"
	"net/http"
)

// ExecutionRequest starts a workflow execution (R23): the workflow's Name, the media to analyze and optional
// configuration overrides. The API reads nothing else of a request.
type ExecutionRequest struct {
	Name          string                 `json:"Name"`
	Input         ExecutionInput         `json:"Input"`
	Configuration ExecutionConfiguration `json:"Configuration,omitempty"`
}

// ExecutionInput names what an execution analyzes: an existing asset by AssetID, or media already in S3, for which
// the API creates an asset. AssetID wins when both are given. Of Media only the first media type (in key order)
// is used, e.g. {"Video": {S3Bucket, S3Key}}.
type ExecutionInput struct {
	AssetID string              `json:"AssetId,omitempty"`
	Media   map[string]S3Object `json:"Media,omitempty"`
}

// ExecutionConfiguration overrides the configuration of a workflow's operations for one execution: stage name →
// operation name → configuration key → value. Each given key replaces the workflow's value (an object is replaced
// whole); unknown keys are added. Typical use: enabling an operation, e.g. {"Analyze": {"Wait": {"Enabled": true}}}.
type ExecutionConfiguration map[string]map[string]map[string]any

// Globals are an execution's accumulated results: the media of each media type, starting with the input's, and
// the operators' metadata.
type Globals struct {
	Media    map[string]S3Object `json:"Media"`
	MetaData map[string]any      `json:"MetaData"`
	Extra    Extra               `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (g Globals) MarshalJSON() ([]byte, error) {
	type plain Globals
	return encodeObject(plain(g), g.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (g *Globals) UnmarshalJSON(data []byte) error {
	type plain Globals
	return decodeObject(data, (*plain)(g), &g.Extra)
}

// Execution is a workflow execution record. Status is one of the sdk.WorkflowStatus values: Queued, Started,
// Waiting, Resumed, Complete or Error (with Message saying why). Workflow is a copy of the workflow with the
// overrides applied; each of its stages carries, in Extra, what ran: Status, Input, Outputs (the operations'
// output objects). The listings by status and by asset fill only ID, AssetID, CurrentStage,
// StateMachineExecutionARN, Status, Workflow.Name and, by asset, Created.
type Execution struct {
	ID                       string                 `json:"Id"`
	Trigger                  string                 `json:"Trigger,omitempty"`
	CurrentStage             string                 `json:"CurrentStage,omitempty"`
	Globals                  *Globals               `json:"Globals,omitempty"`
	Configuration            ExecutionConfiguration `json:"Configuration,omitempty"`
	AssetID                  string                 `json:"AssetId,omitempty"`
	Workflow                 *Workflow              `json:"Workflow,omitempty"`
	Status                   string                 `json:"Status,omitempty"`
	StateMachineExecutionARN string                 `json:"StateMachineExecutionArn,omitempty"`
	Message                  string                 `json:"Message,omitempty"`
	Generated
	Extra Extra `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (e Execution) MarshalJSON() ([]byte, error) {
	type plain Execution
	return encodeObject(plain(e), e.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (e *Execution) UnmarshalJSON(data []byte) error {
	type plain Execution
	return decodeObject(data, (*plain)(e), &e.Extra)
}

// StartExecution starts an execution of a workflow (R23) and returns its record, Queued: the scheduler starts it
// when fewer than MaxConcurrentWorkflows executions run. An asset with an execution that has not ended cannot be
// analyzed again (500 APIError).
func (c *WorkflowAPI) StartExecution(ctx context.Context, req ExecutionRequest) (*Execution, error) {
	return send[Execution](ctx, c.api, http.MethodPost, req, "workflow", "execution")
}

// ResumeExecution resumes an execution paused by the Wait operation in the given stage (R24); the answer holds ID
// and Status Resumed. An execution that is not Waiting in that stage is a 400 APIError.
func (c *WorkflowAPI) ResumeExecution(ctx context.Context, id, waitingStage string) (*Execution, error) {
	body := struct {
		WaitingStageName string `json:"WaitingStageName"`
	}{waitingStage}
	return send[Execution](ctx, c.api, http.MethodPut, body, "workflow", "execution", id)
}

// ListExecutions returns every execution (R25).
func (c *WorkflowAPI) ListExecutions(ctx context.Context) ([]Execution, error) {
	return list[Execution](ctx, c.api, "workflow", "execution")
}

// ListExecutionsByStatus returns the executions with a status (R26), a projection (see Execution).
func (c *WorkflowAPI) ListExecutionsByStatus(ctx context.Context, status string) ([]Execution, error) {
	return list[Execution](ctx, c.api, "workflow", "execution", "status", status)
}

// ListExecutionsByAsset returns the executions of an asset, newest first (R27), a projection (see Execution).
func (c *WorkflowAPI) ListExecutionsByAsset(ctx context.Context, assetID string) ([]Execution, error) {
	return list[Execution](ctx, c.api, "workflow", "execution", "asset", assetID)
}

// GetExecution returns an execution (R28); an unknown id is a 404 APIError.
func (c *WorkflowAPI) GetExecution(ctx context.Context, id string) (*Execution, error) {
	return get[Execution](ctx, c.api, "workflow", "execution", id)
}

// DeleteExecution deletes an execution's record and returns it (R29); an unknown id is a 500 APIError. A running
// execution is not stopped and its asset is kept.
func (c *WorkflowAPI) DeleteExecution(ctx context.Context, id string) (*Execution, error) {
	return send[Execution](ctx, c.api, http.MethodDelete, nil, "workflow", "execution", id)
}
