package pyjson

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMapKeepsInsertionOrder(t *testing.T) {
	m := NewMap()
	m.Set("b", 1)
	m.Set("a", 2)
	m.Set("c", 3)
	assert.Equal(t, []string{"b", "a", "c"}, m.Keys())
	assert.Equal(t, 3, m.Len())

	// Overwriting keeps the position, as a Python dict does.
	m.Set("b", "new")
	assert.Equal(t, []string{"b", "a", "c"}, m.Keys())
	v, ok := m.Get("b")
	require.True(t, ok)
	assert.Equal(t, "new", v)

	// Deleting and re-adding moves the key to the end.
	m.Delete("b")
	_, ok = m.Get("b")
	assert.False(t, ok)
	m.Set("b", 4)
	assert.Equal(t, []string{"a", "c", "b"}, m.Keys())

	m.Delete("missing")
	assert.Equal(t, 3, m.Len())
}

func TestMapZeroValueAndNil(t *testing.T) {
	var zero Map
	zero.Set("k", 1)
	assert.Equal(t, []string{"k"}, zero.Keys())

	var nilMap *Map
	_, ok := nilMap.Get("k")
	assert.False(t, ok)
	assert.Equal(t, 0, nilMap.Len())
	assert.Nil(t, nilMap.Keys())
	nilMap.Delete("k")
	for range nilMap.All() {
		t.Fatal("nil map has no entries")
	}
}

func TestMapKeysIsACopy(t *testing.T) {
	m := NewMap()
	m.Set("a", 1)
	keys := m.Keys()
	keys[0] = "changed"
	assert.Equal(t, []string{"a"}, m.Keys())
}

func TestMapAllStopsEarly(t *testing.T) {
	m := NewMap()
	m.Set("a", 1)
	m.Set("b", 2)
	m.Set("c", 3)
	var seen []string
	for k, v := range m.All() {
		seen = append(seen, k)
		if v == 2 {
			break
		}
	}
	assert.Equal(t, []string{"a", "b"}, seen)
}

// Items are "request + generated fields" (control-plane §4): Update overwrites in place and appends
// new keys.
func TestMapUpdateAndClone(t *testing.T) {
	request := NewMap()
	request.Set("Name", "op")
	request.Set("ResourceType", "custom")
	request.Set("Extra", true)

	item := request.Clone()
	generated := NewMap()
	generated.Set("Id", "uuid")
	generated.Set("ResourceType", "OPERATION")
	item.Update(generated)

	assert.Equal(t, []string{"Name", "ResourceType", "Extra", "Id"}, item.Keys())
	rt, _ := item.Get("ResourceType")
	assert.Equal(t, "OPERATION", rt)
	orig, _ := request.Get("ResourceType")
	assert.Equal(t, "custom", orig, "Clone must not share the key list")
}

func TestMapWithEncodingJSON(t *testing.T) {
	type wrapper struct {
		Ptr *Map `json:"ptr"`
		Val Map  `json:"val"`
	}
	var w wrapper
	require.NoError(t, json.Unmarshal([]byte(`{"ptr": {"z": 1, "a": 2.50}, "val": {"y": "é", "b": [1]}}`), &w))
	assert.Equal(t, []string{"z", "a"}, w.Ptr.Keys())
	assert.Equal(t, []string{"y", "b"}, w.Val.Keys())
	a, _ := w.Ptr.Get("a")
	assert.Equal(t, Number("2.50"), a)

	out, err := json.Marshal(w)
	require.NoError(t, err)
	assert.JSONEq(t, `{"ptr":{"z":1,"a":2.50},"val":{"y":"é","b":[1]}}`, string(out))
	assert.Contains(t, string(out), `{"z":1,"a":2.50}`, "order and spelling survive encoding/json")
}

func TestMapUnmarshalJSON(t *testing.T) {
	t.Run("null leaves the map alone", func(t *testing.T) {
		m := NewMap()
		m.Set("k", 1)
		require.NoError(t, m.UnmarshalJSON([]byte("null")))
		assert.Equal(t, 1, m.Len())
	})
	t.Run("not an object", func(t *testing.T) {
		var m Map
		err := m.UnmarshalJSON([]byte(`[1]`))
		require.ErrorIs(t, err, ErrNotObject)
		assert.Contains(t, err.Error(), "list")
	})
	t.Run("syntax error", func(t *testing.T) {
		var m Map
		var syn *SyntaxError
		require.ErrorAs(t, m.UnmarshalJSON([]byte(`{`)), &syn)
	})
}
