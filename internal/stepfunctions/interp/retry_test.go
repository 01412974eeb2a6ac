package interp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failing returns an Invoker whose function fails with the given errors in turn and then succeeds with
// {"ok": true}; calls counts the invocations.
func failing(calls *int, errs ...error) Invoker {
	return invokerFunc(func(_ context.Context, _ string, _ []byte) ([]byte, error) {
		*calls++
		if *calls <= len(errs) {
			return nil, errs[*calls-1]
		}
		return []byte(`{"ok": true}`), nil
	})
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

func TestRetry(t *testing.T) {
	mas := functionError("MasExecutionError", "{}")
	sec := time.Second
	tests := []struct {
		name       string
		retry      string
		errs       []error
		wantStatus string
		wantCalls  int
		wantWaits  []time.Duration
	}{
		{"defaults: 3 retries, 1 s doubling", `[{"ErrorEquals": ["MasExecutionError"]}]`, repeat(mas, 9), StatusFailed, 4,
			[]time.Duration{sec, 2 * sec, 4 * sec}},
		{"MIE's compiled retrier", `[{"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.Unknown", "MasExecutionError"], "IntervalSeconds": 2, "MaxAttempts": 2, "BackoffRate": 2}]`,
			repeat(mas, 9), StatusFailed, 3, []time.Duration{2 * sec, 4 * sec}},
		{"success after a retry", `[{"ErrorEquals": ["MasExecutionError"]}]`, []error{mas}, StatusSucceeded, 2, []time.Duration{sec}},
		{"MaxAttempts 0 never retries", `[{"ErrorEquals": ["MasExecutionError"], "MaxAttempts": 0}]`, repeat(mas, 9), StatusFailed, 1, nil},
		{"BackoffRate 1.5", `[{"ErrorEquals": ["MasExecutionError"], "IntervalSeconds": 2, "BackoffRate": 1.5}]`, repeat(mas, 9), StatusFailed, 4,
			[]time.Duration{2 * sec, 3 * sec, 4500 * time.Millisecond}},
		{"MaxDelaySeconds caps the interval", `[{"ErrorEquals": ["MasExecutionError"], "IntervalSeconds": 2, "MaxAttempts": 4, "MaxDelaySeconds": 5}]`,
			repeat(mas, 9), StatusFailed, 5, []time.Duration{2 * sec, 4 * sec, 5 * sec, 5 * sec}},
		{"no retrier matches", `[{"ErrorEquals": ["Other"]}]`, repeat(mas, 9), StatusFailed, 1, nil},
		{"States.ALL retries anything", `[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}]`, repeat(mas, 9), StatusFailed, 2, []time.Duration{sec}},
		{"States.TaskFailed retries a function error", `[{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1}]`, repeat(mas, 9), StatusFailed, 2, []time.Duration{sec}},
		{"Lambda names retry failed invocations", `[{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 1}]`,
			[]error{&InvokeError{Name: LambdaServiceException, Message: "boom"}}, StatusSucceeded, 2, []time.Duration{sec}},
		{"an unnamed invocation failure is Lambda.Unknown", `[{"ErrorEquals": ["Lambda.Unknown"], "MaxAttempts": 1}]`,
			[]error{&InvokeError{Message: "?"}}, StatusSucceeded, 2, []time.Duration{sec}},
		{"other invoker errors are Lambda.SdkClientException", `[{"ErrorEquals": ["Lambda.SdkClientException"], "MaxAttempts": 1}]`,
			[]error{errors.New("connection refused")}, StatusSucceeded, 2, []time.Duration{sec}},
		{"the first matching retrier decides alone", `[{"ErrorEquals": ["MasExecutionError"], "MaxAttempts": 1}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]`,
			repeat(mas, 9), StatusFailed, 2, []time.Duration{sec}},
		{"each retrier counts its own attempts", `[{"ErrorEquals": ["A"], "MaxAttempts": 1}, {"ErrorEquals": ["B"], "MaxAttempts": 1, "IntervalSeconds": 5}]`,
			[]error{functionError("A", ""), functionError("B", ""), functionError("A", "")}, StatusFailed, 3, []time.Duration{sec, 5 * sec}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": ` + tc.retry + `, "End": true}`)
			clock := newFakeClock()
			calls := 0
			out, h := run(t, def, `{}`, failing(&calls, tc.errs...), clock)
			assert.Equal(t, tc.wantStatus, out.Status, out.Cause)
			assert.Equal(t, tc.wantCalls, calls)
			assert.Equal(t, tc.wantWaits, clock.recorded())
			assert.Len(t, h.ofType("LambdaFunctionScheduled"), tc.wantCalls)
			assert.Len(t, h.ofType("TaskStateEntered"), 1, "a retry stays within the state")
		})
	}
}

func TestRetryJitter(t *testing.T) {
	def := machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 4, "MaxAttempts": 20, "JitterStrategy": "FULL"}], "End": true}`)
	clock := newFakeClock()
	calls := 0
	_, _ = run(t, def, `{}`, failing(&calls, repeat(functionError("E", ""), 20)...), clock)
	waits := clock.recorded()
	require.Len(t, waits, 20)
	distinct := map[time.Duration]bool{}
	for i, w := range waits {
		full := time.Duration(4<<i) * time.Second
		assert.True(t, w >= 0 && w <= full, "wait %d: %v not within [0, %v]", i, w, full)
		distinct[w] = true
	}
	assert.Greater(t, len(distinct), 1, "jitter randomizes the waits")
}

func TestRetryCountInContext(t *testing.T) {
	var seen []any
	inv := invokerFunc(func(_ context.Context, _ string, input []byte) ([]byte, error) {
		v, err := decodeJSON(input)
		require.NoError(t, err)
		seen = append(seen, encodeJSON(v))
		if len(seen) < 3 {
			return nil, functionError("E", "")
		}
		return []byte(`{}`), nil
	})
	def := machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", "Parameters": {"n.$": "$$.State.RetryCount"},
		"ResultSelector": {"retries.$": "$$.State.RetryCount"}, "Retry": [{"ErrorEquals": ["E"]}], "End": true}`)
	out, _ := run(t, def, `{}`, inv, nil)
	require.Equal(t, StatusSucceeded, out.Status, out.Cause)
	jsonEq(t, `{"retries": 2}`, out.Output)
	// Like Step Functions, every attempt evaluates Parameters again and sees the current retry count.
	assert.Equal(t, []any{`{"n":0}`, `{"n":1}`, `{"n":2}`}, seen)
}

func TestCatch(t *testing.T) {
	payload := `{"errorMessage": "bad", "errorType": "MasExecutionError", "stackTrace": []}`
	mas := &FunctionError{Payload: []byte(payload)}
	tests := []struct {
		name      string
		fields    string
		err       error
		want      string // output of the execution
		wantError string // when the execution fails instead
	}{
		{"caught after exhausted retries, error at ResultPath", `"Retry": [{"ErrorEquals": ["MasExecutionError"], "MaxAttempts": 2}], "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.Outputs", "Next": "H"}]`,
			mas, `{"in": 1, "Outputs": {"Error": "MasExecutionError", "Cause": ` + jsonString(payload) + `}}`, ""},
		{"ResultPath defaults to $", `"Catch": [{"ErrorEquals": ["MasExecutionError"], "Next": "H"}]`,
			mas, `{"Error": "MasExecutionError", "Cause": ` + jsonString(payload) + `}`, ""},
		{"ResultPath null keeps the input", `"Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": null, "Next": "H"}]`, mas, `{"in": 1}`, ""},
		{"the first matching catcher wins", `"Catch": [{"ErrorEquals": ["Other"], "Next": "E"}, {"ErrorEquals": ["MasExecutionError"], "Next": "H"}, {"ErrorEquals": ["States.ALL"], "Next": "E"}]`,
			mas, `{"Error": "MasExecutionError", "Cause": ` + jsonString(payload) + `}`, ""},
		{"an uncaught error fails the execution", `"Catch": [{"ErrorEquals": ["Other"], "Next": "H"}]`, mas, "", "MasExecutionError"},
		{"a payload without errorType is Lambda.Unknown", `"Catch": [{"ErrorEquals": ["Lambda.Unknown"], "Next": "H"}]`,
			&FunctionError{Payload: []byte(`{"errorMessage": "Task timed out after 3.00 seconds"}`)},
			`{"Error": "Lambda.Unknown", "Cause": "{\"errorMessage\": \"Task timed out after 3.00 seconds\"}"}`, ""},
		{"an invocation failure keeps its name", `"Catch": [{"ErrorEquals": ["Lambda.ResourceNotFoundException"], "Next": "H"}]`,
			&InvokeError{Name: "Lambda.ResourceNotFoundException", Message: "Function not found"},
			`{"Error": "Lambda.ResourceNotFoundException", "Cause": "Function not found"}`, ""},
		{"States.Runtime is never caught", `"TimeoutSecondsPath": "$.missing", "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "H"}, {"ErrorEquals": ["States.ALL"], "Next": "H"}]`,
			nil, "", "States.Runtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := machine(`"S": {"Type": "Task", "Resource": "` + fnA + `", ` + tc.fields + `, "Next": "E"},
				"H": {"Type": "Pass", "End": true}, "E": {"Type": "Fail", "Error": "WrongCatcher"}`)
			calls := 0
			var errs []error
			if tc.err != nil {
				errs = repeat(tc.err, 9)
			}
			out, h := run(t, def, `{"in": 1}`, failing(&calls, errs...), nil)
			if tc.wantError != "" {
				assert.Equal(t, StatusFailed, out.Status)
				assert.Equal(t, tc.wantError, out.Error)
				return
			}
			require.Equal(t, StatusSucceeded, out.Status, out.Cause)
			jsonEq(t, tc.want, out.Output)
			exited := h.ofType("TaskStateExited")
			require.Len(t, exited, 1, "a caught error still exits the task")
			assert.JSONEq(t, tc.want, exited[0].StateExitedEventDetails.Output)
		})
	}
}

func TestFunctionErrorCause(t *testing.T) {
	// The cause is the payload exactly as the function returned it, cut at 32768 characters.
	long := `{"errorType": "E", "errorMessage": "` + repeatString("é", 40000) + `"}`
	tests := []struct {
		name, payload, wantCause string
	}{
		{"kept verbatim", `{"errorMessage":"x",  "errorType":"E"}`, `{"errorMessage":"x",  "errorType":"E"}`},
		{"cut at 32768 characters", long, string([]rune(long)[:32768])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			out, h := run(t, machine(`"S": {"Type": "Task", "Resource": "`+fnA+`", "End": true}`), `{}`,
				failing(&calls, &FunctionError{Payload: []byte(tc.payload)}), nil)
			assert.Equal(t, "E", out.Error)
			assert.Equal(t, tc.wantCause, out.Cause)
			failed := h.ofType("LambdaFunctionFailed")
			require.Len(t, failed, 1)
			assert.Equal(t, &ErrorEventDetails{Error: "E", Cause: tc.wantCause}, failed[0].LambdaFunctionFailedEventDetails)
		})
	}
}

func repeatString(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

func jsonString(s string) string { return encodeJSON(s) }
