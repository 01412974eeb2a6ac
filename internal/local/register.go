package local

import (
	"context"
	"fmt"
	"maps"
	"strconv"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/gateway"
	"github.com/mie-go/mie-go/internal/lambdainvoke"
	"github.com/mie-go/mie-go/internal/resources"
)

// registerFunctions builds every deployed function whose handler exists, with the environment the stack gives it
// plus what the Lambda service sets, and registers it under its name. It returns the route tables of the API
// functions by function ID.
func (rt *Runtime) registerFunctions(ctx context.Context, base map[string]string) (map[string]gateway.RouteTable, error) {
	d := rt.deployment
	constructors := mains()
	routes := map[string]gateway.RouteTable{}
	for _, f := range d.Definitions().Functions {
		if !d.Params().Deploys(f.Condition) {
			continue
		}
		name, err := d.Resolve(resources.NameOf(f.ID))
		if err != nil {
			return nil, fmt.Errorf("name of function %s: %w", f.ID, err)
		}
		build, ok := constructors[f.Main]
		if !ok {
			rt.unavailable = append(rt.unavailable, Unavailable{ID: f.ID, Name: name, Main: f.Main})
			continue
		}
		env, err := d.Env(f.ID)
		if err != nil {
			return nil, err
		}
		maps.Copy(env, base)
		env["AWS_LAMBDA_FUNCTION_NAME"] = name
		env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(int(f.MemoryMB))
		env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
		env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + name
		env["AWS_LAMBDA_LOG_STREAM_NAME"] = "local/" + name
		env["_HANDLER"] = f.Handler
		c, err := build(ctx, awsconf.MapLookup(env), rt.opts.Log.With("function", name))
		if err != nil {
			return nil, fmt.Errorf("start function %s (%s): %w", name, f.Main, err)
		}
		rt.registry.RegisterFunc(name, c.handle, lambdainvoke.WithTimeout(f.Timeout))
		rt.names[f.ID] = name
		if c.routes != nil {
			routes[f.ID] = c.routes
		}
	}
	return routes, nil
}

// Unavailable lists the functions of the stack that are not available locally yet, in definition order.
func (rt *Runtime) Unavailable() []Unavailable { return rt.unavailable }
