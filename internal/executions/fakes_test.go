package executions

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// fakeDB records every request in calls and answers with the function set for its operation; an unset function
// answers an empty output.
type fakeDB struct {
	calls    []any
	get      func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	update   func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
	transact func(*dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error)
	scan     func(*dynamodb.ScanInput) (*dynamodb.ScanOutput, error)
}

func (f *fakeDB) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.calls = append(f.calls, in)
	if f.scan == nil {
		return &dynamodb.ScanOutput{}, nil
	}
	return f.scan(in)
}

func (f *fakeDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.calls = append(f.calls, in)
	if f.get == nil {
		return &dynamodb.GetItemOutput{}, nil
	}
	return f.get(in)
}

func (f *fakeDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.calls = append(f.calls, in)
	if f.update == nil {
		return &dynamodb.UpdateItemOutput{}, nil
	}
	return f.update(in)
}

func (f *fakeDB) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.calls = append(f.calls, in)
	if f.transact == nil {
		return &dynamodb.TransactWriteItemsOutput{}, nil
	}
	return f.transact(in)
}

// fakeLambda records the invocations.
type fakeLambda struct {
	calls []*lambda.InvokeInput
	err   error
}

func (f *fakeLambda) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.calls = append(f.calls, in)
	return &lambda.InvokeOutput{StatusCode: 202}, f.err
}

// cancelled is DynamoDB's answer to a cancelled transaction, one reason code per item.
func cancelled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(c)}
	}
	return &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
}

// answers returns a transact function that answers the calls in order with the given errors (nil: success).
func answers(errs ...error) func(*dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	i := 0
	return func(*dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
		var err error
		if i < len(errs) {
			err = errs[i]
		}
		i++
		return &dynamodb.TransactWriteItemsOutput{}, err
	}
}

var testConfig = Config{ExecutionTable: "testExecutionTable", SlotTable: "testSlotTable", SchedulerARN: "testSchedulerLambdaArn"}

// newTestStore returns a store on fakes that never sleeps and takes its time from a fixed clock.
func newTestStore(cfg Config) (*Store, *fakeDB, *fakeLambda) {
	db, fl := &fakeDB{}, &fakeLambda{}
	s := New(cfg, db, fl)
	s.now = func() time.Time { return time.Unix(1704067200, 0) }
	s.pause = func(context.Context, int) error { return nil }
	return s, db, fl
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// item returns a GetItem answer for an execution with the given status.
func item(status string) func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	return func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"Id": s("testWorkflowId"), "Status": s(status)}}, nil
	}
}
