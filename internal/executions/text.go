package executions

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Text is the text the original's Python code shows for an error it caught, as it ends up in an execution's
// Message or an operator's WaitError (§14): an AWS error in botocore's form,
// `An error occurred (<Code>) when calling the <Operation> operation: <message>`; any other error as it reads.
func Text(err error) string {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err.Error()
	}
	op := ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op = oe.Operation()
	}
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", api.ErrorCode(), op, api.ErrorMessage())
}
