package pyjson

import (
	"errors"
	"fmt"
	"iter"
	"slices"
)

// Map is a JSON object that keeps its keys in insertion order, like a Python dict.
// The zero value is an empty map ready to use. A Map is not safe for concurrent writes.
type Map struct {
	keys []string
	vals map[string]any
}

// NewMap returns an empty map.
func NewMap() *Map {
	return &Map{}
}

// Get returns the value stored under key and whether the key is present.
func (m *Map) Get(key string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m.vals[key]
	return v, ok
}

// Set stores v under key. A new key goes to the end; an existing key keeps its position, as assigning
// to a Python dict does (so "request + generated fields" keeps the request's order).
func (m *Map) Set(key string, v any) {
	if m.vals == nil {
		m.vals = make(map[string]any)
	}
	if _, ok := m.vals[key]; !ok {
		m.keys = append(m.keys, key)
	}
	m.vals[key] = v
}

// Delete removes key; a later Set of the same key appends it at the end again.
func (m *Map) Delete(key string) {
	if m == nil {
		return
	}
	if _, ok := m.vals[key]; !ok {
		return
	}
	delete(m.vals, key)
	m.keys = slices.DeleteFunc(m.keys, func(k string) bool { return k == key })
}

// Keys returns the keys in order; the caller may modify the returned slice.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	return slices.Clone(m.keys)
}

// Len returns the number of keys.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

// All iterates over the entries in order. The map must not be modified during the iteration.
func (m *Map) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		if m == nil {
			return
		}
		for _, k := range m.keys {
			if !yield(k, m.vals[k]) {
				return
			}
		}
	}
}

// Clone returns a shallow copy: nested maps and slices are shared with m.
func (m *Map) Clone() *Map {
	c := NewMap()
	c.Update(m)
	return c
}

// Update sets every entry of other in m, in other's order, like Python's dict.update: keys already in m
// keep their position and take other's value.
func (m *Map) Update(other *Map) {
	for k, v := range other.All() {
		m.Set(k, v)
	}
}

// MarshalJSON renders the map in compact mode, so a Map inside a struct handled by encoding/json keeps
// its order. The value receiver lets both Map and *Map fields use it.
func (m Map) MarshalJSON() ([]byte, error) {
	return Compact(&m)
}

// UnmarshalJSON replaces the map's content with the decoded object, in document order. JSON null
// leaves the map unchanged, following encoding/json's convention.
func (m *Map) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	obj, ok := v.(*Map)
	if !ok {
		return fmt.Errorf("%w (got %s)", ErrNotObject, TypeName(v))
	}
	*m = *obj
	return nil
}

// ErrNotObject is returned (wrapped) when a JSON value must be an object but is not.
var ErrNotObject = errors.New("JSON value is not an object")
