package apigw

import (
	"fmt"
	"net/http"
)

// Error is a handled error: it becomes the body {"Code": Code, "Message": Message} with Status (CP-02, DP-03).
// The codes are the original framework's error class names, which clients see.
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// BadRequest is the original's BadRequestError (400).
func BadRequest(format string, args ...any) *Error {
	return &Error{Code: "BadRequestError", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// NotFound is the original's NotFoundError (404).
func NotFound(format string, args ...any) *Error {
	return &Error{Code: "NotFoundError", Message: fmt.Sprintf(format, args...), Status: http.StatusNotFound}
}

// Conflict is the original's ConflictError (409).
func Conflict(format string, args ...any) *Error {
	return &Error{Code: "ConflictError", Message: fmt.Sprintf(format, args...), Status: http.StatusConflict}
}

// ViewError is the original's generic ChaliceViewError (500), which most workflow API handlers wrap every failure
// into (control-plane §3.4).
func ViewError(format string, args ...any) *Error {
	return &Error{Code: "ChaliceViewError", Message: fmt.Sprintf(format, args...), Status: http.StatusInternalServerError}
}

// Unhandled is a failure the original did not catch in the route: a 500 whose body depends on the API's mode
// (a traceback-like text for the workflow API, the generic JSON body for the data plane). Type is the Python
// exception class the original would have raised (`KeyError`, `TypeError`, ...), shown in the traceback's last line.
type Unhandled struct {
	Type    string
	Message string
}

func (e *Unhandled) Error() string { return e.Type + ": " + e.Message }

// Unhandledf returns an Unhandled error of the given Python exception type.
func Unhandledf(pyType, format string, args ...any) *Unhandled {
	return &Unhandled{Type: pyType, Message: fmt.Sprintf(format, args...)}
}
