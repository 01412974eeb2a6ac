package local

import (
	"context"
	"log/slog"

	"github.com/mie-go/mie-go/internal/awsconf"
	"github.com/mie-go/mie-go/internal/controlplane"
	"github.com/mie-go/mie-go/internal/dataplane"
	"github.com/mie-go/mie-go/internal/errorhandler"
	"github.com/mie-go/mie-go/internal/gateway"
	"github.com/mie-go/mie-go/internal/orchestration"
	"github.com/mie-go/mie-go/internal/scheduler"
	"github.com/mie-go/mie-go/internal/stream"
	"github.com/mie-go/mie-go/operators/failed"
	"github.com/mie-go/mie-go/operators/testops"
)

// code is one Lambda function's code, built in process.
type code struct {
	// handle is the handler, in any signature aws-lambda-go's lambda.Start accepts.
	handle any
	// routes is the route table of an API function, nil for the others.
	routes gateway.RouteTable
}

// constructor builds a function's code from its environment, as the function's main does from os.Getenv.
type constructor func(ctx context.Context, lookup awsconf.Lookup, log *slog.Logger) (code, error)

// mains maps the Main of every function definition that has a handler to the in-process equivalent of that main
// (cmd/<name>/main.go). A definition whose Main is missing here is reported as not available locally.
func mains() map[string]constructor {
	return map[string]constructor{
		"cmd/workflowapi": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			h, err := controlplane.NewFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: h.Handle, routes: h.Router()}, nil
		},
		"cmd/workflowcustomresource": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			c, err := controlplane.NewCustomResourceFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: c.Handle}, nil
		},
		"cmd/dataplaneapi": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			h, err := dataplane.NewFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: h.Handle, routes: h.Router()}, nil
		},
		"cmd/dataplanestream": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			h, err := stream.NewDataplaneFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: h.Handle}, nil
		},
		"cmd/workflowstream": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			h, err := stream.NewWorkflowFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: h.Handle}, nil
		},
		"cmd/errorhandler": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			h, err := errorhandler.NewFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: h.Handle}, nil
		},
		"cmd/operatorfailed": func(_ context.Context, _ awsconf.Lookup, log *slog.Logger) (code, error) {
			return code{handle: failed.New(log).Handle}, nil
		},
		"cmd/testoperations": func(_ context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			op, err := testops.NewFromLookup(lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: op.Handle}, nil
		},
		"cmd/scheduler": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			s, err := scheduler.NewFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: s.Handle}, nil
		},
		"cmd/filteroperation": func(context.Context, awsconf.Lookup, *slog.Logger) (code, error) {
			return code{handle: orchestration.NewFilter().Handle}, nil
		},
		"cmd/completestage": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			c, err := orchestration.NewCompleteStageFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: c.Handle}, nil
		},
		"cmd/startwait": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			w, err := orchestration.NewStartWaitFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: w.Handle}, nil
		},
		"cmd/checkwait": func(ctx context.Context, lookup awsconf.Lookup, _ *slog.Logger) (code, error) {
			w, err := orchestration.NewCheckWaitFromLookup(ctx, lookup)
			if err != nil {
				return code{}, err
			}
			return code{handle: w.Handle}, nil
		},
	}
}
