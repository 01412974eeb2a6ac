package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testRoutes mirrors the shape of the data plane table: an unauthenticated GET /, CORS routes with and without
// path variables, several methods on one resource.
func testRoutes(calls *[]string) []Route {
	record := func(name string, result any, err error) HandlerFunc {
		return func(_ context.Context, req *Request) (any, error) {
			*calls = append(*calls, name+" "+strings.Join(pathValues(req), ","))
			return result, err
		}
	}
	return []Route{
		{Method: http.MethodGet, Resource: "/", Handler: record("hello", map[string]string{"hello": "world"}, nil)},
		{Method: http.MethodPost, Resource: "/metadata/{asset_id}", IAM: true, CORS: true, Handler: record("post", map[string]any{"Status": "Success"}, nil)},
		{Method: http.MethodGet, Resource: "/metadata/{asset_id}", IAM: true, CORS: true, Handler: record("get", []any{"é", "<&>"}, nil)},
		{Method: http.MethodDelete, Resource: "/metadata/{asset_id}", IAM: true, CORS: true, Handler: record("delete", Text("Deleted asset: x"), nil)},
		{Method: http.MethodGet, Resource: "/metadata/{asset_id}/{operator_name}", IAM: true, CORS: true, Handler: record("op", nil, nil)},
		{Method: http.MethodDelete, Resource: "/metadata/{asset_id}/{operator_name}", IAM: true, CORS: true, Handler: record("delop", nil, NotFound("Unable to delete metadata, pointer does not exist for %s", "labels"))},
		{Method: http.MethodGet, Resource: "/boom", IAM: true, CORS: true, Handler: record("boom", nil, &Unhandled{Type: "KeyError", Message: "'vocabulary_name'"})},
		{Method: http.MethodGet, Resource: "/plain-error", IAM: true, CORS: true, Handler: record("plain", nil, errors.New("something broke"))},
		{Method: http.MethodGet, Resource: "/panic", IAM: true, CORS: true, Handler: func(context.Context, *Request) (any, error) { panic("bad") }},
		{Method: http.MethodPost, Resource: "/custom", IAM: true, CORS: true, Handler: record("custom", Custom{Status: 202, Headers: map[string]string{"X-A": "b"}, Body: map[string]int{"n": 1}}, nil)},
	}
}

func pathValues(req *Request) []string {
	var out []string
	for _, name := range PathVariables(req.Resource) {
		out = append(out, req.PathParam(name))
	}
	return out
}

func newTestRouter(t *testing.T, mode Mode) (*Router, *[]string) {
	t.Helper()
	var calls []string
	r, err := NewRouter(mode, testRoutes(&calls), nil)
	require.NoError(t, err)
	return r, &calls
}

func event(method, resource string, params map[string]string) Event {
	e := Event{PathParameters: params, Body: "null"}
	e.RequestContext.ResourcePath = resource
	e.RequestContext.HTTPMethod = method
	// The concrete path is deliberately wrong: routing must use the resource template only (CP-01, DP-01).
	e.Path = "/not/used"
	return e
}

var corsWant = map[string]string{
	"Access-Control-Allow-Origin":  "*",
	"Access-Control-Allow-Headers": "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key",
}

// CP-01, DP-01, DP-02, DP-03, DP-04: dispatch and every response shape of the framework.
func TestDispatch(t *testing.T) {
	asset := map[string]string{"asset_id": "a1"}
	both := map[string]string{"asset_id": "a1", "operator_name": "labels"}
	cases := []struct {
		name       string
		mode       Mode
		event      Event
		wantStatus int
		wantBody   string
		wantHdr    map[string]string
		wantCall   string
	}{
		{name: "GET / has no CORS headers", event: event("GET", "/", nil), wantStatus: 200, wantBody: `{"hello":"world"}`, wantHdr: map[string]string{}, wantCall: "hello "},
		{name: "POST with path variable", event: event("POST", "/metadata/{asset_id}", asset), wantStatus: 200, wantBody: `{"Status":"Success"}`, wantHdr: corsWant, wantCall: "post a1"},
		{name: "compact JSON escapes non-ASCII, not HTML", event: event("GET", "/metadata/{asset_id}", asset), wantStatus: 200, wantBody: `["\u00e9","<&>"]`, wantHdr: corsWant, wantCall: "get a1"},
		{name: "Text is sent verbatim", event: event("DELETE", "/metadata/{asset_id}", asset), wantStatus: 200, wantBody: `Deleted asset: x`, wantHdr: corsWant, wantCall: "delete a1"},
		{name: "nil result is JSON null", event: event("GET", "/metadata/{asset_id}/{operator_name}", both), wantStatus: 200, wantBody: `null`, wantHdr: corsWant, wantCall: "op a1,labels"},
		{name: "handled error keeps CORS", event: event("DELETE", "/metadata/{asset_id}/{operator_name}", both), wantStatus: 404,
			wantBody: `{"Code":"NotFoundError","Message":"Unable to delete metadata, pointer does not exist for labels"}`, wantHdr: corsWant, wantCall: "delop a1,labels"},
		{name: "custom status and headers", event: event("POST", "/custom", nil), wantStatus: 202, wantBody: `{"n":1}`,
			wantHdr: map[string]string{"X-A": "b", "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": corsWant["Access-Control-Allow-Headers"]}, wantCall: "custom "},
		{name: "405 lists the resource's methods in registration order", event: event("PUT", "/metadata/{asset_id}", asset), wantStatus: 405,
			wantBody: `{"Code":"MethodNotAllowedError","Message":"Unsupported method: PUT"}`, wantHdr: map[string]string{"Allow": "POST, GET, DELETE"}},
		{name: "405 with an empty Allow for an unknown resource", event: event("GET", "/nowhere", nil), wantStatus: 405,
			wantBody: `{"Code":"MethodNotAllowedError","Message":"Unsupported method: GET"}`, wantHdr: map[string]string{"Allow": ""}},
		{name: "no resourcePath", event: event("GET", "", nil), wantStatus: 500,
			wantBody: `{"Code":"InternalServerError","Message":"Unknown request."}`, wantHdr: map[string]string{}},
		{name: "null pathParameters is a generic 500 without CORS", event: event("GET", "/metadata/{asset_id}", nil), wantStatus: 500,
			wantBody: `{"Code":"InternalServerError","Message":"An internal server error occurred."}`, wantHdr: map[string]string{}},
		{name: "unhandled error, generic mode", event: event("GET", "/plain-error", nil), wantStatus: 500,
			wantBody: `{"Code":"InternalServerError","Message":"An internal server error occurred."}`, wantHdr: corsWant, wantCall: "plain "},
		{name: "panic, generic mode", event: event("GET", "/panic", nil), wantStatus: 500,
			wantBody: `{"Code":"InternalServerError","Message":"An internal server error occurred."}`, wantHdr: corsWant},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, calls := newTestRouter(t, tc.mode)
			resp, err := r.Handle(context.Background(), tc.event)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Equal(t, tc.wantBody, resp.Body)
			assert.Equal(t, tc.wantHdr, resp.Headers)
			assert.Equal(t, map[string][]string{}, resp.MultiValueHeaders)
			if tc.wantCall == "" {
				assert.Empty(t, *calls)
			} else {
				assert.Equal(t, []string{tc.wantCall}, *calls)
			}
		})
	}
}

// CP-02, Q-04: the workflow API's unhandled errors are text/plain with the Python-style last line.
func TestTracebackMode(t *testing.T) {
	cases := []struct {
		name     string
		event    Event
		lastLine string
		cors     bool
	}{
		{name: "typed unhandled error", event: event("GET", "/boom", nil), lastLine: "KeyError: 'vocabulary_name'", cors: true},
		{name: "plain Go error", event: event("GET", "/plain-error", nil), lastLine: "Exception: something broke", cors: true},
		{name: "panic", event: event("GET", "/panic", nil), lastLine: "Exception: bad", cors: true},
		{name: "missing path variable", event: event("GET", "/metadata/{asset_id}", map[string]string{}), lastLine: "TypeError: missing path parameter 'asset_id'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestRouter(t, TracebackErrors)
			resp, err := r.Handle(context.Background(), tc.event)
			require.NoError(t, err)
			assert.Equal(t, 500, resp.StatusCode)
			assert.Equal(t, "text/plain", resp.Headers["Content-Type"])
			lines := strings.Split(strings.TrimSuffix(resp.Body, "\n"), "\n")
			assert.Equal(t, "Traceback (most recent call last):", lines[0])
			assert.Equal(t, tc.lastLine, lines[len(lines)-1])
			_, hasCORS := resp.Headers["Access-Control-Allow-Origin"]
			assert.Equal(t, tc.cors, hasCORS)
		})
	}
}

// CP-02: each handled error class maps to its status.
func TestHandledErrorClasses(t *testing.T) {
	cases := []struct {
		err    *Error
		status int
		body   string
	}{
		{BadRequest("Missing required inputs for asset creation: %s", "'S3Key'"), 400, `{"Code":"BadRequestError","Message":"Missing required inputs for asset creation: 'S3Key'"}`},
		{NotFound("Exception: workflow '%s' not found", "wf"), 404, `{"Code":"NotFoundError","Message":"Exception: workflow 'wf' not found"}`},
		{Conflict("Workflow with Name %s already exists", "wf"), 409, `{"Code":"ConflictError","Message":"Workflow with Name wf already exists"}`},
		{ViewError("Exception '%s'", "boom"), 500, `{"Code":"ChaliceViewError","Message":"Exception 'boom'"}`},
	}
	for _, tc := range cases {
		t.Run(tc.err.Code, func(t *testing.T) {
			r, err := NewRouter(TracebackErrors, []Route{{Method: "GET", Resource: "/x", CORS: true,
				Handler: func(context.Context, *Request) (any, error) { return nil, tc.err }}}, nil)
			require.NoError(t, err)
			resp, _ := r.Handle(context.Background(), event("GET", "/x", nil))
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.body, resp.Body)
			assert.Equal(t, corsWant, resp.Headers)
		})
	}
}

// DP-04, CP-01: the framework's Content-Type rule, for every method.
func TestContentType(t *testing.T) {
	cases := []struct {
		headers map[string]string
		ok      bool
	}{
		{nil, true},
		{map[string]string{}, true},
		{map[string]string{"Content-Type": "application/json"}, true},
		{map[string]string{"content-type": "Application/JSON; charset=utf-8"}, true},
		{map[string]string{"CONTENT-TYPE": "text/plain, application/json"}, true},
		{map[string]string{"Content-Type": "*/*"}, true},
		{map[string]string{"Content-Type": "text/*/*"}, true},
		{map[string]string{"Content-Type": "text/plain"}, false},
		{map[string]string{"Content-Type": "application/jsonx"}, false},
		{map[string]string{"Content-Type": ""}, false},
		{map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, false},
	}
	for _, tc := range cases {
		name := "none"
		for _, v := range tc.headers {
			name = v
		}
		t.Run(name, func(t *testing.T) {
			for _, method := range []string{"GET", "POST", "DELETE"} {
				r, calls := newTestRouter(t, GenericErrors)
				e := event(method, "/metadata/{asset_id}", map[string]string{"asset_id": "a"})
				e.Headers = tc.headers
				resp, _ := r.Handle(context.Background(), e)
				if tc.ok {
					assert.Equal(t, 200, resp.StatusCode, method)
					assert.Len(t, *calls, 1)
					continue
				}
				assert.Equal(t, 415, resp.StatusCode, method)
				assert.Equal(t, `{"Code":"UnsupportedMediaType","Message":"Unsupported media type: `+name+`"}`, resp.Body)
				assert.Equal(t, corsWant, resp.Headers)
				assert.Empty(t, *calls)
			}
		})
	}
}

// DP-01: the operator helper's hand-built event (numeric requestTime, null maps, "null" body) decodes and routes.
func TestHandBuiltEvent(t *testing.T) {
	raw := `{
	  "resource": "/metadata/{asset_id}", "path": "/metadata/6d0f", "httpMethod": "POST",
	  "headers": {"Content-Type": "application/json"}, "multiValueHeaders": {},
	  "queryStringParameters": {"paginated": "true"},
	  "multiValueQueryStringParameters": {"paginated": ["false", "true"]},
	  "pathParameters": {"asset_id": "6d0f"}, "stageVariables": {},
	  "requestContext": {"resourcePath": "/metadata/{asset_id}", "requestTime": 1700000123.456789,
	                     "httpMethod": "POST", "requestId": "lambda_3f9a1c2b7d4e"},
	  "body": "{\"OperatorName\": \"labels\"}", "isBase64Encoded": false}`
	var e Event
	require.NoError(t, json.Unmarshal([]byte(raw), &e))
	assert.Equal(t, "1700000123.456789", e.RequestContext.RequestTime.String())
	assert.Equal(t, "lambda_3f9a1c2b7d4e", e.RequestContext.RequestID)

	var seen *Request
	r, err := NewRouter(GenericErrors, []Route{{Method: "POST", Resource: "/metadata/{asset_id}", CORS: true,
		Handler: func(_ context.Context, req *Request) (any, error) { seen = req; return map[string]string{}, nil }}}, nil)
	require.NoError(t, err)
	resp, _ := r.Handle(context.Background(), e)
	require.Equal(t, 200, resp.StatusCode)
	require.NotNil(t, seen)
	v, ok := seen.Query("paginated")
	assert.True(t, ok)
	assert.Equal(t, "true", v, "the last value of a repeated name wins")
	assert.True(t, seen.HasQuery())
	body, err := seen.RawBody()
	require.NoError(t, err)
	assert.Equal(t, `{"OperatorName": "labels"}`, string(body))

	var gw Event
	require.NoError(t, json.Unmarshal([]byte(`{"requestContext":{"requestTime":"25/Nov/2026:10:00:00 +0000","resourcePath":"/"},"multiValueQueryStringParameters":null}`), &gw))
	assert.Equal(t, "25/Nov/2026:10:00:00 +0000", gw.RequestContext.RequestTime.String())
	assert.False(t, (&Request{Event: &gw}).HasQuery())
}

func TestQueryAndBody(t *testing.T) {
	e := Event{MultiValueQueryStringParameters: map[string][]string{"cursor": {""}, "empty": {}},
		Body: "eyJhIjoxfQ==", IsBase64Encoded: true}
	req := &Request{Event: &e}
	v, ok := req.Query("cursor")
	assert.True(t, ok)
	assert.Equal(t, "", v)
	_, ok = req.Query("empty")
	assert.True(t, ok)
	_, ok = req.Query("missing")
	assert.False(t, ok)
	b, err := req.RawBody()
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(b))
	e.Body = "!!"
	_, err = req.RawBody()
	assert.Error(t, err)
}

// DP-02: the envelope's keys and order as API Gateway and the direct-invoke client read them.
func TestEnvelopeJSON(t *testing.T) {
	r, _ := newTestRouter(t, GenericErrors)
	resp, _ := r.Handle(context.Background(), event("GET", "/", nil))
	b, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.Equal(t, `{"headers":{},"multiValueHeaders":{},"statusCode":200,"body":"{\"hello\":\"world\"}"}`, string(b))
}

func TestRouteTable(t *testing.T) {
	r, _ := newTestRouter(t, GenericErrors)
	assert.Equal(t, "POST,GET,DELETE,OPTIONS", r.CORSAllowMethods("/metadata/{asset_id}"))
	assert.Equal(t, "GET,DELETE,OPTIONS", r.CORSAllowMethods("/metadata/{asset_id}/{operator_name}"))
	assert.Equal(t, []string{"asset_id", "operator_name"}, PathVariables("/metadata/{asset_id}/{operator_name}"))
	assert.Equal(t, "/", r.Resources()[0])
	assert.Len(t, r.Routes(), 10)

	h := func(context.Context, *Request) (any, error) { return nil, nil }
	_, err := NewRouter(GenericErrors, []Route{{Method: "GET", Resource: "/a", Handler: h}, {Method: "GET", Resource: "/a", Handler: h}}, nil)
	assert.ErrorContains(t, err, "registered twice")
	_, err = NewRouter(GenericErrors, []Route{{Method: "GET", Resource: "a", Handler: h}}, nil)
	assert.Error(t, err)
	_, err = NewRouter(GenericErrors, []Route{{Method: "GET", Resource: "/a"}}, nil)
	assert.Error(t, err)
}
