package client

import (
	"context"
	"maps"
	"net/http"
)

// Members of the answers of UpdateOperation and UpdateStage that name the dependents an update could not rebuild.
const (
	memberStaleStages    = "StaleStages"
	memberStaleWorkflows = "StaleWorkflows"
)

// OperationUpdate is the answer of UpdateOperation: the operation as stored, and the dependents that still hold
// its previous definition.
type OperationUpdate struct {
	Operation
	// StaleStages are the stages containing the operation that could not be compiled again, for example because
	// another of their operations was deleted. Each keeps its copy and lists the operation in its StaleOperations;
	// updating the stage clears that.
	StaleStages []string
	// StaleWorkflows are the workflows whose state machine does not run the new definition everywhere: their
	// rebuild failed, or they use one of the StaleStages. Each lists the operation in its StaleOperations.
	StaleWorkflows []string
}

// UnmarshalJSON reads the operation and takes the lists of stale dependents out of its Extra.
func (u *OperationUpdate) UnmarshalJSON(data []byte) error {
	if err := u.Operation.UnmarshalJSON(data); err != nil {
		return err
	}
	return takeLists(&u.Operation.Extra, report{{memberStaleStages, &u.StaleStages}, {memberStaleWorkflows, &u.StaleWorkflows}})
}

// MarshalJSON writes the answer as the API sent it: the operation, then the lists that are not empty.
func (u OperationUpdate) MarshalJSON() ([]byte, error) {
	op := u.Operation
	var err error
	if op.Extra, err = putLists(op.Extra, report{{memberStaleStages, &u.StaleStages}, {memberStaleWorkflows, &u.StaleWorkflows}}); err != nil {
		return nil, err
	}
	return op.MarshalJSON()
}

// StageUpdate is the answer of UpdateStage: the stage as stored, and the workflows that still hold its previous
// definition.
type StageUpdate struct {
	Stage
	// StaleWorkflows are the workflows using the stage whose rebuild failed, for example because another of their
	// stages was deleted. Each keeps its state machine and lists the stage in its StaleStages.
	StaleWorkflows []string
}

// UnmarshalJSON reads the stage and takes the list of stale workflows out of its Extra.
func (u *StageUpdate) UnmarshalJSON(data []byte) error {
	if err := u.Stage.UnmarshalJSON(data); err != nil {
		return err
	}
	return takeLists(&u.Stage.Extra, report{{memberStaleWorkflows, &u.StaleWorkflows}})
}

// MarshalJSON writes the answer as the API sent it: the stage, then the list when it is not empty.
func (u StageUpdate) MarshalJSON() ([]byte, error) {
	s := u.Stage
	var err error
	if s.Extra, err = putLists(s.Extra, report{{memberStaleWorkflows, &u.StaleWorkflows}}); err != nil {
		return nil, err
	}
	return s.MarshalJSON()
}

// report pairs the members of an update's answer with the fields that hold them.
type report []struct {
	member string
	names  *[]string
}

// takeLists decodes the report's members from extra into their fields and removes them from extra.
func takeLists(extra *Extra, r report) error {
	for _, m := range r {
		if _, err := extra.Get(m.member, m.names); err != nil {
			return err
		}
		delete(*extra, m.member)
	}
	if len(*extra) == 0 {
		*extra = nil
	}
	return nil
}

// putLists returns a copy of extra holding the report's lists that are not empty.
func putLists(extra Extra, r report) (Extra, error) {
	out := maps.Clone(extra)
	for _, m := range r {
		if len(*m.names) == 0 {
			continue
		}
		if err := out.Set(m.member, *m.names); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateOperation replaces a registered operation with op (R06, PUT /workflow/operation) and returns the stored
// operation: the body checked as by CreateOperation, its Id and Created kept, its Version counted up (v0, v1, ...).
// Everything built from the operation is rebuilt: the inline policy of a user operator whose Lambdas changed, its
// singleton stage and the other stages containing it, and the workflows using them, whose state machines run the
// new definition from their next execution on (running executions keep theirs). An operation read with
// GetOperation may be sent back changed: the members the API generates are replaced. An unknown name is a 404
// APIError, a concurrent update of the same operation a 409.
func (c *WorkflowAPI) UpdateOperation(ctx context.Context, op Operation) (*OperationUpdate, error) {
	return send[OperationUpdate](ctx, c.api, http.MethodPut, op, "workflow", "operation")
}

// UpdateStage replaces a stage with s (R11, PUT /workflow/stage) and returns the stored stage: compiled from the
// current operations as by CreateStage, its Id and Created kept, its Version counted up. The workflows using the
// stage are rebuilt, as UpdateOperation describes. An unknown name is a 404 APIError, a concurrent update of the
// same stage a 409.
func (c *WorkflowAPI) UpdateStage(ctx context.Context, s Stage) (*StageUpdate, error) {
	return send[StageUpdate](ctx, c.api, http.MethodPut, s, "workflow", "stage")
}
