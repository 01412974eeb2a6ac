package interp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWait(t *testing.T) {
	wait := func(fields string) string {
		return machine(`"S": {"Type": "Wait", ` + fields + `, "End": true}`)
	}
	// The fake clock starts at 2026-11-24T10:00:00Z.
	tests := []struct {
		name, def, input string
		want             []time.Duration
	}{
		{"Seconds", wait(`"Seconds": 10`), `{}`, []time.Duration{10 * time.Second}},
		{"Seconds zero does not wait", wait(`"Seconds": 0`), `{}`, nil},
		{"SecondsPath", wait(`"SecondsPath": "$.s"`), `{"s": 7}`, []time.Duration{7 * time.Second}},
		{"SecondsPath reads the effective input", wait(`"InputPath": "$.in", "SecondsPath": "$.s"`), `{"in": {"s": 3}}`, []time.Duration{3 * time.Second}},
		{"Timestamp in the future", wait(`"Timestamp": "2026-11-24T10:01:30Z"`), `{}`, []time.Duration{90 * time.Second}},
		{"Timestamp with an offset", wait(`"Timestamp": "2026-11-24T11:00:00.5+01:00"`), `{}`, []time.Duration{500 * time.Millisecond}},
		{"Timestamp in the past does not wait", wait(`"Timestamp": "2016-03-14T01:59:00Z"`), `{}`, nil},
		{"TimestampPath", wait(`"TimestampPath": "$.at"`), `{"at": "2026-11-24T10:00:02Z"}`, []time.Duration{2 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			out, h := run(t, tc.def, tc.input, nil, clock)
			require.Equal(t, StatusSucceeded, out.Status, out.Cause)
			assert.Equal(t, tc.want, clock.recorded())
			assert.Equal(t, []string{"ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"}, h.types())
		})
	}
}

func TestWaitOutputIsItsInput(t *testing.T) {
	out, _ := run(t, machine(`"S": {"Type": "Wait", "Seconds": 1, "OutputPath": "$.a", "End": true}`), `{"a": {"b": 1}}`, nil, nil)
	jsonEq(t, `{"b": 1}`, out.Output)
}

func TestWaitFailures(t *testing.T) {
	wait := func(fields string) string {
		return machine(`"S": {"Type": "Wait", ` + fields + `, "End": true}`)
	}
	const prefix = "An error occurred while executing the state 'S' (entered at the event id #2). "
	tests := []struct {
		name, def, input, wantCause string
	}{
		{"SecondsPath selects nothing", wait(`"SecondsPath": "$.input.waitSeconds"`), `{}`,
			prefix + "The SecondsPath parameter does not reference an input value: $.input.waitSeconds"},
		{"SecondsPath not an integer", wait(`"SecondsPath": "$.s"`), `{"s": 1.5}`,
			prefix + "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"},
		{"SecondsPath negative", wait(`"SecondsPath": "$.s"`), `{"s": -1}`,
			prefix + "The SecondsPath parameter references a negative value: $.s == -1"},
		{"SecondsPath too long", wait(`"SecondsPath": "$.s"`), `{"s": 2147483648}`, prefix + "Wait state delay is too long."},
		{"TimestampPath not a timestamp", wait(`"TimestampPath": "$.at"`), `{"at": "2016-12-05 21:29:29Z"}`,
			prefix + "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.at == 2016-12-05 21:29:29Z"},
		{"TimestampPath selects nothing", wait(`"TimestampPath": "$.at"`), `{}`,
			prefix + "The TimestampPath parameter does not reference an input value: $.at"},
		{"Timestamp too far away", wait(`"Timestamp": "2199-01-01T00:00:00Z"`), `{}`, prefix + "Wait state delay is too long."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := run(t, tc.def, tc.input, nil, nil)
			assert.Equal(t, StatusFailed, out.Status)
			assert.Equal(t, "States.Runtime", out.Error)
			assert.Equal(t, tc.wantCause, out.Cause)
		})
	}
}
