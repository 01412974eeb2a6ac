package ddbstream_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/ddbstream"
)

const fakeARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/Assets/stream/2026-01-01T00:00:00.000"

// fakeStream is an in-memory stream with any shard layout, for what moto cannot show: several shards, shards
// that close, expired iterators, stretches without records, moto's stale iterators and failing calls. Iterators are
// "<shard>/<position>" from GetShardIterator and "<shard>/<position>+" from GetRecords.
type fakeStream struct {
	shards  []*fakeShard
	seq     int
	expired map[string]bool           // iterators whose next GetRecords reports expiry
	stretch map[string]bool           // iterators whose next GetRecords returns nothing, as before a stretch without records
	stale   map[string][]types.Record // iterators that return these records, as moto's do after a cancelled transaction
	fail    map[string]error          // shards whose next GetRecords fails
	log     []string                  // GetShardIterator and GetRecords calls, in order
}

type fakeShard struct {
	id, parent string
	records    []types.Record
	closed     bool
}

func newFakeStream() *fakeStream {
	return &fakeStream{expired: map[string]bool{}, stretch: map[string]bool{}, stale: map[string][]types.Record{}, fail: map[string]error{}}
}

func (f *fakeStream) shard(id string) *fakeShard {
	for _, s := range f.shards {
		if s.id == id {
			return s
		}
	}
	return nil
}

// add opens a shard (a child when parent is not "").
func (f *fakeStream) add(id, parent string) {
	f.shards = append(f.shards, &fakeShard{id: id, parent: parent})
}

// write appends INSERT records for the given asset ids to a shard.
func (f *fakeStream) write(shardID string, assetIDs ...string) {
	s := f.shard(shardID)
	for _, id := range assetIDs {
		f.seq++
		s.records = append(s.records, types.Record{
			EventID:   aws.String("ev-" + id),
			EventName: types.OperationTypeInsert,
			Dynamodb: &types.StreamRecord{
				Keys:           map[string]types.AttributeValue{"AssetId": &types.AttributeValueMemberS{Value: id}},
				SequenceNumber: aws.String(fmt.Sprintf("%03d", f.seq)),
				StreamViewType: types.StreamViewTypeNewAndOldImages,
			},
		})
	}
}

// DescribeStream returns one shard per page, so that readers must follow LastEvaluatedShardId.
func (f *fakeStream) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	i := 0
	if in.ExclusiveStartShardId != nil {
		i = slices.IndexFunc(f.shards, func(s *fakeShard) bool { return s.id == *in.ExclusiveStartShardId }) + 1
	}
	desc := &types.StreamDescription{StreamArn: in.StreamArn}
	if i < len(f.shards) {
		s := f.shards[i]
		sh := types.Shard{ShardId: aws.String(s.id), SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("000")}}
		if s.parent != "" {
			sh.ParentShardId = aws.String(s.parent)
		}
		if s.closed {
			sh.SequenceNumberRange.EndingSequenceNumber = aws.String("999")
		}
		desc.Shards = []types.Shard{sh}
		if i+1 < len(f.shards) {
			desc.LastEvaluatedShardId = aws.String(s.id)
		}
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: desc}, nil
}

func (f *fakeStream) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	s := f.shard(aws.ToString(in.ShardId))
	f.log = append(f.log, strings.TrimSpace(fmt.Sprintf("iterator %s %s %s", s.id, in.ShardIteratorType, aws.ToString(in.SequenceNumber))))
	pos := 0
	switch in.ShardIteratorType {
	case types.ShardIteratorTypeLatest:
		pos = len(s.records)
	case types.ShardIteratorTypeAfterSequenceNumber:
		pos = 1 + slices.IndexFunc(s.records, func(r types.Record) bool { return *r.Dynamodb.SequenceNumber == *in.SequenceNumber })
	case types.ShardIteratorTypeAtSequenceNumber:
		pos = slices.IndexFunc(s.records, func(r types.Record) bool { return *r.Dynamodb.SequenceNumber >= *in.SequenceNumber })
		if pos < 0 {
			pos = len(s.records)
		}
	}
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%s/%d", s.id, pos))}, nil
}

func (f *fakeStream) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	it := aws.ToString(in.ShardIterator)
	f.log = append(f.log, "records "+it)
	id, posText, _ := strings.Cut(strings.TrimSuffix(it, "+"), "/")
	if f.expired[it] {
		delete(f.expired, it)
		return nil, &types.ExpiredIteratorException{Message: aws.String("Iterator expired")}
	}
	if err := f.fail[id]; err != nil {
		delete(f.fail, id)
		return nil, err
	}
	if records, ok := f.stale[it]; ok {
		return &dynamodbstreams.GetRecordsOutput{Records: records, NextShardIterator: aws.String(it)}, nil
	}
	if f.stretch[it] {
		delete(f.stretch, it)
		return &dynamodbstreams.GetRecordsOutput{NextShardIterator: aws.String(id + "/" + posText + "+")}, nil
	}
	s := f.shard(id)
	pos, _ := strconv.Atoi(posText)
	out := &dynamodbstreams.GetRecordsOutput{Records: s.records[pos:]}
	if !s.closed {
		out.NextShardIterator = aws.String(fmt.Sprintf("%s/%d+", id, len(s.records)))
	}
	return out, nil
}

func newFakeReader(t *testing.T, f *fakeStream, optFns ...func(*ddbstream.Options)) *ddbstream.Reader {
	t.Helper()
	r, err := ddbstream.New(t.Context(), f, fakeARN, optFns...)
	require.NoError(t, err)
	return r
}

func trimHorizon(o *ddbstream.Options) { o.StartingPosition = types.ShardIteratorTypeTrimHorizon }

func poll(t *testing.T, r *ddbstream.Reader) []string {
	t.Helper()
	ev, err := r.Poll(t.Context())
	require.NoError(t, err)
	return assetIDs(ev)
}

func TestParentShardIsReadBeforeChild(t *testing.T) {
	f := newFakeStream()
	// The child is listed first, which DynamoDB does not promise never to do.
	f.add("child", "parent")
	f.add("parent", "")
	f.write("parent", "p1", "p2")
	f.write("child", "c1")
	f.shard("parent").closed = true

	r := newFakeReader(t, f, trimHorizon)
	assert.Equal(t, []string{"p1", "p2", "c1"}, poll(t, r))
}

func TestChildShardFoundWhenParentEnds(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "a1")
	r := newFakeReader(t, f, trimHorizon)
	assert.Equal(t, []string{"a1"}, poll(t, r))

	// The shard rolls over: its last records, then a child that already holds newer ones.
	f.write("a", "a2")
	f.shard("a").closed = true
	f.add("b", "a")
	f.write("b", "b1")
	assert.Equal(t, []string{"a2", "b1"}, poll(t, r))

	f.write("b", "b2")
	assert.Equal(t, []string{"b2"}, poll(t, r))
	assert.Contains(t, f.log, "iterator b TRIM_HORIZON", "a shard born after New is read from its start")
}

func TestLatestSkipsClosedShards(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "a1")
	f.shard("a").closed = true
	f.add("b", "a")
	f.write("b", "b1")

	r := newFakeReader(t, f)
	assert.Empty(t, poll(t, r))
	f.write("b", "b2")
	assert.Equal(t, []string{"b2"}, poll(t, r))
	assert.NotContains(t, f.log, "iterator a LATEST")
}

func TestEachReadResumesAfterLastRecord(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "a1")
	r := newFakeReader(t, f, trimHorizon)
	assert.Equal(t, []string{"a1"}, poll(t, r))
	f.write("a", "a2")
	assert.Equal(t, []string{"a2"}, poll(t, r))
	assert.Equal(t, []string{"iterator a TRIM_HORIZON", "records a/0", "iterator a AFTER_SEQUENCE_NUMBER 001", "records a/1"}, f.log)
}

func TestExpiredIteratorIsReplaced(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "a1")
	r := newFakeReader(t, f, trimHorizon)
	assert.Equal(t, []string{"a1"}, poll(t, r))

	f.expired["a/1+"] = true
	assert.Empty(t, poll(t, r))
	f.write("a", "a2")
	assert.Equal(t, []string{"a2"}, poll(t, r))
	assert.Equal(t, []string{
		"iterator a AFTER_SEQUENCE_NUMBER 001", "records a/1", "records a/1+",
		"iterator a AFTER_SEQUENCE_NUMBER 001", "records a/1",
	}, f.log[2:], "an expired iterator is no error")
}

func TestFollowedIteratorCrossesStretchWithoutRecords(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "a1")
	r := newFakeReader(t, f, trimHorizon)
	assert.Equal(t, []string{"a1"}, poll(t, r))

	// A fresh iterator after a1 stops short of a2; the iterator followed from a1's page gets past.
	f.write("a", "a2", "a3")
	f.stretch["a/1"] = true
	assert.Equal(t, []string{"a2", "a3"}, poll(t, r))
	assert.Empty(t, poll(t, r), "each record once")
	assert.Contains(t, f.log, "iterator a AT_SEQUENCE_NUMBER 002", "records found by the followed iterator are read again through a fresh one")
}

func TestStaleIteratorRecordsAreNotDelivered(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(*ddbstream.Options)
	}{
		{"LATEST", func(*ddbstream.Options) {}},
		{"TRIM_HORIZON", trimHorizon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStream()
			f.add("a", "")
			f.write("a", "a0")
			r := newFakeReader(t, f, tc.opt)
			f.write("a", "a1")
			got := poll(t, r)
			assert.Equal(t, "a1", got[len(got)-1])

			// Like moto after a cancelled transaction: the old iterator shows the transaction's write, which the
			// stream never gets, and the next real record takes its sequence number.
			f.stale["a/2+"] = []types.Record{{EventID: aws.String("ev-ghost"), Dynamodb: &types.StreamRecord{
				Keys:           map[string]types.AttributeValue{"AssetId": &types.AttributeValueMemberS{Value: "ghost"}},
				SequenceNumber: aws.String("003"),
			}}}
			assert.Empty(t, poll(t, r))
			f.write("a", "a2", "a3")
			assert.Equal(t, []string{"a2", "a3"}, poll(t, r))
			assert.Empty(t, poll(t, r))
		})
	}
}

func TestPollErrorKeepsRecordsAlreadyFetched(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.add("b", "")
	f.write("a", "a1")
	f.write("b", "b1")
	f.fail["b"] = errors.New("throttled")
	r := newFakeReader(t, f, trimHorizon)

	_, err := r.Poll(t.Context())
	require.ErrorContains(t, err, "get records of shard b: throttled")
	assert.Equal(t, []string{"a1", "b1"}, poll(t, r))
}

func TestUnconvertibleRecordBlocksItsShard(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "bad", "a2")
	f.shard("a").records[0].Dynamodb.NewImage = map[string]types.AttributeValue{"X": &types.UnknownUnionMember{Tag: "Z"}}
	r := newFakeReader(t, f, trimHorizon)

	for range 2 {
		_, err := r.Poll(t.Context())
		require.ErrorContains(t, err, `new image of record ev-bad: attribute "X": unsupported attribute value type`)
	}
	assert.Equal(t, []string{"iterator a TRIM_HORIZON", "records a/0", "iterator a TRIM_HORIZON", "records a/0"}, f.log)
}

func TestRecordFields(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "a1")
	rec := &f.shard("a").records[0]
	created := time.Unix(1700000000, 0)
	rec.Dynamodb.ApproximateCreationDateTime = &created
	rec.Dynamodb.SizeBytes = aws.Int64(42)
	rec.UserIdentity = &types.Identity{Type: aws.String("Service"), PrincipalId: aws.String("dynamodb.amazonaws.com")}
	r := newFakeReader(t, f, trimHorizon)

	ev, err := r.Poll(t.Context())
	require.NoError(t, err)
	require.Len(t, ev.Records, 1)
	assert.Equal(t, events.DynamoDBEventRecord{
		AWSRegion:      "eu-west-1", // the record has none: taken from the stream ARN
		EventID:        "ev-a1",
		EventName:      "INSERT",
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: fakeARN,
		UserIdentity:   &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"},
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: created},
			Keys:                        map[string]events.DynamoDBAttributeValue{"AssetId": events.NewStringAttribute("a1")},
			SequenceNumber:              "001",
			SizeBytes:                   42,
			StreamViewType:              "NEW_AND_OLD_IMAGES",
		},
	}, ev.Records[0])
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		arn     string
		opt     func(*ddbstream.Options)
		wantErr string
	}{
		{"position", fakeARN, func(o *ddbstream.Options) { o.StartingPosition = types.ShardIteratorTypeAtSequenceNumber }, `starting position "AT_SEQUENCE_NUMBER"`},
		{"negative batch", fakeARN, func(o *ddbstream.Options) { o.BatchSize = -1 }, "batch size -1"},
		{"batch too large", fakeARN, func(o *ddbstream.Options) { o.BatchSize = 10001 }, "batch size 10001"},
		{"not an ARN", "Assets", func(*ddbstream.Options) {}, `stream ARN "Assets"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ddbstream.New(t.Context(), newFakeStream(), tc.arn, tc.opt)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestDefaultBatchSize(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	for i := range ddbstream.DefaultBatchSize + 1 {
		f.write("a", fmt.Sprint(i))
	}
	r := newFakeReader(t, f, trimHorizon)
	assert.Len(t, poll(t, r), ddbstream.DefaultBatchSize)
	assert.Equal(t, []string{fmt.Sprint(ddbstream.DefaultBatchSize)}, poll(t, r))
}

func TestRunStopsOnPollError(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.fail["a"] = errors.New("stream deleted")
	r := newFakeReader(t, f, trimHorizon)

	err := r.Run(t.Context(), time.Second, func(context.Context, events.DynamoDBEvent) error {
		t.Fatal("no batch to deliver")
		return nil
	})
	assert.ErrorContains(t, err, "stream deleted")
}

func TestRunNeedsPositiveInterval(t *testing.T) {
	r := newFakeReader(t, newFakeStream())
	err := r.Run(t.Context(), 0, func(context.Context, events.DynamoDBEvent) error { return nil })
	assert.ErrorContains(t, err, "poll interval 0s")
}

func TestPollServesBacklogBeforeReadingMore(t *testing.T) {
	f := newFakeStream()
	f.add("a", "")
	f.write("a", "a1", "a2")
	r := newFakeReader(t, f, trimHorizon, func(o *ddbstream.Options) { o.BatchSize = 1 })

	assert.Equal(t, []string{"a1"}, poll(t, r))
	calls := len(f.log)
	f.write("a", "a3")
	assert.Equal(t, []string{"a2"}, poll(t, r))
	assert.Len(t, f.log, calls, "a full batch is waiting: the stream is not read")
	assert.Equal(t, []string{"a3"}, poll(t, r))
}
