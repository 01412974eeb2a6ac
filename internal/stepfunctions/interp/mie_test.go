package interp

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ARNs of testdata/mywf.asl.json, the compiled workflow of control-plane §5.5.
const (
	arnFilter        = "arn:aws:lambda:us-east-1:111122223333:function:mie-FilterOperationLambda-AAAA"
	arnOperatorFail  = "arn:aws:lambda:us-east-1:111122223333:function:mie-OperatorFailedLambda-BBBB"
	arnCompleteStage = "arn:aws:lambda:us-east-1:111122223333:function:mie-CompleteStageLambda-CCCC"
	arnMediainfo     = "arn:aws:lambda:us-east-1:111122223333:function:mie-OperatorLibrary-X-Mediainfo-DDDD"
	arnStartLabels   = "arn:aws:lambda:us-east-1:111122223333:function:my-start-labels"
	arnCheckLabels   = "arn:aws:lambda:us-east-1:111122223333:function:my-check-labels"
)

// stageObject is the stage object MIE passes between stages (control-plane §5.6).
func stageObject(name string, operation string, last bool) map[string]any {
	s := map[string]any{
		"Name":                name,
		"Input":               map[string]any{"Media": map[string]any{"Video": map[string]any{"S3Bucket": "b", "S3Key": "k.mp4"}}, "MetaData": map[string]any{}},
		"Configuration":       map[string]any{operation: map[string]any{"MediaType": "Video", "Enabled": true}},
		"AssetId":             "asset-1",
		"WorkflowExecutionId": "wfx-1",
		"Status":              "Started",
	}
	if last {
		s["End"] = true
	} else {
		s["Next"] = "Analyze"
	}
	return s
}

// withStatus copies an operation output object with a new Status.
func withStatus(in map[string]any, status string) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	out["Status"] = status
	return out
}

// mieLambdas fakes the workflow's functions: the filter and completion Lambdas as control-plane §8.4/§8.5
// describe them, the operators as given.
func mieLambdas(mediainfo func(map[string]any) (any, error)) *fakeLambdas {
	var mu sync.Mutex
	checks := 0
	return &fakeLambdas{handlers: map[string]func(map[string]any) (any, error){
		arnFilter: func(in map[string]any) (any, error) {
			return map[string]any{
				"Name": in["Name"], "AssetId": in["AssetId"], "WorkflowExecutionId": in["WorkflowExecutionId"],
				"Input": in["Input"], "Configuration": in["Configuration"], "Status": "Started",
				"MetaData": map[string]any{}, "Media": map[string]any{},
			}, nil
		},
		arnMediainfo:   mediainfo,
		arnStartLabels: func(in map[string]any) (any, error) { return withStatus(in, "Executing"), nil },
		arnCheckLabels: func(in map[string]any) (any, error) {
			mu.Lock()
			defer mu.Unlock()
			if checks++; checks < 2 {
				return withStatus(in, "Executing"), nil
			}
			return withStatus(in, "Complete"), nil
		},
		arnOperatorFail: func(in map[string]any) (any, error) {
			outputs, ok := in["Outputs"].(map[string]any)
			if !ok {
				return in, nil
			}
			var cause struct{ ErrorMessage string }
			if err := json.Unmarshal([]byte(outputs["Cause"].(string)), &cause); err != nil {
				return nil, err
			}
			var failed map[string]any
			if err := json.Unmarshal([]byte(cause.ErrorMessage), &failed); err != nil {
				return nil, err
			}
			out := withStatus(in, "Error")
			delete(out, "Outputs")
			out["MetaData"] = failed["MetaData"]
			return out, nil
		},
		arnCompleteStage: func(in map[string]any) (any, error) {
			for _, o := range in["Outputs"].([]any) {
				if s := o.(map[string]any)["Status"]; s != "Complete" && s != "Skipped" {
					return nil, functionError("ValueError", "Exception: 'Stage "+in["Name"].(string)+" encountered and error during execution, aborting the workflow'")
				}
			}
			if in["Name"] == "Prep" {
				return stageObject("Analyze", "LabelDetect", true), nil
			}
			return map[string]any{}, nil
		},
	}}
}

func mieMachine(t *testing.T) *Machine {
	t.Helper()
	def, err := os.ReadFile("testdata/mywf.asl.json")
	require.NoError(t, err)
	m, err := Parse(string(def))
	require.NoError(t, err)
	return m
}

func mieInput(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(stageObject("Prep", "Mediainfo", false))
	require.NoError(t, err)
	return string(b)
}

func TestMIEWorkflowSucceeds(t *testing.T) {
	lambdas := mieLambdas(func(in map[string]any) (any, error) { return withStatus(in, "Complete"), nil })
	clock := newFakeClock()
	out, h := runMachine(t.Context(), mieMachine(t), mieInput(t), lambdas, clock)

	require.Equal(t, StatusSucceeded, out.Status, out.Cause)
	assert.Equal(t, `{}`, string(out.Output), "the last completion task's output")
	assert.Equal(t, []time.Duration{10 * time.Second, 10 * time.Second}, clock.recorded(), "two polls of the async operator")

	filters := lambdas.callsTo(arnFilter)
	require.Len(t, filters, 2)
	assert.Equal(t, map[string]any{
		"StageName": "Prep", "Name": "Mediainfo", "Input": stageObject("Prep", "", false)["Input"],
		"Configuration": map[string]any{"MediaType": "Video", "Enabled": true}, "AssetId": "asset-1",
		"WorkflowExecutionId": "wfx-1", "Type": "Video", "Status": "$.Status",
	}, filters[0], "the filter's Parameters, with the literal \"$.Status\"")

	completions := lambdas.callsTo(arnCompleteStage)
	require.Len(t, completions, 2)
	prep := completions[0]
	assert.Equal(t, "Prep", prep["Name"])
	require.Len(t, prep["Outputs"], 1)
	assert.Equal(t, "Complete", prep["Outputs"].([]any)[0].(map[string]any)["Status"])
	assert.Equal(t, "Mediainfo", prep["Outputs"].([]any)[0].(map[string]any)["Name"])
	analyze := completions[1]
	assert.Equal(t, "Analyze", analyze["Name"])
	assert.Equal(t, "Complete", analyze["Outputs"].([]any)[0].(map[string]any)["Status"])
	assert.Len(t, lambdas.callsTo(arnCheckLabels), 2)
	assert.Empty(t, lambdas.callsTo(arnOperatorFail))
	assert.Equal(t, "ExecutionSucceeded", h.types()[len(h.events)-1])
}

func TestMIEWorkflowOperatorError(t *testing.T) {
	failedOutput := `{"Name": "Mediainfo", "Status": "Error", "MetaData": {"MediainfoError": "File does not contain valid video"}}`
	payload := `{"errorMessage": ` + jsonString(failedOutput) + `, "errorType": "MasExecutionError", "stackTrace": []}`
	lambdas := mieLambdas(func(map[string]any) (any, error) { return nil, &FunctionError{Payload: []byte(payload)} })
	clock := newFakeClock()
	out, h := runMachine(t.Context(), mieMachine(t), mieInput(t), lambdas, clock)

	// Retried per the compiled Retry (2 more attempts, 2 s then 4 s apart), then caught into the failure task.
	assert.Len(t, lambdas.callsTo(arnMediainfo), 3)
	assert.Equal(t, []time.Duration{2 * time.Second, 4 * time.Second}, clock.recorded()[:2])
	failures := lambdas.callsTo(arnOperatorFail)
	require.Len(t, failures, 1)
	assert.Equal(t, map[string]any{"Error": "MasExecutionError", "Cause": payload}, failures[0]["Outputs"])
	assert.Equal(t, "Mediainfo", failures[0]["Name"], "the failure task gets the failing task's input plus Outputs")
	assert.Equal(t, "Started", failures[0]["Status"])

	completions := lambdas.callsTo(arnCompleteStage)
	require.Len(t, completions, 1)
	opOut := completions[0]["Outputs"].([]any)[0].(map[string]any)
	assert.Equal(t, "Error", opOut["Status"])
	assert.Equal(t, map[string]any{"MediainfoError": "File does not contain valid video"}, opOut["MetaData"])

	// The completion task fails the stage, and with it the execution (control-plane §8.5 step 6).
	assert.Equal(t, StatusFailed, out.Status)
	assert.Equal(t, "ValueError", out.Error)
	assert.Contains(t, out.Cause, "Stage Prep encountered and error during execution")
	assert.Len(t, h.ofType("LambdaFunctionFailed"), 4)
	execFailed := h.ofType("ExecutionFailed")
	require.Len(t, execFailed, 1)
	assert.Equal(t, out.Cause, execFailed[0].ExecutionFailedEventDetails.Cause,
		"the error handler reads the cause of the ...Failed events (control-plane §9.6)")
	assert.Empty(t, lambdas.callsTo(arnStartLabels), "the second stage never starts")
}
