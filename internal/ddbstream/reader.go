// Package ddbstream reads a DynamoDB table's stream and hands out its records as the events.DynamoDBEvent batches
// that Lambda's DynamoDB event source would deliver to a stream function.
package ddbstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// StreamsAPI is the part of the DynamoDB Streams client that Reader uses.
type StreamsAPI interface {
	DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// TableAPI is the part of the DynamoDB client that StreamARN uses.
type TableAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// StreamARN returns the ARN of the current stream of a table.
func StreamARN(ctx context.Context, api TableAPI, table string) (string, error) {
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return "", fmt.Errorf("describe table %s: %w", table, err)
	}
	if out.Table == nil || aws.ToString(out.Table.LatestStreamArn) == "" {
		return "", fmt.Errorf("table %s has no stream", table)
	}
	return aws.ToString(out.Table.LatestStreamArn), nil
}

// DefaultBatchSize is Lambda's default batch size for DynamoDB event sources.
const DefaultBatchSize = 100

// maxBatchSize is the largest batch size Lambda accepts for a DynamoDB event source.
const maxBatchSize = 10000

// Options configure a Reader. The zero value reads new records only, in batches of DefaultBatchSize.
type Options struct {
	// StartingPosition is where reading begins in the shards that exist when the Reader is created: LATEST (the
	// default) sees only records written after New returns, TRIM_HORIZON also every record still in the stream.
	// Shards that appear later are always read from their start, as Lambda does.
	StartingPosition types.ShardIteratorType
	// BatchSize caps the records of one Poll; 0 means DefaultBatchSize.
	BatchSize int
	// MaxRetryDelay caps Run's wait before retrying a failed batch; 0 means DefaultMaxRetryDelay.
	MaxRetryDelay time.Duration
	// Sleep is how Run waits; nil means a timer. It returns early with ctx's error when ctx ends. Tests replace it
	// to observe the waits without spending them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Reader follows every shard of one stream. Records come out in stream order per shard, and a child shard is read
// only once its parent is exhausted, so all changes of one item stay in order. A Reader is not safe for concurrent
// use.
type Reader struct {
	api     StreamsAPI
	arn     string
	region  string // fallback for records that carry no awsRegion
	opts    Options
	shards  []*shard // in discovery order; ready decides which of them may be read
	known   map[string]*shard
	pending []events.DynamoDBEventRecord // fetched but not yet returned by Poll
}

// shard is the reading state of one stream shard.
type shard struct {
	id       string
	parent   string
	iterType types.ShardIteratorType // how to ask for an iterator when there is none yet
	iterator string                  // "" until the shard is first read
	lastSeq  string                  // sequence number of the last record fetched, to resume after an expiry
	done     bool                    // no more records will ever come from this shard
}

// New creates a Reader for the stream with the given ARN. With LATEST it takes its iterators before returning, so
// every write after New is seen by Poll.
func New(ctx context.Context, api StreamsAPI, streamARN string, optFns ...func(*Options)) (*Reader, error) {
	var opts Options
	for _, fn := range optFns {
		fn(&opts)
	}
	switch opts.StartingPosition {
	case "":
		opts.StartingPosition = types.ShardIteratorTypeLatest
	case types.ShardIteratorTypeLatest, types.ShardIteratorTypeTrimHorizon:
	default:
		return nil, fmt.Errorf("starting position %q: want LATEST or TRIM_HORIZON", opts.StartingPosition)
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.BatchSize < 1 || opts.BatchSize > maxBatchSize {
		return nil, fmt.Errorf("batch size %d: want 1 to %d", opts.BatchSize, maxBatchSize)
	}
	if opts.MaxRetryDelay <= 0 {
		opts.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	parsed, err := arn.Parse(streamARN)
	if err != nil {
		return nil, fmt.Errorf("stream ARN %q: %w", streamARN, err)
	}
	r := &Reader{api: api, arn: streamARN, region: parsed.Region, opts: opts, known: map[string]*shard{}}
	if err := r.discover(ctx, opts.StartingPosition); err != nil {
		return nil, err
	}
	if opts.StartingPosition == types.ShardIteratorTypeLatest {
		for _, s := range r.shards {
			if !s.done {
				if err := r.openIterator(ctx, s); err != nil {
					return nil, err
				}
			}
		}
	}
	return r, nil
}

// discover adds the stream's shards that the Reader does not know yet. Shards present at New start at the chosen
// position; later ones are children of a shard that closed and start at their beginning.
func (r *Reader) discover(ctx context.Context, start types.ShardIteratorType) error {
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(r.arn)}
	for {
		out, err := r.api.DescribeStream(ctx, in)
		if err != nil {
			return fmt.Errorf("describe stream %s: %w", r.arn, err)
		}
		if out.StreamDescription == nil {
			return fmt.Errorf("describe stream %s: no description", r.arn)
		}
		for _, sh := range out.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			if r.known[id] != nil {
				continue
			}
			s := &shard{id: id, parent: aws.ToString(sh.ParentShardId), iterType: start}
			// A closed shard holds no record newer than now, so LATEST has nothing to read in it.
			closed := sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
			s.done = closed && start == types.ShardIteratorTypeLatest
			r.known[id] = s
			r.shards = append(r.shards, s)
		}
		last := out.StreamDescription.LastEvaluatedShardId
		if last == nil {
			return nil
		}
		in.ExclusiveStartShardId = last
	}
}

// openIterator gets a fresh iterator for s: after the last record already fetched, or else at s's own start.
func (r *Reader) openIterator(ctx context.Context, s *shard) error {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(r.arn), ShardId: aws.String(s.id), ShardIteratorType: s.iterType}
	if s.lastSeq != "" {
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.SequenceNumber = aws.String(s.lastSeq)
	}
	out, err := r.api.GetShardIterator(ctx, in)
	if err != nil {
		return fmt.Errorf("get %s iterator of shard %s: %w", in.ShardIteratorType, s.id, err)
	}
	s.iterator = aws.ToString(out.ShardIterator)
	if s.iterator == "" {
		s.done = true
	}
	return nil
}

// ready reports whether s may be read: its parent, if the Reader knows it, must be exhausted first.
func (r *Reader) ready(s *shard) bool {
	p := r.known[s.parent]
	return p == nil || p.done
}

// Poll returns the records available now, at most BatchSize, oldest first; the event has no records when nothing
// is new. Records fetched beyond BatchSize are kept for the next Poll. After an error the records fetched so far
// are kept too, so a later Poll loses nothing.
func (r *Reader) Poll(ctx context.Context) (events.DynamoDBEvent, error) {
	if len(r.pending) < r.opts.BatchSize {
		if err := r.fetch(ctx); err != nil {
			return events.DynamoDBEvent{}, err
		}
	}
	n := min(r.opts.BatchSize, len(r.pending))
	if n == 0 {
		return events.DynamoDBEvent{}, nil
	}
	batch := append([]events.DynamoDBEventRecord(nil), r.pending[:n]...)
	r.pending = r.pending[n:]
	return events.DynamoDBEvent{Records: batch}, nil
}

// fetch reads each ready shard once. When a shard ends, its children are looked up and read in the same call, so
// that records already in the stream are all available to this Poll.
func (r *Reader) fetch(ctx context.Context) error {
	read := map[string]bool{}
	for {
		progressed, ended := false, false
		for _, s := range r.shards {
			if s.done || read[s.id] || !r.ready(s) {
				continue
			}
			read[s.id], progressed = true, true
			if err := r.readShard(ctx, s); err != nil {
				return err
			}
			ended = ended || s.done
		}
		if ended {
			if err := r.discover(ctx, types.ShardIteratorTypeTrimHorizon); err != nil {
				return err
			}
		}
		if !progressed {
			return nil
		}
	}
}

// readShard appends the records behind s's iterator to pending and advances the iterator.
func (r *Reader) readShard(ctx context.Context, s *shard) error {
	if s.iterator == "" {
		if err := r.openIterator(ctx, s); err != nil || s.done {
			return err
		}
	}
	out, err := r.api.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(s.iterator)})
	if expired := (*types.ExpiredIteratorException)(nil); errors.As(err, &expired) {
		// Iterators lapse after 15 minutes unused, e.g. while Run retries a failing batch.
		if err := r.openIterator(ctx, s); err != nil || s.done {
			return err
		}
		out, err = r.api.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(s.iterator)})
	}
	if err != nil {
		return fmt.Errorf("get records of shard %s: %w", s.id, err)
	}
	converted := make([]events.DynamoDBEventRecord, 0, len(out.Records))
	for _, rec := range out.Records {
		ev, err := r.convertRecord(rec)
		if err != nil {
			// The iterator is left where it was: the same records come back, and fail, on the next Poll.
			return fmt.Errorf("shard %s: %w", s.id, err)
		}
		converted = append(converted, ev)
	}
	r.pending = append(r.pending, converted...)
	if len(converted) > 0 {
		s.lastSeq = converted[len(converted)-1].Change.SequenceNumber
	}
	s.iterator = aws.ToString(out.NextShardIterator)
	s.done = s.iterator == ""
	return nil
}
