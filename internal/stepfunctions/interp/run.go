package interp

import (
	"context"
	"errors"
	"time"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// Execution statuses an Outcome can have (DescribeExecution's terminal statuses).
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Invoker calls a Lambda function synchronously. It returns the function's response payload, a
// *FunctionError when the function reported an error, an *InvokeError when the invocation failed, or
// ctx's error once ctx is done (a task timeout or the execution's end cancels it).
type Invoker interface {
	Invoke(ctx context.Context, functionARN string, input []byte) ([]byte, error)
}

// ExecutionContext identifies the execution for the context object ($$.Execution, $$.StateMachine) and
// the ExecutionStarted event.
type ExecutionContext struct {
	ExecutionID      string // the execution ARN
	Name             string
	RoleArn          string
	StateMachineID   string // the state machine ARN
	StateMachineName string
	StartTime        time.Time // Clock.Now() at the start of Run when zero
	// Input is $$.Execution.Input; Run's input is used when it is nil.
	Input []byte
}

// RunOptions are the dependencies of one execution.
type RunOptions struct {
	Invoker Invoker
	Clock   Clock // ScaledClock(1) when nil
	Context ExecutionContext
	// OnEvent receives every history event, in id order, synchronously from the goroutine running the
	// state (Parallel branches run on their own goroutines). It must return quickly and must not call
	// back into Run.
	OnEvent func(HistoryEvent)
}

// Outcome is how an execution ended: Output for SUCCEEDED, Error and Cause otherwise (ABORTED carries
// the StopError's, if any).
type Outcome struct {
	Status string
	Output []byte
	Error  string
	Cause  string
}

// errMachineTimeout is the cancellation cause of an execution that ran past the machine's TimeoutSeconds.
var errMachineTimeout = errors.New("execution timed out")

// errBranchFailed is the cancellation cause of the branches still running when a sibling branch failed.
var errBranchFailed = errors.New("a sibling branch failed")

// execution is one run of a machine.
type execution struct {
	invoker Invoker
	clock   Clock
	rec     *recorder
	// contextBase holds $$.Execution and $$.StateMachine; $$.State is added per state.
	contextBase *pyjson.Map
}

// Run executes the machine on input until it ends. Cancelling ctx stops it (ABORTED); the machine's
// TimeoutSeconds, measured on the Clock, times it out (TIMED_OUT). Run returns once the execution has
// ended; Lambda invocations it abandoned (timeouts, abort) see their context cancelled.
func (m *Machine) Run(ctx context.Context, input []byte, opts RunOptions) Outcome {
	clock := opts.Clock
	if clock == nil {
		clock = ScaledClock(1)
	}
	ex := &execution{invoker: opts.Invoker, clock: clock, rec: &recorder{clock: clock, emit: opts.OnEvent}}
	// Like Step Functions, the first state does not link to ExecutionStarted: both have previous event 0.
	ex.rec.add(0, HistoryEvent{Type: evExecutionStarted, ExecutionStartedEventDetails: &ExecutionStartedEventDetails{
		Input: string(input), InputDetails: whole(), RoleArn: opts.Context.RoleArn,
	}})
	main := &thread{rec: ex.rec}
	doc, err := decodeJSON(input)
	if err != nil {
		return ex.fail(main, newFailure(errRuntime, "The execution input is not valid JSON: "+err.Error()))
	}
	if m.hasTasks && ex.invoker == nil {
		return ex.fail(main, newFailure(errRuntime, "no Lambda invoker is configured for this execution"))
	}
	if ex.contextBase, err = contextBase(opts.Context, doc, clock); err != nil {
		return ex.fail(main, newFailure(errRuntime, "The execution input given in the context is not valid JSON: "+err.Error()))
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if m.timeout > 0 {
		go func() {
			if clock.Sleep(runCtx, time.Duration(m.timeout)*time.Second) == nil {
				cancel(errMachineTimeout)
			}
		}()
	}
	out, err := ex.runGraph(runCtx, m.root, main, doc)
	if err == nil {
		text := encodeJSON(out)
		main.emit(HistoryEvent{Type: evExecutionSucceeded, ExecutionSucceededEventDetails: &OutputEventDetails{
			Output: text, OutputDetails: whole(),
		}})
		return Outcome{Status: StatusSucceeded, Output: []byte(text)}
	}
	if f := asFailure(err); f != nil {
		return ex.fail(main, f)
	}
	// Step Functions records the end of a stopped or timed-out execution on its own, outside any line.
	cause := context.Cause(runCtx)
	if errors.Is(cause, errMachineTimeout) {
		ex.rec.add(0, HistoryEvent{Type: evExecutionTimedOut, ExecutionTimedOutEventDetails: &ErrorEventDetails{Error: errTimeout}})
		return Outcome{Status: StatusTimedOut, Error: errTimeout}
	}
	details := &ErrorEventDetails{}
	var stop *StopError
	if errors.As(cause, &stop) {
		details.Error, details.Cause = stop.Name, stop.Cause
	}
	ex.rec.add(0, HistoryEvent{Type: evExecutionAborted, ExecutionAbortedEventDetails: details})
	return Outcome{Status: StatusAborted, Error: details.Error, Cause: details.Cause}
}

func (ex *execution) fail(main *thread, f *failure) Outcome {
	main.emit(HistoryEvent{Type: evExecutionFailed, ExecutionFailedEventDetails: &ErrorEventDetails{Error: f.name, Cause: f.cause}})
	return Outcome{Status: StatusFailed, Error: f.name, Cause: f.cause}
}

// contextBase builds the execution-wide part of the context object, keys in Step Functions' order.
func contextBase(ec ExecutionContext, input any, clock Clock) (*pyjson.Map, error) {
	if ec.Input != nil {
		var err error
		if input, err = decodeJSON(ec.Input); err != nil {
			return nil, err
		}
	}
	start := ec.StartTime
	if start.IsZero() {
		start = clock.Now()
	}
	exec := pyjson.NewMap()
	exec.Set("Id", ec.ExecutionID)
	exec.Set("Input", input)
	exec.Set("StartTime", contextTime(start))
	exec.Set("Name", ec.Name)
	exec.Set("RoleArn", ec.RoleArn)
	sm := pyjson.NewMap()
	sm.Set("Id", ec.StateMachineID)
	sm.Set("Name", ec.StateMachineName)
	base := pyjson.NewMap()
	base.Set("Execution", exec)
	base.Set("StateMachine", sm)
	return base, nil
}

// contextTime renders a time as the context object does: UTC, milliseconds, e.g. 2019-03-26T20:14:13.192Z.
func contextTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// runGraph runs the states of g from its StartAt until one ends the graph.
func (ex *execution) runGraph(ctx context.Context, g *graph, th *thread, input any) (any, error) {
	st, doc := g.states[g.startAt], input
	for {
		// Like Step Functions, a stop or timeout takes effect at the next transition at the latest.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out, next, err := ex.runState(ctx, th, st, doc)
		if err != nil || next == "" {
			return out, err
		}
		st, doc = g.states[next], out
	}
}
