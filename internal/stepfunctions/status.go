package stepfunctions

import "slices"

// ExecutionStatus is the status of an execution, as DescribeExecution reports it.
type ExecutionStatus string

// The statuses an execution of a STANDARD state machine goes through.
const (
	StatusRunning   ExecutionStatus = "RUNNING"
	StatusSucceeded ExecutionStatus = "SUCCEEDED"
	StatusFailed    ExecutionStatus = "FAILED"
	StatusTimedOut  ExecutionStatus = "TIMED_OUT"
	StatusAborted   ExecutionStatus = "ABORTED"
	// StatusPendingRedrive is only a ListExecutions filter here: the engine does not redrive executions.
	StatusPendingRedrive ExecutionStatus = "PENDING_REDRIVE"
)

// transitions is the one place that says which status change is legal: each status lists the statuses an
// execution may move to from it, and a status that is no key is final. The run that ends, StopExecution and
// DeleteStateMachine all go through it, so a run ending after its execution was stopped cannot overwrite ABORTED.
var transitions = map[ExecutionStatus][]ExecutionStatus{
	StatusRunning: {StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted},
}

// canBecome reports whether an execution in status s may move to next.
func (s ExecutionStatus) canBecome(next ExecutionStatus) bool {
	return slices.Contains(transitions[s], next)
}

// known reports whether s is a status the API defines, for checking a ListExecutions statusFilter.
func (s ExecutionStatus) known() bool {
	switch s {
	case StatusRunning, StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted, StatusPendingRedrive:
		return true
	}
	return false
}
