package asl

import (
	"fmt"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// StageNamePlaceholder stands for the stage name in an operation template; StageDefinition replaces it.
const StageNamePlaceholder = "%%STAGE_NAME%%"

// Placeholders the template is rendered with before the operation's values are substituted (§5.1).
const (
	operationNamePlaceholder  = "%%OPERATION_NAME%%"
	mediaTypePlaceholder      = "%%OPERATION_MEDIA_TYPE%%"
	startLambdaPlaceholder    = "%%OPERATION_START_LAMBDA%%"
	monitorLambdaPlaceholder  = "%%OPERATION_MONITOR_LAMBDA%%"
	operatorFailedPlaceholder = "%%OPERATION_FAILED_LAMBDA%%"
)

// Fixed values of the branch template (§5.1, Q-39).
const (
	asyncOperationType       = "Async"
	operationStatusPath      = "$.Status"
	operationOutputsPath     = "$.Outputs"
	configurationPathPrefix  = "$.Configuration."
	filterStartedStatus      = "Started"
	operationExecutingStatus = "Executing"
	operationCompleteStatus  = "Complete"
	catchAllErrors           = "States.ALL"
	pollSeconds              = 10
	retryIntervalSeconds     = 2
	retryMaxAttempts         = 2
	retryBackoffRate         = pyjson.Number("2")
)

// Lambdas are the engine functions every compiled document references.
type Lambdas struct {
	Filter, OperatorFailed, CompleteStage string // ARNs
}

// Operation is what the branch template of an operation depends on.
type Operation struct {
	Name string
	// Type is "Sync" or "Async"; like the original, anything but "Async" builds the Sync branch.
	Type string
	// MediaType is the operation's Configuration.MediaType at registration.
	MediaType                        string
	StartLambdaArn, MonitorLambdaArn string
}

// branchStates names the states of one operation branch (§5.1); op and stage are inserted verbatim.
type branchStates struct {
	filter, skip, notStarted, execute, wait, status, complete, failed, succeeded string
}

func branchStateNames(op, stage string) branchStates {
	name := func(format string) string { return fmt.Sprintf(format, op, stage) }
	return branchStates{
		filter:     name("Filter %s Media Type? (%s)"),
		skip:       name("Skip %s? (%s)"),
		notStarted: name("%s Not Started (%s)"),
		execute:    name("Execute %s (%s)"),
		wait:       name("%s Wait (%s)"),
		status:     name("Get %s Status (%s)"),
		complete:   name("Did %s Complete (%s)"),
		failed:     name("%s Failed (%s)"),
		succeeded:  name("%s Succeeded (%s)"),
	}
}

// OperationTemplate returns the StateMachineAsl text stored on the operation item (§5.1, CP-07), still
// containing %%STAGE_NAME%%.
//
// Like the original, it renders a template holding placeholders and then substitutes the operation's
// values as plain text, in the original's order (name, media type, monitor ARN for Async, start ARN,
// operator-failed ARN). The values are therefore inserted raw, without JSON escaping: a name holding
// '"' or '\' yields a text that only fails to parse later, at stage creation (Q-19; names are validated
// before this is called). Only the filter ARN is part of the template itself, hence JSON-escaped.
func OperationTemplate(op Operation, l Lambdas) (string, error) {
	async := op.Type == asyncOperationType
	text, err := pyjson.Python(branchTemplate(async, l.Filter))
	if err != nil {
		return "", fmt.Errorf("render the branch template of operation %s: %w", op.Name, err)
	}
	s := strings.ReplaceAll(string(text), operationNamePlaceholder, op.Name)
	s = strings.ReplaceAll(s, mediaTypePlaceholder, op.MediaType)
	if async {
		s = strings.ReplaceAll(s, monitorLambdaPlaceholder, op.MonitorLambdaArn)
	}
	s = strings.ReplaceAll(s, startLambdaPlaceholder, op.StartLambdaArn)
	return strings.ReplaceAll(s, operatorFailedPlaceholder, l.OperatorFailed), nil
}

// branchTemplate builds the branch of §5.1 with placeholders for everything but the filter ARN.
func branchTemplate(async bool, filterArn string) *StateMachine {
	n := branchStateNames(operationNamePlaceholder, StageNamePlaceholder)
	// every task retries the Lambda service errors and MasExecutionError, 2 attempts 2 s apart.
	retry := []Retrier{{
		ErrorEquals: []string{
			"Lambda.ServiceException",
			"Lambda.AWSLambdaException",
			"Lambda.SdkClientException",
			"Lambda.Unknown",
			"MasExecutionError",
		},
		IntervalSeconds: retryIntervalSeconds,
		MaxAttempts:     new(retryMaxAttempts),
		BackoffRate:     retryBackoffRate,
	}}
	catch := []Catcher{{ErrorEquals: []string{catchAllErrors}, Next: n.failed, ResultPath: operationOutputsPath}}

	params := pyjson.NewMap()
	params.Set("StageName.$", "$.Name")
	params.Set("Name", operationNamePlaceholder)
	params.Set("Input.$", "$.Input")
	params.Set("Configuration.$", configurationPathPrefix+operationNamePlaceholder)
	params.Set("AssetId.$", "$.AssetId")
	params.Set("WorkflowExecutionId.$", "$.WorkflowExecutionId")
	params.Set("Type", mediaTypePlaceholder)
	// the original forgot the ".$" suffix, so the filter receives the literal text "$.Status".
	params.Set("Status", operationStatusPath)

	afterExecute := n.complete
	completion := []ChoiceRule{
		{Variable: operationStatusPath, Operator: "StringEquals", Value: operationCompleteStatus, Next: n.succeeded},
	}
	if async {
		afterExecute = n.wait
		completion = append([]ChoiceRule{
			{Variable: operationStatusPath, Operator: "StringEquals", Value: operationExecutingStatus, Next: n.wait},
		}, completion...)
	}

	var states States
	states.Set(n.filter, &Task{
		Parameters: params,
		Resource:   filterArn,
		ResultPath: operationOutputsPath,
		OutputPath: operationOutputsPath,
		Next:       n.skip,
		Retry:      retry,
		Catch:      catch,
	})
	states.Set(n.skip, &Choice{
		Choices: []ChoiceRule{
			{Variable: operationStatusPath, Operator: "StringEquals", Value: filterStartedStatus, Next: n.execute},
		},
		Default: n.notStarted,
	})
	states.Set(n.notStarted, &Succeed{})
	states.Set(n.execute, &Task{
		Resource:   startLambdaPlaceholder,
		ResultPath: operationOutputsPath,
		OutputPath: operationOutputsPath,
		Next:       afterExecute,
		Retry:      retry,
		Catch:      catch,
	})
	if async {
		// poll the monitor Lambda every 10 s; its output replaces the state (no paths).
		states.Set(n.wait, &Wait{Seconds: new(pollSeconds), Next: n.status})
		states.Set(n.status, &Task{Resource: monitorLambdaPlaceholder, Next: n.complete, Retry: retry, Catch: catch})
	}
	states.Set(n.complete, &Choice{Choices: completion, Default: n.failed})
	// The failure task has no Catch: if operator-failed itself fails, the branch (and the stage) fails.
	states.Set(n.failed, &Task{End: true, Resource: operatorFailedPlaceholder, ResultPath: "$", Retry: retry})
	states.Set(n.succeeded, &Succeed{})
	return &StateMachine{StartAt: n.filter, States: states}
}
