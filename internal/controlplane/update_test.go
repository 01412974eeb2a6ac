package controlplane

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/errorhandler"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/reconciler"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stepfunctions"
	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

const newStartArn = "arn:aws:lambda:us-east-1:123456789012:function:my-start-labels-v2"

// labelsBody is an update of the LabelDetect operation of s.definitions.
func labelsBody(start, configuration string) string {
	return `{"Name": "LabelDetect", "Type": "Async", "Description": "v2", "Configuration": ` + configuration + `,
	         "StartLambdaArn": "` + start + `", "MonitorLambdaArn": "` + userMonitorArn + `"}`
}

// stateMachineOf returns the definition of a workflow's state machine.
func (s *stack) stateMachineOf(workflow string) string {
	s.t.Helper()
	arn := s.item("WORKFLOW_TABLE_NAME", workflow)["StateMachineArn"].(*typesS).Value
	return aws.ToString(s.stateMachine(arn).Definition)
}

// answerOf decodes the answer of an update.
func answerOf(t *testing.T, body string) *pyjson.Map {
	t.Helper()
	return decode(t, body).(*pyjson.Map)
}

// CP-10, CP-09: an operation update replaces the item (Id and Created kept, Version counted), rewrites the inline
// policy of a user operator whose Lambdas changed, and rebuilds the stages that contain the operation and the
// workflows using them, whose state machines then carry the new definition (TimeoutSeconds kept).
func TestUpdateOperation(t *testing.T) {
	fiam := &fakeIAM{}
	s := newStack(t, func(c *Clients) { fiam.RolePolicies, c.IAM = c.IAM, fiam })
	s.definitions()
	mustOK(t, s.post(stageResource, `{"Name": "Both", "Operations": ["Mediainfo", "LabelDetect"]}`))
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	mustOK(t, s.post(workflowResource, `{"Name": "Timed", "StartAt": "Analyze", "TimeoutSeconds": 600, "Stages": {"Analyze": {"End": true}}}`))
	stored := s.item("OPERATION_TABLE_NAME", "LabelDetect")
	prep := s.item("STAGE_TABLE_NAME", "Prep")
	stagesBefore := map[string]map[string]typesAV{}
	for _, name := range []string{"_LabelDetect", "Analyze", "Both"} {
		stagesBefore[name] = s.item("STAGE_TABLE_NAME", name)
	}

	fiam.calls = nil
	body := labelsBody(newStartArn, `{"MediaType": "Video", "Enabled": true, "MinConfidence": 90}`)
	resp := mustOK(t, s.put(operationResource, strings.Replace(body, `"Name"`, `"StaleStages": ["not stored"], "Name"`, 1)))

	template := s.template(asl.Operation{Name: "LabelDetect", Type: "Async", MediaType: "Video", StartLambdaArn: newStartArn, MonitorLambdaArn: userMonitorArn})
	config := M(map[string]typesAV{"MediaType": S("Video"), "Enabled": B(true), "MinConfidence": N("90")})
	want := map[string]typesAV{
		"Name": S("LabelDetect"), "Type": S("Async"), "Description": S("v2"), "Configuration": config,
		"StartLambdaArn": S(newStartArn), "MonitorLambdaArn": S(userMonitorArn), "StateMachineAsl": S(template),
		"Version": S("v1"), "Id": stored["Id"], "Created": stored["Created"], "ResourceType": S("OPERATION"), "ApiVersion": S("3.0.0"),
		"StageName": S("_LabelDetect"),
	}
	assertItem(t, want, s.item("OPERATION_TABLE_NAME", "LabelDetect"))
	// The answer is the stored item in the order of a registration's answer; nothing is stale.
	answer := answerOf(t, resp.Body)
	assert.Equal(t, []string{"Name", "Type", "Description", "Configuration", "StartLambdaArn", "MonitorLambdaArn", "StateMachineAsl",
		"Version", "Id", "Created", "ResourceType", "ApiVersion", "StageName"}, answer.Keys())
	assert.Equal(t, ddbText(want), ddbText(mustItem(t, answer)))
	assert.Contains(t, resp.Body, `"MinConfidence":90}`, "request numbers are echoed as sent")

	assert.Equal(t, []string{"PutRolePolicy " + roleNameOf(s.roleArn) + " LabelDetect"}, fiam.calls)
	assert.Equal(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": ["`+
		newStartArn+`", "`+userMonitorArn+`"]}]}`, s.rolePolicy("LabelDetect"))

	mediainfo := s.template(asl.Operation{Name: "Mediainfo", Type: "Sync", MediaType: "Video", StartLambdaArn: libraryStartArn})
	for name, templates := range map[string][]string{"_LabelDetect": {template}, "Analyze": {template}, "Both": {mediainfo, template}} {
		t.Run("stage "+name, func(t *testing.T) {
			got := s.item("STAGE_TABLE_NAME", name)
			before := stagesBefore[name]
			assert.Equal(t, S(s.stageDefinition(name, templates...)), got["Definition"])
			assert.Equal(t, config, got["Configuration"].(*typesM).Value["LabelDetect"])
			assert.Equal(t, S("v1"), got["Version"])
			assert.Equal(t, before["Id"], got["Id"])
			assert.Equal(t, before["Created"], got["Created"])
			assert.Nil(t, got["StaleOperations"])
		})
	}
	assertItem(t, prep, s.item("STAGE_TABLE_NAME", "Prep"))

	assert.Equal(t, s.compiled("MyWF", "Prep", nil, asl.WorkflowStage{Name: "Prep", Next: next("Analyze")}, asl.WorkflowStage{Name: "Analyze", End: true}),
		s.stateMachineOf("MyWF"))
	timeout := 600
	assert.Equal(t, s.compiled("Timed", "Analyze", &timeout, asl.WorkflowStage{Name: "Analyze", End: true}), s.stateMachineOf("Timed"))
	assert.Contains(t, s.stateMachineOf("Timed"), newStartArn)
	timed := s.item("WORKFLOW_TABLE_NAME", "Timed")
	assert.Equal(t, N("600"), timed["TimeoutSeconds"])
	assert.Equal(t, S("v2"), timed["Version"], "Q-15: a rebuilt workflow is v2, as after R16")
	assert.Equal(t, L(), timed["StaleOperations"])
	assert.Equal(t, L(), timed["StaleStages"])
	assert.Equal(t, `{"Prep":{"Mediainfo":{"Enabled":true,"MediaType":"Video"}},"Analyze":{"LabelDetect":{"Enabled":true,"MediaType":"Video","MinConfidence":90.0}}}`,
		mustOK(t, s.get(workflowConfig, map[string]string{"name": "MyWF"})).Body)

	role := roleNameOf(s.roleArn)
	steps := []struct {
		name, body string
		calls      []string
		version    string
	}{
		{"same Lambdas: the policy stays", labelsBody(newStartArn, `{"MediaType": "Video", "Enabled": false}`), nil, "v2"},
		{"library operator: the policy goes", `{"Name": "LabelDetect", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "` + libraryStartArn + `"}`,
			[]string{"ListRolePolicies " + role + " marker=", "DeleteRolePolicy " + role + " LabelDetect"}, "v3"},
		{"user operator again: the policy is back", labelsBody(userStartArn, `{"MediaType": "Video", "Enabled": true}`), []string{"PutRolePolicy " + role + " LabelDetect"}, "v4"},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			fiam.calls = nil
			mustOK(t, s.put(operationResource, step.body))
			assert.Equal(t, step.calls, fiam.calls)
			op := s.item("OPERATION_TABLE_NAME", "LabelDetect")
			assert.Equal(t, S(step.version), op["Version"])
			assert.Equal(t, stored["Id"], op["Id"])
			assert.Equal(t, S(s.stageDefinition("Analyze", op["StateMachineAsl"].(*typesS).Value)), s.item("STAGE_TABLE_NAME", "Analyze")["Definition"])
			assert.Equal(t, s.compiled("Timed", "Analyze", &timeout, asl.WorkflowStage{Name: "Analyze", End: true}), s.stateMachineOf("Timed"))
		})
	}
	_, err := s.iam.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("LabelDetect")})
	require.NoError(t, err)
}

// CP-10: a stage update re-snapshots its operations, keeps Id and Created, and rebuilds the workflows using it.
func TestUpdateStage(t *testing.T) {
	s := newStack(t)
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	stored := s.item("STAGE_TABLE_NAME", "Analyze")

	resp := mustOK(t, s.put(stageResource, `{"Name": "Analyze", "Operations": ["LabelDetect", "Mediainfo"], "Note": "two", "StaleWorkflows": ["not stored"]}`))
	labels := s.template(asl.Operation{Name: "LabelDetect", Type: "Async", MediaType: "Video", StartLambdaArn: userStartArn, MonitorLambdaArn: userMonitorArn})
	mediainfo := s.template(asl.Operation{Name: "Mediainfo", Type: "Sync", MediaType: "Video", StartLambdaArn: libraryStartArn})
	want := map[string]typesAV{
		"Name": S("Analyze"), "Operations": L(S("LabelDetect"), S("Mediainfo")), "Note": S("two"),
		"Configuration": M(map[string]typesAV{
			"LabelDetect": M(map[string]typesAV{"MediaType": S("Video"), "Enabled": B(true), "MinConfidence": N("80")}),
			"Mediainfo":   M(map[string]typesAV{"MediaType": S("Video"), "Enabled": B(true)}),
		}),
		"Definition": S(s.stageDefinition("Analyze", labels, mediainfo)),
		"Version":    S("v1"), "Id": stored["Id"], "Created": stored["Created"], "ResourceType": S("STAGE"), "ApiVersion": S("3.0.0"),
	}
	assertItem(t, want, s.item("STAGE_TABLE_NAME", "Analyze"))
	answer := answerOf(t, resp.Body)
	assert.Equal(t, []string{"Name", "Operations", "Note", "Configuration", "Definition", "Version", "Id", "Created", "ResourceType", "ApiVersion"}, answer.Keys())
	assert.Equal(t, ddbText(want), ddbText(mustItem(t, answer)))

	assert.Equal(t, s.compiled("MyWF", "Prep", nil, asl.WorkflowStage{Name: "Prep", Next: next("Analyze")}, asl.WorkflowStage{Name: "Analyze", End: true}),
		s.stateMachineOf("MyWF"))
	wf := s.item("WORKFLOW_TABLE_NAME", "MyWF")
	assert.Equal(t, L(S("Mediainfo"), S("LabelDetect"), S("Mediainfo")), wf["Operations"])
	assert.Equal(t, S("v2"), wf["Version"])

	t.Run("a singleton stage keeps its exemption from the naming rules", func(t *testing.T) {
		long := strings.Repeat("o", 40)
		mustOK(t, s.post(operationResource, syncOp(long, libraryStartArn)))
		mustOK(t, s.put(stageResource, `{"Name": "_`+long+`", "Operations": ["`+long+`"]}`))
		assert.Equal(t, S("v1"), s.item("STAGE_TABLE_NAME", "_"+long)["Version"])
		resp := s.put(stageResource, `{"Name": "_`+long+`", "Operations": ["`+long+`", "Mediainfo"]}`)
		assertError(t, resp, 400, "BadRequestError", nameErr(asl.ValidateStateNames("_"+long, []string{long, "Mediainfo"})))
	})
}

// CP-10: bad updates get R05's and R10's answers, unknown names the 404 of R08 and R13, and nothing changes.
func TestUpdateErrors(t *testing.T) {
	s := newStack(t)
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	before := s.snapshot()
	machine := s.stateMachineOf("MyWF")

	cases := []struct {
		name, resource, body string
		status               int
		code                 string
		message              string // the whole message, or its first line for schema errors
	}{
		{"unknown operation", operationResource, syncOp("Nope", libraryStartArn), 404, "NotFoundError", "Exception: operation 'Nope' not found"},
		{"unknown stage", stageResource, `{"Name": "Nope", "Operations": []}`, 404, "NotFoundError", "Exception: stage 'Nope' not found"},
		{"operation without Type", operationResource, `{"Name": "LabelDetect", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "a"}`,
			400, "BadRequestError", "'Type' is a required property"},
		{"operation Enabled not boolean", operationResource, `{"Name": "LabelDetect", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": "yes"}, "StartLambdaArn": "a"}`,
			400, "BadRequestError", "'yes' is not of type 'boolean'"},
		{"operation body not an object", operationResource, `["LabelDetect"]`, 400, "BadRequestError", "['LabelDetect'] is not of type 'object'"},
		{"Async without monitor", operationResource, `{"Name": "LabelDetect", "Type": "Async", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "a"}`,
			500, "ChaliceViewError", "Exception 'Key 'MonitorLambdaArn' is required in 'Operation monitoring lambda function ARN' input'"},
		{"operation name that cannot run", operationResource, syncOp("a.b", libraryStartArn), 400, "BadRequestError", nameErr(asl.ValidateOperationName("a.b"))},
		{"stage without Operations", stageResource, `{"Name": "Analyze"}`, 400, "BadRequestError", "'Operations' is a required property"},
		{"stage operation not a string", stageResource, `{"Name": "Analyze", "Operations": [1]}`, 400, "BadRequestError", "1 is not of type 'string'"},
		{"stage name that cannot run", stageResource, `{"Name": "a\tb", "Operations": []}`, 400, "BadRequestError", nameErr(asl.ValidateStageName("a\tb"))},
		{"stage with an unknown operation", stageResource, `{"Name": "Analyze", "Operations": ["LabelDetect", "Nope"]}`, 500, "ChaliceViewError",
			"Exception 'Exception: operation 'Nope' not found'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := s.put(c.resource, c.body)
			assert.Equal(t, c.status, resp.StatusCode)
			got := answerOf(t, resp.Body)
			assert.Equal(t, c.code, str(got, "Code"))
			first, _, _ := strings.Cut(str(got, "Message"), "\n\nFailed validating")
			assert.Equal(t, c.message, first)
		})
	}
	t.Run("malformed JSON", func(t *testing.T) {
		assertTraceback(t, s.put(operationResource, `{"Name": "x",}`), "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 14 (char 13)")
		assertTraceback(t, s.put(stageResource, `{"Name"`), "json.decoder.JSONDecodeError: Expecting ':' delimiter: line 1 column 8 (char 7)")
	})
	assert.Equal(t, before, s.snapshot())
	assert.Equal(t, machine, s.stateMachineOf("MyWF"))
}

// CP-10, CP-09: the write of an update is conditional on the item read: an update that loses a race with another
// update gets 409, one that loses it with a deletion the 404, and neither changes anything. A failing inline policy
// write puts the operation back.
func TestUpdateConcurrency(t *testing.T) {
	db := &hookedDB{}
	fiam := &fakeIAM{}
	s := newStack(t, func(c *Clients) {
		db.DynamoDB, c.DynamoDB = c.DynamoDB, db
		fiam.RolePolicies, c.IAM = c.IAM, fiam
	})
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	before := s.snapshot()
	machine := s.stateMachineOf("MyWF")

	// meanwhile changes an item while the update is under way, just before its conditional write.
	meanwhile := func(tableVar, name string, change func(key map[string]typesAV)) {
		db.failPut = func(in *dynamodb.PutItemInput) error {
			if aws.ToString(in.TableName) == s.table(tableVar) && in.ConditionExpression != nil {
				db.failPut = nil
				change(map[string]typesAV{"Name": S(name)})
			}
			return nil
		}
	}
	bump := func(tableVar string) func(map[string]typesAV) {
		return func(key map[string]typesAV) {
			_, err := s.db.UpdateItem(t.Context(), &dynamodb.UpdateItemInput{
				TableName: aws.String(s.table(tableVar)), Key: key,
				UpdateExpression: aws.String("SET Version = :v"), ExpressionAttributeValues: map[string]typesAV{":v": S("v7")},
			})
			require.NoError(t, err)
		}
	}
	remove := func(tableVar string) func(map[string]typesAV) {
		return func(key map[string]typesAV) {
			_, err := s.db.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: aws.String(s.table(tableVar)), Key: key})
			require.NoError(t, err)
		}
	}
	operationUpdate := labelsBody(newStartArn, `{"MediaType": "Video", "Enabled": true}`)
	stageUpdate := `{"Name": "Analyze", "Operations": ["LabelDetect", "Mediainfo"]}`
	cases := []struct {
		name, tableVar, item, resource, body string
		change                               func(string) func(map[string]typesAV)
		status                               int
		code, message                        string
	}{
		{"operation updated meanwhile", "OPERATION_TABLE_NAME", "LabelDetect", operationResource, operationUpdate, bump, 409, "ConflictError",
			"The operation 'LabelDetect' was changed by another request"},
		{"operation deleted meanwhile", "OPERATION_TABLE_NAME", "LabelDetect", operationResource, operationUpdate, remove, 404, "NotFoundError",
			"Exception: operation 'LabelDetect' not found"},
		{"stage updated meanwhile", "STAGE_TABLE_NAME", "Analyze", stageResource, stageUpdate, bump, 409, "ConflictError",
			"The stage 'Analyze' was changed by another request"},
		{"stage deleted meanwhile", "STAGE_TABLE_NAME", "Analyze", stageResource, stageUpdate, remove, 404, "NotFoundError",
			"Exception: stage 'Analyze' not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			original := s.item(c.tableVar, c.item)
			fiam.calls = nil
			meanwhile(c.tableVar, c.item, c.change(c.tableVar))
			assertError(t, s.put(c.resource, c.body), c.status, c.code, c.message)
			assert.Nil(t, db.failPut, "the concurrent change happened")
			assert.Empty(t, fiam.calls)
			// Undo the concurrent change: then nothing else may differ.
			_, err := s.db.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(s.table(c.tableVar)), Item: original})
			require.NoError(t, err)
			assert.Equal(t, before, s.snapshot())
			assert.Equal(t, machine, s.stateMachineOf("MyWF"))
		})
	}

	t.Run("failed policy write", func(t *testing.T) {
		fiam.putErr = apiError("PutRolePolicy", "", "")
		defer func() { fiam.putErr = nil }()
		assertError(t, s.put(operationResource, operationUpdate), 500, "ChaliceViewError",
			"Exception 'An error occurred () when calling the PutRolePolicy operation: '")
		assert.Equal(t, before, s.snapshot())
		assert.Equal(t, machine, s.stateMachineOf("MyWF"))
	})
}

// CP-10, CP-13, CP-15: a dependent that cannot be rebuilt keeps its copy, is flagged stale (once) and is named in
// the answer; the others are rebuilt without a flag. A later successful rebuild of a stage clears its flag.
func TestUpdateStaleDependents(t *testing.T) {
	s := newStack(t)
	mustOK(t, s.post(operationResource, asyncOp("Labels", userStartArn, userMonitorArn)))
	mustOK(t, s.post(operationResource, syncOp("Extra", libraryStartArn)))
	mustOK(t, s.post(stageResource, `{"Name": "Mixed", "Operations": ["Labels", "Extra"]}`))
	mustOK(t, s.post(stageResource, `{"Name": "Tail", "Operations": ["Labels"]}`))
	mustOK(t, s.post(workflowResource, `{"Name": "UsesMixed", "StartAt": "_Labels", "Stages": {"_Labels": {"Next": "Mixed"}, "Mixed": {"End": true}}}`))
	mustOK(t, s.post(workflowResource, `{"Name": "UsesTail", "StartAt": "_Labels", "Stages": {"_Labels": {"Next": "Tail"}, "Tail": {"End": true}}}`))
	mustOK(t, s.post(workflowResource, `{"Name": "Single", "StartAt": "_Labels", "Stages": {"_Labels": {"End": true}}}`))
	// Mixed can no longer be compiled (an operation of it is gone), UsesTail no longer (a stage of it is gone).
	mustOK(t, s.del(operationByName, map[string]string{"name": "Extra"}, map[string][]string{"force": {"true"}}))
	mustOK(t, s.del(stageByName, map[string]string{"name": "Tail"}, map[string][]string{"force": {"true"}}))
	mixed := s.item("STAGE_TABLE_NAME", "Mixed")
	tail := s.stateMachineOf("UsesTail")

	update := labelsBody(userStartArn, `{"MediaType": "Video", "Enabled": false}`)
	update = strings.Replace(update, `"LabelDetect"`, `"Labels"`, 1)
	for round := range 2 {
		answer := answerOf(t, mustOK(t, s.put(operationResource, update)).Body)
		assert.Equal(t, []any{"Mixed"}, mustGet(t, answer, "StaleStages"), "round %d", round)
		assert.Equal(t, []any{"UsesMixed", "UsesTail"}, mustGet(t, answer, "StaleWorkflows"), "round %d", round)
	}

	got := s.item("STAGE_TABLE_NAME", "Mixed")
	assert.Equal(t, L(S("Labels")), got["StaleOperations"], "flagged once")
	delete(got, "StaleOperations")
	assertItem(t, mixed, got)
	assert.Equal(t, S("v2"), s.item("STAGE_TABLE_NAME", "_Labels")["Version"])

	usesMixed := s.item("WORKFLOW_TABLE_NAME", "UsesMixed")
	assert.Equal(t, L(S("Extra"), S("Labels")), usesMixed["StaleOperations"], "R09's flag stays, the update's is added")
	assert.Equal(t, S("v2"), usesMixed["Version"], "rebuilt with the stages that could be rebuilt")
	assert.Equal(t, s.compiled("UsesMixed", "_Labels", nil, asl.WorkflowStage{Name: "_Labels", Next: next("Mixed")}, asl.WorkflowStage{Name: "Mixed", End: true}),
		s.stateMachineOf("UsesMixed"))
	usesTail := s.item("WORKFLOW_TABLE_NAME", "UsesTail")
	assert.Equal(t, L(S("Labels")), usesTail["StaleOperations"])
	assert.Equal(t, L(S("Tail")), usesTail["StaleStages"])
	assert.Equal(t, S("v0"), usesTail["Version"])
	assert.Equal(t, tail, s.stateMachineOf("UsesTail"), "a failed rebuild leaves the state machine as it was")
	single := s.item("WORKFLOW_TABLE_NAME", "Single")
	assert.Equal(t, L(), single["StaleOperations"])
	assert.Equal(t, S("v2"), single["Version"])

	t.Run("a stage rebuilt by its own update is no longer stale", func(t *testing.T) {
		answer := answerOf(t, mustOK(t, s.put(stageResource, `{"Name": "Mixed", "Operations": ["Labels"]}`)).Body)
		assert.Equal(t, []string{"Name", "Operations", "Configuration", "Definition", "Version", "Id", "Created", "ResourceType", "ApiVersion"}, answer.Keys())
		got := s.item("STAGE_TABLE_NAME", "Mixed")
		assert.Nil(t, got["StaleOperations"])
		assert.Equal(t, S("v1"), got["Version"])
		assert.Equal(t, s.compiled("UsesMixed", "_Labels", nil, asl.WorkflowStage{Name: "_Labels", Next: next("Mixed")}, asl.WorkflowStage{Name: "Mixed", End: true}),
			s.stateMachineOf("UsesMixed"))
		assert.Equal(t, L(S("Extra"), S("Labels")), s.item("WORKFLOW_TABLE_NAME", "UsesMixed")["StaleOperations"])
	})
	t.Run("a stage update names the workflows it could not rebuild", func(t *testing.T) {
		answer := answerOf(t, mustOK(t, s.put(stageResource, `{"Name": "_Labels", "Operations": ["Labels"]}`)).Body)
		assert.Equal(t, []any{"UsesTail"}, mustGet(t, answer, "StaleWorkflows"))
		_, ok := answer.Get("StaleStages")
		assert.False(t, ok)
		assert.Equal(t, L(S("Tail"), S("_Labels")), s.item("WORKFLOW_TABLE_NAME", "UsesTail")["StaleStages"])
		assert.Equal(t, tail, s.stateMachineOf("UsesTail"))
	})
}

func mustGet(t *testing.T, m *pyjson.Map, key string) any {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, "answer has no %s", key)
	return v
}

// CP-16, CP-47: through the API, a workflow without TimeoutSeconds gets the definition of §5.5 byte for byte (the
// golden file of package asl); with TimeoutSeconds the same text ends in it, and updates of the workflow, of its
// operations and of its stages keep it.
func TestWorkflowTimeoutSecondsGolden(t *testing.T) {
	s := newStack(t)
	// The engine ARNs and operator Lambdas of §5.5.
	const account = "arn:aws:lambda:us-east-1:111122223333:function:"
	env := maps.Clone(s.env)
	env["FILTER_OPERATION_LAMBDA_ARN"] = account + "mie-FilterOperationLambda-AAAA"
	env["OPERATOR_FAILED_LAMBDA_ARN"] = account + "mie-OperatorFailedLambda-BBBB"
	env["COMPLETE_STAGE_LAMBDA_ARN"] = account + "mie-CompleteStageLambda-CCCC"
	s.env = env
	s.h = s.handler(env, Clients{DynamoDB: s.db, StepFunctions: s.sfn, IAM: s.iam})
	golden, err := os.ReadFile(filepath.Join("..", "asl", "testdata", "workflow_mywf.golden"))
	require.NoError(t, err)

	mediainfo := `{"Name": "Mediainfo", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "` +
		account + `mie-OperatorLibrary-X-Mediainfo-DDDD"}`
	mustOK(t, s.post(operationResource, mediainfo))
	labels := `{"Name": "LabelDetect", "Type": "Async", "Configuration": {"MediaType": "Video", "Enabled": true},
	  "StartLambdaArn": "` + account + `my-start-labels", "MonitorLambdaArn": "` + account + `my-check-labels"}`
	mustOK(t, s.post(operationResource, labels))
	mustOK(t, s.post(stageResource, `{"Name": "Prep", "Operations": ["Mediainfo"]}`))
	mustOK(t, s.post(stageResource, `{"Name": "Analyze", "Operations": ["LabelDetect"]}`))
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	assert.Equal(t, string(golden), s.stateMachineOf("MyWF"), "without TimeoutSeconds, the original's text")

	timed := strings.TrimSuffix(string(golden), "}") + `, "TimeoutSeconds": 3600}`
	steps := []struct{ name, resource, body string }{
		{"PUT /workflow with TimeoutSeconds", workflowResource, `{"Name": "MyWF", "TimeoutSeconds": 3600}`},
		{"PUT /workflow without it", workflowResource, `{"Name": "MyWF"}`},
		{"PUT /workflow/operation", operationResource, labels},
		{"PUT /workflow/stage", stageResource, `{"Name": "Prep", "Operations": ["Mediainfo"]}`},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			mustOK(t, s.put(step.resource, step.body))
			assert.Equal(t, timed, s.stateMachineOf("MyWF"))
		})
	}
}

// engineStack is a deployment on moto whose workflow state machines run in the in-process Step Functions engine.
// Their Task states call fakes of the engine's Lambdas (filter, stage completion, operator failed) and of the
// operators in a Lambda registry, and the workflow error handler gets the engine's status changes as the stack's
// EventBridge rule delivers them.
type engineStack struct {
	*stack
	engine   *stepfunctions.Engine
	registry *lambdainvoke.Registry
	store    *executions.Store
	// next is the stage object the stage completion fake returns after each stage; the last stage has none.
	next map[string]map[string]any
	// ended receives the ARN of every state machine execution that ends.
	ended chan string

	mu       sync.Mutex
	invoked  map[string]int
	failures []error
}

// gatedClock is a scaled clock on which no wait begins before the gate is open, so that nothing times out before
// the test has recorded its execution the way the scheduler does.
type gatedClock struct {
	gate   <-chan struct{}
	scaled interp.Clock
}

func (c gatedClock) Now() time.Time { return c.scaled.Now() }

func (c gatedClock) Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-c.gate:
		return c.scaled.Sleep(ctx, d)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newEngineStack(t *testing.T, gate <-chan struct{}) *engineStack {
	t.Helper()
	ctx := t.Context()
	quiet := slog.New(slog.DiscardHandler)
	reg := lambdainvoke.NewRegistry("us-east-1", motoAccount, lambdainvoke.WithLogger(quiet))
	engine := stepfunctions.New(stepfunctions.NewRegistryInvoker(reg),
		stepfunctions.WithLocation("us-east-1", motoAccount),
		stepfunctions.WithClock(gatedClock{gate: gate, scaled: interp.ScaledClock(1000)}),
		stepfunctions.WithLogger(quiet))
	sfnServer := httptest.NewServer(stepfunctions.NewServer(engine))
	t.Cleanup(sfnServer.Close)
	t.Cleanup(engine.Close)

	cfg := awstest.Config(t, nil)
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(ctx, cfg, resources.Params{
		StackName: prefix, ShortID: prefix, Region: "us-east-1", Account: motoAccount, FrameworkVersion: frameworkForAPI,
	})
	require.NoError(t, err)
	env, err := d.Env(resources.WorkflowAPIHandler)
	require.NoError(t, err)
	engineSFN := awstest.Config(t, map[string]string{"AWS_ENDPOINT_URL_SFN": sfnServer.URL, "AWS_MAX_ATTEMPTS": "3"}).SFN()
	s := &stack{t: t, env: env, db: cfg.DynamoDB(), sfn: engineSFN, iam: cfg.IAM(), suid: prefix, roleArn: env["STAGE_EXECUTION_ROLE"]}
	s.h = s.handler(env, Clients{DynamoDB: s.db, StepFunctions: engineSFN, IAM: s.iam})

	// The error handler's own environment names the slot table. Its store triggers no scheduler here.
	errEnv, err := d.Env(resources.WorkflowErrorHandlerLambda)
	require.NoError(t, err)
	store := executions.New(executions.Config{ExecutionTable: errEnv["WORKFLOW_EXECUTION_TABLE_NAME"], SlotTable: errEnv["EXECUTION_SLOT_TABLE_NAME"]}, s.db, nil)
	errHandler := errorhandler.New(errEnv["ShortUUID"], engineSFN, reconciler.NewExecutions(s.db, errEnv["WORKFLOW_EXECUTION_TABLE_NAME"], store), quiet)
	st := &engineStack{
		stack: s, engine: engine, registry: reg, store: store, next: map[string]map[string]any{}, ended: make(chan string, 16), invoked: map[string]int{},
	}
	engine.Subscribe(func(ctx context.Context, ev stepfunctions.StatusChangeEvent) {
		switch ev.Detail.Status {
		case "RUNNING":
			return
		case "FAILED", "TIMED_OUT", "ABORTED":
			raw, err := json.Marshal(ev)
			if err == nil {
				_, err = errHandler.Handle(ctx, raw)
			}
			if err != nil {
				st.mu.Lock()
				st.failures = append(st.failures, err)
				st.mu.Unlock()
			}
		}
		select {
		case st.ended <- ev.Detail.ExecutionArn:
		default:
		}
	})

	function := func(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }
	// The filter lets every operation start (§8.4).
	reg.RegisterFunc(function(env["FILTER_OPERATION_LAMBDA_ARN"]), func(_ context.Context, in map[string]any) (map[string]any, error) {
		in["Status"] = "Started"
		return in, nil
	})
	reg.RegisterFunc(function(env["COMPLETE_STAGE_LAMBDA_ARN"]), func(_ context.Context, in map[string]any) (map[string]any, error) {
		stage, _ := in["Name"].(string)
		if next, ok := st.next[stage]; ok {
			return next, nil
		}
		return map[string]any{}, nil
	})
	reg.RegisterFunc(function(env["OPERATOR_FAILED_LAMBDA_ARN"]), func(_ context.Context, in map[string]any) (map[string]any, error) {
		return in, nil
	})
	return st
}

// operator registers a Sync operator that counts its invocations, runs wait (when not nil) and completes; it
// returns its ARN.
func (st *engineStack) operator(name string, wait func(ctx context.Context) error) string {
	st.registry.RegisterFunc(name, func(ctx context.Context, _ json.RawMessage) (map[string]any, error) {
		st.mu.Lock()
		st.invoked[name]++
		st.mu.Unlock()
		if wait != nil {
			if err := wait(ctx); err != nil {
				return nil, err
			}
		}
		return map[string]any{"Status": "Complete"}, nil
	}, lambdainvoke.WithTimeout(time.Hour))
	return st.registry.ARN(name)
}

func (st *engineStack) invocations(name string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.invoked[name]
}

// stageObject is the object a stage's states read (§5.6): the input of an execution's first stage, and what stage
// completion returns for the next one.
func stageObject(stage, operation string) map[string]any {
	return map[string]any{
		"Name":                stage,
		"Status":              "Started",
		"Input":               map[string]any{"Media": map[string]any{"Video": map[string]any{"S3Bucket": "b", "S3Key": "k"}}},
		"Configuration":       map[string]any{operation: map[string]any{"MediaType": "Video", "Enabled": true}},
		"AssetId":             "asset-1",
		"WorkflowExecutionId": "execution-1",
	}
}

// start starts an execution of the workflow's state machine with the stage object.
func (st *engineStack) start(workflow, name string, input map[string]any) string {
	st.t.Helper()
	raw, err := json.Marshal(input)
	require.NoError(st.t, err)
	out, err := st.sfn.StartExecution(st.t.Context(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(st.item("WORKFLOW_TABLE_NAME", workflow)["StateMachineArn"].(*typesS).Value),
		Name:            aws.String(name),
		Input:           aws.String(string(raw)),
	})
	require.NoError(st.t, err)
	return aws.ToString(out.ExecutionArn)
}

// schedule does for a workflow execution what R23 and the scheduler do: the record Queued, its slot taken
// (Started), the state machine execution started with the first stage's object and its ARN recorded.
func (st *engineStack) schedule(id, workflow string, input map[string]any) string {
	st.t.Helper()
	ctx := st.t.Context()
	table := aws.String(st.env["WORKFLOW_EXECUTION_TABLE_NAME"])
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]typesAV{
		"Id": S(id), "Status": S("Queued"), "AssetId": S("asset-1"), "Created": S(testCreated), "CurrentStage": S(input["Name"].(string)),
		"Workflow": M(map[string]typesAV{"Name": S(workflow), "StateMachineArn": st.item("WORKFLOW_TABLE_NAME", workflow)["StateMachineArn"]}),
	}})
	require.NoError(st.t, err)
	taken, err := st.store.Take(ctx, id, executions.Queued, 5)
	require.NoError(st.t, err)
	require.Equal(st.t, executions.Taken, taken)
	arn := st.start(workflow, workflow+id, input)
	_, err = st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: table, Key: map[string]typesAV{"Id": S(id)},
		UpdateExpression:          aws.String("SET StateMachineExecutionArn = :arn"),
		ExpressionAttributeValues: map[string]typesAV{":arn": S(arn)},
	})
	require.NoError(st.t, err)
	return arn
}

// execution describes a state machine execution.
func (st *engineStack) execution(arn string) *sfn.DescribeExecutionOutput {
	st.t.Helper()
	out, err := st.sfn.DescribeExecution(st.t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	require.NoError(st.t, err)
	return out
}

// reached waits until entered is closed, failing the test if an execution ends before.
func (st *engineStack) reached(entered <-chan struct{}) {
	st.t.Helper()
	select {
	case <-entered:
	case arn := <-st.ended:
		st.t.Fatalf("execution %s ended first: %+v", arn, st.execution(arn))
	}
}

// CP-16, CP-39, MIE#271: a workflow created with TimeoutSeconds ends TIMED_OUT in the Step Functions engine while
// its operator still runs; the workflow error handler then ends the workflow execution Error and frees its slot.
func TestWorkflowTimeoutInEngine(t *testing.T) {
	gate := make(chan struct{})
	st := newEngineStack(t, gate)
	entered := make(chan struct{})
	hang := st.operator("hang", func(ctx context.Context) error {
		close(entered)
		<-ctx.Done()
		return ctx.Err()
	})
	mustOK(t, st.post(operationResource, syncOp("Hang", hang)))
	mustOK(t, st.post(workflowResource, `{"Name": "Slow", "StartAt": "_Hang", "TimeoutSeconds": 30, "Stages": {"_Hang": {"End": true}}}`))
	assert.True(t, strings.HasSuffix(st.stateMachineOf("Slow"), `, "TimeoutSeconds": 30}`))

	arn := st.schedule("execution-1", "Slow", stageObject("_Hang", "Hang"))
	st.reached(entered)
	close(gate)
	st.engine.Wait()

	desc := st.execution(arn)
	assert.Equal(t, sfntypes.ExecutionStatusTimedOut, desc.Status)
	assert.Equal(t, "States.Timeout", aws.ToString(desc.Error))
	assert.Equal(t, 1, st.invocations("hang"))

	st.mu.Lock()
	assert.Empty(t, st.failures)
	st.mu.Unlock()
	record, err := st.db.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(st.env["WORKFLOW_EXECUTION_TABLE_NAME"]), Key: map[string]typesAV{"Id": S("execution-1")}, ConsistentRead: aws.Bool(true),
	})
	require.NoError(t, err)
	assert.Equal(t, S("Error"), record.Item["Status"])
	require.IsType(t, &typesS{}, record.Item["Message"])
	assert.Contains(t, record.Item["Message"].(*typesS).Value, arn+", status:TIMED_OUT")
	held, err := st.store.Held(t.Context())
	require.NoError(t, err)
	assert.Zero(t, held, "the slot is free again")
}

// CP-10: an execution keeps the definition it started with. An operation update while it runs changes the state
// machine, which only the executions started afterwards run.
func TestRunningExecutionKeepsItsDefinition(t *testing.T) {
	open := make(chan struct{})
	close(open)
	st := newEngineStack(t, open)
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	hold := st.operator("hold", func(ctx context.Context) error {
		once.Do(func() { close(entered) })
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	before, after := st.operator("other-v1", nil), st.operator("other-v2", nil)
	mustOK(t, st.post(operationResource, syncOp("Hold", hold)))
	mustOK(t, st.post(operationResource, syncOp("Other", before)))
	mustOK(t, st.post(stageResource, `{"Name": "First", "Operations": ["Hold"]}`))
	mustOK(t, st.post(stageResource, `{"Name": "Second", "Operations": ["Other"]}`))
	mustOK(t, st.post(workflowResource, `{"Name": "Pair", "StartAt": "First", "Stages": {"First": {"Next": "Second"}, "Second": {"End": true}}}`))
	st.next["First"] = stageObject("Second", "Other")

	running := st.start("Pair", "running", stageObject("First", "Hold"))
	st.reached(entered)
	answer := answerOf(t, mustOK(t, st.put(operationResource, syncOp("Other", after))).Body)
	_, stale := answer.Get("StaleWorkflows")
	assert.False(t, stale)
	definition := st.stateMachineOf("Pair")
	assert.Equal(t, st.compiled("Pair", "First", nil, asl.WorkflowStage{Name: "First", Next: next("Second")}, asl.WorkflowStage{Name: "Second", End: true}),
		definition)
	assert.Contains(t, definition, after)
	assert.NotContains(t, definition, before)

	close(release)
	st.engine.Wait()
	assert.Equal(t, sfntypes.ExecutionStatusSucceeded, st.execution(running).Status)
	assert.Equal(t, 1, st.invocations("other-v1"), "the running execution ran the operator it started with")
	assert.Equal(t, 0, st.invocations("other-v2"))

	later := st.start("Pair", "later", stageObject("First", "Hold"))
	st.engine.Wait()
	assert.Equal(t, sfntypes.ExecutionStatusSucceeded, st.execution(later).Status)
	assert.Equal(t, 1, st.invocations("other-v1"))
	assert.Equal(t, 1, st.invocations("other-v2"), "a later execution runs the updated operator")
}
