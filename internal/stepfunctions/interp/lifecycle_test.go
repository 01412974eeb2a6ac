package interp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hanging is a function that never answers: it returns only when its invocation is cancelled.
var hanging = invokerFunc(func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
})

// instant answers at once.
var instant = invokerFunc(func(context.Context, string, []byte) ([]byte, error) { return []byte(`{"done": true}`), nil })

func TestTaskTimeouts(t *testing.T) {
	task := func(fields string) string {
		handler := ""
		if strings.Contains(fields, "Catch") {
			handler = `, "H": {"Type": "Pass", "End": true}`
		}
		return machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", ` + fields + `"End": true}` + handler)
	}
	tests := []struct {
		name       string
		def, input string
		inv        Invoker
		blocked    []time.Duration // clock sleeps that do not elapse
		wantStatus string
		wantOutput string
		wantError  string
		wantTimer  time.Duration // a timer the task must have started (0: not checked)
	}{
		{"TimeoutSeconds strikes", task(`"TimeoutSeconds": 5, `), `{}`, hanging, nil, StatusFailed, "", "States.Timeout", 5 * time.Second},
		{"TimeoutSecondsPath strikes", task(`"TimeoutSecondsPath": "$.t", `), `{"t": 7}`, hanging, nil, StatusFailed, "", "States.Timeout", 7 * time.Second},
		{"HeartbeatSeconds strikes first", task(`"TimeoutSeconds": 60, "HeartbeatSeconds": 3, `), `{}`, hanging, nil, StatusFailed, "", "States.Timeout", 3 * time.Second},
		{"an answer before the timeout", task(`"TimeoutSeconds": 5, `), `{}`, instant, []time.Duration{5 * time.Second}, StatusSucceeded, `{"done": true}`, "", 0},
		{"States.Timeout is caught", task(`"TimeoutSeconds": 5, "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "H"}], `), `{}`, hanging, nil,
			StatusSucceeded, `{"Error": "States.Timeout", "Cause": ""}`, "", 5 * time.Second},
		{"States.TaskFailed does not cover States.Timeout", task(`"TimeoutSeconds": 5, "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "H"}], `), `{}`, hanging, nil,
			StatusFailed, "", "States.Timeout", 5 * time.Second},
		{"States.HeartbeatTimeout covers a heartbeat timeout", task(`"HeartbeatSeconds": 3, "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "H"}], `), `{}`, hanging, nil,
			StatusSucceeded, `{"Error": "States.Timeout", "Cause": ""}`, "", 3 * time.Second},
		{"States.HeartbeatTimeout does not cover TimeoutSeconds", task(`"TimeoutSeconds": 5, "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "H"}], `), `{}`, hanging, nil,
			StatusFailed, "", "States.Timeout", 5 * time.Second},
		{"TimeoutSecondsPath not a positive integer", task(`"TimeoutSecondsPath": "$.t", `), `{"t": 0}`, instant, nil, StatusFailed, "", "States.Runtime", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			clock.blocked = blockAt(tc.blocked...)
			out, h := run(t, tc.def, tc.input, tc.inv, clock)
			require.Equal(t, tc.wantStatus, out.Status, out.Cause)
			assert.Equal(t, tc.wantError, out.Error)
			if tc.wantOutput != "" {
				jsonEq(t, tc.wantOutput, out.Output)
			}
			if tc.wantTimer > 0 {
				assert.Contains(t, clock.recorded(), tc.wantTimer)
			}
			if strings.Contains(tc.wantError+tc.wantOutput, "States.Timeout") {
				timedOut := h.ofType("LambdaFunctionTimedOut")
				require.Len(t, timedOut, 1)
				assert.Equal(t, &ErrorEventDetails{Error: "States.Timeout"}, timedOut[0].LambdaFunctionTimedOutEventDetails)
			}
		})
	}
}

func TestTaskScheduledEventShowsTimeout(t *testing.T) {
	clock := newFakeClock()
	clock.blocked = blockAt(5 * time.Second)
	_, h := run(t, machine(`"S": {"Type": "Task", "Resource": "`+fnA+`", "TimeoutSeconds": 5, "End": true}`), `{"a": 1}`, instant, clock)
	scheduled := h.ofType("LambdaFunctionScheduled")
	require.Len(t, scheduled, 1)
	five := int64(5)
	assert.Equal(t, &LambdaFunctionScheduledEventDetails{Resource: fnA, Input: `{"a":1}`, InputDetails: &DataDetails{}, TimeoutInSeconds: &five},
		scheduled[0].LambdaFunctionScheduledEventDetails)
}

// gatedClock holds sleeps of one duration until the gate opens.
type gatedClock struct {
	*fakeClock
	gated time.Duration
	gate  chan struct{}
}

func (c gatedClock) Sleep(ctx context.Context, d time.Duration) error {
	if d == c.gated {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return c.fakeClock.Sleep(ctx, d)
}

func TestMachineTimeout(t *testing.T) {
	// The Wait state never elapses; the 30 s execution timeout elapses once the state waits.
	fake := newFakeClock()
	clock := gatedClock{fakeClock: fake, gated: 30 * time.Second, gate: make(chan struct{})}
	fake.blocked = func(d time.Duration) bool {
		if d == time.Hour {
			close(clock.gate)
			return true
		}
		return false
	}
	def := `{"TimeoutSeconds": 30, "StartAt": "S", "States": {"S": {"Type": "Wait", "Seconds": 3600, "End": true}}}`
	out, h := run(t, def, `{}`, nil, clock)
	assert.Equal(t, Outcome{Status: StatusTimedOut, Error: "States.Timeout"}, out)
	assert.Equal(t, []string{"ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"}, h.types())
	last := h.ofType("ExecutionTimedOut")[0]
	assert.Equal(t, &ErrorEventDetails{Error: "States.Timeout"}, last.ExecutionTimedOutEventDetails)
	assert.Contains(t, fake.recorded(), 30*time.Second)
}

func TestAbort(t *testing.T) {
	tests := []struct {
		name    string
		def     string
		inv     Invoker
		cause   error
		want    Outcome
		details *ErrorEventDetails
	}{
		{"while waiting", machine(`"S": {"Type": "Wait", "Seconds": 3600, "End": true}`), nil, nil,
			Outcome{Status: StatusAborted}, &ErrorEventDetails{}},
		{"during an invocation, with StopExecution's error and cause", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "End": true}`), hanging,
			&StopError{Name: "UserStop", Cause: "no longer needed"},
			Outcome{Status: StatusAborted, Error: "UserStop", Cause: "no longer needed"}, &ErrorEventDetails{Error: "UserStop", Cause: "no longer needed"}},
		{"inside a Parallel branch", machine(`"S": {"Type": "Parallel", "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}], "End": true}`),
			nil, nil, Outcome{Status: StatusAborted}, &ErrorEventDetails{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.def)
			require.NoError(t, err)
			clock := newFakeClock()
			clock.blocked = blockAt(time.Hour)
			ctx, cancel := context.WithCancelCause(context.Background())
			started := make(chan struct{})
			inv := tc.inv
			if inv != nil {
				inv = invokerFunc(func(ctx context.Context, arn string, in []byte) ([]byte, error) {
					close(started)
					return tc.inv.Invoke(ctx, arn, in)
				})
			} else {
				clock.blocked = func(d time.Duration) bool {
					if d == time.Hour {
						close(started)
						return true
					}
					return false
				}
			}
			go func() {
				<-started
				cancel(tc.cause)
			}()
			out, h := runMachine(ctx, m, `{}`, inv, clock)
			assert.Equal(t, tc.want, out)
			aborted := h.ofType("ExecutionAborted")
			require.Len(t, aborted, 1)
			assert.Equal(t, tc.details, aborted[0].ExecutionAbortedEventDetails)
			assert.Zero(t, aborted[0].PreviousEventID, "Step Functions links the abort to no event")
			assert.Empty(t, h.ofType("WaitStateAborted"), "only a failing sibling branch aborts single states")
		})
	}
}

func TestAbortBetweenTransitions(t *testing.T) {
	// An endless Pass/Choice loop still stops when its context ends.
	m, err := Parse(machine(`"S": {"Type": "Pass", "Next": "C"},
		"C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "E"}], "Default": "S"}, "E": {"Type": "Succeed"}`))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	out := m.Run(ctx, []byte(`{}`), RunOptions{Clock: newFakeClock(), OnEvent: func(HistoryEvent) {
		if n++; n == 100 {
			cancel()
		}
	}})
	assert.Equal(t, StatusAborted, out.Status)
}

func TestRunRefusesBadSetups(t *testing.T) {
	tests := []struct {
		name, def, input string
		inv              Invoker
		wantCause        string
	}{
		{"input that is not JSON", machine(`"S": {"Type": "Succeed"}`), `{"a": NaN}`, nil, "The execution input is not valid JSON"},
		{"tasks without an invoker", machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "End": true}`), `{}`, nil, "no Lambda invoker is configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, h := run(t, tc.def, tc.input, tc.inv, nil)
			assert.Equal(t, StatusFailed, out.Status)
			assert.Equal(t, "States.Runtime", out.Error)
			assert.Contains(t, out.Cause, tc.wantCause)
			assert.Equal(t, []string{"ExecutionStarted", "ExecutionFailed"}, h.types())
		})
	}
}

func TestScaledClock(t *testing.T) {
	fast := ScaledClock(1e9)
	assert.NoError(t, fast.Sleep(context.Background(), time.Second), "a second scaled down to a nanosecond elapses")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, ScaledClock(1).Sleep(ctx, time.Hour), context.Canceled, "a cancelled sleep returns at once")
	assert.ErrorIs(t, ScaledClock(0).Sleep(ctx, time.Hour), context.Canceled, "scales below 1 mean real time")
	before := time.Now()
	now := fast.Now()
	after := time.Now()
	assert.False(t, now.Before(before) || now.After(after), "Now is the real time")
}
