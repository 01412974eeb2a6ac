package workflowtest

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/operators/sdk"
	"github.com/mie-go/mie-go/operators/sdk/client"
)

// notWaiting is R24's refusal (§14).
const notWaiting = "Workflow status is not 'Waiting' or Current stage doesn't match the request"

// syncOp and asyncOp are operations of Lambdas of the stack; mediaType is what the filter requires of the
// execution's media.
func syncOp(name, mediaType, start string) client.Operation {
	return client.Operation{Name: name, Type: client.OperationSync, StartLambdaARN: start,
		Configuration: client.OperationConfiguration{MediaType: mediaType, Enabled: true}}
}

func asyncOp(name, mediaType, start, monitor string) client.Operation {
	op := syncOp(name, mediaType, start)
	op.Type, op.MonitorLambdaARN = client.OperationAsync, monitor
	return op
}

// register registers operations; each gets its singleton stage `_<Name>`.
func (s *stack) register(ops ...client.Operation) {
	s.t.Helper()
	for _, op := range ops {
		_, err := s.api.CreateOperation(s.t.Context(), op)
		require.NoError(s.t, err, op.Name)
	}
}

// chain creates a workflow running the given stages one after the other.
func (s *stack) chain(name string, stages ...string) {
	s.t.Helper()
	wf := client.Workflow{Name: name, StartAt: stages[0]}
	for i, st := range stages {
		ws := client.WorkflowStage{Name: st, End: i == len(stages)-1}
		if !ws.End {
			ws.Next = stages[i+1]
		}
		wf.Stages = append(wf.Stages, ws)
	}
	_, err := s.api.CreateWorkflow(s.t.Context(), wf)
	require.NoError(s.t, err)
}

// start starts an execution of a workflow on new media and returns its Id.
func (s *stack) start(workflow string, overrides client.ExecutionConfiguration) string {
	s.t.Helper()
	e, err := s.api.StartExecution(s.t.Context(), client.ExecutionRequest{
		Name:          workflow,
		Input:         client.ExecutionInput{Media: map[string]client.S3Object{"Video": {S3Bucket: "media", S3Key: "upload/" + workflow + ".mp4"}}},
		Configuration: overrides,
	})
	require.NoError(s.t, err)
	require.Equal(s.t, sdk.WorkflowStatusQueued, e.Status)
	return e.ID
}

// waitOperation is the Wait operation of the operator library (§8.7): disabled unless an execution enables it.
func (s *stack) waitOperation() client.Operation {
	op := asyncOp("Wait", client.MediaTypeMetadataOnly, s.arn(resources.StartWaitOperationLambda), s.arn(resources.CheckWaitOperationLambda))
	op.Configuration.Enabled = false
	return op
}

// enableWait is the override that makes the Wait operation of stage _Wait pause the execution.
var enableWait = client.ExecutionConfiguration{"_Wait": {"Wait": {"Enabled": true}}}

// stage returns what an execution recorded of one of its stages: its status and its operations' outputs.
func stage(t *testing.T, e *client.Execution, name string) (string, []map[string]any) {
	t.Helper()
	require.NotNil(t, e.Workflow)
	st, ok := e.Workflow.Stages.Stage(name)
	require.True(t, ok, "no stage %s", name)
	var status string
	_, err := st.Extra.Get("Status", &status)
	require.NoError(t, err)
	var outputs []map[string]any
	_, err = st.Extra.Get("Outputs", &outputs)
	require.NoError(t, err)
	return status, outputs
}

// testMedia is the media object a test operator reports for its operation.
func testMedia(operation, lowerType string) client.S3Object {
	return client.S3Object{S3Bucket: "S3BucketFrom" + operation, S3Key: "S3/Key/From/" + operation + "/" + lowerType}
}

// testMeta is the metadata a test operator reports for its operation.
func testMeta(operation string) map[string]any {
	return map[string]any{"Meta": "Workflow metadata for " + operation}
}

// CP-22, CP-24, CP-25 and the engine of §8: a three-stage workflow started through R23 runs to Complete, each
// stage's outputs rolled up into the Globals, an execution override reaching its operator.
func TestThreeStageWorkflow(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.register(
		syncOp("VideoSyncOK", "Video", s.testOperator("video-sync-ok")),
		asyncOp("VideoAsyncOK", "Video", s.testOperator("video-async-ok"), s.testOperator("video-async-ok-monitor")),
		// The filter requires Video; the operator produces Audio.
		syncOp("AudioSyncOK", "Video", s.testOperator("audio-sync-ok")),
		// No Image media: skipped.
		syncOp("ImageSyncOK", "Image", s.testOperator("image-sync-ok")),
		// Runs on the Audio the second stage produced.
		syncOp("TextSyncOK", "Audio", s.testOperator("text-sync-ok")),
	)
	ctx := t.Context()
	for name, ops := range map[string][]string{"Prep": {"VideoSyncOK"}, "Analyze": {"VideoAsyncOK", "AudioSyncOK", "ImageSyncOK"}, "Finish": {"TextSyncOK"}} {
		_, err := s.api.CreateStage(ctx, client.Stage{Name: name, Operations: ops})
		require.NoError(t, err)
	}
	s.chain("Pipeline", "Prep", "Analyze", "Finish")

	id := s.start("Pipeline", client.ExecutionConfiguration{"Finish": {"TextSyncOK": {"TestCustomConfig": "from the request"}}})
	e := s.awaitStatus(id, sdk.WorkflowStatusComplete)

	assert.Equal(t, "End", e.CurrentStage)
	assert.NotEmpty(t, e.StateMachineExecutionARN)
	require.NotNil(t, e.Globals)
	assert.Equal(t, map[string]client.S3Object{
		"Video": testMedia("VideoAsyncOK", "video"),
		"Audio": testMedia("AudioSyncOK", "audio"),
		"Text":  testMedia("TextSyncOK", "text"),
	}, e.Globals.Media, "later stages replace a media type, each stage adds its own")
	withCustom := testMeta("TextSyncOK")
	withCustom["TestCustomConfig"] = "from the request"
	assert.Equal(t, map[string]any{
		"VideoSyncOK":  testMeta("VideoSyncOK"),
		"VideoAsyncOK": testMeta("VideoAsyncOK"),
		"AudioSyncOK":  testMeta("AudioSyncOK"),
		"TextSyncOK":   withCustom,
	}, e.Globals.MetaData)

	for _, name := range []string{"Prep", "Analyze", "Finish"} {
		status, _ := stage(t, e, name)
		assert.Equal(t, sdk.StageStatusComplete, status, name)
	}
	_, outputs := stage(t, e, "Analyze")
	require.Len(t, outputs, 3)
	for i, want := range [][2]string{{"VideoAsyncOK", "Complete"}, {"AudioSyncOK", "Complete"}, {"ImageSyncOK", "Skipped"}} {
		assert.Equal(t, want[0], outputs[i]["Name"], "outputs in branch order")
		assert.Equal(t, want[1], outputs[i]["Status"], want[0])
	}

	done, err := s.api.ListExecutionsByStatus(ctx, sdk.WorkflowStatusComplete)
	require.NoError(t, err)
	require.Len(t, done, 1)
	assert.Equal(t, id, done[0].ID)
	assert.Equal(t, "Pipeline", done[0].Workflow.Name)
}

// CP-26, CP-38: the Wait operation pauses the execution in its stage; R24 refuses to resume it in any other state or
// stage, and resumes it to Complete.
func TestWaitAndResume(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := t.Context()
	s.register(syncOp("VideoSyncOK", "Video", s.testOperator("video-sync-ok")), s.waitOperation(),
		syncOp("TextSyncOK", "Video", s.testOperator("text-sync-ok")))
	s.chain("Paused", "_VideoSyncOK", "_Wait", "_TextSyncOK")

	id := s.start("Paused", enableWait)
	_, err := s.api.ResumeExecution(ctx, id, "_Wait")
	assertNotWaiting(t, err, "a Queued or Started execution")
	e := s.awaitStatus(id, sdk.WorkflowStatusWaiting)
	assert.Equal(t, "_Wait", e.CurrentStage)
	status, _ := stage(t, e, "_VideoSyncOK")
	assert.Equal(t, sdk.StageStatusComplete, status)
	status, _ = stage(t, e, "_TextSyncOK")
	assert.Equal(t, sdk.StageStatusNotStarted, status)

	_, err = s.api.ResumeExecution(ctx, id, "_TextSyncOK")
	assertNotWaiting(t, err, "another stage")
	_, err = s.api.ResumeExecution(ctx, "no-such-execution", "_Wait")
	assertNotWaiting(t, err, "an unknown execution")
	resumed, err := s.api.ResumeExecution(ctx, id, "_Wait")
	require.NoError(t, err)
	assert.Equal(t, client.Execution{ID: id, Status: sdk.WorkflowStatusResumed}, *resumed)
	_, err = s.api.ResumeExecution(ctx, id, "_Wait")
	assertNotWaiting(t, err, "a Resumed execution")

	e = s.awaitStatus(id, sdk.WorkflowStatusComplete)
	assert.Equal(t, "End", e.CurrentStage)
	assert.Equal(t, testMeta("TextSyncOK"), e.Globals.MetaData["TextSyncOK"])
	_, err = s.api.ResumeExecution(ctx, id, "_Wait")
	assertNotWaiting(t, err, "a Complete execution")
}

func assertNotWaiting(t *testing.T, err error, what string) {
	t.Helper()
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr, what)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status, what)
	assert.Equal(t, "BadRequestError", apiErr.Code, what)
	assert.Equal(t, notWaiting, apiErr.Message, what)
}

// §8.8: an operator raising MasExecutionError is retried twice, then OperatorFailed turns the error into its
// output, with the operator's MetaData; the stage fails and the execution ends Error with the original's message,
// in the failed stage.
func TestOperatorRaisesMasExecutionError(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var calls atomic.Int32
	unreadable := s.prefix + "-unreadable"
	s.reg.RegisterFunc(unreadable, func(_ context.Context, event sdk.Operation) (*sdk.Operation, error) {
		calls.Add(1)
		op := sdk.NewOperationHelper(event)
		op.UpdateWorkflowStatus(sdk.OperationStatusError)
		op.AddWorkflowMetadata("UnreadableError", "the media cannot be read")
		return nil, op.MasExecutionError()
	})
	s.register(syncOp("VideoSyncOK", "Video", s.testOperator("video-sync-ok")), syncOp("Unreadable", "Video", s.reg.ARN(unreadable)),
		syncOp("TextSyncOK", "Video", s.testOperator("text-sync-ok")))
	s.chain("Breaks", "_VideoSyncOK", "_Unreadable", "_TextSyncOK")

	id := s.start("Breaks", nil)
	s.awaitStatus(id, sdk.WorkflowStatusError)
	// The stage completion writes Error twice; the second write, with the final Message, ends its state machine.
	s.engine.Wait()
	e := s.execution(id)
	assert.Equal(t, "Exception while rolling up stage status Stage _Unreadable encountered and error during execution, aborting the workflow", e.Message)
	assert.Equal(t, "_Unreadable", e.CurrentStage, "a failed stage with a Next stays the current stage (Q-37)")
	assert.Equal(t, int32(3), calls.Load(), "MasExecutionError is retried twice")

	status, outputs := stage(t, e, "_Unreadable")
	assert.Equal(t, sdk.StageStatusError, status)
	require.Len(t, outputs, 1)
	out := outputs[0]
	assert.Equal(t, "Unreadable", out["Name"])
	assert.Equal(t, sdk.OperationStatusError, out["Status"])
	assert.Equal(t, map[string]any{"UnreadableError": "the media cannot be read"}, out["MetaData"])
	assert.Equal(t, map[string]any{}, out["Media"])
	assert.Equal(t, e.AssetID, out["AssetId"])
	assert.Equal(t, id, out["WorkflowExecutionId"])
	assert.Equal(t, map[string]any{"MediaType": "Video", "Enabled": true}, out["Configuration"])
	assert.Equal(t, "the media cannot be read", e.Globals.MetaData["UnreadableError"], "a failed operation's metadata is rolled up")
	status, _ = stage(t, e, "_TextSyncOK")
	assert.Equal(t, sdk.StageStatusNotStarted, status)
	_, err := s.api.ResumeExecution(t.Context(), id, "_Unreadable")
	assertNotWaiting(t, err, "an Error execution")
}

// CP-33: with MaxConcurrentWorkflows 2, seven queued executions all complete, never more than two state machine
// executions running at once.
func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := t.Context()
	require.NoError(t, s.api.SetMaxConcurrentWorkflows(ctx, 2))
	s.register(asyncOp("VideoAsyncOK", "Video", s.testOperator("video-async-ok"), s.testOperator("video-async-ok-monitor")))
	s.chain("Busy", "_VideoAsyncOK")

	var ids []string
	for range 7 {
		ids = append(ids, s.start("Busy", nil))
	}
	s.await("seven executions Complete", func() bool {
		for _, id := range ids {
			if e := s.execution(id); e.Status != sdk.WorkflowStatusComplete {
				require.NotEqual(t, sdk.WorkflowStatusError, e.Status, e.Message)
				return false
			}
		}
		return true
	})
	assert.LessOrEqual(t, s.engine.MaxConcurrent(), 2)
	assert.Positive(t, s.engine.MaxConcurrent())
}

// CP-33 (§8.1): a Waiting execution holds no slot: with MaxConcurrentWorkflows 1 another execution runs to Complete
// meanwhile, and the resumed one takes the slot back and completes.
func TestWaitingExecutionFreesItsSlot(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := t.Context()
	require.NoError(t, s.api.SetMaxConcurrentWorkflows(ctx, 1))
	s.register(syncOp("VideoSyncOK", "Video", s.testOperator("video-sync-ok")), s.waitOperation())
	s.chain("Paused", "_VideoSyncOK", "_Wait")
	s.chain("Quick", "_VideoSyncOK")

	paused := s.start("Paused", enableWait)
	s.awaitStatus(paused, sdk.WorkflowStatusWaiting)
	quick := s.start("Quick", nil)
	s.awaitStatus(quick, sdk.WorkflowStatusComplete)
	assert.Equal(t, sdk.WorkflowStatusWaiting, s.execution(paused).Status)

	_, err := s.api.ResumeExecution(ctx, paused, "_Wait")
	require.NoError(t, err)
	s.awaitStatus(paused, sdk.WorkflowStatusComplete)
}
