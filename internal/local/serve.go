package local

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/mie-go/mie-go/internal/gateway"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/resources"
	"github.com/mie-go/mie-go/internal/sigv4"
	"github.com/mie-go/mie-go/internal/stepfunctions"
)

// REST API ids of the two APIs. API Gateway draws them at random; locally they are the APIs' names, which the
// request context and the *ApiRestID outputs carry.
const (
	workflowAPIID  = "workflowapi"
	dataplaneAPIID = "dataplaneapi"
)

// serve starts the HTTP servers on the listeners bound by listen.
func (rt *Runtime) serve(listeners map[service]net.Listener, routes map[string]gateway.RouteTable) error {
	verifier := sigv4.New(sigv4.StaticCredentials(rt.opts.Credentials), rt.opts.Region)
	handlers := map[service]http.Handler{
		lambdaAPI:        lambdainvoke.NewServer(rt.registry),
		stepFunctionsAPI: stepfunctions.NewServer(rt.engine),
	}
	apis := []struct {
		service  service
		function string
		apiID    string
	}{
		{workflowAPI, resources.WorkflowAPIHandler, workflowAPIID},
		{dataplaneAPI, resources.DataplaneAPIHandler, dataplaneAPIID},
	}
	for _, api := range apis {
		table, ok := routes[api.function]
		if !ok {
			return fmt.Errorf("the %s has no function to serve it (%s)", api.service, api.function)
		}
		handlers[api.service] = gateway.New(table, rt.apiFunction(rt.names[api.function]), verifier, func(o *gateway.Options) {
			o.APIID, o.AccountID = api.apiID, rt.opts.Account
		})
	}
	for s, l := range listeners {
		server := &http.Server{Handler: handlers[s]}
		rt.servers = append(rt.servers, server)
		rt.loops.Go(func() {
			if err := server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				rt.fail(fmt.Errorf("the %s stopped: %w", s, err))
			}
		})
	}
	return nil
}

// apiFunction is the gateway's integration with an API's Lambda function: a synchronous invocation through the
// registry, where a function error is the integration's failure.
func (rt *Runtime) apiFunction(name string) gateway.Function {
	return func(ctx context.Context, event []byte) ([]byte, error) {
		res, err := rt.registry.Invoke(ctx, name, event)
		if err != nil {
			return nil, err
		}
		if res.FunctionError != "" {
			return nil, fmt.Errorf("function %s failed: %s", name, res.Payload)
		}
		return res.Payload, nil
	}
}
