// Package apigw routes API Gateway REST proxy events to handlers by resource template and method, and renders
// results and errors exactly as the original's API framework did (CP-01, CP-02, DP-01 to DP-04).
package apigw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/mie-go/mie-go/internal/pyjson"
)

// HandlerFunc serves one route. Its result is rendered as compact JSON, or verbatim when it is a Text, or with
// its own status and headers when it is a Custom. A returned *Error becomes {"Code","Message"} with its status;
// any other error is an unhandled 500 rendered according to the router's Mode.
type HandlerFunc func(ctx context.Context, req *Request) (any, error)

// Route is one row of an API's route table: the table drives dispatch here, the API Gateway resources of the CDK
// app, the local gateway and the API reference.
type Route struct {
	Method   string
	Resource string
	Handler  HandlerFunc
	// IAM marks routes that API Gateway protects with SigV4 (every route but GET /).
	IAM bool
	// CORS marks routes with an OPTIONS preflight and CORS headers on every handler response.
	CORS bool
}

// Mode selects how unhandled errors are rendered: the workflow API ran in debug mode, the data plane did not.
type Mode int

const (
	// GenericErrors renders an unhandled error as 500 {"Code":"InternalServerError","Message":"An internal
	// server error occurred."} (data-plane §3.4).
	GenericErrors Mode = iota
	// TracebackErrors renders an unhandled error as 500 text/plain whose last line is `<ErrorType>: <message>`,
	// standing in for the Python traceback of the original's debug mode (control-plane §3.5, Q-04).
	TracebackErrors
)

// CORS header values the original's framework sends (control-plane §3.3, data-plane §2.2).
const (
	CORSAllowOrigin  = "*"
	CORSAllowHeaders = "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key"
)

// Router dispatches events of one API.
type Router struct {
	mode   Mode
	routes []Route
	// methods maps a resource template to indexes into routes, in registration order: the order of the 405
	// response's Allow header and of the OPTIONS preflight's allowed methods.
	methods map[string][]int
	order   []string
	log     *slog.Logger
}

var templateVar = regexp.MustCompile(`\{([^{}]+)\}`)

// NewRouter builds a router from a route table, refusing duplicate (method, resource) pairs and malformed rows.
func NewRouter(mode Mode, routes []Route, log *slog.Logger) (*Router, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Router{mode: mode, routes: routes, methods: map[string][]int{}, log: log}
	for i, rt := range routes {
		if rt.Handler == nil || rt.Method == "" || !strings.HasPrefix(rt.Resource, "/") {
			return nil, fmt.Errorf("route %d (%s %s): method, resource starting with / and handler are required", i, rt.Method, rt.Resource)
		}
		for _, j := range r.methods[rt.Resource] {
			if routes[j].Method == rt.Method {
				return nil, fmt.Errorf("route %s %s registered twice", rt.Method, rt.Resource)
			}
		}
		if _, seen := r.methods[rt.Resource]; !seen {
			r.order = append(r.order, rt.Resource)
		}
		r.methods[rt.Resource] = append(r.methods[rt.Resource], i)
	}
	return r, nil
}

// Routes returns the route table in registration order.
func (r *Router) Routes() []Route { return r.routes }

// Resources returns the resource templates in order of first registration.
func (r *Router) Resources() []string { return r.order }

// Methods returns the methods of a resource template in registration order.
func (r *Router) Methods(resource string) []string {
	var out []string
	for _, i := range r.methods[resource] {
		out = append(out, r.routes[i].Method)
	}
	return out
}

// CORSAllowMethods is the Access-Control-Allow-Methods value of a resource's OPTIONS preflight, e.g.
// `POST,GET,DELETE,OPTIONS` (infrastructure §3.3, §4).
func (r *Router) CORSAllowMethods(resource string) string {
	return strings.Join(append(r.Methods(resource), http.MethodOptions), ",")
}

// PathVariables returns the variable names of a resource template in order, e.g. [asset_id operator_name].
func PathVariables(resource string) []string {
	var names []string
	for _, m := range templateVar.FindAllStringSubmatch(resource, -1) {
		names = append(names, m[1])
	}
	return names
}

// Handle is the Lambda entry point: it always answers with a response envelope, never with a function error.
func (r *Router) Handle(ctx context.Context, e Event) (Response, error) {
	return r.dispatch(ctx, &e), nil
}

func (r *Router) dispatch(ctx context.Context, e *Event) Response {
	resource := e.RequestContext.ResourcePath
	if resource == "" {
		return r.errorResponse(http.StatusInternalServerError, "InternalServerError", "Unknown request.", nil)
	}
	method := e.RequestContext.HTTPMethod
	var route *Route
	for _, i := range r.methods[resource] {
		if r.routes[i].Method == method {
			route = &r.routes[i]
			break
		}
	}
	if route == nil {
		// DP-04: a known resource lists its methods; an unknown resource has an empty Allow header.
		return r.errorResponse(http.StatusMethodNotAllowed, "MethodNotAllowedError", "Unsupported method: "+method,
			map[string]string{"Allow": strings.Join(r.Methods(resource), ", ")})
	}
	req := &Request{Event: e, Resource: resource, Method: method}
	for _, name := range PathVariables(resource) {
		if _, ok := e.PathParameters[name]; !ok {
			// The original failed before its CORS handling, so this 500 carries no CORS headers.
			return r.unhandled(req, &Unhandled{Type: "TypeError", Message: fmt.Sprintf("missing path parameter %s", pyjson.QuoteKey(name))}, nil)
		}
	}
	var cors map[string]string
	if route.CORS {
		cors = corsHeaders()
	}
	contentType, ok := req.Header("content-type")
	if !ok {
		contentType = "application/json"
	}
	if !acceptsJSON(contentType) {
		return r.errorResponse(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Unsupported media type: "+contentType, cors)
	}
	resp := r.call(ctx, route, req)
	for k, v := range cors {
		resp.Headers[k] = v
	}
	return resp
}

func (r *Router) call(ctx context.Context, route *Route, req *Request) (resp Response) {
	defer func() {
		if p := recover(); p != nil {
			resp = r.unhandled(req, &Unhandled{Type: "Exception", Message: fmt.Sprint(p)}, map[string]string{})
		}
	}()
	result, err := route.Handler(ctx, req)
	if err != nil {
		var handled *Error
		if errors.As(err, &handled) {
			return r.errorResponse(handled.Status, handled.Code, handled.Message, map[string]string{})
		}
		return r.unhandled(req, err, map[string]string{})
	}
	status, headers, body := http.StatusOK, map[string]string{}, result
	if c, ok := result.(Custom); ok {
		status, body = c.Status, c.Body
		for k, v := range c.Headers {
			headers[k] = v
		}
	}
	if text, ok := body.(Text); ok {
		return envelope(status, headers, string(text))
	}
	encoded, err := pyjson.Compact(body)
	if err != nil {
		return r.unhandled(req, fmt.Errorf("encode response: %w", err), map[string]string{})
	}
	return envelope(status, headers, string(encoded))
}

// unhandled renders an error the original did not catch in the route (Mode decides the body).
func (r *Router) unhandled(req *Request, err error, headers map[string]string) Response {
	r.log.Error("unhandled error", "method", req.Method, "resource", req.Resource, "error", err)
	if r.mode == GenericErrors {
		return r.errorResponse(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred.", headers)
	}
	pyType, msg := "Exception", err.Error()
	var u *Unhandled
	if errors.As(err, &u) {
		pyType, msg = u.Type, u.Message
	}
	if headers == nil {
		headers = map[string]string{}
	}
	headers["Content-Type"] = "text/plain"
	body := fmt.Sprintf("Traceback (most recent call last):\n  File \"mie-go\", in %s %s\n%s: %s\n", req.Method, req.Resource, pyType, msg)
	return envelope(http.StatusInternalServerError, headers, body)
}

func (r *Router) errorResponse(status int, code, message string, headers map[string]string) Response {
	body := pyjson.NewMap()
	body.Set("Code", code)
	body.Set("Message", message)
	// A map of two strings always encodes.
	encoded, _ := pyjson.Compact(body)
	if headers == nil {
		headers = map[string]string{}
	}
	return envelope(status, headers, string(encoded))
}

func envelope(status int, headers map[string]string, body string) Response {
	return Response{Headers: headers, MultiValueHeaders: map[string][]string{}, StatusCode: status, Body: body}
}

func corsHeaders() map[string]string {
	return map[string]string{
		"Access-Control-Allow-Origin":  CORSAllowOrigin,
		"Access-Control-Allow-Headers": CORSAllowHeaders,
	}
}

// acceptsJSON is the framework's Content-Type rule (DP-04, control-plane §3.2): the header passes when one of its
// `,`/`;`-separated, trimmed parts is application/json (case-insensitively), or when it contains */* anywhere.
func acceptsJSON(contentType string) bool {
	lower := strings.ToLower(contentType)
	if strings.Contains(lower, "*/*") {
		return true
	}
	for _, part := range strings.FieldsFunc(lower, func(r rune) bool { return r == ',' || r == ';' }) {
		if strings.TrimSpace(part) == "application/json" {
			return true
		}
	}
	return false
}
