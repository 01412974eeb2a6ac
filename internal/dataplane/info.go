package dataplane

import (
	"context"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/pyjson"
)

// apiVersion is the constant the original reports as the data plane API version (R2).
const apiVersion = "3.0.0"

// hello is R1 `GET /`, the unauthenticated health check (DP-05).
func (h *Handler) hello(context.Context, *apigw.Request) (any, error) {
	body := pyjson.NewMap()
	body.Set("hello", "world")
	return body, nil
}

// version is R2 `GET /version` (DP-06).
func (h *Handler) version(context.Context, *apigw.Request) (any, error) {
	body := pyjson.NewMap()
	body.Set("ApiVersion", apiVersion)
	body.Set("FrameworkVersion", h.cfg.FrameworkVersion)
	return body, nil
}

// mediaPath is R5: where a workflow writes derived media for an asset. Neither id is checked (DP-09).
func (h *Handler) mediaPath(_ context.Context, req *apigw.Request) (any, error) {
	body := pyjson.NewMap()
	body.Set("S3Bucket", h.cfg.Bucket)
	body.Set("S3Key", assetPrefix(req.PathParam("asset_id"))+"workflows/"+req.PathParam("workflow_id")+"/")
	return body, nil
}
