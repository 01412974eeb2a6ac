package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// exampleStages are the stages of §5.5 in chain order: Prep = [Mediainfo] -> Analyze = [LabelDetect].
func exampleStages(t testing.TB) []WorkflowStage {
	return []WorkflowStage{
		{Name: "Prep", Next: new("Analyze"), Definition: mustStage(t, "Prep", exampleLambdas, mediainfo)},
		{Name: "Analyze", End: true, Definition: mustStage(t, "Analyze", exampleLambdas, labelDetect)},
	}
}

func mustCompile(t testing.TB, workflow, startAt string, stages []WorkflowStage, timeout *int) string {
	t.Helper()
	require.NoError(t, CheckShape(workflow, stages))
	text, err := CompileWorkflow(workflow, startAt, stages, timeout)
	require.NoError(t, err)
	return text
}

// CP-16, CP-47: the definition of §5.5, whose golden file holds the text the original's code
// (build_workflow) produces for the same stages; it is the document printed in §5.5, on one line.
func TestCompileWorkflowGolden(t *testing.T) {
	assertGolden(t, "workflow_mywf.golden", mustCompile(t, "MyWF", "Prep", exampleStages(t), nil))
}

// CP-16: the definition the original's test_create_workflow asserts in its CreateStateMachine call
// (test/unit/workflowapi/test_workflow.py), from the same stage definitions. Its test_update_workflow
// rebuilds from the same definitions, listed as DynamoDB returned them.
func TestCompileWorkflowOriginalUnitTest(t *testing.T) {
	const want = `{"StartAt": "_testOperationName1", "States": {"_testOperation1": {"Next": "_testOperationName2"}, "_testOperation2": "End"}}`
	stages := []WorkflowStage{
		{
			Name: "_testOperationName1", Next: new("_testOperationName2"),
			Definition: `{"stage":"definition","StartAt":"_testOperationName1","States":{"_testOperation1": {"End":true}}}`,
		},
		{
			Name: "_testOperationName2", End: true,
			Definition: `{"stage":"definition","StartAt":"_testOperationName2","States":{"_testOperation2": "End"}}`,
		},
	}
	assert.Equal(t, want, mustCompile(t, "testWorkflowName", "_testOperationName1", stages, nil))
}

// CP-16: the five-stage workflow of the original's fixtures, compiled from its real stage definitions
// (testdata/original, as stored: without the stage-level Catch of later releases). The golden file is
// the text the original's build_workflow produces for them.
func TestCompileWorkflowOriginalFixtures(t *testing.T) {
	assertGolden(t, "original/CasVideoWorkflow.golden",
		mustCompile(t, "CasVideoWorkflow", "defaultPrelimVideoStage", casVideoStages(t, casChainOrder), nil))
}

// casChainOrder is the CasVideoWorkflow's chain; the original's fixture lists it sorted by name, as
// DynamoDB returned it.
var casChainOrder = []string{
	"defaultPrelimVideoStage", "defaultVideoStage", "defaultAudioStage", "defaultTextStage", "defaultTextSynthesisStage",
}

func casVideoStages(t testing.TB, order []string) []WorkflowStage {
	stages := make([]WorkflowStage, len(order))
	for i, name := range order {
		s := WorkflowStage{Name: name, Definition: readTestdata(t, "original/"+name+".golden")}
		if j := indexOf(casChainOrder, name); j == len(casChainOrder)-1 {
			s.End = true
		} else {
			s.Next = new(casChainOrder[j+1])
		}
		stages[i] = s
	}
	return stages
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// CP-16: the chaining rewrites each completion task but the last one, and nothing else.
func TestCompileWorkflowChaining(t *testing.T) {
	sm, err := Parse(mustCompile(t, "MyWF", "Prep", exampleStages(t), nil))
	require.NoError(t, err)
	assert.Equal(t, "Prep", sm.StartAt)
	assert.Equal(t, []string{"Complete Stage Prep", "Prep", "Complete Stage Analyze", "Analyze"}, sm.States.Names())
	prep := state[*Task](t, sm, "Complete Stage Prep")
	assert.Equal(t, "Analyze", prep.Next)
	assert.False(t, prep.End)
	assert.True(t, state[*Task](t, sm, "Complete Stage Analyze").End)
	assert.Contains(t, mustCompile(t, "MyWF", "Prep", exampleStages(t), nil),
		`"Complete Stage Prep": {"Type": "Task", "Resource": "`+exampleLambdas.CompleteStage+`", "Next": "Analyze"}`,
		"the rewritten task's keys are Type, Resource, Next")
}

// CP-16, §14: the shape errors and their texts, checked in request order before any stage is read.
func TestCheckShape(t *testing.T) {
	tests := []struct {
		name    string
		stages  []WorkflowStage
		wantErr string
		problem ShapeProblem
	}{
		{name: "chain", stages: []WorkflowStage{{Name: "A", Next: new("B")}, {Name: "B", End: true}}},
		{name: "single stage", stages: []WorkflowStage{{Name: "A", End: true}}},
		{name: "an end stage may also have Next", stages: []WorkflowStage{{Name: "A", End: true, Next: new("A")}}},
		{
			name:    "neither End nor Next",
			stages:  []WorkflowStage{{Name: "A", Next: new("B")}, {Name: "B"}},
			wantErr: "Stage B must have either an 'End' or and 'Next' key",
			problem: NoTransition,
		},
		{
			name:    "the first faulty stage is reported before the ends are counted",
			stages:  []WorkflowStage{{Name: "A", End: true}, {Name: "B", End: true}, {Name: "C"}},
			wantErr: "Stage C must have either an 'End' or and 'Next' key",
			problem: NoTransition,
		},
		{
			name:    "no end stage",
			stages:  []WorkflowStage{{Name: "A", Next: new("B")}, {Name: "B", Next: new("A")}},
			wantErr: "Workflow W must have exactly 1 'End' key within its stages",
			problem: EndCount,
		},
		{
			name:    "two end stages",
			stages:  []WorkflowStage{{Name: "A", End: true}, {Name: "B", End: true}},
			wantErr: "Workflow W must have exactly 1 'End' key within its stages",
			problem: EndCount,
		},
		{
			name:    "no stage",
			wantErr: "Workflow W must have exactly 1 'End' key within its stages",
			problem: EndCount,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckShape("W", tc.stages)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			var shape *ShapeError
			require.True(t, errors.As(err, &shape), "got %v", err)
			assert.Equal(t, tc.wantErr, err.Error())
			assert.Equal(t, tc.problem, shape.Problem)
		})
	}
}

// CP-16, §14: a StartAt or Next naming no stage, or a definition lacking a key, is Python's KeyError,
// whose text the handlers wrap as Exception ”<key>”.
func TestCompileWorkflowKeyErrors(t *testing.T) {
	stages := exampleStages(t)
	withoutStartAt := `{"States": {"Complete Stage Analyze": {"Type": "Task", "Resource": "arn", "End": true}}}`
	tests := []struct {
		name    string
		startAt string
		stages  []WorkflowStage
		key     string
	}{
		{"unknown StartAt", "Nope", stages, "Nope"},
		{"unknown Next", "Prep", []WorkflowStage{{Name: "Prep", Next: new("Analyse"), Definition: stages[0].Definition}, stages[1]}, "Analyse"},
		{"non-ASCII stage name", "Étape", stages, "Étape"},
		{"start definition without StartAt", "Analyze", []WorkflowStage{{Name: "Analyze", End: true, Definition: withoutStartAt}}, "StartAt"},
		{"next definition without StartAt", "Prep", []WorkflowStage{stages[0], {Name: "Analyze", End: true, Definition: withoutStartAt}}, "StartAt"},
		{"definition without States", "Prep", []WorkflowStage{stages[0], {Name: "Analyze", End: true, Definition: `{"StartAt": "Analyze"}`}}, "States"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileWorkflow("W", tc.startAt, tc.stages, nil)
			var keyErr *KeyError
			require.True(t, errors.As(err, &keyErr), "got %v", err)
			assert.Equal(t, tc.key, keyErr.Key)
			assert.Equal(t, pyjson.QuoteKey(tc.key), err.Error())
		})
	}
	_, err := CompileWorkflow("W", "Nope", stages, nil)
	assert.EqualError(t, err, "'Nope'")
}

// a Next to a stage listed earlier compiles (the original failed with 'stateMachineAsl'), with
// the states in listing order; stages listed in chain order keep the original's text.
func TestCompileWorkflowBackwardNext(t *testing.T) {
	t.Run("§5.5 listed backwards", func(t *testing.T) {
		forward := exampleStages(t)
		backward := []WorkflowStage{forward[1], forward[0]}
		text := mustCompile(t, "MyWF", "Prep", backward, nil)
		sm, err := Parse(text)
		require.NoError(t, err)
		assert.Equal(t, []string{"Complete Stage Analyze", "Analyze", "Complete Stage Prep", "Prep"}, sm.States.Names())
		assert.Equal(t, "Analyze", state[*Task](t, sm, "Complete Stage Prep").Next)
		assertSameStates(t, mustCompile(t, "MyWF", "Prep", exampleStages(t), nil), text)
		assertGolden(t, "workflow_mywf.golden", mustCompile(t, "MyWF", "Prep", exampleStages(t), nil))
	})
	t.Run("the original's fixture workflow in stored order", func(t *testing.T) {
		sorted := []string{
			"defaultAudioStage", "defaultPrelimVideoStage", "defaultTextStage", "defaultTextSynthesisStage", "defaultVideoStage",
		}
		text := mustCompile(t, "CasVideoWorkflow", "defaultPrelimVideoStage", casVideoStages(t, sorted), nil)
		assertSameStates(t, readTestdata(t, "original/CasVideoWorkflow.golden"), text)
	})
	t.Run("a stage leading to itself", func(t *testing.T) {
		stages := exampleStages(t)
		stages[0].Next = new("Prep")
		sm, err := Parse(mustCompile(t, "MyWF", "Prep", stages, nil))
		require.NoError(t, err)
		assert.Equal(t, "Prep", state[*Task](t, sm, "Complete Stage Prep").Next)
	})
}

// assertSameStates checks that two definitions hold the same StartAt and states, in any order.
func assertSameStates(t *testing.T, want, got string) {
	t.Helper()
	var w, g map[string]any
	require.NoError(t, json.Unmarshal([]byte(want), &w))
	require.NoError(t, json.Unmarshal([]byte(got), &g))
	assert.Equal(t, w, g)
	assert.NotEqual(t, want, got, "the listing order shows in the state order")
}

// CP-16, MIE#271: TimeoutSeconds is emitted only when given, as the last top-level key.
func TestCompileWorkflowTimeoutSeconds(t *testing.T) {
	without := mustCompile(t, "MyWF", "Prep", exampleStages(t), nil)
	assertGolden(t, "workflow_mywf.golden", without)

	with := mustCompile(t, "MyWF", "Prep", exampleStages(t), new(3600))
	assert.Equal(t, strings.TrimSuffix(without, "}")+`, "TimeoutSeconds": 3600}`, with)
	sm, err := Parse(with)
	require.NoError(t, err)
	assert.Equal(t, 3600, sm.TimeoutSeconds)

	for _, bad := range []int{0, -1, 100000000} {
		t.Run(fmt.Sprint(bad), func(t *testing.T) {
			_, err := CompileWorkflow("MyWF", "Prep", exampleStages(t), &bad)
			assert.ErrorContains(t, err, "TimeoutSeconds must be between 1 and 99999999")
		})
	}
}

// Names with non-ASCII characters come out escaped as Python escapes them (\uXXXX, surrogate pairs).
func TestCompileWorkflowNonASCII(t *testing.T) {
	op := Operation{Name: "Détection", Type: "Async", MediaType: "Vidéo", StartLambdaArn: "arn:start-é", MonitorLambdaArn: "arn:monitor-🎬"}
	l := Lambdas{Filter: exampleLambdas.Filter, OperatorFailed: "arn:failed-ü", CompleteStage: "arn:complete-ß"}
	stages := []WorkflowStage{{Name: "Étape 🎬", End: true, Definition: mustStage(t, "Étape 🎬", l, op)}}
	text := mustCompile(t, "Flux", "Étape 🎬", stages, nil)
	assert.True(t, strings.HasPrefix(text, `{"StartAt": "\u00c9tape \ud83c\udfac", "States": {"Complete Stage \u00c9tape \ud83c\udfac"`), text[:80])
	assert.Contains(t, text, `"Name": "D\u00e9tection"`)
	assert.Contains(t, text, `"Resource": "arn:monitor-\ud83c\udfac"`)
	// A single stage compiles to its own definition (the original's text for it: stage_unicode.golden).
	assertGolden(t, "stage_unicode.golden", text)
}

// How the completion task is found among unusual stored states (§16): strings are copied unchanged and
// never chosen.
func TestCompileWorkflowUnusualStates(t *testing.T) {
	end := WorkflowStage{Name: "B", End: true, Definition: `{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}`}
	t.Run("a string state before the completion task", func(t *testing.T) {
		a := WorkflowStage{Name: "A", Next: new("B"), Definition: `{"StartAt": "A", "States": {"x": "End", "y": {"Type": "Pass", "End": true}, "z": {"End": true}}}`}
		got := mustCompile(t, "W", "A", []WorkflowStage{a, end}, nil)
		assert.Equal(t, `{"StartAt": "A", "States": {"x": "End", "y": {"Type": "Pass", "Next": "B"}, "z": {"End": true}, "B": {"Type": "Succeed"}}}`, got)
	})
	t.Run("an existing Next keeps its place", func(t *testing.T) {
		a := WorkflowStage{Name: "A", Next: new("B"), Definition: `{"StartAt": "A", "States": {"y": {"Next": "old", "Type": "Task", "End": true}}}`}
		got := mustCompile(t, "W", "A", []WorkflowStage{a, end}, nil)
		assert.Equal(t, `{"StartAt": "A", "States": {"y": {"Next": "B", "Type": "Task"}, "B": {"Type": "Succeed"}}}`, got)
	})
	t.Run("a later stage replaces a state of the same name in place", func(t *testing.T) {
		a := WorkflowStage{Name: "A", Next: new("B"), Definition: `{"StartAt": "A", "States": {"A": {"End": true}, "B": {"Type": "Fail"}}}`}
		got := mustCompile(t, "W", "A", []WorkflowStage{a, end}, nil)
		assert.Equal(t, `{"StartAt": "A", "States": {"A": {"Next": "B"}, "B": {"Type": "Succeed"}}}`, got)
	})
	t.Run("no completion task", func(t *testing.T) {
		a := WorkflowStage{Name: "A", Next: new("B"), Definition: `{"StartAt": "A", "States": {"x": "End"}}`}
		_, err := CompileWorkflow("W", "A", []WorkflowStage{a, end}, nil)
		assert.EqualError(t, err, "stage A: no top-level state of its definition has an End key to lead to stage B")
	})
}

func TestCompileWorkflowErrors(t *testing.T) {
	stages := exampleStages(t)
	t.Run("invalid definition", func(t *testing.T) {
		_, err := CompileWorkflow("W", "Prep", []WorkflowStage{stages[0], {Name: "Analyze", End: true, Definition: "stageDefinition"}}, nil)
		var syntax *pyjson.SyntaxError
		require.True(t, errors.As(err, &syntax), "got %v", err)
		assert.Equal(t, "Expecting value: line 1 column 1 (char 0)", syntax.Error())
	})
	t.Run("States not an object", func(t *testing.T) {
		_, err := CompileWorkflow("W", "Prep", []WorkflowStage{stages[0], {Name: "Analyze", End: true, Definition: `{"StartAt": "Analyze", "States": []}`}}, nil)
		assert.ErrorContains(t, err, "definition of stage Analyze: States is not an object")
	})
	t.Run("stage listed twice", func(t *testing.T) {
		_, err := CompileWorkflow("W", "Prep", []WorkflowStage{stages[0], stages[0], stages[1]}, nil)
		assert.ErrorContains(t, err, "stage Prep is listed twice")
	})
	t.Run("stored definitions are not modified", func(t *testing.T) {
		before := stages[0].Definition
		mustCompile(t, "W", "Prep", stages, nil)
		assert.Equal(t, before, stages[0].Definition)
	})
}

// BenchmarkCompileWorkflow compiles a 10-stage workflow of 5 operations per stage (target: < 1 ms).
func BenchmarkCompileWorkflow(b *testing.B) {
	stages := make([]WorkflowStage, 10)
	for i := range stages {
		name := fmt.Sprintf("Stage%d", i)
		ops := make([]Operation, 5)
		for j := range ops {
			ops[j] = labelDetect
			ops[j].Name = fmt.Sprintf("Operation%d_%d", i, j)
			if j%2 == 0 {
				ops[j] = mediainfo
				ops[j].Name = fmt.Sprintf("Operation%d_%d", i, j)
			}
		}
		stages[i] = WorkflowStage{Name: name, Definition: mustStage(b, name, exampleLambdas, ops...)}
		if i == len(stages)-1 {
			stages[i].End = true
		} else {
			stages[i].Next = new(fmt.Sprintf("Stage%d", i+1))
		}
	}
	var size int
	for b.Loop() {
		text, err := CompileWorkflow("Bench", "Stage0", stages, nil)
		if err != nil {
			b.Fatal(err)
		}
		size = len(text)
	}
	b.ReportMetric(float64(size), "bytes/definition")
}
