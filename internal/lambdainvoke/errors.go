package lambdainvoke

import "fmt"

// The errors below are the Invoke API's own refusals (not function errors): in-process callers get them from
// Invoke and InvokeAsync, and the HTTP edge turns each into the error response the Lambda service sends.

// FunctionNotFoundError reports an invocation of a function that is not registered (ResourceNotFoundException).
type FunctionNotFoundError struct {
	// ARN is the function's ARN as invoked, qualifier included.
	ARN string
}

func (e *FunctionNotFoundError) Error() string { return "Function not found: " + e.ARN }

// ValidationError reports a request parameter that breaks a constraint of the Lambda API model
// (ValidationException), such as a malformed function name.
type ValidationError struct {
	Field, Value, Constraint string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s",
		e.Value, e.Field, e.Constraint)
}

// QualifierMismatchError reports a function ARN whose qualifier differs from the Qualifier parameter
// (InvalidParameterValueException).
type QualifierMismatchError struct {
	Derived, Specified string
}

func (e *QualifierMismatchError) Error() string {
	return "The derived qualifier from the function name does not match the specified qualifier."
}

// InvalidPayloadError reports an invocation payload that is not JSON (InvalidRequestContentException).
type InvalidPayloadError struct {
	Err error
}

func (e *InvalidPayloadError) Error() string {
	return "Could not parse request body into json: Could not parse payload into json: " + e.Err.Error()
}

func (e *InvalidPayloadError) Unwrap() error { return e.Err }

// PayloadTooLargeError reports an invocation payload over the limit of its invocation type. The service sends it
// as RequestEntityTooLargeException (HTTP 413), a code the SDK has no type for, with these messages.
type PayloadTooLargeError struct {
	Size, Limit int
	// Event is true for an asynchronous (Event) invocation, whose limit and message differ.
	Event bool
}

func (e *PayloadTooLargeError) Error() string {
	if e.Event {
		return fmt.Sprintf("%d byte payload is too large for the Event invocation type (limit %d bytes)", e.Size, e.Limit)
	}
	return fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", e.Limit)
}
