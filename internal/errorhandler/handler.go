// Package errorhandler is the workflow error handler Lambda: when a workflow's state machine execution fails, times
// out or is aborted, it ends the workflow execution Error with a Message built from the execution's history
// (control-plane §9.6, CP-39).
package errorhandler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/executions"
	"github.com/mie-go/mie-go/internal/pyjson"
	"github.com/mie-go/mie-go/internal/reconciler"
	"github.com/mie-go/mie-go/operators/sdk"
)

// LookupError is the handler's refusal of its configuration or of an event without a required member, named for
// the Lambda contract after the original's Python exception: aws-lambda-go reports the Go type name as the
// invocation's errorType.
type LookupError struct {
	Message string
}

func (e *LookupError) Error() string { return e.Message }

// Executions lists the active workflow executions and ends them through the status helper.
type Executions interface {
	Active(ctx context.Context) ([]reconciler.Execution, error)
	End(ctx context.Context, id, message string) (bool, error)
}

// Result is the handler's output (§9.6 step 6); the zero Result is {}, the answer for another stack's event.
type Result struct {
	StateMachineExecution string `json:"stateMachineExecution,omitempty"`
	ErrorMessage          string `json:"errorMessage,omitempty"`
}

// Handler is the workflow error handler.
type Handler struct {
	shortUUID string
	history   History
	execs     Executions
	log       *slog.Logger
}

// New returns the handler of the stack whose short id is shortUUID; log may be nil.
func New(shortUUID string, history History, execs Executions, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{shortUUID: shortUUID, history: history, execs: execs, log: log}
}

// NewFromLookup builds the handler of a deployed function from lookup (os.Getenv in production). ShortUUID is read
// here but checked by every invocation, which is where the original reports it missing.
func NewFromLookup(ctx context.Context, lookup awsconf.Lookup) (*Handler, error) {
	cfg, err := executions.ConfigFromLookup(lookup)
	if err != nil {
		return nil, fmt.Errorf("workflow error handler: %w", err)
	}
	conf, err := awsconf.Load(ctx, lookup)
	if err != nil {
		return nil, fmt.Errorf("workflow error handler: %w", err)
	}
	db := conf.DynamoDB()
	store := executions.New(cfg, db, conf.Lambda())
	execs := reconciler.NewExecutions(db, cfg.ExecutionTable, store)
	return New(lookup("ShortUUID"), conf.SFN(), execs, slog.Default()), nil
}

// Handle handles one "Step Functions Execution Status Change" event (CP-39, §9.6). The state machines of other
// stacks are ignored (Q-02: a name ending in -<ShortUUID> marks this stack's). For this stack's, it reads the
// execution's history, composes the Message, and ends every Started, Waiting or Resumed workflow execution
// recorded with that state machine execution, through the status helper, which frees its slot; records without
// a state machine execution are skipped.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) (Result, error) {
	res, err := h.handle(ctx, event)
	if err != nil {
		h.log.ErrorContext(ctx, "Unable to handle workflow step function error", "error", err)
		return Result{}, err
	}
	return res, nil
}

func (h *Handler) handle(ctx context.Context, event json.RawMessage) (Result, error) {
	h.log.InfoContext(ctx, "workflow_error_handler_lambda", "event", string(event))
	if h.shortUUID == "" {
		return Result{}, &LookupError{Message: "ShortUUID is not set in lambda environment."}
	}
	ev, err := readEvent(event)
	if err != nil {
		return Result{}, err
	}
	if !h.ours(ev.stateMachineArn) {
		h.log.InfoContext(ctx, "Event not processed: This event is not from the stack with ShortUUID "+h.shortUUID)
		return Result{}, nil
	}
	events, err := errorEvents(ctx, h.history, ev.executionArn)
	if err != nil {
		return Result{}, err
	}
	msg := message(ev.executionArn, ev.status, events)
	active, err := h.execs.Active(ctx)
	if err != nil {
		return Result{}, err
	}
	for _, ex := range active {
		// A record the scheduler has not given its ARN yet cannot be this execution's (§9.6 step 5).
		if ex.StateMachineExecutionArn == "" || ex.StateMachineExecutionArn != ev.executionArn {
			continue
		}
		if _, err := h.execs.End(ctx, ex.ID, msg); err != nil {
			return Result{}, fmt.Errorf("end workflow execution %s: %w", ex.ID, err)
		}
	}
	res := Result{StateMachineExecution: ev.executionArn, ErrorMessage: msg}
	h.log.InfoContext(ctx, "workflow_error_handler_lambda caught error", "stateMachineExecution", res.StateMachineExecution,
		"errorMessage", res.ErrorMessage)
	return res, nil
}

// ours reports whether a state machine belongs to this stack: the workflow API names them <workflow>-<ShortUUID>
// (CP-17, Q-02).
func (h *Handler) ours(stateMachineArn string) bool {
	name := stateMachineArn[strings.LastIndex(stateMachineArn, ":")+1:]
	return strings.HasSuffix(name, "-"+h.shortUUID)
}

// statusChange is what the handler uses of an event's detail.
type statusChange struct {
	status, executionArn, stateMachineArn string
}

// readEvent checks the event's members in the original's order, with its texts (§9.6 step 1).
func readEvent(raw json.RawMessage) (statusChange, error) {
	v, err := pyjson.Decode(raw)
	if err != nil {
		return statusChange{}, fmt.Errorf("read the event: %w", err)
	}
	event, _ := v.(*pyjson.Map)
	d, ok := member(event, "detail")
	if !ok {
		return statusChange{}, &LookupError{Message: "event.detail is missing."}
	}
	detail, _ := d.(*pyjson.Map)
	for _, key := range []string{"name", "status", "executionArn"} {
		if _, ok := member(detail, key); !ok {
			return statusChange{}, &LookupError{Message: key + " is missing in event.detail."}
		}
	}
	if _, ok := member(detail, "stateMachineArn"); !ok {
		return statusChange{}, &sdk.KeyError{Key: "stateMachineArn"}
	}
	var c statusChange
	for _, f := range []struct {
		key string
		dst *string
	}{{"executionArn", &c.executionArn}, {"status", &c.status}, {"stateMachineArn", &c.stateMachineArn}} {
		if *f.dst, err = executions.SubscriptString(detail, f.key); err != nil {
			return statusChange{}, err
		}
	}
	return c, nil
}

// member returns m[key]; a nil m has no members.
func member(m *pyjson.Map, key string) (any, bool) {
	if m == nil {
		return nil, false
	}
	return m.Get(key)
}
