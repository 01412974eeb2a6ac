package controlplane

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// schemaNode is one draft-07 (sub-)schema of a request body, holding only the validation keywords the request
// rules use. The validator visits a node's keywords in field order and properties in slice order; that order
// decides which error is reported when several exist at the same depth (control-plane §6.5 step 2).
type schemaNode struct {
	typ        string           // "type": object, array, string or boolean
	required   []string         // "required"
	properties []schemaProperty // "properties"
	items      *schemaNode      // "items" (one schema for every element)
	enum       []string         // "enum", strings only
	pattern    string           // "pattern", searched as Python's re.search does
}

type schemaProperty struct {
	name   string
	schema *schemaNode
}

// anyLine is the pattern of the request strings: it refuses a newline anywhere but at the very end.
const anyLine = "^(.*)$"

func lineString() *schemaNode { return &schemaNode{typ: "string", pattern: anyLine} }

// The request body rules of POST /workflow/operation (§6.5) and POST /workflow/stage (§6.10). Additional
// properties are allowed everywhere.
var requestSchemas = map[string]*schemaNode{
	"create_operation_request": {
		typ:      "object",
		required: []string{"StartLambdaArn", "Configuration", "Type", "Name"},
		properties: []schemaProperty{
			{"StartLambdaArn", lineString()},
			{"MonitorLambdaArn", lineString()},
			{"Configuration", &schemaNode{
				typ:      "object",
				required: []string{"MediaType", "Enabled"},
				properties: []schemaProperty{
					{"MediaType", lineString()},
					{"Enabled", &schemaNode{typ: "boolean"}},
				},
			}},
			{"ResourceType", lineString()},
			{"Type", &schemaNode{typ: "string", enum: []string{"Sync", "Async"}}},
			{"Name", lineString()},
		},
	},
	"create_stage_request": {
		typ:      "object",
		required: []string{"Name", "Operations"},
		properties: []schemaProperty{
			{"Name", lineString()},
			{"Operations", &schemaNode{typ: "array", items: lineString()}},
		},
	},
}

// toMap is the node as the JSON document it stands for; the 400 text prints it under the failing keyword.
func (n *schemaNode) toMap() *pyjson.Map {
	m := pyjson.NewMap()
	if n.typ != "" {
		m.Set("type", n.typ)
	}
	if n.required != nil {
		m.Set("required", stringList(n.required))
	}
	if n.properties != nil {
		props := pyjson.NewMap()
		for _, p := range n.properties {
			props.Set(p.name, p.schema.toMap())
		}
		m.Set("properties", props)
	}
	if n.items != nil {
		m.Set("items", n.items.toMap())
	}
	if n.enum != nil {
		m.Set("enum", stringList(n.enum))
	}
	if n.pattern != "" {
		m.Set("pattern", n.pattern)
	}
	return m
}

func stringList(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// requestSchema is the schema a request body is validated against.
type requestSchema struct {
	root *schemaNode
}

func loadSchema(name string) (requestSchema, error) {
	root, ok := requestSchemas[name]
	if !ok {
		return requestSchema{}, fmt.Errorf("no request schema %q", name)
	}
	return requestSchema{root: root}, nil
}

// schemaError is one validation failure, with what the validator's message needs.
type schemaError struct {
	message    string
	keyword    string
	schema     *schemaNode
	schemaPath []any // keys from the root schema to the sub-schema that holds keyword
	path       []any // keys from the instance root to the failing value
	instance   any
}

// validate checks instance against the schema and returns "" when it is valid. Otherwise it returns the text the
// original's validator (draft-07, jsonschema 4.17) gives for its best match: the error closest to the instance
// root, and among those the first found; first line the summary (`'Type' is a required property`), then the
// failing keyword, sub-schema and instance (CP-06, CP-14). The sub-schema printed is ours, so it lists only the
// validation keywords.
func (s requestSchema) validate(instance any) string {
	var best *schemaError
	for _, e := range s.root.errors(instance, nil, nil) {
		if best == nil || len(e.path) < len(best.path) {
			best = &e
		}
	}
	if best == nil {
		return ""
	}
	return best.String()
}

func (e schemaError) String() string {
	return e.message + "\n\n" +
		"Failed validating " + pyjson.QuoteKey(e.keyword) + " in " + indexPath("schema", e.schemaPath) + ":\n" +
		"    " + indentContinuation(pformat(e.schema.toMap()), "    ") + "\n\n" +
		"On " + indexPath("instance", e.path) + ":\n" +
		"    " + indentContinuation(pformat(e.instance), "    ")
}

func indexPath(container string, keys []any) string {
	var b strings.Builder
	b.WriteString(container)
	for _, k := range keys {
		b.WriteString("[" + pyjson.Repr(k) + "]")
	}
	return b.String()
}

func indentContinuation(text, prefix string) string {
	return strings.ReplaceAll(text, "\n", "\n"+prefix)
}

// errors checks instance against the node, keyword by keyword in the order type, required, properties, items,
// enum, pattern, and returns every failure in the order found, with the draft-07 messages.
func (n *schemaNode) errors(instance any, schemaPath, path []any) []schemaError {
	var out []schemaError
	fail := func(keyword, message string) {
		out = append(out, schemaError{message: message, keyword: keyword, schema: n,
			schemaPath: schemaPath, path: path, instance: instance})
	}
	if n.typ != "" && !hasJSONType(instance, n.typ) {
		fail("type", fmt.Sprintf("%s is not of type %s", pyjson.Repr(instance), pyjson.QuoteKey(n.typ)))
	}
	obj, isObject := instance.(*pyjson.Map)
	if isObject {
		for _, name := range n.required {
			if _, present := obj.Get(name); !present {
				fail("required", pyjson.QuoteKey(name)+" is a required property")
			}
		}
		for _, p := range n.properties {
			if v, present := obj.Get(p.name); present {
				out = append(out, p.schema.errors(v, appendPath(schemaPath, "properties", p.name), appendPath(path, p.name))...)
			}
		}
	}
	if list, ok := instance.([]any); ok && n.items != nil {
		for i, v := range list {
			out = append(out, n.items.errors(v, appendPath(schemaPath, "items"), appendPath(path, i))...)
		}
	}
	if n.enum != nil {
		if str, ok := instance.(string); !ok || !slices.Contains(n.enum, str) {
			fail("enum", fmt.Sprintf("%s is not one of %s", pyjson.Repr(instance), pyjson.Repr(stringList(n.enum))))
		}
	}
	if n.pattern != "" {
		if str, ok := instance.(string); ok && !pySearch(n.pattern, str) {
			fail("pattern", fmt.Sprintf("%s does not match %s", pyjson.Repr(str), pyjson.QuoteKey(n.pattern)))
		}
	}
	return out
}

func appendPath(path []any, keys ...any) []any {
	return append(append([]any(nil), path...), keys...)
}

// hasJSONType is the draft-07 type check for the types the MIE schemas name.
func hasJSONType(v any, name string) bool {
	switch name {
	case "object":
		_, ok := v.(*pyjson.Map)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	}
	return false
}

// pySearch is Python's re.search for the schemas' patterns. Go's `$` matches only at the very end of the text,
// Python's also just before a final newline, so a text ending in "\n" is tried without it as well.
func pySearch(pattern, s string) bool {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return false
	}
	if re.MatchString(s) {
		return true
	}
	trimmed, ok := strings.CutSuffix(s, "\n")
	return ok && strings.HasSuffix(pattern, "$") && re.MatchString(trimmed)
}
