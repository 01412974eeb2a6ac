// Package dataplanetest drives the data plane API and its stream function together against moto: every change the
// API makes to the asset table must reach the analytics Kinesis stream as data-plane §9.3 describes.
package dataplanetest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/dataplane"
	"github.com/mie-go/mie-go/internal/ddbstream"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stream"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// record is one Kinesis record: its partition key and exact Data text.
type record struct {
	PartitionKey, Data string
}

// pipeline is a provisioned deployment with the data plane API, the table's stream as Lambda's event source reads
// it, the stream function, and a reader of the analytics stream.
type pipeline struct {
	api      *dataplane.Handler
	fn       *stream.DataplaneHandler
	changes  *ddbstream.Reader
	kinesis  *kinesis.Client
	iterator *string
}

// created is the fixed creation time of the test's asset; its Created attribute is "1700000000.123456".
var created = time.Unix(1700000000, 123456000)

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	ctx := t.Context()
	prefix := awstest.Prefix(t)
	cfg := awstest.Config(t, nil)
	d, err := resources.Provision(ctx, cfg, resources.Params{StackName: prefix, ShortID: prefix, Region: "us-east-1", Account: "123456789012"})
	require.NoError(t, err)

	apiEnv, err := d.Env(resources.DataplaneAPIHandler)
	require.NoError(t, err)
	apiConfig, err := dataplane.ConfigFromLookup(awstest.Lookup(t, apiEnv))
	require.NoError(t, err)
	apiClients, err := awsconf.Load(ctx, awstest.Lookup(t, apiEnv))
	require.NoError(t, err)
	s3Client := apiClients.S3()
	api, err := dataplane.New(apiConfig, apiClients.DynamoDB(), s3Client, dataplane.NewPresigner(s3Client),
		dataplane.WithClock(func() time.Time { return created }))
	require.NoError(t, err)

	fnEnv, err := d.Env(resources.DynamoDBStreamingFunction)
	require.NoError(t, err)
	fn, err := stream.NewDataplaneFromLookup(ctx, awstest.Lookup(t, fnEnv))
	require.NoError(t, err)

	streamARN, err := d.Resolve(resources.StreamArnOf(resources.DataplaneTable))
	require.NoError(t, err)
	changes, err := ddbstream.New(ctx, cfg.DynamoDBStreams(), streamARN)
	require.NoError(t, err)

	kin := cfg.Kinesis()
	it, err := kin.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName:        aws.String(fnEnv["StreamName"]),
		ShardId:           aws.String("shardId-000000000000"),
		ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon,
	})
	require.NoError(t, err)
	return &pipeline{api: api, fn: fn, changes: changes, kinesis: kin, iterator: it.ShardIterator}
}

// call sends one request to the data plane API as the operators' direct invocation does and requires a 200.
func (p *pipeline) call(t *testing.T, method, resource string, path map[string]string, query map[string][]string, body any) string {
	t.Helper()
	text := "null"
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		text = string(b)
	}
	ev := apigw.Event{
		Resource:                        resource,
		HTTPMethod:                      method,
		Headers:                         map[string]string{"Content-Type": "application/json"},
		PathParameters:                  path,
		MultiValueQueryStringParameters: query,
		Body:                            text,
	}
	ev.RequestContext.ResourcePath = resource
	ev.RequestContext.HTTPMethod = method
	resp, err := p.api.Handle(t.Context(), ev)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, resource, resp.Body)
	return resp.Body
}

// deliver hands the table changes made since the last call to the stream function, as the event source would, and
// returns how many changes there were and what reached Kinesis.
func (p *pipeline) deliver(t *testing.T) (int, []record) {
	t.Helper()
	ev, err := p.changes.Poll(t.Context())
	require.NoError(t, err)
	if len(ev.Records) > 0 {
		require.NoError(t, p.fn.Handle(t.Context(), ev))
	}
	out, err := p.kinesis.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: p.iterator})
	require.NoError(t, err)
	p.iterator = out.NextShardIterator
	got := []record{}
	for _, r := range out.Records {
		got = append(got, record{aws.ToString(r.PartitionKey), string(r.Data)})
	}
	return len(ev.Records), got
}

// DP-29..DP-33, DP-38: the life of an asset through the data plane API, and the analytics record each step yields.
func TestAssetLifeOnTheAnalyticsStream(t *testing.T) {
	p := newPipeline(t)
	const (
		bucket = "mie-dataplane-1a2b3c"
		wf1    = "0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11"
		wf2    = "9a1b2c3d-0000-4000-8000-000000000001"
	)

	var asset struct{ AssetId string }
	require.NoError(t, json.Unmarshal([]byte(p.call(t, http.MethodPost, "/create", nil, nil,
		map[string]any{"Input": map[string]string{"MediaType": "Video", "S3Bucket": bucket, "S3Key": "upload/keynote.mp4"}})), &asset))
	a := asset.AssetId
	require.NotEmpty(t, a)
	assetPath := map[string]string{"asset_id": a}
	pointer := func(operator, workflow string) string {
		return "private/assets/" + a + "/workflows/" + workflow + "/" + operator + ".json"
	}
	modify := func(operator, workflow string) string {
		return `{"Action": "MODIFY", "Pointer": "` + pointer(operator, workflow) + `", "Operator": "` + operator + `", "Workflow": "` + workflow + `"}`
	}
	store := func(operator, workflow string, query map[string][]string, results any) {
		p.call(t, http.MethodPost, "/metadata/{asset_id}", assetPath, query,
			map[string]any{"OperatorName": operator, "WorkflowId": workflow, "Results": results})
	}
	paged := map[string][]string{"paginated": {"true"}}
	lastPage := map[string][]string{"paginated": {"true"}, "end": {"true"}}

	steps := []struct {
		name    string
		act     func()   // nil for the creation, already done
		changes int      // table changes the step makes
		want    []record // what reaches Kinesis
	}{
		{
			name:    "DP-30 R6 create (done above, to learn the asset id)",
			changes: 1,
			want: []record{{a, `{"MediaType": "Video", "S3Bucket": "` + bucket + `", "S3Key": "upload/keynote.mp4", ` +
				`"Created": "1700000000.123456", "Action": "INSERT"}`}},
		},
		{
			name:    "DP-32 R8 single result",
			act:     func() { store("Mediainfo", wf1, nil, map[string]any{"File": map[string]any{"Duration": 12.5}}) },
			changes: 1,
			want:    []record{{a, modify("Mediainfo", wf1)}},
		},
		{
			name:    "DP-32 R8 same result stored again",
			act:     func() { store("Mediainfo", wf1, nil, map[string]any{"File": map[string]any{"Duration": 12.5}}) },
			changes: 1,
			want:    []record{},
		},
		{
			name: "DP-32 R8 first two pages of a paged result",
			act: func() {
				store("labelDetection", wf1, paged, map[string]any{"Labels": []any{map[string]any{"Name": "Person"}}})
				store("labelDetection", wf1, paged, map[string]any{"Labels": []any{map[string]any{"Name": "Car"}}})
			},
			want: []record{},
		},
		{
			name: "DP-32 R8 last page",
			act: func() {
				store("labelDetection", wf1, lastPage, map[string]any{"Labels": []any{map[string]any{"Name": "Tree"}}})
			},
			changes: 1,
			want:    []record{{a, modify("labelDetection", wf1)}},
		},
		{
			name:    "DP-32 R8 new result from another workflow",
			act:     func() { store("Mediainfo", wf2, nil, map[string]any{"File": map[string]any{"Duration": 13}}) },
			changes: 1,
			want:    []record{{a, modify("Mediainfo", wf2)}},
		},
		{
			name: "Q-31 R13 checkout",
			act: func() {
				p.call(t, http.MethodPost, "/checkout/{asset_id}", assetPath, nil, map[string]string{"LockedBy": "user01@example.com"})
			},
			changes: 1,
			want:    []record{},
		},
		{
			name:    "Q-32 R14 checkin",
			act:     func() { p.call(t, http.MethodPost, "/checkin/{asset_id}", assetPath, nil, nil) },
			changes: 1,
			want:    []record{},
		},
		{
			name: "DP-32 R11 delete one operator's results",
			act: func() {
				p.call(t, http.MethodDelete, "/metadata/{asset_id}/{operator_name}",
					map[string]string{"asset_id": a, "operator_name": "labelDetection"}, nil, nil)
			},
			changes: 1,
			want:    []record{{a, `{"Action": "REMOVE", "Operator": "labelDetection"}`}},
		},
		{
			name:    "DP-31 R12 delete the asset",
			act:     func() { p.call(t, http.MethodDelete, "/metadata/{asset_id}", assetPath, nil, nil) },
			changes: 1,
			want:    []record{{a, `{"Action": "REMOVE"}`}},
		},
	}
	for _, step := range steps {
		if step.act != nil {
			step.act()
		}
		changes, got := p.deliver(t)
		assert.Equal(t, step.changes, changes, "%s: table changes", step.name)
		assert.Equal(t, step.want, got, step.name)
	}
}
