package controlplane

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// testCreated is the Created attribute every item of the integration tests gets: the handler's clock is fixed.
const (
	testCreated     = "1704067200.123456"
	motoAccount     = "123456789012"
	frameworkForAPI = "v9.9.9"
)

// stack is one provisioned MIE deployment on the test binary's moto and a workflow API handler on it.
type stack struct {
	t       *testing.T
	h       *Handler
	env     map[string]string
	db      *dynamodb.Client
	sfn     *sfn.Client
	iam     *iam.Client
	suid    string
	roleArn string

	mu  sync.Mutex
	ids int
}

// newStack provisions a stack whose short id is the test's unique prefix, so that state machine names never
// collide between tests. wrap may replace clients by fakes that delegate to moto.
func newStack(t *testing.T, wrap ...func(*Clients)) *stack {
	t.Helper()
	prefix := awstest.Prefix(t)
	cfg := awstest.Config(t, nil)
	d, err := resources.Provision(t.Context(), cfg, resources.Params{
		StackName:             prefix,
		ShortID:               prefix,
		Region:                "us-east-1",
		Account:               motoAccount,
		FrameworkVersion:      frameworkForAPI,
		StageQueueReceiveWait: aws.Duration(0),
	})
	require.NoError(t, err)
	env, err := d.Env(resources.WorkflowAPIHandler)
	require.NoError(t, err)
	s := &stack{t: t, env: env, db: cfg.DynamoDB(), sfn: cfg.SFN(), iam: cfg.IAM(), suid: prefix, roleArn: env["STAGE_EXECUTION_ROLE"]}
	clients := Clients{DynamoDB: s.db, StepFunctions: s.sfn, IAM: s.iam}
	for _, w := range wrap {
		w(&clients)
	}
	s.h = s.handler(env, clients)
	return s
}

// handler builds a handler on env with the fixed clock and numbered ids of the tests.
func (s *stack) handler(env map[string]string, clients Clients) *Handler {
	c, err := ConfigFromLookup(awsconf.MapLookup(env))
	require.NoError(s.t, err)
	h, err := New(c, clients, nil)
	require.NoError(s.t, err)
	h.now = func() time.Time { return time.Unix(1704067200, 123456000) }
	h.newID = s.nextID
	return h
}

func (s *stack) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids++
	return fmt.Sprintf("id-%d", s.ids)
}

func (s *stack) table(name string) string { return s.env[name] }

// request is one API Gateway proxy event.
type request struct {
	method, resource string
	params           map[string]string
	query            map[string][]string
	body             string
}

func (s *stack) do(r request) apigw.Response {
	s.t.Helper()
	e := apigw.Event{
		Resource:                        r.resource,
		HTTPMethod:                      r.method,
		Headers:                         map[string]string{"Content-Type": "application/json"},
		PathParameters:                  r.params,
		MultiValueQueryStringParameters: r.query,
		Body:                            r.body,
	}
	e.RequestContext.ResourcePath = r.resource
	e.RequestContext.HTTPMethod = r.method
	resp, err := s.h.Handle(s.t.Context(), e)
	require.NoError(s.t, err)
	return resp
}

func (s *stack) post(resource, body string) apigw.Response {
	return s.do(request{method: "POST", resource: resource, body: body})
}

func (s *stack) put(resource, body string) apigw.Response {
	return s.do(request{method: "PUT", resource: resource, body: body})
}

func (s *stack) get(resource string, params map[string]string) apigw.Response {
	return s.do(request{method: "GET", resource: resource, params: params})
}

func (s *stack) del(resource string, params map[string]string, query map[string][]string) apigw.Response {
	return s.do(request{method: "DELETE", resource: resource, params: params, query: query})
}

// mustOK fails the test unless the response is a 200.
func mustOK(t *testing.T, resp apigw.Response) apigw.Response {
	t.Helper()
	require.Equal(t, 200, resp.StatusCode, resp.Body)
	return resp
}

// assertError checks a handled error response.
func assertError(t *testing.T, resp apigw.Response, status int, code, message string) {
	t.Helper()
	assert.Equal(t, status, resp.StatusCode)
	want, err := json.Marshal(map[string]string{"Code": code, "Message": message})
	require.NoError(t, err)
	assert.JSONEq(t, string(want), resp.Body)
}

// assertTraceback checks an unhandled 500 by the last line of its text/plain body.
func assertTraceback(t *testing.T, resp apigw.Response, lastLine string) {
	t.Helper()
	assert.Equal(t, 500, resp.StatusCode)
	assert.Equal(t, "text/plain", resp.Headers["Content-Type"])
	lines := strings.Split(strings.TrimSuffix(resp.Body, "\n"), "\n")
	assert.Equal(t, lastLine, lines[len(lines)-1])
}

// item reads an item as stored, or nil.
func (s *stack) item(tableVar string, key string) map[string]types.AttributeValue {
	s.t.Helper()
	out, err := s.db.GetItem(s.t.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(s.table(tableVar)),
		Key:            map[string]types.AttributeValue{"Name": S(key)},
		ConsistentRead: aws.Bool(true),
	})
	require.NoError(s.t, err)
	return out.Item
}

// snapshot is everything the definition routes can change: the four tables, the role's inline policies and the
// stack's state machines, each rendered as comparable text.
func (s *stack) snapshot() []string {
	s.t.Helper()
	var out []string
	for _, v := range []string{"SYSTEM_TABLE_NAME", "OPERATION_TABLE_NAME", "STAGE_TABLE_NAME", "WORKFLOW_TABLE_NAME"} {
		pages := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: aws.String(s.table(v)), ConsistentRead: aws.Bool(true)})
		var items []string
		for pages.HasMorePages() {
			page, err := pages.NextPage(s.t.Context())
			require.NoError(s.t, err)
			for _, it := range page.Items {
				items = append(items, ddbText(it))
			}
		}
		slices.Sort(items)
		out = append(out, v+": "+strings.Join(items, "\n"))
	}
	policies, err := s.iam.ListRolePolicies(s.t.Context(), &iam.ListRolePoliciesInput{RoleName: aws.String(roleNameOf(s.roleArn))})
	require.NoError(s.t, err)
	out = append(out, "policies: "+strings.Join(policies.PolicyNames, ","))
	machines, err := s.sfn.ListStateMachines(s.t.Context(), &sfn.ListStateMachinesInput{})
	require.NoError(s.t, err)
	var names []string
	for _, m := range machines.StateMachines {
		if strings.HasSuffix(aws.ToString(m.Name), "-"+s.suid) {
			names = append(names, aws.ToString(m.Name))
		}
	}
	slices.Sort(names)
	return append(out, "state machines: "+strings.Join(names, ","))
}

func roleNameOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// ddbText renders an item as typed DynamoDB JSON with sorted keys, so that N and S stay apart.
func ddbText(item map[string]types.AttributeValue) string {
	b, err := json.Marshal(typed(&types.AttributeValueMemberM{Value: item}))
	if err != nil {
		panic(err)
	}
	return string(b)
}

func typed(av types.AttributeValue) any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = typed(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range v.Value {
			m[k] = typed(e)
		}
		return map[string]any{"M": m}
	}
	return fmt.Sprintf("%T", av)
}

// Attribute value constructors for expected items.
func S(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func N(n string) types.AttributeValue { return &types.AttributeValueMemberN{Value: n} }
func B(b bool) types.AttributeValue   { return &types.AttributeValueMemberBOOL{Value: b} }
func L(v ...types.AttributeValue) types.AttributeValue {
	if v == nil {
		v = []types.AttributeValue{}
	}
	return &types.AttributeValueMemberL{Value: v}
}
func M(m map[string]types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: m}
}

// assertItem compares a stored item with the expected attributes, as typed text for a readable diff.
func assertItem(t *testing.T, want, got map[string]types.AttributeValue) {
	t.Helper()
	require.NotNil(t, got, "item missing")
	assert.Equal(t, ddbText(want), ddbText(got))
}

// rolePolicy returns the decoded document of an inline policy of the Step Functions role.
func (s *stack) rolePolicy(name string) string {
	s.t.Helper()
	out, err := s.iam.GetRolePolicy(s.t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String(roleNameOf(s.roleArn)), PolicyName: aws.String(name)})
	require.NoError(s.t, err)
	doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	require.NoError(s.t, err)
	return doc
}

// lambdas are the engine ARNs the stack's handler compiles into definitions.
func (s *stack) lambdas() asl.Lambdas {
	return asl.Lambdas{
		Filter:         s.env["FILTER_OPERATION_LAMBDA_ARN"],
		OperatorFailed: s.env["OPERATOR_FAILED_LAMBDA_ARN"],
		CompleteStage:  s.env["COMPLETE_STAGE_LAMBDA_ARN"],
	}
}

// decode parses a response body.
func decode(t *testing.T, body string) any {
	t.Helper()
	v, err := pyjson.Decode([]byte(body))
	require.NoError(t, err)
	return v
}

// typesAV shortens expected-item literals.
type typesAV = types.AttributeValue

// sortedList orders a JSON array of objects by their Name, since scans come back in no particular order.
func sortedList(t *testing.T, body string) string {
	t.Helper()
	var items []map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &items))
	slices.SortFunc(items, func(a, b map[string]any) int { return strings.Compare(fmt.Sprint(a["Name"]), fmt.Sprint(b["Name"])) })
	out, err := json.Marshal(items)
	require.NoError(t, err)
	return string(out)
}

// typesM shortens map assertions.
type typesM = types.AttributeValueMemberM

// typesS shortens string attribute assertions.
type typesS = types.AttributeValueMemberS
