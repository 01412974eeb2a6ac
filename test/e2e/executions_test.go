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

// testOp is an operation on test operators: the stack output keys of its start and monitor Lambdas (monitor empty
// for a Sync operation) and the media type its filter requires (Video when empty).
type testOp struct{ start, monitor, mediaType string }

// defineWorkflow registers operations on test operators (name -> testOp), one stage per
// entry of stages, and a workflow chaining them, all named with one number of this run, and returns the workflow's
// name. A stage of one operation whose name starts with "_" is that (existing) operation's own stage, e.g. _Wait.
func (s *stack) defineWorkflow(t testing.TB, name string, stages [][]string, operations map[string]testOp) string {
	t.Helper()
	ctx := t.Context()
	n := numbered()
	for op, spec := range operations {
		kind := client.OperationSync
		if spec.monitor != "" {
			kind = client.OperationAsync
		}
		mediaType := spec.mediaType
		if mediaType == "" {
			mediaType = "Video"
		}
		_, err := s.workflow.CreateOperation(ctx, client.Operation{
			Name: op + n, Type: kind, Configuration: client.OperationConfiguration{MediaType: mediaType, Enabled: true},
			StartLambdaARN: s.outputs[spec.start], MonitorLambdaARN: s.outputs[spec.monitor],
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

// The original's first end-to-end scenario with test operators standing in for the AI operators: Sync and Async
// operators of every media type, each stage's operators requiring a media type an earlier stage produced, until
// Complete; every operator's metadata and every media type are rolled up into the globals.
func TestMultiStageWorkflowCompletes(t *testing.T) {
	s := newStack(t)
	operations := map[string]testOp{
		"MsVideoSync":       {start: "VideoSyncOKLambda"},
		"MsAudioAsync":      {start: "AudioAsyncOKLambda", monitor: "AudioAsyncOKMonitorLambda"},
		"MsImageSync":       {start: "ImageSyncOKLambda"},
		"MsVideoFailMon":    {start: "VideoAsyncOKLambda", monitor: "VideoAsyncFailMonitorLambda"},
		"MsAudioSync":       {start: "AudioSyncOKLambda", mediaType: "Audio"},
		"MsImageAsync":      {start: "ImageAsyncOKLambda", monitor: "ImageAsyncOKMonitorLambda", mediaType: "Image"},
		"MsTextSync":        {start: "TextSyncOKLambda"},
		"MsTextAsync":       {start: "TextAsyncOKLambda", monitor: "TextAsyncOKMonitorLambda", mediaType: "Text"},
		"MsVideoAsync":      {start: "VideoAsyncOKLambda", monitor: "VideoAsyncOKMonitorLambda"},
		"MsImageSyncOnText": {start: "ImageSyncOKLambda", mediaType: "Text"},
	}
	workflow := s.defineWorkflow(t, "MultiStage", [][]string{
		{"MsVideoSync"},
		{"MsAudioAsync", "MsImageSync"},
		{"MsVideoFailMon", "MsAudioSync", "MsTextSync"},
		{"MsImageAsync", "MsTextAsync"},
		{"MsVideoAsync", "MsImageSyncOnText"},
	}, operations)
	e := s.startExecution(t, workflow, nil)
	visited := map[string]bool{}
	final := s.waitFor(t, e.ID, visited, "Complete", "Error")
	require.Equal(t, "Complete", final.Status, final.Message)
	for status := range visited {
		assert.Contains(t, []string{"Queued", "Started", "Complete"}, status, "the e2e tests' allowed statuses")
	}
	require.NotNil(t, final.Globals)
	for _, mediaType := range []string{"Video", "Audio", "Image", "Text"} {
		assert.Contains(t, final.Globals.Media, mediaType, "every media type is rolled up")
	}
	suffix := strings.TrimPrefix(workflow, "MultiStage")
	for op := range operations {
		meta, ok := final.Globals.MetaData[op+suffix].(map[string]any)
		if assert.True(t, ok, "metadata of %s", op) {
			assert.Equal(t, "Workflow metadata for "+op+suffix, meta["Meta"])
		}
	}
}

// A test operator that returns Status Error fails its stage, and the execution ends Error with the original's
// message (control-plane §8.8).
func TestFailingOperatorEndsInError(t *testing.T) {
	s := newStack(t)
	workflow := s.defineWorkflow(t, "Failing", [][]string{{"FailVideoSync"}}, map[string]testOp{"FailVideoSync": {start: "VideoSyncFailLambda"}})
	e := s.startExecution(t, workflow, nil)
	final := s.waitFor(t, e.ID, nil, "Complete", "Error")
	require.Equal(t, "Error", final.Status)
	// The completion first ends the execution with "stage completed with status Error", then fails it with the
	// message that remains (§8.5 steps 4 to 6).
	want := "Exception while rolling up stage status Stage " + workflow + "Stage1 encountered and error during execution, aborting the workflow"
	for deadline := time.Now().Add(10 * time.Second); final.Message != want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		var err error
		final, err = s.workflow.GetExecution(t.Context(), e.ID)
		require.NoError(t, err)
	}
	assert.Equal(t, "Error", final.Status)
	assert.Equal(t, want, final.Message)
}

func TestWaitAndResume(t *testing.T) {
	s := newStack(t)
	workflow := s.defineWorkflow(t, "WaitResume", [][]string{{"WrVideoSync"}, {"_Wait"}, {"WrVideoSync2"}}, map[string]testOp{
		"WrVideoSync":  {start: "VideoSyncOKLambda"},
		"WrVideoSync2": {start: "VideoSyncOKLambda"},
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
	workflow := s.defineWorkflow(t, "Limited", [][]string{{"LimVideoAsync"}}, map[string]testOp{"LimVideoAsync": {start: "VideoAsyncOKLambda", monitor: "VideoAsyncOKMonitorLambda"}})

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
