package botocore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// CP-02: the text botocore gives a ClientError, including the empty code and message of the original's stubs.
func TestClientErrorText(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
		ok   bool
	}{
		{"operation error", &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "PutItem",
			Err: &smithy.GenericAPIError{Code: "ConditionalCheckFailedException", Message: "The conditional request failed"}},
			"An error occurred (ConditionalCheckFailedException) when calling the PutItem operation: The conditional request failed", true},
		{"empty code and message", &smithy.OperationError{OperationName: "SendMessage", Err: &smithy.GenericAPIError{}},
			"An error occurred () when calling the SendMessage operation: ", true},
		{"wrapped", fmt.Errorf("store: %w", &smithy.OperationError{OperationName: "GetObject", Err: &smithy.GenericAPIError{Code: "NoSuchKey", Message: "gone"}}),
			"An error occurred (NoSuchKey) when calling the GetObject operation: gone", true},
		{"API error without an operation", &smithy.GenericAPIError{Code: "X", Message: "y"}, "An error occurred (X) when calling the  operation: y", true},
		{"not an AWS error", errors.New("boom"), "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ClientErrorText(tc.err)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}
