package interp

import (
	"fmt"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// A payload template (Parameters, ResultSelector) is JSON whose object keys ending in ".$" take their
// value from a path of the input ("$...") or of the context object ("$$..."), with the suffix dropped;
// everything else is copied literally — including a value such as "$.Status" under a key without the
// suffix, which MIE's filter task relies on (control-plane §5.1).

// tnode is a compiled template node.
type tnode interface {
	eval(env *evalEnv) (any, error)
}

// evalEnv is what a template reads: the state's input and, only when a "$$" path asks for it, the
// context object (built once).
type evalEnv struct {
	input   any
	build   func() any
	context any
}

func (env *evalEnv) contextObject() any {
	if env.context == nil {
		env.context = env.build()
	}
	return env.context
}

type literal struct{ v any }

func (l literal) eval(*evalEnv) (any, error) { return l.v, nil }

type tfield struct {
	key  string
	node tnode
}

type tobject []tfield

func (o tobject) eval(env *evalEnv) (any, error) {
	out := pyjson.NewMap()
	for _, f := range o {
		v, err := f.node.eval(env)
		if err != nil {
			return nil, err
		}
		out.Set(f.key, v)
	}
	return out, nil
}

type tarray []tnode

func (a tarray) eval(env *evalEnv) (any, error) {
	out := make([]any, len(a))
	for i, n := range a {
		v, err := n.eval(env)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// tpath is a ".$" field; field is the key as written, for the error message.
type tpath struct {
	field string
	path  *refPath
}

// errTemplatePath reports a ".$" path that selects nothing, in Step Functions' words.
type errTemplatePath struct {
	path, field, input string
}

func (e *errTemplatePath) Error() string {
	return fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
		e.path, e.field, e.input)
}

func (t tpath) eval(env *evalEnv) (any, error) {
	doc := env.input
	if t.path.context {
		doc = env.contextObject()
	}
	v, err := t.path.get(doc)
	if err != nil {
		return nil, &errTemplatePath{path: t.path.text, field: t.field, input: encodeJSON(env.input)}
	}
	return v, nil
}

// compileTemplate compiles the template v found at location at, reporting what it cannot run.
func compileTemplate(p *problems, at string, v any) tnode {
	switch t := v.(type) {
	case *pyjson.Map:
		var obj tobject
		seen := make(map[string]bool)
		for k, x := range t.All() {
			name, dynamic := strings.CutSuffix(k, ".$")
			if seen[name] {
				p.add(at+"/"+k, schemaFailed, "the field '%s' is given twice (with and without '.$')", name)
			}
			seen[name] = true
			if !dynamic {
				obj = append(obj, tfield{key: name, node: compileTemplate(p, at+"/"+k, x)})
				continue
			}
			if node := compileTemplatePath(p, at+"/"+k, k, x); node != nil {
				obj = append(obj, tfield{key: name, node: node})
			}
		}
		return obj
	case []any:
		arr := make(tarray, len(t))
		for i, x := range t {
			arr[i] = compileTemplate(p, fmt.Sprintf("%s/%d", at, i), x)
		}
		return arr
	}
	return literal{v}
}

func compileTemplatePath(p *problems, at, field string, v any) tnode {
	s, ok := v.(string)
	fn, _, intrinsic := cutIntrinsic(s)
	switch {
	case !ok:
		p.add(at, schemaFailed, "the value of a field ending in '.$' must be a JSONPath string")
		return nil
	case intrinsic:
		p.add(at, unsupported, "intrinsic function %s is not supported", fn)
		return nil
	case s == "$$.Task.Token":
		p.add(at, unsupported, "task tokens ($$.Task.Token) are not supported")
		return nil
	}
	path, err := parsePath(s, true)
	if err != nil {
		p.add(at, unsupported, "the JSONPath '%s' is not a single-node reference path: %v", s, err)
		return nil
	}
	return tpath{field: field, path: path}
}
