package lambdainvoke

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// DefaultTimeout is the function timeout Lambda gives a function that does not configure one.
const DefaultTimeout = 3 * time.Second

// DefaultAsyncRetries is how often Lambda retries an asynchronous invocation whose function failed.
const DefaultAsyncRetries = 2

// Registry maps function names to in-process handlers and invokes them the way the Lambda service does. Create it
// with NewRegistry; it is safe for concurrent use.
type Registry struct {
	region, account string
	logger          *slog.Logger
	retries         int
	retryDelay      func(retry int) time.Duration

	mu    sync.RWMutex
	funcs map[string]*function

	// Asynchronous invocations still running; Wait blocks on idle until running is zero. A WaitGroup would forbid
	// the Add that a new invocation makes while Wait is already blocked.
	pending sync.Mutex
	idle    *sync.Cond
	running int
}

// function is one registered handler and its configuration.
type function struct {
	name    string
	handler lambda.Handler
	timeout time.Duration
}

// Option configures a Registry.
type Option func(*Registry)

// WithLogger sets where failed asynchronous invocations are reported (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(r *Registry) { r.logger = l }
}

// WithAsyncRetries sets how many times a failed asynchronous invocation is retried (default 2, as Lambda's
// MaximumRetryAttempts). Zero disables retries.
func WithAsyncRetries(n int) Option {
	return func(r *Registry) { r.retries = max(n, 0) }
}

// WithRetryDelay sets the wait before asynchronous retry number retry (1-based). A non-positive delay retries at
// once, which is what tests use so that they never sleep.
func WithRetryDelay(delay func(retry int) time.Duration) Option {
	return func(r *Registry) { r.retryDelay = delay }
}

// NewRegistry returns an empty registry whose functions live in the given region and account.
func NewRegistry(region, account string, opts ...Option) *Registry {
	r := &Registry{
		region:     region,
		account:    account,
		logger:     slog.Default(),
		retries:    DefaultAsyncRetries,
		retryDelay: lambdaRetryDelay,
		funcs:      map[string]*function{},
	}
	r.idle = sync.NewCond(&r.pending)
	for _, o := range opts {
		o(r)
	}
	return r
}

// lambdaRetryDelay is the service's schedule: one minute before the first retry, two before the second.
func lambdaRetryDelay(retry int) time.Duration {
	return time.Duration(retry) * time.Minute
}

// FunctionOption configures one registered function.
type FunctionOption func(*functionConfig)

type functionConfig struct {
	timeout time.Duration
}

// WithTimeout sets the function timeout (default DefaultTimeout): the handler's context deadline, after which the
// invocation fails with Sandbox.Timedout. The local runtime gives long-running functions up to 900 s.
func WithTimeout(d time.Duration) FunctionOption {
	return func(c *functionConfig) { c.timeout = d }
}

// Register makes h the code of the function called name. Registering a name again replaces its code and
// configuration, as UpdateFunctionCode does; invocations already running finish with the old handler. An invalid
// name, a nil handler or a non-positive timeout is a programming error and panics.
func (r *Registry) Register(name string, h lambda.Handler, opts ...FunctionOption) {
	if !isFunctionName(name) {
		panic(fmt.Sprintf("lambdainvoke: invalid function name %q", name))
	}
	if h == nil {
		panic(fmt.Sprintf("lambdainvoke: nil handler for function %q", name))
	}
	cfg := functionConfig{timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.timeout <= 0 {
		panic(fmt.Sprintf("lambdainvoke: non-positive timeout %v for function %q", cfg.timeout, name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.funcs[name] = &function{name: name, handler: h, timeout: cfg.timeout}
}

// RegisterFunc registers any handler signature aws-lambda-go's lambda.Start accepts. As in the Go runtime, a
// signature it cannot call is reported when the function is invoked, as a function error.
func (r *Registry) RegisterFunc(name string, handler any, opts ...FunctionOption) {
	r.Register(name, freshHandler{fn: handler}, opts...)
}

// freshHandler builds aws-lambda-go's handler anew for every call. The library returns a response's bytes from a
// pooled buffer it has already put back, so two concurrent calls of one shared handler can overwrite each other's
// response before it is copied; a handler of its own per call keeps its buffer to itself.
type freshHandler struct{ fn any }

func (h freshHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return lambda.NewHandler(h.fn).Invoke(ctx, payload)
}

// ARN returns the unqualified ARN of the function called name in this registry's region and account.
func (r *Registry) ARN(name string) string {
	return functionARN(r.region, r.account, name, "")
}

// Wait blocks until every asynchronous invocation, retries included, has finished. A handler abandoned after its
// timeout is not waited for: Lambda stops waiting for it too.
func (r *Registry) Wait() {
	r.pending.Lock()
	defer r.pending.Unlock()
	for r.running > 0 {
		r.idle.Wait()
	}
}

func (r *Registry) startAsync() {
	r.pending.Lock()
	defer r.pending.Unlock()
	r.running++
}

func (r *Registry) finishAsync() {
	r.pending.Lock()
	defer r.pending.Unlock()
	r.running--
	if r.running == 0 {
		r.idle.Broadcast()
	}
}

func (r *Registry) lookup(name string) *function {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.funcs[name]
}
