package lambdainvoke

import (
	"net/http"

	"github.com/google/uuid"
)

// invocationsPath is the Invoke operation's route; FunctionName is one URL-escaped path segment.
const invocationsPath = "/2015-03-31/functions/{FunctionName}/invocations"

// Response headers of the Invoke API.
const (
	headerRequestID       = "X-Amzn-RequestId"
	headerErrorType       = "X-Amzn-ErrorType"
	headerFunctionError   = "X-Amz-Function-Error"
	headerExecutedVersion = "X-Amz-Executed-Version"
	headerLogResult       = "X-Amz-Log-Result"
)

// NewServer returns the Lambda Invoke API (POST /2015-03-31/functions/{FunctionName}/invocations) over reg, on the
// service's wire protocol, so that an SDK client whose Lambda endpoint points here calls reg's handlers. Any
// other method or path gets UnknownOperationException.
func NewServer(reg *Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+invocationsPath, &invocations{reg: reg})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(headerRequestID, uuid.NewString())
		writeAPIError(w, apiError{status: http.StatusNotFound, code: "UnknownOperationException", message: "Unknown operation"})
	})
	return mux
}
