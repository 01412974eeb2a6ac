package lambdainvoke_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

// logRecords decodes what a JSON slog handler wrote.
func logRecords(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var records []map[string]any
	for line := range strings.Lines(buf.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		records = append(records, rec)
	}
	return records
}

func TestInvokeAsyncRunsDetachedFromCaller(t *testing.T) {
	reg := newRegistry()
	gate := make(chan struct{})
	var (
		got    string
		ctxErr error
		lc     *lambdacontext.LambdaContext
	)
	reg.RegisterFunc("f", func(ctx context.Context, in string) error {
		<-gate
		got, ctxErr = in, ctx.Err()
		lc, _ = lambdacontext.FromContext(ctx)
		return nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	payload := []byte(`"event"`)
	require.NoError(t, reg.InvokeAsync(ctx, "f", payload))
	// The caller ends its request and reuses its buffer before the handler even starts.
	cancel()
	copy(payload, `"XXXXX"`)
	close(gate)
	reg.Wait()

	assert.Equal(t, "event", got)
	assert.NoError(t, ctxErr)
	require.NotNil(t, lc)
	assert.NotEmpty(t, lc.AwsRequestID)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f", lc.InvokedFunctionArn)
}

func TestInvokeAsyncRetries(t *testing.T) {
	tests := []struct {
		name         string
		opts         []lambdainvoke.Option
		failures     int // how many attempts fail before one succeeds
		wantAttempts int
		wantDelays   []int
		wantFailure  bool
	}{
		{name: "fails every time: two retries", failures: 99, wantAttempts: 3, wantDelays: []int{1, 2}, wantFailure: true},
		{name: "succeeds on the first retry", failures: 1, wantAttempts: 2, wantDelays: []int{1}},
		{name: "succeeds at once", failures: 0, wantAttempts: 1},
		{
			name: "retries disabled", opts: []lambdainvoke.Option{lambdainvoke.WithAsyncRetries(0)},
			failures: 99, wantAttempts: 1, wantFailure: true,
		},
		{
			name: "more retries", opts: []lambdainvoke.Option{lambdainvoke.WithAsyncRetries(4)},
			failures: 99, wantAttempts: 5, wantDelays: []int{1, 2, 3, 4}, wantFailure: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var (
				logs       bytes.Buffer
				delays     []int
				requestIDs []string
			)
			opts := append([]lambdainvoke.Option{
				lambdainvoke.WithLogger(slogJSON(&logs)),
				lambdainvoke.WithRetryDelay(func(retry int) time.Duration {
					delays = append(delays, retry)
					return 0
				}),
			}, tc.opts...)
			reg := newRegistry(opts...)
			reg.RegisterFunc("f", func(ctx context.Context) error {
				lc, _ := lambdacontext.FromContext(ctx)
				requestIDs = append(requestIDs, lc.AwsRequestID)
				if len(requestIDs) <= tc.failures {
					return &MasExecutionError{Output: map[string]any{"Status": "Error"}}
				}
				return nil
			})

			require.NoError(t, reg.InvokeAsync(context.Background(), "f", nil))
			reg.Wait()

			require.Len(t, requestIDs, tc.wantAttempts)
			for _, id := range requestIDs {
				assert.Equal(t, requestIDs[0], id, "a retry keeps the request ID")
			}
			assert.Equal(t, tc.wantDelays, delays)
			records := logRecords(t, &logs)
			require.Len(t, records, min(tc.failures, tc.wantAttempts))
			if !tc.wantFailure {
				for _, rec := range records {
					assert.Equal(t, "WARN", rec["level"])
				}
				return
			}
			last := records[len(records)-1]
			assert.Equal(t, "ERROR", last["level"])
			assert.Equal(t, "MasExecutionError", last["error_type"])
			assert.Equal(t, `{"Status":"Error"}`, last["error_message"])
			assert.Equal(t, float64(tc.wantAttempts), last["attempt"])
			assert.Equal(t, requestIDs[0], last["request_id"])
			assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f", last["function"])
		})
	}
}

func TestInvokeAsyncRetriesPanicsAndTimeouts(t *testing.T) {
	tests := []struct {
		name     string
		handler  func(ctx context.Context) error
		opts     []lambdainvoke.FunctionOption
		wantType string
	}{
		{
			name:     "panic",
			handler:  func(context.Context) error { panic("again") },
			wantType: "string",
		},
		{
			name: "timeout",
			handler: func(ctx context.Context) error {
				<-ctx.Done()
				return ctx.Err()
			},
			opts:     []lambdainvoke.FunctionOption{lambdainvoke.WithTimeout(time.Millisecond)},
			wantType: "Sandbox.Timedout",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			reg := newRegistry(
				lambdainvoke.WithLogger(slogJSON(&logs)),
				lambdainvoke.WithRetryDelay(func(int) time.Duration { return 0 }),
			)
			// Atomic: a timed-out attempt's handler is abandoned, not joined, so nothing orders it with the test.
			var attempts atomic.Int32
			reg.RegisterFunc("f", func(ctx context.Context) error {
				attempts.Add(1)
				return tc.handler(ctx)
			}, tc.opts...)

			require.NoError(t, reg.InvokeAsync(context.Background(), "f", nil))
			reg.Wait()

			assert.Equal(t, int32(3), attempts.Load())
			records := logRecords(t, &logs)
			require.Len(t, records, 3)
			for _, rec := range records {
				assert.Equal(t, tc.wantType, rec["error_type"])
			}
		})
	}
}

func TestInvokeAsyncRefusesRequestsAtOnce(t *testing.T) {
	tests := []struct {
		name     string
		function string
		payload  []byte
		check    func(t *testing.T, err error)
	}{
		{
			name: "unknown function", function: "missing",
			check: func(t *testing.T, err error) {
				assert.ErrorAs(t, err, new(*lambdainvoke.FunctionNotFoundError))
			},
		},
		{
			name: "payload over the Event limit", function: "f", payload: make([]byte, lambdainvoke.MaxAsyncPayload+1),
			check: func(t *testing.T, err error) {
				var tl *lambdainvoke.PayloadTooLargeError
				require.ErrorAs(t, err, &tl)
				assert.True(t, tl.Event)
				assert.EqualError(t, err, "262145 byte payload is too large for the Event invocation type (limit 262144 bytes)")
			},
		},
		{
			name: "payload not JSON", function: "f", payload: []byte("{"),
			check: func(t *testing.T, err error) {
				assert.ErrorAs(t, err, new(*lambdainvoke.InvalidPayloadError))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			called := false
			reg.RegisterFunc("f", func() error { called = true; return nil })

			tc.check(t, reg.InvokeAsync(context.Background(), tc.function, tc.payload))
			reg.Wait()
			assert.False(t, called)
		})
	}
}

func TestInvokeAsyncChainsAreWaitedFor(t *testing.T) {
	reg := newRegistry()
	var order []string
	reg.RegisterFunc("second", func() error {
		order = append(order, "second")
		return nil
	})
	reg.RegisterFunc("first", func(ctx context.Context) error {
		order = append(order, "first")
		return reg.InvokeAsync(ctx, "second", nil)
	})

	require.NoError(t, reg.InvokeAsync(context.Background(), "first", nil))
	reg.Wait()
	assert.Equal(t, []string{"first", "second"}, order)
}

func slogJSON(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, nil))
}
