package controlplane

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/pyjson"
)

const (
	workflowResource     = "/workflow"
	workflowByName       = "/workflow/{name}"
	workflowsByOperation = "/workflow/list/operation/{operator_name}"
	workflowsByStage     = "/workflow/list/stage/{stage_name}"
	workflowConfig       = "/workflow/configuration/{name}"
	twoStageWorkflow     = `{"Name": "MyWF", "StartAt": "Prep", "Stages": {"Prep": {"Next": "Analyze"}, "Analyze": {"End": true}}}`
)

// definitions registers the operations and stages of control-plane §5.5: Prep = [Mediainfo] (Sync, operator
// library) and Analyze = [LabelDetect] (Async, user Lambdas).
func (s *stack) definitions() {
	s.t.Helper()
	mustOK(s.t, s.post(operationResource, `{"Name": "Mediainfo", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "`+libraryStartArn+`"}`))
	mustOK(s.t, s.post(operationResource, `{"Name": "LabelDetect", "Type": "Async", "Configuration": {"MediaType": "Video", "Enabled": true, "MinConfidence": 80},
	  "StartLambdaArn": "`+userStartArn+`", "MonitorLambdaArn": "`+userMonitorArn+`"}`))
	mustOK(s.t, s.post(stageResource, `{"Name": "Prep", "Operations": ["Mediainfo"]}`))
	mustOK(s.t, s.post(stageResource, `{"Name": "Analyze", "Operations": ["LabelDetect"]}`))
}

// compiled is asl's compilation of the named stages from their stored definitions, in the given order.
func (s *stack) compiled(workflow, startAt string, timeout *int, stages ...asl.WorkflowStage) string {
	s.t.Helper()
	for i := range stages {
		stages[i].Definition = s.item("STAGE_TABLE_NAME", stages[i].Name)["Definition"].(*typesS).Value
	}
	text, err := asl.CompileWorkflow(workflow, startAt, stages, timeout)
	require.NoError(s.t, err)
	return text
}

func next(stage string) *string { return &stage }

// stateMachine describes the workflow's state machine in moto.
func (s *stack) stateMachine(arn string) *sfn.DescribeStateMachineOutput {
	s.t.Helper()
	out, err := s.sfn.DescribeStateMachine(s.t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(s.t, err)
	return out
}

// CP-16, CP-17: the state machine gets the compiled definition, the role, logging and the tag; the item is the
// request plus resolved stages and generated fields, without the definition.
func TestCreateWorkflow(t *testing.T) {
	s := newStack(t)
	s.definitions()
	body := `{"Name": "MyWF", "StartAt": "Prep", "Description": "two stages",
	          "Stages": {"Prep": {"Next": "Analyze", "Note": "first", "stateMachineAsl": "dropped"}, "Analyze": {"End": true}}}`
	resp := mustOK(t, s.post(workflowResource, body))

	arn := "arn:aws:states:us-east-1:" + motoAccount + ":stateMachine:MyWF-" + s.suid
	sm := s.stateMachine(arn)
	assert.Equal(t, "MyWF-"+s.suid, aws.ToString(sm.Name))
	assert.Equal(t, s.compiled("MyWF", "Prep", nil, asl.WorkflowStage{Name: "Prep", Next: next("Analyze")}, asl.WorkflowStage{Name: "Analyze", End: true}),
		aws.ToString(sm.Definition))
	assert.True(t, strings.HasPrefix(aws.ToString(sm.Definition), `{"StartAt": "Prep", "States": {"Complete Stage Prep": {"Type": "Task", "Resource": "`+
		s.env["COMPLETE_STAGE_LAMBDA_ARN"]+`", "Next": "Analyze"}, "Prep": {"Type": "Parallel"`), aws.ToString(sm.Definition))
	assert.Equal(t, s.roleArn, aws.ToString(sm.RoleArn))
	require.NotNil(t, sm.LoggingConfiguration)
	assert.Equal(t, sfntypes.LogLevelAll, sm.LoggingConfiguration.Level)
	assert.False(t, sm.LoggingConfiguration.IncludeExecutionData)
	require.Len(t, sm.LoggingConfiguration.Destinations, 1)
	assert.Equal(t, s.env["STEP_FUNCTION_LOG_GROUP_ARN"], aws.ToString(sm.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn))
	tags, err := s.sfn.ListTagsForResource(t.Context(), &sfn.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, []sfntypes.Tag{{Key: aws.String("environment"), Value: aws.String("mie")}}, tags.Tags)

	stageEntry := func(name string, extra map[string]typesAV) typesAV {
		stored := s.item("STAGE_TABLE_NAME", name)
		return M(with(stored, extra))
	}
	want := map[string]typesAV{
		"Name": S("MyWF"), "StartAt": S("Prep"), "Description": S("two stages"),
		"Stages": M(map[string]typesAV{
			"Prep":    stageEntry("Prep", map[string]typesAV{"Next": S("Analyze"), "Note": S("first")}),
			"Analyze": stageEntry("Analyze", map[string]typesAV{"End": B(true)}),
		}),
		"Trigger": S("api"), "Operations": L(S("Mediainfo"), S("LabelDetect")), "StaleOperations": L(), "StaleStages": L(),
		"Version": S("v0"), "Id": S("id-7"), "Created": S(testCreated), "Revisions": S("1"), "ResourceType": S("WORKFLOW"),
		"ApiVersion": S("3.0.0"), "StateMachineArn": S(arn),
	}
	assertItem(t, want, s.item("WORKFLOW_TABLE_NAME", "MyWF"))

	answered := decode(t, resp.Body).(*pyjson.Map)
	assert.Equal(t, []string{"Name", "StartAt", "Description", "Stages", "Trigger", "Operations", "StaleOperations", "StaleStages",
		"Version", "Id", "Created", "Revisions", "ResourceType", "ApiVersion", "StateMachineArn"}, answered.Keys())
	assert.Contains(t, resp.Body, `"MinConfidence":80.0`, "numbers read from the stage items are answered as floats")
	assert.Equal(t, ddbText(want), ddbText(mustItem(t, answered)))

	// the identical request again: Step Functions returns the same state machine, the item exists.
	before := s.snapshot()
	assertError(t, s.post(workflowResource, body), 409, "ConflictError", "Workflow with Name MyWF already exists")
	assert.Equal(t, before, s.snapshot())

	t.Run("Q-42: a stage listed after the stage that leads to it", func(t *testing.T) {
		mustOK(t, s.post(workflowResource, `{"Name": "Backward", "StartAt": "Prep", "Stages": {"Analyze": {"End": true}, "Prep": {"Next": "Analyze"}}}`))
		sm := s.stateMachine(str(decode(t, mustOK(t, s.get(workflowByName, map[string]string{"name": "Backward"})).Body).(*pyjson.Map), "StateMachineArn"))
		assert.Equal(t, s.compiled("Backward", "Prep", nil, asl.WorkflowStage{Name: "Analyze", End: true}, asl.WorkflowStage{Name: "Prep", Next: next("Analyze")}),
			aws.ToString(sm.Definition))
	})
	t.Run("CP-16: TimeoutSeconds", func(t *testing.T) {
		mustOK(t, s.post(workflowResource, `{"Name": "Timed", "StartAt": "Prep", "TimeoutSeconds": 3600, "Stages": {"Prep": {"End": true}}}`))
		timeout := 3600
		sm := s.stateMachine(str(decode(t, mustOK(t, s.get(workflowByName, map[string]string{"name": "Timed"})).Body).(*pyjson.Map), "StateMachineArn"))
		assert.Equal(t, s.compiled("Timed", "Prep", &timeout, asl.WorkflowStage{Name: "Prep", End: true}), aws.ToString(sm.Definition))
		assert.True(t, strings.HasSuffix(aws.ToString(sm.Definition), `, "TimeoutSeconds": 3600}`))
		assert.Equal(t, N("3600"), s.item("WORKFLOW_TABLE_NAME", "Timed")["TimeoutSeconds"])
	})
}

// CP-16, CP-17, CP-44, §14: bad workflows get the original's status and text, and change nothing.
func TestCreateWorkflowErrors(t *testing.T) {
	s := newStack(t)
	s.definitions()
	before := s.snapshot()
	cases := []struct {
		name, body string
		status     int
		code       string
		message    string
	}{
		{"missing Name", `{"StartAt": "Prep", "Stages": {}}`, 500, "ChaliceViewError", "Exception 'Key 'Name' is required in 'Workflow Definition' input'"},
		{"missing StartAt", `{"Name": "W", "Stages": {}}`, 500, "ChaliceViewError", "Exception 'Key 'StartAt' is required in 'Workflow Definition' input'"},
		{"missing Stages", `{"Name": "W", "StartAt": "Prep"}`, 500, "ChaliceViewError", "Exception 'Key 'Stages' is required in 'Workflow Definition' input'"},
		{"stage without End or Next", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {}, "Analyze": {"End": true}}}`, 500, "ChaliceViewError",
			"Exception 'Stage Prep must have either an 'End' or and 'Next' key'"},
		{"End false is no end", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"End": false}}}`, 500, "ChaliceViewError",
			"Exception 'Stage Prep must have either an 'End' or and 'Next' key'"},
		{"two ends", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"End": true}, "Analyze": {"End": 1}}}`, 500, "ChaliceViewError",
			"Exception 'Workflow W must have exactly 1 'End' key within its stages'"},
		{"no end", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"Next": "Prep"}}}`, 500, "ChaliceViewError",
			"Exception 'Workflow W must have exactly 1 'End' key within its stages'"},
		{"unknown stage", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"Next": "Nope"}, "Nope": {"End": true}}}`, 500, "ChaliceViewError",
			"Exception 'Exception: stage 'Nope' not found'"},
		{"StartAt names no stage", `{"Name": "W", "StartAt": "Nope", "Stages": {"Prep": {"End": true}}}`, 500, "ChaliceViewError", "Exception ''Nope''"},
		{"Next names no listed stage", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"Next": "Analyze"}, "Other": {"End": true}}}`, 500, "ChaliceViewError",
			"Exception 'Exception: stage 'Other' not found'"},
		{"Next to a stage not in the workflow", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"Next": "Analyze2"}, "Analyze": {"End": true}}}`, 500, "ChaliceViewError",
			"Exception ''Analyze2''"},
		{"Stages is a list", `{"Name": "W", "StartAt": "Prep", "Stages": ["Prep"]}`, 500, "ChaliceViewError", "Exception ''list' object has no attribute 'items''"},
		{"stage entry is a string", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": "End"}}`, 500, "ChaliceViewError", "Exception ''str' object has no attribute 'get''"},
		{"StartAt is a number", `{"Name": "W", "StartAt": 5, "Stages": {"Prep": {"End": true}}}`, 500, "ChaliceViewError", "Exception '5'"},
		{"Next is a list", `{"Name": "W", "StartAt": "Prep", "Stages": {"Prep": {"Next": ["Analyze"]}, "Analyze": {"End": true}}}`, 500, "ChaliceViewError",
			"Exception 'unhashable type: 'list''"},
		{"Name is a number", `{"Name": 5, "StartAt": "Prep", "Stages": {"Prep": {"End": true}}}`, 500, "ChaliceViewError",
			"Exception 'unsupported operand type(s) for +: 'int' and 'str''"},
		{"body is a list", `["Name"]`, 500, "ChaliceViewError", "Exception ''list' object does not support item assignment'"},
		{"whitespace in name", `{"Name": "My WF", "StartAt": "Prep", "Stages": {"Prep": {"End": true}}}`, 400, "BadRequestError", nameErr(asl.ValidateWorkflowName("My WF"))},
		{"name too long for executions", `{"Name": "` + strings.Repeat("w", 45) + `", "StartAt": "Prep", "Stages": {"Prep": {"End": true}}}`, 400, "BadRequestError",
			nameErr(asl.ValidateWorkflowName(strings.Repeat("w", 45)))},
		{"TimeoutSeconds not an integer", `{"Name": "W", "StartAt": "Prep", "TimeoutSeconds": "60", "Stages": {"Prep": {"End": true}}}`, 400, "BadRequestError",
			"TimeoutSeconds must be an integer from 1 to 99999999, not '60'"},
		{"TimeoutSeconds zero", `{"Name": "W", "StartAt": "Prep", "TimeoutSeconds": 0, "Stages": {"Prep": {"End": true}}}`, 400, "BadRequestError",
			"TimeoutSeconds must be an integer from 1 to 99999999, not 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assertError(t, s.post(workflowResource, c.body), c.status, c.code, c.message)
		})
	}
	tracebacks := []struct{ name, body, last string }{
		{"malformed JSON", `{"Name": "W"`, "json.decoder.JSONDecodeError: Expecting ',' delimiter: line 1 column 13 (char 12)"},
		{"body is a number", `5`, "TypeError: argument of type 'int' is not iterable"},
		// §6.14 step 7: the original's failed cleanup when the request itself carries a StateMachineArn.
		{"StateMachineArn in the request", `{"Name": "W", "StateMachineArn": "arn:x", "Stages": {}}`, "TypeError: delete_state_machine() only accepts keyword arguments."},
	}
	for _, c := range tracebacks {
		t.Run(c.name, func(t *testing.T) {
			assertTraceback(t, s.post(workflowResource, c.body), c.last)
		})
	}
	assert.Equal(t, before, s.snapshot())
}

// CP-18, Q-15: an update recompiles from the current stages; the stored order of stages does not matter.
func TestUpdateWorkflow(t *testing.T) {
	s := newStack(t)
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	arn := str(decode(t, mustOK(t, s.get(workflowByName, map[string]string{"name": "MyWF"})).Body).(*pyjson.Map), "StateMachineArn")
	created := aws.ToString(s.stateMachine(arn).Definition)

	resp := mustOK(t, s.put(workflowResource, `{"Name": "MyWF", "Ignored": true}`))
	stored := s.item("WORKFLOW_TABLE_NAME", "MyWF")
	assert.Equal(t, S("v2"), stored["Version"])
	assert.Equal(t, S("1"), stored["Revisions"])
	assert.Equal(t, S("id-7"), stored["Id"])
	assert.Equal(t, L(S("Mediainfo"), S("LabelDetect")), stored["Operations"])
	assert.Nil(t, stored["Ignored"])
	assert.Equal(t, created, aws.ToString(s.stateMachine(arn).Definition), "chain order compiles the creation's text")
	assert.Equal(t, ddbText(stored), ddbText(mustItem(t, decode(t, resp.Body).(*pyjson.Map))))

	mustOK(t, s.put(workflowResource, `{"Name": "MyWF", "StartAt": "Analyze", "Stages": {"Analyze": {"End": true}}}`))
	stored = s.item("WORKFLOW_TABLE_NAME", "MyWF")
	assert.Equal(t, L(S("LabelDetect")), stored["Operations"])
	assert.Equal(t, s.compiled("MyWF", "Analyze", nil, asl.WorkflowStage{Name: "Analyze", End: true}), aws.ToString(s.stateMachine(arn).Definition))

	before := s.snapshot()
	assertError(t, s.put(workflowResource, `{"StartAt": "Prep"}`), 500, "ChaliceViewError", "Exception 'Key 'Name' is required in 'Workflow Definition' input'")
	assertError(t, s.put(workflowResource, `{"Name": "Nope"}`), 500, "ChaliceViewError", "Exception 'Exception: workflow 'Nope' not found'")
	assertError(t, s.put(workflowResource, `{"Name": "MyWF", "Stages": {"Gone": {"End": true}}, "StartAt": "Gone"}`), 500, "ChaliceViewError",
		"Exception 'Exception: stage 'Gone' not found'")
	assertError(t, s.put(workflowResource, `{"Name": "MyWF", "TimeoutSeconds": 1.5}`), 400, "BadRequestError",
		"TimeoutSeconds must be an integer from 1 to 99999999, not 1.5")
	assertTraceback(t, s.put(workflowResource, `{"Name": `), "json.decoder.JSONDecodeError: Expecting value: line 1 column 10 (char 9)")
	assert.Equal(t, before, s.snapshot())
}

// CP-11, CP-19, Q-10: the listings read every page, and the filtered ones keep their filter on each page.
func TestListWorkflows(t *testing.T) {
	db := &hookedDB{pageSize: 1}
	s := newStack(t, func(c *Clients) { db.DynamoDB, c.DynamoDB = c.DynamoDB, db })
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	mustOK(t, s.post(workflowResource, `{"Name": "PrepOnly", "StartAt": "Prep", "Stages": {"Prep": {"End": true}}}`))
	mustOK(t, s.post(workflowResource, `{"Name": "Labels", "StartAt": "_LabelDetect", "Stages": {"_LabelDetect": {"End": true}}}`))

	names := func(body string) []string {
		var out []string
		for _, wf := range decode(t, body).([]any) {
			out = append(out, str(wf.(*pyjson.Map), "Name"))
		}
		return out
	}
	assert.ElementsMatch(t, []string{"MyWF", "PrepOnly", "Labels"}, names(mustOK(t, s.get(workflowResource, nil)).Body))

	db.scans = nil
	assert.ElementsMatch(t, []string{"MyWF", "Labels"}, names(mustOK(t, s.get(workflowsByOperation, map[string]string{"operator_name": "LabelDetect"})).Body))
	require.GreaterOrEqual(t, len(db.scans), 3, "one item per page")
	for _, in := range db.scans {
		assert.NotNil(t, in.FilterExpression, "every page is filtered")
		assert.True(t, aws.ToBool(in.ConsistentRead))
	}
	assert.ElementsMatch(t, []string{"MyWF", "PrepOnly"}, names(mustOK(t, s.get(workflowsByStage, map[string]string{"stage_name": "Prep"})).Body))
	assert.Empty(t, names(mustOK(t, s.get(workflowsByStage, map[string]string{"stage_name": "Nope"})).Body))
	assert.Equal(t, "[]", mustOK(t, s.get(workflowsByOperation, map[string]string{"operator_name": "Nope"})).Body)
}

// CP-12, CP-20: a workflow by name, and the configuration of each of its stages.
func TestGetWorkflowAndConfiguration(t *testing.T) {
	s := newStack(t)
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	got := decode(t, mustOK(t, s.get(workflowByName, map[string]string{"name": "MyWF"})).Body).(*pyjson.Map)
	assert.Equal(t, ddbText(s.item("WORKFLOW_TABLE_NAME", "MyWF")), ddbText(mustItem(t, got)))
	assertError(t, s.get(workflowByName, map[string]string{"name": "Nope"}), 404, "NotFoundError", "Exception: workflow 'Nope' not found")

	assert.Equal(t, `{"Prep":{"Mediainfo":{"Enabled":true,"MediaType":"Video"}},"Analyze":{"LabelDetect":{"Enabled":true,"MediaType":"Video","MinConfidence":80.0}}}`,
		mustOK(t, s.get(workflowConfig, map[string]string{"name": "MyWF"})).Body)
	assertError(t, s.get(workflowConfig, map[string]string{"name": "Nope"}), 404, "NotFoundError", "Exception: workflow 'Nope' not found")
}

// CP-21: deletion removes the state machine and the item.
func TestDeleteWorkflow(t *testing.T) {
	s := newStack(t)
	s.definitions()
	mustOK(t, s.post(workflowResource, twoStageWorkflow))
	stored := s.item("WORKFLOW_TABLE_NAME", "MyWF")
	arn := stored["StateMachineArn"].(*typesS).Value

	assert.Equal(t, `{"Message":"Workflow 'Nope' not found"}`, mustOK(t, s.del(workflowByName, map[string]string{"name": "Nope"}, nil)).Body)
	deleted := decode(t, mustOK(t, s.del(workflowByName, map[string]string{"name": "MyWF"}, nil)).Body).(*pyjson.Map)
	assert.Equal(t, ddbText(stored), ddbText(mustItem(t, deleted)))
	assert.Nil(t, s.item("WORKFLOW_TABLE_NAME", "MyWF"))
	_, err := s.sfn.DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	var gone *sfntypes.StateMachineDoesNotExist
	assert.True(t, errors.As(err, &gone), "state machine deleted: %v", err)
}
