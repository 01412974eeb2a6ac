package stepfunctions_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/asl"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

// The workflow of the acceptance test: three stages, Sync and Async operators, and one operator (Flaky) that only
// runs when its configuration enables it, and then always fails.
var (
	pipelineStages = []string{"Prep", "Analyze", "Finish"}
	pipelineOps    = map[string][]asl.Operation{
		"Prep":    {{Name: "Mediainfo", Type: "Sync", MediaType: "Video"}},
		"Analyze": {{Name: "LabelDetect", Type: "Async", MediaType: "Video"}, {Name: "Flaky", Type: "Sync", MediaType: "Video"}},
		"Finish":  {{Name: "Summary", Type: "Sync", MediaType: "MetadataOnly"}},
	}
)

// operation is the 8-key operation object the filter builds and operators pass on (operator-sdk §2).
type operation struct {
	Name                string         `json:"Name"`
	AssetID             string         `json:"AssetId"`
	WorkflowExecutionID string         `json:"WorkflowExecutionId"`
	Input               stageInput     `json:"Input"`
	Configuration       operatorConfig `json:"Configuration"`
	Status              string         `json:"Status"`
	MetaData            map[string]any `json:"MetaData"`
	Media               map[string]any `json:"Media"`
}

type stageInput struct {
	Media    map[string]any `json:"Media"`
	MetaData map[string]any `json:"MetaData"`
}

type operatorConfig struct {
	MediaType string `json:"MediaType"`
	Enabled   bool   `json:"Enabled"`
}

// stage is the stage object a workflow execution carries from stage to stage (control-plane §4.5).
type stage struct {
	Name                string                    `json:"Name"`
	AssetID             string                    `json:"AssetId"`
	WorkflowExecutionID string                    `json:"WorkflowExecutionId"`
	Input               stageInput                `json:"Input"`
	Configuration       map[string]operatorConfig `json:"Configuration"`
	Status              string                    `json:"Status"`
	Outputs             []operation               `json:"Outputs,omitempty"`
}

// ValueError is the error type of the original's stage completion when a stage failed.
type ValueError struct{ Message string }

func (e *ValueError) Error() string { return e.Message }

// pipeline plays MIE's engine and operator Lambdas for one workflow and records what they were called with.
type pipeline struct {
	flakyEnabled bool

	mu          sync.Mutex
	calls       map[string]int
	completions []stage
	failedInput map[string]any
}

func (p *pipeline) called(fn string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[fn]++
}

func (p *pipeline) count(fn string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[fn]
}

// config is the Configuration of a stage, per operation.
func (p *pipeline) config(stageName string) map[string]operatorConfig {
	out := map[string]operatorConfig{}
	for _, op := range pipelineOps[stageName] {
		out[op.Name] = operatorConfig{MediaType: op.MediaType, Enabled: op.Name != "Flaky" || p.flakyEnabled}
	}
	return out
}

func (p *pipeline) register(reg *lambdainvoke.Registry) {
	// The filter (control-plane §8.4).
	reg.RegisterFunc("filter", func(in struct {
		operation
		StageName, Type string
	}) (operation, error) {
		p.called("filter")
		out := in.operation
		_, hasMedia := out.Input.Media[out.Configuration.MediaType]
		out.Status = "Started"
		if (out.Configuration.MediaType != "MetadataOnly" && !hasMedia) || !out.Configuration.Enabled {
			out.Status = "Skipped"
		}
		out.MetaData, out.Media = map[string]any{}, map[string]any{}
		return out, nil
	})
	complete := func(name string) func(in operation) (operation, error) {
		return func(in operation) (operation, error) {
			p.called(name)
			in.Status = "Complete"
			in.MetaData = map[string]any{in.Name + "Result": name}
			return in, nil
		}
	}
	reg.RegisterFunc("mediainfo", complete("mediainfo"))
	reg.RegisterFunc("summary", complete("summary"))
	reg.RegisterFunc("start-labels", func(in operation) (operation, error) {
		p.called("start-labels")
		in.Status = "Executing"
		in.MetaData = map[string]any{"LabelJobId": "job-1"}
		return in, nil
	})
	// The monitor reports the job done on its second call, after one more turn through the Wait state.
	reg.RegisterFunc("check-labels", func(in operation) (operation, error) {
		p.called("check-labels")
		if p.count("check-labels") >= 2 {
			in.Status = "Complete"
		}
		return in, nil
	})
	reg.RegisterFunc("flaky", func(in operation) (operation, error) {
		p.called("flaky")
		in.Status = "Error"
		in.MetaData = map[string]any{"FlakyError": "the media is unreadable"}
		return operation{}, &MasExecutionError{Output: map[string]any{
			"Name": in.Name, "AssetId": in.AssetID, "WorkflowExecutionId": in.WorkflowExecutionID, "Input": in.Input,
			"Configuration": in.Configuration, "Status": in.Status, "MetaData": in.MetaData, "Media": map[string]any{},
		}}
	})
	// Operator-failed (operator-sdk §7.3): the MetaData of a MasExecutionError comes from its message.
	reg.RegisterFunc("operator-failed", func(in map[string]any) (map[string]any, error) {
		p.called("operator-failed")
		p.mu.Lock()
		p.failedInput = in
		p.mu.Unlock()
		outputs, ok := in["Outputs"].(map[string]any)
		if !ok {
			return in, nil
		}
		var cause struct{ ErrorMessage, ErrorType string }
		if err := json.Unmarshal([]byte(outputs["Cause"].(string)), &cause); err != nil {
			return nil, err
		}
		var failed operation
		if err := json.Unmarshal([]byte(cause.ErrorMessage), &failed); err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, k := range []string{"Name", "AssetId", "WorkflowExecutionId", "Input", "Configuration"} {
			out[k] = in[k]
		}
		out["Status"], out["MetaData"], out["Media"] = "Error", failed.MetaData, map[string]any{}
		return out, nil
	})
	// Stage completion (control-plane §8.5): the next stage object, {} after the last, a ValueError for a stage
	// with a failed operation.
	reg.RegisterFunc("complete-stage", func(in stage) (any, error) {
		p.called("complete-stage")
		p.mu.Lock()
		p.completions = append(p.completions, in)
		p.mu.Unlock()
		for _, out := range in.Outputs {
			if out.Status != "Complete" && out.Status != "Skipped" {
				return nil, &ValueError{Message: fmt.Sprintf("Exception: 'Stage %s encountered and error during execution, aborting the workflow'", in.Name)}
			}
		}
		for i, name := range pipelineStages[:len(pipelineStages)-1] {
			if name == in.Name {
				next := pipelineStages[i+1]
				return stage{
					Name: next, AssetID: in.AssetID, WorkflowExecutionID: in.WorkflowExecutionID,
					Input: in.Input, Configuration: p.config(next), Status: "Started",
				}, nil
			}
		}
		return map[string]any{}, nil
	})
}

// compile builds the workflow's state machine with the compiler of control-plane §5.
func (p *pipeline) compile(t *testing.T, reg *lambdainvoke.Registry) string {
	lambdas := asl.Lambdas{Filter: reg.ARN("filter"), OperatorFailed: reg.ARN("operator-failed"), CompleteStage: reg.ARN("complete-stage")}
	starts := map[string]string{"Mediainfo": "mediainfo", "LabelDetect": "start-labels", "Flaky": "flaky", "Summary": "summary"}
	var stages []asl.WorkflowStage
	for i, name := range pipelineStages {
		var templates []string
		for _, op := range pipelineOps[name] {
			op.StartLambdaArn = reg.ARN(starts[op.Name])
			if op.Type == "Async" {
				op.MonitorLambdaArn = reg.ARN("check-labels")
			}
			text, err := asl.OperationTemplate(op, lambdas)
			require.NoError(t, err)
			templates = append(templates, text)
		}
		definition, err := asl.StageDefinition(name, templates, lambdas.CompleteStage)
		require.NoError(t, err)
		ws := asl.WorkflowStage{Name: name, Definition: definition, End: i == len(pipelineStages)-1}
		if !ws.End {
			ws.Next = new(pipelineStages[i+1])
		}
		stages = append(stages, ws)
	}
	require.NoError(t, asl.CheckShape("Pipeline", stages))
	definition, err := asl.CompileWorkflow("Pipeline", pipelineStages[0], stages, nil)
	require.NoError(t, err)
	return definition
}

// runPipeline compiles the workflow, creates its state machine and runs it to its end on the first stage.
func runPipeline(t *testing.T, flakyEnabled bool) (*harness, *pipeline, string) {
	h := newHarness(t)
	p := &pipeline{flakyEnabled: flakyEnabled, calls: map[string]int{}}
	p.register(h.reg)
	machine := h.create("Pipeline-k3x9qa", p.compile(t, h.reg))
	first := stage{
		Name: "Prep", AssetID: "6d0f", WorkflowExecutionID: "0b8e",
		Input: stageInput{
			Media:    map[string]any{"Video": map[string]any{"S3Bucket": "mie-dataplane", "S3Key": "upload/video.mp4"}},
			MetaData: map[string]any{},
		},
		Configuration: p.config("Prep"), Status: "Started",
	}
	input, err := json.Marshal(first)
	require.NoError(t, err)
	arn := aws.ToString(h.run(machine, "Pipeline0b8e", string(input)).ExecutionArn)
	return h, p, arn
}

// Issue 6 acceptance: a workflow compiled by internal/asl runs to its end in the engine.
func TestCompiledWorkflowSucceeds(t *testing.T) {
	h, p, arn := runPipeline(t, false)

	desc := h.describe(arn)
	require.Equal(t, types.ExecutionStatusSucceeded, desc.Status, "%s: %s", aws.ToString(desc.Error), aws.ToString(desc.Cause))
	assert.JSONEq(t, `{}`, aws.ToString(desc.Output))
	assert.Equal(t, []string{"RUNNING", "SUCCEEDED"}, h.events.statuses(arn))

	for fn, want := range map[string]int{
		"filter": 4, "mediainfo": 1, "start-labels": 1, "check-labels": 2, "flaky": 0, "summary": 1,
		"operator-failed": 0, "complete-stage": 3,
	} {
		assert.Equal(t, want, p.count(fn), fn)
	}
	require.Len(t, p.completions, 3)
	status := func(outputs []operation) map[string]string {
		out := map[string]string{}
		for _, o := range outputs {
			out[o.Name] = o.Status
		}
		return out
	}
	assert.Equal(t, "Prep", p.completions[0].Name)
	assert.Equal(t, map[string]string{"Mediainfo": "Complete"}, status(p.completions[0].Outputs))
	assert.Equal(t, "Analyze", p.completions[1].Name)
	assert.Equal(t, map[string]string{"LabelDetect": "Complete", "Flaky": "Skipped"}, status(p.completions[1].Outputs))
	assert.Equal(t, map[string]any{"LabelJobId": "job-1"}, p.completions[1].Outputs[0].MetaData)
	assert.Equal(t, "Finish", p.completions[2].Name)
	assert.Equal(t, map[string]string{"Summary": "Complete"}, status(p.completions[2].Outputs))
}

// Issue 6 acceptance, CP-40: an operator that raises MasExecutionError is retried by the compiled Retry, then caught into
// the OperatorFailed task with the error and cause operator-failed parses; the stage then fails the execution.
func TestCompiledWorkflowOperatorFails(t *testing.T) {
	h, p, arn := runPipeline(t, true)

	// The first attempt and the two retries of the compiled Retry (MaxAttempts 2).
	assert.Equal(t, 3, p.count("flaky"))
	assert.Equal(t, 1, p.count("operator-failed"))
	require.NotNil(t, p.failedInput)
	outputs, ok := p.failedInput["Outputs"].(map[string]any)
	require.True(t, ok, "the Catch put the error under Outputs: %v", p.failedInput)
	assert.Equal(t, "MasExecutionError", outputs["Error"])
	var cause struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	require.NoError(t, json.Unmarshal([]byte(outputs["Cause"].(string)), &cause))
	assert.Equal(t, "MasExecutionError", cause.ErrorType)
	assert.JSONEq(t, `{"FlakyError":"the media is unreadable"}`, mustJSON(t, mustObject(t, cause.ErrorMessage)["MetaData"]))
	assert.Equal(t, "Flaky", p.failedInput["Name"])
	assert.Equal(t, "Started", p.failedInput["Status"], "the input the failing task entered with")

	require.Len(t, p.completions, 2, "the Finish stage never runs")
	analyze := p.completions[1]
	for _, o := range analyze.Outputs {
		if o.Name == "Flaky" {
			assert.Equal(t, "Error", o.Status)
			assert.Equal(t, map[string]any{"FlakyError": "the media is unreadable"}, o.MetaData)
		}
	}
	assert.Zero(t, p.count("summary"))

	desc := h.describe(arn)
	assert.Equal(t, types.ExecutionStatusFailed, desc.Status)
	assert.Equal(t, "ValueError", aws.ToString(desc.Error))
	assert.Equal(t, []string{"RUNNING", "FAILED"}, h.events.statuses(arn))

	// The history shows the retries and the failure task, as the error handler reads it.
	var flakyFailures, failedTaskEntered int
	for _, ev := range h.history(arn, 20, true) {
		switch {
		case ev.Type == types.HistoryEventTypeLambdaFunctionFailed && aws.ToString(ev.LambdaFunctionFailedEventDetails.Error) == "MasExecutionError":
			flakyFailures++
		case ev.Type == types.HistoryEventTypeTaskStateEntered && aws.ToString(ev.StateEnteredEventDetails.Name) == "Flaky Failed (Analyze)":
			failedTaskEntered++
		}
	}
	assert.Equal(t, 3, flakyFailures)
	assert.Equal(t, 1, failedTaskEntered)
}

func mustObject(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &m))
	return m
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
