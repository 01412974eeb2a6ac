package lambdainvoke

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Function errors are reported with the payload aws-lambda-go's runtime posts for them
// ({"errorMessage", "errorType", "stackTrace"}), because Step Functions matches Retry/Catch on that errorType
// (operator-sdk §7.2: a *MasExecutionError must arrive as "MasExecutionError").

// handlerError describes an error a handler returned: named by its Go type with the pointer stripped, unless the
// handler returned a messages.InvokeResponse_Error value, which the runtime passes through unchanged. Like the
// runtime, it looks at the error itself, not at what it wraps.
func handlerError(err error) *messages.InvokeResponse_Error {
	if e, ok := err.(messages.InvokeResponse_Error); ok {
		return &e
	}
	return &messages.InvokeResponse_Error{Message: err.Error(), Type: typeName(err)}
}

// panicError describes a recovered panic as the runtime does: the value's type name, its %v text and the stack.
// It must be called from the deferred function that recovered v.
func panicError(v any) *messages.InvokeResponse_Error {
	if e, ok := v.(messages.InvokeResponse_Error); ok {
		return &e
	}
	return &messages.InvokeResponse_Error{
		Message:    fmt.Sprintf("%v", v),
		Type:       typeName(v),
		StackTrace: panicStack(),
	}
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// maxStackFrames is how deep the runtime records a panic's stack.
const maxStackFrames = 32

// panicStack returns the panicking goroutine's stack from runtime.gopanic down, the frame where the runtime's
// own trace reaches the panic, so that the frames above it (this package's recovery) are left out.
func panicStack() []*messages.InvokeResponse_Error_StackFrame {
	pcs := make([]uintptr, 64)
	pcs = pcs[:runtime.Callers(1, pcs)]
	frames := runtime.CallersFrames(pcs)
	var stack []*messages.InvokeResponse_Error_StackFrame
	seenPanic := false
	for len(stack) < maxStackFrames {
		f, more := frames.Next()
		seenPanic = seenPanic || f.Function == "runtime.gopanic"
		if seenPanic {
			stack = append(stack, stackFrame(f))
		}
		if !more {
			break
		}
	}
	return stack
}

// stackFrame renders a frame the runtime's way: the file path shortened to the package import path plus the file
// name, and the function label without its package qualifier.
func stackFrame(f runtime.Frame) *messages.InvokeResponse_Error_StackFrame {
	path := f.File
	end := len(path)
	for keep := strings.Count(f.Function, "/") + 2; keep > 0; keep-- {
		end = strings.LastIndexByte(path[:end], '/')
		if end < 0 {
			break
		}
	}
	path = path[end+1:]
	label := f.Function[strings.LastIndexByte(f.Function, '/')+1:]
	label = label[strings.IndexByte(label, '.')+1:]
	return &messages.InvokeResponse_Error_StackFrame{Path: path, Line: int32(f.Line), Label: label}
}

// timeoutError is what the service reports for an invocation that outlived its function timeout.
func timeoutError(requestID string, timeout time.Duration) *messages.InvokeResponse_Error {
	return &messages.InvokeResponse_Error{
		Type:    "Sandbox.Timedout",
		Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds()),
	}
}

// responseTooLargeError is what the service reports for a response over MaxResponsePayload.
func responseTooLargeError() *messages.InvokeResponse_Error {
	return &messages.InvokeResponse_Error{
		Type:    "Function.ResponseSizeTooLarge",
		Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponsePayload),
	}
}
