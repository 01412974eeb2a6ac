package executions

import "github.com/mie-go/mie-go/internal/botocore"

// Text is the text the original's Python code shows for an error it caught, as it ends up in an execution's
// Message or an operator's WaitError (§14): an AWS error in botocore's form,
// `An error occurred (<Code>) when calling the <Operation> operation: <message>`; any other error as it reads.
func Text(err error) string {
	if text, ok := botocore.ClientErrorText(err); ok {
		return text
	}
	return err.Error()
}
