package lambdainvoke

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Request headers of the Invoke API and their accepted values (the first is the default).
const (
	headerInvocationType = "X-Amz-Invocation-Type"
	headerLogType        = "X-Amz-Log-Type"
)

var (
	invocationTypes = []string{"RequestResponse", "Event", "DryRun"}
	logTypes        = []string{"None", "Tail"}
)

// maxDrain bounds how much of an oversized body is read and thrown away so that the client, still sending, reads
// the 413 instead of a reset connection.
const maxDrain = 64 << 20

// invocations serves the Invoke operation.
type invocations struct {
	reg *Registry
}

func (h *invocations) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// One ID names the HTTP request and the invocation, as on the service: X-Amzn-RequestId is the AwsRequestID
	// the handler sees.
	requestID := uuid.NewString()
	w.Header().Set(headerRequestID, requestID)

	invocationType, err := enumHeader(r, headerInvocationType, "invocationType", invocationTypes)
	if err != nil {
		writeAPIError(w, toAPIError(err))
		return
	}
	logType, err := enumHeader(r, headerLogType, "logType", logTypes)
	if err != nil {
		writeAPIError(w, toAPIError(err))
		return
	}
	payload, err := readPayload(r, invocationType == "Event")
	if err != nil {
		writeAPIError(w, toAPIError(err))
		return
	}
	function, qualifier := r.PathValue("FunctionName"), r.URL.Query().Get("Qualifier")

	switch invocationType {
	case "DryRun":
		if _, err := h.reg.resolve(function, qualifier); err != nil {
			writeAPIError(w, toAPIError(err))
			return
		}
		w.Header().Set(headerExecutedVersion, latestVersion)
		w.WriteHeader(http.StatusNoContent)
	case "Event":
		if err := h.reg.invokeAsync(r.Context(), requestID, function, qualifier, payload); err != nil {
			writeAPIError(w, toAPIError(err))
			return
		}
		w.Header().Set(headerExecutedVersion, latestVersion)
		w.WriteHeader(http.StatusAccepted)
	default:
		res, err := h.reg.invokeSync(r.Context(), requestID, function, qualifier, payload)
		if err != nil {
			writeAPIError(w, toAPIError(err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(headerExecutedVersion, res.ExecutedVersion)
		if res.FunctionError != "" {
			w.Header().Set(headerFunctionError, res.FunctionError)
		}
		if logType == "Tail" {
			w.Header().Set(headerLogResult, logResult(res))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(res.Payload)
	}
}

// enumHeader returns the header's value, its default when absent, or the ValidationException the service sends
// for a value outside the model's enum.
func enumHeader(r *http.Request, header, member string, values []string) (string, error) {
	v := r.Header.Get(header)
	if v == "" {
		return values[0], nil
	}
	if !slices.Contains(values, v) {
		return "", &ValidationError{Field: member, Value: v, Constraint: "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"}
	}
	return v, nil
}

// readPayload reads the request body, refusing one over MaxSyncPayload before the registry sees it (the registry
// applies the smaller Event limit itself).
func readPayload(r *http.Request, event bool) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxSyncPayload+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(body) <= MaxSyncPayload {
		return body, nil
	}
	drained, _ := io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
	size := max(r.ContentLength, int64(len(body))+drained)
	limit := MaxSyncPayload
	if event {
		limit = MaxAsyncPayload
	}
	return nil, &PayloadTooLargeError{Size: int(size), Limit: limit, Event: event}
}
