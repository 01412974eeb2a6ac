package stepfunctions_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/stepfunctions"
	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

const (
	region  = "us-east-1"
	account = "123456789012"
	roleArn = "arn:aws:iam::123456789012:role/StepFunctionRole"
	logArn  = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/mie:*"
)

// passMachine is the smallest definition that runs.
const passMachine = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`

// harness is an engine behind its HTTP edge, the real SDK client pointed at it, and the Lambda registry its Task
// states call.
type harness struct {
	t      *testing.T
	engine *stepfunctions.Engine
	client *sfn.Client
	reg    *lambdainvoke.Registry
	events *eventLog
}

// newHarness starts an engine whose Task states call the registry in process, on a clock that skips every wait.
func newHarness(t *testing.T) *harness {
	t.Helper()
	reg := lambdainvoke.NewRegistry(region, account)
	return newHarnessWith(t, reg, stepfunctions.NewRegistryInvoker(reg), instantClock{})
}

// newHarnessWith starts an engine whose Task states call inv, on clock; reg is where the test registers functions.
func newHarnessWith(t *testing.T, reg *lambdainvoke.Registry, inv interp.Invoker, clock interp.Clock) *harness {
	t.Helper()
	h := &harness{t: t, reg: reg, events: &eventLog{}}
	h.engine = stepfunctions.New(inv,
		stepfunctions.WithLocation(region, account),
		stepfunctions.WithClock(clock),
		stepfunctions.WithLogger(slog.New(slog.DiscardHandler)),
	)
	h.engine.Subscribe(h.events.add)
	srv := httptest.NewServer(stepfunctions.NewServer(h.engine))
	// Cleanups run last first: the engine stops before the server.
	t.Cleanup(srv.Close)
	t.Cleanup(h.engine.Close)
	h.client = sfn.New(sfn.Options{
		Region:           region,
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkHTTPClient(),
	})
	return h
}

func (h *harness) ctx() context.Context { return h.t.Context() }

// create creates a state machine through the API and returns its ARN.
func (h *harness) create(name, definition string) string {
	h.t.Helper()
	out, err := h.client.CreateStateMachine(h.ctx(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String(roleArn),
	})
	require.NoError(h.t, err)
	return aws.ToString(out.StateMachineArn)
}

// startExecution starts an execution through the API and returns its ARN.
func (h *harness) startExecution(machineArn, name, input string) string {
	h.t.Helper()
	out, err := h.client.StartExecution(h.ctx(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machineArn), Name: aws.String(name), Input: aws.String(input),
	})
	require.NoError(h.t, err)
	return aws.ToString(out.ExecutionArn)
}

// run starts an execution, waits for the engine to be idle and describes the execution.
func (h *harness) run(machineArn, name, input string) *sfn.DescribeExecutionOutput {
	h.t.Helper()
	arn := h.startExecution(machineArn, name, input)
	h.engine.Wait()
	return h.describe(arn)
}

func (h *harness) describe(executionArn string) *sfn.DescribeExecutionOutput {
	h.t.Helper()
	out, err := h.client.DescribeExecution(h.ctx(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionArn)})
	require.NoError(h.t, err)
	return out
}

// history returns an execution's whole history, read through the SDK paginator with the given page size and
// order.
func (h *harness) history(executionArn string, pageSize int32, reverse bool) []types.HistoryEvent {
	h.t.Helper()
	p := sfn.NewGetExecutionHistoryPaginator(h.client, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(executionArn), MaxResults: pageSize, ReverseOrder: reverse,
	})
	var events []types.HistoryEvent
	for p.HasMorePages() {
		page, err := p.NextPage(h.ctx())
		require.NoError(h.t, err)
		events = append(events, page.Events...)
	}
	return events
}

// sdkHTTPClient is the HTTP client of the tests' SDK clients. It hides the WriteTo method of request bodies: the
// SDK wraps a body so that, once closed, its WriteTo answers io.EOF, and it closes the body as soon as the response
// has arrived. net/http, which may still be checking the body for bytes beyond its Content-Length at that moment,
// takes that io.EOF for a failed write and closes the connection under the response being read ("use of closed
// network connection", aws-sdk-go-v2#2737, which the SDK's retries hide). Through Read, a closed body answers
// 0, io.EOF, which net/http expects.
func sdkHTTPClient() *http.Client {
	return &http.Client{Transport: readOnlyBodies{next: http.DefaultTransport.(*http.Transport).Clone()}}
}

type readOnlyBodies struct{ next http.RoundTripper }

// readCloser exposes only Read and Close of the body it holds.
type readCloser struct{ io.ReadCloser }

func (t readOnlyBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req = req.Clone(req.Context())
		req.Body = readCloser{req.Body}
	}
	return t.next.RoundTrip(req)
}

// instantClock is real time in which every wait (Wait states, retry intervals) is over at once, so that tests
// never sleep. A state machine's TimeoutSeconds is a wait too: on this clock it expires at once.
type instantClock struct{}

func (instantClock) Now() time.Time { return time.Now() }

func (instantClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// eventLog records the status change events an engine delivers.
type eventLog struct {
	mu     sync.Mutex
	events []stepfunctions.StatusChangeEvent
}

func (l *eventLog) add(_ context.Context, ev stepfunctions.StatusChangeEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

// of returns the events of one execution, in delivery order.
func (l *eventLog) of(executionArn string) []stepfunctions.StatusChangeEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []stepfunctions.StatusChangeEvent
	for _, ev := range l.events {
		if ev.Detail.ExecutionArn == executionArn {
			out = append(out, ev)
		}
	}
	return out
}

// statuses returns the statuses of an execution's events, in delivery order.
func (l *eventLog) statuses(executionArn string) []string {
	var out []string
	for _, ev := range l.of(executionArn) {
		out = append(out, ev.Detail.Status)
	}
	return out
}

// requireAPIError checks that err is the SDK's error type T, the exception the service sent.
func requireAPIError[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	require.Error(t, err)
	require.True(t, errors.As(err, &target), "want %T, got %v", target, err)
	return target
}
