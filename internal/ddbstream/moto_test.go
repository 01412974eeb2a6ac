package ddbstream_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/ddbstream"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// fixture is a moto table with a NEW_AND_OLD_IMAGES stream, keyed by AssetId like the data plane table.
type fixture struct {
	db        *dynamodb.Client
	streams   ddbstream.StreamsAPI
	table     string
	streamARN string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	cfg := awstest.Config(t, nil)
	f := fixture{db: cfg.DynamoDB(), streams: cfg.DynamoDBStreams(), table: awstest.Prefix(t) + "-assets"}
	_, err := f.db.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(f.table),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("AssetId"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("AssetId"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification: &ddbtypes.StreamSpecification{
			StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewAndOldImages,
		},
	})
	require.NoError(t, err)
	f.streamARN, err = ddbstream.StreamARN(t.Context(), f.db, f.table)
	require.NoError(t, err)
	return f
}

func (f fixture) reader(t *testing.T, optFns ...func(*ddbstream.Options)) *ddbstream.Reader {
	t.Helper()
	r, err := ddbstream.New(t.Context(), f.streams, f.streamARN, optFns...)
	require.NoError(t, err)
	return r
}

func (f fixture) put(t *testing.T, item map[string]ddbtypes.AttributeValue) {
	t.Helper()
	_, err := f.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(f.table), Item: item})
	require.NoError(t, err)
}

func (f fixture) putAssets(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		f.put(t, map[string]ddbtypes.AttributeValue{"AssetId": &ddbtypes.AttributeValueMemberS{Value: id}})
	}
}

func key(id string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"AssetId": &ddbtypes.AttributeValueMemberS{Value: id}}
}

// assetIDs lists the AssetId keys of a batch in order.
func assetIDs(ev events.DynamoDBEvent) []string {
	ids := []string{}
	for _, rec := range ev.Records {
		ids = append(ids, rec.Change.Keys["AssetId"].String())
	}
	return ids
}

// imageJSON renders an image in DynamoDB JSON, the form a Lambda receives, for whole-image comparisons.
func imageJSON(t *testing.T, image map[string]events.DynamoDBAttributeValue) string {
	t.Helper()
	b, err := json.Marshal(image)
	require.NoError(t, err)
	return string(b)
}

func TestStreamARNOfTableWithoutStream(t *testing.T) {
	cfg := awstest.Config(t, nil)
	db := cfg.DynamoDB()
	table := awstest.Prefix(t) + "-plain"
	_, err := db.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("Id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("Id"), KeyType: ddbtypes.KeyTypeHash}},
	})
	require.NoError(t, err)

	_, err = ddbstream.StreamARN(t.Context(), db, table)
	assert.EqualError(t, err, fmt.Sprintf("table %s has no stream", table))
	_, err = ddbstream.StreamARN(t.Context(), db, table+"-missing")
	var notFound *ddbtypes.ResourceNotFoundException
	assert.ErrorAs(t, err, &notFound)
}

func TestInsertModifyRemove(t *testing.T) {
	f := newFixture(t)
	r := f.reader(t)
	ctx := t.Context()

	f.put(t, map[string]ddbtypes.AttributeValue{
		"AssetId": &ddbtypes.AttributeValueMemberS{Value: "a1"},
		"Price":   &ddbtypes.AttributeValueMemberN{Value: "1.50"},
		"Done":    &ddbtypes.AttributeValueMemberBOOL{Value: false},
		"Nothing": &ddbtypes.AttributeValueMemberNULL{Value: true},
		"Tags":    &ddbtypes.AttributeValueMemberSS{Value: []string{"red"}},
		"Sizes":   &ddbtypes.AttributeValueMemberNS{Value: []string{"10"}},
		"Blob":    &ddbtypes.AttributeValueMemberB{Value: []byte{0, 1, 2}},
		"Blobs":   &ddbtypes.AttributeValueMemberBS{Value: [][]byte{{9}}},
		"Meta": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
			"Inner": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{
				&ddbtypes.AttributeValueMemberN{Value: "7"},
				&ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
					"Ok": &ddbtypes.AttributeValueMemberBOOL{Value: true},
				}},
			}},
		}},
	})
	_, err := f.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(f.table),
		Key:                       key("a1"),
		UpdateExpression:          aws.String("SET Price = :p, Done = :d"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": &ddbtypes.AttributeValueMemberN{Value: "2.25"}, ":d": &ddbtypes.AttributeValueMemberBOOL{Value: true}},
	})
	require.NoError(t, err)
	_, err = f.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(f.table), Key: key("a1")})
	require.NoError(t, err)

	ev, err := r.Poll(ctx)
	require.NoError(t, err)
	require.Len(t, ev.Records, 3)
	assert.Equal(t, []string{"INSERT", "MODIFY", "REMOVE"}, []string{ev.Records[0].EventName, ev.Records[1].EventName, ev.Records[2].EventName})

	const fullImage = `{"AssetId":{"S":"a1"},"Blob":{"B":"AAEC"},"Blobs":{"BS":["CQ=="]},"Done":{"BOOL":false},` +
		`"Meta":{"M":{"Inner":{"L":[{"N":"7"},{"M":{"Ok":{"BOOL":true}}}]}}},"Nothing":{"NULL":true},` +
		`"Price":{"N":"1.50"},"Sizes":{"NS":["10"]},"Tags":{"SS":["red"]}}`
	modified := `{"AssetId":{"S":"a1"},"Blob":{"B":"AAEC"},"Blobs":{"BS":["CQ=="]},"Done":{"BOOL":true},` +
		`"Meta":{"M":{"Inner":{"L":[{"N":"7"},{"M":{"Ok":{"BOOL":true}}}]}}},"Nothing":{"NULL":true},` +
		`"Price":{"N":"2.25"},"Sizes":{"NS":["10"]},"Tags":{"SS":["red"]}}`
	insert, modify, remove := ev.Records[0].Change, ev.Records[1].Change, ev.Records[2].Change
	assert.JSONEq(t, fullImage, imageJSON(t, insert.NewImage))
	assert.Nil(t, insert.OldImage)
	assert.JSONEq(t, fullImage, imageJSON(t, modify.OldImage))
	assert.JSONEq(t, modified, imageJSON(t, modify.NewImage))
	assert.JSONEq(t, modified, imageJSON(t, remove.OldImage))
	assert.Nil(t, remove.NewImage)
	assert.Equal(t, "1.50", insert.NewImage["Price"].Number(), "number text passes through unchanged")

	seen := map[string]bool{}
	for i, rec := range ev.Records {
		assert.Equal(t, "aws:dynamodb", rec.EventSource, i)
		assert.Equal(t, "1.1", rec.EventVersion, i)
		assert.Equal(t, "us-east-1", rec.AWSRegion, i)
		assert.Equal(t, f.streamARN, rec.EventSourceArn, i)
		assert.NotEmpty(t, rec.EventID, i)
		assert.False(t, seen[rec.EventID], "event IDs are unique")
		seen[rec.EventID] = true
		assert.JSONEq(t, `{"AssetId":{"S":"a1"}}`, imageJSON(t, rec.Change.Keys), i)
		assert.NotEmpty(t, rec.Change.SequenceNumber, i)
		assert.Positive(t, rec.Change.SizeBytes, i)
		assert.Equal(t, "NEW_AND_OLD_IMAGES", rec.Change.StreamViewType, i)
		assert.False(t, rec.Change.ApproximateCreationDateTime.IsZero(), i)
	}

	again, err := r.Poll(ctx)
	require.NoError(t, err)
	assert.Empty(t, again.Records, "records are handed out once")
}

func TestBatchSizeSplitsInOrder(t *testing.T) {
	f := newFixture(t)
	r := f.reader(t, func(o *ddbstream.Options) { o.BatchSize = 2 })
	f.putAssets(t, "a1", "a2", "a3", "a4", "a5")

	var batches [][]string
	for range 4 {
		ev, err := r.Poll(t.Context())
		require.NoError(t, err)
		batches = append(batches, assetIDs(ev))
	}
	assert.Equal(t, [][]string{{"a1", "a2"}, {"a3", "a4"}, {"a5"}, {}}, batches)

	f.putAssets(t, "a6")
	ev, err := r.Poll(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"a6"}, assetIDs(ev))
}

func TestStartingPosition(t *testing.T) {
	f := newFixture(t)
	f.putAssets(t, "before")
	latest := f.reader(t)
	horizon := f.reader(t, func(o *ddbstream.Options) { o.StartingPosition = types.ShardIteratorTypeTrimHorizon })
	f.putAssets(t, "after")

	for _, tc := range []struct {
		name string
		r    *ddbstream.Reader
		want []string
	}{
		{"LATEST ignores earlier writes", latest, []string{"after"}},
		{"TRIM_HORIZON sees them", horizon, []string{"before", "after"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := tc.r.Poll(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tc.want, assetIDs(ev))
		})
	}
}

func TestRunRetriesFailedBatchThenMovesOn(t *testing.T) {
	f := newFixture(t)
	const interval = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	var sleeps []time.Duration
	r := f.reader(t, func(o *ddbstream.Options) {
		o.BatchSize = 2
		o.MaxRetryDelay = 3 * interval
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			sleeps = append(sleeps, d)
			if len(sleeps) == 5 {
				// Four back-offs, then the idle wait after both batches went through: stop here.
				cancel()
			}
			return ctx.Err()
		}
	})
	f.putAssets(t, "a1", "a2", "a3")

	var calls [][]string
	var eventIDs [][]string
	failures := 4
	err := r.Run(ctx, interval, func(_ context.Context, ev events.DynamoDBEvent) error {
		calls = append(calls, assetIDs(ev))
		var ids []string
		for _, rec := range ev.Records {
			ids = append(ids, rec.EventID)
		}
		eventIDs = append(eventIDs, ids)
		if failures > 0 {
			failures--
			return errors.New("downstream unavailable")
		}
		return nil
	})
	require.NoError(t, err)

	first := []string{"a1", "a2"}
	assert.Equal(t, [][]string{first, first, first, first, first, {"a3"}}, calls)
	for i := 1; i < 5; i++ {
		assert.Equal(t, eventIDs[0], eventIDs[i], "retry %d delivers the same records", i)
	}
	// Back-off doubles from the interval up to MaxRetryDelay; then the idle wait that ends the test.
	assert.Equal(t, []time.Duration{interval, 2 * interval, 3 * interval, 3 * interval, interval}, sleeps)
}

// TestCancelledTransactionKeepsRecordsFlowing covers moto's restore of a table after a cancelled transaction: it
// replaces the table's stream shard object, and iterators taken before it would never see another record.
func TestCancelledTransactionKeepsRecordsFlowing(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(*ddbstream.Options)
	}{
		{"LATEST", func(*ddbstream.Options) {}},
		{"TRIM_HORIZON", func(o *ddbstream.Options) { o.StartingPosition = types.ShardIteratorTypeTrimHorizon }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.reader(t, tc.opt)
			f.putAssets(t, "a1")
			ev, err := r.Poll(t.Context())
			require.NoError(t, err)
			require.Equal(t, []string{"a1"}, assetIDs(ev))

			_, err = f.db.TransactWriteItems(t.Context(), &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
				{Put: &ddbtypes.Put{TableName: aws.String(f.table), Item: key("a2")}},
				{ConditionCheck: &ddbtypes.ConditionCheck{
					TableName: aws.String(f.table), Key: key("missing"), ConditionExpression: aws.String("attribute_exists(AssetId)"),
				}},
			}})
			var cancelled *ddbtypes.TransactionCanceledException
			require.ErrorAs(t, err, &cancelled)

			var got []string
			for i, batch := range [][]string{{"a3", "a4"}, {"a5"}} {
				f.putAssets(t, batch...)
				ev, err := r.Poll(t.Context())
				require.NoError(t, err, i)
				got = append(got, assetIDs(ev)...)
			}
			ev, err = r.Poll(t.Context())
			require.NoError(t, err)
			got = append(got, assetIDs(ev)...)
			assert.Equal(t, []string{"a3", "a4", "a5"}, got, "each record once, in order")
		})
	}
}
