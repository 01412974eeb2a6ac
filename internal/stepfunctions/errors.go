package stepfunctions

import "fmt"

// Error is a refusal of the Step Functions API. Code is the exception name the service sends as __type, which the
// SDK turns into the error type of that name (*types.StateMachineDoesNotExist, ...); in-process callers compare
// Code with the constants below.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The exception names the engine sends, as the Step Functions API model spells them.
const (
	CodeExecutionAlreadyExists         = "ExecutionAlreadyExists"
	CodeExecutionDoesNotExist          = "ExecutionDoesNotExist"
	CodeInvalidArn                     = "InvalidArn"
	CodeInvalidDefinition              = "InvalidDefinition"
	CodeInvalidExecutionInput          = "InvalidExecutionInput"
	CodeInvalidLoggingConfiguration    = "InvalidLoggingConfiguration"
	CodeInvalidName                    = "InvalidName"
	CodeInvalidToken                   = "InvalidToken"
	CodeMissingRequiredParameter       = "MissingRequiredParameter"
	CodeResourceNotFound               = "ResourceNotFound"
	CodeStateMachineAlreadyExists      = "StateMachineAlreadyExists"
	CodeStateMachineDeleting           = "StateMachineDeleting"
	CodeStateMachineDoesNotExist       = "StateMachineDoesNotExist"
	CodeStateMachineTypeNotSupported   = "StateMachineTypeNotSupported"
	CodeTooManyTags                    = "TooManyTags"
	CodeValidationException            = "ValidationException"
	CodeServiceUnavailable             = "ServiceUnavailable"
	CodeSerializationException         = "SerializationException"
	CodeUnknownOperationException      = "UnknownOperationException"
	CodeInvalidEncryptionConfiguration = "InvalidEncryptionConfiguration"
)

func apiError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func machineNotFound(arn string) *Error {
	return apiError(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
}

func machineDeleting(arn string) *Error {
	return apiError(CodeStateMachineDeleting, "State machine is being deleted: '%s'", arn)
}

func executionNotFound(arn string) *Error {
	return apiError(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
}

// validation reports a request member that breaks a constraint of the API model.
func validation(member, constraint string) *Error {
	return apiError(CodeValidationException, "1 validation error detected: Value at '%s' failed to satisfy constraint: %s",
		member, constraint)
}
