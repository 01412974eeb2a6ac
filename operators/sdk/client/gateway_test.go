package client_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/mie-go/mie-go/internal/apigw"
	apigateway "github.com/mie-go/mie-go/internal/gateway"
	"github.com/mie-go/mie-go/internal/sigv4"
)

// gateway is one API behind the project's API Gateway emulation (internal/gateway), in front of the API's handler.
type gateway struct {
	router   *apigw.Router
	handler  func(context.Context, apigw.Event) (apigw.Response, error)
	verifier *sigv4.Verifier
}

// startGateway serves an API on 127.0.0.1 and returns its endpoint as the stack output gives it.
func startGateway(t *testing.T, g *gateway) string {
	t.Helper()
	server := httptest.NewServer(apigateway.New(g.router, apigateway.HandlerFunction(g.handler), g.verifier))
	t.Cleanup(server.Close)
	return server.URL + "/" + apigateway.DefaultStage + "/"
}
