package interp

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// branch is a Parallel branch of one state named name.
func branch(name, st string) string {
	return `{"StartAt": "` + name + `", "States": {"` + name + `": ` + st + `}}`
}

func TestParallel(t *testing.T) {
	out, h := run(t, machine(`"S": {"Type": "Parallel", "ResultPath": "$.Outputs", "End": true, "Branches": [
		`+branch("B0", `{"Type": "Pass", "Parameters": {"branch": 0, "in.$": "$.in"}, "End": true}`)+`,
		`+branch("B1", `{"Type": "Wait", "Seconds": 5, "Next": "B1b"}, "B1b": {"Type": "Pass", "Result": {"branch": 1}, "End": true}`)+`,
		`+branch("B2", `{"Type": "Task", "Resource": "`+fnA+`", "End": true}`)+`]}`),
		`{"in": "x"}`, &fakeLambdas{handlers: map[string]func(map[string]any) (any, error){fnA: echo}}, nil)
	require.Equal(t, StatusSucceeded, out.Status, out.Cause)
	jsonEq(t, `{"in": "x", "Outputs": [{"branch": 0, "in": "x"}, {"branch": 1}, {"in": "x"}]}`, out.Output)

	types := h.types()
	assert.Equal(t, []string{"ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"}, types[:3])
	assert.Equal(t, []string{"ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"}, types[len(types)-3:])
	started := h.ofType("ParallelStateStarted")[0].ID
	for _, e := range h.events {
		if e.StateEnteredEventDetails != nil && (e.StateEnteredEventDetails.Name == "B0" || e.StateEnteredEventDetails.Name == "B1" || e.StateEnteredEventDetails.Name == "B2") {
			assert.Equal(t, started, e.PreviousEventID, "each branch's line starts at ParallelStateStarted")
		}
	}
}

func TestParallelFailure(t *testing.T) {
	// Branch 0 waits for an hour that never elapses; branch 1's function fails once branch 0 waits, which
	// stops branch 0.
	const payload = `{"errorType":"FailureType","errorMessage":"m"}`
	branches := `"Branches": [` + branch("Slow", `{"Type": "Wait", "Seconds": 3600, "End": true}`) + `, ` +
		branch("Broken", `{"Type": "Task", "Resource": "`+fnA+`", "End": true}`) + `]`
	tests := []struct {
		name       string
		fields     string
		wantStatus string
		wantOutput string
		wantTypes  []string // the events after both branches are stopped
		wantStarts int
	}{
		{"fails the state and the execution", `"End": true`, StatusFailed, "",
			[]string{"ParallelStateFailed", "ExecutionFailed"}, 1},
		{"caught by the state's Catch", `"Catch": [{"ErrorEquals": ["FailureType"], "ResultPath": "$.err", "Next": "H"}], "End": true`, StatusSucceeded,
			`{"in": 1, "err": {"Error": "FailureType", "Cause": ` + jsonString(payload) + `}}`,
			[]string{"ParallelStateFailed", "ParallelStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}, 1},
		{"retried by the state's Retry", `"Retry": [{"ErrorEquals": ["FailureType"], "MaxAttempts": 2}], "End": true`, StatusFailed, "",
			[]string{"ParallelStateFailed", "ExecutionFailed"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			handler := ""
			if tc.wantOutput != "" {
				handler = `, "H": {"Type": "Pass", "End": true}`
			}
			waiting := make(chan struct{}, 8)
			clock := newFakeClock()
			clock.blocked = func(d time.Duration) bool {
				if d != time.Hour {
					return false
				}
				waiting <- struct{}{}
				return true
			}
			inv := invokerFunc(func(context.Context, string, []byte) ([]byte, error) {
				<-waiting
				return nil, &FunctionError{Payload: []byte(payload)}
			})
			out, h := run(t, machine(`"S": {"Type": "Parallel", `+branches+`, `+tc.fields+`}`+handler), `{"in": 1}`, inv, clock)
			require.Equal(t, tc.wantStatus, out.Status, out.Cause)
			if tc.wantOutput != "" {
				jsonEq(t, tc.wantOutput, out.Output)
			} else {
				assert.Equal(t, "FailureType", out.Error)
				assert.Equal(t, payload, out.Cause)
			}
			types := h.types()
			assert.Equal(t, tc.wantTypes, types[len(types)-len(tc.wantTypes):])
			assert.Len(t, h.ofType("ParallelStateStarted"), tc.wantStarts)
			assert.Len(t, h.ofType("ParallelStateEntered"), 1)
			assert.Len(t, h.ofType("WaitStateAborted"), tc.wantStarts, "the waiting sibling is cut short on every attempt")
			assert.Empty(t, h.ofType("WaitStateExited"))
			failed := h.ofType("ParallelStateFailed")
			require.Len(t, failed, 1)
			assert.Equal(t, h.ofType("LambdaFunctionFailed")[tc.wantStarts-1].ID, failed[0].PreviousEventID,
				"the failure follows the failing branch's line")
		})
	}
}

func TestParallelBranchErrorsAreTheStates(t *testing.T) {
	// A branch's uncaught task error reaches the Parallel state's Catch unchanged.
	lambdas := &fakeLambdas{handlers: map[string]func(map[string]any) (any, error){
		fnA: func(map[string]any) (any, error) { return nil, functionError("MasExecutionError", "op failed") },
	}}
	out, _ := run(t, machine(`"S": {"Type": "Parallel", "Branches": [`+branch("T", `{"Type": "Task", "Resource": "`+fnA+`", "End": true}`)+`],
		"Catch": [{"ErrorEquals": ["MasExecutionError"], "ResultPath": "$.Outputs", "Next": "H"}], "End": true}, "H": {"Type": "Pass", "End": true}`),
		`{}`, lambdas, nil)
	require.Equal(t, StatusSucceeded, out.Status, out.Cause)
	jsonEq(t, `{"Outputs": {"Error": "MasExecutionError", "Cause": "{\"errorMessage\":\"op failed\",\"errorType\":\"MasExecutionError\"}"}}`, out.Output)
}

func TestParallelNested(t *testing.T) {
	inner := `{"Type": "Parallel", "End": true, "Branches": [` + branch("L2", `{"Type": "Pass", "End": true}`) + `]}`
	out, _ := run(t, machine(`"S": {"Type": "Parallel", "End": true, "Branches": [`+branch("L1", inner)+`]}`), `[1, 2]`, nil, nil)
	require.Equal(t, StatusSucceeded, out.Status, out.Cause)
	assert.Equal(t, `[[[1,2]]]`, string(out.Output))
}

func TestParallelRuntimeErrorIsNotCaught(t *testing.T) {
	out, h := run(t, machine(`"S": {"Type": "Parallel", "Branches": [`+branch("B", `{"Type": "Pass", "InputPath": "$.missing", "End": true}`)+`],
		"Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "H"}, {"ErrorEquals": ["States.ALL"], "Next": "H"}], "End": true},
		"H": {"Type": "Pass", "End": true}`), `{}`, nil, nil)
	assert.Equal(t, StatusFailed, out.Status)
	assert.Equal(t, "States.Runtime", out.Error)
	assert.Len(t, h.ofType("ParallelStateStarted"), 1, "not retried")
}
