package controlplane

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// maxConcurrentWorkflows is the one system parameter the engine interprets (the scheduler's limit).
const maxConcurrentWorkflows = "MaxConcurrentWorkflows"

// index is R01 (CP-04).
func (h *Handler) index(context.Context, *apigw.Request) (any, error) {
	body := pyjson.NewMap()
	body.Set("hello", "world")
	return body, nil
}

// version is R02 (CP-04).
func (h *Handler) version(context.Context, *apigw.Request) (any, error) {
	body := pyjson.NewMap()
	body.Set("ApiVersion", APIVersion)
	body.Set("FrameworkVersion", h.cfg.FrameworkVersion)
	return body, nil
}

// putSystemConfiguration is R03 (CP-05): the body is stored as is. Every failure, the JSON parse included, is the
// original's 500 `Exception '<e>'`.
func (h *Handler) putSystemConfiguration(ctx context.Context, req *apigw.Request) (any, error) {
	raw, err := req.RawBody()
	if err != nil {
		return nil, viewError(err)
	}
	body, err := pyjson.Decode(raw)
	if err != nil {
		return nil, viewError(err)
	}
	name, err := pyGet(body, "Name")
	if err != nil {
		return nil, viewError(err)
	}
	if name == maxConcurrentWorkflows {
		value, err := pyGet(body, "Value")
		if err != nil {
			return nil, viewError(err)
		}
		// The text says "> 1" but 1 passes, and so does true.
		less, err := lessThanOne(value)
		if err != nil {
			return nil, viewError(err)
		}
		if less {
			return nil, apigw.ViewError("Exception '%s'", "MaxConcurrentWorkflows must be a value > 1")
		}
	}
	if err := h.putItem(ctx, h.cfg.SystemTable, body.(*pyjson.Map), nil); err != nil {
		return nil, viewError(err)
	}
	return pyjson.NewMap(), nil
}

// lessThanOne is Python's `value < 1` for a decoded JSON value.
func lessThanOne(value any) (bool, error) {
	switch v := value.(type) {
	case pyjson.Number:
		f, err := v.Float64()
		if err != nil {
			return false, err
		}
		return f < 1, nil
	case bool:
		return !v, nil
	}
	return false, apigw.Unhandledf("TypeError", "'<' not supported between instances of '%s' and 'int'", pyjson.TypeName(value))
}

// listSystemConfiguration is R04 (CP-05): a consistent scan of every page.
func (h *Handler) listSystemConfiguration(ctx context.Context, _ *apigw.Request) (any, error) {
	items, err := h.scanAll(ctx, &dynamodb.ScanInput{TableName: aws.String(h.cfg.SystemTable), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, viewError(err)
	}
	return respond(items)
}
