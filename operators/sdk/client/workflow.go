package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// WorkflowAPI is a client of the workflow API (control-plane §6): system configuration, operations, stages,
// workflows, executions and the service proxies (every route, R01 to R46).
type WorkflowAPI struct {
	api *api
}

// NewWorkflowAPI returns a client of the workflow API at endpoint, the stack output WorkflowApiEndpoint.
func NewWorkflowAPI(cfg aws.Config, endpoint string, optFns ...func(*Options)) (*WorkflowAPI, error) {
	a, err := newAPI(cfg, endpoint, optFns)
	if err != nil {
		return nil, err
	}
	return &WorkflowAPI{api: a}, nil
}

// DeleteOptions change a delete.
type DeleteOptions struct {
	// Force deletes an operation or stage that workflows use; they keep their copy and list it as stale.
	Force bool
}

func (o DeleteOptions) query() url.Values {
	if !o.Force {
		return nil
	}
	return url.Values{"force": {"true"}}
}

// Ping calls GET / (R01), the one route without authorization; it fails when the API does not answer 2xx.
func (c *WorkflowAPI) Ping(ctx context.Context) error {
	return c.api.call(ctx, request{method: http.MethodGet}, nil)
}

// Version returns the API and framework versions (R02).
func (c *WorkflowAPI) Version(ctx context.Context) (*Version, error) {
	return get[Version](ctx, c.api, "version")
}

// PutSystemParameter stores a system parameter (R03), replacing one of the same name. MaxConcurrentWorkflows must
// be a number of at least 1; the scheduler reads it on its next run.
func (c *WorkflowAPI) PutSystemParameter(ctx context.Context, p SystemParameter) error {
	return c.api.call(ctx, request{method: http.MethodPost, path: []string{"system", "configuration"}, body: p}, nil)
}

// SetMaxConcurrentWorkflows sets how many workflow executions may run at once (R03).
func (c *WorkflowAPI) SetMaxConcurrentWorkflows(ctx context.Context, n int) error {
	return c.PutSystemParameter(ctx, SystemParameter{Name: MaxConcurrentWorkflows, Value: n})
}

// ListSystemParameters returns the system configuration (R04).
func (c *WorkflowAPI) ListSystemParameters(ctx context.Context) ([]SystemParameter, error) {
	return list[SystemParameter](ctx, c.api, "system", "configuration")
}

// CreateOperation registers an operation and its singleton stage `_<Name>` (R05) and returns the stored
// operation. For a START Lambda outside MIE's operator library the API lets the workflows' state machines invoke
// the operation's Lambdas.
func (c *WorkflowAPI) CreateOperation(ctx context.Context, op Operation) (*Operation, error) {
	return send[Operation](ctx, c.api, http.MethodPost, op, "workflow", "operation")
}

// ListOperations returns every operation (R07).
func (c *WorkflowAPI) ListOperations(ctx context.Context) ([]Operation, error) {
	return list[Operation](ctx, c.api, "workflow", "operation")
}

// GetOperation returns an operation (R08); an unknown name is a 404 APIError.
func (c *WorkflowAPI) GetOperation(ctx context.Context, name string) (*Operation, error) {
	return get[Operation](ctx, c.api, "workflow", "operation", name)
}

// DeleteOperation deletes an operation and its singleton stage (R09). An operation that workflows use is deleted
// only with Force (else a 400 APIError).
func (c *WorkflowAPI) DeleteOperation(ctx context.Context, name string, opts DeleteOptions) (*Deleted[Operation], error) {
	return remove[Operation](ctx, c.api, opts.query(), "workflow", "operation", name)
}

// CreateStage creates a stage of registered operations (R10) and returns the stored stage.
func (c *WorkflowAPI) CreateStage(ctx context.Context, s Stage) (*Stage, error) {
	return send[Stage](ctx, c.api, http.MethodPost, s, "workflow", "stage")
}

// ListStages returns every stage (R12).
func (c *WorkflowAPI) ListStages(ctx context.Context) ([]Stage, error) {
	return list[Stage](ctx, c.api, "workflow", "stage")
}

// GetStage returns a stage (R13); an unknown name is a 404 APIError.
func (c *WorkflowAPI) GetStage(ctx context.Context, name string) (*Stage, error) {
	return get[Stage](ctx, c.api, "workflow", "stage", name)
}

// DeleteStage deletes a stage (R14). A stage that workflows use is deleted only with Force (else a 400
// APIError).
func (c *WorkflowAPI) DeleteStage(ctx context.Context, name string, opts DeleteOptions) (*Deleted[Stage], error) {
	return remove[Stage](ctx, c.api, opts.query(), "workflow", "stage", name)
}

// CreateWorkflow creates a workflow and its state machine (R15) and returns the stored workflow.
func (c *WorkflowAPI) CreateWorkflow(ctx context.Context, w Workflow) (*Workflow, error) {
	return send[Workflow](ctx, c.api, http.MethodPost, w, "workflow")
}

// UpdateWorkflow rebuilds a workflow from the current definitions of its stages (R16), with StartAt and Stages
// replaced when w gives them, and returns the stored workflow.
func (c *WorkflowAPI) UpdateWorkflow(ctx context.Context, w Workflow) (*Workflow, error) {
	return send[Workflow](ctx, c.api, http.MethodPut, w, "workflow")
}

// ListWorkflows returns every workflow (R17).
func (c *WorkflowAPI) ListWorkflows(ctx context.Context) ([]Workflow, error) {
	return list[Workflow](ctx, c.api, "workflow")
}

// ListWorkflowsByOperation returns the workflows that use an operation (R18).
func (c *WorkflowAPI) ListWorkflowsByOperation(ctx context.Context, operation string) ([]Workflow, error) {
	return list[Workflow](ctx, c.api, "workflow", "list", "operation", operation)
}

// ListWorkflowsByStage returns the workflows that use a stage (R19).
func (c *WorkflowAPI) ListWorkflowsByStage(ctx context.Context, stage string) ([]Workflow, error) {
	return list[Workflow](ctx, c.api, "workflow", "list", "stage", stage)
}

// GetWorkflow returns a workflow (R20); an unknown name is a 404 APIError. Workflows named execution, operation,
// stage, list or configuration cannot be read this way: those paths belong to other routes.
func (c *WorkflowAPI) GetWorkflow(ctx context.Context, name string) (*Workflow, error) {
	return get[Workflow](ctx, c.api, "workflow", name)
}

// GetWorkflowConfiguration returns a workflow's default configuration (R21), the starting point of an
// execution's configuration overrides.
func (c *WorkflowAPI) GetWorkflowConfiguration(ctx context.Context, name string) (WorkflowConfiguration, error) {
	out, err := get[WorkflowConfiguration](ctx, c.api, "workflow", "configuration", name)
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// DeleteWorkflow deletes a workflow and its state machine (R22); its executions are not looked at.
func (c *WorkflowAPI) DeleteWorkflow(ctx context.Context, name string) (*Deleted[Workflow], error) {
	return remove[Workflow](ctx, c.api, nil, "workflow", name)
}
