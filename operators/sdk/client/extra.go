package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Extra holds the members of a JSON object that its Go type does not name, as sent. Items of the workflow API are
// the request as sent plus generated fields, so a client must keep what it does not know: a request built from an
// item that was read sends them back unchanged.
type Extra map[string]json.RawMessage

// Get decodes the member name into v; found is false when there is no such member.
func (e Extra) Get(name string, v any) (found bool, err error) {
	raw, ok := e[name]
	if !ok {
		return false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return true, fmt.Errorf("member %s: %w", name, err)
	}
	return true, nil
}

// Set encodes v as the member name.
func (e *Extra) Set(name string, v any) error {
	raw, err := encodeJSON(v)
	if err != nil {
		return fmt.Errorf("member %s: %w", name, err)
	}
	if *e == nil {
		*e = Extra{}
	}
	(*e)[name] = raw
	return nil
}

// decodeObject decodes a JSON object into known, a method-less copy of a type whose members have json tags, and
// the members known does not name into extra. Numbers in untyped fields are kept as json.Number.
func decodeObject[T any](data []byte, known *T, extra *Extra) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(known); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	for _, name := range memberNames[T]() {
		delete(all, name)
	}
	*extra = nil
	if len(all) > 0 {
		*extra = all
	}
	return nil
}

// encodeObject encodes known, a method-less copy of a type, followed by the members of extra that known does not
// name, sorted by name.
func encodeObject[T any](known T, extra Extra) ([]byte, error) {
	out, err := encodeJSON(known)
	if err != nil {
		return nil, err
	}
	names := memberNames[T]()
	var keys []string
	for k := range extra {
		if !slices.Contains(names, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	slices.Sort(keys)
	var buf bytes.Buffer
	buf.Write(out[:len(out)-1])
	for i, k := range keys {
		if i > 0 || len(out) > 2 {
			buf.WriteByte(',')
		}
		name, err := encodeJSON(k)
		if err != nil {
			return nil, err
		}
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// memberNames lists the JSON member names of the struct type T.
func memberNames[T any]() []string {
	return structMembers(reflect.TypeFor[T](), nil)
}

// structMembers appends the JSON member names of a struct type to names, those of untagged embedded structs
// included, as encoding/json promotes them.
func structMembers(t reflect.Type, names []string) []string {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			names = structMembers(f.Type, names)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}
