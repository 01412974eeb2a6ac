package stepfunctions_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/stepfunctions"
	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

// lambdaClient returns the real SDK Lambda client pointed at url, making one attempt per call.
func lambdaClient(url string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:           region,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkHTTPClient(),
	})
}

// invokers returns both adapters over the same registry: in process, and through the Lambda Invoke API served
// by lambdainvoke.NewServer.
func invokers(t *testing.T, reg *lambdainvoke.Registry) map[string]interp.Invoker {
	srv := httptest.NewServer(lambdainvoke.NewServer(reg))
	t.Cleanup(srv.Close)
	return map[string]interp.Invoker{
		"registry":   stepfunctions.NewRegistryInvoker(reg),
		"SDK client": stepfunctions.NewClientInvoker(lambdaClient(srv.URL)),
	}
}

// testFunctions registers the functions the invoker tests call.
func testFunctions(t *testing.T, reg *lambdainvoke.Registry) {
	reg.RegisterFunc("echo", func(in map[string]any) (map[string]any, error) { return in, nil })
	reg.RegisterFunc("fail", func() error { return &MasExecutionError{Output: map[string]any{"Status": "Error"}} })
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	reg.RegisterFunc("hold", func() error { <-hold; return nil })
}

func TestInvokers(t *testing.T) {
	reg := lambdainvoke.NewRegistry(region, account)
	testFunctions(t, reg)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		ctx      context.Context
		function string
		payload  []byte
		check    func(t *testing.T, out []byte, err error)
	}{
		{
			name: "answer", function: reg.ARN("echo"), payload: []byte(`{"a":1}`),
			check: func(t *testing.T, out []byte, err error) {
				require.NoError(t, err)
				assert.JSONEq(t, `{"a":1}`, string(out))
			},
		},
		{
			name: "function error", function: reg.ARN("fail"), payload: []byte(`{}`),
			check: func(t *testing.T, _ []byte, err error) {
				var fe *interp.FunctionError
				require.ErrorAs(t, err, &fe)
				assert.JSONEq(t, `{"errorType":"MasExecutionError","errorMessage":"{\"Status\":\"Error\"}"}`, string(fe.Payload))
			},
		},
		{
			name: "no such function", function: reg.ARN("missing"), payload: []byte(`{}`),
			check: wantInvokeError("Lambda.ResourceNotFoundException"),
		},
		{
			name: "invalid function name", function: "arn:aws:lambda:us-east-1:123456789012:function:no spaces", payload: []byte(`{}`),
			check: wantInvokeError("Lambda.ValidationException"),
		},
		{
			name: "payload that is not JSON", function: reg.ARN("echo"), payload: []byte(`{`),
			check: wantInvokeError("Lambda.InvalidRequestContentException"),
		},
		{
			name: "payload over the limit", function: reg.ARN("echo"), payload: make([]byte, lambdainvoke.MaxSyncPayload+1),
			check: wantInvokeError("Lambda.RequestEntityTooLargeException"),
		},
		{
			name: "the execution ended", ctx: cancelled, function: reg.ARN("hold"), payload: []byte(`{}`),
			check: func(t *testing.T, _ []byte, err error) {
				assert.ErrorIs(t, err, context.Canceled)
				assert.NotErrorAs(t, err, new(*interp.InvokeError))
			},
		},
	}
	for name, inv := range invokers(t, reg) {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				ctx := tc.ctx
				if ctx == nil {
					ctx = t.Context()
				}
				out, err := inv.Invoke(ctx, tc.function, tc.payload)
				tc.check(t, out, err)
			})
		}
	}
}

func wantInvokeError(name string) func(t *testing.T, out []byte, err error) {
	return func(t *testing.T, _ []byte, err error) {
		var ie *interp.InvokeError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, name, ie.Name)
		assert.NotEmpty(t, ie.Message)
	}
}

// invokeFunc fakes the Lambda client with a function.
type invokeFunc func(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)

func (f invokeFunc) Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return f(ctx, in, optFns...)
}

func TestClientInvokerFailureNames(t *testing.T) {
	lambdaError := func(status int, code string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Amzn-ErrorType", code)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"Type":"Service","Message":"it went wrong"}`))
		}
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name   string
		client stepfunctions.LambdaInvokeAPI
		want   string
	}{
		{name: "service fault", client: serveLambda(t, lambdaError(http.StatusInternalServerError, "ServiceException")), want: "Lambda.ServiceException"},
		{name: "other 5xx exception", client: serveLambda(t, lambdaError(http.StatusBadGateway, "EC2ThrottledException")), want: "Lambda.ServiceException"},
		{name: "throttled", client: serveLambda(t, lambdaError(http.StatusTooManyRequests, "TooManyRequestsException")), want: "Lambda.TooManyRequestsException"},
		{name: "nobody answers", client: lambdaClient(closed.URL), want: "Lambda.SdkClientException"},
		{
			name: "anything else",
			client: invokeFunc(func(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
				return nil, errors.New("unreadable answer")
			}),
			want: "Lambda.Unknown",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stepfunctions.NewClientInvoker(tc.client).Invoke(t.Context(), "arn:aws:lambda:us-east-1:123456789012:function:f", []byte(`{}`))
			wantInvokeError(tc.want)(t, nil, err)
		})
	}
}

func serveLambda(t *testing.T, h http.Handler) *lambda.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return lambdaClient(srv.URL)
}

// A Lambda Task state runs the same through either adapter.
func TestTaskStatesThroughEitherInvoker(t *testing.T) {
	reg := lambdainvoke.NewRegistry(region, account)
	testFunctions(t, reg)
	tests := []struct {
		name, function, input string
		check                 func(t *testing.T, h *harness, arn string)
	}{
		{name: "success", function: "echo", input: `{"a":1}`, check: func(t *testing.T, h *harness, arn string) {
			desc := h.describe(arn)
			assert.Equal(t, types.ExecutionStatusSucceeded, desc.Status)
			assert.JSONEq(t, `{"a":1}`, aws.ToString(desc.Output))
		}},
		{name: "function error", function: "fail", input: `{}`, check: func(t *testing.T, h *harness, arn string) {
			desc := h.describe(arn)
			assert.Equal(t, types.ExecutionStatusFailed, desc.Status)
			assert.Equal(t, "MasExecutionError", aws.ToString(desc.Error))
		}},
		{name: "no such function", function: "missing", input: `{}`, check: func(t *testing.T, h *harness, arn string) {
			desc := h.describe(arn)
			assert.Equal(t, types.ExecutionStatusFailed, desc.Status)
			assert.Equal(t, "Lambda.ResourceNotFoundException", aws.ToString(desc.Error))
			assert.Contains(t, eventTypes(h.history(arn, 0, false)), types.HistoryEventTypeLambdaFunctionFailed)
		}},
	}
	for name, inv := range invokers(t, reg) {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				h := newHarnessWith(t, reg, inv, instantClock{})
				machine := h.create("wf", taskMachine(reg.ARN(tc.function)))
				arn := aws.ToString(h.run(machine, "run-1", tc.input).ExecutionArn)
				tc.check(t, h, arn)
			})
		}
	}
}
