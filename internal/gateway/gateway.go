// Package gateway emulates API Gateway in front of MIE's two REST APIs: it matches requests to the resources of an
// API's route table, answers what API Gateway answers itself (unknown resources and methods, CORS preflights,
// refused signatures on IAM-authorized methods), hands everything else to the API's Lambda function as a REST proxy
// event built as API Gateway builds it, and maps the function's proxy response back to HTTP.
package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/sigv4"
)

// DefaultStage is the stage both APIs are deployed to (infrastructure §3.3, §4).
const DefaultStage = "api"

// IntegrationTimeout is API Gateway's limit on a Lambda integration: past it the caller gets 504.
const IntegrationTimeout = 29 * time.Second

// Function is the Lambda function behind an API. It takes the proxy event as the JSON the Lambda runtime delivers
// and returns the function's response payload; an error is a function error (or a failed invocation), which API
// Gateway answers with 502.
type Function func(ctx context.Context, event []byte) ([]byte, error)

// RouteTable is what the gateway reads of an API's route table; *apigw.Router is one.
type RouteTable interface {
	Routes() []apigw.Route
	CORSAllowMethods(resource string) string
}

// Options configure a Gateway.
type Options struct {
	// Stage is the first path segment, the deployed stage; DefaultStage when empty.
	Stage string
	// APIID and AccountID appear in the request context; "local" and 123456789012 by default.
	APIID, AccountID string
	// Now is the gateway's clock for requestTime; time.Now by default.
	Now func() time.Time
	// Timeout is the integration timeout; IntegrationTimeout by default.
	Timeout time.Duration
}

// Gateway serves one REST API. It is an http.Handler.
type Gateway struct {
	resources []resource
	cors      func(resource string) string
	function  Function
	verifier  *sigv4.Verifier
	opts      Options
}

// resource is one resource of the API with its methods.
type resource struct {
	template string
	segments []string
	methods  map[string]apigw.Route
	cors     bool
}

// New returns the gateway of the API whose routes are table, served by function, whose IAM-authorized methods
// accept only requests that verifier accepts.
func New(table RouteTable, function Function, verifier *sigv4.Verifier, optFns ...func(*Options)) *Gateway {
	opts := Options{Stage: DefaultStage, APIID: "local", AccountID: "123456789012", Now: time.Now, Timeout: IntegrationTimeout}
	for _, fn := range optFns {
		fn(&opts)
	}
	g := &Gateway{cors: table.CORSAllowMethods, function: function, verifier: verifier, opts: opts}
	index := map[string]int{}
	for _, rt := range table.Routes() {
		i, ok := index[rt.Resource]
		if !ok {
			i = len(g.resources)
			index[rt.Resource] = i
			g.resources = append(g.resources, resource{template: rt.Resource, segments: splitPath(rt.Resource), methods: map[string]apigw.Route{}})
		}
		g.resources[i].methods[rt.Method] = rt
		g.resources[i].cors = g.resources[i].cors || rt.CORS
	}
	return g
}

// ServeHTTP answers one request as API Gateway would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", requestID)
	res, params, ok := g.match(r.URL.EscapedPath())
	if !ok {
		writeMissingToken(w)
		return
	}
	if r.Method == http.MethodOptions && res.cors {
		// The MOCK integration of every preflight: 200, the CORS headers, no body (infrastructure §3.3).
		w.Header().Set("Access-Control-Allow-Headers", apigw.CORSAllowHeaders)
		w.Header().Set("Access-Control-Allow-Methods", g.cors(res.template))
		w.Header().Set("Access-Control-Allow-Origin", apigw.CORSAllowOrigin)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		return
	}
	route, ok := res.methods[r.Method]
	if !ok {
		// API Gateway answers a method the resource does not have like an unknown resource.
		writeMissingToken(w)
		return
	}
	var caller sigv4.Identity
	if route.IAM {
		id, err := g.verifier.Verify(r)
		if err != nil {
			sigv4.WriteError(w, err)
			return
		}
		caller = id
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "BadRequestException", "Could not read the request body")
		return
	}
	event, err := g.event(r, body, res.template, params, requestID, caller)
	if err != nil {
		writeInternalError(w)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.opts.Timeout)
	defer cancel()
	payload, err := g.function(ctx, event)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil:
		writeMessage(w, http.StatusGatewayTimeout, "InternalServerErrorException", "Endpoint request timed out")
		return
	case err != nil:
		writeInternalError(w)
		return
	}
	if err := writeProxyResponse(w, payload); err != nil {
		writeInternalError(w)
	}
}

// match finds the resource of an escaped request path, and its path parameters. The path must start with the
// stage; runs of slashes count as one, as API Gateway merges them (the original's tests call `…/api//workflow`).
func (g *Gateway) match(escapedPath string) (*resource, map[string]string, bool) {
	segments := splitPath(escapedPath)
	if len(segments) == 0 || segments[0] != g.opts.Stage {
		return nil, nil, false
	}
	segments = segments[1:]
	var best *resource
	for i := range g.resources {
		res := &g.resources[i]
		if len(res.segments) == len(segments) && matches(res.segments, segments) && (best == nil || preferred(res.segments, best.segments)) {
			best = res
		}
	}
	if best == nil {
		return nil, nil, false
	}
	params := map[string]string{}
	for i, seg := range best.segments {
		if name, ok := variable(seg); ok {
			value, err := pathUnescape(segments[i])
			if err != nil {
				return nil, nil, false
			}
			params[name] = value
		}
	}
	return best, params, true
}

// splitPath returns the non-empty segments of a path: leading, trailing and repeated slashes are dropped.
func splitPath(p string) []string {
	var segments []string
	for seg := range strings.SplitSeq(p, "/") {
		if seg != "" {
			segments = append(segments, seg)
		}
	}
	return segments
}

func variable(seg string) (string, bool) {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

func matches(template, segments []string) bool {
	for i, seg := range template {
		if _, ok := variable(seg); !ok && seg != segments[i] {
			return false
		}
	}
	return true
}

// preferred reports whether template a wins over b: at the first segment where one is literal and the other a
// variable, the literal wins, as in API Gateway's resource tree (`/workflow/execution` over `/workflow/{name}`).
func preferred(a, b []string) bool {
	for i := range a {
		_, aVar := variable(a[i])
		_, bVar := variable(b[i])
		if aVar != bVar {
			return !aVar
		}
	}
	return false
}
