package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

// The results of the single-shot golden store: floats, non-ASCII text, characters encoding/json would escape.
func goldenResults() map[string]any {
	return map[string]any{
		"Labels": []any{map[string]any{"Label": map[string]any{"Confidence": 98.5, "Name": "Person"}, "Timestamp": 0}},
		"Note":   "café ☕ 😀 <a&b> \"q\" /",
		"Ratio":  2.0,
		"Small":  1e-05,
	}
}

const goldenCursor = "eyJuZXh0IjogeyJNZWRpYWluZm8iOiAicCJ9fQ=="

// SDK-11, SDK-13, SDK-14, SDK-15, SDK-16, SDK-22: every request event is byte for byte the one the original helper
// sends for the same call. The golden files were recorded from the original Python helper with the same clock and
// UUID.
func TestRequestEventsMatchOriginal(t *testing.T) {
	empty := map[string]any{"Labels": []any{}}
	cases := []struct {
		golden string
		call   func(ctx context.Context, dp *DataPlane) (*Response, error)
		post   bool
	}{
		{"event_create_asset.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.CreateAsset(ctx, "Video", "mie-dataplane-1a2b3c", "upload/keynote.mp4")
		}, true},
		{"event_store_single.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.StoreAssetMetadata(ctx, testAsset, "labelDetection", testWorkflow, goldenResults(), false, false)
		}, true},
		{"event_store_page.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.StoreAssetMetadata(ctx, testAsset, "labelDetection", testWorkflow, empty, true, false)
		}, true},
		{"event_store_last_page.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.StoreAssetMetadata(ctx, testAsset, "labelDetection", testWorkflow, empty, true, true)
		}, true},
		{"event_store_end_only.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.StoreAssetMetadata(ctx, testAsset, "labelDetection", testWorkflow, empty, false, true)
		}, true},
		{"event_retrieve_asset.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.RetrieveAssetMetadata(ctx, testAsset, "", "")
		}, false},
		{"event_retrieve_asset_cursor.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.RetrieveAssetMetadata(ctx, testAsset, "", goldenCursor)
		}, false},
		{"event_retrieve_operator.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.RetrieveAssetMetadata(ctx, testAsset, "Mediainfo", "")
		}, false},
		{"event_retrieve_operator_cursor.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.RetrieveAssetMetadata(ctx, testAsset, "Mediainfo", goldenCursor)
		}, false},
		{"event_mediapath.json", func(ctx context.Context, dp *DataPlane) (*Response, error) {
			return dp.GenerateMediaStoragePath(ctx, testAsset, testWorkflow)
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			rec := &recorder{payloads: []string{proxyResponse(200, `{"Status":"Success"}`)}}
			resp, err := tc.call(t.Context(), fixedDataPlane(t, rec))
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"Status": "Success"}, resp.Body)
			require.Len(t, rec.calls, 1)
			call := rec.calls[0]
			assert.Equal(t, string(golden(t, tc.golden)), string(call.in.Payload))
			assert.Equal(t, testFunction, call.functionName())
			assert.Equal(t, lambdatypes.InvocationTypeRequestResponse, call.in.InvocationType)
			assert.Equal(t, lambdatypes.LogTypeNone, call.in.LogType)
			// SDK-19: a POST is never retried automatically; a GET keeps the client's retries.
			if tc.post {
				assert.Equal(t, 1, call.options.RetryMaxAttempts)
			} else {
				assert.Zero(t, call.options.RetryMaxAttempts)
			}
		})
	}
}

// SDK-14: the paginate/end mapping of the original, as the event's two query fields show it.
func TestStoreAssetMetadataQueryMapping(t *testing.T) {
	cases := []struct {
		paginate, end bool
		single        any
		multi         any
	}{
		{false, false, nil, nil},
		{true, false, map[string]any{"paginated": "true"}, map[string]any{"paginated": []any{"true"}}},
		{true, true, map[string]any{"paginated": "true", "end": "true"}, map[string]any{"paginated": []any{"true"}, "end": []any{"true"}}},
		{false, true, map[string]any{"end": "true"}, map[string]any{"end": []any{"true"}}},
	}
	for _, tc := range cases {
		rec := &recorder{payloads: []string{proxyResponse(200, `{"Status":"Success"}`)}}
		_, err := fixedDataPlane(t, rec).StoreAssetMetadata(t.Context(), testAsset, "op", testWorkflow, map[string]any{}, tc.paginate, tc.end)
		require.NoError(t, err)
		ev := rec.event(t, 0)
		assert.Equal(t, tc.single, ev["queryStringParameters"], "paginate=%v end=%v", tc.paginate, tc.end)
		assert.Equal(t, tc.multi, ev["multiValueQueryStringParameters"], "paginate=%v end=%v", tc.paginate, tc.end)
	}
}

// SDK-15: an empty operator name or cursor counts as absent, as the original's truthiness test did.
func TestRetrieveAssetMetadataOptionalArguments(t *testing.T) {
	cases := []struct {
		operator, cursor string
		resource, path   string
		query            any
	}{
		{"", "", "/metadata/{asset_id}", "/metadata/A", nil},
		{"op", "", "/metadata/{asset_id}/{operator_name}", "/metadata/A/op", nil},
		{"", "c1", "/metadata/{asset_id}", "/metadata/A", map[string]any{"cursor": "c1"}},
		{"op", "c1", "/metadata/{asset_id}/{operator_name}", "/metadata/A/op", map[string]any{"cursor": "c1"}},
	}
	for _, tc := range cases {
		rec := &recorder{payloads: []string{proxyResponse(200, `{}`)}}
		_, err := fixedDataPlane(t, rec).RetrieveAssetMetadata(t.Context(), "A", tc.operator, tc.cursor)
		require.NoError(t, err)
		ev := rec.event(t, 0)
		assert.Equal(t, tc.resource, ev["resource"])
		assert.Equal(t, tc.path, ev["path"])
		assert.Equal(t, tc.query, ev["queryStringParameters"])
		assert.Equal(t, "null", ev["body"])
	}
}

// SDK-12: the payload is decoded, then its body; the status is exposed; what is not an API response is an error.
func TestResponseHandling(t *testing.T) {
	notFound := `{"Code":"NotFoundError","Message":"Exception occurred while verifying asset exists: A does not exist"}`
	cases := []struct {
		name      string
		out       *lambda.InvokeOutput
		invokeErr error
		status    int
		body      map[string]any
		apiErr    *APIError
		errText   string
	}{
		{name: "success", out: &lambda.InvokeOutput{Payload: []byte(proxyResponse(200, `{"Status":"Success","Bucket":"b","Key":"k"}`))},
			status: 200, body: map[string]any{"Status": "Success", "Bucket": "b", "Key": "k"}},
		{name: "number spellings kept", out: &lambda.InvokeOutput{Payload: []byte(proxyResponse(200, `{"n":1.50,"big":123456789012345678901234567890}`))},
			status: 200, body: map[string]any{"n": json.Number("1.50"), "big": json.Number("123456789012345678901234567890")}},
		{name: "error body returned, not raised", out: &lambda.InvokeOutput{Payload: []byte(proxyResponse(404, notFound))},
			status: 404, body: map[string]any{"Code": "NotFoundError", "Message": "Exception occurred while verifying asset exists: A does not exist"},
			apiErr: &APIError{StatusCode: 404, Code: "NotFoundError", Message: "Exception occurred while verifying asset exists: A does not exist"}},
		{name: "function error", out: &lambda.InvokeOutput{FunctionError: aws.String("Unhandled"),
			Payload: []byte(`{"errorMessage":"RequestId: 1 Error: Task timed out after 120.00 seconds","errorType":"Sandbox.Timedout"}`)},
			errText: "data plane function failed: Sandbox.Timedout: RequestId: 1 Error: Task timed out after 120.00 seconds"},
		{name: "function error without payload", out: &lambda.InvokeOutput{FunctionError: aws.String("Unhandled"), Payload: []byte(`boom`)},
			errText: "data plane function failed: Unhandled: boom"},
		{name: "no body", out: &lambda.InvokeOutput{Payload: []byte(`{"statusCode":200}`)},
			errText: "data plane function returned a proxy response without a body"},
		{name: "payload not an object", out: &lambda.InvokeOutput{Payload: []byte(`"hello"`)},
			errText: "data plane function returned a payload that is not a proxy response"},
		{name: "body not JSON", out: &lambda.InvokeOutput{Payload: []byte(proxyResponse(200, `hello`))},
			errText: "data plane answered 200 with a body that is not JSON"},
		{name: "body not an object", out: &lambda.InvokeOutput{Payload: []byte(proxyResponse(200, `["a"]`))},
			errText: "data plane answered 200 with a body that is not a JSON object but list"},
		{name: "invoke fails", invokeErr: errors.New("connection refused"),
			errText: "invoke data plane function mie-dataplane-api: connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := invokeFunc(func(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
				return tc.out, tc.invokeErr
			})
			resp, err := fixedDataPlane(t, fake).GenerateMediaStoragePath(t.Context(), "A", "W")
			if tc.errText != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.errText)
				if tc.out != nil && tc.out.FunctionError != nil {
					var fe *FunctionError
					assert.ErrorAs(t, err, &fe)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.body, resp.Body)
			if tc.apiErr == nil {
				assert.NoError(t, resp.Err())
			} else {
				assert.Equal(t, tc.apiErr, resp.Err())
			}
		})
	}
}

// SDK-12: the convenience accessors read the body as operators do.
func TestResponseAccessors(t *testing.T) {
	r := &Response{StatusCode: 200, Body: map[string]any{"Status": "Success", "Key": "k", "n": json.Number("1")}}
	assert.True(t, r.Success())
	assert.Equal(t, "k", r.StringField("Key"))
	assert.Equal(t, "", r.StringField("n"))
	assert.Equal(t, "", r.StringField("missing"))
	assert.False(t, (&Response{Body: map[string]any{"Status": "Failed"}}).Success())
	assert.False(t, (&Response{Body: map[string]any{}}).Success())
	gw := &Response{StatusCode: 403, Body: map[string]any{"message": "Missing Authentication Token"}}
	assert.EqualError(t, gw.Err(), "data plane answered 403: Missing Authentication Token")
}

// SDK-11: the function comes from WithFunctionName, else from the lookup's DataplaneEndpoint; neither is an error.
func TestNewDataPlaneConfiguration(t *testing.T) {
	rec := &recorder{payloads: []string{proxyResponse(200, `{}`)}}
	lookup := func(k string) string { return map[string]string{"DataplaneEndpoint": "from-lookup"}[k] }

	dp, err := NewDataPlane(t.Context(), lookup, WithLambdaClient(rec))
	require.NoError(t, err)
	_, err = dp.GenerateMediaStoragePath(t.Context(), "A", "W")
	require.NoError(t, err)
	assert.Equal(t, "from-lookup", rec.calls[0].functionName())

	dp, err = NewDataPlane(t.Context(), lookup, WithLambdaClient(rec), WithFunctionName("from-option"))
	require.NoError(t, err)
	_, err = dp.GenerateMediaStoragePath(t.Context(), "A", "W")
	require.NoError(t, err)
	assert.Equal(t, "from-option", rec.calls[1].functionName())

	_, err = NewDataPlane(t.Context(), func(string) string { return "" }, WithLambdaClient(rec))
	assert.EqualError(t, err, "data plane client: DataplaneEndpoint is not set")
	_, err = NewDataPlane(t.Context(), nil)
	assert.Error(t, err)
}

// SDK-19: the Lambda client built from the lookup waits longer than the data plane function may run.
func TestBuiltClientTimeout(t *testing.T) {
	lookup := func(k string) string {
		return map[string]string{"DataplaneEndpoint": "f", "AWS_REGION": "us-east-1",
			"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}[k]
	}
	dp, err := NewDataPlane(t.Context(), lookup)
	require.NoError(t, err)
	client := dp.t.(*lambdaTransport).client.(*lambda.Client)
	hc, ok := client.Options().HTTPClient.(*awshttp.BuildableClient)
	require.True(t, ok)
	assert.Equal(t, invokeTimeout, hc.GetTimeout())
	assert.Greater(t, invokeTimeout, 120*time.Second)
}

// SDK-19: each call builds its own event (no shared template): concurrent calls each send their own request with
// a fresh requestId.
func TestEventPerCall(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	fake := invokeFunc(func(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
		var ev struct {
			Path           string `json:"path"`
			RequestContext struct {
				RequestID string `json:"requestId"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(in.Payload, &ev); err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		seen[ev.RequestContext.RequestID] = ev.Path
		return &lambda.InvokeOutput{Payload: []byte(proxyResponse(200, `{}`))}, nil
	})
	dp, err := NewDataPlane(t.Context(), nil, WithLambdaClient(fake), WithFunctionName("f"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for _, asset := range []string{"a1", "a2", "a3", "a4"} {
		wg.Go(func() {
			_, err := dp.RetrieveAssetMetadata(context.Background(), asset, "", "")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	require.Len(t, seen, 4)
	paths := map[string]bool{}
	for id, p := range seen {
		assert.Regexp(t, `^lambda_[0-9a-f]{12}$`, id)
		paths[p] = true
	}
	assert.Equal(t, map[string]bool{"/metadata/a1": true, "/metadata/a2": true, "/metadata/a3": true, "/metadata/a4": true}, paths)
}

// noBackoff retries at once, so that the retry test never sleeps.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// SDK-19: against a Lambda endpoint that fails every call with a retryable error, a GET is retried by the client
// and a POST is sent once.
func TestNoAutomaticRetryForPost(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("X-Amzn-ErrorType", "ServiceException")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"Type":"Service","message":"try again"}`))
	}))
	t.Cleanup(srv.Close)
	client := lambda.New(lambda.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = noBackoff{}
		}),
	})
	dp, err := NewDataPlane(t.Context(), nil, WithLambdaClient(client), WithFunctionName("f"))
	require.NoError(t, err)

	_, err = dp.GenerateMediaStoragePath(t.Context(), "A", "W")
	require.Error(t, err)
	assert.Equal(t, int32(3), calls.Load(), "GET")

	calls.Store(0)
	_, err = dp.StoreAssetMetadata(t.Context(), "A", "op", "W", map[string]any{}, true, false)
	require.Error(t, err)
	assert.Equal(t, int32(1), calls.Load(), "POST")
}

// SDK-19: botoConfig's user-agent suffix reaches the Lambda Invoke request, which goes to AWS_ENDPOINT_URL_LAMBDA.
func TestUserAgentFromBotoConfig(t *testing.T) {
	reg := lambdainvoke.NewRegistry("us-east-1", "123456789012")
	reg.RegisterFunc("dp", func(context.Context, json.RawMessage) (map[string]any, error) {
		return map[string]any{"statusCode": 200, "body": `{"ok":true}`}, nil
	})
	var agent string
	api := lambdainvoke.NewServer(reg)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent = r.Header.Get("User-Agent")
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{
		"DataplaneEndpoint": "dp", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
		"AWS_ENDPOINT_URL_LAMBDA": srv.URL, "botoConfig": `{"user_agent_extra": "AwsSolution/SO0163/v5.1.11"}`,
	}
	dp, err := NewDataPlane(t.Context(), func(k string) string { return env[k] })
	require.NoError(t, err)
	resp, err := dp.GenerateMediaStoragePath(t.Context(), "A", "W")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"ok": true}, resp.Body)
	assert.True(t, strings.HasSuffix(agent, " AwsSolution/SO0163/v5.1.11"), agent)
}
