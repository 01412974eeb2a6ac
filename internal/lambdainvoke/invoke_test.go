package lambdainvoke_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

const (
	region  = "us-east-1"
	account = "123456789012"
)

// MasExecutionError stands for the operator SDK's error type: only its name matters here.
type MasExecutionError struct {
	Output map[string]any
}

func (e *MasExecutionError) Error() string {
	b, err := json.Marshal(e.Output)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// KeyError is an error of a non-pointer type.
type KeyError string

func (e KeyError) Error() string { return string(e) }

// handlerFunc adapts a function to lambda.Handler, to register handlers that return raw bytes.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

func newRegistry(opts ...lambdainvoke.Option) *lambdainvoke.Registry {
	return lambdainvoke.NewRegistry(region, account, opts...)
}

func TestARN(t *testing.T) {
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:my-fn", newRegistry().ARN("my-fn"))
}

func TestInvokeReturnsPayload(t *testing.T) {
	reg := newRegistry()
	reg.RegisterFunc("echo", func(_ context.Context, in map[string]any) (map[string]any, error) {
		return map[string]any{"got": in}, nil
	})

	res, err := reg.Invoke(context.Background(), "echo", []byte(`{"a":1}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"got":{"a":1}}`, string(res.Payload))
	assert.Empty(t, res.FunctionError)
	assert.Nil(t, res.Error)
	assert.Equal(t, "$LATEST", res.ExecutedVersion)
	assert.NotEmpty(t, res.RequestID)
}

func TestInvokeEmptyPayloadIsEmptyObject(t *testing.T) {
	reg := newRegistry()
	var got []byte
	reg.Register("raw", handlerFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		got = payload
		return nil, nil
	}))

	res, err := reg.Invoke(context.Background(), "raw", nil)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(got))
	assert.Empty(t, res.Payload)
}

func TestInvokeFunctionErrors(t *testing.T) {
	tests := []struct {
		name        string
		handler     any
		payload     string
		wantType    string
		wantMessage string
	}{
		{
			name: "pointer error type is named without the pointer",
			handler: func() error {
				return &MasExecutionError{Output: map[string]any{"Status": "Error"}}
			},
			wantType: "MasExecutionError", wantMessage: `{"Status":"Error"}`,
		},
		{
			name:     "value error type",
			handler:  func() error { return KeyError("Name") },
			wantType: "KeyError", wantMessage: "Name",
		},
		{
			name:     "errors.New",
			handler:  func() error { return errors.New("plain") },
			wantType: "errorString", wantMessage: "plain",
		},
		{
			name:     "wrapping error is named by the wrapper",
			handler:  func() error { return fmt.Errorf("outer: %w", &MasExecutionError{}) },
			wantType: "wrapError", wantMessage: "outer: null",
		},
		{
			name: "InvokeResponse_Error passes through",
			handler: func() error {
				return messages.InvokeResponse_Error{Type: "States.Custom", Message: "as given"}
			},
			wantType: "States.Custom", wantMessage: "as given",
		},
		{
			name:        "event that does not decode",
			handler:     func(_ context.Context, _ struct{ N int }) error { return nil },
			payload:     `{"N":"x"}`,
			wantType:    "UnmarshalTypeError",
			wantMessage: "json: cannot unmarshal string into Go struct field .N of type int",
		},
		{
			name:     "signature the runtime cannot call",
			handler:  "not a function",
			wantType: "errorString", wantMessage: "handler kind string is not func",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			reg.RegisterFunc("f", tc.handler)

			res, err := reg.Invoke(context.Background(), "f", []byte(tc.payload))
			require.NoError(t, err)
			assert.Equal(t, "Unhandled", res.FunctionError)
			require.NotNil(t, res.Error)
			assert.Equal(t, tc.wantType, res.Error.Type)
			want, err := json.Marshal(map[string]string{"errorMessage": tc.wantMessage, "errorType": tc.wantType})
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(res.Payload))
		})
	}
}

func TestInvokePanic(t *testing.T) {
	tests := []struct {
		name        string
		value       any
		wantType    string
		wantMessage string
	}{
		{"string", "boom", "string", "boom"},
		{"error value", errors.New("bang"), "errorString", "bang"},
		{"custom error", &MasExecutionError{Output: map[string]any{"a": 1}}, "MasExecutionError", `{"a":1}`},
		{"runtime error", nil, "boundsError", "runtime error: index out of range [3] with length 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			reg.RegisterFunc("f", func() error {
				if tc.value == nil {
					var s []int
					_ = s[len(tc.name)-10]
				}
				panic(tc.value)
			})

			res, err := reg.Invoke(context.Background(), "f", nil)
			require.NoError(t, err)
			assert.Equal(t, "Unhandled", res.FunctionError)
			require.NotNil(t, res.Error)
			assert.Equal(t, tc.wantType, res.Error.Type)
			assert.Equal(t, tc.wantMessage, res.Error.Message)

			var payload struct {
				Message    string                                      `json:"errorMessage"`
				Type       string                                      `json:"errorType"`
				StackTrace []*messages.InvokeResponse_Error_StackFrame `json:"stackTrace"`
			}
			require.NoError(t, json.Unmarshal(res.Payload, &payload))
			assert.Equal(t, tc.wantType, payload.Type)
			require.NotEmpty(t, payload.StackTrace)
			assert.Equal(t, "gopanic", payload.StackTrace[0].Label)
			assert.Equal(t, "runtime/panic.go", payload.StackTrace[0].Path)
			assert.True(t, hasFrame(payload.StackTrace, "TestInvokePanic.func", "invoke_test.go"),
				"no frame of the panicking function in %s", res.Payload)
		})
	}
}

func hasFrame(stack []*messages.InvokeResponse_Error_StackFrame, labelPrefix, pathSuffix string) bool {
	for _, f := range stack {
		if strings.HasPrefix(f.Label, labelPrefix) && strings.HasSuffix(f.Path, pathSuffix) && f.Line > 0 {
			return true
		}
	}
	return false
}

func TestInvokeContext(t *testing.T) {
	const timeout = 900 * time.Second
	reg := newRegistry()
	var (
		lc       *lambdacontext.LambdaContext
		deadline time.Time
	)
	reg.RegisterFunc("f", func(ctx context.Context) error {
		lc, _ = lambdacontext.FromContext(ctx)
		deadline, _ = ctx.Deadline()
		return nil
	}, lambdainvoke.WithTimeout(timeout))

	// The caller's own deadline does not limit the function: only its timeout does.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	before := time.Now()
	res, err := reg.Invoke(ctx, "f:prod", nil)
	after := time.Now()
	require.NoError(t, err)
	require.NotNil(t, lc)
	assert.Equal(t, res.RequestID, lc.AwsRequestID)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f:prod", lc.InvokedFunctionArn)
	assert.False(t, deadline.Before(before.Add(timeout)), "deadline %v before %v", deadline, before.Add(timeout))
	assert.False(t, deadline.After(after.Add(timeout)), "deadline %v after %v", deadline, after.Add(timeout))
}

func TestInvokeFunctionNameForms(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
	tests := []struct{ name, function, wantARN string }{
		{"name", "f", arn},
		{"name with qualifier", "f:live", arn + ":live"},
		{"full ARN", arn, arn},
		{"full ARN with $LATEST", arn + ":$LATEST", arn + ":$LATEST"},
		{"full ARN with alias", arn + ":prod", arn + ":prod"},
		{"partial ARN", "123456789012:function:f", arn},
		{"partial ARN with version", "123456789012:function:f:3", arn + ":3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			var invoked string
			reg.RegisterFunc("f", func(ctx context.Context) (string, error) {
				lc, _ := lambdacontext.FromContext(ctx)
				invoked = lc.InvokedFunctionArn
				return "ok", nil
			})

			res, err := reg.Invoke(context.Background(), tc.function, nil)
			require.NoError(t, err)
			assert.Equal(t, `"ok"`, string(res.Payload))
			assert.Equal(t, tc.wantARN, invoked)
		})
	}
}

func TestInvokeRequestErrors(t *testing.T) {
	tests := []struct {
		name, function string
		payload        []byte
		check          func(t *testing.T, err error)
	}{
		{
			name: "unknown function", function: "missing",
			check: func(t *testing.T, err error) {
				var nf *lambdainvoke.FunctionNotFoundError
				require.ErrorAs(t, err, &nf)
				assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:missing", nf.ARN)
				assert.EqualError(t, err, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing")
			},
		},
		{
			name: "malformed name", function: "a/b",
			check: func(t *testing.T, err error) {
				var ve *lambdainvoke.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "functionName", ve.Field)
				assert.Contains(t, err.Error(), "1 validation error detected: Value 'a/b' at 'functionName'")
			},
		},
		{
			name: "payload not JSON", function: "f", payload: []byte("hello world"),
			check: func(t *testing.T, err error) {
				var ip *lambdainvoke.InvalidPayloadError
				require.ErrorAs(t, err, &ip)
				assert.True(t, strings.HasPrefix(err.Error(),
					"Could not parse request body into json: Could not parse payload into json: "), err.Error())
			},
		},
		{
			name: "two JSON values", function: "f", payload: []byte(`{} {}`),
			check: func(t *testing.T, err error) {
				assert.ErrorAs(t, err, new(*lambdainvoke.InvalidPayloadError))
			},
		},
		{
			name: "payload too large", function: "f", payload: make([]byte, lambdainvoke.MaxSyncPayload+1),
			check: func(t *testing.T, err error) {
				var tl *lambdainvoke.PayloadTooLargeError
				require.ErrorAs(t, err, &tl)
				assert.False(t, tl.Event)
				assert.EqualError(t, err, "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			called := false
			reg.RegisterFunc("f", func() error { called = true; return nil })

			_, err := reg.Invoke(context.Background(), tc.function, tc.payload)
			tc.check(t, err)
			assert.False(t, called)
		})
	}
}

func TestInvokeTimeout(t *testing.T) {
	reg := newRegistry()
	reg.RegisterFunc("slow", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}, lambdainvoke.WithTimeout(10*time.Millisecond))

	res, err := reg.Invoke(context.Background(), "slow", nil)
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", res.FunctionError)
	require.NotNil(t, res.Error)
	assert.Equal(t, "Sandbox.Timedout", res.Error.Type)
	assert.Equal(t, "RequestId: "+res.RequestID+" Error: Task timed out after 0.01 seconds", res.Error.Message)
	assert.JSONEq(t, `{"errorType":"Sandbox.Timedout","errorMessage":"`+res.Error.Message+`"}`, string(res.Payload))
}

func TestInvokeTimeoutAbandonsHandlerThatIgnoresContext(t *testing.T) {
	reg := newRegistry()
	release, finished := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() {
		close(release)
		<-finished
	})
	reg.RegisterFunc("stuck", func() error {
		defer close(finished)
		<-release
		return nil
	}, lambdainvoke.WithTimeout(time.Millisecond))

	res, err := reg.Invoke(context.Background(), "stuck", nil)
	require.NoError(t, err)
	require.NotNil(t, res.Error)
	assert.Equal(t, "Sandbox.Timedout", res.Error.Type)
}

func TestInvokeCallerGivesUpFunctionContinues(t *testing.T) {
	reg := newRegistry()
	started, release, handlerErr := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	reg.RegisterFunc("f", func(ctx context.Context) error {
		close(started)
		<-release
		handlerErr <- ctx.Err()
		return nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	invokeErr := make(chan error, 1)
	go func() {
		_, err := reg.Invoke(ctx, "f", nil)
		invokeErr <- err
	}()
	<-started
	cancel()
	assert.ErrorIs(t, <-invokeErr, context.Canceled)
	close(release)
	assert.NoError(t, <-handlerErr, "the handler's context must outlive the caller's")
}

func TestInvokeResultSurvivesNextInvocation(t *testing.T) {
	reg := newRegistry()
	reg.RegisterFunc("echo", func(s string) (string, error) { return s, nil })

	first, err := reg.Invoke(context.Background(), "echo", []byte(`"first, and longer"`))
	require.NoError(t, err)
	_, err = reg.Invoke(context.Background(), "echo", []byte(`"second"`))
	require.NoError(t, err)
	assert.Equal(t, `"first, and longer"`, string(first.Payload))
}

func TestInvokeResponseSizeLimit(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		wantErr bool
	}{
		{"at the limit", lambdainvoke.MaxResponsePayload, false},
		{"over the limit", lambdainvoke.MaxResponsePayload + 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			reg.Register("big", handlerFunc(func(context.Context, []byte) ([]byte, error) {
				return make([]byte, tc.size), nil
			}))

			res, err := reg.Invoke(context.Background(), "big", nil)
			require.NoError(t, err)
			if !tc.wantErr {
				assert.Len(t, res.Payload, tc.size)
				assert.Empty(t, res.FunctionError)
				return
			}
			assert.Equal(t, "Unhandled", res.FunctionError)
			assert.JSONEq(t, `{"errorType":"Function.ResponseSizeTooLarge",`+
				`"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}`,
				string(res.Payload))
		})
	}
}

func TestRegisterAgainReplaces(t *testing.T) {
	reg := newRegistry()
	reg.RegisterFunc("f", func() (string, error) { return "old", nil })
	reg.RegisterFunc("f", func() (string, error) { return "new", nil })

	res, err := reg.Invoke(context.Background(), "f", nil)
	require.NoError(t, err)
	assert.Equal(t, `"new"`, string(res.Payload))
}

func TestRegisterRefusesProgrammingErrors(t *testing.T) {
	ok := lambda.NewHandler(func() error { return nil })
	tests := []struct {
		name    string
		fn      string
		handler lambda.Handler
		opts    []lambdainvoke.FunctionOption
	}{
		{"invalid name", "a:b", ok, nil},
		{"ARN instead of name", "arn:aws:lambda:us-east-1:123456789012:function:f", ok, nil},
		{"nil handler", "f", nil, nil},
		{"zero timeout", "f", ok, []lambdainvoke.FunctionOption{lambdainvoke.WithTimeout(0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Panics(t, func() { newRegistry().Register(tc.fn, tc.handler, tc.opts...) })
		})
	}
}

func TestInvokeConcurrentFunctions(t *testing.T) {
	reg := newRegistry()
	const n = 20
	for i := range n {
		reg.RegisterFunc(fmt.Sprintf("f%d", i), func(in int) (int, error) { return in + i, nil })
	}
	var wg sync.WaitGroup
	results := make([]string, n)
	for i := range n {
		wg.Go(func() {
			res, err := reg.Invoke(context.Background(), fmt.Sprintf("f%d", i), []byte("100"))
			if err == nil {
				results[i] = string(res.Payload)
			}
		})
	}
	wg.Wait()
	for i := range n {
		assert.Equal(t, fmt.Sprint(100+i), results[i])
	}
}
