package executions

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

func TestSubscript(t *testing.T) {
	m, err := pyjson.DecodeObject([]byte(`{"Id": "x", "N": 1}`))
	require.NoError(t, err)
	cases := []struct {
		v    any
		key  string
		want string
	}{
		{v: m, key: "Workflow", want: "'Workflow'"},
		{v: "text", key: "Status", want: "string indices must be integers, not 'str'"},
		{v: []any{}, key: "Status", want: "list indices must be integers or slices, not str"},
		{v: nil, key: "Status", want: "'NoneType' object is not subscriptable"},
		{v: pyjson.Number("1"), key: "Status", want: "'int' object is not subscriptable"},
	}
	for _, tc := range cases {
		_, err := Subscript(tc.v, tc.key)
		assert.EqualError(t, err, tc.want)
	}
	id, err := SubscriptString(m, "Id")
	require.NoError(t, err)
	assert.Equal(t, "x", id)
	_, err = SubscriptString(m, "N")
	assert.EqualError(t, err, "N must be a str, not int")
}
