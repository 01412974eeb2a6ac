package controlplane

import (
	"fmt"
	"strings"

	"github.com/mie-go/mie-go/internal/awsconf"
)

// APIVersion is the workflow API version the original reports and stores on every item (`ApiVersion`).
const APIVersion = "3.0.0"

// Config is what the workflow API and the custom resource read from their function environment (CP-03;
// control-plane §2.3, infrastructure §3.1). Both functions get the same variables.
type Config struct {
	// ShortID is the stack's short id `<suid>`, the suffix of every workflow state machine name.
	ShortID string
	// Table names.
	SystemTable, WorkflowTable, StageTable, OperationTable, ExecutionTable, HistoryTable string
	// StageExecutionQueueURL is the queue executions are sent to.
	StageExecutionQueueURL string
	// StepFunctionsRoleARN is the role of every workflow state machine (STAGE_EXECUTION_ROLE, despite the name); user
	// operators get their inline invoke policy on it.
	StepFunctionsRoleARN string
	// LogGroupARN is the CloudWatch Logs group all workflow state machines log to.
	LogGroupARN string
	// Lambda ARNs compiled into the state machines, and the scheduler's.
	CompleteStageARN, FilterOperationARN, OperatorFailedARN, SchedulerARN string
	// DataplaneFunction is the data plane API Lambda's function name (DataplaneEndpoint).
	DataplaneFunction string
	// FrameworkVersion is reported by GET /version; empty for the custom resource, as in the original.
	FrameworkVersion string
}

// ConfigFromLookup reads the configuration, failing with the names of every required variable that is missing or
// empty. The original read these at import time and could not start without them.
func ConfigFromLookup(lookup awsconf.Lookup) (Config, error) {
	c := Config{
		DataplaneFunction: lookup("DataplaneEndpoint"),
		FrameworkVersion:  lookup("FRAMEWORK_VERSION"),
	}
	required := []struct {
		name string
		dst  *string
	}{
		{"STACK_SHORT_UUID", &c.ShortID},
		{"SYSTEM_TABLE_NAME", &c.SystemTable},
		{"WORKFLOW_TABLE_NAME", &c.WorkflowTable},
		{"STAGE_TABLE_NAME", &c.StageTable},
		{"OPERATION_TABLE_NAME", &c.OperationTable},
		{"WORKFLOW_EXECUTION_TABLE_NAME", &c.ExecutionTable},
		{"HISTORY_TABLE_NAME", &c.HistoryTable},
		{"STAGE_EXECUTION_QUEUE_URL", &c.StageExecutionQueueURL},
		{"STAGE_EXECUTION_ROLE", &c.StepFunctionsRoleARN},
		{"STEP_FUNCTION_LOG_GROUP_ARN", &c.LogGroupARN},
		{"COMPLETE_STAGE_LAMBDA_ARN", &c.CompleteStageARN},
		{"FILTER_OPERATION_LAMBDA_ARN", &c.FilterOperationARN},
		{"OPERATOR_FAILED_LAMBDA_ARN", &c.OperatorFailedARN},
		{"WORKFLOW_SCHEDULER_LAMBDA_ARN", &c.SchedulerARN},
	}
	var missing []string
	for _, r := range required {
		*r.dst = lookup(r.name)
		if *r.dst == "" {
			missing = append(missing, r.name)
		}
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("workflow API configuration: missing environment variables %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// roleName is the IAM role name of the Step Functions role ARN: its last path segment. The original took the
// segment after the first "/", which names the wrong thing for a role with a path.
func (c Config) roleName() string {
	return c.StepFunctionsRoleARN[strings.LastIndex(c.StepFunctionsRoleARN, "/")+1:]
}
