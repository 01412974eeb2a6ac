package sigv4

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
)

// Reason tells which check of the verification failed. API Gateway reports several reasons under one error type
// (ErrorType); the finer reason lets callers and tests tell them apart.
type Reason int

// The reasons a request can fail verification, in the order the checks run.
const (
	// MissingToken: the request carries neither an Authorization header nor query-string authentication.
	MissingToken Reason = iota + 1
	// BothForms: the request carries an Authorization header and query-string authentication.
	BothForms
	// Incomplete: a required part of the signature is missing or malformed (parameters, date format, algorithm,
	// credential shape).
	Incomplete
	// Expired: the signature is older than the allowed skew (or, presigned, than X-Amz-Expires).
	Expired
	// NotYetCurrent: the signature is dated more than the allowed skew in the future.
	NotYetCurrent
	// HostNotSigned: the Host header is not among the signed headers.
	HostNotSigned
	// BadScope: the credential scope names another region, service, terminator or date.
	BadScope
	// UnknownKey: the access key id is not known.
	UnknownKey
	// SignatureMismatch: the signature does not match the one computed for the request.
	SignatureMismatch
	// InvalidToken: the session token does not belong to the access key.
	InvalidToken
)

// The error types API Gateway sends in the x-amzn-ErrorType header of its 403 answers.
const (
	errorTypeMissingToken = "MissingAuthenticationTokenException"
	errorTypeIncomplete   = "IncompleteSignatureException"
	errorTypeInvalid      = "InvalidSignatureException"
	errorTypeUnrecognized = "UnrecognizedClientException"
)

// Messages API Gateway sends for the failures whose text does not depend on the request.
const (
	MessageMissingToken = "Missing Authentication Token"
	MessageInvalidToken = "The security token included in the request is invalid."
	// MessageSignatureMismatch starts the signature mismatch message; the canonical request and the string to
	// sign that the verifier computed follow it.
	MessageSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// Failure is a request that failed verification. API Gateway answers it with 403 and {"message": Message}.
type Failure struct {
	Reason  Reason
	Message string
}

// Error implements error.
func (f *Failure) Error() string { return "sigv4: " + f.Message }

// ErrorType is the x-amzn-ErrorType API Gateway sends with the failure, e.g. InvalidSignatureException.
func (f *Failure) ErrorType() string {
	switch f.Reason {
	case MissingToken:
		return errorTypeMissingToken
	case Incomplete:
		return errorTypeIncomplete
	case UnknownKey, InvalidToken:
		return errorTypeUnrecognized
	default:
		return errorTypeInvalid
	}
}

func fail(reason Reason, message string) *Failure {
	return &Failure{Reason: reason, Message: message}
}

// WriteError answers a request whose verification failed as API Gateway does: a *Failure becomes 403 with its
// message and error type, any other error (a failed credentials lookup) 500 Internal server error.
func WriteError(w http.ResponseWriter, err error) {
	var f *Failure
	if !errors.As(err, &f) {
		writeMessage(w, http.StatusInternalServerError, "", "Internal server error")
		return
	}
	writeMessage(w, http.StatusForbidden, f.ErrorType(), f.Message)
}

// writeMessage writes API Gateway's error body {"message": ...}, compact and without HTML escaping.
func writeMessage(w http.ResponseWriter, status int, errorType, message string) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	// A struct of one string always encodes.
	_ = enc.Encode(struct {
		Message string `json:"message"`
	}{message})
	w.Header().Set("Content-Type", "application/json")
	if errorType != "" {
		w.Header().Set("x-amzn-ErrorType", errorType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(body.Bytes(), []byte("\n")))
}
