package stepfunctions

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

// Limits of the execution operations.
const (
	maxInputLength = 256 << 10
	maxErrorLength = 256
	maxCauseLength = 32768
)

// StartExecutionInput is what StartExecution takes.
type StartExecutionInput struct {
	StateMachineArn string
	// Name is the execution's name; "" draws a UUID, as the service does.
	Name string
	// Input is the execution's JSON input; "" is {}.
	Input string
}

// Execution is what DescribeExecution reports.
type Execution struct {
	ExecutionArn, StateMachineArn, Name string
	Status                              ExecutionStatus
	StartDate                           time.Time
	// StopDate is zero while the execution runs.
	StopDate time.Time
	Input    string
	// Output is set when the execution SUCCEEDED.
	Output string
	// Error and Cause say why an execution FAILED, TIMED_OUT or was ABORTED, when known.
	Error, Cause string
}

// ListExecutionsInput is what ListExecutions takes.
type ListExecutionsInput struct {
	StateMachineArn string
	// StatusFilter lists only executions in that status; "" lists all.
	StatusFilter ExecutionStatus
	MaxResults   int32
	NextToken    string
}

// execution is the engine's record of an execution.
type execution struct {
	arn, name string
	// machine is the state machine record it belongs to: a state machine deleted and created again under the same
	// name is another record, with other executions.
	machine *stateMachine
	seq     int64
	input   string

	status                 ExecutionStatus
	output, errName, cause string
	start, stop            time.Time
	history                []interp.HistoryEvent
	// cancel ends the run's context: the interpreter then stops at the next step it can and ends the history
	// with ExecutionAborted, carrying the error and cause of a *interp.StopError.
	cancel context.CancelCauseFunc
	// abortPending is set while an aborted execution's run unwinds: its status change event waits for the run
	// to return, so that a subscriber reading the history finds the ExecutionAborted event there.
	abortPending bool
}

func (ex *execution) describe() Execution {
	d := Execution{
		ExecutionArn:    ex.arn,
		StateMachineArn: ex.machine.arn,
		Name:            ex.name,
		Status:          ex.status,
		StartDate:       ex.start,
		StopDate:        ex.stop,
		Input:           ex.input,
		Error:           ex.errName,
		Cause:           ex.cause,
	}
	if ex.status == StatusSucceeded {
		d.Output = ex.output
	}
	return d
}

// StartExecution starts an execution of the state machine's current definition and returns at once; the execution
// runs on its own goroutine.
//
// As for a STANDARD state machine on AWS, a name can be used once per state machine: starting an execution again
// with the name and input of one still running returns that execution, while a different input, or an execution
// that has ended, is ExecutionAlreadyExists.
func (e *Engine) StartExecution(in StartExecutionInput) (Execution, error) {
	if err := checkARN("stateMachineArn", in.StateMachineArn, resourceStateMachine); err != nil {
		return Execution{}, err
	}
	name := in.Name
	if name == "" {
		name = uuid.NewString()
	} else if err := checkName("name", name); err != nil {
		return Execution{}, err
	}
	input := cmp.Or(in.Input, "{}")
	if len(input) > maxInputLength {
		return Execution{}, validation("input", "Member must have length less than or equal to 262144")
	}
	if !json.Valid([]byte(input)) {
		return Execution{}, apiError(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", input)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return Execution{}, apiError(CodeServiceUnavailable, "The Step Functions engine is shut down")
	}
	m, err := e.liveMachine(in.StateMachineArn)
	if err != nil {
		return Execution{}, err
	}
	arn := e.executionARN(m.name, name)
	if ex, ok := e.executions[arn]; ok {
		if ex.machine == m && ex.status == StatusRunning && ex.input == input {
			return ex.describe(), nil
		}
		return Execution{}, apiError(CodeExecutionAlreadyExists, "Execution Already Exists: '%s'", arn)
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	ex := &execution{
		arn:     arn,
		name:    name,
		machine: m,
		seq:     e.nextSeq(),
		input:   input,
		status:  StatusRunning,
		start:   e.clock.Now(),
		cancel:  cancel,
	}
	e.executions[arn] = ex
	m.live++
	e.running++
	e.maxRunning = max(e.maxRunning, e.running)
	e.publishLocked(ex)

	opts := interp.RunOptions{
		Invoker: e.invoker,
		Clock:   e.clock,
		Context: interp.ExecutionContext{
			ExecutionID:      arn,
			Name:             name,
			RoleArn:          m.roleArn,
			StateMachineID:   m.arn,
			StateMachineName: m.name,
			StartTime:        ex.start,
			Input:            []byte(input),
		},
		OnEvent: func(ev interp.HistoryEvent) { e.record(ex, ev) },
	}
	e.busy.begin()
	go e.run(ctx, ex, m.program, opts)
	e.logger.Debug("execution started", "execution", arn)
	return ex.describe(), nil
}

// run runs one execution to its end and records the outcome.
func (e *Engine) run(ctx context.Context, ex *execution, program *interp.Machine, opts interp.RunOptions) {
	defer e.busy.end()
	defer ex.cancel(nil)
	out := program.Run(ctx, []byte(opts.Context.Input), opts)

	e.mu.Lock()
	defer e.mu.Unlock()
	ex.machine.live--
	defer e.forgetIfDeletedLocked(ex.machine)
	switch {
	case ex.abortPending:
		ex.abortPending = false
		e.publishLocked(ex)
	case !e.closeLocked(ex, ExecutionStatus(out.Status), string(out.Output), out.Error, out.Cause):
		// The interpreter ended with a status the table does not allow: fail the execution rather than leave it
		// RUNNING with nothing left to end it.
		e.logger.Error("interpreter returned an unknown status", "execution", ex.arn, "status", out.Status)
		e.closeLocked(ex, StatusFailed, "", "States.Runtime", fmt.Sprintf("the run ended with status %q", out.Status))
	}
	e.logger.Info("execution ended", "execution", ex.arn, "status", ex.status, "error", ex.errName)
}

// closeLocked moves a running execution to its final status, if the transition table allows it, and queues the
// status change event; e.mu must be held.
func (e *Engine) closeLocked(ex *execution, status ExecutionStatus, output, errName, cause string) bool {
	if !e.settleLocked(ex, status, output, errName, cause) {
		return false
	}
	e.publishLocked(ex)
	return true
}

// settleLocked records the final status of a running execution if the transition table allows it; e.mu must be
// held.
func (e *Engine) settleLocked(ex *execution, status ExecutionStatus, output, errName, cause string) bool {
	if !ex.status.canBecome(status) {
		return false
	}
	ex.status, ex.stop = status, e.clock.Now()
	ex.output, ex.errName, ex.cause = output, errName, cause
	e.running--
	return true
}

// abortLocked aborts a running execution: its status and stop date are final at once, as StopExecution's answer
// says, and its run is cancelled. The status change event follows when the run has returned and written the
// ExecutionAborted event. e.mu must be held.
func (e *Engine) abortLocked(ex *execution, errName, cause string) {
	if !e.settleLocked(ex, StatusAborted, "", errName, cause) {
		return
	}
	ex.abortPending = true
	ex.cancel(&interp.StopError{Name: errName, Cause: cause})
}

// record appends an event of the run to the execution's history.
func (e *Engine) record(ex *execution, ev interp.HistoryEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ex.history = append(ex.history, ev)
}

// DescribeExecution reports an execution.
func (e *Engine) DescribeExecution(arn string) (Execution, error) {
	if err := checkARN("executionArn", arn, resourceExecution); err != nil {
		return Execution{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ex, ok := e.executions[arn]
	if !ok {
		return Execution{}, executionNotFound(arn)
	}
	return ex.describe(), nil
}

// ListExecutions lists the executions of a state machine, newest first, optionally only those in one status, a
// page at a time as ListStateMachines does.
func (e *Engine) ListExecutions(in ListExecutionsInput) ([]Execution, string, error) {
	if err := checkARN("stateMachineArn", in.StateMachineArn, resourceStateMachine); err != nil {
		return nil, "", err
	}
	if in.StatusFilter != "" && !in.StatusFilter.known() {
		return nil, "", validation("statusFilter",
			"Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.machines[in.StateMachineArn]
	if !ok {
		return nil, "", machineNotFound(in.StateMachineArn)
	}
	var list []*execution
	for _, ex := range e.executions {
		if ex.machine == m && (in.StatusFilter == "" || ex.status == in.StatusFilter) {
			list = append(list, ex)
		}
	}
	slices.SortFunc(list, func(a, b *execution) int { return cmp.Compare(b.seq, a.seq) })
	order := pageOrder{scope: "executions " + m.arn + " " + string(in.StatusFilter), descending: true}
	page, next, err := paginate(list, order, func(ex *execution) int64 { return ex.seq }, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, "", err
	}
	out := make([]Execution, len(page))
	for i, ex := range page {
		out[i] = ex.describe()
	}
	return out, next, nil
}

// StopExecution aborts a running execution with the given error and cause (both optional) and returns its stop
// date. Stopping an execution that has already ended changes nothing and returns its stop date.
func (e *Engine) StopExecution(arn, errName, cause string) (time.Time, error) {
	if err := checkARN("executionArn", arn, resourceExecution); err != nil {
		return time.Time{}, err
	}
	if utf8.RuneCountInString(errName) > maxErrorLength {
		return time.Time{}, validation("error", "Member must have length less than or equal to 256")
	}
	if utf8.RuneCountInString(cause) > maxCauseLength {
		return time.Time{}, validation("cause", "Member must have length less than or equal to 32768")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ex, ok := e.executions[arn]
	if !ok {
		return time.Time{}, executionNotFound(arn)
	}
	e.abortLocked(ex, errName, cause)
	return ex.stop, nil
}
