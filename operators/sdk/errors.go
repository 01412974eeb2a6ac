package sdk

import (
	"fmt"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// The error types of this package are named for the Lambda contract: aws-lambda-go reports a returned error's Go
// type name, without the pointer, as the invocation's errorType. Step Functions matches Retry and Catch rules on
// that name, and OperatorFailed records it in the workflow metadata (operator-sdk §7).

// MasExecutionError is the handled failure of an operator (SDK-08). Returning a *MasExecutionError from a Lambda
// handler makes the invocation fail with errorType "MasExecutionError", which the operation state machine retries
// twice and then hands to OperatorFailed, which copies the MetaData of Output into the operation's result.
//
// The convention is to set the status to OperationStatusError and add an explanatory string under an
// operator-specific MetaData key (e.g. "MediainfoError") before returning the error. Keep Output small: Step
// Functions cuts an error cause at 32 768 characters, and a cut message can no longer be parsed.
type MasExecutionError struct {
	// Output is the operator's output object: an *Operation or a *ReducedOutput, as the helpers' MasExecutionError
	// methods set it, or any other value that encodes as a JSON object with a MetaData key.
	Output any
}

// NewMasExecutionError returns the error for an output object.
func NewMasExecutionError(output any) *MasExecutionError {
	return &MasExecutionError{Output: output}
}

// Error returns Output as JSON text, with Python's json.dumps spacing. The original returned Python's repr of the
// object; OperatorFailed reads both (SQ-01). An output that cannot be encoded gives a plain sentence, which
// OperatorFailed records as the operator's error text.
func (e *MasExecutionError) Error() string {
	b, err := pyjson.Python(e.Output)
	if err != nil {
		return fmt.Sprintf("operator output cannot be encoded as JSON: %v", err)
	}
	return string(b)
}

// KeyError reports a required key missing from an event, like Python's KeyError, whose name the original's
// operators reported for the same failure (`<Name>Error: KeyError` in the workflow metadata; SDK-03).
type KeyError struct {
	// Key is the missing key.
	Key string
}

// Error returns the key as Python shows a KeyError: in single quotes, e.g. 'AssetId'.
func (e *KeyError) Error() string {
	return pyjson.QuoteKey(e.Key)
}

// TypeError reports a value of the wrong JSON type where the original would have raised Python's TypeError, e.g.
// a Configuration that is not an object.
type TypeError struct {
	// Message is Python's message for the same failure where known, e.g. "string indices must be integers, not
	// 'str'".
	Message string
}

// Error returns the message.
func (e *TypeError) Error() string {
	return e.Message
}

// FunctionError reports that the data plane Lambda function itself failed (timeout, crash, out of memory): the
// invocation returned an error payload instead of an API response (SDK-12). The original helper failed with a
// KeyError in that case.
type FunctionError struct {
	// Type and Message are the errorType and errorMessage of the failed invocation.
	Type, Message string
}

// Error describes the failure.
func (e *FunctionError) Error() string {
	return fmt.Sprintf("data plane function failed: %s: %s", e.Type, e.Message)
}

// APIError is a data plane response that is not a success, for the helpers that need a successful one
// (MetadataPages, Response.Err). Code and Message come from the data plane's error body
// {"Code": ..., "Message": ...}; API Gateway's own errors carry only a message.
type APIError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code and Message are the error body's fields, empty when absent.
	Code, Message string
}

// Error describes the response.
func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("data plane answered %d: %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("data plane answered %d %s: %s", e.StatusCode, e.Code, e.Message)
}
