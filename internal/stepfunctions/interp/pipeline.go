package interp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// stateRun is one entry into a state: retries stay within it, a new entry starts afresh.
type stateRun struct {
	ex          *execution
	th          *thread
	st          *state
	raw         any // the state's input as it arrived
	enteredID   int64
	enteredTime time.Time
	retries     int
}

func (r *stateRun) emit(e HistoryEvent) int64 { return r.th.emit(e) }

// stateFailure builds a failure whose cause starts, as Step Functions' do, with the state and the id of
// the event that entered it.
func (r *stateRun) stateFailure(name, format string, args ...any) *failure {
	return newFailure(name, fmt.Sprintf(runtimeErrorPrefix, r.st.name, r.enteredID)+fmt.Sprintf(format, args...))
}

func (r *stateRun) runtimeError(format string, args ...any) *failure {
	return r.stateFailure(errRuntime, format, args...)
}

// env is what templates and choice rules read: input, and the context object built only if asked for.
func (r *stateRun) env(input any) *evalEnv {
	return &evalEnv{input: input, build: r.contextObject}
}

// contextObject returns $$ for this state: the execution-wide part plus $$.State, keys in Step
// Functions' order.
func (r *stateRun) contextObject() any {
	st := pyjson.NewMap()
	st.Set("Name", r.st.name)
	st.Set("EnteredTime", contextTime(r.enteredTime))
	st.Set("RetryCount", pyjson.Number(strconv.Itoa(r.retries)))
	c := r.ex.contextBase.Clone()
	c.Set("State", st)
	return c
}

// runState enters st with input raw and returns its output and the state to move to ("" at the end of
// the graph), or the failure or abort that ends it.
func (ex *execution) runState(ctx context.Context, th *thread, st *state, raw any) (any, string, error) {
	r := &stateRun{ex: ex, th: th, st: st, raw: raw, enteredTime: ex.clock.Now()}
	r.enteredID = r.emit(HistoryEvent{Type: st.kind.entered, StateEnteredEventDetails: &StateEnteredEventDetails{
		Name: st.name, Input: encodeJSON(raw), InputDetails: whole(),
	}})
	out, next, err := r.process(ctx)
	if err != nil {
		if asFailure(err) == nil && st.kind.aborted != "" && errors.Is(context.Cause(ctx), errBranchFailed) {
			r.emit(HistoryEvent{Type: st.kind.aborted})
		}
		return nil, "", err
	}
	text := encodeJSON(out)
	if len(text) > maxPayloadBytes {
		return nil, "", newFailure(errDataLimit, fmt.Sprintf(dataLimitCause, st.name))
	}
	r.emit(HistoryEvent{Type: st.kind.exited, StateExitedEventDetails: &StateExitedEventDetails{
		Name: st.name, Output: text, OutputDetails: whole(),
	}})
	return out, next, nil
}

// process runs the input and output pipeline of ASL around the state's body: InputPath, Parameters,
// the body (retried per Retry), ResultSelector, ResultPath, OutputPath — or Catch.
func (r *stateRun) process(ctx context.Context) (any, string, error) {
	st := r.st
	policy := retryPolicy{retriers: st.retry}
	var result any
	var next string
	for {
		// Each attempt prepares its input anew: Parameters may read $$.State.RetryCount.
		input, err := r.effectiveInput()
		if err != nil {
			return nil, "", err
		}
		result, next, err = st.body.execute(ctx, r, input)
		f := asFailure(err)
		if f == nil {
			if err != nil {
				return nil, "", err
			}
			break
		}
		if wait, again := policy.next(f); again {
			if err := r.ex.clock.Sleep(ctx, wait); err != nil {
				return nil, "", err
			}
			r.retries++
			continue
		}
		return r.recover(f)
	}
	var err error
	if st.resultSelector != nil {
		if result, err = st.resultSelector.eval(r.env(result)); err != nil {
			return nil, "", r.runtimeError("%v", err)
		}
	}
	out, err := st.resultPath.merge(r.raw, result)
	if err != nil {
		return nil, "", r.stateFailure(errResultPath, "Unable to apply ResultPath '%s' to the input: %v", st.resultPath.text(), err)
	}
	if out, err = st.outputPath.selectFrom(out); err != nil {
		return nil, "", r.runtimeError("Invalid path '%s' : %v", st.outputPath.text(), err)
	}
	if next == "" {
		next = st.next
	}
	return out, next, nil
}

// effectiveInput applies InputPath and Parameters to the raw input.
func (r *stateRun) effectiveInput() (any, error) {
	input, err := r.st.inputPath.selectFrom(r.raw)
	if err != nil {
		return nil, r.runtimeError("Invalid path '%s' : %v", r.st.inputPath.text(), err)
	}
	if r.st.parameters != nil {
		if input, err = r.st.parameters.eval(r.env(input)); err != nil {
			return nil, r.runtimeError("%v", err)
		}
	}
	return input, nil
}

// recover handles a failure that no retrier takes: the first matching catcher places the error object
// {"Error", "Cause"} into the raw input per its ResultPath (OutputPath does not apply) and names the next
// state; without one the failure ends the state.
func (r *stateRun) recover(f *failure) (any, string, error) {
	if r.st.kind.failed != "" {
		r.emit(HistoryEvent{Type: r.st.kind.failed})
	}
	c := catcherFor(r.st.catch, f)
	if c == nil {
		return nil, "", f
	}
	errObj := pyjson.NewMap()
	errObj.Set("Error", f.name)
	errObj.Set("Cause", f.cause)
	out, err := c.resultPath.merge(r.raw, errObj)
	if err != nil {
		return nil, "", r.stateFailure(errResultPath, "Unable to apply the catcher's ResultPath '%s' to the input: %v",
			c.resultPath.text(), err)
	}
	return out, c.next, nil
}
