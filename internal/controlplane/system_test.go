package controlplane

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
)

// CP-01: every route of this issue, in the original's registration order, which gives each resource's 405 Allow
// header and OPTIONS preflight (infrastructure §3.3).
func TestRouteTable(t *testing.T) {
	h, err := New(Config{}, Clients{}, nil)
	require.NoError(t, err)
	r := h.Router()
	wantMethods := map[string]string{
		"/version":                                 "GET,OPTIONS",
		"/system/configuration":                    "POST,GET,OPTIONS",
		"/workflow":                                "POST,PUT,GET,OPTIONS",
		"/workflow/{name}":                         "GET,DELETE,OPTIONS",
		"/workflow/configuration/{name}":           "GET,OPTIONS",
		"/workflow/list/operation/{operator_name}": "GET,OPTIONS",
		"/workflow/list/stage/{stage_name}":        "GET,OPTIONS",
		"/workflow/operation":                      "POST,PUT,GET,OPTIONS",
		"/workflow/operation/{name}":               "GET,DELETE,OPTIONS",
		"/workflow/stage":                          "POST,PUT,GET,OPTIONS",
		"/workflow/stage/{name}":                   "GET,DELETE,OPTIONS",
		"/workflow/execution":                      "POST,GET,OPTIONS",
		"/workflow/execution/{id}":                 "PUT,GET,DELETE,OPTIONS",
		"/workflow/execution/status/{status}":      "GET,OPTIONS",
		"/workflow/execution/asset/{asset_id}":     "GET,OPTIONS",
	}
	// R01-R29 and the 17 service proxies R30-R46.
	assert.Len(t, r.Routes(), 46)
	for resource, want := range wantMethods {
		assert.Equal(t, want, r.CORSAllowMethods(resource), resource)
	}
	for _, rt := range r.Routes() {
		public := rt.Resource == "/"
		assert.Equal(t, !public, rt.IAM, rt.Resource)
		assert.Equal(t, !public, rt.CORS, rt.Resource)
	}

	e := apigw.Event{}
	e.RequestContext.ResourcePath = "/workflow"
	e.RequestContext.HTTPMethod = "DELETE"
	resp, err := h.Handle(context.Background(), e)
	require.NoError(t, err)
	assert.Equal(t, 405, resp.StatusCode)
	assert.Equal(t, "POST, PUT, GET", resp.Headers["Allow"])
}

// CP-03: the function's variables, and the names of every required one that is missing.
func TestConfigFromLookup(t *testing.T) {
	_, err := ConfigFromLookup(awsconf.MapLookup(map[string]string{"STACK_SHORT_UUID": "abc123"}))
	require.Error(t, err)
	for _, name := range []string{"SYSTEM_TABLE_NAME", "STAGE_EXECUTION_ROLE", "OPERATOR_FAILED_LAMBDA_ARN", "WORKFLOW_SCHEDULER_LAMBDA_ARN"} {
		assert.Contains(t, err.Error(), name)
	}
	assert.NotContains(t, err.Error(), "STACK_SHORT_UUID")

	cases := []struct{ arn, role string }{
		{"testExecutionRole/role", "role"},
		{"arn:aws:iam::123456789012:role/mie-StepFunctionRole-X", "mie-StepFunctionRole-X"},
		// a role with a path is named by its last segment.
		{"arn:aws:iam::123456789012:role/service/states/mie-StepFunctionRole-X", "mie-StepFunctionRole-X"},
	}
	for _, c := range cases {
		assert.Equal(t, c.role, Config{StepFunctionsRoleARN: c.arn}.roleName())
	}
}

// The execution store's variables are required at start-up too, by the API and the custom resource alike: both
// build their handler with NewFromLookup.
func TestNewFromLookupRequiresTheSlotTable(t *testing.T) {
	lookup := func(name string) string {
		if name == "EXECUTION_SLOT_TABLE_NAME" {
			return ""
		}
		return "set"
	}
	const want = "workflow API: execution store: missing environment variables EXECUTION_SLOT_TABLE_NAME"
	_, err := NewFromLookup(t.Context(), lookup)
	assert.EqualError(t, err, want)
	_, err = NewCustomResourceFromLookup(t.Context(), lookup)
	assert.EqualError(t, err, want)
}

// CP-04, CP-02: R01 without CORS headers, R02 with them.
func TestIndexAndVersion(t *testing.T) {
	h, err := New(Config{FrameworkVersion: "v9.9.9"}, Clients{}, nil)
	require.NoError(t, err)
	call := func(resource string) apigw.Response {
		e := apigw.Event{}
		e.RequestContext.ResourcePath = resource
		e.RequestContext.HTTPMethod = "GET"
		resp, err := h.Handle(context.Background(), e)
		require.NoError(t, err)
		return resp
	}
	resp := call("/")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, `{"hello":"world"}`, resp.Body)
	assert.Empty(t, resp.Headers)
	resp = call("/version")
	assert.Equal(t, `{"ApiVersion":"3.0.0","FrameworkVersion":"v9.9.9"}`, resp.Body)
	assert.Equal(t, "*", resp.Headers["Access-Control-Allow-Origin"])
}

// CP-05, CP-45, Q-09, Q-28: R03 stores the body as sent, numbers as numbers; R04 answers them as floats.
func TestSystemConfiguration(t *testing.T) {
	s := newStack(t)
	const resource = "/system/configuration"
	before := s.snapshot()
	errorCases := []struct {
		name, body, message string
	}{
		{"value below 1", `{"Name": "MaxConcurrentWorkflows", "Value": 0}`, "Exception 'MaxConcurrentWorkflows must be a value > 1'"},
		{"false is 0", `{"Name": "MaxConcurrentWorkflows", "Value": false}`, "Exception 'MaxConcurrentWorkflows must be a value > 1'"},
		{"malformed JSON", `{"Name": `, "Exception 'Expecting value: line 1 column 10 (char 9)'"},
		{"empty body", ``, "Exception 'Expecting value: line 1 column 1 (char 0)'"},
		{"missing Name", `{"Value": 3}`, "Exception ''Name''"},
		{"missing Value", `{"Name": "MaxConcurrentWorkflows"}`, "Exception ''Value''"},
		{"string Value", `{"Name": "MaxConcurrentWorkflows", "Value": "5"}`, "Exception ''<' not supported between instances of 'str' and 'int''"},
		{"body is a list", `["Name"]`, "Exception 'list indices must be integers or slices, not str'"},
	}
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			assertError(t, s.post(resource, c.body), 500, "ChaliceViewError", c.message)
		})
	}
	assert.Equal(t, before, s.snapshot(), "failed requests change nothing")

	assert.Equal(t, `{}`, mustOK(t, s.post(resource, `{"Name": "MaxConcurrentWorkflows", "Value": 2}`)).Body)
	assertItem(t, map[string]typesAV{"Name": S("MaxConcurrentWorkflows"), "Value": N("2")}, s.item("SYSTEM_TABLE_NAME", "MaxConcurrentWorkflows"))
	// 1 and true pass although the text says "> 1"; other names are free-form, Value or not.
	mustOK(t, s.post(resource, `{"Name": "MaxConcurrentWorkflows", "Value": true}`))
	mustOK(t, s.post(resource, `{"Name": "MaxConcurrentWorkflows", "Value": 1}`))
	mustOK(t, s.post(resource, `{"Name": "Other", "Note": "kept", "Ratio": 0.25}`))
	assertItem(t, map[string]typesAV{"Name": S("Other"), "Note": S("kept"), "Ratio": N("0.25")}, s.item("SYSTEM_TABLE_NAME", "Other"))

	body := mustOK(t, s.get(resource, nil)).Body
	assert.JSONEq(t, `[{"Name":"MaxConcurrentWorkflows","Value":1.0},{"Name":"Other","Note":"kept","Ratio":0.25}]`, sortedList(t, body))
	assert.True(t, strings.Contains(body, `"Value":1.0`), "DynamoDB numbers are answered as floats: %s", body)
}
