package stepfunctions

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Wire protocol of the Step Functions API: AWS JSON 1.0, every operation a POST to / named by X-Amz-Target.
const (
	targetPrefix     = "AWSStepFunctions."
	jsonContentType  = "application/x-amz-json-1.0"
	headerTarget     = "X-Amz-Target"
	headerRequestID  = "X-Amzn-RequestId"
	maxRequestLength = 8 << 20 // a 1 MiB definition, escaped, with room to spare
)

// operation serves one target: it decodes the request body and returns the response to encode.
type operation func(e *Engine, body []byte) (any, error)

// handle turns an engine call taking the decoded request into an operation.
func handle[In, Out any](call func(e *Engine, in In) (Out, error)) operation {
	return func(e *Engine, body []byte) (any, error) {
		var in In
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, apiError(CodeSerializationException, "The request body is not a valid request: %s", err)
			}
		}
		return call(e, in)
	}
}

// operations is the route table: the target name of every operation the engine serves (without the
// AWSStepFunctions. prefix) and its handler, which lives in the api_*.go file of its group.
var operations = map[string]operation{
	"CreateStateMachine":   handle(createStateMachine),
	"UpdateStateMachine":   handle(updateStateMachine),
	"DeleteStateMachine":   handle(deleteStateMachine),
	"DescribeStateMachine": handle(describeStateMachine),
	"ListStateMachines":    handle(listStateMachines),
	"StartExecution":       handle(startExecution),
	"DescribeExecution":    handle(describeExecution),
	"StopExecution":        handle(stopExecution),
	"ListExecutions":       handle(listExecutions),
	"GetExecutionHistory":  handle(getExecutionHistory),
	"TagResource":          handle(tagResource),
	"UntagResource":        handle(untagResource),
	"ListTagsForResource":  handle(listTagsForResource),
}

// NewServer returns the Step Functions API over e on the service's wire protocol, so that an SDK client whose
// endpoint points here drives e. Any other request gets UnknownOperationException.
func NewServer(e *Engine) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(headerRequestID, uuid.NewString())
		target, found := strings.CutPrefix(r.Header.Get(headerTarget), targetPrefix)
		op, known := operations[target]
		if r.Method != http.MethodPost || r.URL.Path != "/" || !found || !known {
			writeError(w, apiError(CodeUnknownOperationException, "Unknown operation %s", r.Header.Get(headerTarget)))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestLength+1))
		switch {
		case err != nil:
			writeError(w, apiError(CodeSerializationException, "Could not read the request body: %s", err))
			return
		case len(body) > maxRequestLength:
			writeError(w, apiError(CodeValidationException, "The request is longer than %d bytes", maxRequestLength))
			return
		}
		out, err := op(e, body)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// errorBody is the JSON of an error response; the SDK reads the exception name from __type.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// writeError sends err as the service does: a refusal (*Error) with status 400, or 503 for an engine that is shut
// down; anything else is an internal failure.
func writeError(w http.ResponseWriter, err error) {
	var apiErr *Error
	switch {
	case !errors.As(err, &apiErr):
		writeJSON(w, http.StatusInternalServerError, errorBody{Type: "InternalFailure", Message: err.Error()})
	case apiErr.Code == CodeServiceUnavailable:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Type: apiErr.Code, Message: apiErr.Message})
	default:
		writeJSON(w, http.StatusBadRequest, errorBody{Type: apiErr.Code, Message: apiErr.Message})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Type: "InternalFailure", Message: "encode the response: " + err.Error()})
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// epochSeconds is a timestamp as the JSON 1.0 protocol sends it: seconds since the epoch, with milliseconds.
type epochSeconds time.Time

func (t epochSeconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(t).UnixMilli())/1e3, 'f', -1, 64), nil
}

// timestamp returns t for the wire, nil (left out) when t is zero.
func timestamp(t time.Time) *epochSeconds {
	if t.IsZero() {
		return nil
	}
	return new(epochSeconds(t))
}
