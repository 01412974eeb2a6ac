package controlplane

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/operators/sdk"
)

// Names of the execution index queries, as the original spells them (§16).
const (
	executionStatusName = "#workflow_status"
	workflowNameName    = "#workflow_name"
	// summaryProjection is R26's projection; R27 adds Created.
	summaryProjection = "Id, AssetId, CurrentStage, StateMachineExecutionArn, " + executionStatusName + ", Workflow." + workflowNameName
	assetProjection   = "Id, AssetId, CurrentStage, Created, StateMachineExecutionArn, " + executionStatusName + ", Workflow." + workflowNameName
)

// startExecutionRoute is R23 (CP-22 to CP-25): it builds the execution record, writes it Queued, sends it to the
// stage-execution queue and triggers the scheduler.
func (h *Handler) startExecutionRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	request, ok := body.(*pyjson.Map)
	if !ok {
		return nil, attributeError(body, "get")
	}
	var input any = pyjson.NewMap()
	if v, ok := request.Get("Input"); ok {
		input = v
	}
	// AssetId wins when Input holds both.
	form := ""
	for _, key := range []string{"AssetId", "Media"} {
		has, err := pyContains(input, key)
		if err != nil {
			return nil, err
		}
		if has {
			form = key
			break
		}
	}
	if form == "" {
		return nil, apigw.BadRequest(`Input must contain either "AssetId" or "Media"`)
	}
	rec, err := h.newExecution(ctx, request, input, form == "Media")
	if err != nil {
		// The original wrapped every failure from here on, its own 404- and 409-like ones included, into a 500
		// . It raised no 400 there: a 400 is one of the port's own checks and passes as it is.
		var handled *apigw.Error
		if errors.As(err, &handled) && handled.Status == http.StatusBadRequest {
			return nil, err
		}
		return nil, viewError(err)
	}
	if err := h.putItem(ctx, h.cfg.ExecutionTable, rec, nil); err != nil {
		return nil, viewError(err)
	}
	if err := h.enqueue(ctx, rec); err != nil {
		// CP-25: the record is written, so it ends Error (which triggers the scheduler) before the client hears of
		// the failure. A failure of that write itself was uncaught in the original.
		if serr := h.clients.Executions.Set(ctx, str(rec, "Id"), executions.Error, "Exception "+executions.Text(err)); serr != nil {
			return nil, traceback(serr)
		}
		return nil, viewError(err)
	}
	return respond(rec)
}

// enqueue sends a new execution record to the stage-execution queue, numbers as stored, and triggers the scheduler.
func (h *Handler) enqueue(ctx context.Context, rec *pyjson.Map) error {
	plain, err := mapNumbers(rec, nil)
	if err != nil {
		return err
	}
	if err := h.send(ctx, plain); err != nil {
		return err
	}
	return h.clients.Executions.TriggerScheduler(ctx)
}

// send sends a message to the stage-execution queue, as JSON text with Python's separators (§3.8).
func (h *Handler) send(ctx context.Context, message any) error {
	body, err := pyjson.Python(message)
	if err != nil {
		return err
	}
	_, err = h.clients.Queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(h.cfg.StageExecutionQueueURL),
		MessageBody: aws.String(string(body)),
	})
	return err
}

// mediaEntry is the media of R23's Media form.
type mediaEntry struct {
	mediaType, bucket, key string
}

// newExecution builds the record of a new execution (§8.2). Everything about the request, the workflow and its
// configuration overrides is checked before the data plane is asked for anything, so that a bad request leaves
// no asset behind; the texts are the original's.
func (h *Handler) newExecution(ctx context.Context, request *pyjson.Map, input any, createAsset bool) (*pyjson.Map, error) {
	name, err := pyGet(request, "Name")
	if err != nil {
		return nil, err
	}
	var configuration any = pyjson.NewMap()
	if v, ok := request.Get("Configuration"); ok {
		configuration = v
	}
	var media mediaEntry
	var assetID string
	if createAsset {
		media, err = readMedia(input)
	} else {
		assetID, err = readAssetID(input)
	}
	if err != nil {
		return nil, err
	}
	wf, err := h.workflowFor(ctx, name, configuration)
	if err != nil {
		return nil, err
	}
	var assetInput *pyjson.Map
	if createAsset {
		assetID, assetInput, err = h.createAsset(ctx, media)
	} else {
		assetInput, err = h.assetMedia(ctx, assetID)
	}
	if err != nil {
		return nil, err
	}
	return h.executionRecord(wf, assetID, assetInput, configuration)
}

// readMedia reads the first media type of Input.Media and its location (CP-22); the other media types and the rest
// of Input are ignored. A missing location key was wrapped twice by the original.
func readMedia(input any) (mediaEntry, error) {
	v, err := pyGet(input, "Media")
	if err != nil {
		return mediaEntry{}, err
	}
	media, ok := v.(*pyjson.Map)
	if !ok {
		return mediaEntry{}, attributeError(v, "keys")
	}
	if media.Len() == 0 {
		return mediaEntry{}, apigw.Unhandledf("IndexError", "list index out of range")
	}
	mediaType := media.Keys()[0]
	entry, _ := media.Get(mediaType)
	keys := []string{"S3Bucket", "S3Key"}
	var values [2]any
	for i, key := range keys {
		v, err := pyGet(entry, key)
		var unhandled *apigw.Unhandled
		if errors.As(err, &unhandled) && unhandled.Type == "KeyError" {
			return mediaEntry{}, viewError(err)
		}
		if err != nil {
			return mediaEntry{}, err
		}
		values[i] = v
	}
	var location [2]string
	for i, v := range values {
		s, ok := v.(string)
		if !ok {
			// The data plane refuses such an asset; the original registered it and its workflows failed later.
			return mediaEntry{}, apigw.BadRequest("Invalid input for workflow execution: %s of media type %s must be a string",
				pyjson.QuoteKey(keys[i]), pyjson.QuoteKey(mediaType))
		}
		location[i] = s
	}
	return mediaEntry{mediaType: mediaType, bucket: location[0], key: location[1]}, nil
}

// readAssetID reads Input.AssetId (CP-23).
func readAssetID(input any) (string, error) {
	v, err := pyGet(input, "AssetId")
	if err != nil {
		return "", err
	}
	id, ok := v.(string)
	if !ok {
		// No asset has such an id: the data plane's ids are strings.
		return "", apigw.BadRequest("Invalid input for workflow execution: 'AssetId' must be a string")
	}
	return id, nil
}

// workflowFor reads the workflow (consistent read) and applies the execution's configuration overrides to its
// stages (CP-24, §8.6).
func (h *Handler) workflowFor(ctx context.Context, name, configuration any) (*pyjson.Map, error) {
	wf, err := h.getItem(ctx, h.cfg.WorkflowTable, name, true)
	if err != nil {
		return nil, err
	}
	if wf == nil {
		return nil, apigw.ViewError("Exception: workflow name '%s' not found", pyStrOf(name))
	}
	stages, err := pyGet(wf, "Stages")
	if err != nil {
		return nil, err
	}
	if err := applyOverrides(stages, configuration); err != nil {
		return nil, err
	}
	return wf, nil
}

// applyOverrides checks the overrides {<stage>: {<operation>: {<key>: <value>}}} in request order, every stage
// first, then each stage's operations, and sets each given key in that operation's configuration: a shallow
// replacement, unknown keys added (§8.6).
func applyOverrides(stages, configuration any) error {
	overrides, ok := configuration.(*pyjson.Map)
	if !ok {
		return attributeError(configuration, "keys")
	}
	for stage := range overrides.All() {
		known, err := pyContains(stages, stage)
		if err != nil {
			return err
		}
		if !known {
			return apigw.ViewError("Exception: Invalid stage found in Configuration '%s'", stage)
		}
	}
	for stage, v := range overrides.All() {
		operations, ok := v.(*pyjson.Map)
		if !ok {
			return attributeError(v, "items")
		}
		for operation, v := range operations.All() {
			entry, err := pyGet(stages, stage)
			if err != nil {
				return err
			}
			defaults, err := pyGet(entry, "Configuration")
			if err != nil {
				return err
			}
			known, err := pyContains(defaults, operation)
			if err != nil {
				return err
			}
			if !known {
				return apigw.ViewError("Exception: Invalid operation '%s'", operation)
			}
			values, ok := v.(*pyjson.Map)
			if !ok {
				return attributeError(v, "items")
			}
			if values.Len() == 0 {
				continue
			}
			target, err := pyGet(defaults, operation)
			if err != nil {
				return err
			}
			config, ok := target.(*pyjson.Map)
			if !ok {
				return itemAssignmentError(target)
			}
			config.Update(values)
		}
	}
	return nil
}

// itemAssignmentError is Python's TypeError for `v[key] = value` on a value that is not a dict.
func itemAssignmentError(v any) error {
	return apigw.Unhandledf("TypeError", "'%s' object does not support item assignment", pyTypeName(v))
}

// createAsset creates the asset of the Media form through the data plane's POST /create (CP-22) and returns its id
// and the execution's media as the data plane registered it.
func (h *Handler) createAsset(ctx context.Context, m mediaEntry) (string, *pyjson.Map, error) {
	resp, err := h.clients.DataPlane.CreateAsset(ctx, m.mediaType, m.bucket, m.key)
	if err != nil {
		return "", nil, err
	}
	bucket, hasBucket := resp.Body["S3Bucket"].(string)
	key, hasKey := resp.Body["S3Key"].(string)
	id, hasID := resp.Body["AssetId"].(string)
	if !hasBucket || !hasKey || !hasID {
		// The data plane's error body, e.g. {'Code': 'BadRequestError', 'Message': '...'}.
		return "", nil, apigw.ViewError("Error creating asset '%s'", pyjson.Repr(resp.Body))
	}
	return id, mediaInput(m.mediaType, bucket, key), nil
}

// assetMedia reads the media of an existing asset for the AssetId form (CP-23), after making sure that no other
// execution of the asset is still active.
func (h *Handler) assetMedia(ctx context.Context, assetID string) (*pyjson.Map, error) {
	runs, err := h.executionsOfAsset(ctx, assetID)
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		status, err := pyGet(run, "Status")
		if err != nil {
			return nil, err
		}
		if status == string(executions.Complete) || status == string(executions.Error) {
			continue
		}
		id, err := pyGet(run, "Id")
		if err != nil {
			return nil, err
		}
		return nil, apigw.Conflict("There is currently another workflow execution(Id = %s) active on AssetId %s.", pyStrOf(id), assetID)
	}
	resp, err := h.clients.DataPlane.RetrieveAssetMetadata(ctx, assetID, "", "")
	if err != nil {
		return nil, err
	}
	results, _ := resp.Body["results"].(map[string]any)
	bucket, hasBucket := results["S3Bucket"].(string)
	key, hasKey := results["S3Key"].(string)
	mediaType, hasType := results["MediaType"].(string)
	if !hasBucket || !hasKey || !hasType {
		return nil, apigw.ViewError("Unable to retrieve asset: %s", assetID)
	}
	return mediaInput(mediaType, bucket, key), nil
}

// mediaInput is the asset input of an execution: {"Media": {<type>: {"S3Bucket", "S3Key"}}}.
func mediaInput(mediaType, bucket, key string) *pyjson.Map {
	location := pyjson.NewMap()
	location.Set("S3Bucket", bucket)
	location.Set("S3Key", key)
	media := pyjson.NewMap()
	media.Set(mediaType, location)
	input := pyjson.NewMap()
	input.Set("Media", media)
	return input
}

// executionRecord builds the record of §4.5 around the workflow, its overrides applied: the keys in the original's
// order, the runtime fields on every stage, the start stage started with the globals as its input (CP-24).
func (h *Handler) executionRecord(wf *pyjson.Map, assetID string, assetInput *pyjson.Map, configuration any) (*pyjson.Map, error) {
	id := h.newID()
	globals := pyjson.NewMap()
	globals.Set("Media", pyjson.NewMap())
	globals.Set("MetaData", pyjson.NewMap())
	globals.Update(assetInput)

	rec := pyjson.NewMap()
	rec.Set("Id", id)
	rec.Set("Trigger", "api")
	rec.Set("CurrentStage", nil)
	rec.Set("Globals", globals)
	rec.Set("Configuration", configuration)
	rec.Set("AssetId", assetID)
	rec.Set("Version", "v0")
	rec.Set("Created", pyjson.EpochSeconds(h.now()))
	rec.Set("ResourceType", "WORKFLOW_EXECUTION")
	rec.Set("ApiVersion", APIVersion)

	v, _ := wf.Get("Stages")
	stages, ok := v.(*pyjson.Map)
	if !ok {
		return nil, attributeError(v, "items")
	}
	startAt, _ := wf.Get("StartAt")
	// DynamoDB keeps no key order; the chain's order makes the record read as the workflow runs.
	stages = chainOrder(stages, startAt)
	wf.Set("Stages", stages)
	for name, e := range stages.All() {
		stage, ok := e.(*pyjson.Map)
		if !ok {
			return nil, itemAssignmentError(e)
		}
		stage.Set("Status", sdk.StageStatusNotStarted)
		stage.Set("Metrics", pyjson.NewMap())
		stage.Set("Name", name)
		stage.Set("AssetId", assetID)
		stage.Set("WorkflowExecutionId", id)
		if _, ok := stage.Get("MetaData"); !ok {
			stage.Set("MetaData", pyjson.NewMap())
		}
	}
	rec.Set("Workflow", wf)
	rec.Set("Status", string(executions.Queued))
	current, err := pyGet(wf, "StartAt")
	if err != nil {
		return nil, err
	}
	rec.Set("CurrentStage", current)
	name, ok := current.(string)
	if !ok {
		return nil, lookupError(current)
	}
	e, err := pyGet(stages, name)
	if err != nil {
		return nil, err
	}
	// Every stage is a map by now.
	start := e.(*pyjson.Map)
	start.Set("Input", globals)
	start.Set("Status", sdk.StageStatusStarted)
	return rec, nil
}

// resumeExecutionRoute is R24 (CP-26): a Waiting execution paused at the given stage becomes Resumed and goes back
// on the queue, where the scheduler gives it a slot again.
func (h *Handler) resumeExecutionRoute(ctx context.Context, req *apigw.Request) (any, error) {
	body, err := decodeBody(req)
	if err != nil {
		return nil, err
	}
	has, err := pyContains(body, "WaitingStageName")
	if err != nil {
		return nil, err
	}
	if !has {
		return pyjson.NewMap(), nil
	}
	v, err := pyGet(body, "WaitingStageName")
	if err != nil {
		return nil, err
	}
	id := req.PathParam("id")
	stage, ok := v.(string)
	if !ok {
		// CurrentStage is a string, which another type never equals: the original's condition failed the same way.
		return nil, notWaiting()
	}
	if err := h.clients.Executions.Resume(ctx, id, stage); err != nil {
		if errors.Is(err, executions.ErrNotWaiting) {
			return nil, notWaiting()
		}
		return nil, traceback(err)
	}
	resumed := pyjson.NewMap()
	resumed.Set("Id", id)
	resumed.Set("Status", string(executions.Resumed))
	// Failures from here on leave the record Resumed, as in the original.
	if err := h.send(ctx, resumed); err != nil {
		return nil, traceback(err)
	}
	if err := h.clients.Executions.TriggerScheduler(ctx); err != nil {
		return nil, traceback(err)
	}
	return resumed, nil
}

func notWaiting() error {
	return apigw.BadRequest("Workflow status is not 'Waiting' or Current stage doesn't match the request")
}

// listExecutions is R25 (CP-11): every record.
func (h *Handler) listExecutions(ctx context.Context, _ *apigw.Request) (any, error) {
	return h.listTable(ctx, h.cfg.ExecutionTable)
}

// executionsByStatus is R26 (CP-27): the executions of a status, through the status index, projected.
func (h *Handler) executionsByStatus(ctx context.Context, req *apigw.Request) (any, error) {
	items, err := h.queryExecutions(ctx, resources.WorkflowExecutionStatusIndex, executionStatusName+" = :workflow_status",
		map[string]types.AttributeValue{":workflow_status": &types.AttributeValueMemberS{Value: req.PathParam("status")}}, summaryProjection)
	if err != nil {
		return nil, traceback(err)
	}
	return respond(items)
}

// executionsByAsset is R27 (CP-27): the executions of an asset, newest first.
func (h *Handler) executionsByAsset(ctx context.Context, req *apigw.Request) (any, error) {
	items, err := h.executionsOfAsset(ctx, req.PathParam("asset_id"))
	if err != nil {
		return nil, traceback(err)
	}
	return respond(items)
}

// executionsOfAsset lists an asset's executions through the asset index, projected, sorted by Created descending
// (string order; equal ones keep the index's order).
func (h *Handler) executionsOfAsset(ctx context.Context, assetID string) ([]any, error) {
	items, err := h.queryExecutions(ctx, resources.WorkflowExecutionAssetIDIndex, "AssetId = :assetid",
		map[string]types.AttributeValue{":assetid": &types.AttributeValueMemberS{Value: assetID}}, assetProjection)
	if err != nil {
		return nil, err
	}
	type dated struct {
		item    any
		created string
	}
	runs := make([]dated, len(items))
	for i, it := range items {
		v, err := pyGet(it, "Created")
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, apigw.Unhandledf("TypeError", "'<' not supported between instances of '%s' and 'str'", pyTypeName(v))
		}
		runs[i] = dated{it, s}
	}
	slices.SortStableFunc(runs, func(a, b dated) int { return strings.Compare(b.created, a.created) })
	for i, r := range runs {
		items[i] = r.item
	}
	return items, nil
}

// queryExecutions reads every page of an index query of the execution table.
func (h *Handler) queryExecutions(ctx context.Context, index, keyCondition string, values map[string]types.AttributeValue, projection string) ([]any, error) {
	pages := dynamodb.NewQueryPaginator(h.clients.DynamoDB, &dynamodb.QueryInput{
		TableName:                 aws.String(h.cfg.ExecutionTable),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String(keyCondition),
		ProjectionExpression:      aws.String(projection),
		ExpressionAttributeNames:  map[string]string{executionStatusName: "Status", workflowNameName: "Name"},
		ExpressionAttributeValues: values,
	})
	items := []any{}
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, raw := range page.Items {
			item, err := fromDB(raw)
			if err != nil {
				return nil, fmt.Errorf("query %s: %w", index, err)
			}
			items = append(items, item)
		}
	}
	return items, nil
}

// executionItem reads an execution record (consistent read); it returns nil without error when there is none.
func (h *Handler) executionItem(ctx context.Context, id string) (*pyjson.Map, error) {
	out, err := h.clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(h.cfg.ExecutionTable),
		Key:            map[string]types.AttributeValue{"Id": &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	if out.Item == nil {
		return nil, nil
	}
	return fromDB(out.Item)
}

// getExecution is R28 (CP-12).
func (h *Handler) getExecution(ctx context.Context, req *apigw.Request) (any, error) {
	id := req.PathParam("id")
	item, err := h.executionItem(ctx, id)
	if err != nil {
		return nil, traceback(err)
	}
	if item == nil {
		return nil, apigw.NotFound("Exception: workflow execution '%s' not found", id)
	}
	return respond(item)
}

// deleteExecutionRoute is R29 (CP-28): the record is deleted and its concurrency slot released; a queued request,
// a running state machine and the asset are left alone.
func (h *Handler) deleteExecutionRoute(ctx context.Context, req *apigw.Request) (any, error) {
	id := req.PathParam("id")
	item, err := h.executionItem(ctx, id)
	if err != nil {
		return nil, viewError(err)
	}
	if item == nil {
		return nil, viewError(apigw.NotFound("Exception: workflow execution '%s' not found", id))
	}
	if err := h.clients.Executions.Delete(ctx, id); err != nil {
		return nil, viewError(err)
	}
	return respond(item)
}
