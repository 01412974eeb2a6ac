package controlplane

import (
	"errors"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/botocore"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// The original is a Python app whose handlers wrap failures into texts that clients see; these helpers build the
// same texts from Go errors, in one place (control-plane §3.4, §3.5, §14).

// pyStr is Python's str() of the exception the original raises for err: a handled error's message, an AWS error in
// botocore's form, a KeyError's quoted key.
func pyStr(err error) string {
	var handled *apigw.Error
	if errors.As(err, &handled) {
		return handled.Message
	}
	var unhandled *apigw.Unhandled
	if errors.As(err, &unhandled) {
		return unhandled.Message
	}
	if text, ok := botocore.ClientErrorText(err); ok {
		return text
	}
	return err.Error()
}

// viewError is the original's `ChaliceViewError(format_exception(e))`: 500 `Exception '<e>'`.
func viewError(err error) error {
	return apigw.ViewError("Exception '%s'", pyStr(err))
}

// traceback is a failure the original did not catch: a 500 whose last line names the Python exception class
// (control-plane §3.5). AWS errors are botocore ClientErrors there.
func traceback(err error) error {
	var unhandled *apigw.Unhandled
	if errors.As(err, &unhandled) {
		return err
	}
	if text, ok := botocore.ClientErrorText(err); ok {
		return &apigw.Unhandled{Type: "botocore.exceptions.ClientError", Message: text}
	}
	return &apigw.Unhandled{Type: "Exception", Message: err.Error()}
}

// keyError is Python's KeyError for a missing dictionary key; its str() is the quoted key (`'Name'`).
func keyError(key string) error {
	return &apigw.Unhandled{Type: "KeyError", Message: pyjson.QuoteKey(key)}
}

// jsonError is the traceback of the original's json.loads on a bad body.
func jsonError(err error) error {
	return &apigw.Unhandled{Type: "json.decoder.JSONDecodeError", Message: err.Error()}
}

// pyGet is Python's `v[key]` on a decoded JSON value, with Python 3.11's error texts: a KeyError when an object lacks
// the key, a TypeError when v is not an object.
func pyGet(v any, key string) (any, error) {
	switch t := v.(type) {
	case *pyjson.Map:
		e, ok := t.Get(key)
		if !ok {
			return nil, keyError(key)
		}
		return e, nil
	case string:
		return nil, apigw.Unhandledf("TypeError", "string indices must be integers, not 'str'")
	case []any:
		return nil, apigw.Unhandledf("TypeError", "list indices must be integers or slices, not str")
	}
	return nil, apigw.Unhandledf("TypeError", "'%s' object is not subscriptable", pyjson.TypeName(v))
}
