package stepfunctions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
)

// taskMachine is a state machine of one Task state calling function.
func taskMachine(function string) string {
	return fmt.Sprintf(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":%q,"End":true}}}`, function)
}

// MasExecutionError is the error type MIE's operators return; aws-lambda-go names the function error after it.
type MasExecutionError struct {
	Output map[string]any
}

func (e *MasExecutionError) Error() string {
	b, _ := json.Marshal(e.Output)
	return string(b)
}

// workInput steers the "work" function of a gate.
type workInput struct {
	// Block holds the call until the gate opens.
	Block bool `json:"block"`
	// Fail makes the function return a MasExecutionError.
	Fail bool `json:"fail"`
}

// gate is a Lambda function, "work", that the test controls: it reports every call, answers at once, fails, or
// holds the call until the gate opens, as its input asks.
type gate struct {
	entered chan struct{}
	open    chan struct{}
	once    sync.Once
}

// newGate registers "work" in reg. The gate opens when the test ends, so no call outlives it.
func newGate(t *testing.T, reg *lambdainvoke.Registry) *gate {
	g := &gate{entered: make(chan struct{}, 100), open: make(chan struct{})}
	t.Cleanup(g.release)
	reg.RegisterFunc("work", g.work, lambdainvoke.WithTimeout(time.Hour))
	return g
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

func (g *gate) work(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
	var w workInput
	if err := json.Unmarshal(in, &w); err != nil {
		return nil, err
	}
	g.entered <- struct{}{}
	switch {
	case w.Fail:
		return nil, &MasExecutionError{Output: map[string]any{"Status": "Error"}}
	case !w.Block:
		return in, nil
	}
	select {
	case <-g.open:
		return in, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stubbornClock is a clock whose waits last until it is opened, even when their context ends meanwhile: a run
// that takes its time to unwind after an abort.
type stubbornClock struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

// newStubbornClock returns a clock that opens when the test ends, if not before.
func newStubbornClock(t *testing.T) *stubbornClock {
	c := &stubbornClock{entered: make(chan struct{}, 100), release: make(chan struct{})}
	t.Cleanup(c.open)
	return c
}

func (c *stubbornClock) open() { c.once.Do(func() { close(c.release) }) }

func (c *stubbornClock) Now() time.Time { return time.Now() }

func (c *stubbornClock) Sleep(ctx context.Context, _ time.Duration) error {
	c.entered <- struct{}{}
	<-c.release
	return ctx.Err()
}
