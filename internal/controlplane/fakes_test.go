package controlplane

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// apiError is an AWS error as the SDK returns it, for the service failures moto cannot produce.
func apiError(operation, code, msg string) error {
	return &smithy.OperationError{ServiceID: "test", OperationName: operation, Err: &smithy.GenericAPIError{Code: code, Message: msg}}
}

// hookedDB sends every call to moto, except that hooks may fail a call, hide an item from GetItem (so that a
// request sees the state of a concurrent request that has not written yet), or make scans read one item per page.
type hookedDB struct {
	DynamoDB
	mu       sync.Mutex
	failPut  func(in *dynamodb.PutItemInput) error
	hideItem func(in *dynamodb.GetItemInput) bool
	pageSize int32
	scans    []dynamodb.ScanInput
}

func (d *hookedDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if d.failPut != nil {
		if err := d.failPut(in); err != nil {
			return nil, err
		}
	}
	return d.DynamoDB.PutItem(ctx, in, opts...)
}

func (d *hookedDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := d.DynamoDB.GetItem(ctx, in, opts...)
	if err == nil && d.hideItem != nil && d.hideItem(in) {
		return &dynamodb.GetItemOutput{}, nil
	}
	return out, err
}

func (d *hookedDB) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	page := *in
	if d.pageSize > 0 {
		page.Limit = aws.Int32(d.pageSize)
	}
	d.mu.Lock()
	d.scans = append(d.scans, *in)
	d.mu.Unlock()
	return d.DynamoDB.Scan(ctx, &page, opts...)
}

// fakeIAM serves ListRolePolicies from fixed pages (moto never truncates) and records the calls; PutRolePolicy
// fails with putErr when set; everything else goes to moto.
type fakeIAM struct {
	RolePolicies
	pages  []iam.ListRolePoliciesOutput
	putErr error
	calls  []string
}

func (f *fakeIAM) PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, opts ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	f.calls = append(f.calls, "PutRolePolicy "+aws.ToString(in.RoleName)+" "+aws.ToString(in.PolicyName))
	if f.putErr != nil {
		return nil, f.putErr
	}
	return f.RolePolicies.PutRolePolicy(ctx, in, opts...)
}

func (f *fakeIAM) ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, opts ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error) {
	f.calls = append(f.calls, "ListRolePolicies "+aws.ToString(in.RoleName)+" marker="+aws.ToString(in.Marker))
	if f.pages == nil {
		return f.RolePolicies.ListRolePolicies(ctx, in, opts...)
	}
	i := 0
	if in.Marker != nil {
		for i < len(f.pages) && aws.ToString(f.pages[i].Marker) != *in.Marker {
			i++
		}
		i++
	}
	page := f.pages[i]
	return &page, nil
}

func (f *fakeIAM) DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, opts ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error) {
	f.calls = append(f.calls, "DeleteRolePolicy "+aws.ToString(in.RoleName)+" "+aws.ToString(in.PolicyName))
	return f.RolePolicies.DeleteRolePolicy(ctx, in, opts...)
}
