package ddbstream

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// DefaultMaxRetryDelay is the longest Run waits between two tries of a failing batch.
const DefaultMaxRetryDelay = 30 * time.Second

// Run polls the stream and calls handler with every non-empty batch until ctx ends, waiting interval after a poll
// that found nothing. A batch the handler fails is retried, unchanged, until the handler succeeds: Lambda's stream
// event source does the same, and the stream functions rely on it (a failing record blocks its shard, and the
// records before it in the batch are delivered again). Between tries Run waits interval, then twice as long each
// time, up to MaxRetryDelay. Run returns nil when ctx ends and the error when polling the stream fails.
func (r *Reader) Run(ctx context.Context, interval time.Duration, handler func(context.Context, events.DynamoDBEvent) error) error {
	if interval <= 0 {
		return fmt.Errorf("poll interval %s: want a positive duration", interval)
	}
	for ctx.Err() == nil {
		batch, err := r.Poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(batch.Records) == 0 {
			_ = r.opts.Sleep(ctx, interval) // an early return means ctx ended, which the loop checks
			continue
		}
		r.deliver(ctx, interval, batch, handler)
	}
	return nil
}

// deliver calls handler with batch until it succeeds or ctx ends.
func (r *Reader) deliver(ctx context.Context, interval time.Duration, batch events.DynamoDBEvent, handler func(context.Context, events.DynamoDBEvent) error) {
	delay := min(interval, r.opts.MaxRetryDelay)
	for attempt := 1; ; attempt++ {
		err := handler(ctx, batch)
		if err == nil || ctx.Err() != nil {
			return
		}
		slog.WarnContext(ctx, "stream batch failed; retrying",
			"stream", r.arn, "records", len(batch.Records), "attempt", attempt, "retryIn", delay, "error", err)
		if r.opts.Sleep(ctx, delay) != nil {
			return
		}
		delay = min(2*delay, r.opts.MaxRetryDelay)
	}
}

// sleep waits d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
