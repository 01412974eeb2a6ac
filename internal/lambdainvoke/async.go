package lambdainvoke

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
)

// InvokeAsync queues an Event invocation and returns at once; the request checks of Invoke apply, with the Event
// payload limit. The handler runs on its own goroutine with a context that outlives ctx, and a failed run is
// retried (see WithAsyncRetries, WithRetryDelay) under the same request ID, as Lambda does: the scheduler triggers
// (CP-25, CP-26, CP-32, CP-34) rely on it. The final failure is logged where the stack would send it to the
// WorkflowExecLambdaDLQ. Wait blocks until it is done.
func (r *Registry) InvokeAsync(ctx context.Context, function string, payload []byte) error {
	return r.invokeAsync(ctx, uuid.NewString(), function, "", payload)
}

func (r *Registry) invokeAsync(ctx context.Context, requestID, function, qualifier string, payload []byte) error {
	t, payload, err := r.prepare(function, qualifier, payload, true)
	if err != nil {
		return err
	}
	// The caller may reuse its buffer as soon as we return.
	payload = bytes.Clone(payload)
	ctx = context.WithoutCancel(ctx)
	r.startAsync()
	go func() {
		defer r.finishAsync()
		r.deliver(ctx, t, requestID, payload)
	}()
	return nil
}

// deliver runs an Event invocation until it succeeds or its retries are spent.
func (r *Registry) deliver(ctx context.Context, t target, requestID string, payload []byte) {
	for attempt := 1; ; attempt++ {
		res, err := r.run(ctx, t, requestID, payload)
		if err != nil {
			// ctx is never cancelled, so run cannot fail; log rather than lose the event silently.
			r.logger.ErrorContext(ctx, "async invocation failed", "function", t.arn, "request_id", requestID, "error", err)
			return
		}
		if res.Error == nil {
			return
		}
		attrs := []any{
			slog.String("function", t.arn), slog.String("request_id", requestID), slog.Int("attempt", attempt),
			slog.String("error_type", res.Error.Type), slog.String("error_message", res.Error.Message),
		}
		if attempt > r.retries {
			r.logger.ErrorContext(ctx, "async invocation failed", attrs...)
			return
		}
		r.logger.WarnContext(ctx, "async invocation failed, will retry", attrs...)
		if d := r.retryDelay(attempt); d > 0 {
			time.Sleep(d)
		}
	}
}
