// Package asl models Amazon States Language documents and compiles MIE operations, stages and workflows
// into them, producing the same text as the original, byte for byte (CP-07, CP-16, Q-39).
//
// The compiler has three steps, each storing or sending a text (control-plane §5):
//
//   - OperationTemplate: the branch template of one operation, stored on the operation item as
//     StateMachineAsl and still containing the %%STAGE_NAME%% placeholder (§5.1);
//   - StageDefinition: one Parallel state with a branch per operation plus the stage completion task,
//     stored on the stage item as Definition (§5.2);
//   - CompileWorkflow: the stage definitions chained into one state machine, sent to Step Functions
//     (§5.3).
//
// The first two build typed states (Task, Choice, Wait, Parallel, Succeed) whose fields are declared in
// the original's key order, so that pyjson renders the original's text. The workflow step edits the
// stored definitions as ordered JSON instead, because it must reproduce the original's edits of
// whatever text a stage item holds, including texts the typed model would reject.
//
// The names the compiler inserts follow the naming policy of ValidateOperationName,
// ValidateStageName, ValidateStateNames and ValidateWorkflowName (CP-44, Q-19).
//
// Parse reads a definition back into the typed model, for the Step Functions engine.
package asl
