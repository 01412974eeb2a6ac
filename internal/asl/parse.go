package asl

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Parse reads an ASL document into the model. It keeps every field the model knows and refuses
// anything else: unknown fields, state types the model lacks (Map), null paths, and transitions that
// name no state of their document. Key order is not kept for rendering: to edit a stored text and keep
// its bytes, work on pyjson's ordered objects as CompileWorkflow does.
func Parse(definition string) (*StateMachine, error) {
	m, err := pyjson.DecodeObject([]byte(definition))
	if err != nil {
		return nil, fmt.Errorf("parse state machine: %w", err)
	}
	sm, err := parseMachine(m, true)
	if err != nil {
		return nil, fmt.Errorf("parse state machine: %w", err)
	}
	return sm, nil
}

func parseMachine(m *pyjson.Map, top bool) (*StateMachine, error) {
	o := newObject(m)
	sm := &StateMachine{StartAt: o.str("StartAt", true), Comment: o.str("Comment", false)}
	if top {
		sm.TimeoutSeconds = o.integer("TimeoutSeconds", 1)
	}
	states := o.obj("States", true)
	if err := o.done(); err != nil {
		return nil, err
	}
	if states.Len() == 0 {
		return nil, errors.New(`"States" is empty`)
	}
	for name, v := range states.All() {
		obj, ok := v.(*pyjson.Map)
		if !ok {
			return nil, fmt.Errorf("state %q: not an object", name)
		}
		s, err := parseState(obj)
		if err != nil {
			return nil, fmt.Errorf("state %q: %w", name, err)
		}
		sm.States.Set(name, s)
	}
	if err := checkTargets(sm); err != nil {
		return nil, err
	}
	return sm, nil
}

func parseState(m *pyjson.Map) (State, error) {
	o := newObject(m)
	var s State
	switch typ := o.str("Type", true); typ {
	case "Task":
		s = &Task{
			End: o.boolean("End"), Parameters: o.obj("Parameters", false), Resource: o.str("Resource", true),
			ResultPath: o.path("ResultPath"), OutputPath: o.path("OutputPath"), Next: o.str("Next", false),
			Retry: o.retriers(), Catch: o.catchers(), InputPath: o.path("InputPath"),
			ResultSelector: o.obj("ResultSelector", false), TimeoutSeconds: o.integer("TimeoutSeconds", 1),
			HeartbeatSeconds: o.integer("HeartbeatSeconds", 1), Comment: o.str("Comment", false),
		}
	case "Choice":
		s = &Choice{
			Choices: o.choiceRules(), Default: o.str("Default", false), InputPath: o.path("InputPath"),
			OutputPath: o.path("OutputPath"), Comment: o.str("Comment", false),
		}
	case "Wait":
		s = &Wait{
			Seconds: o.optionalInteger("Seconds"), Timestamp: o.str("Timestamp", false),
			SecondsPath: o.path("SecondsPath"), TimestampPath: o.path("TimestampPath"), Next: o.str("Next", false),
			End: o.boolean("End"), InputPath: o.path("InputPath"), OutputPath: o.path("OutputPath"),
			Comment: o.str("Comment", false),
		}
		if n := o.count("Seconds", "Timestamp", "SecondsPath", "TimestampPath"); n != 1 && o.err == nil {
			o.err = errors.New("a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath")
		}
	case "Parallel":
		s = &Parallel{
			Next: o.str("Next", false), End: o.boolean("End"), ResultPath: o.path("ResultPath"),
			Branches: o.branches(), Catch: o.catchers(), Retry: o.retriers(), Parameters: o.obj("Parameters", false),
			ResultSelector: o.obj("ResultSelector", false), InputPath: o.path("InputPath"),
			OutputPath: o.path("OutputPath"), Comment: o.str("Comment", false),
		}
	case "Pass":
		s = &Pass{
			Result: o.value("Result"), ResultPath: o.path("ResultPath"), Parameters: o.obj("Parameters", false),
			Next: o.str("Next", false), End: o.boolean("End"), InputPath: o.path("InputPath"),
			OutputPath: o.path("OutputPath"), Comment: o.str("Comment", false),
		}
	case "Succeed":
		s = &Succeed{InputPath: o.path("InputPath"), OutputPath: o.path("OutputPath"), Comment: o.str("Comment", false)}
	case "Fail":
		s = &Fail{Error: o.str("Error", false), Cause: o.str("Cause", false), Comment: o.str("Comment", false)}
	default:
		if o.err == nil {
			o.err = fmt.Errorf("unsupported state type %q", typ)
		}
	}
	if err := o.done(); err != nil {
		return nil, err
	}
	if err := checkTransition(s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkTransition enforces ASL's rule that a state that continues has exactly one of Next and End.
func checkTransition(s State) error {
	var next string
	var end bool
	switch t := s.(type) {
	case *Task:
		next, end = t.Next, t.End
	case *Wait:
		next, end = t.Next, t.End
	case *Parallel:
		next, end = t.Next, t.End
	case *Pass:
		next, end = t.Next, t.End
	default:
		return nil
	}
	if (next == "") == !end {
		return errors.New(`needs exactly one of "Next" and "End": true`)
	}
	return nil
}

// checkTargets makes sure StartAt and every transition name a state of the same document.
func checkTargets(sm *StateMachine) error {
	known := func(target string) bool {
		_, ok := sm.States.Get(target)
		return ok
	}
	if !known(sm.StartAt) {
		return fmt.Errorf("StartAt %q names no state", sm.StartAt)
	}
	for name, s := range sm.States.All() {
		for _, target := range targets(s) {
			if target != "" && !known(target) {
				return fmt.Errorf("state %q: transition to %q, which names no state", name, target)
			}
		}
	}
	return nil
}

func targets(s State) []string {
	var out []string
	catches := func(cs []Catcher) {
		for _, c := range cs {
			out = append(out, c.Next)
		}
	}
	switch t := s.(type) {
	case *Task:
		out = append(out, t.Next)
		catches(t.Catch)
	case *Parallel:
		out = append(out, t.Next)
		catches(t.Catch)
	case *Wait:
		out = append(out, t.Next)
	case *Pass:
		out = append(out, t.Next)
	case *Choice:
		out = append(out, t.Default)
		for _, r := range t.Choices {
			out = append(out, r.Next)
		}
	}
	return out
}

// operandKinds lists the Choice comparison operators and the JSON type of their operand.
var operandKinds = func() map[string]string {
	kinds := map[string]string{
		"BooleanEquals": "bool", "IsBoolean": "bool", "IsNull": "bool", "IsNumeric": "bool",
		"IsPresent": "bool", "IsString": "bool", "IsTimestamp": "bool", "StringMatches": "str",
	}
	for _, op := range []string{"Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"} {
		kinds["String"+op], kinds["Numeric"+op], kinds["Timestamp"+op] = "str", "number", "str"
		kinds["String"+op+"Path"], kinds["Numeric"+op+"Path"], kinds["Timestamp"+op+"Path"] = "str", "str", "str"
	}
	kinds["BooleanEqualsPath"] = "str"
	return kinds
}()

// object reads the members of one JSON object. It keeps the first error and remembers which members
// were read, so that done can refuse the others.
type object struct {
	m    *pyjson.Map
	used map[string]bool
	err  error
}

func newObject(m *pyjson.Map) *object {
	return &object{m: m, used: make(map[string]bool, m.Len())}
}

func (o *object) get(key string, required bool) (any, bool) {
	o.used[key] = true
	v, ok := o.m.Get(key)
	if !ok && required && o.err == nil {
		o.err = fmt.Errorf("missing %q", key)
	}
	return v, ok
}

func (o *object) fail(key, want string, v any) {
	if o.err == nil {
		o.err = fmt.Errorf("%q must be %s, not %s", key, want, pyjson.TypeName(v))
	}
}

func (o *object) str(key string, required bool) string {
	v, ok := o.get(key, required)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		o.fail(key, "a string", v)
	}
	return s
}

func (o *object) path(key string) string {
	v, ok := o.get(key, false)
	if ok && v == nil && o.err == nil {
		o.err = fmt.Errorf("%q: null paths are not supported", key)
		return ""
	}
	return o.str(key, false)
}

func (o *object) boolean(key string) bool {
	v, ok := o.get(key, false)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		o.fail(key, "a boolean", v)
	}
	return b
}

func (o *object) optionalInteger(key string) *int {
	v, ok := o.get(key, false)
	if !ok {
		return nil
	}
	n, isNum := v.(pyjson.Number)
	i, err := strconv.Atoi(string(n))
	if !isNum || err != nil || i < 0 {
		o.fail(key, "a non-negative integer", v)
		return nil
	}
	return &i
}

// integer reads an optional integer of at least min; absent is 0.
func (o *object) integer(key string, min int) int {
	p := o.optionalInteger(key)
	if p == nil {
		return 0
	}
	if *p < min && o.err == nil {
		o.err = fmt.Errorf("%q must be at least %d", key, min)
	}
	return *p
}

func (o *object) number(key string) pyjson.Number {
	v, ok := o.get(key, false)
	if !ok {
		return ""
	}
	n, isNum := v.(pyjson.Number)
	if !isNum {
		o.fail(key, "a number", v)
	}
	return n
}

func (o *object) value(key string) any {
	v, ok := o.get(key, false)
	if ok && v == nil && o.err == nil {
		o.err = fmt.Errorf("%q: null is not supported", key)
	}
	return v
}

func (o *object) obj(key string, required bool) *pyjson.Map {
	v, ok := o.get(key, required)
	if !ok {
		return nil
	}
	m, isObj := v.(*pyjson.Map)
	if !isObj {
		o.fail(key, "an object", v)
	}
	return m
}

func (o *object) list(key string, required bool) []any {
	v, ok := o.get(key, required)
	if !ok {
		return nil
	}
	l, isList := v.([]any)
	if !isList {
		o.fail(key, "an array", v)
	}
	return l
}

// objects reads an array of objects, handing each to read.
func (o *object) objects(key string, required bool, read func(i int, m *pyjson.Map) error) {
	for i, v := range o.list(key, required) {
		m, ok := v.(*pyjson.Map)
		if !ok {
			o.fail(fmt.Sprintf("%s[%d]", key, i), "an object", v)
			return
		}
		if err := read(i, m); err != nil && o.err == nil {
			o.err = fmt.Errorf("%s[%d]: %w", key, i, err)
			return
		}
	}
}

func (o *object) strs(key string) []string {
	l := o.list(key, true)
	out := make([]string, 0, len(l))
	for _, v := range l {
		s, ok := v.(string)
		if !ok {
			o.fail(key, "an array of strings", l)
			return nil
		}
		out = append(out, s)
	}
	if len(out) == 0 && o.err == nil {
		o.err = fmt.Errorf("%q is empty", key)
	}
	return out
}

func (o *object) count(keys ...string) int {
	return len(slices.DeleteFunc(keys, func(k string) bool {
		_, ok := o.m.Get(k)
		return !ok
	}))
}

func (o *object) retriers() []Retrier {
	var out []Retrier
	o.objects("Retry", false, func(_ int, m *pyjson.Map) error {
		r := newObject(m)
		out = append(out, Retrier{
			ErrorEquals: r.strs("ErrorEquals"), IntervalSeconds: r.integer("IntervalSeconds", 1),
			MaxAttempts: r.optionalInteger("MaxAttempts"), BackoffRate: r.number("BackoffRate"),
		})
		return r.done()
	})
	return out
}

func (o *object) catchers() []Catcher {
	var out []Catcher
	o.objects("Catch", false, func(_ int, m *pyjson.Map) error {
		c := newObject(m)
		out = append(out, Catcher{ErrorEquals: c.strs("ErrorEquals"), Next: c.str("Next", true), ResultPath: c.path("ResultPath")})
		return c.done()
	})
	return out
}

func (o *object) branches() []StateMachine {
	out := []StateMachine{}
	o.objects("Branches", true, func(_ int, m *pyjson.Map) error {
		b, err := parseMachine(m, false)
		if err != nil {
			return err
		}
		out = append(out, *b)
		return nil
	})
	return out
}

func (o *object) choiceRules() []ChoiceRule {
	var out []ChoiceRule
	o.objects("Choices", true, func(_ int, m *pyjson.Map) error {
		r, err := parseRule(m, true)
		out = append(out, r)
		return err
	})
	if len(out) == 0 && o.err == nil {
		o.err = errors.New(`"Choices" is empty`)
	}
	return out
}

// parseRule reads a Choice rule; top-level rules need Next, nested ones may not have it.
func parseRule(m *pyjson.Map, top bool) (ChoiceRule, error) {
	o := newObject(m)
	r := ChoiceRule{Variable: o.str("Variable", false)}
	if top {
		r.Next = o.str("Next", true)
	}
	var ops []string
	for k := range m.All() {
		if _, ok := operandKinds[k]; ok {
			ops = append(ops, k)
		}
	}
	combinators := o.count("And", "Or", "Not")
	switch {
	case len(ops)+combinators != 1:
		return r, errors.New("a choice rule needs exactly one comparison operator or one of And, Or, Not")
	case len(ops) == 1:
		r.Operator = ops[0]
		r.Value = o.value(r.Operator)
		if o.err == nil && !operandFits(operandKinds[r.Operator], r.Value) {
			return r, fmt.Errorf("%q: operand of the wrong type (%s)", r.Operator, pyjson.TypeName(r.Value))
		}
		if _, ok := m.Get("Variable"); !ok {
			return r, fmt.Errorf("%q needs a Variable", r.Operator)
		}
	case r.Variable != "":
		return r, errors.New("And, Or and Not take no Variable")
	default:
		nested := func(key string) func(int, *pyjson.Map) error {
			return func(_ int, sub *pyjson.Map) error {
				n, err := parseRule(sub, false)
				if key == "And" {
					r.And = append(r.And, n)
				} else {
					r.Or = append(r.Or, n)
				}
				return err
			}
		}
		o.objects("And", false, nested("And"))
		o.objects("Or", false, nested("Or"))
		if not := o.obj("Not", false); not != nil && o.err == nil {
			n, err := parseRule(not, false)
			if err != nil {
				return r, fmt.Errorf("Not: %w", err)
			}
			r.Not = &n
		}
	}
	return r, o.done()
}

func operandFits(kind string, v any) bool {
	switch v.(type) {
	case string:
		return kind == "str"
	case pyjson.Number:
		return kind == "number"
	case bool:
		return kind == "bool"
	}
	return false
}

// done returns the first error, or names a member nobody read.
func (o *object) done() error {
	if o.err != nil {
		return o.err
	}
	for k := range o.m.All() {
		if !o.used[k] {
			return fmt.Errorf("unknown field %q", k)
		}
	}
	return nil
}
