package errorhandler_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/errorhandler"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/reconciler"
	"github.com/mie-go/mie-go/operators/sdk"
)

const (
	suid       = "shortuuid"
	machineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:testWF-" + suid
	execArn    = "arn:aws:states:us-east-1:123456789012:execution:testWF-" + suid + ":testWFtestWorkflowId"
)

// historyFunc fakes the Step Functions history API with one function.
type historyFunc func(in *sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error)

func (f historyFunc) GetExecutionHistory(_ context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	return f(in)
}

// pagedHistory serves events in pages of the given sizes, newest first, and records the requests.
func pagedHistory(requests *[]sfn.GetExecutionHistoryInput, pages ...[]types.HistoryEvent) historyFunc {
	return func(in *sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error) {
		*requests = append(*requests, *in)
		i := len(*requests) - 1
		out := &sfn.GetExecutionHistoryOutput{Events: pages[i]}
		if i+1 < len(pages) {
			out.NextToken = aws.String("page" + string(rune('2'+i)))
		}
		return out, nil
	}
}

type ended struct{ id, message string }

// fakeExecutions lists fixed executions and records the ends asked for.
type fakeExecutions struct {
	active    []reconciler.Execution
	activeErr error
	endErr    error
	ended     []ended
}

func (f *fakeExecutions) Active(context.Context) ([]reconciler.Execution, error) {
	return f.active, f.activeErr
}

func (f *fakeExecutions) End(_ context.Context, id, message string) (bool, error) {
	if f.endErr != nil {
		return false, f.endErr
	}
	f.ended = append(f.ended, ended{id, message})
	return true, nil
}

func event(detail string) json.RawMessage {
	return json.RawMessage(`{"version": "0", "detail-type": "Step Functions Execution Status Change", "source": "aws.states", "detail": ` + detail + `}`)
}

func detail(status string) json.RawMessage {
	return event(`{"executionArn": "` + execArn + `", "stateMachineArn": "` + machineArn + `", "name": "testWFtestWorkflowId", "status": "` + status + `"}`)
}

func failed(typ types.HistoryEventType, cause *string) types.HistoryEvent {
	ev := types.HistoryEvent{Type: typ}
	switch typ {
	case types.HistoryEventTypeExecutionFailed:
		ev.ExecutionFailedEventDetails = &types.ExecutionFailedEventDetails{Error: aws.String("E"), Cause: cause}
	case types.HistoryEventTypeExecutionAborted:
		ev.ExecutionAbortedEventDetails = &types.ExecutionAbortedEventDetails{Cause: cause}
	case types.HistoryEventTypeExecutionTimedOut:
		ev.ExecutionTimedOutEventDetails = &types.ExecutionTimedOutEventDetails{Cause: cause}
	case types.HistoryEventTypeLambdaFunctionFailed:
		ev.LambdaFunctionFailedEventDetails = &types.LambdaFunctionFailedEventDetails{Error: aws.String("E"), Cause: cause}
	case types.HistoryEventTypeTaskStateEntered:
		ev.StateEnteredEventDetails = &types.StateEnteredEventDetails{Name: aws.String("s"), Input: cause}
	}
	return ev
}

// CP-39, §9.6 step 1: the original's validation texts and order; and Q-02: the original's test event, whose
// stateMachineArn is the bare short id, is not this stack's state machine, so the answer is {}.
func TestValidation(t *testing.T) {
	history := historyFunc(func(*sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error) {
		t.Fatal("history read for an event that is not handled")
		return nil, nil
	})
	cases := []struct {
		name      string
		shortUUID string
		event     string
		lookup    string // a *LookupError's text
		key       string // a *sdk.KeyError's key
	}{
		{name: "no ShortUUID", event: `{}`, lookup: "ShortUUID is not set in lambda environment."},
		{name: "no detail", shortUUID: suid, event: `{}`, lookup: "event.detail is missing."},
		{name: "no name", shortUUID: suid, event: `{"detail": {}}`, lookup: "name is missing in event.detail."},
		{name: "no status", shortUUID: suid, event: `{"detail": {"name": "name"}}`, lookup: "status is missing in event.detail."},
		{name: "no executionArn", shortUUID: suid, event: `{"detail": {"name": "name", "status": "status"}}`, lookup: "executionArn is missing in event.detail."},
		{name: "no stateMachineArn", shortUUID: suid, event: `{"detail": {"name": "name", "status": "status", "executionArn": "executionArn"}}`, key: "stateMachineArn"},
		{name: "Q-02 the original's test event", shortUUID: suid, event: `{"detail": {"name": "name", "status": "status", "executionArn": "executionArn", "stateMachineArn": "shortuuid"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			execs := &fakeExecutions{}
			h := errorhandler.New(tc.shortUUID, history, execs, nil)
			res, err := h.Handle(t.Context(), json.RawMessage(tc.event))
			switch {
			case tc.lookup != "":
				var le *errorhandler.LookupError
				require.ErrorAs(t, err, &le)
				assert.Equal(t, tc.lookup, le.Message)
			case tc.key != "":
				var ke *sdk.KeyError
				require.ErrorAs(t, err, &ke)
				assert.Equal(t, tc.key, ke.Key)
				assert.Equal(t, "'stateMachineArn'", err.Error())
			default:
				require.NoError(t, err)
				out, err := json.Marshal(res)
				require.NoError(t, err)
				assert.JSONEq(t, `{}`, string(out))
			}
			assert.Empty(t, execs.ended)
		})
	}
}

// Q-02 (IQ-06): only state machines named <workflow>-<ShortUUID> are this stack's.
func TestOnlyThisStacksStateMachines(t *testing.T) {
	cases := []struct {
		stateMachineArn string
		ours            bool
	}{
		{machineArn, true},
		{"arn:aws:states:us-east-1:123456789012:stateMachine:a-b-" + suid, true},
		// The original's inverted test processed these and skipped only ARNs starting with the short id.
		{"arn:aws:states:us-east-1:123456789012:stateMachine:testWF-other1", false},
		{"arn:aws:states:us-east-1:123456789012:stateMachine:testWF-x" + suid, false},
		{"arn:aws:states:us-east-1:123456789012:stateMachine:testWF-" + suid + "2", false},
		{"arn:aws:states:us-east-1:123456789012:stateMachine:" + suid, false},
	}
	for _, tc := range cases {
		t.Run(tc.stateMachineArn, func(t *testing.T) {
			var requests []sfn.GetExecutionHistoryInput
			execs := &fakeExecutions{active: []reconciler.Execution{{ID: "id", Status: executions.Started, StateMachineExecutionArn: execArn}}}
			h := errorhandler.New(suid, pagedHistory(&requests, nil), execs, nil)
			res, err := h.Handle(t.Context(), event(`{"executionArn": "`+execArn+`", "stateMachineArn": "`+tc.stateMachineArn+`", "name": "n", "status": "FAILED"}`))
			require.NoError(t, err)
			if tc.ours {
				assert.Equal(t, execArn, res.StateMachineExecution)
				assert.Len(t, execs.ended, 1)
				return
			}
			assert.Equal(t, errorhandler.Result{}, res)
			assert.Empty(t, requests, "no history read")
			assert.Empty(t, execs.ended)
		})
	}
}

// CP-39 (the original's test_workflow_error_handler and test_parse_execution_error): the whole history is read
// newest first, 20 events a page; the Message carries the cause of every error event in that order; every active
// execution of that state machine execution ends Error with it, Waiting and Resumed ones too; records
// without a state machine execution are skipped.
func TestHandle(t *testing.T) {
	var requests []sfn.GetExecutionHistoryInput
	history := pagedHistory(&requests,
		[]types.HistoryEvent{
			failed(types.HistoryEventTypeExecutionFailed, aws.String("failed cause")),
			failed(types.HistoryEventTypeExecutionAborted, aws.String("aborted cause")),
		},
		[]types.HistoryEvent{
			failed(types.HistoryEventTypeExecutionTimedOut, aws.String("timedout cause")),
			// Not an error event, although its details have a cause-like member.
			failed(types.HistoryEventTypeTaskStateEntered, aws.String("some cause")),
			// An error event without a cause contributes nothing; an empty cause contributes an empty one.
			failed(types.HistoryEventTypeLambdaFunctionFailed, nil),
			failed(types.HistoryEventTypeLambdaFunctionFailed, aws.String("")),
		},
	)
	execs := &fakeExecutions{active: []reconciler.Execution{
		{ID: "testWorkflowId", Status: executions.Started, StateMachineExecutionArn: execArn},
		{ID: "other", Status: executions.Started, StateMachineExecutionArn: execArn + "x"},
		{ID: "starting", Status: executions.Started},
		{ID: "waiting", Status: executions.Waiting, StateMachineExecutionArn: execArn},
		{ID: "resumed", Status: executions.Resumed, StateMachineExecutionArn: execArn},
	}}
	h := errorhandler.New(suid, history, execs, nil)

	res, err := h.Handle(t.Context(), detail("testStatus"))
	require.NoError(t, err)

	msg := "Caught Step Function Execution Status Change event for execution: " + execArn +
		", status:testStatus, cause: failed cause, cause: aborted cause, cause: timedout cause, cause: "
	assert.Equal(t, errorhandler.Result{StateMachineExecution: execArn, ErrorMessage: msg}, res)
	out, err := json.Marshal(res)
	require.NoError(t, err)
	assert.JSONEq(t, `{"stateMachineExecution": "`+execArn+`", "errorMessage": `+string(must(json.Marshal(msg)))+`}`, string(out))

	require.Len(t, requests, 2)
	for i, want := range []*string{nil, aws.String("page2")} {
		assert.Equal(t, execArn, aws.ToString(requests[i].ExecutionArn))
		assert.Equal(t, int32(20), requests[i].MaxResults)
		assert.True(t, requests[i].ReverseOrder)
		assert.Equal(t, want, requests[i].NextToken)
	}
	assert.Equal(t, []ended{{"testWorkflowId", msg}, {"waiting", msg}, {"resumed", msg}}, execs.ended)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// The original re-raised every failure; so does the port, with the cause kept.
func TestFailures(t *testing.T) {
	boom := errors.New("boom")
	var requests []sfn.GetExecutionHistoryInput
	cases := []struct {
		name    string
		history errorhandler.History
		execs   *fakeExecutions
	}{
		{
			name: "history",
			history: historyFunc(func(*sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error) {
				return nil, boom
			}),
			execs: &fakeExecutions{},
		},
		{name: "listing", history: pagedHistory(&requests, nil), execs: &fakeExecutions{activeErr: boom}},
		{
			name:    "status write",
			history: pagedHistory(&requests, nil),
			execs: &fakeExecutions{
				active: []reconciler.Execution{{ID: "x", Status: executions.Started, StateMachineExecutionArn: execArn}},
				endErr: boom,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requests = nil
			_, err := errorhandler.New(suid, tc.history, tc.execs, nil).Handle(t.Context(), detail("FAILED"))
			assert.ErrorIs(t, err, boom)
		})
	}
}

// A member of the wrong type is refused with Python's TypeError, not read as something else.
func TestMemberTypes(t *testing.T) {
	h := errorhandler.New(suid, historyFunc(nil), &fakeExecutions{}, nil)
	_, err := h.Handle(t.Context(), event(`{"executionArn": 5, "stateMachineArn": "`+machineArn+`", "name": "n", "status": "FAILED"}`))
	var te *sdk.TypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "executionArn must be a str, not int", te.Message)
}

func TestNewFromLookup(t *testing.T) {
	_, err := errorhandler.NewFromLookup(t.Context(), awsconf.MapLookup(map[string]string{"ShortUUID": suid}))
	assert.ErrorContains(t, err, "WORKFLOW_EXECUTION_TABLE_NAME")
	h, err := errorhandler.NewFromLookup(t.Context(), awsconf.MapLookup(map[string]string{
		"WORKFLOW_EXECUTION_TABLE_NAME": "t", "EXECUTION_SLOT_TABLE_NAME": "s", "AWS_REGION": "us-east-1",
	}))
	require.NoError(t, err)
	// the missing short id is the invocation's error, with the original's text, not a crash at start-up.
	_, err = h.Handle(t.Context(), detail("FAILED"))
	assert.EqualError(t, err, "ShortUUID is not set in lambda environment.")
}
