package asl

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// CP-14, CP-47: stage Definition texts. The golden files hold the text the original's code produces
// for the same inputs.
func TestStageDefinitionGolden(t *testing.T) {
	unicodeOp := Operation{
		Name: "Détection", Type: "Async", MediaType: "Vidéo",
		StartLambdaArn: "arn:start-é", MonitorLambdaArn: "arn:monitor-🎬",
	}
	unicodeLambdas := Lambdas{Filter: exampleLambdas.Filter, OperatorFailed: "arn:failed-ü", CompleteStage: "arn:complete-ß"}
	tests := []struct {
		name, stage string
		l           Lambdas
		ops         []Operation
		golden      string
	}{
		{"Sync operation", "Prep", exampleLambdas, []Operation{mediainfo}, "stage_prep.golden"},
		{"Async operation", "Analyze", exampleLambdas, []Operation{labelDetect}, "stage_analyze.golden"},
		{"two branches in operation order", "Both", exampleLambdas, []Operation{mediainfo, labelDetect}, "stage_both.golden"},
		{"no operation", "Nothing", exampleLambdas, nil, "stage_empty.golden"},
		// The stage name is substituted raw, then the text is parsed and rendered again: escaped.
		{"non-ASCII names", "Étape 🎬", unicodeLambdas, []Operation{unicodeOp}, "stage_unicode.golden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertGolden(t, tc.golden, mustStage(t, tc.stage, tc.l, tc.ops...))
		})
	}
}

// CP-07, CP-14, CP-47: the stage definitions found in the original's unit-test fixtures
// (test/unit/workflowapi/helper.py), which a deployment of the original produced, are reproduced byte
// for byte from their operations. testdata/original/stages.json lists each stage's inputs as read from
// its text; the fixture texts spell true as True (a Python literal), restored to true in the files.
//
// The fixtures were captured from a deployment of November 2020. The original added the Parallel
// state's Catch (§5.2) a month later (its commit 07a2daa), so the test adds it to the expected text.
func TestStageDefinitionOriginalFixtures(t *testing.T) {
	var fixtures []struct {
		Stage, Filter, OperatorFailed, CompleteStage, Golden string
		Operations                                           []Operation
	}
	require.NoError(t, json.Unmarshal([]byte(readTestdata(t, "original/stages.json")), &fixtures))
	require.Len(t, fixtures, 9)
	for _, f := range fixtures {
		t.Run(f.Stage, func(t *testing.T) {
			fixture := readTestdata(t, "original/"+f.Golden)
			require.True(t, strings.HasSuffix(fixture, "]}}}"), "the fixture ends with the Branches list")
			want := strings.TrimSuffix(fixture, "}}}") + `, "Catch": [{"ErrorEquals": ["States.ALL"], ` +
				`"Next": "Complete Stage ` + f.Stage + `", "ResultPath": "$.Outputs"}]}}}`
			l := Lambdas{Filter: f.Filter, OperatorFailed: f.OperatorFailed, CompleteStage: f.CompleteStage}
			assert.Equal(t, want, mustStage(t, f.Stage, l, f.Operations...))
		})
	}
}

func TestStageDefinitionStructure(t *testing.T) {
	sm, err := Parse(mustStage(t, "Both", exampleLambdas, mediainfo, labelDetect))
	require.NoError(t, err)
	assert.Equal(t, "Both", sm.StartAt)
	assert.Equal(t, []string{"Complete Stage Both", "Both"}, sm.States.Names(), "the completion task comes first")
	completion := state[*Task](t, sm, "Complete Stage Both")
	assert.Equal(t, exampleLambdas.CompleteStage, completion.Resource)
	assert.True(t, completion.End)
	parallel := state[*Parallel](t, sm, "Both")
	assert.Equal(t, "Complete Stage Both", parallel.Next)
	assert.Equal(t, "$.Outputs", parallel.ResultPath)
	assert.Equal(t, []Catcher{{ErrorEquals: []string{"States.ALL"}, Next: "Complete Stage Both", ResultPath: "$.Outputs"}}, parallel.Catch)
	require.Len(t, parallel.Branches, 2)
	assert.Equal(t, "Filter Mediainfo Media Type? (Both)", parallel.Branches[0].StartAt)
	assert.Equal(t, "Filter LabelDetect Media Type? (Both)", parallel.Branches[1].StartAt)
}

func TestStageDefinitionErrors(t *testing.T) {
	t.Run("a stored template that is not a state machine", func(t *testing.T) {
		_, err := StageDefinition("S", []string{`{"stateMachineAsl": "stateMachineAsl"}`}, "arn")
		assert.ErrorContains(t, err, "operation template 1")
	})
	t.Run("a template corrupted by a raw name", func(t *testing.T) {
		op := mediainfo
		op.Name = `Media"info`
		_, err := StageDefinition("S", []string{mustTemplate(t, op, exampleLambdas)}, "arn")
		var syntax *pyjson.SyntaxError
		assert.True(t, errors.As(err, &syntax), "got %v", err)
	})
	t.Run("a stage name that corrupts the text", func(t *testing.T) {
		_, err := StageDefinition(`S"`, []string{mustTemplate(t, mediainfo, exampleLambdas)}, "arn")
		var syntax *pyjson.SyntaxError
		assert.True(t, errors.As(err, &syntax), "got %v", err)
	})
}
