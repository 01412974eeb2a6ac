package e2e

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// definitions numbers what the tests register: they share one runtime, and `go test -count=N` runs each of them N
// times against it, so every name a test registers carries a number no other registration of the binary has.
var definitions atomic.Int64

// numbered returns the suffix of one registration, e.g. "7".
func numbered() string { return strconv.FormatInt(definitions.Add(1), 10) }

func (s *stack) startExecution(t testing.TB, workflow string, configuration client.ExecutionConfiguration) *client.Execution {
	t.Helper()
	e, err := s.workflow.StartExecution(t.Context(), client.ExecutionRequest{
		Name:          workflow,
		Input:         client.ExecutionInput{Media: map[string]client.S3Object{"Video": {S3Bucket: s.outputs["DataplaneBucket"], S3Key: "upload/e2e.mp4"}}},
		Configuration: configuration,
	})
	require.NoError(t, err)
	require.NotEmpty(t, e.ID)
	return e
}

// waitFor polls an execution until it reaches one of the statuses or the test's patience (60 s) runs out;
// visited collects every status seen on the way.
func (s *stack) waitFor(t testing.TB, id string, visited map[string]bool, statuses ...string) *client.Execution {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		e, err := s.workflow.GetExecution(t.Context(), id)
		require.NoError(t, err)
		if visited != nil {
			visited[e.Status] = true
		}
		if slices.Contains(statuses, e.Status) {
			return e
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("execution %s did not reach %v", id, statuses)
	return nil
}

// defineWorkflow registers operations on test operators (name -> [start, monitor] output keys), one stage per
// entry of stages, and a workflow chaining them, all named with one number of this run, and returns the workflow's
// name. A stage of one operation whose name starts with "_" is that (existing) operation's own stage, e.g. _Wait.
func (s *stack) defineWorkflow(t testing.TB, name string, stages [][]string, operations map[string][2]string) string {
	t.Helper()
	ctx := t.Context()
	n := numbered()
	for op, lambdas := range operations {
		kind := client.OperationSync
		if lambdas[1] != "" {
			kind = client.OperationAsync
		}
		_, err := s.workflow.CreateOperation(ctx, client.Operation{
			Name: op + n, Type: kind, Configuration: client.OperationConfiguration{MediaType: "Video", Enabled: true},
			StartLambdaARN: s.outputs[lambdas[0]], MonitorLambdaARN: s.outputs[lambdas[1]],
		})
		require.NoError(t, err)
	}
	chain := client.WorkflowStages{}
	for i, ops := range stages {
		stage := fmt.Sprintf("%s%sStage%d", name, n, i+1)
		if len(ops) == 1 && strings.HasPrefix(ops[0], "_") {
			stage = ops[0]
		} else {
			names := make([]string, len(ops))
			for j, op := range ops {
				names[j] = op + n
			}
			_, err := s.workflow.CreateStage(ctx, client.Stage{Name: stage, Operations: names})
			require.NoError(t, err)
		}
		ws := client.WorkflowStage{Name: stage, End: i == len(stages)-1}
		if i > 0 {
			chain[i-1].Next = stage
		}
		chain = append(chain, ws)
	}
	_, err := s.workflow.CreateWorkflow(ctx, client.Workflow{Name: name + n, StartAt: chain[0].Name, Stages: chain})
	require.NoError(t, err)
	return name + n
}

func TestMultiStageWorkflowCompletes(t *testing.T) {
	s := newStack(t)
	workflow := s.defineWorkflow(t, "MultiStage", [][]string{{"MsVideoSync"}, {"MsVideoAsync", "MsImageSync"}, {"MsVideoSync2"}}, map[string][2]string{
		"MsVideoSync":  {"VideoSyncOKLambda", ""},
		"MsVideoAsync": {"VideoAsyncOKLambda", "VideoAsyncOKMonitorLambda"},
		"MsImageSync":  {"ImageSyncOKLambda", ""},
		"MsVideoSync2": {"VideoSyncOKLambda", ""},
	})
	e := s.startExecution(t, workflow, nil)
	visited := map[string]bool{}
	final := s.waitFor(t, e.ID, visited, "Complete", "Error")
	assert.Equal(t, "Complete", final.Status, final.Message)
	for status := range visited {
		assert.Contains(t, []string{"Queued", "Started", "Complete"}, status, "the e2e tests' allowed statuses")
	}
}

func TestFailingOperatorEndsInError(t *testing.T) {
	s := newStack(t)
	workflow := s.defineWorkflow(t, "Failing", [][]string{{"FailVideoSync"}}, map[string][2]string{"FailVideoSync": {"VideoSyncFailLambda", ""}})
	e := s.startExecution(t, workflow, nil)
	final := s.waitFor(t, e.ID, nil, "Complete", "Error")
	assert.Equal(t, "Error", final.Status)
}

func TestWaitAndResume(t *testing.T) {
	s := newStack(t)
	workflow := s.defineWorkflow(t, "WaitResume", [][]string{{"WrVideoSync"}, {"_Wait"}, {"WrVideoSync2"}}, map[string][2]string{
		"WrVideoSync":  {"VideoSyncOKLambda", ""},
		"WrVideoSync2": {"VideoSyncOKLambda", ""},
	})
	// The Wait operation is registered disabled (infrastructure §6.5); the execution enables it.
	e := s.startExecution(t, workflow, client.ExecutionConfiguration{"_Wait": {"Wait": {"Enabled": true}}})
	waiting := s.waitFor(t, e.ID, nil, "Waiting", "Complete", "Error")
	require.Equal(t, "Waiting", waiting.Status, waiting.Message)
	assert.Equal(t, "_Wait", waiting.CurrentStage)

	resumed, err := s.workflow.ResumeExecution(t.Context(), e.ID, "_Wait")
	require.NoError(t, err)
	assert.Equal(t, &client.Execution{ID: e.ID, Status: "Resumed"}, resumed)
	final := s.waitFor(t, e.ID, nil, "Complete", "Error")
	assert.Equal(t, "Complete", final.Status, final.Message)
}

func TestConcurrencyLimit(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	require.NoError(t, s.workflow.SetMaxConcurrentWorkflows(ctx, 2))
	t.Cleanup(func() {
		require.NoError(t, s.workflow.SetMaxConcurrentWorkflows(context.WithoutCancel(ctx), 5))
	})
	workflow := s.defineWorkflow(t, "Limited", [][]string{{"LimVideoAsync"}}, map[string][2]string{"LimVideoAsync": {"VideoAsyncOKLambda", "VideoAsyncOKMonitorLambda"}})

	ids := make([]string, 7)
	for i := range ids {
		ids[i] = s.startExecution(t, workflow, nil).ID
	}
	maxStarted := 0
	for _, id := range ids {
		ended := false
		for deadline := time.Now().Add(60 * time.Second); !ended && time.Now().Before(deadline); {
			started, err := s.workflow.ListExecutionsByStatus(ctx, "Started")
			require.NoError(t, err)
			maxStarted = max(maxStarted, len(started))
			e, err := s.workflow.GetExecution(ctx, id)
			require.NoError(t, err)
			if ended = e.Status == "Complete" || e.Status == "Error"; ended {
				assert.Equal(t, "Complete", e.Status, e.Message)
			} else {
				time.Sleep(20 * time.Millisecond)
			}
		}
		require.True(t, ended, "execution %s did not end", id)
	}
	assert.LessOrEqual(t, maxStarted, 2, "never more than MaxConcurrentWorkflows executions Started at once")
	assert.Positive(t, maxStarted)
}
