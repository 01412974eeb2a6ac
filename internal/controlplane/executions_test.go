package controlplane

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

const (
	executionResource      = "/workflow/execution"
	executionByID          = "/workflow/execution/{id}"
	executionsByStatusPath = "/workflow/execution/status/{status}"
	executionsByAssetPath  = "/workflow/execution/asset/{asset_id}"
)

// schedulerCalls records the scheduler invocations of the execution store; err fails them.
type schedulerCalls struct {
	mu    sync.Mutex
	calls []lambda.InvokeInput
	err   error
}

func (s *schedulerCalls) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, *in)
	if s.err != nil {
		return nil, s.err
	}
	return &lambda.InvokeOutput{StatusCode: http.StatusAccepted}, nil
}

func (s *schedulerCalls) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// fakeDataPlane plays the data plane function: it registers assets and answers their metadata, or answers
// createBody to every create. It records the calls.
type fakeDataPlane struct {
	mu         sync.Mutex
	calls      []string
	assets     map[string][3]string // id → media type, bucket, key
	createBody map[string]any
}

func (f *fakeDataPlane) CreateAsset(_ context.Context, mediaType, bucket, key string) (*sdk.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "create "+mediaType+" "+bucket+" "+key)
	if f.createBody != nil {
		return &sdk.Response{StatusCode: http.StatusBadRequest, Body: f.createBody}, nil
	}
	id := fmt.Sprintf("asset-%d", len(f.assets)+1)
	f.assets[id] = [3]string{mediaType, bucket, key}
	return &sdk.Response{StatusCode: http.StatusOK, Body: map[string]any{"AssetId": id, "MediaType": mediaType, "S3Bucket": bucket, "S3Key": key}}, nil
}

func (f *fakeDataPlane) RetrieveAssetMetadata(_ context.Context, assetID, operator, cursor string) (*sdk.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "retrieve "+assetID+" "+operator+" "+cursor)
	a, ok := f.assets[assetID]
	if !ok {
		return &sdk.Response{StatusCode: http.StatusNotFound, Body: map[string]any{
			"Code": "NotFoundError", "Message": "Exception occurred while verifying asset exists: " + assetID + " does not exist",
		}}, nil
	}
	return &sdk.Response{StatusCode: http.StatusOK, Body: map[string]any{
		"asset_id": assetID,
		"results":  map[string]any{"MediaType": a[0], "S3Key": a[2], "S3Bucket": a[1], "Created": "1700000000.5"},
	}}, nil
}

func (f *fakeDataPlane) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// failingQueue sends to moto unless err is set.
type failingQueue struct {
	Queue
	err error
}

func (q *failingQueue) SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	if q.err != nil {
		return nil, q.err
	}
	return q.Queue.SendMessage(ctx, in, opts...)
}

// execStack is a stack whose handler serves the execution routes, with the workflow MyWF of control-plane §5.5.
type execStack struct {
	*stack
	sqs       *sqs.Client
	queue     *failingQueue
	dataplane *fakeDataPlane
	scheduler *schedulerCalls
	store     *executions.Store
}

func newExecStack(t *testing.T) *execStack {
	t.Helper()
	s := newStack(t)
	cfg := awstest.Config(t, nil)
	e := &execStack{
		stack:     s,
		sqs:       cfg.SQS(),
		dataplane: &fakeDataPlane{assets: map[string][3]string{}},
		scheduler: &schedulerCalls{},
	}
	e.queue = &failingQueue{Queue: e.sqs}
	storeCfg, err := executions.ConfigFromLookup(awsconf.MapLookup(s.env))
	require.NoError(t, err)
	e.store = executions.New(storeCfg, s.db, e.scheduler)
	s.h = s.handler(s.env, Clients{DynamoDB: s.db, StepFunctions: s.sfn, IAM: s.iam, Queue: e.queue, DataPlane: e.dataplane, Executions: e.store})
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	return e
}

// start runs R23 and returns the execution's Id.
func (e *execStack) start(body string) string {
	e.t.Helper()
	rec := decode(e.t, mustOK(e.t, e.post(executionResource, body)).Body).(*pyjson.Map)
	return str(rec, "Id")
}

// record reads an execution record as stored, numbers as DynamoDB holds them; nil when there is none.
func (e *execStack) record(id string) *pyjson.Map {
	e.t.Helper()
	out, err := e.db.GetItem(e.t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(e.table("WORKFLOW_EXECUTION_TABLE_NAME")),
		Key:            map[string]types.AttributeValue{"Id": S(id)},
		ConsistentRead: aws.Bool(true),
	})
	require.NoError(e.t, err)
	if out.Item == nil {
		return nil
	}
	rec, err := fromDB(out.Item)
	require.NoError(e.t, err)
	plain, err := mapNumbers(rec, nil)
	require.NoError(e.t, err)
	return plain
}

// set writes attributes of a record directly, to put it in a state the test needs.
func (e *execStack) set(id string, attrs map[string]types.AttributeValue) {
	e.t.Helper()
	var sets []string
	values := map[string]types.AttributeValue{}
	names := map[string]string{}
	for k, v := range attrs {
		sets = append(sets, "#"+k+" = :"+k)
		names["#"+k] = k
		values[":"+k] = v
	}
	_, err := e.db.UpdateItem(e.t.Context(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(e.table("WORKFLOW_EXECUTION_TABLE_NAME")),
		Key:                       map[string]types.AttributeValue{"Id": S(id)},
		UpdateExpression:          aws.String("SET " + strings.Join(sets, ", ")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	require.NoError(e.t, err)
}

// messages receives every message waiting on the stage-execution queue.
func (e *execStack) messages() []string {
	e.t.Helper()
	var bodies []string
	for {
		out, err := e.sqs.ReceiveMessage(e.t.Context(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(e.table("STAGE_EXECUTION_QUEUE_URL")), MaxNumberOfMessages: 10,
		})
		require.NoError(e.t, err)
		if len(out.Messages) == 0 {
			return bodies
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
	}
}

// count is the number of execution records.
func (e *execStack) count() int {
	e.t.Helper()
	out, err := e.db.Scan(e.t.Context(), &dynamodb.ScanInput{TableName: aws.String(e.table("WORKFLOW_EXECUTION_TABLE_NAME")), ConsistentRead: aws.Bool(true)})
	require.NoError(e.t, err)
	return int(out.Count)
}

// compact renders a decoded value as compact JSON.
func compact(t *testing.T, v any) string {
	t.Helper()
	b, err := pyjson.Compact(v)
	require.NoError(t, err)
	return string(b)
}

func field(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		m, ok := v.(*pyjson.Map)
		require.True(t, ok, "%s is not an object", k)
		v, ok = m.Get(k)
		require.True(t, ok, "no %s", k)
	}
	return v
}

// CP-22, CP-24, CP-25: the Media form creates the asset from the first media type only, writes the record of
// §4.5 Queued, sends it as the queue message with Python's separators and triggers the scheduler once.
func TestStartExecutionMediaForm(t *testing.T) {
	e := newExecStack(t)
	wf := decode(t, mustOK(t, e.get(workflowByName, map[string]string{"name": "MyWF"})).Body).(*pyjson.Map)
	resp := mustOK(t, e.post(executionResource, `{"Name": "MyWF",
		"Input": {"Media": {"Video": {"S3Bucket": "mie-dataplane", "S3Key": "upload/keynote.mp4"}, "Audio": {"S3Bucket": "b", "S3Key": "a.mp3"}},
		          "MetaData": {"ignored": true}},
		"Configuration": {"Analyze": {"LabelDetect": {"MaxLabels": 10}}}}`))
	assert.Equal(t, []string{"create Video mie-dataplane upload/keynote.mp4"}, e.dataplane.callList())

	rec := decode(t, resp.Body).(*pyjson.Map)
	id := str(rec, "Id")
	assert.Equal(t, []string{"Id", "Trigger", "CurrentStage", "Globals", "Configuration", "AssetId", "Version", "Created",
		"ResourceType", "ApiVersion", "Workflow", "Status"}, rec.Keys())
	for k, want := range map[string]string{"Trigger": "api", "CurrentStage": "Prep", "AssetId": "asset-1", "Version": "v0",
		"Created": testCreated, "ResourceType": "WORKFLOW_EXECUTION", "ApiVersion": "3.0.0", "Status": "Queued"} {
		assert.Equal(t, want, str(rec, k), k)
	}
	globals := `{"Media":{"Video":{"S3Bucket":"mie-dataplane","S3Key":"upload/keynote.mp4"}},"MetaData":{}}`
	assert.Equal(t, globals, compact(t, field(t, rec, "Globals")))
	assert.Equal(t, `{"Analyze":{"LabelDetect":{"MaxLabels":10}}}`, compact(t, field(t, rec, "Configuration")), "stored as sent")

	// The workflow item, with the overrides merged and the runtime fields on every stage.
	runWF := field(t, rec, "Workflow").(*pyjson.Map)
	runtime := []string{"Status", "Metrics", "AssetId", "WorkflowExecutionId", "MetaData", "Input"}
	for _, k := range wf.Keys() {
		if k == "Stages" {
			continue
		}
		assert.Equal(t, compact(t, field(t, wf, k)), compact(t, field(t, runWF, k)), k)
	}
	assert.Equal(t, []string{"Prep", "Analyze"}, field(t, runWF, "Stages").(*pyjson.Map).Keys(), "stages in chain order")
	for _, name := range []string{"Prep", "Analyze"} {
		stage := field(t, runWF, "Stages", name).(*pyjson.Map)
		def := field(t, wf, "Stages", name).(*pyjson.Map)
		wantKeys := append(def.Keys(), runtime[:5]...)
		if name == "Prep" {
			wantKeys = append(wantKeys, "Input")
		}
		assert.Equal(t, wantKeys, stage.Keys(), name)
		for _, k := range def.Keys() {
			if k != "Configuration" {
				assert.Equal(t, compact(t, field(t, def, k)), compact(t, field(t, stage, k)), name+"."+k)
			}
		}
		assert.Equal(t, id, str(stage, "WorkflowExecutionId"))
		assert.Equal(t, "asset-1", str(stage, "AssetId"))
		assert.Equal(t, "{}", compact(t, field(t, stage, "Metrics")))
		assert.Equal(t, "{}", compact(t, field(t, stage, "MetaData")))
	}
	assert.Equal(t, "Started", str(field(t, runWF, "Stages", "Prep").(*pyjson.Map), "Status"))
	assert.Equal(t, globals, compact(t, field(t, runWF, "Stages", "Prep", "Input")))
	assert.Equal(t, "Not Started", str(field(t, runWF, "Stages", "Analyze").(*pyjson.Map), "Status"))
	assert.Equal(t, `{"Enabled":true,"MediaType":"Video","MinConfidence":80.0,"MaxLabels":10}`,
		compact(t, field(t, runWF, "Stages", "Analyze", "Configuration", "LabelDetect")),
		"numbers read from DynamoDB answer as floats, request numbers as sent")

	// The stored record is the answer; the queue message is the record as JSON text with Python's separators.
	stored := e.record(id)
	require.NotNil(t, stored)
	assert.JSONEq(t, resp.Body, compact(t, stored))
	msgs := e.messages()
	require.Len(t, msgs, 1)
	text, err := pyjson.Python(stored)
	require.NoError(t, err)
	msg, err := pyjson.Decode([]byte(msgs[0]))
	require.NoError(t, err)
	assert.JSONEq(t, string(text), msgs[0])
	assert.Equal(t, rec.Keys(), msg.(*pyjson.Map).Keys())
	assert.True(t, strings.HasPrefix(msgs[0], `{"Id": "`+id+`", "Trigger": "api", "CurrentStage": "Prep", "Globals": {"Media": {"Video": `+
		`{"S3Bucket": "mie-dataplane", "S3Key": "upload/keynote.mp4"}}, "MetaData": {}}, "Configuration": {"Analyze": `+
		`{"LabelDetect": {"MaxLabels": 10}}}, "AssetId": "asset-1", "Version": "v0", "Created": "`+testCreated+`", `+
		`"ResourceType": "WORKFLOW_EXECUTION", "ApiVersion": "3.0.0", "Workflow": {`), msgs[0])
	assert.True(t, strings.HasSuffix(msgs[0], `}, "Status": "Queued"}`), msgs[0])
	assert.Contains(t, msgs[0], `"LabelDetect": {"Enabled": true, "MediaType": "Video", "MinConfidence": 80, "MaxLabels": 10}`,
		"numbers as stored (Q-06)")

	require.Equal(t, 1, e.scheduler.count())
	call := e.scheduler.calls[0]
	assert.Equal(t, e.env["WORKFLOW_SCHEDULER_LAMBDA_ARN"], aws.ToString(call.FunctionName))
	assert.Equal(t, lambdatypes.InvocationTypeEvent, call.InvocationType)
	assert.Nil(t, call.Payload)
}

// CP-23: the AssetId form wins over Media, refuses an asset with an active execution (the newest listed first),
// and reads the asset's media from the data plane.
func TestStartExecutionAssetForm(t *testing.T) {
	e := newExecStack(t)
	e.dataplane.assets["asset-9"] = [3]string{"Audio", "media-bucket", "in/talk.mp3"}
	body := `{"Name": "MyWF", "Input": {"AssetId": "asset-9", "Media": {"Video": {"S3Bucket": "x", "S3Key": "y"}}}}`
	first := decode(t, mustOK(t, e.post(executionResource, body)).Body)
	assert.Equal(t, `{"Media":{"Audio":{"S3Bucket":"media-bucket","S3Key":"in/talk.mp3"}},"MetaData":{}}`, compact(t, field(t, first, "Globals")))
	assert.Equal(t, "asset-9", field(t, first, "AssetId"))
	assert.Equal(t, `{}`, compact(t, field(t, first, "Configuration")))
	assert.Equal(t, []string{"retrieve asset-9  "}, e.dataplane.callList(), "the first call of GET /metadata/{asset_id}, no asset created")
	firstID := str(first.(*pyjson.Map), "Id")

	for _, status := range []string{"Queued", "Started", "Waiting", "Resumed"} {
		e.set(firstID, map[string]types.AttributeValue{"Status": S(status)})
		assertError(t, e.post(executionResource, body), 500, "ChaliceViewError",
			"Exception 'There is currently another workflow execution(Id = "+firstID+") active on AssetId asset-9.'")
	}
	assert.Len(t, e.dataplane.callList(), 1, "refused before the data plane is asked")

	for _, status := range []string{"Complete", "Error"} {
		e.set(firstID, map[string]types.AttributeValue{"Status": S(status)})
		id := e.start(body)
		e.set(id, map[string]types.AttributeValue{"Status": S("Complete"), "Created": S("1800000000.5")})
	}
	newest := e.start(body)
	e.set(newest, map[string]types.AttributeValue{"Created": S("1900000000.5")})
	// Both the oldest and the newest are active: the newest is named.
	e.set(firstID, map[string]types.AttributeValue{"Status": S("Started")})
	assertError(t, e.post(executionResource, body), 500, "ChaliceViewError",
		"Exception 'There is currently another workflow execution(Id = "+newest+") active on AssetId asset-9.'")

	assertError(t, e.post(executionResource, `{"Name": "MyWF", "Input": {"AssetId": "nothing"}}`), 500, "ChaliceViewError",
		"Exception 'Unable to retrieve asset: nothing'")
}

// R23's error texts (§14). Every one leaves nothing behind: no record, no message, and no asset, because the
// request is checked before the data plane is asked.
func TestStartExecutionErrors(t *testing.T) {
	e := newExecStack(t)
	e.dataplane.assets["asset-9"] = [3]string{"Video", "b", "k"}
	video := `"Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}}`
	cases := []struct {
		name, body string
		status     int
		code, msg  string
		// calls are the data plane calls the request makes.
		calls []string
	}{
		{"no Input", `{"Name": "MyWF"}`, 400, "BadRequestError", `Input must contain either "AssetId" or "Media"`, nil},
		{"neither key", `{"Name": "MyWF", "Input": {"MetaData": {}}}`, 400, "BadRequestError", `Input must contain either "AssetId" or "Media"`, nil},
		{"no Name", `{` + video + `}`, 500, "ChaliceViewError", `Exception ''Name''`, nil},
		{"no S3Bucket", `{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Key": "k"}}}}`, 500, "ChaliceViewError", `Exception 'Exception ''S3Bucket'''`, nil},
		{"no S3Key", `{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Bucket": "b"}}}}`, 500, "ChaliceViewError", `Exception 'Exception ''S3Key'''`, nil},
		{"empty Media", `{"Name": "MyWF", "Input": {"Media": {}}}`, 500, "ChaliceViewError", `Exception 'list index out of range'`, nil},
		{"unknown workflow", `{"Name": "Nope", ` + video + `}`, 500, "ChaliceViewError", `Exception 'Exception: workflow name 'Nope' not found'`, nil},
		{"unknown workflow, AssetId form", `{"Name": "Nope", "Input": {"AssetId": "asset-9"}}`, 500, "ChaliceViewError",
			`Exception 'Exception: workflow name 'Nope' not found'`, nil},
		{"bad override stage", `{"Name": "MyWF", ` + video + `, "Configuration": {"Prep": {}, "Nope": {}}}`, 500, "ChaliceViewError",
			`Exception 'Exception: Invalid stage found in Configuration 'Nope''`, nil},
		{"bad override operation", `{"Name": "MyWF", ` + video + `, "Configuration": {"Prep": {"Mediainfo": {"Enabled": false}}, "Analyze": {"Nope": {}}}}`,
			500, "ChaliceViewError", `Exception 'Exception: Invalid operation 'Nope''`, nil},
		{"bucket not a string", `{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Bucket": 5, "S3Key": "k"}}}}`, 400, "BadRequestError",
			`Invalid input for workflow execution: 'S3Bucket' of media type 'Video' must be a string`, nil},
		{"bucket not a string, no key", `{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Bucket": 5}}}}`, 500, "ChaliceViewError",
			`Exception 'Exception ''S3Key'''`, nil},
		{"overrides not an object", `{"Name": "MyWF", ` + video + `, "Configuration": []}`, 500, "ChaliceViewError",
			`Exception ''list' object has no attribute 'keys''`, nil},
		{"stage overrides not an object", `{"Name": "MyWF", ` + video + `, "Configuration": {"Prep": ["Mediainfo"]}}`, 500, "ChaliceViewError",
			`Exception ''list' object has no attribute 'items''`, nil},
		{"asset id not a string", `{"Name": "MyWF", "Input": {"AssetId": 7}}`, 400, "BadRequestError",
			`Invalid input for workflow execution: 'AssetId' must be a string`, nil},
		{"unknown asset", `{"Name": "MyWF", "Input": {"AssetId": "nothing"}}`, 500, "ChaliceViewError", `Exception 'Unable to retrieve asset: nothing'`,
			[]string{"retrieve nothing  "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.dataplane.calls = nil
			assertError(t, e.post(executionResource, tc.body), tc.status, tc.code, tc.msg)
			assert.Equal(t, tc.calls, e.dataplane.callList())
		})
	}

	// The data plane refuses the asset: its error body, rendered as a Python dict.
	e.dataplane.calls = nil
	e.dataplane.createBody = map[string]any{"Code": "BadRequestError", "Message": "Missing required inputs for asset creation: 'S3Key'"}
	assertError(t, e.post(executionResource, `{"Name": "MyWF", `+video+`}`), 500, "ChaliceViewError",
		`Exception 'Error creating asset '{'Code': 'BadRequestError', 'Message': "Missing required inputs for asset creation: 'S3Key'"}''`)
	assert.Equal(t, []string{"create Video b k"}, e.dataplane.callList())

	// Bodies the original could not read at all fail as its uncaught exceptions did.
	assertTraceback(t, e.post(executionResource, `{"Name": `), "json.decoder.JSONDecodeError: Expecting value: line 1 column 10 (char 9)")
	assertTraceback(t, e.post(executionResource, `["Name"]`), "AttributeError: 'list' object has no attribute 'get'")
	assertTraceback(t, e.post(executionResource, `{"Name": "MyWF", "Input": 5}`), "TypeError: argument of type 'int' is not iterable")

	assert.Zero(t, e.count(), "no record written")
	assert.Empty(t, e.messages(), "nothing queued")
	assert.Zero(t, e.scheduler.count())
}

// CP-25: a failure after the record is written ends the execution Error with Message `Exception <e>` (which
// triggers the scheduler) and answers 500 `Exception '<e>'`; when that write's own scheduler trigger fails too, the
// original's uncaught exception is a traceback.
func TestStartExecutionFailsAfterWrite(t *testing.T) {
	e := newExecStack(t)
	body := `{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}}}`
	e.queue.err = apiError("SendMessage", "", "")
	assertError(t, e.post(executionResource, body), 500, "ChaliceViewError", "Exception 'An error occurred () when calling the SendMessage operation: '")
	rec := e.record(fmt.Sprintf("id-%d", e.ids))
	require.NotNil(t, rec)
	assert.Equal(t, "Error", str(rec, "Status"))
	assert.Equal(t, "Exception An error occurred () when calling the SendMessage operation: ", str(rec, "Message"))
	assert.Equal(t, 1, e.scheduler.count(), "the Error write triggers the scheduler")

	e.queue.err = nil
	e.scheduler.err = apiError("Invoke", "ServiceException", "boom")
	resp := e.post(executionResource, body)
	assertTraceback(t, resp, "botocore.exceptions.ClientError: An error occurred (ServiceException) when calling the Invoke operation: boom")
	rec = e.record(fmt.Sprintf("id-%d", e.ids))
	assert.Equal(t, "Error", str(rec, "Status"))
	assert.Equal(t, "Exception An error occurred (ServiceException) when calling the Invoke operation: boom", str(rec, "Message"))
	assert.Len(t, e.messages(), 1, "the message was sent before the trigger failed")
}

// CP-24 (§8.6): each given key replaces the operation's value in the execution's copy of the workflow; unknown keys
// are added, objects replaced whole, the rest kept; the record's Configuration is the request's.
func TestConfigurationOverrides(t *testing.T) {
	e := newExecStack(t)
	cases := []struct {
		name, overrides   string
		prep, labelDetect string
	}{
		{"none", `{}`, `{"MediaType":"Video","Enabled":true}`, `{"MediaType":"Video","Enabled":true,"MinConfidence":80.0}`},
		{"replace and add", `{"Analyze": {"LabelDetect": {"MinConfidence": "95", "Enabled": false, "Regions": ["eu"]}}}`,
			`{"MediaType":"Video","Enabled":true}`, `{"MediaType":"Video","Enabled":false,"MinConfidence":"95","Regions":["eu"]}`},
		{"objects whole", `{"Analyze": {"LabelDetect": {"MediaType": {"Any": true}}}, "Prep": {"Mediainfo": {"Enabled": false}}}`,
			`{"MediaType":"Video","Enabled":false}`, `{"MediaType":{"Any":true},"Enabled":true,"MinConfidence":80.0}`},
		{"empty operation", `{"Analyze": {"LabelDetect": {}}}`, `{"MediaType":"Video","Enabled":true}`, `{"MediaType":"Video","Enabled":true,"MinConfidence":80.0}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := mustOK(t, e.post(executionResource, `{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}}, "Configuration": `+tc.overrides+`}`))
			rec := decode(t, resp.Body)
			assert.JSONEq(t, tc.overrides, compact(t, field(t, rec, "Configuration")))
			assert.JSONEq(t, tc.prep, compact(t, field(t, rec, "Workflow", "Stages", "Prep", "Configuration", "Mediainfo")))
			assert.JSONEq(t, tc.labelDetect, compact(t, field(t, rec, "Workflow", "Stages", "Analyze", "Configuration", "LabelDetect")))
		})
	}
	// The workflow itself is unchanged.
	wf := decode(t, mustOK(t, e.get(workflowConfig, map[string]string{"name": "MyWF"})).Body)
	assert.Equal(t, `{"Enabled":true,"MediaType":"Video","MinConfidence":80.0}`, compact(t, field(t, wf, "Analyze", "LabelDetect")))
}

// CP-26: R24 resumes only a Waiting execution paused at the given stage: Resumed, the queue message
// {"Id": ..., "Status": "Resumed"} and a scheduler trigger; anything else is the original's 400.
func TestResumeExecution(t *testing.T) {
	e := newExecStack(t)
	id := e.start(`{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}}}`)
	e.messages()
	resume := func(id, body string) apigw.Response {
		return e.do(request{method: http.MethodPut, resource: executionByID, params: map[string]string{"id": id}, body: body})
	}
	const notWaitingText = "Workflow status is not 'Waiting' or Current stage doesn't match the request"

	assertError(t, resume(id, `{"WaitingStageName": "Prep"}`), 400, "BadRequestError", notWaitingText)
	e.set(id, map[string]types.AttributeValue{"Status": S("Waiting"), "CurrentStage": S("Analyze")})
	assertError(t, resume(id, `{"WaitingStageName": "Prep"}`), 400, "BadRequestError", notWaitingText)
	assertError(t, resume(id, `{"WaitingStageName": ["Analyze"]}`), 400, "BadRequestError", notWaitingText)
	assertError(t, resume("no-such-id", `{"WaitingStageName": "Analyze"}`), 400, "BadRequestError", notWaitingText)
	assert.Equal(t, "{}", mustOK(t, resume(id, `{"Other": 1}`)).Body, "no WaitingStageName: nothing to do")
	assertTraceback(t, resume(id, `{`), "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")
	assert.Equal(t, "Waiting", str(e.record(id), "Status"))
	assert.Empty(t, e.messages())
	triggers := e.scheduler.count()

	assert.Equal(t, `{"Id":"`+id+`","Status":"Resumed"}`, mustOK(t, resume(id, `{"WaitingStageName": "Analyze"}`)).Body)
	assert.Equal(t, "Resumed", str(e.record(id), "Status"))
	assert.Equal(t, []string{`{"Id": "` + id + `", "Status": "Resumed"}`}, e.messages())
	assert.Equal(t, triggers+1, e.scheduler.count())
	assertError(t, resume(id, `{"WaitingStageName": "Analyze"}`), 400, "BadRequestError", notWaitingText)

	// A failure after the status write leaves the record Resumed.
	e.set(id, map[string]types.AttributeValue{"Status": S("Waiting")})
	e.queue.err = apiError("SendMessage", "AWS.SimpleQueueService.NonExistentQueue", "gone")
	assertTraceback(t, resume(id, `{"WaitingStageName": "Analyze"}`),
		"botocore.exceptions.ClientError: An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the SendMessage operation: gone")
	assert.Equal(t, "Resumed", str(e.record(id), "Status"))
}

// CP-27, CP-11, CP-12: R25 lists whole records, R26 and R27 the projection through the indexes (R27 newest first),
// R28 reads one record or answers the original's 404.
func TestListAndGetExecutions(t *testing.T) {
	e := newExecStack(t)
	e.dataplane.assets["asset-a"] = [3]string{"Video", "b", "a.mp4"}
	e.dataplane.assets["asset-b"] = [3]string{"Video", "b", "b.mp4"}
	a1 := e.start(`{"Name": "MyWF", "Input": {"AssetId": "asset-a"}}`)
	e.set(a1, map[string]types.AttributeValue{"Status": S("Complete"), "CurrentStage": S("End"), "Created": S("1704067100.5")})
	a2 := e.start(`{"Name": "MyWF", "Input": {"AssetId": "asset-a"}}`)
	e.set(a2, map[string]types.AttributeValue{"Status": S("Started"), "StateMachineExecutionArn": S("arn:aws:states:us-east-1:123456789012:execution:MyWF-x:MyWF" + a2)})
	b1 := e.start(`{"Name": "MyWF", "Input": {"AssetId": "asset-b"}}`)

	all := decode(t, mustOK(t, e.get(executionResource, nil)).Body).([]any)
	require.Len(t, all, 3)
	for _, rec := range all {
		id := str(rec.(*pyjson.Map), "Id")
		assert.JSONEq(t, compact(t, rec), mustOK(t, e.get(executionByID, map[string]string{"id": id})).Body, "R28 answers what R25 lists")
	}
	assertError(t, e.get(executionByID, map[string]string{"id": "nothing"}), 404, "NotFoundError", "Exception: workflow execution 'nothing' not found")

	byStatus := func(status string) string {
		return mustOK(t, e.get(executionsByStatusPath, map[string]string{"status": status})).Body
	}
	assert.Equal(t, `[{"AssetId":"asset-b","CurrentStage":"Prep","Id":"`+b1+`","Status":"Queued","Workflow":{"Name":"MyWF"}}]`, byStatus("Queued"))
	assert.Equal(t, `[{"AssetId":"asset-a","CurrentStage":"Prep","Id":"`+a2+`","StateMachineExecutionArn":"arn:aws:states:us-east-1:123456789012:execution:MyWF-x:MyWF`+a2+
		`","Status":"Started","Workflow":{"Name":"MyWF"}}]`, byStatus("Started"))
	assert.Equal(t, `[]`, byStatus("anything"))

	byAsset := func(asset string) apigw.Response {
		return e.get(executionsByAssetPath, map[string]string{"asset_id": asset})
	}
	assert.Equal(t, `[{"AssetId":"asset-a","Created":"`+testCreated+`","CurrentStage":"Prep","Id":"`+a2+`","StateMachineExecutionArn":"arn:aws:states:us-east-1:123456789012:execution:MyWF-x:MyWF`+a2+
		`","Status":"Started","Workflow":{"Name":"MyWF"}},`+
		`{"AssetId":"asset-a","Created":"1704067100.5","CurrentStage":"End","Id":"`+a1+`","Status":"Complete","Workflow":{"Name":"MyWF"}}]`,
		mustOK(t, byAsset("asset-a")).Body)
	assert.Equal(t, `[]`, mustOK(t, byAsset("asset-z")).Body)

	// Sorting needs Created on every item; without it R27 fails as the original's sort did, and so does R23.
	_, err := e.db.PutItem(t.Context(), &dynamodb.PutItemInput{
		TableName: aws.String(e.table("WORKFLOW_EXECUTION_TABLE_NAME")),
		Item:      map[string]types.AttributeValue{"Id": S("bare"), "AssetId": S("asset-b"), "Status": S("Complete")},
	})
	require.NoError(t, err)
	assertTraceback(t, byAsset("asset-b"), "KeyError: 'Created'")
	assertError(t, e.post(executionResource, `{"Name": "MyWF", "Input": {"AssetId": "asset-b"}}`), 500, "ChaliceViewError", `Exception ''Created''`)
	e.set("bare", map[string]types.AttributeValue{"Created": N("5")})
	assertTraceback(t, byAsset("asset-b"), "TypeError: '<' not supported between instances of 'Decimal' and 'str'")
}

// CP-28: R29 answers the deleted record and releases its concurrency slot; the queued request stays; a
// missing record is the original's 500.
func TestDeleteExecution(t *testing.T) {
	e := newExecStack(t)
	id := e.start(`{"Name": "MyWF", "Input": {"Media": {"Video": {"S3Bucket": "b", "S3Key": "k"}}}}`)
	taken, err := e.store.Take(t.Context(), id, executions.Queued, 5)
	require.NoError(t, err)
	require.Equal(t, executions.Taken, taken)
	held, err := e.store.Held(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, held)
	before := e.record(id)

	resp := mustOK(t, e.del(executionByID, map[string]string{"id": id}, nil))
	assert.JSONEq(t, compact(t, before), resp.Body)
	assert.Contains(t, resp.Body, `"Status":"Started"`)
	assert.Nil(t, e.record(id))
	held, err = e.store.Held(t.Context())
	require.NoError(t, err)
	assert.Zero(t, held, "the slot is released")
	assert.Len(t, e.messages(), 1, "the queued request is left alone")

	assertError(t, e.del(executionByID, map[string]string{"id": id}, nil), 500, "ChaliceViewError",
		"Exception 'Exception: workflow execution '"+id+"' not found'")
}
