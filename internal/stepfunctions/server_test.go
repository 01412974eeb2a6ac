package stepfunctions_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/stepfunctions"
)

func TestWireProtocol(t *testing.T) {
	srv := httptest.NewServer(stepfunctions.NewServer(stepfunctions.New(nil)))
	t.Cleanup(srv.Close)
	post := func(method, path, target, body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var out map[string]any
		require.NoError(t, json.Unmarshal(b, &out), string(b))
		return resp.StatusCode, resp.Header, out
	}

	tests := []struct {
		name, method, path, target, body string
		wantStatus                       int
		want                             map[string]any
		wantType                         string
	}{
		{
			name: "an operation", method: http.MethodPost, path: "/", target: "AWSStepFunctions.ListStateMachines", body: "{}",
			wantStatus: http.StatusOK, want: map[string]any{"stateMachines": []any{}},
		},
		{
			name: "an empty body", method: http.MethodPost, path: "/", target: "AWSStepFunctions.ListStateMachines",
			wantStatus: http.StatusOK, want: map[string]any{"stateMachines": []any{}},
		},
		{
			name: "an operation the engine does not serve", method: http.MethodPost, path: "/", target: "AWSStepFunctions.ListActivities",
			body: "{}", wantStatus: http.StatusBadRequest, wantType: "UnknownOperationException",
		},
		{
			name: "another service", method: http.MethodPost, path: "/", target: "DynamoDB_20120810.ListTables",
			body: "{}", wantStatus: http.StatusBadRequest, wantType: "UnknownOperationException",
		},
		{
			name: "no target", method: http.MethodPost, path: "/", body: "{}",
			wantStatus: http.StatusBadRequest, wantType: "UnknownOperationException",
		},
		{
			name: "GET", method: http.MethodGet, path: "/", target: "AWSStepFunctions.ListStateMachines",
			wantStatus: http.StatusBadRequest, wantType: "UnknownOperationException",
		},
		{
			name: "another path", method: http.MethodPost, path: "/states", target: "AWSStepFunctions.ListStateMachines",
			body: "{}", wantStatus: http.StatusBadRequest, wantType: "UnknownOperationException",
		},
		{
			name: "a body that is not JSON", method: http.MethodPost, path: "/", target: "AWSStepFunctions.ListStateMachines",
			body: "{", wantStatus: http.StatusBadRequest, wantType: "SerializationException",
		},
		{
			name: "a body over 8 MiB", method: http.MethodPost, path: "/", target: "AWSStepFunctions.ListStateMachines",
			body: `{"nextToken":"` + strings.Repeat("x", 8<<20) + `"}`, wantStatus: http.StatusBadRequest, wantType: "ValidationException",
		},
		{
			name: "a member of the wrong type", method: http.MethodPost, path: "/", target: "AWSStepFunctions.ListStateMachines",
			body: `{"maxResults":"ten"}`, wantStatus: http.StatusBadRequest, wantType: "SerializationException",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := post(tc.method, tc.path, tc.target, tc.body)
			assert.Equal(t, tc.wantStatus, status)
			assert.Equal(t, "application/x-amz-json-1.0", header.Get("Content-Type"))
			assert.NotEmpty(t, header.Get("X-Amzn-RequestId"))
			if tc.wantType == "" {
				assert.Equal(t, tc.want, body)
				return
			}
			assert.Equal(t, tc.wantType, body["__type"])
			assert.NotEmpty(t, body["message"])
		})
	}
}

// An operation of the API the engine does not serve reaches the SDK as UnknownOperationException.
func TestUnknownOperationThroughTheSDK(t *testing.T) {
	h := newHarness(t)
	_, err := h.client.ListActivities(h.ctx(), &sfn.ListActivitiesInput{})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "UnknownOperationException", apiErr.ErrorCode())
}
