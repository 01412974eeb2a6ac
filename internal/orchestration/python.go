package orchestration

import (
	"fmt"

	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/operators/sdk"
)

// The stage roll-up runs on operation outputs as the state machine delivers them, which are not always what they
// should be (a Parallel failure delivers an error object instead of the list, §5.6 item 5). The original's Python
// then failed with texts that end up in the execution's Message (§8.8); these helpers give the same texts.

// ValueError is the completion Lambda's failure and the roll-up's own errors, named for the Lambda contract:
// aws-lambda-go reports the Go type name, ValueError, as the original reported its Python exception class.
type ValueError struct {
	Message string
}

func (e *ValueError) Error() string { return e.Message }

// attributeError is Python's AttributeError for a method called on a value of the wrong type.
type attributeError struct {
	value     any
	attribute string
}

func (e *attributeError) Error() string {
	return fmt.Sprintf("'%s' object has no attribute '%s'", pyjson.TypeName(e.value), e.attribute)
}

// iterate is Python's `for x in v`: a list's elements, an object's keys, a string's characters.
func iterate(v any) ([]any, error) {
	switch t := v.(type) {
	case []any:
		return t, nil
	case *pyjson.Map:
		keys := t.Keys()
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out, nil
	case string:
		var out []any
		for _, r := range t {
			out = append(out, string(r))
		}
		return out, nil
	}
	return nil, &sdk.TypeError{Message: fmt.Sprintf("'%s' object is not iterable", pyjson.TypeName(v))}
}

// getOr is Python's `v.get(key, {})`.
func getOr(v any, key string) (any, error) {
	m, ok := v.(*pyjson.Map)
	if !ok {
		return nil, &attributeError{value: v, attribute: "get"}
	}
	if e, ok := m.Get(key); ok {
		return e, nil
	}
	return pyjson.NewMap(), nil
}

// keys is Python's `v.keys()`.
func keys(v any) ([]string, error) {
	m, ok := v.(*pyjson.Map)
	if !ok {
		return nil, &attributeError{value: v, attribute: "keys"}
	}
	return m.Keys(), nil
}

// setItem is Python's `v[key] = value`.
func setItem(v any, key string, value any) error {
	m, ok := v.(*pyjson.Map)
	if !ok {
		return &sdk.TypeError{Message: fmt.Sprintf("'%s' object does not support item assignment", pyjson.TypeName(v))}
	}
	m.Set(key, value)
	return nil
}

// setDefault is Python's `v.setdefault(key, {})`.
func setDefault(v any, key string) error {
	m, ok := v.(*pyjson.Map)
	if !ok {
		return &attributeError{value: v, attribute: "setdefault"}
	}
	if _, ok := m.Get(key); !ok {
		m.Set(key, pyjson.NewMap())
	}
	return nil
}
