package controlplane

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

const (
	testLogStream = "2026/11/25/[$LATEST]0123456789abcdef"
	testStackID   = "arn:aws:cloudformation:us-east-1:123456789012:stack/mie-OperatorLibrary-X/5b918d10"
	serviceToken  = "arn:aws:lambda:us-east-1:123456789012:function:mie-WorkflowCustomResource-X"
)

// cfnResponse is one response the custom resource PUT to its ResponseURL.
type cfnResponse struct {
	method      string
	contentType []string
	length      string
	body        string
}

// cfn stands in for CloudFormation's presigned response URL.
type cfn struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []cfnResponse
	status int
}

func newCFN(t *testing.T) *cfn {
	c := &cfn{status: http.StatusOK}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.got = append(c.got, cfnResponse{method: r.Method, contentType: r.Header.Values("Content-Type"), length: r.Header.Get("Content-Length"), body: string(b)})
		status := c.status
		c.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *cfn) last(t *testing.T) cfnResponse {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.NotEmpty(t, c.got)
	return c.got[len(c.got)-1]
}

// crEvent builds a CloudFormation request; props is the ResourceProperties JSON.
func crEvent(t *testing.T, url, requestType, logicalID, physicalID, props string) CustomResourceEvent {
	t.Helper()
	m, err := pyjson.DecodeObject([]byte(props))
	require.NoError(t, err)
	return CustomResourceEvent{
		RequestType: requestType, ResponseURL: url + "/response?X-Amz-Signature=x", StackID: testStackID,
		RequestID: "req-" + logicalID, ResourceType: "Custom::CustomResource", LogicalResourceID: logicalID,
		PhysicalResourceID: physicalID, ResourceProperties: m,
	}
}

// responseText is the body the original sent: Python's separators, keys in its order.
func responseText(status, physicalID, logicalID, data string) string {
	return `{"Status": "` + status + `", "Reason": "See the details in CloudWatch Log Stream: ` + testLogStream + `", "PhysicalResourceId": "` + physicalID +
		`", "StackId": "` + testStackID + `", "RequestId": "req-` + logicalID + `", "LogicalResourceId": "` + logicalID + `", "Data": ` + data + `}`
}

func waitProps(enabled string) string {
	return `{"ServiceToken": "` + serviceToken + `", "ServiceTimeout": "600", "ResourceType": "Operation", "Name": "Wait", "Type": "Async",
	  "Configuration": {"MediaType": "MetadataOnly", "Enabled": ` + enabled + `},
	  "StartLambdaArn": "` + waitStartArn + `", "MonitorLambdaArn": "` + waitMonitorArn + `"}`
}

// CP-31, Q-16, Q-17, Q-35: operations through CloudFormation, and the response format.
func TestCustomResourceOperation(t *testing.T) {
	s := newStack(t)
	server := newCFN(t)
	cr := NewCustomResource(s.h, server.srv.Client(), testLogStream)
	handle := func(e CustomResourceEvent) cfnResponse {
		t.Helper()
		require.NoError(t, cr.Handle(t.Context(), e))
		return server.last(t)
	}

	got := handle(crEvent(t, server.srv.URL, "Create", "WaitOperation", "", waitProps(`"false"`)))
	want := responseText("SUCCESS", "Wait", "WaitOperation", `{"Message": "Resource creation successful!", "Name": "Wait", "StageName": "_Wait"}`)
	assert.Equal(t, want, got.body)
	assert.Equal(t, "PUT", got.method)
	assert.Equal(t, []string{""}, got.contentType, "an empty Content-Type, as the original sent")
	assert.Equal(t, strconv.Itoa(len(want)), got.length)
	stored := s.item("OPERATION_TABLE_NAME", "Wait")
	assert.Equal(t, S(serviceToken), stored["ServiceToken"])
	assert.Equal(t, S("600"), stored["ServiceTimeout"])
	assert.Equal(t, S("OPERATION"), stored["ResourceType"])
	assert.Equal(t, M(map[string]typesAV{"MediaType": S("MetadataOnly"), "Enabled": B(false)}), stored["Configuration"])
	assert.NotNil(t, s.item("STAGE_TABLE_NAME", "_Wait"))

	t.Run("Q-35: Enabled", func(t *testing.T) {
		for i, c := range []struct {
			value string
			want  bool
		}{{`"true"`, true}, {`true`, true}, {`"True"`, false}, {`false`, false}} {
			name := fmt.Sprintf("Enabled%d", i)
			props := strings.Replace(waitProps(c.value), `"Name": "Wait"`, `"Name": "`+name+`"`, 1)
			assert.Contains(t, handle(crEvent(t, server.srv.URL, "Create", name, "", props)).body, `"Status": "SUCCESS"`)
			assert.Equal(t, B(c.want), s.item("OPERATION_TABLE_NAME", name)["Configuration"].(*typesM).Value["Enabled"], c.value)
		}
	})

	// an Update succeeds and changes nothing; Q-17: the physical id stays.
	before := s.snapshot()
	got = handle(crEvent(t, server.srv.URL, "Update", "WaitOperation", "Wait", waitProps(`"true"`)))
	assert.Equal(t, responseText("SUCCESS", "Wait", "WaitOperation", `{"Message": "Resource update successful!", "Name": "Wait", "StageName": "_Wait"}`), got.body)
	assert.Equal(t, before, s.snapshot())

	// A Create that fails (the name exists) answers a marker id, and the rollback's Delete leaves the live
	// operation alone.
	got = handle(crEvent(t, server.srv.URL, "Create", "Again", "", waitProps(`"false"`)))
	assert.Equal(t, responseText("FAILED", "mie-go:create-failed:Again", "Again",
		`{"Message": "Exception during processing: 'A operation with the name 'Wait' already exists'"}`), got.body)
	got = handle(crEvent(t, server.srv.URL, "Delete", "Again", "mie-go:create-failed:Again", waitProps(`"false"`)))
	assert.Equal(t, responseText("SUCCESS", "mie-go:create-failed:Again", "Again", `{"Message": "Resource deletion successful!", "Name": "Wait"}`), got.body)
	assert.Equal(t, before, s.snapshot())

	got = handle(crEvent(t, server.srv.URL, "Delete", "WaitOperation", "Wait", waitProps(`"false"`)))
	assert.Equal(t, responseText("SUCCESS", "Wait", "WaitOperation", `{"Message": "Resource deletion successful!", "Name": "Wait"}`), got.body)
	assert.Nil(t, s.item("OPERATION_TABLE_NAME", "Wait"))
	assert.Nil(t, s.item("STAGE_TABLE_NAME", "_Wait"))
	got = handle(crEvent(t, server.srv.URL, "Delete", "WaitOperation", "Wait", waitProps(`"false"`)))
	assert.Contains(t, got.body, `"Status": "SUCCESS"`, "deleting what is gone succeeds")

	failures := []struct{ name, requestType, props, message string }{
		{"missing Configuration", "Create", `{"ResourceType": "Operation", "Name": "X"}`, `Exception during processing: ''Configuration''`},
		{"Configuration not an object", "Create", `{"ResourceType": "Operation", "Name": "X", "Configuration": "on"}`,
			`Exception during processing: 'string indices must be integers, not 'str''`},
		{"missing Enabled", "Create", `{"ResourceType": "Operation", "Name": "X", "Configuration": {}}`, `Exception during processing: ''Enabled''`},
		{"missing Name on Update", "Update", `{"ResourceType": "Operation"}`, `Exception during processing: ''Name''`},
		{"unknown request type", "Replace", waitProps(`"true"`), `Unexpected event received from CloudFormation`},
	}
	before = s.snapshot()
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			got := handle(crEvent(t, server.srv.URL, f.requestType, "Bad", "Bad", f.props))
			want := pyjson.NewMap()
			want.Set("Message", f.message)
			data, err := pyjson.Python(want)
			require.NoError(t, err)
			physical := "Bad"
			if f.requestType == "Create" {
				physical = "mie-go:create-failed:Bad"
			}
			assert.Equal(t, responseText("FAILED", physical, "Bad", string(data)), got.body)
		})
	}
	t.Run("schema violation", func(t *testing.T) {
		got := handle(crEvent(t, server.srv.URL, "Create", "Bad", "", `{"ResourceType": "Operation", "Name": "X", "Configuration": {"Enabled": "true", "MediaType": "Text"}, "StartLambdaArn": "a"}`))
		assert.Contains(t, got.body, `{"Message": "Exception during processing: ''Type' is a required property\n\nFailed validating 'required' in schema:\n`)
	})
	assert.Equal(t, before, s.snapshot())
}

// CP-31: stages and workflows through CloudFormation; a workflow's Stages arrive as a JSON text.
func TestCustomResourceStageAndWorkflow(t *testing.T) {
	s := newStack(t)
	s.definitions()
	server := newCFN(t)
	cr := NewCustomResource(s.h, server.srv.Client(), testLogStream)
	handle := func(requestType, logicalID, physicalID, props string) string {
		t.Helper()
		require.NoError(t, cr.Handle(t.Context(), crEvent(t, server.srv.URL, requestType, logicalID, physicalID, props)))
		return server.last(t).body
	}

	stageProps := `{"ServiceToken": "` + serviceToken + `", "ResourceType": "Stage", "Name": "Both", "Operations": ["Mediainfo", "LabelDetect"]}`
	assert.Equal(t, responseText("SUCCESS", "Both", "BothStage", `{"Message": "Resource creation successful!", "Name": "Both"}`),
		handle("Create", "BothStage", "", stageProps))
	stage := s.item("STAGE_TABLE_NAME", "Both")
	assert.Equal(t, S("STAGE"), stage["ResourceType"])
	assert.Equal(t, S(serviceToken), stage["ServiceToken"])
	assert.Equal(t, responseText("SUCCESS", "Both", "BothStage", `{"Message": "Resource update successful!"}`), handle("Update", "BothStage", "Both", stageProps))

	wfProps := `{"ServiceToken": "` + serviceToken + `", "ResourceType": "Workflow", "Name": "CfnWF", "StartAt": "Prep",
	  "Stages": "{\"Prep\": {\"Next\": \"Both\"}, \"Both\": {\"End\": true}}"}`
	arn := "arn:aws:states:us-east-1:" + motoAccount + ":stateMachine:CfnWF-" + s.suid
	assert.Equal(t, responseText("SUCCESS", "CfnWF", "Workflow", `{"Message": "Resource creation successful!", "Name": "CfnWF", "StateMachineArn": "`+arn+`"}`),
		handle("Create", "Workflow", "", wfProps))
	wf := s.item("WORKFLOW_TABLE_NAME", "CfnWF")
	assert.Equal(t, S("custom-resource"), wf["Trigger"])
	assert.Equal(t, L(S("Mediainfo"), S("Mediainfo"), S("LabelDetect")), wf["Operations"])
	assert.Equal(t, S(arn), wf["StateMachineArn"])
	assert.Equal(t, responseText("SUCCESS", "CfnWF", "Workflow", `{"Message": "Resource update successful!"}`), handle("Update", "Workflow", "CfnWF", wfProps))

	// CP-16: a timeout arrives as a string, like every CloudFormation scalar.
	timed := `{"ResourceType": "Workflow", "Name": "CfnTimed", "StartAt": "Prep", "TimeoutSeconds": "600", "Stages": "{\"Prep\": {\"End\": true}}"}`
	assert.Contains(t, handle("Create", "Timed", "", timed), `"Status": "SUCCESS"`)
	timedArn := "arn:aws:states:us-east-1:" + motoAccount + ":stateMachine:CfnTimed-" + s.suid
	assert.True(t, strings.HasSuffix(aws.ToString(s.stateMachine(timedArn).Definition), `, "TimeoutSeconds": 600}`))
	assert.Equal(t, N("600"), s.item("WORKFLOW_TABLE_NAME", "CfnTimed")["TimeoutSeconds"])

	failures := []struct{ name, props, message string }{
		{"Stages not a text", `{"ResourceType": "Workflow", "Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"End": true}}}`,
			`Exception during processing: 'the JSON object must be str, bytes or bytearray, not dict'`},
		{"Stages not JSON", `{"ResourceType": "Workflow", "Name": "W", "StartAt": "Prep", "Stages": "{"}`,
			`Exception during processing: 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'`},
		{"workflow exists", wfProps, `Exception during processing: 'Workflow with Name CfnWF already exists'`},
		{"stage exists", stageProps, `Exception during processing: 'Exception 'A stage with the name 'Both' already exists''`},
		{"unknown resource type", `{"ResourceType": "Bucket", "Name": "W"}`, `Unexpected resource type received from CloudFormation`},
		{"no resource type", `{"Name": "W"}`, `Exception during processing: ''ResourceType''`},
	}
	before := s.snapshot()
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			data, err := pyjson.Python(message("%s", f.message))
			require.NoError(t, err)
			assert.Equal(t, responseText("FAILED", "mie-go:create-failed:Bad", "Bad", string(data)), handle("Create", "Bad", "", f.props))
		})
	}
	assert.Equal(t, before, s.snapshot())

	assert.Equal(t, responseText("SUCCESS", "CfnWF", "Workflow", `{"Message": "Resource deletion successful!"}`), handle("Delete", "Workflow", "CfnWF", wfProps))
	assert.Nil(t, s.item("WORKFLOW_TABLE_NAME", "CfnWF"))
	_, err := s.sfn.DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	assert.Error(t, err)
	assert.Equal(t, responseText("SUCCESS", "Both", "BothStage", `{"Message": "Resource deletion successful!"}`), handle("Delete", "BothStage", "Both", stageProps))
	assert.Nil(t, s.item("STAGE_TABLE_NAME", "Both"))

	t.Run("response not delivered", func(t *testing.T) {
		server.mu.Lock()
		server.status = http.StatusForbidden
		server.mu.Unlock()
		err := cr.Handle(t.Context(), crEvent(t, server.srv.URL, "Update", "BothStage", "Both", stageProps))
		assert.ErrorContains(t, err, "403")
	})
}

// Infrastructure §6.5: CloudFormation creates the operator library's 34 operations in parallel.
func TestCustomResourceParallelRegistration(t *testing.T) {
	s := newStack(t)
	server := newCFN(t)
	cr := NewCustomResource(s.h, server.srv.Client(), testLogStream)
	events := make([]CustomResourceEvent, 34)
	for i := range events {
		props := strings.Replace(waitProps(`"true"`), `"Name": "Wait"`, fmt.Sprintf(`"Name": "Op%02d"`, i), 1)
		props = strings.Replace(props, waitStartArn, userStartArn+strconv.Itoa(i), 1)
		events[i] = crEvent(t, server.srv.URL, "Create", fmt.Sprintf("Op%02d", i), "", props)
	}
	var wg sync.WaitGroup
	for _, e := range events {
		wg.Go(func() { assert.NoError(t, cr.Handle(t.Context(), e)) })
	}
	wg.Wait()
	require.Len(t, server.got, 34)
	for _, r := range server.got {
		assert.Contains(t, r.body, `"Status": "SUCCESS"`)
	}
	for i := range 34 {
		assert.Contains(t, s.rolePolicy(fmt.Sprintf("Op%02d", i)), userStartArn+strconv.Itoa(i))
	}
}

// CP-31: the Lambda runtime decodes CloudFormation's request into the event type, properties in their order.
func TestCustomResourceEventDecoding(t *testing.T) {
	raw := `{"RequestType": "Create", "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
	  "StackId": "` + testStackID + `", "RequestId": "5d1e", "LogicalResourceId": "CustomResourceWaitOperation",
	  "ResourceType": "Custom::CustomResource",
	  "ResourceProperties": {"ServiceToken": "` + serviceToken + `", "ServiceTimeout": "600", "ResourceType": "Operation", "Name": "Wait",
	    "Type": "Async", "Configuration": {"MediaType": "MetadataOnly", "Enabled": "false"}}}`
	var e CustomResourceEvent
	require.NoError(t, json.Unmarshal([]byte(raw), &e))
	assert.Equal(t, "Create", e.RequestType)
	assert.Equal(t, "5d1e", e.RequestID)
	assert.Equal(t, "CustomResourceWaitOperation", e.LogicalResourceID)
	assert.Equal(t, []string{"ServiceToken", "ServiceTimeout", "ResourceType", "Name", "Type", "Configuration"}, e.ResourceProperties.Keys())
}
