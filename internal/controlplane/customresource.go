package controlplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// The texts of the custom resource's responses (control-plane §7).
const (
	createSucceeded    = "Resource creation successful!"
	updateSucceeded    = "Resource update successful!"
	deleteSucceeded    = "Resource deletion successful!"
	unexpectedType     = "Unexpected resource type received from CloudFormation"
	unexpectedRequest  = "Unexpected event received from CloudFormation"
	responseStatusOK   = "SUCCESS"
	responseStatusFail = "FAILED"
)

// createFailedPrefix starts the physical id answered for a Create that failed. CloudFormation rolls such a
// resource back with a Delete carrying that id; recognizing it keeps that Delete from removing a live definition
// of the same name, such as the one whose existence made the Create fail.
const createFailedPrefix = "mie-go:create-failed:"

// CustomResourceEvent is the CloudFormation custom-resource request the WorkflowCustomResource Lambda receives.
// ResourceProperties keeps its keys' order: a stage's Operations and a workflow's Stages are ordered.
type CustomResourceEvent struct {
	RequestType        string      `json:"RequestType"`
	ResponseURL        string      `json:"ResponseURL"`
	StackID            string      `json:"StackId"`
	RequestID          string      `json:"RequestId"`
	ResourceType       string      `json:"ResourceType"`
	LogicalResourceID  string      `json:"LogicalResourceId"`
	PhysicalResourceID string      `json:"PhysicalResourceId"`
	ResourceProperties *pyjson.Map `json:"ResourceProperties"`
}

// CustomResource registers operations, stages and workflows for CloudFormation with the workflow API's own
// create and delete logic, and answers CloudFormation on the request's ResponseURL (CP-31).
type CustomResource struct {
	h         *Handler
	client    *http.Client
	logStream string
}

// NewCustomResource builds the custom resource on a handler; client sends the responses to CloudFormation and
// logStream is the function's log stream, which the response's Reason names.
func NewCustomResource(h *Handler, client *http.Client, logStream string) *CustomResource {
	return &CustomResource{h: h, client: client, logStream: logStream}
}

// NewCustomResourceFromLookup builds the custom resource of a deployed function from lookup (os.Getenv in
// production), which also gives Lambda's AWS_LAMBDA_LOG_STREAM_NAME.
func NewCustomResourceFromLookup(ctx context.Context, lookup awsconf.Lookup) (*CustomResource, error) {
	h, err := NewFromLookup(ctx, lookup)
	if err != nil {
		return nil, err
	}
	// The response URL is a presigned S3 URL; a bounded wait keeps a stuck PUT within the function's timeout.
	return NewCustomResource(h, &http.Client{Timeout: time.Minute}, lookup("AWS_LAMBDA_LOG_STREAM_NAME")), nil
}

// Handle processes one request and sends the response to CloudFormation. It fails only when the response cannot
// be delivered.
func (c *CustomResource) Handle(ctx context.Context, e CustomResourceEvent) error {
	data, err := c.process(ctx, e)
	status := responseStatusOK
	var rejected *rejection
	switch {
	case errors.As(err, &rejected):
		status, data = responseStatusFail, message("%s", rejected.text)
	case err != nil:
		status, data = responseStatusFail, message("Exception during processing: '%s'", pyStr(err))
	}
	return c.send(ctx, e, status, data, c.physicalID(e, err))
}

// rejection is a request the original answered FAILED with a message of its own rather than an exception text.
type rejection struct{ text string }

func (r *rejection) Error() string { return r.text }

// physicalID is Q-17's stable id: the definition's Name on Create, the id CloudFormation sent otherwise. The
// original answered its log stream name, which changes between invocations, so that CloudFormation took every
// Update for a replacement and deleted the live definition afterwards.
func (c *CustomResource) physicalID(e CustomResourceEvent, err error) string {
	if e.RequestType != "Create" {
		if e.PhysicalResourceID != "" {
			return e.PhysicalResourceID
		}
		return c.logStream
	}
	if err != nil {
		return createFailedPrefix + e.LogicalResourceID
	}
	name, _ := e.ResourceProperties.Get("Name")
	return pyStrOf(name)
}

// process dispatches on ResourceProperties.ResourceType and RequestType and returns the response's Data.
func (c *CustomResource) process(ctx context.Context, e CustomResourceEvent) (*pyjson.Map, error) {
	if e.ResourceProperties == nil {
		return nil, keyError("ResourceProperties")
	}
	props := e.ResourceProperties
	resourceType, err := pyGet(props, "ResourceType")
	if err != nil {
		return nil, err
	}
	var create, del func(context.Context, *pyjson.Map) (*pyjson.Map, error)
	update := func(*pyjson.Map) (*pyjson.Map, error) { return message("%s", updateSucceeded), nil }
	switch resourceType {
	case "Operation":
		create, del, update = c.createOperation, c.deleteOperation, operationUpdated
	case "Stage":
		create, del = c.createStage, c.deleteStage
	case "Workflow":
		create, del = c.createWorkflow, c.deleteWorkflow
	default:
		return nil, &rejection{unexpectedType}
	}
	switch e.RequestType {
	case "Create":
		return create(ctx, props)
	case "Update":
		return update(props)
	case "Delete":
		if strings.HasPrefix(e.PhysicalResourceID, createFailedPrefix) {
			// The rollback of a Create that failed: nothing of this resource was created.
			return deletedData(resourceType, props), nil
		}
		return del(ctx, props)
	}
	return nil, &rejection{unexpectedRequest}
}

// deletedData is the Data of a successful Delete; an operation's also names it.
func deletedData(resourceType any, props *pyjson.Map) *pyjson.Map {
	data := message("%s", deleteSucceeded)
	if resourceType == "Operation" {
		name, _ := props.Get("Name")
		data.Set("Name", name)
	}
	return data
}

// createOperation runs R05's logic on the properties. CloudFormation sends every scalar as a string, so
// Configuration.Enabled is true for "true"; a real boolean true counts too, which the original turned into false
//
func (c *CustomResource) createOperation(ctx context.Context, props *pyjson.Map) (*pyjson.Map, error) {
	configuration, err := pyGet(props, "Configuration")
	if err != nil {
		return nil, err
	}
	enabled, err := pyGet(configuration, "Enabled")
	if err != nil {
		return nil, err
	}
	configuration.(*pyjson.Map).Set("Enabled", enabled == true || enabled == "true")
	op, err := c.h.createOperation(ctx, props)
	if err != nil {
		return nil, err
	}
	data := message("%s", createSucceeded)
	data.Set("Name", str(op, "Name"))
	data.Set("StageName", str(op, "StageName"))
	return data, nil
}

// operationUpdated answers an Update of an operation, which changes nothing, with the Data of a creation; the
// original failed every such Update.
func operationUpdated(props *pyjson.Map) (*pyjson.Map, error) {
	name, err := pyGet(props, "Name")
	if err != nil {
		return nil, err
	}
	data := message("%s", updateSucceeded)
	data.Set("Name", name)
	data.Set("StageName", "_"+pyStrOf(name))
	return data, nil
}

func (c *CustomResource) deleteOperation(ctx context.Context, props *pyjson.Map) (*pyjson.Map, error) {
	name, err := pyGet(props, "Name")
	if err != nil {
		return nil, err
	}
	if _, err := c.h.deleteOperation(ctx, pyStrOf(name), true); err != nil {
		return nil, err
	}
	return deletedData("Operation", props), nil
}

func (c *CustomResource) createStage(ctx context.Context, props *pyjson.Map) (*pyjson.Map, error) {
	stage, err := c.h.createStage(ctx, props, false)
	if err != nil {
		return nil, err
	}
	data := message("%s", createSucceeded)
	data.Set("Name", str(stage, "Name"))
	return data, nil
}

func (c *CustomResource) deleteStage(ctx context.Context, props *pyjson.Map) (*pyjson.Map, error) {
	name, err := pyGet(props, "Name")
	if err != nil {
		return nil, err
	}
	if _, err := c.h.deleteStage(ctx, pyStrOf(name), true); err != nil {
		return nil, err
	}
	return message("%s", deleteSucceeded), nil
}

// createWorkflow runs R15's logic with Trigger "custom-resource"; Stages arrives as a JSON text.
func (c *CustomResource) createWorkflow(ctx context.Context, props *pyjson.Map) (*pyjson.Map, error) {
	v, err := pyGet(props, "Stages")
	if err != nil {
		return nil, err
	}
	text, ok := v.(string)
	if !ok {
		return nil, apigw.Unhandledf("TypeError", "the JSON object must be str, bytes or bytearray, not %s", pyTypeName(v))
	}
	stages, err := pyjson.Decode([]byte(text))
	if err != nil {
		return nil, err
	}
	props.Set("Stages", stages)
	// CloudFormation sends every scalar as a string; mie-go's TimeoutSeconds is a number.
	if t, ok := props.Get("TimeoutSeconds"); ok {
		if text, isText := t.(string); isText {
			if n, err := strconv.Atoi(text); err == nil {
				props.Set("TimeoutSeconds", pyjson.Number(strconv.Itoa(n)))
			}
		}
	}
	wf, err := c.h.createWorkflow(ctx, "custom-resource", props)
	if err != nil {
		return nil, err
	}
	data := message("%s", createSucceeded)
	name, _ := wf.Get("Name")
	data.Set("Name", name)
	data.Set("StateMachineArn", str(wf, "StateMachineArn"))
	return data, nil
}

func (c *CustomResource) deleteWorkflow(ctx context.Context, props *pyjson.Map) (*pyjson.Map, error) {
	name, err := pyGet(props, "Name")
	if err != nil {
		return nil, err
	}
	if _, err := c.h.deleteWorkflow(ctx, pyStrOf(name)); err != nil {
		return nil, err
	}
	return message("%s", deleteSucceeded), nil
}

// send PUTs the response to the presigned ResponseURL: a JSON text with Python's separators and an empty
// Content-Type, as the original sent it (CP-31).
func (c *CustomResource) send(ctx context.Context, e CustomResourceEvent, status string, data *pyjson.Map, physicalID string) error {
	body := pyjson.NewMap()
	body.Set("Status", status)
	body.Set("Reason", "See the details in CloudWatch Log Stream: "+c.logStream)
	body.Set("PhysicalResourceId", physicalID)
	body.Set("StackId", e.StackID)
	body.Set("RequestId", e.RequestID)
	body.Set("LogicalResourceId", e.LogicalResourceID)
	body.Set("Data", data)
	text, err := pyjson.Python(body)
	if err != nil {
		return fmt.Errorf("render the custom resource response: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, e.ResponseURL, bytes.NewReader(text))
	if err != nil {
		return fmt.Errorf("custom resource response to %q: %w", e.ResponseURL, err)
	}
	// The presigned URL is signed without a content type; the original sent an empty one.
	req.Header["Content-Type"] = []string{""}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("send the custom resource response: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("send the custom resource response: %s", resp.Status)
	}
	c.h.log.Info("custom resource response sent", "status", status, "physicalResourceId", physicalID, "code", resp.StatusCode)
	return nil
}
