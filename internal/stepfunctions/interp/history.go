package interp

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"
)

// HistoryEvent is one event of an execution's history, shaped like the HistoryEvent of Step Functions'
// GetExecutionHistory: marshalled with encoding/json it is the service's wire JSON, timestamp in epoch
// seconds included, so the API server can return events as they are. Exactly one details field is set,
// or none for events that carry no details (e.g. LambdaFunctionStarted).
type HistoryEvent struct {
	Timestamp       time.Time `json:"-"`
	Type            string    `json:"type"`
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`

	ExecutionStartedEventDetails        *ExecutionStartedEventDetails        `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceededEventDetails      *OutputEventDetails                  `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailedEventDetails         *ErrorEventDetails                   `json:"executionFailedEventDetails,omitempty"`
	ExecutionAbortedEventDetails        *ErrorEventDetails                   `json:"executionAbortedEventDetails,omitempty"`
	ExecutionTimedOutEventDetails       *ErrorEventDetails                   `json:"executionTimedOutEventDetails,omitempty"`
	StateEnteredEventDetails            *StateEnteredEventDetails            `json:"stateEnteredEventDetails,omitempty"`
	StateExitedEventDetails             *StateExitedEventDetails             `json:"stateExitedEventDetails,omitempty"`
	LambdaFunctionScheduledEventDetails *LambdaFunctionScheduledEventDetails `json:"lambdaFunctionScheduledEventDetails,omitempty"`
	LambdaFunctionSucceededEventDetails *OutputEventDetails                  `json:"lambdaFunctionSucceededEventDetails,omitempty"`
	LambdaFunctionFailedEventDetails    *ErrorEventDetails                   `json:"lambdaFunctionFailedEventDetails,omitempty"`
	LambdaFunctionTimedOutEventDetails  *ErrorEventDetails                   `json:"lambdaFunctionTimedOutEventDetails,omitempty"`
}

// MarshalJSON adds the timestamp as the service sends it: epoch seconds with milliseconds.
func (e HistoryEvent) MarshalJSON() ([]byte, error) {
	type plain HistoryEvent // drops this method, keeps the tags
	return json.Marshal(struct {
		Timestamp json.Number `json:"timestamp"`
		plain
	}{
		Timestamp: json.Number(strconv.FormatFloat(float64(e.Timestamp.UnixMilli())/1e3, 'f', 3, 64)),
		plain:     plain(e),
	})
}

// DataDetails says whether an input or output was truncated in the history; it never is here.
type DataDetails struct {
	Truncated bool `json:"truncated"`
}

// ExecutionStartedEventDetails are the details of ExecutionStarted.
type ExecutionStartedEventDetails struct {
	Input        string       `json:"input"`
	InputDetails *DataDetails `json:"inputDetails,omitempty"`
	RoleArn      string       `json:"roleArn,omitempty"`
}

// OutputEventDetails are the details of ExecutionSucceeded and LambdaFunctionSucceeded.
type OutputEventDetails struct {
	Output        string       `json:"output"`
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
}

// ErrorEventDetails are the details of the events that report an error (…Failed, …Aborted, …TimedOut).
type ErrorEventDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredEventDetails are the details of every …StateEntered event.
type StateEnteredEventDetails struct {
	Name         string       `json:"name"`
	Input        string       `json:"input"`
	InputDetails *DataDetails `json:"inputDetails,omitempty"`
}

// StateExitedEventDetails are the details of every …StateExited event.
type StateExitedEventDetails struct {
	Name          string       `json:"name"`
	Output        string       `json:"output"`
	OutputDetails *DataDetails `json:"outputDetails,omitempty"`
}

// LambdaFunctionScheduledEventDetails are the details of LambdaFunctionScheduled.
type LambdaFunctionScheduledEventDetails struct {
	Resource         string       `json:"resource"`
	Input            string       `json:"input"`
	InputDetails     *DataDetails `json:"inputDetails,omitempty"`
	TimeoutInSeconds *int64       `json:"timeoutInSeconds,omitempty"`
}

// Event types emitted outside the state kinds' table.
const (
	evExecutionStarted   = "ExecutionStarted"
	evExecutionSucceeded = "ExecutionSucceeded"
	evExecutionFailed    = "ExecutionFailed"
	evExecutionAborted   = "ExecutionAborted"
	evExecutionTimedOut  = "ExecutionTimedOut"
	evLambdaScheduled    = "LambdaFunctionScheduled"
	evLambdaStarted      = "LambdaFunctionStarted"
	evLambdaSucceeded    = "LambdaFunctionSucceeded"
	evLambdaFailed       = "LambdaFunctionFailed"
	evLambdaTimedOut     = "LambdaFunctionTimedOut"
	evParallelStarted    = "ParallelStateStarted"
	evParallelSucceeded  = "ParallelStateSucceeded"
)

// recorder numbers the events of one execution and hands them to the callback in order. Parallel
// branches record concurrently, so numbering and delivery happen under one lock.
type recorder struct {
	mu    sync.Mutex
	last  int64
	clock Clock
	emit  func(HistoryEvent)
}

func (r *recorder) add(prev int64, e HistoryEvent) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last++
	e.ID, e.PreviousEventID, e.Timestamp = r.last, prev, r.clock.Now()
	if r.emit != nil {
		r.emit(e)
	}
	return e.ID
}

// thread is one line of events: the execution's main line or one Parallel branch. Each event names the
// previous event of its own line.
type thread struct {
	rec  *recorder
	last int64
}

func (t *thread) emit(e HistoryEvent) int64 {
	t.last = t.rec.add(t.last, e)
	return t.last
}

// whole returns fresh details of an untruncated input or output; events never share them.
func whole() *DataDetails { return &DataDetails{} }
