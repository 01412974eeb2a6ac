package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// execution is what the tests read of a workflow execution record (control-plane §4.5).
type execution struct {
	ID           string `json:"Id"`
	Status       string `json:"Status"`
	CurrentStage string `json:"CurrentStage"`
	Message      string `json:"Message"`
}

// call sends a signed request to the workflow API's execution routes (R23-R29), which the public client does not
// cover yet, and decodes the answer into out.
func (s *stack) call(t testing.TB, method, path string, body, out any) {
	t.Helper()
	var payload []byte
	if body != nil {
		var err error
		payload, err = json.Marshal(body)
		require.NoError(t, err)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, strings.TrimSuffix(s.outputs["WorkflowApiEndpoint"], "/")+path, bytes.NewReader(payload))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	creds, err := s.aws.Credentials.Retrieve(t.Context())
	require.NoError(t, err)
	sum := sha256.Sum256(payload)
	require.NoError(t, v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), "execute-api", s.aws.Region, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, path, answer)
	require.NoError(t, json.Unmarshal(answer, out), "%s", answer)
}

func (s *stack) startExecution(t testing.TB, workflow string, configuration map[string]any) execution {
	t.Helper()
	body := map[string]any{
		"Name":  workflow,
		"Input": map[string]any{"Media": map[string]any{"Video": map[string]string{"S3Bucket": s.outputs["DataplaneBucket"], "S3Key": "upload/e2e.mp4"}}},
	}
	if configuration != nil {
		body["Configuration"] = configuration
	}
	var e execution
	s.call(t, http.MethodPost, "/workflow/execution", body, &e)
	require.NotEmpty(t, e.ID)
	return e
}

// waitFor polls an execution until it reaches one of the statuses or the test's patience (60 s) runs out;
// visited collects every status seen on the way.
func (s *stack) waitFor(t testing.TB, id string, visited map[string]bool, statuses ...string) execution {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var e execution
		s.call(t, http.MethodGet, "/workflow/execution/"+id, nil, &e)
		if visited != nil {
			visited[e.Status] = true
		}
		for _, want := range statuses {
			if e.Status == want {
				return e
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("execution %s did not reach %v", id, statuses)
	return execution{}
}

// defineWorkflow registers operations on test operators (name -> [start, monitor] output keys), one stage per
// entry of stages, and a workflow chaining them.
func (s *stack) defineWorkflow(t testing.TB, name string, stages [][]string, operations map[string][2]string) {
	t.Helper()
	ctx := t.Context()
	for op, lambdas := range operations {
		kind := client.OperationSync
		if lambdas[1] != "" {
			kind = client.OperationAsync
		}
		_, err := s.workflow.CreateOperation(ctx, client.Operation{
			Name: op, Type: kind, Configuration: client.OperationConfiguration{MediaType: "Video", Enabled: true},
			StartLambdaARN: s.outputs[lambdas[0]], MonitorLambdaARN: s.outputs[lambdas[1]],
		})
		require.NoError(t, err)
	}
	chain := client.WorkflowStages{}
	for i, ops := range stages {
		stage := fmt.Sprintf("%sStage%d", name, i+1)
		if len(ops) == 1 && strings.HasPrefix(ops[0], "_") {
			stage = ops[0] // an operation's own stage, e.g. _Wait
		} else {
			_, err := s.workflow.CreateStage(ctx, client.Stage{Name: stage, Operations: ops})
			require.NoError(t, err)
		}
		ws := client.WorkflowStage{Name: stage, End: i == len(stages)-1}
		if i > 0 {
			chain[i-1].Next = stage
		}
		chain = append(chain, ws)
	}
	_, err := s.workflow.CreateWorkflow(ctx, client.Workflow{Name: name, StartAt: chain[0].Name, Stages: chain})
	require.NoError(t, err)
}

func TestMultiStageWorkflowCompletes(t *testing.T) {
	s := newStack(t)
	s.defineWorkflow(t, "MultiStage", [][]string{{"MsVideoSync"}, {"MsVideoAsync", "MsImageSync"}, {"MsVideoSync2"}}, map[string][2]string{
		"MsVideoSync":  {"VideoSyncOKLambda", ""},
		"MsVideoAsync": {"VideoAsyncOKLambda", "VideoAsyncOKMonitorLambda"},
		"MsImageSync":  {"ImageSyncOKLambda", ""},
		"MsVideoSync2": {"VideoSyncOKLambda", ""},
	})
	e := s.startExecution(t, "MultiStage", nil)
	visited := map[string]bool{}
	final := s.waitFor(t, e.ID, visited, "Complete", "Error")
	assert.Equal(t, "Complete", final.Status, final.Message)
	for status := range visited {
		assert.Contains(t, []string{"Queued", "Started", "Complete"}, status, "the e2e tests' allowed statuses")
	}
}

func TestFailingOperatorEndsInError(t *testing.T) {
	s := newStack(t)
	s.defineWorkflow(t, "Failing", [][]string{{"FailVideoSync"}}, map[string][2]string{"FailVideoSync": {"VideoSyncFailLambda", ""}})
	e := s.startExecution(t, "Failing", nil)
	final := s.waitFor(t, e.ID, nil, "Complete", "Error")
	assert.Equal(t, "Error", final.Status)
}

func TestWaitAndResume(t *testing.T) {
	s := newStack(t)
	s.defineWorkflow(t, "WaitResume", [][]string{{"WrVideoSync"}, {"_Wait"}, {"WrVideoSync2"}}, map[string][2]string{
		"WrVideoSync":  {"VideoSyncOKLambda", ""},
		"WrVideoSync2": {"VideoSyncOKLambda", ""},
	})
	// The Wait operation is registered disabled (infrastructure §6.5); the execution enables it.
	e := s.startExecution(t, "WaitResume", map[string]any{"_Wait": map[string]any{"Wait": map[string]any{"Enabled": true}}})
	waiting := s.waitFor(t, e.ID, nil, "Waiting", "Complete", "Error")
	require.Equal(t, "Waiting", waiting.Status, waiting.Message)
	assert.Equal(t, "_Wait", waiting.CurrentStage)

	var resumed map[string]string
	s.call(t, http.MethodPut, "/workflow/execution/"+e.ID, map[string]string{"WaitingStageName": "_Wait"}, &resumed)
	assert.Equal(t, map[string]string{"Id": e.ID, "Status": "Resumed"}, resumed)
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
	s.defineWorkflow(t, "Limited", [][]string{{"LimVideoAsync"}}, map[string][2]string{"LimVideoAsync": {"VideoAsyncOKLambda", "VideoAsyncOKMonitorLambda"}})

	ids := make([]string, 7)
	for i := range ids {
		ids[i] = s.startExecution(t, "Limited", nil).ID
	}
	maxStarted := 0
	for _, id := range ids {
		ended := false
		for deadline := time.Now().Add(60 * time.Second); !ended && time.Now().Before(deadline); {
			var started []execution
			s.call(t, http.MethodGet, "/workflow/execution/status/Started", nil, &started)
			maxStarted = max(maxStarted, len(started))
			var e execution
			s.call(t, http.MethodGet, "/workflow/execution/"+id, nil, &e)
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
