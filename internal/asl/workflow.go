package asl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// maxTimeoutSeconds is the largest timeout Step Functions accepts in a definition.
const maxTimeoutSeconds = 99999999

// WorkflowStage is one entry of a workflow's Stages object after resolution, in request order.
type WorkflowStage struct {
	Name string
	// Next is the entry's Next, nil when absent. CompileWorkflow chains on it whatever End says, as
	// the original does with the resolved entry (the request entry overlaid with the stage item).
	Next *string
	// End is true when the request's End is truthy (Python truthiness, decided by the caller).
	End bool
	// Definition is the stage item's stored Definition text.
	Definition string
}

// KeyError is the original's missing-key failure, raised when a StartAt or Next names no stage or a
// stored definition lacks a key; its text is Python's KeyError text, e.g. 'Analyze' (§14).
type KeyError struct{ Key string }

func (e *KeyError) Error() string { return pyjson.QuoteKey(e.Key) }

// ShapeProblem tells which rule of §5.3 step 1 a workflow breaks.
type ShapeProblem int

const (
	// NoTransition: a stage has neither a truthy End nor a Next key.
	NoTransition ShapeProblem = iota + 1
	// EndCount: the workflow does not have exactly one end stage.
	EndCount
)

// ShapeError reports a workflow whose stages do not end exactly once (CP-16); its text is the
// original's (§14).
type ShapeError struct {
	Problem  ShapeProblem
	Workflow string
	Stage    string // the stage at fault, for NoTransition
	Ends     int    // the number of end stages, for EndCount
}

func (e *ShapeError) Error() string {
	if e.Problem == NoTransition {
		return fmt.Sprintf("Stage %s must have either an 'End' or and 'Next' key", e.Stage)
	}
	return fmt.Sprintf("Workflow %s must have exactly 1 'End' key within its stages", e.Workflow)
}

// CheckShape runs §5.3 step 1, before any stage is looked up: in request order every stage must have a
// truthy End or a Next, then exactly one stage may end.
func CheckShape(workflow string, stages []WorkflowStage) error {
	ends := 0
	for _, s := range stages {
		switch {
		case s.End:
			ends++
		case s.Next == nil:
			return &ShapeError{Problem: NoTransition, Workflow: workflow, Stage: s.Name}
		}
	}
	if ends != 1 {
		return &ShapeError{Problem: EndCount, Workflow: workflow, Ends: ends}
	}
	return nil
}

// CompileWorkflow runs §5.3 steps 3-5 (CP-16) and returns the definition sent to Step Functions: the
// StartAt of the start stage's definition, then every stage's top-level states in request order, the
// completion task of each stage with a Next rewritten to lead to that stage's definition's StartAt.
//
// The result is the original's text byte for byte whatever JSON the stored definitions hold: they are
// edited as the original edits Python dicts (texts already in Python's form are spliced rather than
// decoded, see canon.go). The original's unit tests even store states that are
// plain strings ("_testOperation2": "End", §16); such states are copied unchanged, but the completion
// task is searched among object states only: the original "finds" End inside a string too and then
// fails to assign Next to it, a failure not worth keeping.
//
// Next is resolved against every stage whatever the listing order. The original dropped each
// definition once merged, so a Next to a stage listed earlier failed with 'stateMachineAsl'; stages
// listed in chain order compile to the same text as before.
//
// A nil timeoutSeconds yields the original's text. Otherwise (MIE#271) the document ends with a
// top-level "TimeoutSeconds" after "States", so that the rest of the text is unchanged.
func CompileWorkflow(workflow, startAt string, stages []WorkflowStage, timeoutSeconds *int) (string, error) {
	if timeoutSeconds != nil && (*timeoutSeconds < 1 || *timeoutSeconds > maxTimeoutSeconds) {
		return "", fmt.Errorf("workflow %s: TimeoutSeconds must be between 1 and %d, not %d",
			workflow, maxTimeoutSeconds, *timeoutSeconds)
	}
	docs := make(map[string]*stageDoc, len(stages))
	size := 0
	for _, s := range stages {
		if _, dup := docs[s.Name]; dup {
			return "", fmt.Errorf("workflow %s: stage %s is listed twice", workflow, s.Name)
		}
		d, err := splitStageDoc(s)
		if err != nil {
			return "", fmt.Errorf("workflow %s: %w", workflow, err)
		}
		docs[s.Name] = d
		size += len(s.Definition)
	}

	start, ok := docs[startAt]
	if !ok {
		return "", &KeyError{Key: startAt}
	}
	if start.startAt == "" {
		return "", &KeyError{Key: "StartAt"}
	}

	var states []member
	index := make(map[string]int)
	for _, s := range stages {
		d := docs[s.Name]
		if s.Next != nil {
			if err := d.chain(docs, *s.Next); err != nil {
				return "", err
			}
		}
		if d.statesErr != nil {
			return "", d.statesErr
		}
		for _, m := range d.states {
			// A later stage overwrites a state of the same name in place, as Python's dict.update does.
			if i, ok := index[m.key]; ok {
				states[i].value = m.value
				continue
			}
			index[m.key] = len(states)
			states = append(states, m)
		}
	}

	var out strings.Builder
	out.Grow(size + 64)
	out.WriteString(`{"StartAt": `)
	out.WriteString(start.startAt)
	out.WriteString(`, "States": {`)
	for i, m := range states {
		if i > 0 {
			out.WriteString(", ")
		}
		out.WriteString(m.key)
		out.WriteString(": ")
		out.WriteString(m.value)
	}
	out.WriteByte('}')
	if timeoutSeconds != nil {
		out.WriteString(`, "TimeoutSeconds": `)
		out.WriteString(strconv.Itoa(*timeoutSeconds))
	}
	out.WriteByte('}')
	return out.String(), nil
}

// stageDoc is a stage's definition cut into the pieces the compiler moves, each in canonical text
// (what pyjson.Python writes for it, see canon.go).
type stageDoc struct {
	name string
	// startAt is the definition's StartAt, empty when absent.
	startAt string
	// states are the definition's top-level states, in order.
	states []member
	// statesErr reports a definition without a States object; like the original, the compiler only
	// fails on it when the stage's states are needed.
	statesErr error
}

// member is an object member: the key's and the value's canonical texts.
type member struct{ key, value string }

// splitStageDoc cuts a stored definition into pieces, by slicing a canonical text or else by decoding
// it and rendering each piece.
func splitStageDoc(s WorkflowStage) (*stageDoc, error) {
	if top, ok := canonicalMembers(s.Definition); ok {
		return splitCanonical(s.Name, top), nil
	}
	doc, err := pyjson.DecodeObject([]byte(s.Definition))
	if err != nil {
		return nil, fmt.Errorf("definition of stage %s: %w", s.Name, err)
	}
	d := &stageDoc{name: s.Name}
	if v, ok := doc.Get("StartAt"); ok {
		text, err := pyjson.Python(v)
		if err != nil {
			return nil, fmt.Errorf("definition of stage %s: %w", s.Name, err)
		}
		d.startAt = string(text)
	}
	v, ok := doc.Get("States")
	states, isObj := v.(*pyjson.Map)
	switch {
	case !ok:
		d.statesErr = &KeyError{Key: "States"}
	case !isObj:
		d.statesErr = statesNotObject(s.Name)
	default:
		for name, state := range states.All() {
			key, err := pyjson.Python(name)
			if err != nil {
				return nil, fmt.Errorf("definition of stage %s: %w", s.Name, err)
			}
			value, err := pyjson.Python(state)
			if err != nil {
				return nil, fmt.Errorf("definition of stage %s: state %s: %w", s.Name, name, err)
			}
			d.states = append(d.states, member{string(key), string(value)})
		}
	}
	return d, nil
}

// splitCanonical takes the pieces of a canonical definition from its members.
func splitCanonical(name string, top []canonMember) *stageDoc {
	d := &stageDoc{name: name, statesErr: &KeyError{Key: "States"}}
	for _, m := range top {
		switch m.key {
		case `"StartAt"`:
			d.startAt = m.value
		case `"States"`:
			d.statesErr, d.states = nil, m.inner
			if m.value[0] != '{' {
				d.statesErr = statesNotObject(name)
			}
		}
	}
	return d
}

func statesNotObject(stage string) error {
	return fmt.Errorf("definition of stage %s: States is not an object", stage)
}

// chain points the completion task of d (its first top-level state with an End key) at the StartAt of
// the definition of stage next, and removes End: the task's keys become Type, Resource, Next.
func (d *stageDoc) chain(docs map[string]*stageDoc, next string) error {
	target, ok := docs[next]
	if !ok {
		return &KeyError{Key: next}
	}
	if target.startAt == "" {
		return &KeyError{Key: "StartAt"}
	}
	if d.statesErr != nil {
		return d.statesErr
	}
	for i, m := range d.states {
		if !hasEndKey(m.value) {
			continue
		}
		state, err := pyjson.DecodeObject([]byte(m.value))
		if err != nil {
			return fmt.Errorf("stage %s: completion task: %w", d.name, err)
		}
		nextStart, err := pyjson.Decode([]byte(target.startAt))
		if err != nil {
			return fmt.Errorf("stage %s: StartAt: %w", next, err)
		}
		state.Set("Next", nextStart)
		state.Delete("End")
		text, err := pyjson.Python(state)
		if err != nil {
			return fmt.Errorf("stage %s: completion task: %w", d.name, err)
		}
		d.states[i].value = string(text)
		return nil
	}
	return fmt.Errorf("stage %s: no top-level state of its definition has an End key to lead to stage %s", d.name, next)
}

// hasEndKey reports whether a canonical value is an object with an End key.
func hasEndKey(value string) bool {
	if value[0] != '{' {
		return false
	}
	for key := range members(value, 0) {
		if key == `"End"` {
			return true
		}
	}
	return false
}
