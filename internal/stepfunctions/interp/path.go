package interp

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Paths: ASL lets some fields hold any JSONPath (InputPath, OutputPath, the ".$" values of Parameters and
// ResultSelector) and others only a Reference Path that names a single node (ResultPath, Choice variables,
// SecondsPath, ...). This package implements the Reference Path syntax everywhere — "$", ".name",
// "['name']" and "[index]" — and refuses wildcards, filters, slices, unions, deep scans and functions when
// the definition is parsed, so a path never selects differently from Step Functions.

// step is one segment of a path: an object key or an array index.
type step struct {
	key   string
	index int
	isIdx bool
}

func (s step) String() string {
	if s.isIdx {
		return "[" + strconv.Itoa(s.index) + "]"
	}
	return "['" + s.key + "']"
}

// refPath is a parsed Reference Path.
type refPath struct {
	text    string // as written in the definition, for messages
	context bool   // "$$": the path reads the context object
	steps   []step
}

// parsePath parses a Reference Path; context says whether "$$" paths are allowed here.
func parsePath(s string, context bool) (*refPath, error) {
	p := &refPath{text: s}
	if !strings.HasPrefix(s, "$") {
		return nil, errors.New("a path must start with '$'")
	}
	i := 1
	if strings.HasPrefix(s, "$$") {
		if !context {
			return nil, errors.New("the context object ($$) cannot be used here")
		}
		p.context = true
		i = 2
	}
	for i < len(s) {
		var st step
		var err error
		switch s[i] {
		case '.':
			st, i, err = dotStep(s, i+1)
		case '[':
			st, i, err = bracketStep(s, i+1)
		default:
			err = fmt.Errorf("unexpected %q at position %d", s[i], i)
		}
		if err != nil {
			return nil, err
		}
		p.steps = append(p.steps, st)
	}
	return p, nil
}

// nameStop lists the bytes that end a dotted name; most of them start JSONPath operators that do not
// select a single node.
const nameStop = ".[]()*@,:?'\" \t\r\n"

func dotStep(s string, i int) (step, int, error) {
	end := i
	for end < len(s) && !strings.ContainsRune(nameStop, rune(s[end])) {
		end++
	}
	switch {
	case end < len(s) && s[end] == '(':
		return step{}, 0, errors.New("functions are not supported")
	case end == i && i < len(s) && s[i] == '.':
		return step{}, 0, errors.New("deep scan (..) selects more than one node")
	case end == i && i < len(s) && s[i] == '*':
		return step{}, 0, errors.New("wildcards select more than one node")
	case end == i:
		return step{}, 0, fmt.Errorf("empty name at position %d", i)
	}
	return step{key: s[i:end]}, end, nil
}

func bracketStep(s string, i int) (step, int, error) {
	if i < len(s) && (s[i] == '\'' || s[i] == '"') {
		quote := s[i]
		var key strings.Builder
		j := i + 1
		for ; j < len(s) && s[j] != quote; j++ {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			key.WriteByte(s[j])
		}
		if j+1 >= len(s) || s[j+1] != ']' {
			return step{}, 0, errors.New("a bracket must hold exactly one quoted name or one index")
		}
		return step{key: key.String()}, j + 2, nil
	}
	end := i
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == i || end >= len(s) || s[end] != ']' {
		return step{}, 0, errors.New("a bracket must hold exactly one quoted name or one non-negative index " +
			"(wildcards, filters, slices and unions select more than one node)")
	}
	n, err := strconv.Atoi(s[i:end])
	if err != nil {
		return step{}, 0, fmt.Errorf("index %s: %w", s[i:end], err)
	}
	return step{index: n, isIdx: true}, end + 1, nil
}

// normalized renders steps the way Step Functions' messages do: $['a'][0].
func normalized(steps []step) string {
	var b strings.Builder
	b.WriteString("$")
	for _, st := range steps {
		b.WriteString(st.String())
	}
	return b.String()
}

// errNoMatch reports a path that selects nothing; its text follows Step Functions' messages.
type errNoMatch struct{ detail string }

func (e *errNoMatch) Error() string { return e.detail }

// get returns the node the path selects in doc.
func (p *refPath) get(doc any) (any, error) {
	cur := doc
	for i, st := range p.steps {
		var ok bool
		if st.isIdx {
			arr, isArr := cur.([]any)
			if !isArr {
				return nil, &errNoMatch{fmt.Sprintf("Expected to find an array with index %s in path %s but found '%s'",
					st, normalized(p.steps[:i]), jsonType(cur))}
			}
			if ok = st.index < len(arr); ok {
				cur = arr[st.index]
			}
		} else {
			obj, isObj := cur.(*pyjson.Map)
			if !isObj {
				return nil, &errNoMatch{fmt.Sprintf("Expected to find an object with property %s in path %s but found '%s'",
					st, normalized(p.steps[:i]), jsonType(cur))}
			}
			cur, ok = obj.Get(st.key)
		}
		if !ok {
			if i == len(p.steps)-1 {
				return nil, &errNoMatch{"No results for path: " + normalized(p.steps)}
			}
			return nil, &errNoMatch{"Missing property in path " + normalized(p.steps[:i+1])}
		}
	}
	return cur, nil
}

// set returns a copy of doc with v placed where the path points, creating missing objects on the way
// (ResultPath). Nodes off the path are shared with doc, never modified.
func (p *refPath) set(doc, v any) (any, error) {
	return setAt(doc, p.steps, 0, v)
}

func setAt(cur any, steps []step, i int, v any) (any, error) {
	if i == len(steps) {
		return v, nil
	}
	st := steps[i]
	if st.isIdx {
		arr, ok := cur.([]any)
		if !ok || st.index >= len(arr) {
			return nil, fmt.Errorf("%s does not hold an array with index %s", normalized(steps[:i]), st)
		}
		child, err := setAt(arr[st.index], steps, i+1, v)
		if err != nil {
			return nil, err
		}
		out := slices.Clone(arr)
		out[st.index] = child
		return out, nil
	}
	obj, ok := cur.(*pyjson.Map)
	if !ok {
		return nil, fmt.Errorf("%s is a %s, not an object", normalized(steps[:i]), jsonType(cur))
	}
	old, ok := obj.Get(st.key)
	if !ok {
		old = pyjson.NewMap()
	}
	child, err := setAt(old, steps, i+1, v)
	if err != nil {
		return nil, err
	}
	out := obj.Clone()
	out.Set(st.key, child)
	return out, nil
}

// optPath is an InputPath, OutputPath or ResultPath field: absent (nil path, meaning "$"), null, or a path.
type optPath struct {
	path *refPath
	null bool
}

// selectFrom applies an InputPath or OutputPath: null yields an empty object.
func (o optPath) selectFrom(doc any) (any, error) {
	switch {
	case o.null:
		return pyjson.NewMap(), nil
	case o.path == nil:
		return doc, nil
	}
	return o.path.get(doc)
}

// merge applies a ResultPath: null keeps the raw input, otherwise the result goes where the path points.
func (o optPath) merge(raw, result any) (any, error) {
	switch {
	case o.null:
		return raw, nil
	case o.path == nil:
		return result, nil
	}
	return o.path.set(raw, result)
}

// text returns the path as written, "$" when absent.
func (o optPath) text() string {
	if o.path == nil {
		return "$"
	}
	return o.path.text
}
