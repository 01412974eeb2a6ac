package stepfunctions_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/stepfunctions"
)

func TestExecutionSucceeds(t *testing.T) {
	h := newHarness(t)
	h.reg.RegisterFunc("double", func(in struct{ N int }) (struct{ N int }, error) { return struct{ N int }{in.N * 2}, nil })
	machine := h.create("wf", taskMachine(h.reg.ARN("double")))

	start, err := h.client.StartExecution(h.ctx(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machine), Name: aws.String("run-1"), Input: aws.String(`{"N":21}`),
	})
	require.NoError(t, err)
	arn := aws.ToString(start.ExecutionArn)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:wf:run-1", arn)
	h.engine.Wait()

	desc := h.describe(arn)
	assert.Equal(t, types.ExecutionStatusSucceeded, desc.Status)
	assert.Equal(t, machine, aws.ToString(desc.StateMachineArn))
	assert.Equal(t, "run-1", aws.ToString(desc.Name))
	assert.Equal(t, `{"N":21}`, aws.ToString(desc.Input))
	assert.JSONEq(t, `{"N":42}`, aws.ToString(desc.Output))
	assert.True(t, start.StartDate.Equal(aws.ToTime(desc.StartDate)))
	require.NotNil(t, desc.StopDate)
	assert.False(t, desc.StopDate.Before(*desc.StartDate))
	assert.Nil(t, desc.Error)

	assert.Equal(t, []string{"RUNNING", "SUCCEEDED"}, h.events.statuses(arn))
	events := h.history(arn, 0, false)
	require.NotEmpty(t, events)
	assert.Equal(t, types.HistoryEventTypeExecutionStarted, events[0].Type)
	assert.Equal(t, types.HistoryEventTypeExecutionSucceeded, events[len(events)-1].Type)
	assert.Contains(t, eventTypes(events), types.HistoryEventTypeLambdaFunctionSucceeded)
}

func TestExecutionFails(t *testing.T) {
	h := newHarness(t)
	newGate(t, h.reg)
	machine := h.create("wf", taskMachine(h.reg.ARN("work")))

	desc := h.run(machine, "run-1", `{"fail":true}`)
	assert.Equal(t, types.ExecutionStatusFailed, desc.Status)
	assert.Equal(t, "MasExecutionError", aws.ToString(desc.Error))
	assert.Contains(t, aws.ToString(desc.Cause), `"errorType":"MasExecutionError"`)
	assert.Nil(t, desc.Output)

	events := h.events.of(aws.ToString(desc.ExecutionArn))
	require.Len(t, events, 2)
	failed := events[1].Detail
	assert.Equal(t, "FAILED", failed.Status)
	assert.Equal(t, "MasExecutionError", *failed.Error)
	assert.Equal(t, aws.ToString(desc.Cause), *failed.Cause)
	assert.Nil(t, failed.Output)
	assert.Equal(t, desc.StopDate.UnixMilli(), *failed.StopDate)
}

func TestExecutionTimesOut(t *testing.T) {
	h := newHarness(t)
	newGate(t, h.reg)
	// The instant clock expires TimeoutSeconds at once, while the task is held.
	machine := h.create("wf", `{"TimeoutSeconds":60,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+
		h.reg.ARN("work")+`","End":true}}}`)

	desc := h.run(machine, "run-1", `{"block":true}`)
	assert.Equal(t, types.ExecutionStatusTimedOut, desc.Status)
	assert.Equal(t, "States.Timeout", aws.ToString(desc.Error))
	assert.Equal(t, []string{"RUNNING", "TIMED_OUT"}, h.events.statuses(aws.ToString(desc.ExecutionArn)))
}

func TestStartExecutionIsIdempotentWhileRunning(t *testing.T) {
	h := newHarness(t)
	g := newGate(t, h.reg)
	machine := h.create("wf", taskMachine(h.reg.ARN("work")))
	start := func(input string) (*sfn.StartExecutionOutput, error) {
		return h.client.StartExecution(h.ctx(), &sfn.StartExecutionInput{
			StateMachineArn: aws.String(machine), Name: aws.String("once"), Input: aws.String(input),
		})
	}

	first, err := start(`{"block":true}`)
	require.NoError(t, err)
	<-g.entered
	again, err := start(`{"block":true}`)
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(first.ExecutionArn), aws.ToString(again.ExecutionArn))
	assert.True(t, first.StartDate.Equal(aws.ToTime(again.StartDate)))
	_, err = start(`{"block":true,"other":1}`)
	requireAPIError[*types.ExecutionAlreadyExists](t, err)

	g.release()
	h.engine.Wait()
	// Once the execution has ended its name is taken, whatever the input.
	_, err = start(`{"block":true}`)
	requireAPIError[*types.ExecutionAlreadyExists](t, err)

	list, err := h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	assert.Len(t, list.Executions, 1)
	assert.Equal(t, []string{"RUNNING", "SUCCEEDED"}, h.events.statuses(aws.ToString(first.ExecutionArn)))
}

func TestStartExecutionRefusals(t *testing.T) {
	h := newHarness(t)
	machine := h.create("wf", passMachine)
	tests := []struct {
		name  string
		in    sfn.StartExecutionInput
		check func(t *testing.T, err error)
	}{
		{
			name:  "name with a slash",
			in:    sfn.StartExecutionInput{Name: aws.String("a/b")},
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidName](t, err) },
		},
		{
			name:  "name with a control character",
			in:    sfn.StartExecutionInput{Name: aws.String("a\u0085b")},
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidName](t, err) },
		},
		{
			name:  "name longer than 80 characters",
			in:    sfn.StartExecutionInput{Name: aws.String(strings.Repeat("é", 81))},
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
		{
			name:  "input that is not JSON",
			in:    sfn.StartExecutionInput{Input: aws.String("{")},
			check: func(t *testing.T, err error) { requireAPIError[*types.InvalidExecutionInput](t, err) },
		},
		{
			name:  "input over 256 KiB",
			in:    sfn.StartExecutionInput{Input: aws.String(`"` + strings.Repeat("x", 256<<10) + `"`)},
			check: func(t *testing.T, err error) { requireAPIError[*types.ValidationException](t, err) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.StateMachineArn = aws.String(machine)
			_, err := h.client.StartExecution(h.ctx(), &in)
			tc.check(t, err)
		})
	}
	list, err := h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	assert.Empty(t, list.Executions, "a refused request starts nothing")
}

func TestStartExecutionDefaults(t *testing.T) {
	h := newHarness(t)
	machine := h.create("wf", passMachine)
	out, err := h.client.StartExecution(h.ctx(), &sfn.StartExecutionInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	h.engine.Wait()
	desc := h.describe(aws.ToString(out.ExecutionArn))
	assert.Len(t, aws.ToString(desc.Name), 36, "a UUID")
	assert.Equal(t, "{}", aws.ToString(desc.Input))
	assert.Equal(t, types.ExecutionStatusSucceeded, desc.Status)
}

func TestStopExecution(t *testing.T) {
	h := newHarness(t)
	g := newGate(t, h.reg)
	machine := h.create("wf", taskMachine(h.reg.ARN("work")))
	arn := h.startExecution(machine, "run-1", `{"block":true}`)
	<-g.entered

	stop, err := h.client.StopExecution(h.ctx(), &sfn.StopExecutionInput{
		ExecutionArn: aws.String(arn), Error: aws.String("Operator.Stop"), Cause: aws.String("stopped by the test"),
	})
	require.NoError(t, err)
	require.NotNil(t, stop.StopDate)
	// ABORTED as soon as StopExecution answers, before the run has unwound.
	desc := h.describe(arn)
	assert.Equal(t, types.ExecutionStatusAborted, desc.Status)
	assert.Equal(t, "Operator.Stop", aws.ToString(desc.Error))
	assert.Equal(t, "stopped by the test", aws.ToString(desc.Cause))
	assert.True(t, stop.StopDate.Equal(aws.ToTime(desc.StopDate)))
	assert.Zero(t, h.engine.Running())
	h.engine.Wait()

	events := h.events.of(arn)
	require.Len(t, events, 2)
	aborted := events[1].Detail
	assert.Equal(t, "ABORTED", aborted.Status)
	assert.Equal(t, "Operator.Stop", *aborted.Error)
	assert.Equal(t, "stopped by the test", *aborted.Cause)
	assert.Equal(t, stop.StopDate.UnixMilli(), *aborted.StopDate)

	history := h.history(arn, 0, true)
	require.NotEmpty(t, history)
	last := history[0]
	assert.Equal(t, types.HistoryEventTypeExecutionAborted, last.Type)
	require.NotNil(t, last.ExecutionAbortedEventDetails)
	assert.Equal(t, "Operator.Stop", aws.ToString(last.ExecutionAbortedEventDetails.Error))
	assert.Equal(t, "stopped by the test", aws.ToString(last.ExecutionAbortedEventDetails.Cause))

	// Stopping an ended execution changes nothing.
	again, err := h.client.StopExecution(h.ctx(), &sfn.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String("Other")})
	require.NoError(t, err)
	assert.True(t, stop.StopDate.Equal(aws.ToTime(again.StopDate)))
	assert.Equal(t, "Operator.Stop", aws.ToString(h.describe(arn).Error))
	assert.Len(t, h.events.of(arn), 2)
}

func TestExecutionArnRefusals(t *testing.T) {
	h := newHarness(t)
	missing := "arn:aws:states:us-east-1:123456789012:execution:wf:missing"
	tests := []struct {
		name  string
		arn   string
		check func(t *testing.T, err error)
	}{
		{name: "unknown", arn: missing, check: func(t *testing.T, err error) {
			e := requireAPIError[*types.ExecutionDoesNotExist](t, err)
			assert.Contains(t, e.ErrorMessage(), missing)
		}},
		{name: "a state machine ARN", arn: "arn:aws:states:us-east-1:123456789012:stateMachine:wf", check: func(t *testing.T, err error) {
			requireAPIError[*types.InvalidArn](t, err)
		}},
		{name: "not an ARN", arn: "run-1", check: func(t *testing.T, err error) {
			requireAPIError[*types.InvalidArn](t, err)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.client.DescribeExecution(h.ctx(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(tc.arn)})
			tc.check(t, err)
			_, err = h.client.StopExecution(h.ctx(), &sfn.StopExecutionInput{ExecutionArn: aws.String(tc.arn)})
			tc.check(t, err)
			_, err = h.client.GetExecutionHistory(h.ctx(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(tc.arn)})
			tc.check(t, err)
		})
	}
	_, err := h.client.StopExecution(h.ctx(), &sfn.StopExecutionInput{
		ExecutionArn: aws.String(missing), Error: aws.String(strings.Repeat("e", 257)),
	})
	requireAPIError[*types.ValidationException](t, err)
}

func TestListExecutions(t *testing.T) {
	h := newHarness(t)
	g := newGate(t, h.reg)
	machine := h.create("wf", taskMachine(h.reg.ARN("work")))
	other := h.create("other", passMachine)
	h.run(other, "elsewhere", "{}")

	h.run(machine, "e0", `{}`)
	h.run(machine, "e1", `{"fail":true}`)
	h.run(machine, "e2", `{}`)
	stopped := h.startExecution(machine, "e3", `{"block":true}`)
	<-g.entered
	_, err := h.client.StopExecution(h.ctx(), &sfn.StopExecutionInput{ExecutionArn: aws.String(stopped)})
	require.NoError(t, err)
	h.startExecution(machine, "e4", `{"block":true}`)
	<-g.entered

	list := func(filter types.ExecutionStatus, pageSize int32) ([]string, int) {
		t.Helper()
		p := sfn.NewListExecutionsPaginator(h.client, &sfn.ListExecutionsInput{
			StateMachineArn: aws.String(machine), StatusFilter: filter, MaxResults: pageSize,
		})
		var names []string
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(h.ctx())
			require.NoError(t, err)
			pages++
			for _, ex := range page.Executions {
				names = append(names, aws.ToString(ex.Name))
				assert.Equal(t, machine, aws.ToString(ex.StateMachineArn))
				assert.Equal(t, ex.Status == types.ExecutionStatusRunning, ex.StopDate == nil)
			}
		}
		return names, pages
	}
	tests := []struct {
		name      string
		filter    types.ExecutionStatus
		pageSize  int32
		want      []string
		wantPages int
	}{
		{name: "all, newest first", want: []string{"e4", "e3", "e2", "e1", "e0"}, wantPages: 1},
		{name: "all, two at a time", pageSize: 2, want: []string{"e4", "e3", "e2", "e1", "e0"}, wantPages: 3},
		{name: "succeeded", filter: types.ExecutionStatusSucceeded, want: []string{"e2", "e0"}, wantPages: 1},
		{name: "succeeded, one at a time", filter: types.ExecutionStatusSucceeded, pageSize: 1, want: []string{"e2", "e0"}, wantPages: 2},
		{name: "failed", filter: types.ExecutionStatusFailed, want: []string{"e1"}, wantPages: 1},
		{name: "aborted", filter: types.ExecutionStatusAborted, want: []string{"e3"}, wantPages: 1},
		{name: "running", filter: types.ExecutionStatusRunning, want: []string{"e4"}, wantPages: 1},
		{name: "timed out", filter: types.ExecutionStatusTimedOut, wantPages: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := list(tc.filter, tc.pageSize)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantPages, pages)
		})
	}

	t.Run("tokens", func(t *testing.T) {
		first, err := h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine), MaxResults: 1})
		require.NoError(t, err)
		require.NotNil(t, first.NextToken)
		// A token belongs to the listing that issued it.
		_, err = h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{
			StateMachineArn: aws.String(machine), StatusFilter: types.ExecutionStatusFailed, NextToken: first.NextToken,
		})
		requireAPIError[*types.InvalidToken](t, err)
		_, err = h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{
			StateMachineArn: aws.String(other), NextToken: first.NextToken,
		})
		requireAPIError[*types.InvalidToken](t, err)
		_, err = h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{
			StateMachineArn: aws.String(machine), NextToken: aws.String("!!"),
		})
		requireAPIError[*types.InvalidToken](t, err)
	})
	t.Run("refusals", func(t *testing.T) {
		_, err := h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{
			StateMachineArn: aws.String(machine), StatusFilter: "SLEEPING",
		})
		requireAPIError[*types.ValidationException](t, err)
		_, err = h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine), MaxResults: 1001})
		requireAPIError[*types.ValidationException](t, err)
	})
}

func TestUpdateAppliesToNewExecutionsOnly(t *testing.T) {
	h := newHarness(t)
	g := newGate(t, h.reg)
	version := func(v string) string {
		return `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + h.reg.ARN("work") +
			`","Next":"V"},"V":{"Type":"Pass","Result":"` + v + `","End":true}}}`
	}
	machine := h.create("wf", version("v1"))
	before := h.startExecution(machine, "before", `{"block":true}`)
	<-g.entered
	_, err := h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(machine), Definition: aws.String(version("v2")),
	})
	require.NoError(t, err)
	after := h.startExecution(machine, "after", `{"block":true}`)
	<-g.entered
	g.release()
	h.engine.Wait()

	assert.Equal(t, `"v1"`, aws.ToString(h.describe(before).Output))
	assert.Equal(t, `"v2"`, aws.ToString(h.describe(after).Output))
}

func TestDeleteStateMachineWithRunningExecutions(t *testing.T) {
	reg := lambdainvoke.NewRegistry(region, account)
	// The run's Wait state outlives the abort, so the deletion waits for it.
	clock := newStubbornClock(t)
	h := newHarnessWith(t, reg, stepfunctions.NewRegistryInvoker(reg), clock)
	machine := h.create("wf", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`)
	arn := h.startExecution(machine, "run-1", `{}`)
	<-clock.entered

	_, err := h.client.DeleteStateMachine(h.ctx(), &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	desc, err := h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	assert.Equal(t, types.StateMachineStatusDeleting, desc.Status)
	assert.Equal(t, types.ExecutionStatusAborted, h.describe(arn).Status)

	_, err = h.client.StartExecution(h.ctx(), &sfn.StartExecutionInput{StateMachineArn: aws.String(machine)})
	requireAPIError[*types.StateMachineDeleting](t, err)
	_, err = h.client.UpdateStateMachine(h.ctx(), &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(machine), Definition: aws.String(passMachine),
	})
	requireAPIError[*types.StateMachineDeleting](t, err)
	_, err = h.client.CreateStateMachine(h.ctx(), &sfn.CreateStateMachineInput{
		Name: aws.String("wf"), Definition: aws.String(passMachine), RoleArn: aws.String(roleArn),
	})
	requireAPIError[*types.StateMachineDeleting](t, err)
	list, err := h.client.ListStateMachines(h.ctx(), &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	assert.Empty(t, list.StateMachines)

	clock.open()
	h.engine.Wait()
	_, err = h.client.DescribeStateMachine(h.ctx(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)})
	requireAPIError[*types.StateMachineDoesNotExist](t, err)
	// The execution stays readable, as its history must be for the error handler.
	assert.Equal(t, types.ExecutionStatusAborted, h.describe(arn).Status)
	assert.Equal(t, []string{"RUNNING", "ABORTED"}, h.events.statuses(arn))
	history := h.history(arn, 0, true)
	assert.Equal(t, types.HistoryEventTypeExecutionAborted, history[0].Type)
}

func TestCloseAbortsAndRefuses(t *testing.T) {
	h := newHarness(t)
	g := newGate(t, h.reg)
	machine := h.create("wf", taskMachine(h.reg.ARN("work")))
	arn := h.startExecution(machine, "run-1", `{"block":true}`)
	<-g.entered

	h.engine.Close()
	assert.Equal(t, types.ExecutionStatusAborted, h.describe(arn).Status)
	assert.Equal(t, []string{"RUNNING", "ABORTED"}, h.events.statuses(arn))
	_, err := h.client.StartExecution(h.ctx(), &sfn.StartExecutionInput{StateMachineArn: aws.String(machine)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ServiceUnavailable")
}

func TestMaxConcurrent(t *testing.T) {
	h := newHarness(t)
	g := newGate(t, h.reg)
	machine := h.create("wf", taskMachine(h.reg.ARN("work")))

	// One after the other: never two at once.
	h.run(machine, "seq-1", `{}`)
	h.run(machine, "seq-2", `{}`)
	assert.Equal(t, 1, h.engine.MaxConcurrent())

	const parallel = 5
	for i := range parallel {
		h.startExecution(machine, "par-"+string(rune('a'+i)), `{"block":true}`)
	}
	for range parallel {
		<-g.entered
	}
	assert.Equal(t, parallel, h.engine.Running())
	g.release()
	h.engine.Wait()
	assert.Equal(t, parallel, h.engine.MaxConcurrent())
	assert.Zero(t, h.engine.Running())

	list, err := h.client.ListExecutions(h.ctx(), &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(machine), StatusFilter: types.ExecutionStatusSucceeded,
	})
	require.NoError(t, err)
	assert.Len(t, list.Executions, parallel+2)
}

func TestUnsupportedDefinitionsAreRefusedAtCreate(t *testing.T) {
	tests := []struct {
		name, definition, mentions string
	}{
		{
			name:       "Map state",
			definition: `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			mentions:   "Map",
		},
		{
			name:       "intrinsic function",
			definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"States.Format('{}', $.a)"},"End":true}}}`,
			mentions:   "States.Format",
		},
		{
			name:       "missing transition target",
			definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"Nowhere"}}}`,
			mentions:   "Nowhere",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			_, err := h.client.CreateStateMachine(h.ctx(), &sfn.CreateStateMachineInput{
				Name: aws.String("wf"), Definition: aws.String(tc.definition), RoleArn: aws.String(roleArn),
			})
			e := requireAPIError[*types.InvalidDefinition](t, err)
			assert.Contains(t, e.ErrorMessage(), tc.mentions)
		})
	}
}

func eventTypes(events []types.HistoryEvent) []types.HistoryEventType {
	out := make([]types.HistoryEventType, len(events))
	for i, ev := range events {
		out[i] = ev.Type
	}
	return out
}
