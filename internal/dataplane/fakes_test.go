package dataplane

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// fakeDB fakes the DynamoDB calls for the error paths moto cannot produce. A call without a function set fails the
// test; every call is recorded with its input.
type fakeDB struct {
	t          *testing.T
	getItem    func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	putItem    func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	updateItem func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
	deleteItem func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error)
	scan       func(*dynamodb.ScanInput) (*dynamodb.ScanOutput, error)
	query      func(*dynamodb.QueryInput) (*dynamodb.QueryOutput, error)
	calls      []any
}

func fakeCall[I, O any](t *testing.T, calls *[]any, fn func(I) (O, error), in I, name string) (O, error) {
	t.Helper()
	*calls = append(*calls, in)
	if fn == nil {
		var zero O
		t.Errorf("unexpected %s call", name)
		return zero, &smithy.GenericAPIError{Code: "Unexpected", Message: "unexpected " + name}
	}
	return fn(in)
}

func (f *fakeDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return fakeCall(f.t, &f.calls, f.getItem, in, "GetItem")
}

func (f *fakeDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return fakeCall(f.t, &f.calls, f.putItem, in, "PutItem")
}

func (f *fakeDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return fakeCall(f.t, &f.calls, f.updateItem, in, "UpdateItem")
}

func (f *fakeDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return fakeCall(f.t, &f.calls, f.deleteItem, in, "DeleteItem")
}

func (f *fakeDB) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return fakeCall(f.t, &f.calls, f.scan, in, "Scan")
}

func (f *fakeDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return fakeCall(f.t, &f.calls, f.query, in, "Query")
}

// fakeS3 fakes the S3 calls like fakeDB.
type fakeS3 struct {
	t             *testing.T
	getObject     func(*s3.GetObjectInput) (*s3.GetObjectOutput, error)
	putObject     func(*s3.PutObjectInput) (*s3.PutObjectOutput, error)
	deleteObject  func(*s3.DeleteObjectInput) (*s3.DeleteObjectOutput, error)
	deleteObjects func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error)
	calls         []any
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return fakeCall(f.t, &f.calls, f.getObject, in, "GetObject")
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return fakeCall(f.t, &f.calls, f.putObject, in, "PutObject")
}

func (f *fakeS3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	return fakeCall(f.t, &f.calls, f.deleteObject, in, "DeleteObject")
}

func (f *fakeS3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	return fakeCall(f.t, &f.calls, f.deleteObjects, in, "DeleteObjects")
}

// objects serves GetObject from a map of key to body, NoSuchKey for other keys.
func objects(docs map[string]string) func(*s3.GetObjectInput) (*s3.GetObjectOutput, error) {
	return func(in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
		body, ok := docs[aws.ToString(in.Key)]
		if !ok {
			return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
		}
		return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(body))}, nil
	}
}

// awsError is a service error such as botocore's stubbed client errors.
func awsError(msg string) error {
	return &smithy.GenericAPIError{Code: "InternalServerError", Message: msg}
}

// conditionError is DynamoDB's conditional-check failure, with the old item when the request asked for it.
func conditionError(item map[string]dbtypes.AttributeValue) error {
	return &dbtypes.ConditionalCheckFailedException{Message: aws.String("The conditional request failed"), Item: item}
}

func s(v string) dbtypes.AttributeValue { return &dbtypes.AttributeValueMemberS{Value: v} }

func n(v string) dbtypes.AttributeValue { return &dbtypes.AttributeValueMemberN{Value: v} }

// pointers builds an operator's pointer list from (workflow, pointer) pairs.
func pointers(pairs ...string) dbtypes.AttributeValue {
	var list []dbtypes.AttributeValue
	for i := 0; i+1 < len(pairs); i += 2 {
		list = append(list, &dbtypes.AttributeValueMemberM{Value: map[string]dbtypes.AttributeValue{
			"workflow": s(pairs[i]), "pointer": s(pairs[i+1]),
		}})
	}
	return &dbtypes.AttributeValueMemberL{Value: list}
}
