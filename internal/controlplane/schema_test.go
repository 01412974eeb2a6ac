package controlplane

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// The golden texts under testdata were produced by Python: pprint.pformat(value, width=72), and for the schema
// errors the error jsonschema 4.17's best_match picks among Draft7Validator.iter_errors, rendered as 4.17's
// ValidationError does, with the request rules of schema.go written out as JSON schemas.

func loadGolden(t *testing.T, name string) []*pyjson.Map {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	v, err := pyjson.Decode(raw)
	require.NoError(t, err)
	var out []*pyjson.Map
	for _, c := range v.([]any) {
		out = append(out, c.(*pyjson.Map))
	}
	return out
}

func TestPformat(t *testing.T) {
	for _, c := range loadGolden(t, "pformat.json") {
		value, _ := c.Get("value")
		want, _ := c.Get("want")
		assert.Equal(t, want, pformat(value), "pformat(%s)", pyjson.Repr(value))
	}
}

// CP-06, CP-14: the 400 texts of the operation and stage schemas, whole, and the rule that picks the reported
// error (closest to the instance root, then schema order).
func TestSchemaErrors(t *testing.T) {
	schemas := map[string]requestSchema{}
	for _, name := range []string{"create_operation_request", "create_stage_request"} {
		s, err := loadSchema(name)
		require.NoError(t, err)
		schemas[name] = s
	}
	for i, c := range loadGolden(t, "schema_errors.json") {
		schema, _ := c.Get("schema")
		instance, _ := c.Get("instance")
		want, _ := c.Get("want")
		got := schemas[schema.(string)].validate(instance)
		assert.Equal(t, want, got, "case %d: %s", i, pyjson.Repr(instance))
	}
}

// The first line of every kind of 400 is the original's, word for word (control-plane §6.5 step 2, §6.10).
func TestSchemaFirstLines(t *testing.T) {
	const (
		op    = "create_operation_request"
		stage = "create_stage_request"
	)
	valid := `"Name": "op", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "arn"`
	cases := []struct {
		schema string
		body   string
		want   string
	}{
		// valid bodies; additional properties are allowed everywhere, a final newline matches `$`
		{op, `{` + valid + `}`, ""},
		{op, `{` + valid + `, "Extra": {"anything": [1]}}`, ""},
		{op, `{"Name": "op\n", "Type": "Async", "Configuration": {"MediaType": "Video", "Enabled": false, "X": 1}, "StartLambdaArn": "arn", "MonitorLambdaArn": "m", "ResourceType": "OPERATION"}`, ""},
		{stage, `{"Name": "s", "Operations": []}`, ""},
		{stage, `{"Name": "s", "Operations": ["a", "b\n"], "Extra": 1}`, ""},
		// type
		{op, `"text"`, "'text' is not of type 'object'"},
		{op, `null`, "None is not of type 'object'"},
		{op, `{` + valid + `, "MonitorLambdaArn": 7}`, "7 is not of type 'string'"},
		{op, `{"Name": "op", "Type": "Sync", "Configuration": [], "StartLambdaArn": "arn"}`, "[] is not of type 'object'"},
		{op, `{"Name": "op", "Type": true, "Configuration": {"MediaType": 1, "Enabled": true}, "StartLambdaArn": "arn"}`, "True is not of type 'string'"},
		{op, `{"Name": "op", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": "yes"}, "StartLambdaArn": "arn"}`, "'yes' is not of type 'boolean'"},
		{op, `{"Name": "op", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": 1}, "StartLambdaArn": "arn"}`, "1 is not of type 'boolean'"},
		{stage, `[1]`, "[1] is not of type 'object'"},
		{stage, `{"Name": "s", "Operations": {"a": 1}}`, "{'a': 1} is not of type 'array'"},
		{stage, `{"Name": "s", "Operations": ["a", null]}`, "None is not of type 'string'"},
		{stage, `{"Name": 1.5, "Operations": []}`, "1.5 is not of type 'string'"},
		// required, in schema order, the top level before the nested ones
		{op, `{}`, "'StartLambdaArn' is a required property"},
		{op, `{"Name": "op", "Type": "Sync", "StartLambdaArn": "arn"}`, "'Configuration' is a required property"},
		{op, `{"Name": "op", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "arn"}`, "'Type' is a required property"},
		{op, `{"Type": "Sync", "Configuration": {}, "StartLambdaArn": "arn"}`, "'Name' is a required property"},
		{op, `{"Name": "op", "Type": "Sync", "Configuration": {}, "StartLambdaArn": "arn"}`, "'MediaType' is a required property"},
		{op, `{"Name": "op", "Type": "Sync", "Configuration": {"MediaType": "Video"}, "StartLambdaArn": "arn"}`, "'Enabled' is a required property"},
		{stage, `{}`, "'Name' is a required property"},
		{stage, `{"Name": "s"}`, "'Operations' is a required property"},
		// enum
		{op, `{"Name": "op", "Type": "Foo", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "arn"}`, "'Foo' is not one of ['Sync', 'Async']"},
		{op, `{"Name": "op", "Type": "sync", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "arn"}`, "'sync' is not one of ['Sync', 'Async']"},
		// pattern
		{op, `{` + valid + `, "ResourceType": "a\nb"}`, `'a\nb' does not match '^(.*)$'`},
		{op, `{"Name": "op", "Type": "Sync", "Configuration": {"MediaType": "\nVideo", "Enabled": true}, "StartLambdaArn": "arn"}`, `'\nVideo' does not match '^(.*)$'`},
		{op, `{"Name": "op", "Type": "Sync", "Configuration": {"MediaType": "Video", "Enabled": true}, "StartLambdaArn": "a\n\n"}`, `'a\n\n' does not match '^(.*)$'`},
		{stage, `{"Name": "a\rb\nc", "Operations": []}`, `'a\rb\nc' does not match '^(.*)$'`},
		{stage, `{"Name": "s", "Operations": ["ok", "x\ny"]}`, `'x\ny' does not match '^(.*)$'`},
	}
	for _, c := range cases {
		s, err := loadSchema(c.schema)
		require.NoError(t, err)
		v, err := pyjson.Decode([]byte(c.body))
		require.NoError(t, err)
		first, _, _ := strings.Cut(s.validate(v), "\n")
		assert.Equal(t, c.want, first, "%s: %s", c.schema, c.body)
	}
}
