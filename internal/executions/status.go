// Package executions owns the status of workflow executions: the vocabulary, the one table of legal status
// changes and what each does to the execution's concurrency slot, and the store that applies a change atomically
// with its slot (control-plane §8.1, CP-32, CP-33).
package executions

import (
	"fmt"

	"github.com/mie-go/mie-go/operators/sdk"
)

// Status is the status of a workflow execution record (control-plane §8.1).
type Status string

// The execution statuses.
const (
	Queued   = Status(sdk.WorkflowStatusQueued)
	Started  = Status(sdk.WorkflowStatusStarted)
	Waiting  = Status(sdk.WorkflowStatusWaiting)
	Resumed  = Status(sdk.WorkflowStatusResumed)
	Complete = Status(sdk.WorkflowStatusComplete)
	Error    = Status(sdk.WorkflowStatusError)
)

// Slot says what a status change does to the execution's concurrency slot. Only Started counts against
// MaxConcurrentWorkflows (§8.1): a move into Started takes a slot, a move out of it releases the slot.
type Slot int

// What a status change does to the slot.
const (
	// Keep neither takes nor releases a slot.
	Keep Slot = iota
	// Take takes a slot: only the scheduler does, because it knows the limit.
	Take
	// Release gives the slot back.
	Release
)

// transitions is the one table of legal status changes (§8.1's diagram) and their slot effect. A status that is not
// a key, or a target missing from its row, refuses the change. The handlers, the scheduler, the API and the error
// handler all change statuses through Store, which consults this table.
var transitions = map[Status]map[Status]Slot{
	// R23 writes Queued when it creates the record; the scheduler starts it, or a failure ends it.
	Queued: {Started: Take, Error: Keep},
	// Stage completion rewrites Started after each stage; the Wait operation pauses; the last stage or a failure
	// ends the execution.
	Started: {Started: Keep, Waiting: Release, Complete: Release, Error: Release},
	// Start-wait may run again (Lambda retries); R24 resumes; the error handler ends a paused execution.
	Waiting: {Waiting: Keep, Resumed: Keep, Error: Keep},
	// The scheduler continues a resumed execution when a slot is free.
	Resumed: {Started: Take, Error: Keep},
	// A later failure only replaces the Message (the completion error path writes Error twice).
	Error: {Error: Keep},
	// Complete is final.
	Complete: {},
}

// Transition returns the slot effect of changing an execution from one status to another, or a *TransitionError
// when the table does not allow the change.
func Transition(from, to Status) (Slot, error) {
	slot, ok := transitions[from][to]
	if !ok {
		return Keep, &TransitionError{From: from, To: to}
	}
	return slot, nil
}

// sources returns the statuses an execution may be in for a change to `to`, grouped by the slot effect of the
// change, each group in the table's status order.
func sources(to Status) map[Slot][]Status {
	groups := map[Slot][]Status{}
	for _, from := range []Status{Queued, Started, Waiting, Resumed, Error, Complete} {
		if slot, ok := transitions[from][to]; ok {
			groups[slot] = append(groups[slot], from)
		}
	}
	return groups
}

// triggersScheduler reports whether writing a status invokes the scheduler (CP-32): Complete and Error free
// capacity. Queued does too in the original; R23 writes it with the record and invokes the scheduler itself, after
// sending the queue message, so the helper never writes it.
func (s Status) triggersScheduler() bool {
	return s == Complete || s == Error
}

// TransitionError is a status change the table refuses.
type TransitionError struct {
	// ID is the execution, when known.
	ID       string
	From, To Status
}

func (e *TransitionError) Error() string {
	from := string(e.From)
	if from == "" {
		from = "no status"
	}
	if e.ID == "" {
		return fmt.Sprintf("an execution cannot change from %s to %s", from, e.To)
	}
	return fmt.Sprintf("execution %s cannot change from %s to %s", e.ID, from, e.To)
}
