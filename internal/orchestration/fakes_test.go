package orchestration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/ddbjson"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// call is one request to the fakes, in order.
type call struct {
	op string
	in any
	// failed is true when the fake answered with an error.
	failed bool
}

// fakes answers DynamoDB and Lambda requests and logs them in one list. Unset functions answer empty outputs;
// transactions are answered in order by txErrs (nil: success).
type fakes struct {
	calls  []call
	get    func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	update func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
	txErrs []error
	tx     int
}

func (f *fakes) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.calls = append(f.calls, call{"GetItem", in, false})
	if f.get == nil {
		return &dynamodb.GetItemOutput{}, nil
	}
	return f.get(in)
}

func (f *fakes) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.calls = append(f.calls, call{"Scan", in, false})
	return &dynamodb.ScanOutput{}, nil
}

func (f *fakes) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.calls = append(f.calls, call{"UpdateItem", in, false})
	if f.update == nil {
		return &dynamodb.UpdateItemOutput{}, nil
	}
	out, err := f.update(in)
	f.calls[len(f.calls)-1].failed = err != nil
	return out, err
}

func (f *fakes) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	var err error
	if f.tx < len(f.txErrs) {
		err = f.txErrs[f.tx]
	}
	f.calls = append(f.calls, call{"TransactWriteItems", in, err != nil})
	f.tx++
	return &dynamodb.TransactWriteItemsOutput{}, err
}

func (f *fakes) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.calls = append(f.calls, call{"Invoke", in, false})
	return &lambda.InvokeOutput{StatusCode: 202}, nil
}

func (f *fakes) ops() []string {
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.op
	}
	return out
}

var storeConfig = executions.Config{ExecutionTable: "testExecutionTable", SlotTable: "testSlotTable", SchedulerARN: "testSchedulerLambdaArn"}

func newStore(f *fakes) *executions.Store { return executions.New(storeConfig, f, f) }

// decode parses JSON the way handlers receive it.
func decode(t *testing.T, text string) *pyjson.Map {
	t.Helper()
	m, err := pyjson.DecodeObject([]byte(text))
	require.NoError(t, err)
	return m
}

// av converts JSON text to the attribute value DynamoDB stores for it.
func av(t *testing.T, text string) types.AttributeValue {
	t.Helper()
	v, err := pyjson.Decode([]byte(text))
	require.NoError(t, err)
	a, err := ddbjson.Marshal(v)
	require.NoError(t, err)
	return a
}

// itemOf answers GetItem with the record given as JSON.
func itemOf(t *testing.T, text string) func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	item, err := ddbjson.MarshalMap(decode(t, text))
	require.NoError(t, err)
	return func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return &dynamodb.GetItemOutput{Item: item}, nil
	}
}

// apiError is an AWS error as the SDK returns it.
func apiError(op, code, message string) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: message}}
}

// cancelled is DynamoDB's answer to a cancelled transaction.
func cancelled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(c)}
	}
	return &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
}

var (
	key         = map[string]types.AttributeValue{"Id": &types.AttributeValueMemberS{Value: "testWorkflowId"}}
	statusNames = map[string]string{"#workflow_status": "Status"}
)

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// statusWrite returns the status update of a status change: the execution item of a release transaction, or the
// UpdateItem of a change that keeps the slot.
func statusWrite(c call) (expr string, values map[string]types.AttributeValue) {
	switch in := c.in.(type) {
	case *dynamodb.TransactWriteItemsInput:
		u := in.TransactItems[len(in.TransactItems)-1].Update
		return aws.ToString(u.UpdateExpression), u.ExpressionAttributeValues
	case *dynamodb.UpdateItemInput:
		return aws.ToString(in.UpdateExpression), in.ExpressionAttributeValues
	}
	return "", nil
}
