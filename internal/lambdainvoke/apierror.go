package lambdainvoke

import (
	"encoding/json"
	"errors"
	"net/http"
)

// apiError is an error response of the Lambda API: the status, the code the SDK reads from X-Amzn-ErrorType, and
// the message, sent under the member name the Lambda model gives that error.
type apiError struct {
	status    int
	code      string
	message   string
	lowercase bool // the model spells the member "message" (most errors) rather than "Message"
}

// errorBody is the JSON of an error response; exactly one of the two message members is set.
type errorBody struct {
	Type         string `json:"Type"`
	Message      string `json:"Message,omitempty"`
	LowerMessage string `json:"message,omitempty"`
}

// toAPIError maps an error of the registry to the response the service sends for it; anything unexpected is a
// ServiceException.
func toAPIError(err error) apiError {
	var (
		notFound  *FunctionNotFoundError
		invalid   *ValidationError
		mismatch  *QualifierMismatchError
		content   *InvalidPayloadError
		tooLarge  *PayloadTooLargeError
		errorCode = func(status int, code string, lowercase bool) apiError {
			return apiError{status: status, code: code, message: err.Error(), lowercase: lowercase}
		}
	)
	switch {
	case errors.As(err, &notFound):
		return errorCode(http.StatusNotFound, "ResourceNotFoundException", false)
	case errors.As(err, &invalid):
		return errorCode(http.StatusBadRequest, "ValidationException", true)
	case errors.As(err, &mismatch):
		return errorCode(http.StatusBadRequest, "InvalidParameterValueException", true)
	case errors.As(err, &content):
		return errorCode(http.StatusBadRequest, "InvalidRequestContentException", true)
	case errors.As(err, &tooLarge):
		return errorCode(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", true)
	default:
		return errorCode(http.StatusInternalServerError, "ServiceException", false)
	}
}

func writeAPIError(w http.ResponseWriter, e apiError) {
	body := errorBody{Type: "User"}
	if e.status >= http.StatusInternalServerError {
		body.Type = "Service"
	}
	if e.lowercase {
		body.LowerMessage = e.message
	} else {
		body.Message = e.message
	}
	// Encoding three strings cannot fail.
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(headerErrorType, e.code)
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
