package interp

import (
	"unicode/utf8"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Machine is a parsed and validated state machine definition. It is immutable: Run may execute it any
// number of times, concurrently.
type Machine struct {
	root     *graph
	timeout  int
	hasTasks bool
}

// TimeoutSeconds returns the definition's top-level TimeoutSeconds, 0 when it has none.
func (m *Machine) TimeoutSeconds() int { return m.timeout }

// Parse validates definition as Step Functions' CreateStateMachine does and prepares it to run. It
// returns a *DefinitionError listing every problem found: what Step Functions would reject, and what
// it would run but this package refuses to (Map, intrinsic functions, task tokens, resources other than
// Lambda function ARNs, JSONata, variables, JSONPath beyond single-node references).
func Parse(definition string) (*Machine, error) {
	p := &problems{}
	doc, err := decodeJSON([]byte(definition))
	if err != nil {
		p.add("", invalidJSON, "the definition is not valid JSON: %v", err)
		return nil, &DefinitionError{Problems: p.list}
	}
	top, ok := doc.(*pyjson.Map)
	if !ok {
		p.add("", schemaFailed, "the definition must be a JSON object")
		return nil, &DefinitionError{Problems: p.list}
	}
	ps := &parser{p: p, names: make(map[string]bool)}
	f := newFields(p, top, "")
	m := &Machine{}
	if n, ok := f.integer("TimeoutSeconds", 1); ok {
		m.timeout = n
	}
	if v, ok := f.str("Version"); ok && v != "1.0" {
		p.add(f.loc("Version"), schemaFailed, "the field 'Version' should have one of these values: [1.0]")
	}
	queryLanguage(f)
	m.root = ps.graph(f)
	f.done(refusedFields)
	if len(p.list) > 0 {
		return nil, &DefinitionError{Problems: p.list}
	}
	m.hasTasks = ps.hasTasks
	return m, nil
}

// parser carries what spans the whole definition: state names are unique across all branches.
type parser struct {
	p        *problems
	names    map[string]bool
	hasTasks bool
}

// queryLanguage accepts the default JSONPath and refuses JSONata.
func queryLanguage(f *fields) {
	if q, ok := f.str("QueryLanguage"); ok && q != "JSONPath" {
		f.p.add(f.loc("QueryLanguage"), unsupported, "only the JSONPath query language is supported")
	}
}

// graph reads StartAt and States of a machine or branch and checks its transitions.
func (ps *parser) graph(f *fields) *graph {
	g := &graph{startAt: f.required("StartAt"), states: make(map[string]*state)}
	f.str("Comment")
	states, ok := f.object("States")
	switch {
	case !f.has("States"):
		ps.p.add(f.at, schemaFailed, "these fields are required: [States]")
	case ok && states.Len() == 0:
		ps.p.add(f.loc("States"), schemaFailed, "Value cannot be empty")
	}
	var order []string
	for name, v := range states.All() {
		at := f.loc("States") + "/" + name
		ps.stateName(name, at)
		m, isObj := v.(*pyjson.Map)
		if !isObj {
			ps.p.add(at, schemaFailed, "a state must be an object")
			continue
		}
		if st := ps.state(name, m, at); st != nil {
			g.states[name] = st
			order = append(order, name)
		}
	}
	if len(order) == len(states.Keys()) && len(order) > 0 {
		ps.checkTransitions(g, order, f)
	}
	return g
}

func (ps *parser) stateName(name, at string) {
	switch n := utf8.RuneCountInString(name); {
	case n == 0 || n > maxStateNameRunes:
		ps.p.add(at, invalidStateName, "a state name must have 1 to %d characters", maxStateNameRunes)
	case ps.names[name]:
		ps.p.add(at, duplicateState, "the state name '%s' is used more than once", name)
	}
	ps.names[name] = true
}

// checkTransitions verifies that StartAt and every target name a state of g, that every state can be
// reached and that some state ends the graph.
func (ps *parser) checkTransitions(g *graph, order []string, f *fields) {
	if _, ok := g.states[g.startAt]; !ok {
		if g.startAt != "" {
			ps.p.add(f.loc("StartAt"), missingTarget, "Missing 'StartAt' target: %s", g.startAt)
		}
		return
	}
	ends := false
	for _, name := range order {
		st := g.states[name]
		for _, t := range st.targets {
			if _, ok := g.states[t.name]; !ok && t.name != "" {
				ps.p.add(t.at, missingTarget, "Missing 'Next' target: %s", t.name)
			}
		}
		ends = ends || st.next == "" && st.kind != kinds["Choice"]
	}
	if !ends {
		ps.p.add(f.loc("States"), missingEnd, "no state ends the workflow (End, Succeed or Fail)")
	}
	reached := map[string]bool{g.startAt: true}
	queue := []string{g.startAt}
	for len(queue) > 0 {
		st := g.states[queue[0]]
		queue = queue[1:]
		for _, t := range st.targets {
			if _, ok := g.states[t.name]; ok && !reached[t.name] {
				reached[t.name] = true
				queue = append(queue, t.name)
			}
		}
	}
	for _, name := range order {
		if !reached[name] {
			ps.p.add(f.loc("States")+"/"+name, schemaFailed, "the state '%s' is not reachable", name)
		}
	}
}

// state reads one state; nil when its type cannot be run at all.
func (ps *parser) state(name string, m *pyjson.Map, at string) *state {
	f := newFields(ps.p, m, at)
	typ := f.required("Type")
	f.str("Comment")
	queryLanguage(f)
	k, ok := kinds[typ]
	switch {
	case typ == "Map":
		ps.p.add(f.loc("Type"), unsupported, "Map states are not supported")
		return nil
	case !ok && f.has("Type"):
		ps.p.add(f.loc("Type"), schemaFailed,
			"the field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")
		return nil
	case !ok:
		return nil
	}
	st := &state{name: name, kind: k}
	if typ != "Fail" {
		st.inputPath, st.outputPath = f.optPath("InputPath"), f.optPath("OutputPath")
	}
	switch typ {
	case "Task":
		ps.hasTasks = true
		ps.transition(f, st)
		ps.resultFields(f, st, true)
		parseTask(f, st)
	case "Parallel":
		ps.transition(f, st)
		ps.resultFields(f, st, true)
		ps.parallel(f, st)
	case "Pass":
		ps.transition(f, st)
		ps.resultFields(f, st, false)
		body := &passBody{}
		body.result, body.hasResult = f.get("Result")
		st.body = body
	case "Wait":
		ps.transition(f, st)
		parseWait(f, st)
	case "Choice":
		ps.noTransition(f, "Choice states do not support the fields Next and End")
		parseChoice(f, st)
	case "Succeed":
		ps.noTransition(f, "Succeed states do not support the fields Next and End")
		st.body = succeedBody{}
	case "Fail":
		ps.noTransition(f, "Fail states do not support the fields Next and End")
		parseFail(f, st)
	}
	f.done(refusedFields)
	return st
}

// transition reads Next or End: exactly one of them, End being true.
func (ps *parser) transition(f *fields, st *state) {
	next, hasNext := f.str("Next")
	end, hasEnd := f.boolean("End")
	switch {
	case hasNext && hasEnd:
		ps.p.add(f.at, schemaFailed, "a state cannot have both Next and End")
	case hasNext:
		st.next = next
		st.targets = append(st.targets, target{name: next, at: f.loc("Next")})
	case !end && !f.has("Next"):
		ps.p.add(f.at, schemaFailed, "a state must have either Next or \"End\": true")
	}
}

func (ps *parser) noTransition(f *fields, why string) {
	if f.has("Next") || f.has("End") {
		f.get("Next")
		f.get("End")
		ps.p.add(f.at, schemaFailed, "%s", why)
	}
}

// resultFields reads Parameters, ResultPath and, for states with a task-like result, ResultSelector,
// Retry and Catch.
func (ps *parser) resultFields(f *fields, st *state, taskLike bool) {
	if v, ok := f.get("Parameters"); ok {
		st.parameters = compileTemplate(ps.p, f.loc("Parameters"), v)
	}
	st.resultPath = f.optPath("ResultPath")
	if !taskLike {
		return
	}
	if v, ok := f.get("ResultSelector"); ok {
		st.resultSelector = compileTemplate(ps.p, f.loc("ResultSelector"), v)
	}
	st.retry = parseRetry(f)
	st.catch = parseCatch(f, st)
}
