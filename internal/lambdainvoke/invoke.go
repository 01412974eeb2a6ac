package lambdainvoke

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/uuid"
)

// Payload limits of the Invoke API.
const (
	// MaxSyncPayload is the largest RequestResponse request payload (6 MiB).
	MaxSyncPayload = 6 << 20
	// MaxAsyncPayload is the largest Event request payload (256 KiB).
	MaxAsyncPayload = 256 << 10
	// MaxResponsePayload is the largest function response; the service's own error message names 6 MiB + 100.
	MaxResponsePayload = 6<<20 + 100
)

const (
	// latestVersion is the only version the registry has.
	latestVersion = "$LATEST"
	// unhandled is the FunctionError of every failure the Go runtime reports.
	unhandled = "Unhandled"
)

// Result is the outcome of one synchronous invocation, in the terms of the Invoke API's response.
type Result struct {
	// RequestID is the invocation's request ID, the AwsRequestID the handler saw.
	RequestID string
	// ExecutedVersion is always "$LATEST".
	ExecutedVersion string
	// Payload is the handler's response or, when FunctionError is set, the error object
	// {"errorMessage", "errorType"[, "stackTrace"]}.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed, "" when it succeeded.
	FunctionError string
	// Error is Payload decoded when the function failed, nil otherwise: the errorType and errorMessage that
	// Step Functions turns into a task's Error and Cause.
	Error *messages.InvokeResponse_Error
	// Duration is how long the handler ran (the timeout when it timed out).
	Duration time.Duration
}

// Invoke runs the function synchronously (RequestResponse) and returns its response or its function error.
// function is a name, a full or partial ARN, each optionally qualified. The error is for a request Lambda would
// refuse (*FunctionNotFoundError, *ValidationError, *InvalidPayloadError, *PayloadTooLargeError, ...) or for ctx
// ending first; the handler then keeps running to completion or timeout, as a Lambda function does when its caller
// disconnects. An empty payload reaches the handler as {}.
func (r *Registry) Invoke(ctx context.Context, function string, payload []byte) (Result, error) {
	return r.invokeSync(ctx, uuid.NewString(), function, "", payload)
}

func (r *Registry) invokeSync(ctx context.Context, requestID, function, qualifier string, payload []byte) (Result, error) {
	t, payload, err := r.prepare(function, qualifier, payload, false)
	if err != nil {
		return Result{}, err
	}
	return r.run(ctx, t, requestID, payload)
}

// prepare resolves the function and checks the payload as the Invoke API does: size first, then the function,
// then that the payload is JSON.
func (r *Registry) prepare(function, qualifier string, payload []byte, event bool) (target, []byte, error) {
	limit := MaxSyncPayload
	if event {
		limit = MaxAsyncPayload
	}
	if len(payload) > limit {
		return target{}, nil, &PayloadTooLargeError{Size: len(payload), Limit: limit, Event: event}
	}
	t, err := r.resolve(function, qualifier)
	if err != nil {
		return target{}, nil, err
	}
	if len(payload) == 0 {
		return t, []byte("{}"), nil
	}
	if !json.Valid(payload) {
		return target{}, nil, &InvalidPayloadError{Err: json.Unmarshal(payload, new(json.RawMessage))}
	}
	return t, payload, nil
}

// outcome is what one handler call produced, and when it finished.
type outcome struct {
	out      []byte
	err      *messages.InvokeResponse_Error
	finished time.Time
}

// run calls the handler on its own goroutine with the Lambda context and the function timeout as deadline. The
// handler's context is detached from ctx: a caller that stops waiting does not stop the function.
func (r *Registry) run(ctx context.Context, t target, requestID string, payload []byte) (Result, error) {
	timeout := t.fn.timeout
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	deadline, _ := hctx.Deadline()
	hctx = lambdacontext.NewContext(hctx, &lambdacontext.LambdaContext{AwsRequestID: requestID, InvokedFunctionArn: t.arn})
	start := time.Now()
	done := make(chan outcome, 1)
	go func() {
		defer cancel()
		done <- call(hctx, t.fn.handler, payload)
	}()

	var o outcome
	select {
	case o = <-done:
	case <-hctx.Done():
		// Done also fires from the goroutine's own cancel, after it has sent its outcome.
		select {
		case o = <-done:
		default:
			o.finished = deadline
		}
	case <-ctx.Done():
		return Result{}, fmt.Errorf("invoke %s: %w", t.arn, context.Cause(ctx))
	}

	res := Result{RequestID: requestID, ExecutedVersion: latestVersion, Duration: o.finished.Sub(start)}
	switch {
	case !o.finished.Before(deadline):
		res.Duration = timeout
		o.err = timeoutError(requestID, timeout)
	case o.err == nil && len(o.out) > MaxResponsePayload:
		o.err = responseTooLargeError()
	case o.err == nil:
		res.Payload = o.out
		return res, nil
	}
	body, err := json.Marshal(o.err)
	if err != nil {
		return Result{}, fmt.Errorf("encode function error of %s: %w", t.arn, err)
	}
	res.Payload, res.FunctionError, res.Error = body, unhandled, o.err
	return res, nil
}

// call runs the handler once, turning a returned error or a panic into the function error the runtime reports.
func call(ctx context.Context, h lambda.Handler, payload []byte) (o outcome) {
	defer func() {
		if v := recover(); v != nil {
			o = outcome{err: panicError(v), finished: time.Now()}
		}
	}()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		return outcome{err: handlerError(err), finished: time.Now()}
	}
	// A handler built by lambda.NewHandler returns bytes of a pooled buffer it has already released, which its
	// next invocation overwrites: keep a copy.
	return outcome{out: bytes.Clone(out), finished: time.Now()}
}
