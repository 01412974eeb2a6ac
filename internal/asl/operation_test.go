package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// CP-07, CP-47: the stored StateMachineAsl texts. The golden files hold the text the original's code
// produces for the same inputs (its create_operation_asl and substitution steps, run on these inputs).
func TestOperationTemplateGolden(t *testing.T) {
	tests := []struct {
		name   string
		op     Operation
		l      Lambdas
		golden string
	}{
		{"sync", mediainfo, exampleLambdas, "operation_sync.golden"},
		{"async", labelDetect, exampleLambdas, "operation_async.golden"},
		{
			// Names are inserted raw, after rendering: non-ASCII stays unescaped in the stored text.
			name: "non-ASCII values",
			op: Operation{
				Name: "Détection", Type: "Async", MediaType: "Vidéo",
				StartLambdaArn: "arn:start-é", MonitorLambdaArn: "arn:monitor-🎬",
			},
			l:      Lambdas{Filter: exampleLambdas.Filter, OperatorFailed: "arn:failed-ü"},
			golden: "operation_unicode.golden",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := OperationTemplate(tc.op, tc.l)
			require.NoError(t, err)
			assertGolden(t, tc.golden, got)
		})
	}
}

// CP-07, CP-40, Q-39: the branch's structure (its failure state is the OperatorFailed task), checked through the model so that it does not depend on a
// golden file.
func TestOperationTemplateStructure(t *testing.T) {
	for _, tc := range []struct {
		op    Operation
		async bool
	}{{mediainfo, false}, {labelDetect, true}} {
		t.Run(tc.op.Name, func(t *testing.T) {
			sm, err := Parse(mustTemplate(t, tc.op, exampleLambdas))
			require.NoError(t, err)
			n := branchStateNames(tc.op.Name, StageNamePlaceholder)
			assert.Equal(t, n.filter, sm.StartAt)
			want := []string{n.filter, n.skip, n.notStarted, n.execute, n.complete, n.failed, n.succeeded}
			if tc.async {
				want = []string{n.filter, n.skip, n.notStarted, n.execute, n.wait, n.status, n.complete, n.failed, n.succeeded}
			}
			assert.Equal(t, want, sm.States.Names())

			filter := state[*Task](t, sm, n.filter)
			assert.Equal(t, exampleLambdas.Filter, filter.Resource)
			params, err := pyjson.Compact(filter.Parameters)
			require.NoError(t, err)
			assert.Equal(t, `{"StageName.$":"$.Name","Name":"`+tc.op.Name+`","Input.$":"$.Input",`+
				`"Configuration.$":"$.Configuration.`+tc.op.Name+`","AssetId.$":"$.AssetId",`+
				`"WorkflowExecutionId.$":"$.WorkflowExecutionId","Type":"Video","Status":"$.Status"}`, string(params))

			execute := state[*Task](t, sm, n.execute)
			assert.Equal(t, tc.op.StartLambdaArn, execute.Resource)
			failed := state[*Task](t, sm, n.failed)
			assert.Equal(t, exampleLambdas.OperatorFailed, failed.Resource)
			assert.True(t, failed.End)
			assert.Empty(t, failed.Catch, "operator-failed has no Catch")
			for _, task := range []*Task{filter, execute, failed} {
				require.Len(t, task.Retry, 1)
				assert.Equal(t, []string{"Lambda.ServiceException", "Lambda.AWSLambdaException",
					"Lambda.SdkClientException", "Lambda.Unknown", "MasExecutionError"}, task.Retry[0].ErrorEquals)
				assert.Equal(t, 2, task.Retry[0].IntervalSeconds)
				assert.Equal(t, 2, *task.Retry[0].MaxAttempts)
				assert.Equal(t, pyjson.Number("2"), task.Retry[0].BackoffRate)
			}
			for _, task := range []*Task{filter, execute} {
				assert.Equal(t, []Catcher{{ErrorEquals: []string{"States.ALL"}, Next: n.failed, ResultPath: "$.Outputs"}}, task.Catch)
			}
			complete := state[*Choice](t, sm, n.complete)
			assert.Equal(t, n.failed, complete.Default)
			if tc.async {
				assert.Equal(t, n.wait, execute.Next)
				assert.Equal(t, 10, *state[*Wait](t, sm, n.wait).Seconds)
				monitor := state[*Task](t, sm, n.status)
				assert.Equal(t, tc.op.MonitorLambdaArn, monitor.Resource)
				assert.Empty(t, monitor.ResultPath)
				require.Len(t, complete.Choices, 2)
				assert.Equal(t, ChoiceRule{Variable: "$.Status", Operator: "StringEquals", Value: "Executing", Next: n.wait}, complete.Choices[0])
			} else {
				assert.Equal(t, n.complete, execute.Next)
				require.Len(t, complete.Choices, 1)
			}
			assert.Equal(t, ChoiceRule{Variable: "$.Status", Operator: "StringEquals", Value: "Complete", Next: n.succeeded},
				complete.Choices[len(complete.Choices)-1])
		})
	}
}

// state returns the state called name, which must have type S.
func state[S State](t *testing.T, sm *StateMachine, name string) S {
	t.Helper()
	s, ok := sm.States.Get(name)
	require.True(t, ok, "no state %q", name)
	typed, ok := s.(S)
	require.True(t, ok, "state %q is a %T", name, s)
	return typed
}

// §5.1 step 2: values are substituted as plain text, in the original's order.
func TestOperationTemplateSubstitution(t *testing.T) {
	t.Run("any type but Async builds the Sync branch", func(t *testing.T) {
		op := mediainfo
		op.Type = "sync"
		assert.Equal(t, mustTemplate(t, mediainfo, exampleLambdas), mustTemplate(t, op, exampleLambdas))
	})
	t.Run("the Sync branch ignores the monitor ARN", func(t *testing.T) {
		op := mediainfo
		op.MonitorLambdaArn = "arn:unused"
		assert.NotContains(t, mustTemplate(t, op, exampleLambdas), "arn:unused")
	})
	t.Run("the name is substituted first, so placeholders inside it are substituted too", func(t *testing.T) {
		op := mediainfo
		op.Name = "X%%OPERATION_MEDIA_TYPE%%"
		assert.Contains(t, mustTemplate(t, op, exampleLambdas), `"Name": "XVideo"`)
	})
	t.Run("values are inserted without JSON escaping", func(t *testing.T) {
		op := mediainfo
		op.MediaType = `Vi"deo`
		text := mustTemplate(t, op, exampleLambdas)
		assert.Contains(t, text, `"Type": "Vi"deo"`)
		_, err := pyjson.Decode([]byte(text))
		assert.Error(t, err, "the original stores such a text; it fails when a stage is built from it")
	})
	t.Run("the filter ARN is rendered as JSON", func(t *testing.T) {
		l := exampleLambdas
		l.Filter = `arn:"quoted"`
		assert.Contains(t, mustTemplate(t, mediainfo, l), `"Resource": "arn:\"quoted\""`)
	})
}
