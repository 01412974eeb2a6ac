package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Operation is an operation object: the event a START or MONITOR Lambda receives and the full output it returns,
// which share the same eight keys (SDK-02, SDK-04; operator-sdk §3, §4.1). A MONITOR Lambda receives what the
// previous START or MONITOR call returned.
//
// Input and Configuration are kept as the JSON text received, so that they are echoed back unchanged whatever
// they hold: key order, unknown keys, number spellings, even values that are not objects. MetaData and Media are
// decoded with numbers as json.Number, which keeps their spelling; their values are what encoding/json produces
// for JSON (map[string]any, []any, string, json.Number, bool, nil) plus whatever Go values an operator adds.
//
// On the wire MetaData and Media are always objects: absent or null they decode to empty maps, and nil maps encode
// as {}. Inside those objects keys are written in sorted order, as Go maps have none.
type Operation struct {
	// Name is the operation name as registered in the control plane, e.g. "Mediainfo".
	Name string
	// AssetID is the data plane asset id ("AssetId").
	AssetID string
	// WorkflowExecutionID is the workflow execution id ("WorkflowExecutionId"), the WorkflowId under which
	// operators store metadata.
	WorkflowExecutionID string
	// Input holds the workflow globals {"Media": {<type>: {"S3Bucket", "S3Key"}}, "MetaData": {...}}.
	Input json.RawMessage
	// Configuration is this operation's configuration: MediaType, Enabled and operator-specific keys.
	Configuration json.RawMessage
	// Status is "Started" at START, then whatever the operator set.
	Status string
	// MetaData is the operation's metadata: carried from START to MONITOR, then merged into the workflow globals.
	MetaData map[string]any
	// Media maps a media type to {"S3Bucket", "S3Key"}: media this operation produced.
	Media map[string]any
}

// UnmarshalJSON decodes an operation event. Name, AssetId, WorkflowExecutionId, Input, Configuration and Status
// are required, checked in that order: the first missing one is reported as a *KeyError, which is also the error
// type a Lambda handler taking an Operation returns for such an event (SDK-03). MetaData and Media are optional.
func (o *Operation) UnmarshalJSON(data []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	for _, key := range []string{"Name", "AssetId", "WorkflowExecutionId", "Input", "Configuration", "Status"} {
		if _, ok := fields[key]; !ok {
			return &KeyError{Key: key}
		}
	}
	var op Operation
	for _, f := range []struct {
		key string
		dst *string
	}{{"Name", &op.Name}, {"AssetId", &op.AssetID}, {"WorkflowExecutionId", &op.WorkflowExecutionID}, {"Status", &op.Status}} {
		s, err := stringField(fields, f.key)
		if err != nil {
			return err
		}
		*f.dst = s
	}
	op.Input = bytes.Clone(fields["Input"])
	op.Configuration = bytes.Clone(fields["Configuration"])
	var err error
	if op.MetaData, err = optionalObject(fields, "MetaData"); err != nil {
		return err
	}
	if op.Media, err = optionalObject(fields, "Media"); err != nil {
		return err
	}
	*o = op
	return nil
}

// MarshalJSON encodes the eight keys in the original's order: Name, AssetId, WorkflowExecutionId, Input,
// Configuration, Status, MetaData, Media. Floats added as float64 are written as Python writes them (2.0, not 2).
func (o Operation) MarshalJSON() ([]byte, error) {
	m := pyjson.NewMap()
	m.Set("Name", o.Name)
	m.Set("AssetId", o.AssetID)
	m.Set("WorkflowExecutionId", o.WorkflowExecutionID)
	m.Set("Input", o.Input)
	m.Set("Configuration", o.Configuration)
	m.Set("Status", o.Status)
	m.Set("MetaData", objectOrEmpty(o.MetaData))
	m.Set("Media", objectOrEmpty(o.Media))
	return pyjson.Compact(m)
}

// InputObject decodes Input, which must be a JSON object; numbers become json.Number.
func (o *Operation) InputObject() (map[string]any, error) {
	return decodeObject("Input", o.Input)
}

// ConfigurationObject decodes Configuration, which must be a JSON object; numbers become json.Number.
func (o *Operation) ConfigurationObject() (map[string]any, error) {
	return decodeObject("Configuration", o.Configuration)
}

// ReducedOutput is the four-key output object of OutputHelper: {"Name", "Status", "MetaData", "Media"} (SDK-07;
// operator-sdk §4.2). It carries no AssetId, Input or Configuration, so everything downstream of an operator that
// returns it lacks them (see the package documentation).
type ReducedOutput struct {
	Name     string
	Status   string
	MetaData map[string]any
	Media    map[string]any
}

// UnmarshalJSON decodes a reduced output object, as a MONITOR Lambda receives it from its START Lambda. Missing
// keys stay empty; numbers in MetaData and Media become json.Number.
func (r *ReducedOutput) UnmarshalJSON(data []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	var out ReducedOutput
	var err error
	if out.Name, err = stringField(fields, "Name"); err != nil {
		return err
	}
	if out.Status, err = stringField(fields, "Status"); err != nil {
		return err
	}
	if out.MetaData, err = optionalObject(fields, "MetaData"); err != nil {
		return err
	}
	if out.Media, err = optionalObject(fields, "Media"); err != nil {
		return err
	}
	*r = out
	return nil
}

// MarshalJSON encodes the four keys in the original's order: Name, Status, MetaData, Media.
func (r ReducedOutput) MarshalJSON() ([]byte, error) {
	m := pyjson.NewMap()
	m.Set("Name", r.Name)
	m.Set("Status", r.Status)
	m.Set("MetaData", objectOrEmpty(r.MetaData))
	m.Set("Media", objectOrEmpty(r.Media))
	return pyjson.Compact(m)
}

// stringField decodes fields[key] as a string; absent or null gives "". Any other type is a *TypeError: the Go
// types cannot echo, say, a numeric Name, which the original never received either.
func stringField(fields map[string]json.RawMessage, key string) (string, error) {
	v, err := decodeValue(fields[key])
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	}
	return "", &TypeError{Message: fmt.Sprintf("%s must be a string, not %s", key, pyjson.TypeName(v))}
}

// optionalObject decodes fields[key] as an object; absent or null gives an empty map.
func optionalObject(fields map[string]json.RawMessage, key string) (map[string]any, error) {
	raw, ok := fields[key]
	if !ok {
		return map[string]any{}, nil
	}
	m, err := decodeObject(key, raw)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return map[string]any{}, nil
	}
	return m, nil
}

// decodeObject decodes a JSON object with numbers as json.Number. JSON null (or no text) gives a nil map.
func decodeObject(what string, raw json.RawMessage) (map[string]any, error) {
	v, err := decodeValue(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return t, nil
	}
	return nil, &TypeError{Message: fmt.Sprintf("%s must be a JSON object, not %s", what, pyjson.TypeName(v))}
}

// decodeValue decodes one JSON value with DecodeJSON; no text at all is null.
func decodeValue(raw []byte) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	return DecodeJSON(raw)
}

// DecodeJSON decodes one JSON value as this package decodes events and responses: objects as map[string]any,
// arrays as []any, numbers as json.Number (keeping their spelling), strings, booleans and nil. Text after the
// value is an error.
func DecodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if rest := bytes.TrimSpace(raw[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("unexpected data after the JSON value: %.20q", rest)
	}
	return v, nil
}

// objectOrEmpty returns m, or an empty map for nil, so that MetaData and Media are always objects on the wire.
func objectOrEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// cloneObject returns a shallow copy of m; nil gives an empty map.
func cloneObject(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return maps.Clone(m)
}
