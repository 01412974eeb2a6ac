package sdk

// Status values of workflows, stages and operations (SDK-01, operator-sdk §5). The helpers do not validate
// statuses: any string is accepted, as in the original (SQ-12).
const (
	WorkflowStatusQueued   = "Queued"
	WorkflowStatusStarted  = "Started"
	WorkflowStatusWaiting  = "Waiting"
	WorkflowStatusResumed  = "Resumed"
	WorkflowStatusError    = "Error"
	WorkflowStatusComplete = "Complete"

	StageStatusNotStarted = "Not Started"
	StageStatusStarted    = "Started"
	StageStatusExecuting  = "Executing"
	StageStatusError      = "Error"
	StageStatusComplete   = "Complete"

	OperationStatusNotStarted = "Not Started"
	// OperationStatusStarted is what the filter gives an operation that runs; a START Lambda receives it.
	OperationStatusStarted = "Started"
	// OperationStatusExecuting makes an async operation wait ~10 s and call its MONITOR Lambda again.
	OperationStatusExecuting = "Executing"
	OperationStatusError     = "Error"
	// OperationStatusComplete is the only status with which an operator ends successfully.
	OperationStatusComplete = "Complete"
	// OperationStatusSkipped is set by the filter for an operation that does not run; it counts as success.
	OperationStatusSkipped = "Skipped"
)
