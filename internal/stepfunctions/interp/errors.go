package interp

import (
	"errors"
	"strings"
)

// Error names of the States Language that the interpreter raises or treats specially.
const (
	errAll             = "States.ALL"
	errTaskFailed      = "States.TaskFailed"
	errTimeout         = "States.Timeout"
	errHeartbeat       = "States.HeartbeatTimeout"
	errRuntime         = "States.Runtime"
	errDataLimit       = "States.DataLimitExceeded"
	errNoChoiceMatched = "States.NoChoiceMatched"
	errResultPath      = "States.ResultPathMatchFailure"
)

// Names of failed Lambda invocations (as opposed to errors the function itself reported), for Invokers
// to put in InvokeError.Name. Any other "Lambda.<Exception>" name, such as
// "Lambda.ResourceNotFoundException" or "Lambda.TooManyRequestsException", is reported as given.
const (
	LambdaServiceException   = "Lambda.ServiceException"
	LambdaAWSLambdaException = "Lambda.AWSLambdaException"
	LambdaSdkClientException = "Lambda.SdkClientException"
	LambdaUnknown            = "Lambda.Unknown"
)

// Limits and message texts of Step Functions.
const (
	maxCauseLength  = 32768  // characters kept of an error's cause
	maxPayloadBytes = 262144 // bytes of a state's output or a task's result (States.DataLimitExceeded)

	runtimeErrorPrefix = "An error occurred while executing the state '%s' (entered at the event id #%d). "
	dataLimitCause     = "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit."
)

// FunctionError is what an Invoker returns when the function ran and reported an error (the Lambda
// response carried X-Amz-Function-Error). Payload is the response body exactly as the function returned
// it, e.g. {"errorMessage": "...", "errorType": "MasExecutionError", "stackTrace": [...]}: Step Functions
// names the error after errorType and uses the whole payload text as the cause (operator-sdk §7.1).
type FunctionError struct {
	Payload []byte
}

func (e *FunctionError) Error() string { return "function error: " + string(e.Payload) }

// InvokeError is what an Invoker returns when the invocation itself failed, before or without the
// function reporting anything: Name is the error name Step Functions reports (LambdaServiceException,
// LambdaSdkClientException, ...), Message becomes the cause. Any other error an Invoker returns is
// reported as LambdaSdkClientException, the client-side failure.
type InvokeError struct {
	Name    string
	Message string
}

func (e *InvokeError) Error() string { return e.Name + ": " + e.Message }

// StopError is the cancellation cause that carries StopExecution's error and cause into the
// ExecutionAborted event: cancel the context given to Run with context.WithCancelCause and a *StopError.
type StopError struct {
	Name  string
	Cause string
}

func (e *StopError) Error() string { return "execution stopped: " + e.Name + ": " + e.Cause }

// DefinitionError lists what makes a definition invalid or unsupported, one problem per entry, each as
// "<CODE>: <explanation> at <location>" like Step Functions' InvalidDefinition messages.
type DefinitionError struct {
	Problems []string
}

func (e *DefinitionError) Error() string {
	return "Invalid State Machine Definition: '" + strings.Join(e.Problems, ", ") + "'"
}

// failure is an error raised while running a state, as Retry, Catch and the history see it.
type failure struct {
	name  string
	cause string
	// heartbeat marks a States.Timeout raised by HeartbeatSeconds, which "States.HeartbeatTimeout" matches.
	heartbeat bool
}

func (f *failure) Error() string { return f.name + ": " + f.cause }

func newFailure(name, cause string) *failure {
	return &failure{name: name, cause: truncateCause(cause)}
}

// truncateCause keeps the first maxCauseLength characters, as Step Functions does.
func truncateCause(s string) string {
	n := 0
	for i := range s {
		if n == maxCauseLength {
			return s[:i]
		}
		n++
	}
	return s
}

// terminal reports errors that no Retry or Catch may handle, not even one naming them.
func (f *failure) terminal() bool {
	return f.name == errRuntime || f.name == errDataLimit
}

// matches reports whether a retrier's or catcher's ErrorEquals list covers f.
func (f *failure) matches(names []string) bool {
	if f.terminal() {
		return false
	}
	for _, n := range names {
		switch {
		case n == errAll, n == f.name:
			return true
		case n == errTaskFailed && f.name != errTimeout:
			return true
		case n == errHeartbeat && f.heartbeat:
			return true
		}
	}
	return false
}

// asFailure returns err as a failure, or nil when err is an abort (the execution's context ended).
func asFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	return nil
}
