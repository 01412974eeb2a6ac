package interp

import (
	"fmt"
	"slices"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Problem codes: Step Functions' own for invalid definitions, and one for what Step Functions runs but
// this package refuses to.
const (
	invalidJSON      = "INVALID_JSON_DESCRIPTION"
	schemaFailed     = "SCHEMA_VALIDATION_FAILED"
	missingTarget    = "MISSING_TRANSITION_TARGET"
	missingEnd       = "MISSING_END_STATE"
	duplicateState   = "DUPLICATE_STATE_NAME"
	invalidStateName = "INVALID_STATE_NAME"
	invalidResource  = "INVALID_RESOURCE"
	unsupported      = "UNSUPPORTED_BY_LOCAL_ENGINE"
)

// Limits of the States Language on names and integer fields.
const (
	maxStateNameRunes = 80
	maxIntegerField   = 99999999
)

// problems collects what is wrong with a definition; locations are JSON pointers such as
// /States/Filter/Retry/0/MaxAttempts.
type problems struct {
	list []string
}

func (p *problems) add(at, code, format string, args ...any) {
	if at == "" {
		at = "/"
	}
	p.list = append(p.list, fmt.Sprintf("%s: %s at %s", code, fmt.Sprintf(format, args...), at))
}

// fields reads the members of one JSON object of the definition, reporting wrong types where they are,
// and remembers which members were read so that the rest can be refused as unknown.
type fields struct {
	p    *problems
	m    *pyjson.Map
	at   string
	read []string
}

func newFields(p *problems, m *pyjson.Map, at string) *fields {
	return &fields{p: p, m: m, at: at}
}

func (f *fields) loc(key string) string { return f.at + "/" + key }

// get returns a member and marks it read.
func (f *fields) get(key string) (any, bool) {
	f.read = append(f.read, key)
	return f.m.Get(key)
}

func (f *fields) has(key string) bool {
	_, ok := f.m.Get(key)
	return ok
}

func (f *fields) str(key string) (string, bool) {
	v, ok := f.get(key)
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		f.p.add(f.loc(key), schemaFailed, "the field '%s' must be a string", key)
	}
	return s, isStr
}

// required reads a string member that must be present.
func (f *fields) required(key string) string {
	if !f.has(key) {
		f.read = append(f.read, key)
		f.p.add(f.at, schemaFailed, "these fields are required: [%s]", key)
		return ""
	}
	s, _ := f.str(key)
	return s
}

// integer reads a whole number in [lo, maxIntegerField].
func (f *fields) integer(key string, lo int) (int, bool) {
	v, ok := f.get(key)
	if !ok {
		return 0, false
	}
	n, isNum := v.(pyjson.Number)
	i, err := n.Int64()
	if !isNum || err != nil || i < int64(lo) || i > maxIntegerField {
		f.p.add(f.loc(key), schemaFailed, "the field '%s' must be an integer from %d to %d", key, lo, maxIntegerField)
		return 0, false
	}
	return int(i), true
}

func (f *fields) boolean(key string) (bool, bool) {
	v, ok := f.get(key)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		f.p.add(f.loc(key), schemaFailed, "the field '%s' must be a boolean", key)
	}
	return b, isBool
}

func (f *fields) object(key string) (*pyjson.Map, bool) {
	v, ok := f.get(key)
	if !ok {
		return nil, false
	}
	m, isObj := v.(*pyjson.Map)
	if !isObj {
		f.p.add(f.loc(key), schemaFailed, "the field '%s' must be an object", key)
	}
	return m, isObj
}

func (f *fields) array(key string) ([]any, bool) {
	v, ok := f.get(key)
	if !ok {
		return nil, false
	}
	a, isArr := v.([]any)
	if !isArr {
		f.p.add(f.loc(key), schemaFailed, "the field '%s' must be an array", key)
	}
	return a, isArr
}

// optPath reads InputPath, OutputPath or ResultPath: absent, null or a reference path.
func (f *fields) optPath(key string) optPath {
	v, ok := f.get(key)
	if !ok {
		return optPath{}
	}
	if v == nil {
		return optPath{null: true}
	}
	s, isStr := v.(string)
	if !isStr {
		f.p.add(f.loc(key), schemaFailed, "the field '%s' must be a JSONPath string or null", key)
		return optPath{}
	}
	return optPath{path: f.parsePath(key, s, false)}
}

// path reads a field that holds a reference path (SecondsPath, Variable, ...).
func (f *fields) path(key string, context bool) *refPath {
	s, ok := f.str(key)
	if !ok {
		return nil
	}
	return f.parsePath(key, s, context)
}

func (f *fields) parsePath(key, s string, context bool) *refPath {
	if fn, _, isCall := cutIntrinsic(s); isCall {
		f.p.add(f.loc(key), unsupported, "intrinsic function %s is not supported", fn)
		return nil
	}
	p, err := parsePath(s, context)
	if err != nil {
		f.p.add(f.loc(key), unsupported, "the JSONPath '%s' is not a single-node reference path: %v", s, err)
		return nil
	}
	return p
}

// cutIntrinsic recognizes an intrinsic function call such as States.Format('{}', $.a).
func cutIntrinsic(s string) (name, args string, ok bool) {
	if len(s) < 7 || s[:7] != "States." {
		return "", "", false
	}
	for i := 7; i < len(s); i++ {
		if s[i] == '(' {
			return s[:i], s[i:], true
		}
	}
	return s, "", true
}

// done refuses every member that was not read: the ones this package knows to be unsupported get a
// message saying so, the others are unknown to the States Language.
func (f *fields) done(refused map[string]string) {
	for k := range f.m.All() {
		if slices.Contains(f.read, k) {
			continue
		}
		if why, ok := refused[k]; ok {
			f.p.add(f.loc(k), unsupported, "%s", why)
			continue
		}
		f.p.add(f.loc(k), schemaFailed, "the field '%s' is not supported by Step Functions", k)
	}
}
