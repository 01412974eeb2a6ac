// Package workflowtest runs workflow executions end to end: the workflow API behind a gateway, the data plane, the
// scheduler and every Lambda inside the state machines, each built from its deployment environment and invoked
// through the Lambda Invoke API, with the state machines run by the Step Functions engine and the data services
// on moto (control-plane §8, CP-22 to CP-28, CP-33).
package workflowtest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/awstest"
	"github.com/mie-go/mie-go/internal/controlplane"
	"github.com/mie-go/mie-go/internal/dataplane"
	"github.com/mie-go/mie-go/internal/gateway"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/orchestration"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/scheduler"
	"github.com/mie-go/mie-go/internal/sigv4"
	"github.com/mie-go/mie-go/internal/stepfunctions"
	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
	"github.com/mie-go/mie-go/operators/failed"
	"github.com/mie-go/mie-go/operators/sdk"
	"github.com/mie-go/mie-go/operators/sdk/client"
	"github.com/mie-go/mie-go/operators/testops"
)

func TestMain(m *testing.M) {
	// The handlers log to the default logger, as in Lambda; only their warnings and errors are of interest here.
	slog.SetDefault(warnings)
	awstest.Main(m)
}

const (
	region  = "us-east-1"
	account = "123456789012"
	// timeScale shortens the state machines' waits: the 10 s poll of asynchronous operations lasts 10 ms, the
	// retries' 2 s and 4 s intervals a few milliseconds.
	timeScale = 1000
	// tickEvery stands in for the scheduler's one-minute rule.
	tickEvery = 50 * time.Millisecond
	// patience bounds how long a test waits for an execution to reach a status before it fails.
	patience = 45 * time.Second
)

// callerKey signs the test's requests; the gateway accepts only it.
var callerKey = aws.Credentials{AccessKeyID: "AKIDWORKFLOWTEST", SecretAccessKey: "workflow-test-secret"}

// warnings logs the engine's and the registry's warnings and errors (failed asynchronous invocations), not their
// routine messages.
var warnings = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// code is one function's handler, in any signature aws-lambda-go accepts, and the route table of an API function.
type code struct {
	handle any
	routes *apigw.Router
}

// mains builds the handlers of the functions an execution needs from their environment, as their mains do from
// os.Getenv (cmd/<name>/main.go).
func mains() map[string]func(ctx context.Context, lookup awsconf.Lookup) (code, error) {
	return map[string]func(ctx context.Context, lookup awsconf.Lookup) (code, error){
		"cmd/workflowapi": func(ctx context.Context, lookup awsconf.Lookup) (code, error) {
			h, err := controlplane.NewFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: h.Handle, routes: h.Router()}, nil
		},
		"cmd/dataplaneapi": func(ctx context.Context, lookup awsconf.Lookup) (code, error) {
			h, err := dataplane.NewFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: h.Handle}, nil
		},
		"cmd/scheduler": func(ctx context.Context, lookup awsconf.Lookup) (code, error) {
			s, err := scheduler.NewFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			// The function's reserved concurrency 1: one scheduler runs at a time, surplus triggers wait.
			var one sync.Mutex
			return code{handle: func(ctx context.Context) (string, error) {
				one.Lock()
				defer one.Unlock()
				return s.Handle(ctx)
			}}, nil
		},
		"cmd/filteroperation": func(context.Context, awsconf.Lookup) (code, error) {
			return code{handle: orchestration.NewFilter().Handle}, nil
		},
		"cmd/completestage": func(ctx context.Context, lookup awsconf.Lookup) (code, error) {
			c, err := orchestration.NewCompleteStageFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: c.Handle}, nil
		},
		"cmd/startwait": func(ctx context.Context, lookup awsconf.Lookup) (code, error) {
			w, err := orchestration.NewStartWaitFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: w.Handle}, nil
		},
		"cmd/checkwait": func(ctx context.Context, lookup awsconf.Lookup) (code, error) {
			w, err := orchestration.NewCheckWaitFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: w.Handle}, nil
		},
		"cmd/operatorfailed": func(context.Context, awsconf.Lookup) (code, error) {
			return code{handle: failed.New(nil).Handle}, nil
		},
		"cmd/testoperations": func(_ context.Context, lookup awsconf.Lookup) (code, error) {
			op, err := testops.NewFromLookup(lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: op.Handle}, nil
		},
	}
}

// stack is one deployment: its data services on moto, its functions in a registry behind the Lambda Invoke API,
// its state machines in an engine behind the Step Functions API, and the workflow API behind a gateway.
type stack struct {
	t      *testing.T
	prefix string
	reg    *lambdainvoke.Registry
	engine *stepfunctions.Engine
	api    *client.WorkflowAPI
	// names maps function IDs to function names.
	names map[string]string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := t.Context()
	cfg := awstest.Config(t, nil)
	prefix := awstest.Prefix(t)
	d, err := resources.Provision(ctx, cfg, resources.Params{
		StackName: prefix, ShortID: prefix[:6], Region: region, Account: account,
		DeployTestResources: true, StageQueueReceiveWait: aws.Duration(0),
	})
	require.NoError(t, err)

	s := &stack{
		t:      t,
		prefix: prefix,
		// Failed asynchronous invocations (the scheduler's triggers) are retried at once: tests never sleep.
		reg:   lambdainvoke.NewRegistry(region, account, lambdainvoke.WithLogger(warnings), lambdainvoke.WithRetryDelay(func(int) time.Duration { return 0 })),
		names: map[string]string{},
	}
	s.engine = stepfunctions.New(stepfunctions.NewRegistryInvoker(s.reg), stepfunctions.WithLocation(region, account),
		stepfunctions.WithClock(interp.ScaledClock(timeScale)), stepfunctions.WithLogger(warnings))
	lambdaAPI := httptest.NewServer(lambdainvoke.NewServer(s.reg))
	sfnAPI := httptest.NewServer(stepfunctions.NewServer(s.engine))
	// In reverse: stop the executions, let the asynchronous invocations finish, then close the servers.
	t.Cleanup(lambdaAPI.Close)
	t.Cleanup(sfnAPI.Close)
	t.Cleanup(s.reg.Wait)
	t.Cleanup(s.engine.Close)
	endpoints := map[string]string{
		"AWS_ENDPOINT_URL_LAMBDA": lambdaAPI.URL,
		"AWS_ENDPOINT_URL_SFN":    sfnAPI.URL,
	}

	builders := mains()
	var workflowAPI *apigw.Router
	for _, f := range d.Definitions().Functions {
		build, ok := builders[f.Main]
		if !ok || !d.Params().Deploys(f.Condition) {
			continue
		}
		name, err := d.Resolve(resources.NameOf(f.ID))
		require.NoError(t, err)
		env, err := d.Env(f.ID)
		require.NoError(t, err)
		for k, v := range endpoints {
			env[k] = v
		}
		env["_HANDLER"] = f.Handler
		c, err := build(ctx, awstest.Lookup(t, env))
		require.NoError(t, err, f.ID)
		s.reg.RegisterFunc(name, c.handle, lambdainvoke.WithTimeout(f.Timeout))
		s.names[f.ID] = name
		if f.ID == resources.WorkflowAPIHandler {
			workflowAPI = c.routes
		}
	}
	require.NotNil(t, workflowAPI)

	verifier := sigv4.New(sigv4.StaticCredentials(callerKey), region)
	gw := httptest.NewServer(gateway.New(workflowAPI, s.function(resources.WorkflowAPIHandler), verifier))
	t.Cleanup(gw.Close)
	s.api, err = client.NewWorkflowAPI(aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(callerKey.AccessKeyID, callerKey.SecretAccessKey, ""),
	}, gw.URL+"/"+gateway.DefaultStage+"/")
	require.NoError(t, err)
	return s
}

// function invokes a registered function synchronously, as API Gateway's Lambda integration does.
func (s *stack) function(id string) gateway.Function {
	return func(ctx context.Context, event []byte) ([]byte, error) {
		res, err := s.reg.Invoke(ctx, s.names[id], event)
		if err != nil {
			return nil, err
		}
		if res.FunctionError != "" {
			return nil, fmt.Errorf("%s failed: %s", s.names[id], res.Payload)
		}
		return res.Payload, nil
	}
}

// arn is the ARN of a function of the stack.
func (s *stack) arn(id string) string {
	name, ok := s.names[id]
	require.True(s.t, ok, "no function %s", id)
	return s.reg.ARN(name)
}

// testOperator is the ARN of the test operator with the given handler, e.g. video-sync-ok.
func (s *stack) testOperator(handler string) string {
	return s.reg.ARN(s.prefix + "-" + handler)
}

// tick runs the scheduler as its one-minute rule does.
func (s *stack) tick() {
	s.t.Helper()
	res, err := s.reg.Invoke(s.t.Context(), s.names[resources.WorkflowSchedulerLambda], nil)
	require.NoError(s.t, err)
	require.Empty(s.t, res.FunctionError, "scheduler: %s", res.Payload)
}

// await ticks the scheduler until cond holds; the test fails when it does not within patience.
func (s *stack) await(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s did not happen within %s", what, patience)
		}
		s.tick()
		time.Sleep(tickEvery)
	}
}

// execution reads an execution through the API.
func (s *stack) execution(id string) *client.Execution {
	s.t.Helper()
	e, err := s.api.GetExecution(s.t.Context(), id)
	require.NoError(s.t, err)
	return e
}

// awaitStatus waits until the execution has the status and returns it then.
func (s *stack) awaitStatus(id, status string) *client.Execution {
	s.t.Helper()
	var e *client.Execution
	s.await("execution "+id+" "+status, func() bool {
		e = s.execution(id)
		if status != sdk.WorkflowStatusError && e.Status == sdk.WorkflowStatusError {
			s.t.Fatalf("execution %s failed: %s", id, e.Message)
		}
		return e.Status == status
	})
	return e
}
