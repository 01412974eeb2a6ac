package controlplane

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/pyjson"
)

const (
	operationResource  = "/workflow/operation"
	operationByName    = "/workflow/operation/{name}"
	userStartArn       = "arn:aws:lambda:us-east-1:123456789012:function:my-start-labels"
	userMonitorArn     = "arn:aws:lambda:us-east-1:123456789012:function:my-check-labels"
	libraryStartArn    = "arn:aws:lambda:us-east-1:123456789012:function:mie-OperatorLibrary-X-Mediainfo-DDDD"
	waitStartArn       = "arn:aws:lambda:us-east-1:123456789012:function:mie-start-wait-operation"
	waitMonitorArn     = "arn:aws:lambda:us-east-1:123456789012:function:mie-check-wait-operation"
	dependentOperation = `Dependent workflows were found for operation %s.
                    Either delete the dependent workflows or set the query parameter
                    force=true to delete the stage anyhow.  Undeleted dependent workflows
                    will be kept but will contain the deleted definition of the stage.  To
                    find the workflow that depend on a stage use the following endpoint:
                    GET /workflow/list/operation/`
)

// asyncOp and syncOp are registration bodies.
func asyncOp(name, start, monitor string) string {
	return fmt.Sprintf(`{"Name": %q, "Type": "Async", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": %q, "MonitorLambdaArn": %q}`, name, start, monitor)
}

func syncOp(name, start string) string {
	return fmt.Sprintf(`{"Name": %q, "Type": "Sync", "Configuration": {"MediaType": "Text", "Enabled": false}, "StartLambdaArn": %q}`, name, start)
}

func (s *stack) template(op asl.Operation) string {
	s.t.Helper()
	text, err := asl.OperationTemplate(op, s.lambdas())
	require.NoError(s.t, err)
	return text
}

func (s *stack) stageDefinition(stage string, templates ...string) string {
	s.t.Helper()
	text, err := asl.StageDefinition(stage, templates, s.env["COMPLETE_STAGE_LAMBDA_ARN"])
	require.NoError(s.t, err)
	return text
}

// generated are the attributes every definition item gets at creation, with the tests' fixed clock.
func generated(resourceType, id string) map[string]typesAV {
	return map[string]typesAV{"Version": S("v0"), "Id": S(id), "Created": S(testCreated), "ResourceType": S(resourceType), "ApiVersion": S("3.0.0")}
}

func with(base map[string]typesAV, more map[string]typesAV) map[string]typesAV {
	out := map[string]typesAV{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// CP-06, CP-07, CP-08, CP-09: registration stores the request plus the branch template and generated fields,
// creates the singleton stage and, for user operators only, the inline invoke policy.
func TestCreateOperation(t *testing.T) {
	s := newStack(t)
	body := `{"Name": "LabelDetect", "Type": "Async", "Description": "labels",
	          "Configuration": {"MediaType": "Video", "Enabled": true, "MinConfidence": "80"},
	          "StartLambdaArn": "` + userStartArn + `", "MonitorLambdaArn": "` + userMonitorArn + `"}`
	resp := mustOK(t, s.post(operationResource, body))

	template := s.template(asl.Operation{Name: "LabelDetect", Type: "Async", MediaType: "Video", StartLambdaArn: userStartArn, MonitorLambdaArn: userMonitorArn})
	config := M(map[string]typesAV{"MediaType": S("Video"), "Enabled": B(true), "MinConfidence": S("80")})
	assertItem(t, with(generated("OPERATION", "id-1"), map[string]typesAV{
		"Name": S("LabelDetect"), "Type": S("Async"), "Description": S("labels"), "Configuration": config,
		"StartLambdaArn": S(userStartArn), "MonitorLambdaArn": S(userMonitorArn),
		"StateMachineAsl": S(template), "StageName": S("_LabelDetect"),
	}), s.item("OPERATION_TABLE_NAME", "LabelDetect"))
	assert.True(t, strings.HasPrefix(template, `{"StartAt": "Filter LabelDetect Media Type? (%%STAGE_NAME%%)", "States": {`), template)

	// The answer is the request in its order, then the generated fields in the original's order.
	want := pyjson.NewMap()
	for k, v := range decode(t, body).(*pyjson.Map).All() {
		want.Set(k, v)
	}
	for _, kv := range [][2]string{{"StateMachineAsl", template}, {"Version", "v0"}, {"Id", "id-1"}, {"Created", testCreated},
		{"ResourceType", "OPERATION"}, {"ApiVersion", "3.0.0"}, {"StageName", "_LabelDetect"}} {
		want.Set(kv[0], kv[1])
	}
	wantBody, err := pyjson.Compact(want)
	require.NoError(t, err)
	assert.Equal(t, string(wantBody), resp.Body)

	assertItem(t, with(generated("STAGE", "id-2"), map[string]typesAV{
		"Name": S("_LabelDetect"), "Operations": L(S("LabelDetect")),
		"Configuration": M(map[string]typesAV{"LabelDetect": config}),
		"Definition":    S(s.stageDefinition("_LabelDetect", template)),
	}), s.item("STAGE_TABLE_NAME", "_LabelDetect"))

	assert.Equal(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": ["`+
		userStartArn+`", "`+userMonitorArn+`"]}]}`, s.rolePolicy("LabelDetect"))

	t.Run("sync user operator: the policy names the start function only", func(t *testing.T) {
		mustOK(t, s.post(operationResource, syncOp("Translate", userStartArn)))
		assert.Equal(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": ["`+
			userStartArn+`"]}]}`, s.rolePolicy("Translate"))
		template := s.template(asl.Operation{Name: "Translate", Type: "Sync", MediaType: "Text", StartLambdaArn: userStartArn})
		assert.Equal(t, S(template), s.item("OPERATION_TABLE_NAME", "Translate")["StateMachineAsl"])
		assert.NotContains(t, template, "Wait (")
	})
	t.Run("operator library and Wait: no inline policy", func(t *testing.T) {
		mustOK(t, s.post(operationResource, syncOp("Mediainfo", libraryStartArn)))
		mustOK(t, s.post(operationResource, asyncOp("Wait", waitStartArn, waitMonitorArn)))
		policies, err := s.iam.ListRolePolicies(t.Context(), &iam.ListRolePoliciesInput{RoleName: aws.String(roleNameOf(s.roleArn))})
		require.NoError(t, err)
		assert.NotContains(t, policies.PolicyNames, "Mediainfo")
		assert.NotContains(t, policies.PolicyNames, "Wait")
		assert.Contains(t, policies.PolicyNames, "LabelDetect")
	})
}

// CP-06, CP-44, §14: bad registrations get the original's status and text, and change nothing.
func TestCreateOperationErrors(t *testing.T) {
	s := newStack(t)
	mustOK(t, s.post(operationResource, syncOp("Existing", userStartArn)))
	// A stage already holding the singleton name makes the registration fail after its first write.
	mustOK(t, s.post(stageResource, `{"Name": "_Blocked", "Operations": []}`))
	before := s.snapshot()

	cases := []struct {
		name, body string
		status     int
		code       string
		message    string // the whole message, or its first line for schema errors
	}{
		{"missing Type", `{"Name": "x", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "a"}`, 400, "BadRequestError", "'Type' is a required property"},
		{"unknown Type", `{"Name": "x", "Type": "Later", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "a"}`, 400, "BadRequestError", "'Later' is not one of ['Sync', 'Async']"},
		{"Enabled not boolean", `{"Name": "x", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": "yes"}, "StartLambdaArn": "a"}`, 400, "BadRequestError", "'yes' is not of type 'boolean'"},
		{"Name not a string", `{"Name": 5, "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "a"}`, 400, "BadRequestError", "5 is not of type 'string'"},
		{"body not an object", `["x"]`, 400, "BadRequestError", "['x'] is not of type 'object'"},
		{"Async without monitor", `{"Name": "x", "Type": "Async", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "a"}`, 500, "ChaliceViewError",
			"Exception 'Key 'MonitorLambdaArn' is required in 'Operation monitoring lambda function ARN' input'"},
		{"name exists", syncOp("Existing", userStartArn), 409, "ConflictError", "A operation with the name 'Existing' already exists"},
		{"singleton stage exists", syncOp("Blocked", userStartArn), 500, "ChaliceViewError", "Exception 'Exception 'A stage with the name '_Blocked' already exists''"},
		{"empty name", syncOp("", userStartArn), 400, "BadRequestError", nameErr(asl.ValidateOperationName(""))},
		{"dot in name", syncOp("a.b", userStartArn), 400, "BadRequestError", nameErr(asl.ValidateOperationName("a.b"))},
		{"quote in name", syncOp(`a"b`, userStartArn), 400, "BadRequestError", nameErr(asl.ValidateOperationName(`a"b`))},
		{"name too long", syncOp(strings.Repeat("o", 58), userStartArn), 400, "BadRequestError", nameErr(asl.ValidateOperationName(strings.Repeat("o", 58)))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := s.post(operationResource, c.body)
			assert.Equal(t, c.status, resp.StatusCode)
			got := decode(t, resp.Body).(*pyjson.Map)
			assert.Equal(t, c.code, str(got, "Code"))
			first, _, _ := strings.Cut(str(got, "Message"), "\n\nFailed validating")
			assert.Equal(t, c.message, first)
		})
	}
	t.Run("malformed JSON", func(t *testing.T) {
		assertTraceback(t, s.post(operationResource, `{"Name": "x",}`), "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 14 (char 13)")
	})
	assert.Equal(t, before, s.snapshot())
}

func nameErr(err error) string { return err.Error() }

// CP-08, CP-09, Q-12: a failure after the first write removes everything the registration created; the texts are
// the original's.
func TestCreateOperationRollback(t *testing.T) {
	db := &hookedDB{}
	fiam := &fakeIAM{}
	s := newStack(t, func(c *Clients) {
		db.DynamoDB, c.DynamoDB = c.DynamoDB, db
		fiam.RolePolicies, c.IAM = c.IAM, fiam
	})
	before := s.snapshot()

	fiam.putErr = apiError("PutRolePolicy", "", "")
	assertError(t, s.post(operationResource, asyncOp("Labels", userStartArn, userMonitorArn)), 500, "ChaliceViewError",
		"Exception 'An error occurred () when calling the PutRolePolicy operation: '")
	assert.Equal(t, []string{"PutRolePolicy " + roleNameOf(s.roleArn) + " Labels"}, fiam.calls)
	assert.Equal(t, before, s.snapshot())
	fiam.putErr = nil

	// The second write of the operation (with StageName) fails.
	db.failPut = func(in *dynamodb.PutItemInput) error {
		if _, ok := in.Item["StageName"]; ok {
			return apiError("PutItem", "", "")
		}
		return nil
	}
	assertError(t, s.post(operationResource, asyncOp("Labels", userStartArn, userMonitorArn)), 500, "ChaliceViewError",
		"Exception 'An error occurred () when calling the PutItem operation: '")
	assert.Equal(t, before, s.snapshot())

	// The first write fails: nothing to undo.
	db.failPut = func(*dynamodb.PutItemInput) error {
		return apiError("PutItem", "ProvisionedThroughputExceededException", "slow down")
	}
	assertError(t, s.post(operationResource, asyncOp("Labels", userStartArn, userMonitorArn)), 500, "ChaliceViewError",
		"Exception 'An error occurred (ProvisionedThroughputExceededException) when calling the PutItem operation: slow down'")
	assert.Equal(t, before, s.snapshot())
	db.failPut = nil

	mustOK(t, s.post(operationResource, asyncOp("Labels", userStartArn, userMonitorArn)))
}

// Concurrent creation (infrastructure §6.5): CloudFormation registers the operator library's operations in
// parallel, and two registrations of one name must not both succeed.
func TestCreateOperationConcurrency(t *testing.T) {
	db := &hookedDB{}
	s := newStack(t, func(c *Clients) { db.DynamoDB, c.DynamoDB = c.DynamoDB, db })

	const n = 34
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			codes[i] = s.post(operationResource, asyncOp(fmt.Sprintf("Op%02d", i), libraryStartArn, libraryStartArn)).StatusCode
		})
	}
	wg.Wait()
	for i, c := range codes {
		assert.Equal(t, 200, c, "Op%02d", i)
		assert.NotNil(t, s.item("OPERATION_TABLE_NAME", fmt.Sprintf("Op%02d", i)))
		assert.NotNil(t, s.item("STAGE_TABLE_NAME", fmt.Sprintf("_Op%02d", i)))
	}

	// A registration whose existence check ran before a concurrent one wrote: the conditional write decides.
	before := s.snapshot()
	db.hideItem = func(*dynamodb.GetItemInput) bool { return true }
	assertError(t, s.post(operationResource, asyncOp("Op07", userStartArn, userMonitorArn)), 409, "ConflictError",
		"A operation with the name 'Op07' already exists")
	assertError(t, s.post(stageResource, `{"Name": "_Op07", "Operations": []}`), 500, "ChaliceViewError",
		"Exception 'A stage with the name '_Op07' already exists'")
	assert.Equal(t, before, s.snapshot())
}

// CP-11, CP-12, CP-45, Q-27: listing reads every page; numbers are stored as sent and answered as floats.
func TestGetAndListOperations(t *testing.T) {
	db := &hookedDB{pageSize: 1}
	s := newStack(t, func(c *Clients) { db.DynamoDB, c.DynamoDB = c.DynamoDB, db })
	body := `{"Name": "Numbers", "Type": "Sync", "StartLambdaArn": "` + libraryStartArn + `",
	          "Configuration": {"MediaType": "Video", "Enabled": true, "MinConfidence": 80, "Ratio": 1.50, "Big": 12345678901234567890123}}`
	resp := mustOK(t, s.post(operationResource, body))
	assert.Contains(t, resp.Body, `"Configuration":{"MediaType":"Video","Enabled":true,"MinConfidence":80,"Ratio":1.50,"Big":12345678901234567890123}`,
		"request numbers are echoed as sent")
	stored := s.item("OPERATION_TABLE_NAME", "Numbers")["Configuration"].(*typesM)
	assert.Equal(t, N("12345678901234567890123"), stored.Value["Big"], "stored exactly, beyond a float's precision")
	canonical := canonicalNumbers(stored).(*typesM).Value
	delete(canonical, "Big")
	assert.Equal(t, ddbText(map[string]typesAV{"MediaType": S("Video"), "Enabled": B(true), "MinConfidence": N("80"), "Ratio": N("1.5")}), ddbText(canonical))
	// The singleton stage's snapshot of the configuration keeps the numbers exactly.
	assert.Equal(t, N("12345678901234567890123"), s.item("STAGE_TABLE_NAME", "_Numbers")["Configuration"].(*typesM).Value["Numbers"].(*typesM).Value["Big"])

	got := mustOK(t, s.get(operationByName, map[string]string{"name": "Numbers"})).Body
	assert.Contains(t, got, `"Configuration":{"Big":1.2345678901234568e+22,"Enabled":true,"MediaType":"Video","MinConfidence":80.0,"Ratio":1.5}`)

	assertError(t, s.get(operationByName, map[string]string{"name": "Nope"}), 404, "NotFoundError", "Exception: operation 'Nope' not found")

	mustOK(t, s.post(operationResource, syncOp("Second", libraryStartArn)))
	mustOK(t, s.post(operationResource, syncOp("Third", libraryStartArn)))
	db.scans = nil
	list := decode(t, mustOK(t, s.get(operationResource, nil)).Body).([]any)
	var names []string
	for _, op := range list {
		names = append(names, str(op.(*pyjson.Map), "Name"))
	}
	assert.ElementsMatch(t, []string{"Numbers", "Second", "Third"}, names)
	assert.GreaterOrEqual(t, len(db.scans), 3, "one item per page: every page was read")
}

// CP-13, CP-09, Q-10: deletion checks dependents, removes the singleton stage and the inline policy (found
// page by page), and flags the workflows that still embed the operation.
func TestDeleteOperation(t *testing.T) {
	fiam := &fakeIAM{}
	s := newStack(t, func(c *Clients) { fiam.RolePolicies, c.IAM = c.IAM, fiam })
	mustOK(t, s.post(operationResource, asyncOp("Labels", userStartArn, userMonitorArn)))
	mustOK(t, s.post(operationResource, syncOp("Mediainfo", libraryStartArn)))
	mustOK(t, s.post(stageResource, `{"Name": "Analyze", "Operations": ["Labels", "Mediainfo"]}`))
	mustOK(t, s.post(workflowResource, `{"Name": "Uses", "StartAt": "_Labels", "Stages": {"_Labels": {"Next": "Analyze"}, "Analyze": {"End": true}}}`))
	mustOK(t, s.post(workflowResource, `{"Name": "Other", "StartAt": "_Mediainfo", "Stages": {"_Mediainfo": {"End": true}}}`))

	resp := mustOK(t, s.del(operationByName, map[string]string{"name": "Nope"}, nil))
	assert.Equal(t, `{"Message":"Warning: operation 'Nope' not found"}`, resp.Body)

	before := s.snapshot()
	for _, query := range []map[string][]string{nil, {"force": {"false"}}, {"force": {"True"}}, {"force": {"true", "no"}}} {
		assertError(t, s.del(operationByName, map[string]string{"name": "Labels"}, query), 400, "BadRequestError", fmt.Sprintf(dependentOperation, "Labels"))
	}
	assert.Equal(t, before, s.snapshot())

	stored := s.item("OPERATION_TABLE_NAME", "Labels")
	fiam.calls = nil
	fiam.pages = []iam.ListRolePoliciesOutput{
		{PolicyNames: []string{"A", "B"}, IsTruncated: true, Marker: aws.String("m1")},
		{PolicyNames: []string{"C", "Labels"}, IsTruncated: true, Marker: aws.String("m2")},
		{PolicyNames: []string{"D"}},
	}
	resp = mustOK(t, s.del(operationByName, map[string]string{"name": "Labels"}, map[string][]string{"force": {"no", "true"}}))
	role := roleNameOf(s.roleArn)
	assert.Equal(t, []string{"ListRolePolicies " + role + " marker=", "ListRolePolicies " + role + " marker=m1", "DeleteRolePolicy " + role + " Labels"}, fiam.calls)
	deleted := decode(t, resp.Body).(*pyjson.Map)
	assert.Equal(t, "Labels", str(deleted, "Name"))
	assert.Equal(t, "_Labels", str(deleted, "StageName"))
	assert.Equal(t, ddbText(stored), ddbText(mustItem(t, deleted)))
	assert.Nil(t, s.item("OPERATION_TABLE_NAME", "Labels"))
	assert.Nil(t, s.item("STAGE_TABLE_NAME", "_Labels"))
	_, err := s.iam.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("Labels")})
	assert.Error(t, err, "the inline policy is gone")

	uses := s.item("WORKFLOW_TABLE_NAME", "Uses")
	assert.Equal(t, L(S("Labels")), uses["StaleOperations"])
	assert.Equal(t, L(S("_Labels")), uses["StaleStages"])
	other := s.item("WORKFLOW_TABLE_NAME", "Other")
	assert.Equal(t, L(), other["StaleOperations"])
	assert.Equal(t, L(), other["StaleStages"])
	assert.NotNil(t, s.item("STAGE_TABLE_NAME", "Analyze"), "other stages embedding the operation stay (Q-13)")

	// A library operator has no inline policy to look for.
	fiam.calls, fiam.pages = nil, nil
	mustOK(t, s.del(workflowByName, map[string]string{"name": "Other"}, nil))
	mustOK(t, s.del(operationByName, map[string]string{"name": "Mediainfo"}, map[string][]string{"force": {"true"}}))
	assert.Empty(t, fiam.calls)
	assert.Nil(t, s.item("STAGE_TABLE_NAME", "_Mediainfo"))
}

// mustItem converts an answered item back to attribute values, with numbers in DynamoDB's canonical spelling: the
// answer renders them as floats (`80.0`), DynamoDB stores `80`.
func mustItem(t *testing.T, m *pyjson.Map) map[string]typesAV {
	t.Helper()
	item, err := toDB(m)
	require.NoError(t, err)
	return canonicalNumbers(&typesM{Value: item}).(*typesM).Value
}

func canonicalNumbers(av typesAV) typesAV {
	switch v := av.(type) {
	case *types.AttributeValueMemberN:
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			return v
		}
		return N(strconv.FormatFloat(f, 'f', -1, 64))
	case *types.AttributeValueMemberL:
		out := make([]typesAV, len(v.Value))
		for i, e := range v.Value {
			out[i] = canonicalNumbers(e)
		}
		return L(out...)
	case *typesM:
		out := map[string]typesAV{}
		for k, e := range v.Value {
			out[k] = canonicalNumbers(e)
		}
		return M(out)
	}
	return av
}
