package asl

import (
	"fmt"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// stageCompletion is the "Complete Stage <s>" task. Unlike Task it writes End after Resource, the
// original's key order for this state (§5.2), which is part of the stored text.
type stageCompletion struct {
	Type     taskType `json:"Type"`
	Resource string   `json:"Resource"`
	End      bool     `json:"End"`
}

// StateType implements State.
func (*stageCompletion) StateType() string { return "Task" }

// CompletionStateName returns the name of the task that ends stage s and leads to the next stage.
func CompletionStateName(stage string) string { return "Complete Stage " + stage }

// StageDefinition returns the stage Definition text (§5.2, CP-14) built from the operations' stored
// StateMachineAsl texts, in branch order: the completion task, then one Parallel state named after the
// stage, with one branch per operation and a Catch that still leads to the completion task.
//
// As the original does, it renders the document, replaces every %%STAGE_NAME%% by the stage name as
// plain text, then parses the result and renders it again (so names come out JSON-escaped).
func StageDefinition(stage string, operationTemplates []string, completeStageArn string) (string, error) {
	branches := make([]StateMachine, len(operationTemplates))
	for i, t := range operationTemplates {
		b, err := Parse(t)
		if err != nil {
			return "", fmt.Errorf("stage %s: operation template %d: %w", stage, i+1, err)
		}
		branches[i] = *b
	}
	completion := CompletionStateName(stage)
	var states States
	states.Set(completion, &stageCompletion{Resource: completeStageArn, End: true})
	states.Set(stage, &Parallel{
		Next:       completion,
		ResultPath: operationOutputsPath,
		Branches:   branches,
		Catch:      []Catcher{{ErrorEquals: []string{catchAllErrors}, Next: completion, ResultPath: operationOutputsPath}},
	})
	text, err := pyjson.Python(&StateMachine{StartAt: stage, States: states})
	if err != nil {
		return "", fmt.Errorf("render stage %s: %w", stage, err)
	}
	substituted := strings.ReplaceAll(string(text), StageNamePlaceholder, stage)
	doc, err := pyjson.Decode([]byte(substituted))
	if err != nil {
		return "", fmt.Errorf("stage %s: definition after name substitution: %w", stage, err)
	}
	final, err := pyjson.Python(doc)
	if err != nil {
		return "", fmt.Errorf("render stage %s: %w", stage, err)
	}
	return string(final), nil
}
