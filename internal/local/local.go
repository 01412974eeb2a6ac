// Package local is the local runtime (`mie local`): it runs the whole framework on 127.0.0.1 with no AWS account.
// moto_server (or an endpoint the user gives, such as LocalStack) holds the data services; this package provisions
// them from internal/resources, runs every Lambda function in process with the environment the stack gives it,
// serves the Lambda and Step Functions APIs and both REST APIs behind an API Gateway emulation, and feeds the
// functions their events (table streams, execution status changes, the scheduler's tick).
package local

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/moto"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/stepfunctions"
	"github.com/mie-go/mie-go/internal/stepfunctions/interp"
)

// Defaults of the options.
const (
	DefaultStackName = "mie"
	DefaultRegion    = "us-east-1"
	// DefaultAccount is moto's fixed account.
	DefaultAccount = "123456789012"
	// DefaultTimeScale runs every wait in real time, as on AWS.
	DefaultTimeScale = 1
)

// DefaultCredentials are the access key the local runtime accepts on its APIs and gives its functions; moto and
// LocalStack accept any key.
var DefaultCredentials = aws.Credentials{AccessKeyID: "AKIDMIELOCAL", SecretAccessKey: "mie-local-secret"}

// Options configure the local runtime. The zero value of every field means its default.
type Options struct {
	// StackName is the stack name `<S>` every physical name derives from (at most 12 characters).
	StackName string
	// AWSEndpoint is the endpoint of the data services; empty starts moto_server.
	AWSEndpoint string
	// Port is the first of five consecutive ports on 127.0.0.1: workflow API, data plane API, Lambda, Step
	// Functions, moto. Zero takes free ports.
	Port int
	// TimeScale speeds up the state machines' Wait states and retry intervals, the scheduler's 1-minute tick and
	// Lambda's asynchronous retry delays: 10 turns a 10 s wait into 1 s. It is at least 1.
	TimeScale float64
	// MaxConcurrentWorkflows seeds the System table, as the stack parameter does.
	MaxConcurrentWorkflows int
	Region, Account        string
	// Credentials are the only ones the APIs accept, and the ones the functions use.
	Credentials aws.Credentials
	// Log receives the functions' and the runtime's logs; nil discards them.
	Log *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.StackName == "" {
		o.StackName = DefaultStackName
	}
	if o.TimeScale == 0 {
		o.TimeScale = DefaultTimeScale
	}
	if o.TimeScale < 1 {
		return o, fmt.Errorf("time scale %g: must be at least 1 (the runtime can speed time up, not slow it down)", o.TimeScale)
	}
	if o.Port < 0 || o.Port > 65535-int(serviceCount) {
		return o, fmt.Errorf("port %d: must be between 1 and %d, or 0 for free ports", o.Port, 65535-int(serviceCount))
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.Credentials.AccessKeyID == "" {
		o.Credentials = DefaultCredentials
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// service is one of the endpoints the runtime serves, in the order of their ports.
type service int

const (
	workflowAPI service = iota
	dataplaneAPI
	lambdaAPI
	stepFunctionsAPI
	motoServer
	serviceCount
)

func (s service) String() string {
	return [...]string{"workflow API", "data plane API", "Lambda API", "Step Functions API", "moto_server"}[s]
}

// PortInUseError reports a port of the runtime that another process holds.
type PortInUseError struct {
	Port    int
	Service string
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d (for the %s) on 127.0.0.1 is already in use; stop what uses it or choose another first port with --port", e.Port, e.Service)
}

// Runtime is a running local deployment.
type Runtime struct {
	opts        Options
	deployment  *resources.Deployment
	endpoints   map[service]string
	registry    *lambdainvoke.Registry
	engine      *stepfunctions.Engine
	moto        *moto.Server
	servers     []*http.Server
	unavailable []Unavailable
	names       map[string]string // function ID -> name of every function registered
	unsubscribe func()
	ctx         context.Context // ends when the runtime closes
	cancel      context.CancelFunc
	loops       sync.WaitGroup
	failed      chan error
}

// Unavailable is a function of the stack that the runtime cannot run yet, because its handler does not exist.
type Unavailable struct {
	ID, Name, Main string
}

// Start brings the runtime up and returns once every API answers. Close stops it.
func Start(ctx context.Context, opts Options) (rt *Runtime, err error) {
	opts, err = opts.withDefaults()
	if err != nil {
		return nil, err
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rt = &Runtime{opts: opts, endpoints: map[service]string{}, names: map[string]string{}, ctx: loopCtx, cancel: cancel, failed: make(chan error, 8)}
	defer func() {
		if err != nil {
			rt.Close()
		}
	}()
	listeners, err := rt.listen()
	if err != nil {
		return rt, err
	}
	if err := rt.startDataServices(ctx); err != nil {
		return rt, err
	}
	base := rt.baseEnvironment()
	cfg, err := awsconf.Load(ctx, awsconf.MapLookup(base))
	if err != nil {
		return rt, fmt.Errorf("SDK configuration: %w", err)
	}
	if err := rt.provision(ctx, cfg); err != nil {
		return rt, err
	}
	rt.registry = lambdainvoke.NewRegistry(opts.Region, opts.Account,
		lambdainvoke.WithLogger(opts.Log),
		// Lambda retries a failed asynchronous invocation after about 1 and 2 minutes.
		lambdainvoke.WithRetryDelay(func(retry int) time.Duration { return rt.scaled(time.Duration(retry) * time.Minute) }))
	routes, err := rt.registerFunctions(ctx, base)
	if err != nil {
		return rt, err
	}
	rt.engine = stepfunctions.New(stepfunctions.NewRegistryInvoker(rt.registry),
		stepfunctions.WithClock(interp.ScaledClock(opts.TimeScale)),
		stepfunctions.WithLocation(opts.Region, opts.Account),
		stepfunctions.WithLogger(opts.Log))
	if err := rt.serve(listeners, routes); err != nil {
		return rt, err
	}
	if err := rt.registerOperations(ctx); err != nil {
		return rt, err
	}
	if err := rt.startEventSources(cfg); err != nil {
		return rt, err
	}
	return rt, nil
}

// scaled shortens a duration of the deployed system by the time scale.
func (rt *Runtime) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / rt.opts.TimeScale)
}

// listen binds the runtime's own ports first, so that a taken port fails before anything starts.
func (rt *Runtime) listen() (map[service]net.Listener, error) {
	listeners := map[service]net.Listener{}
	for s := workflowAPI; s < motoServer; s++ {
		port := 0
		if rt.opts.Port != 0 {
			port = rt.opts.Port + int(s)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			for _, open := range listeners {
				open.Close()
			}
			if isAddrInUse(err) {
				return nil, &PortInUseError{Port: port, Service: s.String()}
			}
			return nil, fmt.Errorf("listen for the %s: %w", s, err)
		}
		listeners[s] = l
		rt.endpoints[s] = "http://" + l.Addr().String()
	}
	return listeners, nil
}

// startDataServices starts moto_server unless an endpoint was given. The runtime's endpoint is moto's proxy, which
// passes DynamoDB requests one at a time: the runtime's functions write the same tables concurrently, which moto
// alone does not survive. A given endpoint is used as it is.
func (rt *Runtime) startDataServices(ctx context.Context) error {
	if rt.opts.AWSEndpoint != "" {
		rt.endpoints[motoServer] = rt.opts.AWSEndpoint
		return nil
	}
	binary, err := moto.LookPath()
	if err != nil {
		return fmt.Errorf("%w (or give the endpoint of running AWS emulators with --aws-endpoint)", err)
	}
	port := 0
	if rt.opts.Port != 0 {
		port = rt.opts.Port + int(motoServer)
	}
	server, err := moto.Start(ctx, binary, port)
	var inUse *moto.PortInUseError
	if errors.As(err, &inUse) {
		return &PortInUseError{Port: inUse.Port, Service: motoServer.String()}
	}
	if err != nil {
		return err
	}
	rt.moto = server
	rt.endpoints[motoServer] = server.URL
	rt.loops.Go(func() {
		select {
		case <-server.Exited():
			rt.fail(fmt.Errorf("moto_server exited; its last output:\n%s", server.Output()))
		case <-rt.ctx.Done():
		}
	})
	return nil
}

// baseEnvironment is what every function gets besides its own variables, and what a caller needs: the local
// credentials, the region and the endpoints.
func (rt *Runtime) baseEnvironment() map[string]string {
	return map[string]string{
		"AWS_REGION":              rt.opts.Region,
		"AWS_DEFAULT_REGION":      rt.opts.Region,
		"AWS_ACCESS_KEY_ID":       rt.opts.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":   rt.opts.Credentials.SecretAccessKey,
		"AWS_ENDPOINT_URL":        rt.endpoints[motoServer],
		"AWS_ENDPOINT_URL_LAMBDA": rt.endpoints[lambdaAPI],
		"AWS_ENDPOINT_URL_SFN":    rt.endpoints[stepFunctionsAPI],
	}
}

// provision creates the resources and seeds the System table as the stack's helper custom resource does
// (infrastructure §2.11, InitSystemTable).
func (rt *Runtime) provision(ctx context.Context, cfg awsconf.Config) error {
	shortID, err := newShortID()
	if err != nil {
		return err
	}
	wait := time.Second // an empty receive of the scheduler returns after 1 s instead of AWS's 20 s
	d, err := resources.Provision(ctx, cfg, resources.Params{
		StackName:              rt.opts.StackName,
		ShortID:                shortID,
		Region:                 rt.opts.Region,
		Account:                rt.opts.Account,
		MaxConcurrentWorkflows: rt.opts.MaxConcurrentWorkflows,
		DeployTestResources:    true,
		StageQueueReceiveWait:  &wait,
	})
	if err != nil {
		return fmt.Errorf("provision the stack's resources at %s: %w", rt.endpoints[motoServer], err)
	}
	rt.deployment = d
	return seedSystemTable(ctx, cfg.DynamoDB(), d)
}

// newShortID draws the stack's `<suid>`: 6 characters of [a-z0-9], as the helper custom resource does.
func newShortID() (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("draw the short id: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// Close stops the runtime: the APIs first, then the executions and event sources, then moto. It waits a few
// seconds at most for asynchronous invocations still running.
func (rt *Runtime) Close() {
	for _, s := range rt.servers {
		_ = s.Close() // closing listeners fails only for ones already closed
	}
	if rt.unsubscribe != nil {
		rt.unsubscribe()
	}
	rt.cancel()
	if rt.engine != nil {
		rt.engine.Close()
	}
	if rt.registry != nil {
		// Asynchronous retries sleep without a way to stop them; do not let a pending retry hold the shutdown.
		waitAtMost(rt.registry.Wait, 5*time.Second)
	}
	if rt.moto != nil {
		rt.moto.Stop()
	}
	rt.loops.Wait()
}

// Failed delivers errors that end the runtime while it runs, such as moto_server exiting.
func (rt *Runtime) Failed() <-chan error { return rt.failed }

func (rt *Runtime) fail(err error) {
	select {
	case rt.failed <- err:
	default: // the first errors are enough to explain the failure
	}
}

func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }

func waitAtMost(wait func(), limit time.Duration) {
	done := make(chan struct{})
	go func() {
		wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(limit):
	}
}
