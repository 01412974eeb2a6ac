package etl

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// Processor consumes decoded changes, e.g. by updating a search index. It must be idempotent: the stream delivers
// at least once.
type Processor interface {
	Process(ctx context.Context, c Change) error
}

// ProcessorFunc adapts a function to Processor.
type ProcessorFunc func(ctx context.Context, c Change) error

// Process implements Processor.
func (f ProcessorFunc) Process(ctx context.Context, c Change) error { return f(ctx, c) }

// HandlerOptions configure a Handler.
type HandlerOptions struct {
	// Skipped is told about every record that is not processed because it cannot be decoded (its error wraps
	// ErrMalformed or ErrUnknownAction). By default it logs a warning with slog.
	Skipped func(ctx context.Context, rec events.KinesisEventRecord, err error)
}

// Handler is a Lambda handler for a Kinesis event source mapping on the analytics stream.
//
// It processes the records of a batch in order. A record that cannot be decoded is skipped, since delivering it
// again cannot help, and retrying would hold back every later record of its shard. When the processor fails, the
// handler stops and reports that record as the batch's failure, so that Lambda delivers it and every later record
// again, in order: enable ReportBatchItemFailures on the event source mapping, or Lambda treats the batch as done.
type Handler struct {
	processor Processor
	skipped   func(ctx context.Context, rec events.KinesisEventRecord, err error)
}

// NewHandler returns a handler that hands each change to p.
func NewHandler(p Processor, optFns ...func(*HandlerOptions)) *Handler {
	opts := HandlerOptions{Skipped: logSkipped}
	for _, fn := range optFns {
		fn(&opts)
	}
	return &Handler{processor: p, skipped: opts.Skipped}
}

// Handle processes one batch.
func (h *Handler) Handle(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
	for _, rec := range ev.Records {
		c, err := DecodeKinesis(rec)
		if err != nil {
			h.skipped(ctx, rec, err)
			continue
		}
		if err := h.processor.Process(ctx, c); err != nil {
			slog.ErrorContext(ctx, "data plane change not processed; the batch resumes from it",
				"sequenceNumber", rec.Kinesis.SequenceNumber, "asset", c.Asset(), "error", err)
			return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{
				{ItemIdentifier: rec.Kinesis.SequenceNumber},
			}}, nil
		}
	}
	return events.KinesisEventResponse{}, nil
}

func logSkipped(ctx context.Context, rec events.KinesisEventRecord, err error) {
	slog.WarnContext(ctx, "data plane change record skipped",
		"eventID", rec.EventID, "sequenceNumber", rec.Kinesis.SequenceNumber, "error", err)
}
