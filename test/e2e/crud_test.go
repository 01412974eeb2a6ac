package e2e

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

func TestOutputsCallableByKey(t *testing.T) {
	s := newStack(t)
	for _, key := range []string{"WorkflowApiEndpoint", "DataplaneApiEndpoint"} {
		assert.Regexp(t, `^http://127\.0\.0\.1:\d+/api/$`, s.outputs[key], key)
	}
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:e2e-video-sync-ok", s.outputs["VideoSyncOKLambda"])
	assert.Equal(t, "Wait", s.outputs["WaitOperation"])
	require.NoError(t, s.workflow.Ping(t.Context()))
	require.NoError(t, s.dataplane.Ping(t.Context()))
}

func TestRefusedCallers(t *testing.T) {
	s := newStack(t)
	cases := []struct {
		name, key, secret, code string
	}{
		{"unknown access key", "AKIDSTRANGER", "whatever", "UnrecognizedClientException"},
		{"wrong secret", deployment.env["AWS_ACCESS_KEY_ID"], "wrong-secret", "InvalidSignatureException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, err := client.NewWorkflowAPI(callerConfig(tc.key, tc.secret), s.outputs["WorkflowApiEndpoint"])
			require.NoError(t, err)
			_, err = api.ListWorkflows(t.Context())
			assertAPIError(t, err, http.StatusForbidden, tc.code, "")
		})
	}
	resp, err := http.Get(s.outputs["WorkflowApiEndpoint"] + "workflow")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, `{"message":"Missing Authentication Token"}`, string(body))
}

// TestDataplaneCRUD is the original's data plane integration scenario (data-plane §12) against the runtime, plus
// what only the runtime adds: the table's changes reach the analytics stream through the stream function.
func TestDataplaneCRUD(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	api := s.dataplane
	bucket := s.outputs["DataplaneBucket"]
	records := newStreamReader(t, s)

	media := "not really a video"
	post, err := api.PresignUpload(ctx, client.S3Object{S3Bucket: bucket, S3Key: "upload/crud.mp4"})
	require.NoError(t, err)
	upload, err := post.NewUploadRequest(ctx, "crud.mp4", strings.NewReader(media), int64(len(media)))
	require.NoError(t, err)
	uploaded, err := http.DefaultClient.Do(upload)
	require.NoError(t, err)
	uploaded.Body.Close()
	require.Less(t, uploaded.StatusCode, 300)

	asset, err := api.CreateAsset(ctx, client.Media{MediaType: "Video", S3Bucket: bucket, S3Key: "upload/crud.mp4"})
	require.NoError(t, err)
	_, err = api.StoreMetadata(ctx, asset.AssetID, client.Metadata{OperatorName: "Mediainfo", WorkflowID: "wf-1", Results: map[string]any{"tracks": 2}})
	require.NoError(t, err)
	for i, last := range []bool{false, true} {
		_, err := api.StoreMetadataPage(ctx, asset.AssetID, client.Metadata{OperatorName: "labelDetection", WorkflowID: "wf-1", Results: map[string]any{"page": i}}, last)
		require.NoError(t, err)
	}
	var operators []string
	for page, err := range client.NewMetadataPaginator(api, asset.AssetID, "").Pages(ctx) {
		require.NoError(t, err)
		if page.Operator != "" {
			operators = append(operators, page.Operator)
		}
	}
	assert.Equal(t, []string{"Mediainfo", "labelDetection", "labelDetection"}, operators)
	page, err := api.GetOperatorMetadata(ctx, asset.AssetID, "Mediainfo", "")
	require.NoError(t, err)
	assert.JSONEq(t, `{"tracks": 2}`, string(page.Results))

	_, err = api.Checkout(ctx, asset.AssetID, "user01@example.com")
	require.NoError(t, err)
	_, err = api.Checkout(ctx, asset.AssetID, "user02@example.com")
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Unable to lock asset: The conditional request failed")
	locks, err := api.ListCheckouts(ctx)
	require.NoError(t, err)
	assert.Contains(t, locks, client.Lock{AssetID: asset.AssetID, LockedBy: "user01@example.com", LockedAt: locks[0].LockedAt})
	_, err = api.Checkin(ctx, asset.AssetID)
	require.NoError(t, err)
	_, err = api.Checkin(ctx, asset.AssetID)
	assertAPIError(t, err, http.StatusInternalServerError, "ChaliceViewError", "Unable to unlock asset: The conditional request failed")
	_, err = api.DeleteOperatorMetadata(ctx, asset.AssetID, "labelDetection")
	require.NoError(t, err)
	_, err = api.DeleteAsset(ctx, asset.AssetID)
	require.NoError(t, err)

	// data-plane §9: INSERT, then MODIFY for each pointer, then REMOVE of the whole asset, in order.
	var actions []string
	records.until(t, func(partitionKey string, r map[string]any) bool {
		if partitionKey != asset.AssetID {
			return false
		}
		actions = append(actions, r["Action"].(string))
		return r["Action"] == "REMOVE"
	})
	require.NotEmpty(t, actions)
	assert.Equal(t, "INSERT", actions[0])
	assert.Contains(t, actions, "MODIFY")
	assert.Equal(t, "REMOVE", actions[len(actions)-1])
}

// streamReader reads the analytics Kinesis stream from where it ends when the test starts.
type streamReader struct {
	kinesis  *kinesis.Client
	iterator *string
}

func newStreamReader(t *testing.T, s *stack) *streamReader {
	t.Helper()
	k := kinesis.NewFromConfig(s.aws)
	// moto's iterators name the stream only when it is given by name.
	_, name, _ := strings.Cut(s.outputs["AnalyticsStreamArn"], ":stream/")
	shards, err := k.ListShards(t.Context(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, shards.Shards, 1)
	it, err := k.GetShardIterator(t.Context(), &kinesis.GetShardIteratorInput{
		StreamName: aws.String(name), ShardId: shards.Shards[0].ShardId, ShardIteratorType: kinesistypes.ShardIteratorTypeLatest,
	})
	require.NoError(t, err)
	return &streamReader{kinesis: k, iterator: it.ShardIterator}
}

// until reads records, decoded, until done returns true for one or the test's patience (30 s) runs out: the
// stream function runs asynchronously, as it does on AWS. A record's partition key is its asset id (data-plane §9).
func (r *streamReader) until(t *testing.T, done func(partitionKey string, data map[string]any) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := r.kinesis.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: r.iterator})
		require.NoError(t, err)
		r.iterator = out.NextShardIterator
		for _, rec := range out.Records {
			var m map[string]any
			require.NoError(t, json.Unmarshal(rec.Data, &m))
			if done(aws.ToString(rec.PartitionKey), m) {
				return
			}
		}
		if len(out.Records) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Fatal("the awaited record did not reach the analytics stream")
}

// TestWorkflowCRUD is the original's workflow API integration scenario (R05, R08, R10, R13, R15, R22, R14, R09)
// against the runtime: the workflow's state machine lives in the runtime's Step Functions service.
func TestWorkflowCRUD(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	api := s.workflow
	n := numbered()
	opName, stageName, workflowName := "CrudVideoSync"+n, "CrudStage"+n, "CrudWorkflow"+n

	op, err := api.CreateOperation(ctx, client.Operation{
		Name: opName, Type: client.OperationSync,
		Configuration:  client.OperationConfiguration{MediaType: "Video", Enabled: true},
		StartLambdaARN: s.outputs["VideoSyncOKLambda"],
	})
	require.NoError(t, err)
	assert.Equal(t, "_"+opName, op.StageName)
	read, err := api.GetOperation(ctx, opName)
	require.NoError(t, err)
	assert.Equal(t, s.outputs["VideoSyncOKLambda"], read.StartLambdaARN)

	stage, err := api.CreateStage(ctx, client.Stage{Name: stageName, Operations: []string{opName}})
	require.NoError(t, err)
	assert.NotEmpty(t, stage.Definition)
	_, err = api.GetStage(ctx, stageName)
	require.NoError(t, err)

	wf, err := api.CreateWorkflow(ctx, client.Workflow{Name: workflowName, StartAt: stageName, Stages: client.WorkflowStages{{Name: stageName, End: true}}})
	require.NoError(t, err)
	require.NotEmpty(t, wf.StateMachineARN)

	sf := sfn.NewFromConfig(s.aws, func(o *sfn.Options) { o.BaseEndpoint = aws.String(deployment.env["AWS_ENDPOINT_URL_SFN"]) })
	machine, err := sf.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(wf.StateMachineARN)})
	require.NoError(t, err, "the workflow API created the state machine in the runtime's Step Functions")
	assert.Equal(t, sfntypes.StateMachineStatusActive, machine.Status)
	assert.True(t, strings.HasPrefix(aws.ToString(machine.Name), workflowName+"-"), aws.ToString(machine.Name))

	byStage, err := api.ListWorkflowsByStage(ctx, stageName)
	require.NoError(t, err)
	require.Len(t, byStage, 1)
	assert.Equal(t, workflowName, byStage[0].Name)

	_, err = api.DeleteWorkflow(ctx, workflowName)
	require.NoError(t, err)
	_, err = sf.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(wf.StateMachineARN)})
	var gone *sfntypes.StateMachineDoesNotExist
	assert.True(t, errors.As(err, &gone), "deleting the workflow deletes its state machine: %v", err)
	_, err = api.DeleteStage(ctx, stageName, client.DeleteOptions{})
	require.NoError(t, err)
	_, err = api.DeleteOperation(ctx, opName, client.DeleteOptions{})
	require.NoError(t, err)
	_, err = api.GetOperation(ctx, opName)
	assertAPIError(t, err, http.StatusNotFound, "NotFoundError", "")
}
