package stepfunctions_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/stepfunctions"
)

func TestStatusChangeEventShape(t *testing.T) {
	h := newHarness(t)
	machine := h.create("wf", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"done":true},"End":true}}}`)
	desc := h.run(machine, "run-1", `{"a":1}`)
	arn := aws.ToString(desc.ExecutionArn)
	events := h.events.of(arn)
	require.Len(t, events, 2)

	// Variable members are checked apart, the rest compared whole.
	decode := func(ev stepfunctions.StatusChangeEvent) map[string]any {
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		assert.NotEmpty(t, m["id"])
		at, err := time.Parse(time.RFC3339, m["time"].(string))
		require.NoError(t, err)
		assert.Equal(t, time.UTC, at.Location())
		delete(m, "id")
		delete(m, "time")
		return m
	}
	start, stop := float64(desc.StartDate.UnixMilli()), float64(desc.StopDate.UnixMilli())
	running := decode(events[0])
	assert.Equal(t, map[string]any{
		"version": "0", "detail-type": "Step Functions Execution Status Change", "source": "aws.states",
		"account": account, "region": region, "resources": []any{arn},
		"detail": map[string]any{
			"executionArn": arn, "stateMachineArn": machine, "name": "run-1", "status": "RUNNING",
			"startDate": start, "stopDate": nil,
			"input": `{"a":1}`, "inputDetails": map[string]any{"included": true},
			"output": nil, "outputDetails": nil, "error": nil, "cause": nil,
		},
	}, running)
	succeeded := decode(events[1])
	assert.Equal(t, map[string]any{
		"executionArn": arn, "stateMachineArn": machine, "name": "run-1", "status": "SUCCEEDED",
		"startDate": start, "stopDate": stop,
		"input": `{"a":1}`, "inputDetails": map[string]any{"included": true},
		"output": `{"done":true}`, "outputDetails": map[string]any{"included": true}, "error": nil, "cause": nil,
	}, succeeded["detail"])
}

// A subscriber may call the engine while it handles an event, as MIE's error handler reads the history, and may
// start executions; Wait covers the work it causes.
func TestSubscriberCallsTheEngine(t *testing.T) {
	h := newHarness(t)
	newGate(t, h.reg)
	machine := h.create("wf", taskMachine(h.reg.ARN("work")))
	retry := h.create("retry", passMachine)

	var lastTypes []string
	unsubscribe := h.engine.Subscribe(func(_ context.Context, ev stepfunctions.StatusChangeEvent) {
		if ev.Detail.Status != "FAILED" {
			return
		}
		events, _, err := h.engine.GetExecutionHistory(stepfunctions.GetExecutionHistoryInput{
			ExecutionArn: ev.Detail.ExecutionArn, ReverseOrder: true, MaxResults: 20,
		})
		// The subscriber runs on a goroutine of the engine, where require must not stop the test.
		if assert.NoError(t, err) && assert.NotEmpty(t, events) {
			lastTypes = append(lastTypes, events[0].Type)
		}
		_, err = h.engine.StartExecution(stepfunctions.StartExecutionInput{StateMachineArn: retry, Name: "after-" + ev.Detail.Name})
		assert.NoError(t, err)
	})
	h.run(machine, "run-1", `{"fail":true}`)

	assert.Equal(t, []string{"ExecutionFailed"}, lastTypes)
	after := h.describe("arn:aws:states:us-east-1:123456789012:execution:retry:after-run-1")
	assert.Equal(t, "SUCCEEDED", string(after.Status), "Wait waited for the execution the subscriber started")

	unsubscribe()
	h.run(machine, "run-2", `{"fail":true}`)
	assert.Len(t, lastTypes, 1, "no events after unsubscribing")
}
