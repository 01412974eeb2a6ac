package dataplane

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
)

var corsHeaders = map[string]string{
	"Access-Control-Allow-Origin":  "*",
	"Access-Control-Allow-Headers": "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key",
}

// DP-01, DP-04: the route table is the original's, in its registration order, with IAM and CORS on every route
// but GET /.
func TestDP01RouteTable(t *testing.T) {
	h, _, _ := newFakeHandler(t)
	var got []string
	for _, r := range h.Routes() {
		got = append(got, r.Method+" "+r.Resource)
		want := r.Resource != "/"
		assert.Equal(t, want, r.IAM, r.Resource)
		assert.Equal(t, want, r.CORS, r.Resource)
	}
	assert.Equal(t, []string{
		"GET /", "GET /version", "POST /upload", "POST /download", "GET /mediapath/{asset_id}/{workflow_id}",
		"POST /create", "POST /metadata/{asset_id}", "GET /metadata/{asset_id}", "GET /metadata/{asset_id}/{operator_name}",
		"POST /checkout/{asset_id}", "POST /checkin/{asset_id}", "GET /checkouts", "GET /metadata",
		"DELETE /metadata/{asset_id}/{operator_name}", "DELETE /metadata/{asset_id}",
	}, got)
	assert.Equal(t, []string{"POST", "GET", "DELETE"}, h.Router().Methods("/metadata/{asset_id}"))
}

// DP-02, DP-05, DP-06, DP-09: exact bodies of the I/O-free routes (the original's unit tests), CORS headers on
// every route but GET /, and the envelope's shape.
func TestDP05InfoRoutes(t *testing.T) {
	h, _, _ := newFakeHandler(t)
	cases := []struct {
		name  string
		event apigw.Event
		body  string
		cors  bool
	}{
		{"DP-05 hello", event("GET", "/", nil, nil, ""), `{"hello":"world"}`, false},
		{"DP-06 version", event("GET", "/version", nil, nil, ""), `{"ApiVersion":"3.0.0","FrameworkVersion":"v9.9.9"}`, true},
		{"DP-09 media path", event("GET", "/mediapath/{asset_id}/{workflow_id}",
			map[string]string{"asset_id": "testAssetId", "workflow_id": "testWorkflowId"}, nil, ""),
			`{"S3Bucket":"testDataplaneBucketName","S3Key":"private/assets/testAssetId/workflows/testWorkflowId/"}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := call(t, h, tc.event)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tc.body, resp.Body)
			want := map[string]string{}
			if tc.cors {
				want = corsHeaders
			}
			assert.Equal(t, want, resp.Headers, "no Content-Type of its own; CORS headers on CORS routes")
			assert.Equal(t, map[string][]string{}, resp.MultiValueHeaders)
		})
	}
}

// DP-02: the envelope as the direct-invoke client and API Gateway read it, in the original's key order.
func TestDP02Envelope(t *testing.T) {
	h, _, _ := newFakeHandler(t)
	resp := call(t, h, event("GET", "/version", nil, nil, ""))
	raw, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"headers":{"Access-Control-Allow-Origin":"*","Access-Control-Allow-Headers":"Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key"},"multiValueHeaders":{},"statusCode":200,"body":"{\"ApiVersion\":\"3.0.0\",\"FrameworkVersion\":\"v9.9.9\"}"}`, string(raw))
}

// DP-03, DP-04: the framework's answers before a route runs: 405 with the Allow header, the unknown-request 500,
// the generic 500 for missing path parameters and the 415 for a foreign Content-Type (with CORS headers).
func TestDP04FrameworkErrors(t *testing.T) {
	h, _, _ := newFakeHandler(t)

	resp := call(t, h, event("PUT", "/metadata/{asset_id}", asset("a"), nil, ""))
	assertError(t, resp, http.StatusMethodNotAllowed, "MethodNotAllowedError", "Unsupported method: PUT")
	assert.Equal(t, map[string]string{"Allow": "POST, GET, DELETE"}, resp.Headers)

	resp = call(t, h, event("POST", "/metadata/{asset_id}/{operator_name}", assetOp("a", "o"), nil, ""))
	assert.Equal(t, map[string]string{"Allow": "GET, DELETE"}, resp.Headers)

	resp = call(t, h, event("GET", "/metadata/{asset}", nil, nil, ""))
	assertError(t, resp, http.StatusMethodNotAllowed, "MethodNotAllowedError", "Unsupported method: GET")
	assert.Equal(t, map[string]string{"Allow": ""}, resp.Headers)

	resp = call(t, h, apigw.Event{HTTPMethod: "GET", Path: "/version"})
	assertError(t, resp, http.StatusInternalServerError, "InternalServerError", "Unknown request.")

	resp = call(t, h, event("GET", "/metadata/{asset_id}", nil, nil, "null"))
	assertGeneric500(t, resp)
	assert.Empty(t, resp.Headers, "no CORS headers: the original failed before adding them")

	for _, ct := range []string{"text/plain", "application/xml; charset=utf-8"} {
		e := event("GET", "/version", nil, nil, "")
		e.Headers = map[string]string{"content-type": ct}
		resp = call(t, h, e)
		assertError(t, resp, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Unsupported media type: "+ct)
		assert.Equal(t, corsHeaders, resp.Headers)
	}
	for _, ct := range []string{"Application/JSON; charset=utf-8", "text/html, */*"} {
		e := event("GET", "/version", nil, nil, "")
		e.Headers = map[string]string{"Content-Type": ct}
		assert.Equal(t, http.StatusOK, call(t, h, e).StatusCode, ct)
	}
	e := event("GET", "/version", nil, nil, "")
	e.Headers = nil
	assert.Equal(t, http.StatusOK, call(t, h, e).StatusCode, "no headers count as application/json")
}

// DP-01, DP-37: the event the operator helper builds (data-plane §3.6: numeric requestTime, null maps, "null"
// body) decodes into the handler's event type and is routed like API Gateway's.
func TestDP01DirectInvokeEvent(t *testing.T) {
	raw, err := os.ReadFile("testdata/direct_invoke_mediapath.json")
	require.NoError(t, err)
	var e apigw.Event
	require.NoError(t, json.Unmarshal(raw, &e))
	h, _, _ := newFakeHandler(t)
	resp := call(t, h, e)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"S3Bucket":"testDataplaneBucketName","S3Key":"private/assets/6d0f2c1e-8a51-4c4e-9a55-0f2b7f1d9c33/workflows/0b8e6c7a-2d0f-4c51-b8a9-5b8d2f7b0a11/"}`, resp.Body)
}

// DP-03: handled errors become {"Code","Message"} with 400, 404 or 500 and the route's CORS headers; anything
// unexpected becomes the exact generic 500 body.
func TestDP03ErrorEnvelope(t *testing.T) {
	h, db, _ := newFakeHandler(t)
	db.getItem = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) { return &dynamodb.GetItemOutput{}, nil }
	cases := []struct {
		name   string
		event  apigw.Event
		status int
		body   string
	}{
		{"BadRequestError", event("POST", "/create", nil, nil, `{}`), 400,
			`{"Code":"BadRequestError","Message":"Missing required inputs for asset creation: 'Input'"}`},
		{"NotFoundError", event("GET", "/metadata/{asset_id}", asset("x"), nil, ""), 404,
			`{"Code":"NotFoundError","Message":"Exception occurred while verifying asset exists: x does not exist"}`},
		{"ChaliceViewError", event("POST", "/upload", nil, nil, `{}`), 500,
			`{"Code":"ChaliceViewError","Message":"Unable to generate pre-signed S3 URL for uploading media: 'S3Bucket'"}`},
		{"generic 500", event("POST", "/create", nil, nil, `[]`), 500, genericError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := call(t, h, tc.event)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.body, resp.Body)
			assert.Equal(t, corsHeaders, resp.Headers)
		})
	}
}
