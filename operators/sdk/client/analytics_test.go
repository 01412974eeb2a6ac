package client_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/ddbstream"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stream"
	"github.com/mie-go/mie-go/operators/sdk/client"
	"github.com/mie-go/mie-go/operators/sdk/etl"
)

// TestAnalyticsStream follows changes made through the client to the analytics stream: the table's stream feeds
// the data plane stream function as its event source would, and a consumer decodes the Kinesis records with the
// etl package (DP-29 to DP-33).
func TestAnalyticsStream(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()

	streamARN, err := s.deployment.Resolve(resources.StreamArnOf(resources.DataplaneTable))
	require.NoError(t, err)
	changes, err := ddbstream.New(ctx, s.aws.DynamoDBStreams(), streamARN)
	require.NoError(t, err)
	fnEnv, err := s.deployment.Env(resources.DynamoDBStreamingFunction)
	require.NoError(t, err)
	fn, err := stream.NewDataplaneFromLookup(ctx, awstest.Lookup(t, fnEnv))
	require.NoError(t, err)
	kin := s.aws.Kinesis()
	it, err := kin.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName:        aws.String(fnEnv["StreamName"]),
		ShardId:           aws.String("shardId-000000000000"),
		ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon,
	})
	require.NoError(t, err)

	api := s.dataplane
	asset, err := api.CreateAsset(ctx, client.Media{MediaType: "Audio", S3Bucket: "media", S3Key: "talk.mp3"})
	require.NoError(t, err)
	_, err = api.StoreMetadata(ctx, asset.AssetID, client.Metadata{OperatorName: "Transcribe", WorkflowID: "wf-1", Results: map[string]any{"words": 3}})
	require.NoError(t, err)
	_, err = api.Checkout(ctx, asset.AssetID, "editor")
	require.NoError(t, err)
	_, err = api.Checkin(ctx, asset.AssetID)
	require.NoError(t, err)
	_, err = api.DeleteOperatorMetadata(ctx, asset.AssetID, "Transcribe")
	require.NoError(t, err)
	_, err = api.DeleteAsset(ctx, asset.AssetID)
	require.NoError(t, err)

	batch, err := changes.Poll(ctx)
	require.NoError(t, err)
	require.NoError(t, fn.Handle(ctx, batch))
	out, err := kin.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	require.NoError(t, err)

	var got []etl.Change
	for _, r := range out.Records {
		c, err := etl.Decode(aws.ToString(r.PartitionKey), r.Data)
		require.NoError(t, err, "%s", r.Data)
		if inserted, ok := c.(*etl.AssetInserted); ok {
			assert.NotEmpty(t, inserted.Created)
			inserted.Created = ""
		}
		got = append(got, c)
	}
	pointer := "private/assets/" + asset.AssetID + "/workflows/wf-1/Transcribe.json"
	assert.Equal(t, []etl.Change{
		&etl.AssetInserted{AssetID: asset.AssetID, MediaType: "Audio", S3Bucket: "media", S3Key: "talk.mp3"},
		&etl.ResultChanged{AssetID: asset.AssetID, Operator: "Transcribe", Pointer: pointer, Workflow: "wf-1"},
		&etl.OperatorRemoved{AssetID: asset.AssetID, Operator: "Transcribe"},
		&etl.AssetRemoved{AssetID: asset.AssetID},
	}, got)
}
