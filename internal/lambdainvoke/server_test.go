package lambdainvoke_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

// serve starts the Invoke API over reg on 127.0.0.1 and returns its URL.
func serve(t testing.TB, reg *lambdainvoke.Registry) string {
	srv := httptest.NewServer(lambdainvoke.NewServer(reg))
	t.Cleanup(srv.Close)
	return srv.URL
}

// newClient returns the real SDK client pointed at the Invoke API over reg.
func newClient(t testing.TB, reg *lambdainvoke.Registry) *awslambda.Client {
	return awslambda.New(awslambda.Options{
		Region:           region,
		BaseEndpoint:     aws.String(serve(t, reg)),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// lambdaContexts records the Lambda context of each invocation of a handler.
type lambdaContexts struct {
	got []*lambdacontext.LambdaContext
}

func (l *lambdaContexts) handler(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	l.got = append(l.got, lc)
	return in, nil
}

func TestServerInvokeReturnsPayload(t *testing.T) {
	reg := newRegistry()
	var seen lambdaContexts
	reg.RegisterFunc("echo", seen.handler)
	client := newClient(t, reg)

	out, err := client.Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName: aws.String("echo"),
		Payload:      []byte(`{"hello":"world"}`),
	})
	require.NoError(t, err)
	assert.Equal(t, int32(http.StatusOK), out.StatusCode)
	assert.JSONEq(t, `{"hello":"world"}`, string(out.Payload))
	assert.Nil(t, out.FunctionError)
	assert.Nil(t, out.LogResult)
	assert.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
	require.Len(t, seen.got, 1)
	requestID, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	require.True(t, ok)
	assert.Equal(t, seen.got[0].AwsRequestID, requestID)
}

func TestServerFunctionErrors(t *testing.T) {
	tests := []struct {
		name           string
		handler        any
		wantType       string
		wantMessage    string
		wantStackTrace bool
	}{
		{
			name:     "MasExecutionError",
			handler:  func() error { return &MasExecutionError{Output: map[string]any{"Status": "Error"}} },
			wantType: "MasExecutionError", wantMessage: `{"Status":"Error"}`,
		},
		{
			name:     "errors.New",
			handler:  func() error { return errors.New("failed") },
			wantType: "errorString", wantMessage: "failed",
		},
		{
			name:     "panic",
			handler:  func() error { panic("boom") },
			wantType: "string", wantMessage: "boom", wantStackTrace: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			reg.RegisterFunc("f", tc.handler)

			out, err := newClient(t, reg).Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String("f")})
			require.NoError(t, err)
			assert.Equal(t, int32(http.StatusOK), out.StatusCode)
			assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
			var payload map[string]any
			require.NoError(t, json.Unmarshal(out.Payload, &payload))
			assert.Equal(t, tc.wantType, payload["errorType"])
			assert.Equal(t, tc.wantMessage, payload["errorMessage"])
			if tc.wantStackTrace {
				assert.NotEmpty(t, payload["stackTrace"])
			} else {
				assert.NotContains(t, payload, "stackTrace")
			}
		})
	}
}

func TestServerEventInvocation(t *testing.T) {
	reg := newRegistry()
	var seen lambdaContexts
	reg.RegisterFunc("f", seen.handler)

	out, err := newClient(t, reg).Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName:   aws.String("f"),
		InvocationType: types.InvocationTypeEvent,
		Payload:        []byte(`{"trigger":true}`),
	})
	require.NoError(t, err)
	assert.Equal(t, int32(http.StatusAccepted), out.StatusCode)
	assert.Empty(t, out.Payload)
	reg.Wait()
	require.Len(t, seen.got, 1)
	requestID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	assert.Equal(t, requestID, seen.got[0].AwsRequestID)
}

func TestServerEventInvocationRetriesFailures(t *testing.T) {
	var logs bytes.Buffer
	reg := newRegistry(
		lambdainvoke.WithLogger(slogJSON(&logs)),
		lambdainvoke.WithRetryDelay(func(int) time.Duration { return 0 }),
	)
	attempts := 0
	reg.RegisterFunc("f", func() error {
		attempts++
		return &MasExecutionError{}
	})

	out, err := newClient(t, reg).Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName:   aws.String("f"),
		InvocationType: types.InvocationTypeEvent,
	})
	require.NoError(t, err)
	assert.Equal(t, int32(http.StatusAccepted), out.StatusCode)
	reg.Wait()
	assert.Equal(t, 3, attempts)
	assert.Contains(t, logs.String(), `"level":"ERROR"`)
}

func TestServerDryRun(t *testing.T) {
	reg := newRegistry()
	called := false
	reg.RegisterFunc("f", func() error { called = true; return nil })

	out, err := newClient(t, reg).Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName:   aws.String("f"),
		InvocationType: types.InvocationTypeDryRun,
	})
	require.NoError(t, err)
	assert.Equal(t, int32(http.StatusNoContent), out.StatusCode)
	assert.Empty(t, out.Payload)
	reg.Wait()
	assert.False(t, called)
}

func TestServerUnknownFunction(t *testing.T) {
	for _, invocationType := range []types.InvocationType{"", types.InvocationTypeEvent, types.InvocationTypeDryRun} {
		t.Run(string(invocationType), func(t *testing.T) {
			_, err := newClient(t, newRegistry()).Invoke(context.Background(), &awslambda.InvokeInput{
				FunctionName:   aws.String("missing"),
				InvocationType: invocationType,
			})
			var nf *types.ResourceNotFoundException
			require.ErrorAs(t, err, &nf)
			assert.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing", aws.ToString(nf.Message))
			assert.Equal(t, "User", aws.ToString(nf.Type))
			assert.Equal(t, http.StatusNotFound, httpStatus(t, err))
		})
	}
}

func TestServerFunctionNameForms(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
	tests := []struct {
		name, function, qualifier, wantARN string
	}{
		{name: "name", function: "f", wantARN: arn},
		{name: "name with alias", function: "f:prod", wantARN: arn + ":prod"},
		{name: "full ARN", function: arn, wantARN: arn},
		{name: "full ARN with $LATEST", function: arn + ":$LATEST", wantARN: arn + ":$LATEST"},
		{name: "full ARN with alias", function: arn + ":prod", wantARN: arn + ":prod"},
		{name: "partial ARN", function: "123456789012:function:f", wantARN: arn},
		{name: "partial ARN with version", function: "123456789012:function:f:2", wantARN: arn + ":2"},
		{name: "Qualifier parameter", function: "f", qualifier: "$LATEST", wantARN: arn + ":$LATEST"},
		{name: "ARN and same Qualifier", function: arn + ":prod", qualifier: "prod", wantARN: arn + ":prod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			var seen lambdaContexts
			reg.RegisterFunc("f", seen.handler)
			in := &awslambda.InvokeInput{FunctionName: aws.String(tc.function), Payload: []byte(`1`)}
			if tc.qualifier != "" {
				in.Qualifier = aws.String(tc.qualifier)
			}

			out, err := newClient(t, reg).Invoke(context.Background(), in)
			require.NoError(t, err)
			assert.Equal(t, "1", string(out.Payload))
			require.Len(t, seen.got, 1)
			assert.Equal(t, tc.wantARN, seen.got[0].InvokedFunctionArn)
		})
	}
}

func TestServerRequestErrors(t *testing.T) {
	tests := []struct {
		name       string
		in         *awslambda.InvokeInput
		wantStatus int
		check      func(t *testing.T, err error)
	}{
		{
			name: "qualifier mismatch",
			in: &awslambda.InvokeInput{
				FunctionName: aws.String("f:prod"), Qualifier: aws.String("dev"),
			},
			wantStatus: http.StatusBadRequest,
			check: func(t *testing.T, err error) {
				var e *types.InvalidParameterValueException
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "The derived qualifier from the function name does not match the specified qualifier.",
					aws.ToString(e.Message))
			},
		},
		{
			name:       "payload not JSON",
			in:         &awslambda.InvokeInput{FunctionName: aws.String("f"), Payload: []byte("hello world")},
			wantStatus: http.StatusBadRequest,
			check: func(t *testing.T, err error) {
				var e *types.InvalidRequestContentException
				require.ErrorAs(t, err, &e)
				assert.True(t, strings.HasPrefix(aws.ToString(e.Message),
					"Could not parse request body into json: Could not parse payload into json: "), aws.ToString(e.Message))
			},
		},
		{
			name: "RequestResponse payload over 6 MB",
			in: &awslambda.InvokeInput{
				FunctionName: aws.String("f"), Payload: bytes.Repeat([]byte(" "), lambdainvoke.MaxSyncPayload+1),
			},
			wantStatus: http.StatusRequestEntityTooLarge,
			check: func(t *testing.T, err error) {
				assertAPIError(t, err, "RequestEntityTooLargeException",
					"Request must be smaller than 6291456 bytes for the InvokeFunction operation")
			},
		},
		{
			name: "Event payload over 256 KB",
			in: &awslambda.InvokeInput{
				FunctionName: aws.String("f"), InvocationType: types.InvocationTypeEvent,
				Payload: bytes.Repeat([]byte(" "), lambdainvoke.MaxAsyncPayload+1),
			},
			wantStatus: http.StatusRequestEntityTooLarge,
			check: func(t *testing.T, err error) {
				assertAPIError(t, err, "RequestEntityTooLargeException",
					"262145 byte payload is too large for the Event invocation type (limit 262144 bytes)")
			},
		},
		{
			name: "Event payload over 6 MB",
			in: &awslambda.InvokeInput{
				FunctionName: aws.String("f"), InvocationType: types.InvocationTypeEvent,
				Payload: bytes.Repeat([]byte(" "), 7<<20),
			},
			wantStatus: http.StatusRequestEntityTooLarge,
			check: func(t *testing.T, err error) {
				assertAPIError(t, err, "RequestEntityTooLargeException",
					"7340032 byte payload is too large for the Event invocation type (limit 262144 bytes)")
			},
		},
		{
			name:       "malformed function name",
			in:         &awslambda.InvokeInput{FunctionName: aws.String("a.b:c.d")},
			wantStatus: http.StatusBadRequest,
			check: func(t *testing.T, err error) {
				var apiErr smithy.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "ValidationException", apiErr.ErrorCode())
				assert.Contains(t, apiErr.ErrorMessage(), "Value 'a.b:c.d' at 'functionName' failed to satisfy constraint")
			},
		},
		{
			name:       "unknown invocation type",
			in:         &awslambda.InvokeInput{FunctionName: aws.String("f"), InvocationType: "Later"},
			wantStatus: http.StatusBadRequest,
			check: func(t *testing.T, err error) {
				assertAPIError(t, err, "ValidationException", "1 validation error detected: Value 'Later' at 'invocationType' "+
					"failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, Event, DryRun]")
			},
		},
		{
			name:       "unknown log type",
			in:         &awslambda.InvokeInput{FunctionName: aws.String("f"), LogType: "Head"},
			wantStatus: http.StatusBadRequest,
			check: func(t *testing.T, err error) {
				assertAPIError(t, err, "ValidationException", "1 validation error detected: Value 'Head' at 'logType' "+
					"failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			called := false
			reg.RegisterFunc("f", func() error { called = true; return nil })

			_, err := newClient(t, reg).Invoke(context.Background(), tc.in)
			require.Error(t, err)
			tc.check(t, err)
			assert.Equal(t, tc.wantStatus, httpStatus(t, err))
			reg.Wait()
			assert.False(t, called)
		})
	}
}

func TestServerResponseTooLarge(t *testing.T) {
	reg := newRegistry()
	reg.Register("big", handlerFunc(func(context.Context, []byte) ([]byte, error) {
		return bytes.Repeat([]byte("a"), lambdainvoke.MaxResponsePayload+1), nil
	}))

	out, err := newClient(t, reg).Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String("big")})
	require.NoError(t, err)
	assert.Equal(t, int32(http.StatusOK), out.StatusCode)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	assert.JSONEq(t, `{"errorType":"Function.ResponseSizeTooLarge",`+
		`"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}`, string(out.Payload))
}

func TestServerLogTail(t *testing.T) {
	tests := []struct {
		name     string
		handler  any
		wantLine string
	}{
		{"success", func() error { return nil }, ""},
		{"failure", func() error { return errors.New("bad") }, `{"errorMessage":"bad","errorType":"errorString"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry()
			reg.RegisterFunc("f", tc.handler)

			out, err := newClient(t, reg).Invoke(context.Background(), &awslambda.InvokeInput{
				FunctionName: aws.String("f"),
				LogType:      types.LogTypeTail,
			})
			require.NoError(t, err)
			require.NotNil(t, out.LogResult)
			raw, err := base64.StdEncoding.DecodeString(*out.LogResult)
			require.NoError(t, err)
			log := string(raw)
			requestID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
			assert.True(t, strings.HasPrefix(log, "START RequestId: "+requestID+" Version: $LATEST\n"), log)
			assert.Contains(t, log, "\nEND RequestId: "+requestID+"\n")
			assert.Contains(t, log, "\nREPORT RequestId: "+requestID+"\tDuration: ")
			if tc.wantLine != "" {
				assert.Contains(t, log, "\n"+tc.wantLine+"\n")
			}
		})
	}
}

func TestServerRawProtocol(t *testing.T) {
	reg := newRegistry()
	var seen lambdaContexts
	reg.RegisterFunc("f", seen.handler)
	base := serve(t, reg)

	tests := []struct {
		name, method, path string
		wantStatus         int
		wantErrorType      string
	}{
		{name: "invoke by escaped ARN", method: http.MethodPost,
			path:       "/2015-03-31/functions/" + url.PathEscape("arn:aws:lambda:us-east-1:123456789012:function:f") + "/invocations",
			wantStatus: http.StatusOK},
		{name: "wrong method", method: http.MethodGet, path: "/2015-03-31/functions/f/invocations",
			wantStatus: http.StatusNotFound, wantErrorType: "UnknownOperationException"},
		{name: "other operation", method: http.MethodGet, path: "/2015-03-31/functions/f",
			wantStatus: http.StatusNotFound, wantErrorType: "UnknownOperationException"},
		{name: "unknown path", method: http.MethodPost, path: "/nothing",
			wantStatus: http.StatusNotFound, wantErrorType: "UnknownOperationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen.got = nil
			req, err := http.NewRequestWithContext(context.Background(), tc.method, base+tc.path, strings.NewReader(`{}`))
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()

			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.Equal(t, tc.wantErrorType, resp.Header.Get("X-Amzn-ErrorType"))
			assert.NotEmpty(t, resp.Header.Get("X-Amzn-RequestId"))
			if tc.wantErrorType != "" {
				var body map[string]string
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
				assert.Equal(t, "User", body["Type"])
				return
			}
			assert.Equal(t, "$LATEST", resp.Header.Get("X-Amz-Executed-Version"))
			require.Len(t, seen.got, 1)
			assert.Equal(t, seen.got[0].AwsRequestID, resp.Header.Get("X-Amzn-RequestId"))
		})
	}
}

// assertAPIError checks the error code and message the SDK decoded from an error response.
func assertAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, code, apiErr.ErrorCode())
	assert.Equal(t, message, apiErr.ErrorMessage())
}

// httpStatus is the HTTP status of the response behind an SDK error.
func httpStatus(t *testing.T, err error) int {
	t.Helper()
	var respErr *awshttp.ResponseError
	require.ErrorAs(t, err, &respErr)
	return respErr.HTTPStatusCode()
}
