package controlplane

import (
	"strings"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// Python semantics the original applies to request values of unexpected types; the port answers such requests with
// the same texts (control-plane §6.14, §6.15).

// truthy is Python's truth value of a decoded JSON value, numbers read from DynamoDB included.
func truthy(v any) bool {
	if n, ok := v.(dbNumber); ok {
		return pyjson.Truthy(pyjson.Number(n))
	}
	return pyjson.Truthy(v)
}

// pyTypeName is the Python type name of a value, numbers read from DynamoDB being Decimals there.
func pyTypeName(v any) string {
	if _, ok := v.(dbNumber); ok {
		return "Decimal"
	}
	return pyjson.TypeName(v)
}

// pyStrOf is Python's str() of a value: a string as is, anything else as its repr.
func pyStrOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case dbNumber:
		return string(t)
	}
	return pyjson.Repr(v)
}

// pyContains is Python's `key in container`: a key of a dict, an element of a list, a substring of a str; other
// types are not iterable.
func pyContains(container any, key string) (bool, error) {
	switch t := container.(type) {
	case *pyjson.Map:
		_, ok := t.Get(key)
		return ok, nil
	case []any:
		for _, e := range t {
			if e == key {
				return true, nil
			}
		}
		return false, nil
	case string:
		return strings.Contains(t, key), nil
	}
	return false, apigw.Unhandledf("TypeError", "argument of type '%s' is not iterable", pyTypeName(container))
}

// attributeError is Python's AttributeError for a method a value's type lacks, e.g. `.items()` on a list.
func attributeError(v any, attribute string) error {
	return apigw.Unhandledf("AttributeError", "'%s' object has no attribute '%s'", pyTypeName(v), attribute)
}

// lookupError is what `d[key]` raises for a key that is not a string: KeyError for hashable values (JSON keys
// are strings, so no other key is ever found), TypeError for lists and dicts.
func lookupError(key any) error {
	switch key.(type) {
	case []any, *pyjson.Map:
		return apigw.Unhandledf("TypeError", "unhashable type: '%s'", pyjson.TypeName(key))
	}
	return &apigw.Unhandled{Type: "KeyError", Message: pyjson.Repr(key)}
}

// iterate is Python's list.extend argument: the elements of a list, the keys of a dict, the characters of a str.
func iterate(v any) ([]any, error) {
	switch t := v.(type) {
	case []any:
		return t, nil
	case *pyjson.Map:
		keys := make([]any, 0, t.Len())
		for k := range t.All() {
			keys = append(keys, k)
		}
		return keys, nil
	case string:
		chars := make([]any, 0, len(t))
		for _, r := range t {
			chars = append(chars, string(r))
		}
		return chars, nil
	}
	return nil, apigw.Unhandledf("TypeError", "'%s' object is not iterable", pyTypeName(v))
}
