package controlplane

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// putInvokePolicy lets the Step Functions role invoke a user operator's Lambdas: an inline policy named after the
// operation on the role, its document rendered with Python's separators as the original sent it (CP-09, §6.5).
// Operators of the operator library and the Wait operation are covered by the role's own policy.
func (h *Handler) putInvokePolicy(ctx context.Context, op *pyjson.Map) error {
	start := str(op, "StartLambdaArn")
	if !isUserOperator(start) {
		return nil
	}
	resources := []any{start}
	if str(op, "Type") == "Async" {
		resources = append(resources, str(op, "MonitorLambdaArn"))
	}
	statement := pyjson.NewMap()
	statement.Set("Effect", "Allow")
	statement.Set("Action", "lambda:InvokeFunction")
	statement.Set("Resource", resources)
	policy := pyjson.NewMap()
	policy.Set("Version", "2012-10-17")
	policy.Set("Statement", []any{statement})
	doc, err := pyjson.Python(policy)
	if err != nil {
		return err
	}
	_, err = h.clients.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:       aws.String(h.cfg.roleName()),
		PolicyName:     aws.String(str(op, "Name")),
		PolicyDocument: aws.String(string(doc)),
	})
	return err
}

// deleteInvokePolicy removes the operation's inline policy from the Step Functions role if it is there, reading
// the role's policy names page by page until it is found (CP-09, §6.9 step 5).
func (h *Handler) deleteInvokePolicy(ctx context.Context, name string) error {
	role := aws.String(h.cfg.roleName())
	pages := iam.NewListRolePoliciesPaginator(h.clients.IAM, &iam.ListRolePoliciesInput{RoleName: role})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if slices.Contains(page.PolicyNames, name) {
			_, err := h.clients.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String(name)})
			return err
		}
	}
	return nil
}
