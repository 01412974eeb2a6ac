package stepfunctions

import (
	"log/slog"
	"sync"

	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

// Default location of the engine's resources.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
)

// Engine keeps state machines and executions and runs the executions. Create it with New; it is safe for
// concurrent use. Its methods are the operations of the Step Functions API, named after them, and fail with *Error.
type Engine struct {
	region, account string
	invoker         interp.Invoker
	clock           interp.Clock
	logger          *slog.Logger

	mu     sync.Mutex
	closed bool
	// machines holds the state machines by ARN until their deletion completes.
	machines map[string]*stateMachine
	// executions holds every execution by ARN, ended ones included, as long as the engine lives: their history is
	// what MIE's error handler reads after the status change event.
	executions map[string]*execution
	// seq orders state machines and executions by creation, for listing and paging.
	seq int64
	// running counts executions in status RUNNING; maxRunning is the most there ever were at once.
	running, maxRunning int

	notify notifier
	// busy counts execution goroutines and event deliveries under way, for Wait.
	busy activity
}

// Option configures an Engine.
type Option func(*Engine)

// WithLocation sets the region and account of the engine's ARNs (default DefaultRegion, DefaultAccount).
func WithLocation(region, account string) Option {
	return func(e *Engine) { e.region, e.account = region, account }
}

// WithClock sets the clock of the engine and its executions (default interp.ScaledClock(1), real time). A scaled
// clock shortens Wait states and retry intervals so that tests and the local runtime do not sit idle.
func WithClock(c interp.Clock) Option {
	return func(e *Engine) { e.clock = c }
}

// WithLogger sets where the engine logs execution starts and ends (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) { e.logger = l }
}

// New returns an empty engine whose Task states call Lambda functions through invoker.
func New(invoker interp.Invoker, opts ...Option) *Engine {
	e := &Engine{
		region:     DefaultRegion,
		account:    DefaultAccount,
		invoker:    invoker,
		clock:      interp.ScaledClock(1),
		logger:     slog.Default(),
		machines:   map[string]*stateMachine{},
		executions: map[string]*execution{},
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Running returns how many executions are in status RUNNING now.
func (e *Engine) Running() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.running
}

// MaxConcurrent returns the largest number of executions that were ever in status RUNNING at the same time: what
// a test of the scheduler's concurrency limit checks.
func (e *Engine) MaxConcurrent() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.maxRunning
}

// Wait blocks until no execution is running and every status change event has been delivered, including those of
// executions that subscribers start meanwhile.
func (e *Engine) Wait() {
	e.busy.wait()
}

// Close aborts every running execution, refuses new ones, and waits as Wait does. The ABORTED events are still
// delivered; a caller that does not want them unsubscribes first.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	for _, ex := range e.executions {
		e.abortLocked(ex, "", "")
	}
	e.mu.Unlock()
	e.Wait()
}

// nextSeq returns the next creation order number; e.mu must be held.
func (e *Engine) nextSeq() int64 {
	e.seq++
	return e.seq
}

// activity counts work under way so that wait can block until there is none. Unlike a sync.WaitGroup it lets new
// work begin while wait is blocked, which happens when a subscriber starts an execution.
type activity struct {
	mu   sync.Mutex
	idle *sync.Cond
	n    int
}

func (a *activity) begin() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
}

func (a *activity) end() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n--
	if a.n == 0 && a.idle != nil {
		a.idle.Broadcast()
	}
}

func (a *activity) wait() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.idle == nil {
		a.idle = sync.NewCond(&a.mu)
	}
	for a.n > 0 {
		a.idle.Wait()
	}
}
