package asl

import (
	"iter"
	"slices"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// StateMachine is an ASL document: a whole state machine, or one branch of a Parallel state.
type StateMachine struct {
	StartAt string `json:"StartAt"`
	States  States `json:"States"`
	// TimeoutSeconds bounds a whole execution (top level only; MIE#271). Zero means no limit.
	TimeoutSeconds int    `json:"TimeoutSeconds,omitempty"`
	Comment        string `json:"Comment,omitempty"`
}

// State is one state of a document: *Task, *Choice, *Wait, *Parallel, *Pass, *Succeed or *Fail.
type State interface {
	// StateType returns the state's ASL type name, e.g. "Task".
	StateType() string
}

// States holds a document's states by name, in document order: the order is part of the text the
// original produces. The zero value is empty and ready to use.
type States struct {
	names  []string
	states map[string]State
}

// Set stores s under name. A new name goes last; a name already present keeps its place and takes
// the new state, as assigning to a Python dict does.
func (ss *States) Set(name string, s State) {
	if ss.states == nil {
		ss.states = make(map[string]State)
	}
	if _, ok := ss.states[name]; !ok {
		ss.names = append(ss.names, name)
	}
	ss.states[name] = s
}

// Get returns the state called name.
func (ss *States) Get(name string) (State, bool) {
	s, ok := ss.states[name]
	return s, ok
}

// Len returns the number of states.
func (ss *States) Len() int { return len(ss.names) }

// Names returns the state names in document order; the caller may modify the slice.
func (ss *States) Names() []string { return slices.Clone(ss.names) }

// All iterates over the states in document order.
func (ss *States) All() iter.Seq2[string, State] {
	return func(yield func(string, State) bool) {
		for _, n := range ss.names {
			if !yield(n, ss.states[n]) {
				return
			}
		}
	}
}

// MarshalJSON writes the states as one object in document order.
func (ss States) MarshalJSON() ([]byte, error) {
	m := pyjson.NewMap()
	for n, s := range ss.All() {
		m.Set(n, s)
	}
	return pyjson.Compact(m)
}

// The Type field of every state is one of these zero-size values, which always render the state's own
// type name: a state cannot be written with a wrong or missing Type.
type (
	taskType     struct{}
	choiceType   struct{}
	waitType     struct{}
	parallelType struct{}
	passType     struct{}
	succeedType  struct{}
	failType     struct{}
)

func (taskType) MarshalText() ([]byte, error)     { return []byte("Task"), nil }
func (choiceType) MarshalText() ([]byte, error)   { return []byte("Choice"), nil }
func (waitType) MarshalText() ([]byte, error)     { return []byte("Wait"), nil }
func (parallelType) MarshalText() ([]byte, error) { return []byte("Parallel"), nil }
func (passType) MarshalText() ([]byte, error)     { return []byte("Pass"), nil }
func (succeedType) MarshalText() ([]byte, error)  { return []byte("Succeed"), nil }
func (failType) MarshalText() ([]byte, error)     { return []byte("Fail"), nil }

// Paths (InputPath, OutputPath, ResultPath) are plain strings in this model: empty means absent, i.e.
// the default "$". ASL's null paths never occur in MIE's documents and Parse refuses them.

// Task is a Task state. Its fields are declared in the key order of the operation branch template
// (§5.1, whose failure state writes End right after Type); fields the compiler never writes come last.
type Task struct {
	Type             taskType    `json:"Type"`
	End              bool        `json:"End,omitempty"`
	Parameters       *pyjson.Map `json:"Parameters,omitempty"`
	Resource         string      `json:"Resource"`
	ResultPath       string      `json:"ResultPath,omitempty"`
	OutputPath       string      `json:"OutputPath,omitempty"`
	Next             string      `json:"Next,omitempty"`
	Retry            []Retrier   `json:"Retry,omitempty"`
	Catch            []Catcher   `json:"Catch,omitempty"`
	InputPath        string      `json:"InputPath,omitempty"`
	ResultSelector   *pyjson.Map `json:"ResultSelector,omitempty"`
	TimeoutSeconds   int         `json:"TimeoutSeconds,omitempty"`
	HeartbeatSeconds int         `json:"HeartbeatSeconds,omitempty"`
	Comment          string      `json:"Comment,omitempty"`
}

// Retrier is one entry of a Retry list.
type Retrier struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds int      `json:"IntervalSeconds,omitempty"`
	// MaxAttempts is nil when absent (Step Functions then makes 3 attempts); 0 means never retry.
	MaxAttempts *int `json:"MaxAttempts,omitempty"`
	// BackoffRate keeps its spelling: the original writes 2, which a float64 would turn into 2.0.
	BackoffRate pyjson.Number `json:"BackoffRate,omitempty"`
}

// Catcher is one entry of a Catch list.
type Catcher struct {
	ErrorEquals []string `json:"ErrorEquals"`
	Next        string   `json:"Next"`
	ResultPath  string   `json:"ResultPath,omitempty"`
}

// Choice is a Choice state.
type Choice struct {
	Type       choiceType   `json:"Type"`
	Choices    []ChoiceRule `json:"Choices"`
	Default    string       `json:"Default,omitempty"`
	InputPath  string       `json:"InputPath,omitempty"`
	OutputPath string       `json:"OutputPath,omitempty"`
	Comment    string       `json:"Comment,omitempty"`
}

// ChoiceRule is one rule of a Choice state: either a comparison of Variable (Operator and Value, e.g.
// StringEquals "Started") or a combination of rules (And, Or, Not). Next is set on top-level rules only.
type ChoiceRule struct {
	Variable string
	// Operator is the comparison's key, e.g. "StringEquals", "NumericLessThanPath" or "IsPresent".
	Operator string
	// Value is the operand: a string (paths, strings, timestamps), a pyjson.Number or a bool.
	Value any
	And   []ChoiceRule
	Or    []ChoiceRule
	Not   *ChoiceRule
	Next  string
}

// MarshalJSON writes the rule with its operator as key: Variable, the comparison, And, Or, Not, Next.
// The operator is data here rather than one field per operator, hence the hand-written order.
func (r ChoiceRule) MarshalJSON() ([]byte, error) {
	return pyjson.Compact(r.object())
}

func (r ChoiceRule) object() *pyjson.Map {
	m := pyjson.NewMap()
	if r.Variable != "" {
		m.Set("Variable", r.Variable)
	}
	if r.Operator != "" {
		m.Set(r.Operator, r.Value)
	}
	setRules(m, "And", r.And)
	setRules(m, "Or", r.Or)
	if r.Not != nil {
		m.Set("Not", r.Not.object())
	}
	if r.Next != "" {
		m.Set("Next", r.Next)
	}
	return m
}

func setRules(m *pyjson.Map, key string, rules []ChoiceRule) {
	if len(rules) == 0 {
		return
	}
	list := make([]any, len(rules))
	for i, sub := range rules {
		list[i] = sub.object()
	}
	m.Set(key, list)
}

// Wait is a Wait state; exactly one of Seconds, Timestamp, SecondsPath and TimestampPath is set.
type Wait struct {
	Type          waitType `json:"Type"`
	Seconds       *int     `json:"Seconds,omitempty"`
	Timestamp     string   `json:"Timestamp,omitempty"`
	SecondsPath   string   `json:"SecondsPath,omitempty"`
	TimestampPath string   `json:"TimestampPath,omitempty"`
	Next          string   `json:"Next,omitempty"`
	End           bool     `json:"End,omitempty"`
	InputPath     string   `json:"InputPath,omitempty"`
	OutputPath    string   `json:"OutputPath,omitempty"`
	Comment       string   `json:"Comment,omitempty"`
}

// Parallel is a Parallel state, in the key order of the stage definition (§5.2).
type Parallel struct {
	Type           parallelType   `json:"Type"`
	Next           string         `json:"Next,omitempty"`
	End            bool           `json:"End,omitempty"`
	ResultPath     string         `json:"ResultPath,omitempty"`
	Branches       []StateMachine `json:"Branches"`
	Catch          []Catcher      `json:"Catch,omitempty"`
	Retry          []Retrier      `json:"Retry,omitempty"`
	Parameters     *pyjson.Map    `json:"Parameters,omitempty"`
	ResultSelector *pyjson.Map    `json:"ResultSelector,omitempty"`
	InputPath      string         `json:"InputPath,omitempty"`
	OutputPath     string         `json:"OutputPath,omitempty"`
	Comment        string         `json:"Comment,omitempty"`
}

// Pass is a Pass state. A nil Result means absent.
type Pass struct {
	Type       passType    `json:"Type"`
	Result     any         `json:"Result,omitempty"`
	ResultPath string      `json:"ResultPath,omitempty"`
	Parameters *pyjson.Map `json:"Parameters,omitempty"`
	Next       string      `json:"Next,omitempty"`
	End        bool        `json:"End,omitempty"`
	InputPath  string      `json:"InputPath,omitempty"`
	OutputPath string      `json:"OutputPath,omitempty"`
	Comment    string      `json:"Comment,omitempty"`
}

// Succeed is a Succeed state.
type Succeed struct {
	Type       succeedType `json:"Type"`
	InputPath  string      `json:"InputPath,omitempty"`
	OutputPath string      `json:"OutputPath,omitempty"`
	Comment    string      `json:"Comment,omitempty"`
}

// Fail is a Fail state.
type Fail struct {
	Type    failType `json:"Type"`
	Error   string   `json:"Error,omitempty"`
	Cause   string   `json:"Cause,omitempty"`
	Comment string   `json:"Comment,omitempty"`
}

// StateType implements State.
func (*Task) StateType() string { return "Task" }

// StateType implements State.
func (*Choice) StateType() string { return "Choice" }

// StateType implements State.
func (*Wait) StateType() string { return "Wait" }

// StateType implements State.
func (*Parallel) StateType() string { return "Parallel" }

// StateType implements State.
func (*Pass) StateType() string { return "Pass" }

// StateType implements State.
func (*Succeed) StateType() string { return "Succeed" }

// StateType implements State.
func (*Fail) StateType() string { return "Fail" }
