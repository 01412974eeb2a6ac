package dataplane

import (
	"fmt"
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// bodyText returns the request body. The original decoded it as UTF-8 before any of its own error handling, so a
// body that is not UTF-8 is an unhandled error (generic 500) on every route.
func bodyText(req *apigw.Request) ([]byte, error) {
	b, err := req.RawBody()
	if err != nil {
		return nil, apigw.Unhandledf("binascii.Error", "%v", err)
	}
	if !utf8.Valid(b) {
		return nil, apigw.Unhandledf("UnicodeDecodeError", "'utf-8' codec can't decode the request body")
	}
	return b, nil
}

// jsonBody parses the JSON body of R6, R8 and R13, keeping key order and number spellings. Invalid or empty JSON
// is a 400 `Error Parsing JSON` (Q-28; the original answered with the generic 500).
func jsonBody(req *apigw.Request) (any, error) {
	b, err := bodyText(req)
	if err != nil {
		return nil, err
	}
	v, err := pyjson.Decode(b)
	if err != nil {
		return nil, apigw.BadRequest("Error Parsing JSON")
	}
	return v, nil
}

// index is Python's obj[key] on a decoded JSON value. The error is the exception the original got: a KeyError
// whose text is the quoted key, or a TypeError when obj is not an object.
func index(obj any, key string) (any, *apigw.Unhandled) {
	m, ok := obj.(*pyjson.Map)
	if !ok {
		return nil, &apigw.Unhandled{Type: "TypeError", Message: subscriptError(obj)}
	}
	v, ok := m.Get(key)
	if !ok {
		return nil, &apigw.Unhandled{Type: "KeyError", Message: pyjson.QuoteKey(key)}
	}
	return v, nil
}

// subscriptError is Python 3.11's TypeError text for value["name"] when value is not a dict; the original embeds
// it in some messages (R3, R4, R8).
func subscriptError(v any) string {
	switch v.(type) {
	case []any:
		return "list indices must be integers or slices, not str"
	case string:
		return "string indices must be integers, not 'str'"
	}
	return fmt.Sprintf("'%s' object is not subscriptable", pyjson.TypeName(v))
}

// paramTypeError is botocore's parameter validation text for a request field that must be a string, which the
// original showed when a JSON body gave a number, object, ... instead (R3, R4, R13).
func paramTypeError(param string, v any) string {
	return fmt.Sprintf("Parameter validation failed:\nInvalid type for parameter %s, value: %s, type: <class '%s'>, valid types: <class 'str'>",
		param, pyjson.Repr(v), pyjson.TypeName(v))
}
