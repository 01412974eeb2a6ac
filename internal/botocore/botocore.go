// Package botocore renders AWS SDK errors as the original's Python SDK (botocore) worded them, because those texts
// reach clients inside error bodies and execution messages (control-plane §3.4, §14; operators.md §1.6).
package botocore

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// ClientErrorText returns an AWS API error in botocore's ClientError form,
// `An error occurred (<Code>) when calling the <Operation> operation: <message>`, and false for any other error.
func ClientErrorText(err error) (string, bool) {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return "", false
	}
	op := ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op = oe.Operation()
	}
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", api.ErrorCode(), op, api.ErrorMessage()), true
}
