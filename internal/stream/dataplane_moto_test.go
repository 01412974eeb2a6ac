package stream_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/ddbstream"
	"github.com/mie-go/mie-go/internal/stream"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// kinesisTail reads a one-shard Kinesis stream from its start, handing out each record once.
type kinesisTail struct {
	api      *kinesis.Client
	iterator *string
}

func newKinesisTail(t *testing.T, api *kinesis.Client, streamName string) *kinesisTail {
	t.Helper()
	out, err := api.GetShardIterator(t.Context(), &kinesis.GetShardIteratorInput{
		StreamName:        aws.String(streamName),
		ShardId:           aws.String("shardId-000000000000"),
		ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon,
	})
	require.NoError(t, err)
	return &kinesisTail{api: api, iterator: out.ShardIterator}
}

// next returns the records written since the previous call, as stream name, partition key and exact Data.
func (k *kinesisTail) next(t *testing.T, streamName string) []sent {
	t.Helper()
	out, err := k.api.GetRecords(t.Context(), &kinesis.GetRecordsInput{ShardIterator: k.iterator})
	require.NoError(t, err)
	k.iterator = out.NextShardIterator
	got := []sent{}
	for _, r := range out.Records {
		got = append(got, sent{streamName, aws.ToString(r.PartitionKey), string(r.Data)})
	}
	return got
}

func str(s string) dbtypes.AttributeValue { return &dbtypes.AttributeValueMemberS{Value: s} }

// pointerList is an operator attribute as the data plane API writes it: newest result first.
func pointerList(operator string, workflows ...string) dbtypes.AttributeValue {
	l := &dbtypes.AttributeValueMemberL{}
	for _, w := range workflows {
		l.Value = append(l.Value, &dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{
			"workflow": str(w), "pointer": str(pointer(operator, w)),
		}})
	}
	return l
}

// motoFixture is the data plane table with its stream, the analytics Kinesis stream, and the stream function built
// from its configuration, all on moto.
type motoFixture struct {
	db          *dynamodb.Client
	kinesis     *kinesis.Client
	table       string
	kinesisName string
	fn          *stream.DataplaneHandler
	changes     *ddbstream.Reader // the table's stream, read as Lambda's event source reads it
	tail        *kinesisTail
}

func newMotoFixture(t *testing.T, optFns ...func(*ddbstream.Options)) *motoFixture {
	t.Helper()
	ctx := t.Context()
	prefix := awstest.Prefix(t)
	cfg := awstest.Config(t, nil)
	f := &motoFixture{db: cfg.DynamoDB(), kinesis: cfg.Kinesis(), table: prefix + "-DataplaneTable", kinesisName: prefix + "-AnalyticsStream"}
	_, err := f.db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(f.table),
		BillingMode:          dbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []dbtypes.AttributeDefinition{{AttributeName: aws.String("AssetId"), AttributeType: dbtypes.ScalarAttributeTypeS}},
		KeySchema:            []dbtypes.KeySchemaElement{{AttributeName: aws.String("AssetId"), KeyType: dbtypes.KeyTypeHash}},
		StreamSpecification:  &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dbtypes.StreamViewTypeNewAndOldImages},
	})
	require.NoError(t, err)
	_, err = f.kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(f.kinesisName), ShardCount: aws.Int32(1)})
	require.NoError(t, err)

	f.fn, err = stream.NewDataplaneFromLookup(ctx, awstest.Lookup(t, map[string]string{
		"StreamName": f.kinesisName,
		"botoConfig": `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`,
	}))
	require.NoError(t, err)
	arn, err := ddbstream.StreamARN(ctx, f.db, f.table)
	require.NoError(t, err)
	f.changes, err = ddbstream.New(ctx, cfg.DynamoDBStreams(), arn, optFns...)
	require.NoError(t, err)
	f.tail = newKinesisTail(t, f.kinesis, f.kinesisName)
	return f
}

func (f *motoFixture) put(t *testing.T, item map[string]dbtypes.AttributeValue) {
	t.Helper()
	_, err := f.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(f.table), Item: item})
	require.NoError(t, err)
}

// DP-29..DP-33 end to end against moto: items written with the SDK, the table's real stream read as Lambda's event
// source would, the handler built from its configuration, and the Kinesis records read back byte for byte.
func TestDataplaneAgainstMoto(t *testing.T) {
	ctx := t.Context()
	f := newMotoFixture(t)
	db, table, kinesisName := f.db, f.table, f.kinesisName

	key := map[string]dbtypes.AttributeValue{"AssetId": str(assetID)}
	update := func(expr string, names map[string]string, values map[string]dbtypes.AttributeValue) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(table), Key: key, UpdateExpression: aws.String(expr),
				ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			})
			return err
		}
	}
	setOperator := func(operator string, workflows ...string) func(context.Context) error {
		return update("SET #op = :list", map[string]string{"#op": operator}, map[string]dbtypes.AttributeValue{":list": pointerList(operator, workflows...)})
	}
	modify := func(operator, workflow string) string {
		return `{"Action": "MODIFY", "Pointer": "` + pointer(operator, workflow) + `", "Operator": "` + operator + `", "Workflow": "` + workflow + `"}`
	}

	steps := []struct {
		name  string
		write func(context.Context) error
		want  []sent
	}{
		{
			name: "DP-30 create an asset",
			write: func(ctx context.Context) error {
				_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]dbtypes.AttributeValue{
					"AssetId": str(assetID), "MediaType": str("Video"), "S3Bucket": str("mie-dataplane-1a2b3c"),
					"S3Key": str("upload/café 日本.mp4"), "Created": str("1700000000.1"),
				}})
				return err
			},
			want: []sent{{kinesisName, assetID, `{"MediaType": "Video", "S3Bucket": "mie-dataplane-1a2b3c", "S3Key": "upload/caf\u00e9 \u65e5\u672c.mp4", "Created": "1700000000.1", "Action": "INSERT"}`}},
		},
		{
			name: "DP-29 numbers are sent as their stream text",
			write: func(ctx context.Context) error {
				_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]dbtypes.AttributeValue{
					"AssetId": str("other-asset"), "MediaType": str("Audio"), "Duration": &dbtypes.AttributeValueMemberN{Value: "12.50"},
				}})
				return err
			},
			want: []sent{{kinesisName, "other-asset", `{"MediaType": "Audio", "Duration": "12.50", "Action": "INSERT"}`}},
		},
		{name: "DP-32 first result of an operator", write: setOperator("Mediainfo", wf1), want: []sent{{kinesisName, assetID, modify("Mediainfo", wf1)}}},
		{name: "DP-32 first result of another operator", write: setOperator("labelDetection", wf1), want: []sent{{kinesisName, assetID, modify("labelDetection", wf1)}}},
		{name: "DP-32 new current result", write: setOperator("labelDetection", wf2, wf1), want: []sent{{kinesisName, assetID, modify("labelDetection", wf2)}}},
		{name: "DP-32 same key stored again", write: setOperator("labelDetection", wf2, wf2, wf1), want: []sent{}},
		{
			name: "Q-31 checkout",
			write: update("SET Locked = :t, LockedBy = :u, LockedAt = :at",
				nil, map[string]dbtypes.AttributeValue{":t": str("true"), ":u": str("user01@example.com"), ":at": &dbtypes.AttributeValueMemberN{Value: "1700000100"}}),
			want: []sent{},
		},
		{name: "Q-32 checkin", write: update("REMOVE Locked, LockedAt, LockedBy", nil, nil), want: []sent{}},
		{
			name:  "DP-32 delete one operator's results",
			write: update("REMOVE #op", map[string]string{"#op": "labelDetection"}, nil),
			want:  []sent{{kinesisName, assetID, `{"Action": "REMOVE", "Operator": "labelDetection"}`}},
		},
		{
			name: "DP-31 delete the asset",
			write: func(ctx context.Context) error {
				_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key})
				return err
			},
			want: []sent{{kinesisName, assetID, `{"Action": "REMOVE"}`}},
		},
	}
	for _, step := range steps {
		require.NoError(t, step.write(ctx), step.name)
		ev, err := f.changes.Poll(ctx)
		require.NoError(t, err, step.name)
		require.Len(t, ev.Records, 1, "%s: one stream record per write", step.name)
		require.NoError(t, f.fn.Handle(ctx, ev), step.name)
		assert.Equal(t, step.want, f.tail.next(t, kinesisName), step.name)
	}
}

// flakyKinesis passes puts to a real client, except the put numbered failOn, which fails.
type flakyKinesis struct {
	real   stream.RecordPutter
	failOn int
	calls  int
}

var errUnavailable = errors.New("kinesis unavailable")

func (k *flakyKinesis) PutRecord(ctx context.Context, in *kinesis.PutRecordInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error) {
	k.calls++
	if k.calls == k.failOn {
		return nil, errUnavailable
	}
	return k.real.PutRecord(ctx, in, optFns...)
}

// DP-34: a failed put fails the batch, the event source delivers the same batch again, and every record reaches
// Kinesis: at least once, the ones sent before the failure twice, all in their order.
func TestDataplaneFailedBatchIsRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	f := newMotoFixture(t, func(o *ddbstream.Options) {
		// Lambda's event source waits before a retry; the test has no reason to.
		o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	})
	fn := stream.NewDataplane(&flakyKinesis{real: f.kinesis, failOn: 2}, f.kinesisName)
	f.put(t, map[string]dbtypes.AttributeValue{"AssetId": str("a1"), "MediaType": str("Video")})
	f.put(t, map[string]dbtypes.AttributeValue{"AssetId": str("a2"), "MediaType": str("Audio")})

	var results []error
	err := f.changes.Run(ctx, time.Millisecond, func(ctx context.Context, ev events.DynamoDBEvent) error {
		err := fn.Handle(ctx, ev)
		results = append(results, err)
		if err == nil {
			cancel()
		}
		return err
	})
	require.NoError(t, err)
	require.Len(t, results, 2, "one failed delivery, one retry")
	assert.ErrorIs(t, results[0], errUnavailable)
	a1 := sent{f.kinesisName, "a1", `{"MediaType": "Video", "Action": "INSERT"}`}
	a2 := sent{f.kinesisName, "a2", `{"MediaType": "Audio", "Action": "INSERT"}`}
	assert.Equal(t, []sent{a1, a1, a2}, f.tail.next(t, f.kinesisName))
}
