package stepfunctions

import (
	"slices"

	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

// GetExecutionHistoryInput is what GetExecutionHistory takes.
type GetExecutionHistoryInput struct {
	ExecutionArn string
	MaxResults   int32
	NextToken    string
	// ReverseOrder lists the newest events first, as MIE's error handler reads them.
	ReverseOrder bool
}

// GetExecutionHistory returns a page of an execution's history events, oldest first unless ReverseOrder, with
// the token of the next page ("" after the last one). The events share their details with the engine's record:
// callers must not change them.
func (e *Engine) GetExecutionHistory(in GetExecutionHistoryInput) ([]interp.HistoryEvent, string, error) {
	if err := checkARN("executionArn", in.ExecutionArn, resourceExecution); err != nil {
		return nil, "", err
	}
	events, err := e.history(in.ExecutionArn)
	if err != nil {
		return nil, "", err
	}
	order := pageOrder{scope: "history " + in.ExecutionArn, descending: in.ReverseOrder}
	if in.ReverseOrder {
		slices.Reverse(events)
		order.scope += " reverse"
	}
	return paginate(events, order, func(ev interp.HistoryEvent) int64 { return ev.ID }, in.MaxResults, in.NextToken)
}

// history returns a copy of the list of an execution's events, which its run keeps appending to.
func (e *Engine) history(arn string) ([]interp.HistoryEvent, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ex, ok := e.executions[arn]
	if !ok {
		return nil, executionNotFound(arn)
	}
	return slices.Clone(ex.history), nil
}
