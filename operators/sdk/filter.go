package sdk

import (
	"fmt"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// FilterStatus applies the workflow engine's filter rule to an operation event and returns the status the filter
// gives it (SDK-10; operator-sdk §6.3, control-plane §8.4):
//
//  1. OperationStatusSkipped when Configuration.MediaType is not "MetadataOnly" and is not a key of Input.Media;
//  2. else OperationStatusSkipped when Configuration.Enabled is false in Python's sense (false, null, 0, "", [],
//     {}; a non-empty string such as "false" counts as enabled);
//  3. else OperationStatusStarted.
//
// A missing MediaType, Enabled or Input.Media is a *KeyError, and a Configuration or Input that is not an object a
// *TypeError, so that the operation fails with the error type the original reported (`<Name>Error: KeyError`).
func FilterStatus(op *Operation) (string, error) {
	cfg, err := decodeValue(op.Configuration)
	if err != nil {
		return "", fmt.Errorf("Configuration: %w", err)
	}
	mediaType, err := subscript(cfg, "MediaType")
	if err != nil {
		return "", err
	}
	if mediaType != "MetadataOnly" {
		input, err := decodeValue(op.Input)
		if err != nil {
			return "", fmt.Errorf("Input: %w", err)
		}
		media, err := subscript(input, "Media")
		if err != nil {
			return "", err
		}
		found, err := hasKey(media, mediaType)
		if err != nil {
			return "", err
		}
		if !found {
			return OperationStatusSkipped, nil
		}
	}
	enabled, err := subscript(cfg, "Enabled")
	if err != nil {
		return "", err
	}
	if !pyjson.Truthy(enabled) {
		return OperationStatusSkipped, nil
	}
	return OperationStatusStarted, nil
}

// subscript is Python's container[key] on a decoded JSON value, with Python's error for each kind of container.
func subscript(container any, key string) (any, error) {
	switch t := container.(type) {
	case map[string]any:
		v, ok := t[key]
		if !ok {
			return nil, &KeyError{Key: key}
		}
		return v, nil
	case string:
		return nil, &TypeError{Message: "string indices must be integers, not 'str'"}
	case []any:
		return nil, &TypeError{Message: "list indices must be integers or slices, not str"}
	}
	return nil, &TypeError{Message: fmt.Sprintf("'%s' object is not subscriptable", pyjson.TypeName(container))}
}

// hasKey is Python's `item in media` for the object of media types. Only a string can be a key of a JSON object;
// a list or object is unhashable in Python, hence a *TypeError, as is a media map that is not an object.
func hasKey(media, item any) (bool, error) {
	m, ok := media.(map[string]any)
	if !ok {
		return false, &TypeError{Message: fmt.Sprintf("Input.Media must be a JSON object, not %s", pyjson.TypeName(media))}
	}
	switch t := item.(type) {
	case string:
		_, found := m[t]
		return found, nil
	case map[string]any, []any:
		return false, &TypeError{Message: fmt.Sprintf("unhashable type: '%s'", pyjson.TypeName(item))}
	}
	return false, nil
}
