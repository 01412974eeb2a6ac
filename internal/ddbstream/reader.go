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
	// Shards that appear later are always read from their start, as Lambda does. LATEST costs New one pass over the
	// records already in each open shard (at most 24 hours of them, 1000 per GetRecords): it finds the newest
	// one's sequence number, so that a fresh iterator can always resume after it without asking for LATEST, which
	// would skip whatever was written since the previous poll.
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
	iterator string // followed from the last page read, to cross stretches without records; "" until then
	lastSeq  string // sequence number of the last record fetched or skipped; a fresh iterator resumes after it
	done     bool   // no more records will ever come from this shard
}

// New creates a Reader for the stream with the given ARN. With LATEST it reads past the records already in the
// stream before returning, so every write after New, and only those, is seen by Poll.
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
				if err := r.skipExisting(ctx, s); err != nil {
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
			s := &shard{id: id, parent: aws.ToString(sh.ParentShardId)}
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

// skipExisting reads s from its start to its current end without keeping a record, so that s.lastSeq is the newest
// record written before now. An empty page ends the pass: at the end of an open shard pages are empty, though
// DynamoDB documents that a stretch without records may also need several calls to cross, and records beyond such
// a stretch would then count as new.
func (r *Reader) skipExisting(ctx context.Context, s *shard) error {
	out, err := r.freshPage(ctx, s, r.resumeInput(s))
	for {
		if err != nil {
			return err
		}
		if n := len(out.Records); n > 0 {
			s.lastSeq = sequenceNumber(out.Records[n-1])
		}
		s.iterator = aws.ToString(out.NextShardIterator)
		s.done = s.iterator == ""
		if s.done || len(out.Records) == 0 {
			return nil
		}
		out, err = r.getRecords(ctx, s, s.iterator)
	}
}

// resumeInput asks for an iterator right after the last record s has fetched or skipped, or else at s's start.
func (r *Reader) resumeInput(s *shard) *dynamodbstreams.GetShardIteratorInput {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(r.arn), ShardId: aws.String(s.id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
	if s.lastSeq != "" {
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.SequenceNumber = aws.String(s.lastSeq)
	}
	return in
}

// freshPage reads one page of s through a new iterator. A page without NextShardIterator means s is exhausted.
func (r *Reader) freshPage(ctx context.Context, s *shard, in *dynamodbstreams.GetShardIteratorInput) (*dynamodbstreams.GetRecordsOutput, error) {
	out, err := r.api.GetShardIterator(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("get %s iterator of shard %s: %w", in.ShardIteratorType, s.id, err)
	}
	if aws.ToString(out.ShardIterator) == "" {
		return &dynamodbstreams.GetRecordsOutput{}, nil
	}
	return r.getRecords(ctx, s, aws.ToString(out.ShardIterator))
}

// getRecords reads the page behind an iterator of s.
func (r *Reader) getRecords(ctx context.Context, s *shard, iterator string) (*dynamodbstreams.GetRecordsOutput, error) {
	out, err := r.api.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(iterator)})
	if err != nil {
		return nil, fmt.Errorf("get records of shard %s: %w", s.id, err)
	}
	return out, nil
}

// sequenceNumber is a record's sequence number, "" when the record lacks its dynamodb section.
func sequenceNumber(rec types.Record) string {
	if rec.Dynamodb == nil {
		return ""
	}
	return aws.ToString(rec.Dynamodb.SequenceNumber)
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

// readShard appends the next records of s to pending.
//
// Each read starts with a fresh iterator after the last record fetched, instead of following the previous page's
// NextShardIterator, because of moto (5.2.1): a cancelled TransactWriteItems restores copies of the tables it
// touched, with new shard objects. An iterator taken before that never sees another record, and it does see the
// writes of the cancelled transaction, which never happened. A fresh iterator returns exactly the records after
// the last one fetched, on AWS as on moto, so nothing is lost or delivered twice.
//
// When the fresh iterator finds nothing, the iterator followed from earlier pages is read too: DynamoDB documents
// that crossing a stretch without records may take several calls, and only an iterator that keeps advancing gets
// across. Records it returns are read once more through a fresh iterator at the first one's sequence number, which
// on AWS returns the same records and on moto drops those of a cancelled transaction. An idle poll so costs one
// GetShardIterator and two GetRecords per shard.
func (r *Reader) readShard(ctx context.Context, s *shard) error {
	out, err := r.freshPage(ctx, s, r.resumeInput(s))
	if err != nil {
		return err
	}
	if len(out.Records) == 0 && out.NextShardIterator != nil && s.iterator != "" {
		followed, err := r.getRecords(ctx, s, s.iterator)
		var expired *types.ExpiredIteratorException
		switch {
		case errors.As(err, &expired):
			// Iterators lapse after 15 minutes unused, e.g. while Run retries a failing batch: the fresh page's
			// NextShardIterator takes its place.
		case err != nil:
			return err
		default:
			out = followed
			if len(followed.Records) == 0 {
				break
			}
			if seq := sequenceNumber(followed.Records[0]); seq != "" {
				at := r.resumeInput(s)
				at.ShardIteratorType, at.SequenceNumber = types.ShardIteratorTypeAtSequenceNumber, aws.String(seq)
				if out, err = r.freshPage(ctx, s, at); err != nil {
					return err
				}
			}
		}
	}
	converted := make([]events.DynamoDBEventRecord, 0, len(out.Records))
	for _, rec := range out.Records {
		ev, err := r.convertRecord(rec)
		if err != nil {
			// Nothing is marked as fetched: the same records come back, and fail, on the next Poll.
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
