package scheduler

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/mie-go/mie-go/internal/executions"
)

// call is one request to a fake, in the order the scheduler made them.
type call struct {
	op string
	in any
}

// fakes answers the scheduler's requests to DynamoDB, SQS and Step Functions and logs them in one list, so that
// tests see their order. Unset functions answer empty outputs.
type fakes struct {
	calls    []call
	get      func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	update   func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
	transact func(*dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error)
	receive  func(*sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error)
	start    func(*sfn.StartExecutionInput) (*sfn.StartExecutionOutput, error)
}

func (f *fakes) log(op string, in any) { f.calls = append(f.calls, call{op, in}) }

func (f *fakes) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.log("GetItem", in)
	if f.get == nil {
		return &dynamodb.GetItemOutput{}, nil
	}
	return f.get(in)
}

func (f *fakes) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.log("Scan", in)
	return &dynamodb.ScanOutput{}, nil
}

func (f *fakes) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.log("UpdateItem", in)
	if f.update == nil {
		return &dynamodb.UpdateItemOutput{}, nil
	}
	return f.update(in)
}

func (f *fakes) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.log("TransactWriteItems", in)
	if f.transact == nil {
		return &dynamodb.TransactWriteItemsOutput{}, nil
	}
	return f.transact(in)
}

func (f *fakes) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	f.log("ReceiveMessage", in)
	if f.receive == nil {
		return &sqs.ReceiveMessageOutput{}, nil
	}
	return f.receive(in)
}

func (f *fakes) DeleteMessage(_ context.Context, in *sqs.DeleteMessageInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	f.log("DeleteMessage", in)
	return &sqs.DeleteMessageOutput{}, nil
}

func (f *fakes) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.log("SendMessage", in)
	return &sqs.SendMessageOutput{}, nil
}

func (f *fakes) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.log("StartExecution", in)
	if f.start == nil {
		return &sfn.StartExecutionOutput{ExecutionArn: aws.String("testExecutionArn")}, nil
	}
	return f.start(in)
}

func (f *fakes) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.log("Invoke", in)
	return &lambda.InvokeOutput{}, nil
}

// ops lists the operations called, in order.
func (f *fakes) ops() []string {
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.op
	}
	return out
}

// inputs returns the inputs of the calls of one operation, in order.
func inputs[T any](f *fakes, op string) []T {
	var out []T
	for _, c := range f.calls {
		if c.op == op {
			out = append(out, c.in.(T))
		}
	}
	return out
}

var testConfig = Config{
	Executions:   executions.Config{ExecutionTable: "testExecutionTable", SlotTable: "testSlotTable"},
	QueueURL:     "testExecutionQueueUrl",
	SystemTable:  "testSystemTable",
	DefaultLimit: 10,
}

// newTestScheduler returns a scheduler whose every client is f.
func newTestScheduler(f *fakes) *Scheduler {
	store := executions.New(testConfig.Executions, f, f)
	return New(testConfig, store, f, f, f, nil)
}

// tables answers GetItem by table: the System item's Value (nil: no item), the slot counter and the execution's
// status (empty: no record).
func tables(limit types.AttributeValue, held int, status, arn string) func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	return func(in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		switch aws.ToString(in.TableName) {
		case "testSystemTable":
			if limit == nil {
				return &dynamodb.GetItemOutput{}, nil
			}
			return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"Name": str("MaxConcurrentWorkflows"), "Value": limit}}, nil
		case "testSlotTable":
			return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"Held": num(held)}}, nil
		case "testExecutionTable":
			if status == "" {
				return &dynamodb.GetItemOutput{}, nil
			}
			item := map[string]types.AttributeValue{"Id": str("testWorkflowId"), "Status": str(status)}
			if arn != "" {
				item["StateMachineExecutionArn"] = str(arn)
			}
			return &dynamodb.GetItemOutput{Item: item}, nil
		}
		return nil, fmt.Errorf("unexpected table %s", aws.ToString(in.TableName))
	}
}

// once answers the first receive with the messages and later ones with none.
func once(bodies ...string) func(*sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
	done := false
	return func(*sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
		if done {
			return &sqs.ReceiveMessageOutput{}, nil
		}
		done = true
		out := &sqs.ReceiveMessageOutput{}
		for i, b := range bodies {
			out.Messages = append(out.Messages, sqstypes.Message{
				Body:          aws.String(b),
				MessageId:     aws.String(fmt.Sprintf("m%d", i)),
				ReceiptHandle: aws.String(fmt.Sprintf("testReceiptHandle%d", i)),
			})
		}
		return out, nil
	}
}

// cancelled is DynamoDB's answer to a cancelled transaction.
func cancelled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(c)}
	}
	return &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
}

// transactions answers the transactions in order with the given errors (nil: success).
func transactions(errs ...error) func(*dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
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

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

// queuedBody is the §16 test message: a Queued execution whose current stage object is empty.
const queuedBody = `{
	"Status": "Queued",
	"Id": "testWorkflowId",
	"CurrentStage": "testCurrentStage",
	"Workflow": {
		"StateMachineArn": "testStateMachineArn",
		"Name": "testWorkflowName",
		"Stages": {"testCurrentStage": {}}
	}
}`
