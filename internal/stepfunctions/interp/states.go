package interp

import "context"

// graph is a state machine or one branch of a Parallel state.
type graph struct {
	startAt string
	states  map[string]*state
}

// state is one parsed state. The input/output fields a type does not allow stay zero, which makes them
// the identity, so every state runs through the same pipeline (runState).
type state struct {
	name string
	kind *kind
	next string // "" when the state ends its graph
	// targets are the states this one may move to, with where the definition names them.
	targets []target

	inputPath, outputPath, resultPath optPath
	parameters, resultSelector        tnode
	retry                             []*retrier
	catch                             []*catcher
	body                              body
}

type target struct {
	name, at string
}

// body is what makes a state type different: it turns the effective input into the state's result
// and may choose the next state (Choice) or fail.
type body interface {
	execute(ctx context.Context, r *stateRun, input any) (result any, next string, err error)
}

// kind is the fixed description of a state type: the history events it emits. An empty name means the
// type never emits that event: a Fail state never exits, only Task, Wait and Parallel states take time
// and so can be cut short by a failing sibling branch, and only Parallel reports its own failure.
type kind struct {
	name    string
	entered string
	exited  string
	failed  string
	aborted string
}

// kinds is the table of the state types this package runs, by their ASL Type.
var kinds = map[string]*kind{
	"Task":     {name: "Task", entered: "TaskStateEntered", exited: "TaskStateExited", aborted: "TaskStateAborted"},
	"Pass":     {name: "Pass", entered: "PassStateEntered", exited: "PassStateExited"},
	"Choice":   {name: "Choice", entered: "ChoiceStateEntered", exited: "ChoiceStateExited"},
	"Wait":     {name: "Wait", entered: "WaitStateEntered", exited: "WaitStateExited", aborted: "WaitStateAborted"},
	"Succeed":  {name: "Succeed", entered: "SucceedStateEntered", exited: "SucceedStateExited"},
	"Fail":     {name: "Fail", entered: "FailStateEntered"},
	"Parallel": {name: "Parallel", entered: "ParallelStateEntered", exited: "ParallelStateExited", failed: "ParallelStateFailed", aborted: "ParallelStateAborted"},
}

// refusedFields names the members Step Functions knows but this package does not run, with the reason
// given when a definition uses them.
var refusedFields = map[string]string{
	"Credentials":                "cross-account task credentials (Credentials) are not supported",
	"Assign":                     "variables (Assign) are not supported",
	"Arguments":                  "JSONata (Arguments) is not supported",
	"Output":                     "JSONata (Output) is not supported",
	"ItemsPath":                  "Map states (ItemsPath) are not supported",
	"Items":                      "Map states (Items) are not supported",
	"ItemSelector":               "Map states (ItemSelector) are not supported",
	"ItemProcessor":              "Map states (ItemProcessor) are not supported",
	"Iterator":                   "Map states (Iterator) are not supported",
	"ItemReader":                 "distributed Map states (ItemReader) are not supported",
	"ItemBatcher":                "distributed Map states (ItemBatcher) are not supported",
	"ResultWriter":               "distributed Map states (ResultWriter) are not supported",
	"MaxConcurrency":             "Map states (MaxConcurrency) are not supported",
	"MaxConcurrencyPath":         "Map states (MaxConcurrencyPath) are not supported",
	"ToleratedFailureCount":      "distributed Map states (ToleratedFailureCount) are not supported",
	"ToleratedFailurePercentage": "distributed Map states (ToleratedFailurePercentage) are not supported",
	"Label":                      "distributed Map states (Label) are not supported",
}
