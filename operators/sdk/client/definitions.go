package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Operation types.
const (
	// OperationSync operators finish in their START Lambda.
	OperationSync = "Sync"
	// OperationAsync operators are polled by their MONITOR Lambda until done.
	OperationAsync = "Async"
)

// MediaTypeMetadataOnly is the media type of operations that run on every asset, whatever its media.
const MediaTypeMetadataOnly = "MetadataOnly"

// MaxConcurrentWorkflows is the system parameter that bounds how many workflow executions run at once.
const MaxConcurrentWorkflows = "MaxConcurrentWorkflows"

// Generated are the attributes the workflow API adds to every operation, stage and workflow it stores.
type Generated struct {
	Version string `json:"Version,omitempty"`
	ID      string `json:"Id,omitempty"`
	// Created is the creation time in epoch seconds as text, e.g. "1704067200.123456".
	Created      string `json:"Created,omitempty"`
	ResourceType string `json:"ResourceType,omitempty"`
	APIVersion   string `json:"ApiVersion,omitempty"`
}

// OperationConfiguration is an operation's configuration: the media type it runs on, whether it runs, and any
// operator-specific settings in Extra.
type OperationConfiguration struct {
	MediaType string `json:"MediaType"`
	Enabled   bool   `json:"Enabled"`
	Extra     Extra  `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (c OperationConfiguration) MarshalJSON() ([]byte, error) {
	type plain OperationConfiguration
	return encodeObject(plain(c), c.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (c *OperationConfiguration) UnmarshalJSON(data []byte) error {
	type plain OperationConfiguration
	return decodeObject(data, (*plain)(c), &c.Extra)
}

// Operation is a registered operator: a START Lambda, for Async operators a MONITOR Lambda, and its default
// configuration. The API adds StateMachineASL, StageName (its singleton stage `_<Name>`) and Generated.
type Operation struct {
	Name             string                 `json:"Name"`
	Type             string                 `json:"Type"`
	Configuration    OperationConfiguration `json:"Configuration"`
	StartLambdaARN   string                 `json:"StartLambdaArn"`
	MonitorLambdaARN string                 `json:"MonitorLambdaArn,omitempty"`
	StateMachineASL  string                 `json:"StateMachineAsl,omitempty"`
	StageName        string                 `json:"StageName,omitempty"`
	Generated
	Extra Extra `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (o Operation) MarshalJSON() ([]byte, error) {
	type plain Operation
	return encodeObject(plain(o), o.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (o *Operation) UnmarshalJSON(data []byte) error {
	type plain Operation
	return decodeObject(data, (*plain)(o), &o.Extra)
}

// Stage is a set of operations that run in parallel. The API adds the operations' configurations as they are
// when the stage is created, the stage's state machine Definition and Generated.
type Stage struct {
	Name          string                            `json:"Name"`
	Operations    []string                          `json:"Operations"`
	Configuration map[string]OperationConfiguration `json:"Configuration,omitempty"`
	Definition    string                            `json:"Definition,omitempty"`
	Generated
	Extra Extra `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones; nil Operations is sent as an empty list.
func (s Stage) MarshalJSON() ([]byte, error) {
	type plain Stage
	if s.Operations == nil {
		s.Operations = []string{}
	}
	return encodeObject(plain(s), s.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (s *Stage) UnmarshalJSON(data []byte) error {
	type plain Stage
	return decodeObject(data, (*plain)(s), &s.Extra)
}

// Workflow is a chain of stages, compiled into one state machine. A request names its stages with Next or End;
// the API adds to each stage the stage's definition as it is when the workflow is created or updated, and to the
// workflow the list of its operations, its state machine and Generated.
type Workflow struct {
	Name            string         `json:"Name"`
	StartAt         string         `json:"StartAt,omitempty"`
	Stages          WorkflowStages `json:"Stages,omitempty"`
	Trigger         string         `json:"Trigger,omitempty"`
	Operations      []string       `json:"Operations,omitempty"`
	StaleOperations []string       `json:"StaleOperations,omitempty"`
	StaleStages     []string       `json:"StaleStages,omitempty"`
	Revisions       string         `json:"Revisions,omitempty"`
	StateMachineARN string         `json:"StateMachineArn,omitempty"`
	Generated
	Extra Extra `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (w Workflow) MarshalJSON() ([]byte, error) {
	type plain Workflow
	return encodeObject(plain(w), w.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (w *Workflow) UnmarshalJSON(data []byte) error {
	type plain Workflow
	return decodeObject(data, (*plain)(w), &w.Extra)
}

// WorkflowStage is one stage of a workflow: Next names the stage that follows, or End marks the last one. A
// workflow read from the API also holds the stage's definition.
type WorkflowStage struct {
	Name          string                            `json:"Name,omitempty"`
	Next          string                            `json:"Next,omitempty"`
	End           bool                              `json:"End,omitempty"`
	Operations    []string                          `json:"Operations,omitempty"`
	Configuration map[string]OperationConfiguration `json:"Configuration,omitempty"`
	Definition    string                            `json:"Definition,omitempty"`
	Generated
	Extra Extra `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (s WorkflowStage) MarshalJSON() ([]byte, error) {
	type plain WorkflowStage
	return encodeObject(plain(s), s.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (s *WorkflowStage) UnmarshalJSON(data []byte) error {
	type plain WorkflowStage
	return decodeObject(data, (*plain)(s), &s.Extra)
}

// WorkflowStages are a workflow's stages in order, in JSON an object keyed by stage name. List them in chain
// order: the original API refused a Next that names a stage listed earlier.
type WorkflowStages []WorkflowStage

// MarshalJSON writes the object in the slice's order.
func (ss WorkflowStages) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, s := range ss {
		if s.Name == "" {
			return nil, fmt.Errorf("stage %d has no name", i)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		name, err := encodeJSON(s.Name)
		if err != nil {
			return nil, err
		}
		value, err := encodeJSON(s)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", s.Name, err)
		}
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads the object keeping its order; each stage's Name is its key.
func (ss *WorkflowStages) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*ss = nil
		return nil
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("stages: want an object, got %v", tok)
	}
	out := WorkflowStages{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var s WorkflowStage
		if err := dec.Decode(&s); err != nil {
			return fmt.Errorf("stage %v: %w", tok, err)
		}
		// Keys are strings in a well-formed object, which Token has checked.
		s.Name = tok.(string)
		out = append(out, s)
	}
	*ss = out
	return nil
}

// Stage returns the stage of the given name.
func (ss WorkflowStages) Stage(name string) (WorkflowStage, bool) {
	for _, s := range ss {
		if s.Name == name {
			return s, true
		}
	}
	return WorkflowStage{}, false
}

// WorkflowConfiguration is a workflow's default configuration: per stage, per operation, as GET
// /workflow/configuration/{name} gives it.
type WorkflowConfiguration map[string]map[string]OperationConfiguration

// SystemParameter is an item of the system configuration: MaxConcurrentWorkflows, or any name and value a
// deployment stores. The API gives numbers back as floats (5 becomes 5.0), decoded as json.Number.
type SystemParameter struct {
	Name  string `json:"Name"`
	Value any    `json:"Value,omitempty"`
	Extra Extra  `json:"-"`
}

// MarshalJSON writes Extra's members after the named ones.
func (p SystemParameter) MarshalJSON() ([]byte, error) {
	type plain SystemParameter
	return encodeObject(plain(p), p.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (p *SystemParameter) UnmarshalJSON(data []byte) error {
	type plain SystemParameter
	return decodeObject(data, (*plain)(p), &p.Extra)
}

// Deleted is the answer of a delete: the deleted item, or, when nothing of that name existed, nil and the API's
// warning, e.g. "Warning: operation 'x' not found".
type Deleted[T any] struct {
	Item    *T
	Warning string
}

// UnmarshalJSON tells an item from the API's {"Message": ...} warning, which no item looks like.
func (d *Deleted[T]) UnmarshalJSON(data []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	if raw, ok := members["Message"]; ok && len(members) == 1 {
		return json.Unmarshal(raw, &d.Warning)
	}
	if members == nil {
		return errors.New("deleted item: want an object, got null")
	}
	d.Item = new(T)
	return json.Unmarshal(data, d.Item)
}
