package interp

import (
	"context"
	"fmt"
	"slices"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// choiceRule is a Boolean expression of a Choice state: a comparison of variable with operand, or an
// And, Or or Not of other rules. Top-level rules carry the state to move to.
type choiceRule struct {
	variable *refPath
	op       operator
	// operand is the literal to compare with (string, pyjson.Number, bool, or the IsX flag), a *refPath
	// for "...Path" operators, or a pattern for StringMatches.
	operand any
	and, or []*choiceRule
	not     *choiceRule
	next    string
}

// errChoicePath reports a variable or operand path that selects nothing.
type errChoicePath struct{ path string }

func (e *errChoicePath) Error() string {
	return fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", e.path)
}

func (r *choiceRule) eval(env *evalEnv) (bool, error) {
	switch {
	case r.and != nil:
		for _, sub := range r.and {
			if ok, err := sub.eval(env); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.or != nil:
		for _, sub := range r.or {
			if ok, err := sub.eval(env); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.not != nil:
		ok, err := r.not.eval(env)
		return !ok, err
	}
	v, err := env.read(r.variable)
	if r.op.kind == operandPresence {
		return (err == nil) == r.operand.(bool), nil
	}
	if err != nil {
		return false, &errChoicePath{r.variable.text}
	}
	switch r.op.kind {
	case operandTypeTest:
		return r.op.test(v) == r.operand.(bool), nil
	case operandPattern:
		s, ok := v.(string)
		return ok && r.operand.(pattern).match(s), nil
	}
	operand := r.operand
	if r.op.path {
		p := operand.(*refPath)
		if operand, err = env.read(p); err != nil {
			return false, &errChoicePath{p.text}
		}
	}
	c, comparable := compare(r.op.kind, v, operand)
	return comparable && r.op.holds(c), nil
}

// read resolves a path against the input, or the context object for "$$" paths.
func (env *evalEnv) read(p *refPath) (any, error) {
	if p.context {
		return p.get(env.contextObject())
	}
	return p.get(env.input)
}

// choiceBody is a Choice state.
type choiceBody struct {
	rules       []*choiceRule
	defaultNext string
}

func (c *choiceBody) execute(_ context.Context, r *stateRun, input any) (any, string, error) {
	env := r.env(input)
	for _, rule := range c.rules {
		ok, err := rule.eval(env)
		if err != nil {
			return nil, "", r.runtimeError("%s", err.Error())
		}
		if ok {
			return input, rule.next, nil
		}
	}
	if c.defaultNext != "" {
		return input, c.defaultNext, nil
	}
	return nil, "", r.stateFailure(errNoChoiceMatched, "No Choice rule matched and no Default state was given.")
}

func parseChoice(f *fields, st *state) {
	c := &choiceBody{}
	st.body = c
	if d, ok := f.str("Default"); ok {
		c.defaultNext = d
		st.targets = append(st.targets, target{name: d, at: f.loc("Default")})
	}
	list, ok := f.array("Choices")
	switch {
	case !f.has("Choices"):
		f.p.add(f.at, schemaFailed, "these fields are required: [Choices]")
	case ok && len(list) == 0:
		f.p.add(f.loc("Choices"), schemaFailed, "Value cannot be empty")
	}
	for i, v := range list {
		at := fmt.Sprintf("%s/%d", f.loc("Choices"), i)
		if rule := parseRule(f.p, v, at, true); rule != nil {
			c.rules = append(c.rules, rule)
		}
		// The target counts even when the rule is broken, so that its state is not also reported unreachable.
		if m, ok := v.(*pyjson.Map); ok {
			if next, ok := m.Get("Next"); ok {
				if name, ok := next.(string); ok {
					st.targets = append(st.targets, target{name: name, at: at + "/Next"})
				}
			}
		}
	}
}

func parseRule(p *problems, v any, at string, top bool) *choiceRule {
	m, ok := v.(*pyjson.Map)
	if !ok {
		p.add(at, schemaFailed, "a choice rule must be an object")
		return nil
	}
	f := newFields(p, m, at)
	defer f.done(nil)
	rule := &choiceRule{}
	if top {
		rule.next = f.required("Next")
	} else if f.has("Next") {
		f.get("Next")
		p.add(f.loc("Next"), schemaFailed, "only top-level choice rules may have a 'Next'")
	}
	f.str("Comment")
	var forms []string
	for k := range m.All() {
		if _, isOp := operators[k]; isOp || k == "And" || k == "Or" || k == "Not" {
			forms = append(forms, k)
		}
	}
	if len(forms) != 1 {
		p.add(at, schemaFailed, "a choice rule must have exactly one comparison operator or And, Or, Not (found %d)", len(forms))
		f.get("Variable")
		for _, k := range forms {
			f.get(k)
		}
		return nil
	}
	switch form := forms[0]; form {
	case "And", "Or":
		list, _ := f.array(form)
		if len(list) == 0 {
			p.add(f.loc(form), schemaFailed, "Value cannot be empty")
		}
		var subs []*choiceRule
		for i, sv := range list {
			subs = append(subs, parseRule(p, sv, fmt.Sprintf("%s/%d", f.loc(form), i), false))
		}
		if slices.Contains(subs, nil) || len(subs) == 0 {
			return nil
		}
		if form == "And" {
			rule.and = subs
		} else {
			rule.or = subs
		}
	case "Not":
		sv, _ := f.get("Not")
		if rule.not = parseRule(p, sv, f.loc("Not"), false); rule.not == nil {
			return nil
		}
	default:
		if !parseComparison(f, rule, form) {
			return nil
		}
	}
	return rule
}

// parseComparison reads Variable and the operand of operator name, checking the operand's type.
func parseComparison(f *fields, rule *choiceRule, name string) bool {
	rule.op = operators[name]
	v, _ := f.get(name)
	if !f.has("Variable") {
		f.p.add(f.at, schemaFailed, "these fields are required: [Variable]")
		return false
	}
	if rule.variable = f.path("Variable", true); rule.variable == nil {
		return false
	}
	bad := func(want string) bool {
		f.p.add(f.loc(name), schemaFailed, "the operand of '%s' must be %s", name, want)
		return false
	}
	switch {
	case rule.op.path:
		s, ok := v.(string)
		if !ok {
			return bad("a reference path")
		}
		p := f.parsePath(name, s, true)
		rule.operand = p
		return p != nil
	case rule.op.kind == operandPresence || rule.op.kind == operandTypeTest || rule.op.kind == operandBool:
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case rule.op.kind == operandNumber:
		if _, ok := number(v); !ok {
			return bad("a number")
		}
	case rule.op.kind == operandTimestamp:
		if _, ok := timestampValue(v); !ok {
			return bad("an RFC 3339 timestamp string")
		}
	case rule.op.kind == operandPattern:
		s, ok := v.(string)
		if !ok {
			return bad("a string")
		}
		rule.operand = compilePattern(s)
		return true
	default:
		if _, ok := v.(string); !ok {
			return bad("a string")
		}
	}
	rule.operand = v
	return true
}
