package interp

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock never sleeps for real: a sleep is recorded and moves Now forward, except the durations
// blocked reports, which wait until their context is done (a wait that "has not elapsed yet").
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Duration
	blocked func(d time.Duration) bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	block := c.blocked != nil && c.blocked(d)
	if !block {
		c.now = c.now.Add(d)
	}
	c.mu.Unlock()
	if block {
		<-ctx.Done()
	}
	return ctx.Err()
}

func (c *fakeClock) recorded() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// blockAt makes sleeps of exactly these durations wait until cancelled.
func blockAt(ds ...time.Duration) func(time.Duration) bool {
	return func(d time.Duration) bool {
		for _, x := range ds {
			if d == x {
				return true
			}
		}
		return false
	}
}

// invokerFunc adapts a function to Invoker.
type invokerFunc func(ctx context.Context, arn string, input []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, arn string, input []byte) ([]byte, error) {
	return f(ctx, arn, input)
}

// call is one invocation a fakeLambdas saw.
type call struct {
	ARN   string
	Input map[string]any
}

// fakeLambdas dispatches invocations by function ARN to handlers working on decoded JSON, and records
// every call.
type fakeLambdas struct {
	mu       sync.Mutex
	handlers map[string]func(in map[string]any) (any, error)
	calls    []call
}

func (l *fakeLambdas) Invoke(ctx context.Context, arn string, input []byte) ([]byte, error) {
	var in map[string]any
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.calls = append(l.calls, call{ARN: arn, Input: in})
	h := l.handlers[arn]
	l.mu.Unlock()
	if h == nil {
		return nil, &InvokeError{Name: "Lambda.ResourceNotFoundException", Message: "Function not found: " + arn}
	}
	out, err := h(in)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

func (l *fakeLambdas) callsTo(arn string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, c := range l.calls {
		if c.ARN == arn {
			out = append(out, c.Input)
		}
	}
	return out
}

// history collects the events of a run.
type history struct {
	mu     sync.Mutex
	events []HistoryEvent
}

func (h *history) add(e HistoryEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

func (h *history) types() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		out = append(out, e.Type)
	}
	return out
}

func (h *history) ofType(typ string) []HistoryEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []HistoryEvent
	for _, e := range h.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// run parses def and runs it on input with the given invoker and clock (a fresh fake clock when nil).
func run(t *testing.T, def, input string, inv Invoker, clock Clock) (Outcome, *history) {
	t.Helper()
	m, err := Parse(def)
	require.NoError(t, err)
	return runMachine(context.Background(), m, input, inv, clock)
}

func runMachine(ctx context.Context, m *Machine, input string, inv Invoker, clock Clock) (Outcome, *history) {
	if clock == nil {
		clock = newFakeClock()
	}
	h := &history{}
	out := m.Run(ctx, []byte(input), RunOptions{
		Invoker: inv,
		Clock:   clock,
		Context: ExecutionContext{
			ExecutionID:      "arn:aws:states:us-east-1:111122223333:execution:sm:exec-1",
			Name:             "exec-1",
			RoleArn:          "arn:aws:iam::111122223333:role/sfn",
			StateMachineID:   "arn:aws:states:us-east-1:111122223333:stateMachine:sm",
			StateMachineName: "sm",
			StartTime:        time.Date(2026, 11, 24, 9, 59, 59, 123e6, time.UTC),
		},
		OnEvent: h.add,
	})
	return out, h
}

const fnA = "arn:aws:lambda:us-east-1:111122223333:function:a"

// echo is a handler that returns its input.
func echo(in map[string]any) (any, error) { return in, nil }

// functionError builds the error payload aws-lambda-go's runtime posts for an error of type typ.
func functionError(typ, msg string) error {
	payload, _ := json.Marshal(map[string]any{"errorMessage": msg, "errorType": typ})
	return &FunctionError{Payload: payload}
}

// jsonEq compares the output of a run with the expected JSON.
func jsonEq(t *testing.T, want string, got []byte) {
	t.Helper()
	require.JSONEq(t, want, string(got))
}
