package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/resources"
)

// itemPutter is what seeding the System table needs of DynamoDB.
type itemPutter interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// seedSystemTable writes the MaxConcurrentWorkflows item, as the helper custom resource InitSystemTable does.
func seedSystemTable(ctx context.Context, db itemPutter, d *resources.Deployment) error {
	table, err := d.Resolve(resources.NameOf(resources.SystemTable))
	if err != nil {
		return err
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]ddbtypes.AttributeValue{
			"Name":  &ddbtypes.AttributeValueMemberS{Value: "MaxConcurrentWorkflows"},
			"Value": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(d.Params().MaxConcurrentWorkflows)},
		},
	})
	if err != nil {
		return fmt.Errorf("seed the System table: %w", err)
	}
	return nil
}

// customResourceEvent is the request CloudFormation sends the workflow custom resource. Every scalar property is
// a string, as CloudFormation delivers them.
type customResourceEvent struct {
	RequestType        string            `json:"RequestType"`
	ServiceToken       string            `json:"ServiceToken"`
	ResponseURL        string            `json:"ResponseURL"`
	StackID            string            `json:"StackId"`
	RequestID          string            `json:"RequestId"`
	LogicalResourceID  string            `json:"LogicalResourceId"`
	ResourceType       string            `json:"ResourceType"`
	ResourceProperties operationResource `json:"ResourceProperties"`
}

type operationResource struct {
	ServiceToken     string      `json:"ServiceToken"`
	ResourceType     string      `json:"ResourceType"`
	Name             string      `json:"Name"`
	Type             string      `json:"Type"`
	Configuration    *pyjson.Map `json:"Configuration"`
	StartLambdaArn   string      `json:"StartLambdaArn"`
	MonitorLambdaArn string      `json:"MonitorLambdaArn,omitempty"`
}

// cloudFormationConfiguration renders a default configuration as CloudFormation delivers custom-resource
// properties: every scalar as a string, lists as lists of strings, in the table's key order.
func cloudFormationConfiguration(entries []resources.ConfigEntry) *pyjson.Map {
	m := pyjson.NewMap()
	for _, e := range entries {
		m.Set(e.Key, cloudFormationValue(e.Value))
	}
	return m
}

func cloudFormationValue(v any) any {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return fmt.Sprint(v)
}

// customResourceResponse is what the custom resource PUTs to the response URL.
type customResourceResponse struct {
	Status string
	Reason string
	Data   map[string]any
}

// registerOperations registers the operations of the stack by invoking the workflow custom resource function as
// CloudFormation does, and collects its answers on a response URL served for the occasion.
func (rt *Runtime) registerOperations(ctx context.Context) error {
	responses := &responseCollector{bodies: map[string][]byte{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for custom resource responses: %w", err)
	}
	server := &http.Server{Handler: responses}
	go func() { _ = server.Serve(l) }() // ends with ErrServerClosed when Close runs below
	defer server.Close()

	d := rt.deployment
	function := rt.names[resources.WorkflowCustomResource]
	token, err := d.Resolve(resources.ArnOf(resources.WorkflowCustomResource))
	if err != nil {
		return err
	}
	stackID := fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/local", d.Params().Partition, rt.opts.Region, rt.opts.Account, rt.opts.StackName)
	for _, op := range resources.Operations() {
		start, err := d.Resolve(resources.ArnOf(op.StartFunction))
		if err != nil {
			return err
		}
		var monitor string
		if op.MonitorFunction != "" {
			if monitor, err = d.Resolve(resources.ArnOf(op.MonitorFunction)); err != nil {
				return err
			}
		}
		requestID := uuid.NewString()
		payload, err := json.Marshal(customResourceEvent{
			RequestType: "Create", ServiceToken: token,
			ResponseURL: "http://" + l.Addr().String() + "/" + requestID,
			StackID:     stackID, RequestID: requestID, LogicalResourceID: op.LogicalID,
			ResourceType: "Custom::CustomResource",
			ResourceProperties: operationResource{
				ServiceToken: token, ResourceType: "Operation", Name: op.Name, Type: op.Type,
				Configuration:  cloudFormationConfiguration(op.Configuration),
				StartLambdaArn: start, MonitorLambdaArn: monitor,
			},
		})
		if err != nil {
			return fmt.Errorf("custom resource request for %s: %w", op.Name, err)
		}
		res, err := rt.registry.Invoke(ctx, function, payload)
		if err != nil {
			return fmt.Errorf("register operation %s: %w", op.Name, err)
		}
		if res.FunctionError != "" {
			return fmt.Errorf("register operation %s: the custom resource failed: %s", op.Name, res.Payload)
		}
		var answer customResourceResponse
		if err := json.Unmarshal(responses.body(requestID), &answer); err != nil {
			return fmt.Errorf("register operation %s: the custom resource's answer: %w", op.Name, err)
		}
		if answer.Status != "SUCCESS" {
			return fmt.Errorf("register operation %s: %s: %v", op.Name, answer.Status, answer.Data["Message"])
		}
	}
	return nil
}

// responseCollector keeps the bodies PUT to /<request id>.
type responseCollector struct {
	mu     sync.Mutex
	bodies map[string][]byte
}

func (c *responseCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.bodies[r.URL.Path[1:]] = body
	c.mu.Unlock()
}

func (c *responseCollector) body(requestID string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bodies[requestID]
}
