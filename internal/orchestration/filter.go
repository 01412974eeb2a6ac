// Package orchestration holds the Lambdas that run inside the workflow state machines: the media-type filter in
// front of every operation, the stage completion task, and the Wait operation's start and check functions
// (control-plane §8.4, §8.5, §8.7, §9).
package orchestration

import (
	"context"

	"github.com/mie-go/mie-go/operators/sdk"
)

// Filter is the FilterOperationLambda (CP-35). It needs no configuration and no AWS client.
type Filter struct{}

// NewFilter returns the filter.
func NewFilter() *Filter { return &Filter{} }

// Handle decides whether an operation runs: it returns the event as the eight-key output object with Status
// Started or Skipped (SDK-10). The state machine passes StageName and Type too; they are dropped. A missing key is
// a *sdk.KeyError, reported as errorType KeyError like the original's, already when the event is decoded.
func (f *Filter) Handle(_ context.Context, event sdk.Operation) (*sdk.Operation, error) {
	status, err := sdk.FilterStatus(&event)
	if err != nil {
		return nil, err
	}
	h := sdk.NewOperationHelper(event)
	h.UpdateWorkflowStatus(status)
	return h.ReturnOutputObject(), nil
}
