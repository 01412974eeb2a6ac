package stepfunctions

import "strings"

// ARN resource types of Step Functions.
const (
	resourceStateMachine = "stateMachine"
	resourceExecution    = "execution"
)

// machineARN returns the ARN of the state machine called name in the engine's region and account.
func (e *Engine) machineARN(name string) string {
	return "arn:aws:states:" + e.region + ":" + e.account + ":" + resourceStateMachine + ":" + name
}

// executionARN returns the ARN of the execution called name of the state machine called machine.
func (e *Engine) executionARN(machine, name string) string {
	return "arn:aws:states:" + e.region + ":" + e.account + ":" + resourceExecution + ":" + machine + ":" + name
}

// checkARN refuses with InvalidArn an ARN that is not a Step Functions ARN of the given resource type; member names
// the request member when it is missing. An ARN of the right form that names nothing is for the caller's lookup
// to report.
func checkARN(member, arn, resource string) error {
	if arn == "" {
		return validation(member, "Member must not be null")
	}
	// arn:partition:states:region:account:resource:name[:name]
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "states" || parts[6] == "" {
		return apiError(CodeInvalidArn, "Invalid Arn: '%s'", arn)
	}
	if parts[5] != resource {
		return apiError(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", parts[5])
	}
	return nil
}
