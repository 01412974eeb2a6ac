package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/controlplane"
	"github.com/mie-go/mie-go/internal/dataplane"
	"github.com/mie-go/mie-go/internal/sigv4"
)

const region = "us-east-1"

var callerKey = aws.Credentials{AccessKeyID: "AKIDGATEWAYTEST", SecretAccessKey: "gateway-secret"}

// apis are the route tables of both MIE APIs, from handlers that are never called.
func apis(t *testing.T) map[string]*apigw.Router {
	t.Helper()
	workflow, err := controlplane.New(controlplane.Config{}, controlplane.Clients{}, nil)
	require.NoError(t, err)
	data, err := dataplane.New(dataplane.Config{}, nil, nil, nil)
	require.NoError(t, err)
	return map[string]*apigw.Router{"workflow": workflow.Router(), "dataplane": data.Router()}
}

// recorder is a Function that keeps the events it receives and answers with a fixed payload or error.
type recorder struct {
	mu      sync.Mutex
	events  [][]byte
	payload string
	err     error
}

func (r *recorder) function(_ context.Context, event []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	return []byte(r.payload), r.err
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// lastEvent decodes the last event received into a generic map, to check members and nulls as sent.
func (r *recorder) lastEvent(t *testing.T) map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.events)
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.events[len(r.events)-1], &m))
	return m
}

func serve(t *testing.T, table RouteTable, fn Function, optFns ...func(*Options)) string {
	t.Helper()
	server := httptest.NewServer(New(table, fn, sigv4.New(sigv4.StaticCredentials(callerKey), region), optFns...))
	t.Cleanup(server.Close)
	return server.URL
}

// concrete fills the variables of a resource template.
func concrete(template string) string {
	var b strings.Builder
	for _, seg := range splitPath(template) {
		b.WriteString("/")
		if _, ok := variable(seg); ok {
			b.WriteString("x1")
		} else {
			b.WriteString(seg)
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// signed returns a request signed with creds at the given time.
func signed(t *testing.T, method, url string, body []byte, creds aws.Credentials, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	sum := sha256.Sum256(body)
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), sigv4.ServiceExecuteAPI, region, at))
	return req
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func message(t *testing.T, body string) string {
	t.Helper()
	var m struct{ Message string }
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	return m.Message
}

func TestRefusedSignaturesOnEveryIAMRoute(t *testing.T) {
	cases := []struct {
		name    string
		request func(t *testing.T, method, url string) *http.Request
		message string // exact, or the prefix when prefix is set
		prefix  bool
		errType string
	}{
		{
			name: "unsigned",
			request: func(t *testing.T, method, url string) *http.Request {
				req, err := http.NewRequest(method, url, nil)
				require.NoError(t, err)
				return req
			},
			message: "Missing Authentication Token",
			errType: "MissingAuthenticationTokenException",
		},
		{
			name: "unknown access key",
			request: func(t *testing.T, method, url string) *http.Request {
				return signed(t, method, url, nil, aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: "x"}, time.Now())
			},
			message: "The security token included in the request is invalid.",
			errType: "UnrecognizedClientException",
		},
		{
			name: "wrong secret",
			request: func(t *testing.T, method, url string) *http.Request {
				return signed(t, method, url, nil, aws.Credentials{AccessKeyID: callerKey.AccessKeyID, SecretAccessKey: "wrong"}, time.Now())
			},
			message: sigv4.MessageSignatureMismatch,
			prefix:  true,
			errType: "InvalidSignatureException",
		},
		{
			name: "expired",
			request: func(t *testing.T, method, url string) *http.Request {
				return signed(t, method, url, nil, callerKey, time.Now().Add(-10*time.Minute))
			},
			message: "Signature expired: ",
			prefix:  true,
			errType: "InvalidSignatureException",
		},
	}
	for api, router := range apis(t) {
		fn := &recorder{}
		base := serve(t, router, fn.function) + "/api"
		iamRoutes := 0
		for _, route := range router.Routes() {
			if !route.IAM {
				continue
			}
			iamRoutes++
			for _, tc := range cases {
				t.Run(api+" "+route.Method+" "+route.Resource+" "+tc.name, func(t *testing.T) {
					resp, body := do(t, tc.request(t, route.Method, base+concrete(route.Resource)))
					assert.Equal(t, http.StatusForbidden, resp.StatusCode)
					assert.Equal(t, tc.errType, resp.Header.Get("x-amzn-ErrorType"))
					if tc.prefix {
						assert.True(t, strings.HasPrefix(message(t, body), tc.message), body)
					} else {
						assert.Equal(t, tc.message, message(t, body))
					}
				})
			}
		}
		assert.Positive(t, iamRoutes, api)
		assert.Zero(t, fn.calls(), "%s: no refused request reaches the function", api)
	}
}

func TestSignedRequestsReachTheFunction(t *testing.T) {
	for api, router := range apis(t) {
		fn := &recorder{payload: `{"statusCode": 200, "body": "{}"}`}
		base := serve(t, router, fn.function) + "/api"
		for _, route := range router.Routes() {
			resp, _ := do(t, signed(t, route.Method, base+concrete(route.Resource), nil, callerKey, time.Now()))
			assert.Equal(t, http.StatusOK, resp.StatusCode, "%s %s %s", api, route.Method, route.Resource)
			assert.Equal(t, route.Resource, fn.lastEvent(t)["resource"])
		}
		assert.Equal(t, len(router.Routes()), fn.calls())
	}
}

func TestPreflight(t *testing.T) {
	for api, router := range apis(t) {
		base := serve(t, router, (&recorder{}).function) + "/api"
		seen := map[string]bool{}
		for _, route := range router.Routes() {
			if seen[route.Resource] {
				continue
			}
			seen[route.Resource] = true
			req, err := http.NewRequest(http.MethodOptions, base+concrete(route.Resource), nil)
			require.NoError(t, err)
			resp, body := do(t, req)
			if !route.CORS {
				assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s: %s has no OPTIONS method", api, route.Resource)
				assert.Equal(t, "Missing Authentication Token", message(t, body))
				continue
			}
			assert.Equal(t, http.StatusOK, resp.StatusCode, route.Resource)
			assert.Empty(t, body)
			assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
			assert.Equal(t, "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key", resp.Header.Get("Access-Control-Allow-Headers"))
			assert.Equal(t, router.CORSAllowMethods(route.Resource), resp.Header.Get("Access-Control-Allow-Methods"))
		}
	}
	// Spot checks against infrastructure §3.3 and §4.
	cases := []struct{ api, path, methods string }{
		{"workflow", "/workflow", "POST,PUT,GET,OPTIONS"},
		{"workflow", "/workflow/x1", "GET,DELETE,OPTIONS"},
		{"workflow", "/system/configuration", "POST,GET,OPTIONS"},
		{"dataplane", "/metadata/x1", "POST,GET,DELETE,OPTIONS"},
		{"dataplane", "/metadata/x1/x2", "GET,DELETE,OPTIONS"},
	}
	routers := apis(t)
	for _, tc := range cases {
		base := serve(t, routers[tc.api], (&recorder{}).function) + "/api"
		req, err := http.NewRequest(http.MethodOptions, base+tc.path, nil)
		require.NoError(t, err)
		resp, _ := do(t, req)
		assert.Equal(t, tc.methods, resp.Header.Get("Access-Control-Allow-Methods"), tc.path)
	}
}

func TestMissingAuthenticationToken(t *testing.T) {
	router := apis(t)["workflow"]
	fn := &recorder{payload: `{"statusCode": 200}`}
	url := serve(t, router, fn.function)
	cases := []struct{ name, method, path string }{
		{"unknown resource", http.MethodGet, "/api/nothing/here"},
		{"too many segments", http.MethodGet, "/api/workflow/a/b/c/d"},
		{"unsupported method", http.MethodPatch, "/api/workflow"},
		{"method of another resource", http.MethodPost, "/api/workflow/x1"},
		{"another stage", http.MethodGet, "/prod/workflow"},
		{"no stage", http.MethodGet, "/"},
		{"options on the root", http.MethodOptions, "/api/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, signed(t, tc.method, url+tc.path, nil, callerKey, time.Now()))
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			assert.Equal(t, `{"message":"Missing Authentication Token"}`, body)
			assert.Equal(t, "MissingAuthenticationTokenException", resp.Header.Get("x-amzn-ErrorType"))
			assert.NotEmpty(t, resp.Header.Get("x-amzn-RequestId"))
		})
	}
	assert.Zero(t, fn.calls())
}

// table is a route table written for a test.
type table []apigw.Route

func (tb table) Routes() []apigw.Route { return tb }

func (tb table) CORSAllowMethods(string) string { return "GET,OPTIONS" }

func TestLiteralSegmentsWinOverVariables(t *testing.T) {
	noop := func(context.Context, *apigw.Request) (any, error) { return nil, nil }
	routes := table{
		{Method: http.MethodGet, Resource: "/workflow/{name}", Handler: noop},
		{Method: http.MethodGet, Resource: "/workflow/execution", Handler: noop},
		{Method: http.MethodGet, Resource: "/workflow/execution/{id}", Handler: noop},
		{Method: http.MethodGet, Resource: "/workflow/execution/status/{status}", Handler: noop},
		{Method: http.MethodGet, Resource: "/{a}/{b}/status/{c}", Handler: noop},
	}
	fn := &recorder{payload: `{"statusCode": 200}`}
	url := serve(t, routes, fn.function) + "/api"
	cases := []struct{ path, resource string }{
		{"/workflow/execution", "/workflow/execution"},
		{"/workflow/other", "/workflow/{name}"},
		{"/workflow/execution/e1", "/workflow/execution/{id}"},
		{"/workflow/execution/status/Queued", "/workflow/execution/status/{status}"},
		{"/other/execution/status/Queued", "/{a}/{b}/status/{c}"},
		{"//workflow//execution/", "/workflow/execution"},
		{"/workflow/execution%2Fstatus", "/workflow/{name}"},
		{"/workflow/execution/status/a%20b%2F", "/workflow/execution/status/{status}"},
	}
	for _, tc := range cases {
		resp, _ := do(t, signed(t, http.MethodGet, url+tc.path, nil, callerKey, time.Now()))
		require.Equal(t, http.StatusOK, resp.StatusCode, tc.path)
		assert.Equal(t, tc.resource, fn.lastEvent(t)["resource"], tc.path)
	}
	ev := fn.lastEvent(t)
	assert.Equal(t, map[string]any{"status": "a b/"}, ev["pathParameters"], "path parameters are decoded")
}

func TestProxyEvent(t *testing.T) {
	router := apis(t)["dataplane"]
	fn := &recorder{payload: `{"statusCode": 200}`}
	now := time.Date(2026, 11, 25, 10, 4, 5, 0, time.UTC)
	url := serve(t, router, fn.function, func(o *Options) { o.Now = func() time.Time { return now } })

	t.Run("IAM route with query and merged slashes", func(t *testing.T) {
		req := signed(t, http.MethodGet, url+"/api//metadata/asset%201/labelDetection?cursor=abc&x=1&x=2&flag", nil, callerKey, time.Now())
		req.Header.Add("X-Custom", "one")
		req.Header.Add("X-Custom", "two")
		resp, _ := do(t, req)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		ev := fn.lastEvent(t)
		assert.Equal(t, "/metadata/{asset_id}/{operator_name}", ev["resource"])
		assert.Equal(t, "/metadata/asset 1/labelDetection", ev["path"])
		assert.Equal(t, "GET", ev["httpMethod"])
		assert.Equal(t, map[string]any{"asset_id": "asset 1", "operator_name": "labelDetection"}, ev["pathParameters"])
		assert.Equal(t, map[string]any{"cursor": "abc", "x": "2", "flag": ""}, ev["queryStringParameters"])
		assert.Equal(t, map[string]any{"cursor": []any{"abc"}, "x": []any{"1", "2"}, "flag": []any{""}}, ev["multiValueQueryStringParameters"])
		assert.Nil(t, ev["stageVariables"])
		assert.Nil(t, ev["body"])
		assert.Equal(t, false, ev["isBase64Encoded"])
		headers := ev["headers"].(map[string]any)
		assert.Equal(t, "two", headers["X-Custom"])
		assert.Equal(t, req.Host, headers["Host"])
		assert.Contains(t, headers["Authorization"], "AWS4-HMAC-SHA256 Credential="+callerKey.AccessKeyID)
		assert.Equal(t, []any{"one", "two"}, ev["multiValueHeaders"].(map[string]any)["X-Custom"])

		rc := ev["requestContext"].(map[string]any)
		assert.Equal(t, "/metadata/{asset_id}/{operator_name}", rc["resourcePath"])
		assert.Equal(t, "/api/metadata/asset 1/labelDetection", rc["path"])
		assert.Equal(t, "GET", rc["httpMethod"])
		assert.Equal(t, "api", rc["stage"])
		assert.Equal(t, "25/Nov/2026:10:04:05 +0000", rc["requestTime"])
		assert.Equal(t, float64(now.UnixMilli()), rc["requestTimeEpoch"])
		assert.Equal(t, resp.Header.Get("x-amzn-RequestId"), rc["requestId"])
		assert.Equal(t, "123456789012", rc["accountId"])
		assert.Len(t, rc["resourceId"], 6)
		identity := rc["identity"].(map[string]any)
		assert.Equal(t, callerKey.AccessKeyID, identity["accessKey"])
		assert.Equal(t, "123456789012", identity["accountId"])
		assert.Equal(t, "127.0.0.1", identity["sourceIp"])
		assert.Equal(t, "Go-http-client/1.1", identity["userAgent"])
		assert.Contains(t, identity, "cognitoIdentityId")
		assert.Nil(t, identity["cognitoIdentityId"])
	})

	t.Run("no query string and no path parameters", func(t *testing.T) {
		resp, _ := do(t, signed(t, http.MethodGet, url+"/api/metadata", nil, callerKey, time.Now()))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		ev := fn.lastEvent(t)
		assert.Contains(t, ev, "queryStringParameters")
		assert.Nil(t, ev["queryStringParameters"])
		assert.Nil(t, ev["multiValueQueryStringParameters"])
		assert.Nil(t, ev["pathParameters"])
	})

	t.Run("JSON body as text", func(t *testing.T) {
		req := signed(t, http.MethodPost, url+"/api/create", []byte(`{"Name": "x"}`), callerKey, time.Now())
		req.Header.Set("Content-Type", "application/json")
		resp, _ := do(t, req)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		ev := fn.lastEvent(t)
		assert.Equal(t, `{"Name": "x"}`, ev["body"])
		assert.Equal(t, false, ev["isBase64Encoded"])
	})

	t.Run("binary body base64-encoded", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, url+"/api/create", bytes.NewReader([]byte{0xff, 0x00, 0x01}))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "image/png")
		sum := sha256.Sum256([]byte{0xff, 0x00, 0x01})
		require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), callerKey, req, hex.EncodeToString(sum[:]), sigv4.ServiceExecuteAPI, region, time.Now()))
		resp, _ := do(t, req)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		ev := fn.lastEvent(t)
		assert.Equal(t, "/wAB", ev["body"])
		assert.Equal(t, true, ev["isBase64Encoded"])
	})

	t.Run("unauthenticated root has no IAM identity", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, url+"/api", nil)
		require.NoError(t, err)
		resp, _ := do(t, req)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		ev := fn.lastEvent(t)
		assert.Equal(t, "/", ev["resource"])
		assert.Equal(t, "/", ev["path"])
		identity := ev["requestContext"].(map[string]any)["identity"].(map[string]any)
		assert.Nil(t, identity["accessKey"])
		assert.Nil(t, identity["accountId"])
	})
}

func TestProxyResponse(t *testing.T) {
	router := apis(t)["workflow"]
	cases := []struct {
		name      string
		payload   string
		err       error
		status    int
		body      string
		headers   map[string][]string
		errorType string
	}{
		{
			name:    "status, headers and body",
			payload: `{"statusCode": 201, "headers": {"Content-Type": "text/plain", "X-One": "1"}, "body": "created"}`,
			status:  201, body: "created",
			headers: map[string][]string{"Content-Type": {"text/plain"}, "X-One": {"1"}},
		},
		{
			name:    "multiValueHeaders win over headers of the same name",
			payload: `{"statusCode": 200, "headers": {"X-A": "single", "X-B": "b"}, "multiValueHeaders": {"X-A": ["m1", "m2"]}, "body": "{}"}`,
			status:  200, body: "{}",
			headers: map[string][]string{"X-A": {"m1", "m2"}, "X-B": {"b"}, "Content-Type": {"application/json"}},
		},
		{
			name:    "base64 body decoded",
			payload: `{"statusCode": 200, "headers": {"Content-Type": "image/png"}, "body": "/wABAQ==", "isBase64Encoded": true}`,
			status:  200, body: "\xff\x00\x01\x01",
		},
		{
			name:    "no body",
			payload: `{"statusCode": 204}`,
			status:  204, body: "",
		},
		{
			name:   "function error",
			err:    errors.New("Unhandled"),
			status: 502, body: `{"message": "Internal server error"}`, errorType: "InternalServerErrorException",
		},
		{
			name:    "malformed: not JSON",
			payload: `hello`,
			status:  502, body: `{"message": "Internal server error"}`, errorType: "InternalServerErrorException",
		},
		{
			name:    "malformed: no statusCode",
			payload: `{"body": "x"}`,
			status:  502, body: `{"message": "Internal server error"}`, errorType: "InternalServerErrorException",
		},
		{
			name:    "malformed: unknown member",
			payload: `{"statusCode": 200, "extra": 1}`,
			status:  502, body: `{"message": "Internal server error"}`, errorType: "InternalServerErrorException",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fn := &recorder{payload: tc.payload, err: tc.err}
			url := serve(t, router, fn.function)
			resp, body := do(t, signed(t, http.MethodGet, url+"/api/workflow", nil, callerKey, time.Now()))
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.body, body)
			for k, v := range tc.headers {
				assert.Equal(t, v, resp.Header.Values(k), k)
			}
			assert.Equal(t, tc.errorType, resp.Header.Get("x-amzn-ErrorType"))
		})
	}
}

func TestIntegrationTimeout(t *testing.T) {
	router := apis(t)["workflow"]
	blocked := func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	url := serve(t, router, blocked, func(o *Options) { o.Timeout = time.Millisecond })
	resp, body := do(t, signed(t, http.MethodGet, url+"/api/workflow", nil, callerKey, time.Now()))
	assert.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
	assert.Equal(t, `{"message":"Endpoint request timed out"}`, body)
}

func TestHandlerFunctionPassesThroughJSON(t *testing.T) {
	var got apigw.Event
	fn := HandlerFunction(func(_ context.Context, e apigw.Event) (apigw.Response, error) {
		got = e
		return apigw.Response{StatusCode: 200, Headers: map[string]string{"A": "b"}, MultiValueHeaders: map[string][]string{}, Body: "ok"}, nil
	})
	out, err := fn(t.Context(), []byte(`{"resource": "/x", "requestContext": {"resourcePath": "/x", "requestTime": "25/Nov/2026:10:04:05 +0000"}, "body": null}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"statusCode": 200, "headers": {"A": "b"}, "multiValueHeaders": {}, "body": "ok"}`, string(out))
	assert.Equal(t, "/x", got.RequestContext.ResourcePath)
	assert.Equal(t, "25/Nov/2026:10:04:05 +0000", got.RequestContext.RequestTime.String())

	failing := HandlerFunction(func(context.Context, apigw.Event) (apigw.Response, error) {
		return apigw.Response{}, errors.New("boom")
	})
	_, err = failing(t.Context(), []byte(`{}`))
	assert.EqualError(t, err, "boom")
}
