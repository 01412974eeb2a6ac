package executions

import (
	"fmt"

	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// Subscript is Python's v[key] on a decoded JSON value (an execution record, a queue message, an operation
// output), with Python 3.11's errors, because the original wrote their texts into execution messages (§14): a
// *sdk.KeyError ('Workflow') for a missing key and a *sdk.TypeError when v is not an object.
func Subscript(v any, key string) (any, error) {
	switch t := v.(type) {
	case *pyjson.Map:
		e, ok := t.Get(key)
		if !ok {
			return nil, &sdk.KeyError{Key: key}
		}
		return e, nil
	case string:
		return nil, &sdk.TypeError{Message: "string indices must be integers, not 'str'"}
	case []any:
		return nil, &sdk.TypeError{Message: "list indices must be integers or slices, not str"}
	}
	return nil, &sdk.TypeError{Message: fmt.Sprintf("'%s' object is not subscriptable", pyjson.TypeName(v))}
}

// SubscriptString is Subscript for a value that must be a string, such as an Id or a stage name. A value of another
// type gives a *sdk.TypeError naming its Python type.
func SubscriptString(v any, key string) (string, error) {
	e, err := Subscript(v, key)
	if err != nil {
		return "", err
	}
	s, ok := e.(string)
	if !ok {
		return "", &sdk.TypeError{Message: fmt.Sprintf("%s must be a str, not %s", key, pyjson.TypeName(e))}
	}
	return s, nil
}
