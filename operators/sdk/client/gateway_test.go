package client_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/mie-go/mie-go/internal/apigw"
	"github.com/mie-go/mie-go/internal/sigv4"
)

// stageName is the API Gateway stage both APIs are deployed to (infrastructure: stage `api`).
const stageName = "api"

// binaryMediaTypes are the content types both APIs declare binary: API Gateway hands their bodies to the Lambda
// base64-encoded (data-plane §2.2).
var binaryMediaTypes = []string{
	"application/octet-stream", "application/x-tar", "application/zip", "audio/basic", "audio/ogg", "audio/mp4",
	"audio/mpeg", "audio/wav", "audio/webm", "image/png", "image/jpg", "image/jpeg", "image/gif", "video/ogg",
	"video/mpeg", "video/webm",
}

// gateway stands in for API Gateway in front of one API's Lambda: it matches the request to a resource of the
// API's route table (literal segments before variables), answers what API Gateway answers itself (unknown
// resources and methods, CORS preflights, refused signatures on IAM routes), and hands everything else to the
// handler as a REST proxy event, through JSON as the Lambda runtime does.
type gateway struct {
	router   *apigw.Router
	handler  func(context.Context, apigw.Event) (apigw.Response, error)
	verifier *sigv4.Verifier
}

// startGateway serves an API on 127.0.0.1 and returns its endpoint as the stack output gives it.
func startGateway(t *testing.T, g *gateway) string {
	t.Helper()
	server := httptest.NewServer(g)
	t.Cleanup(server.Close)
	return server.URL + "/" + stageName + "/"
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", requestID)
	resource, params, ok := g.match(r.URL.EscapedPath())
	if !ok {
		sigv4.WriteError(w, &sigv4.Failure{Reason: sigv4.MissingToken, Message: sigv4.MessageMissingToken})
		return
	}
	if r.Method == http.MethodOptions && g.corsEnabled(resource) {
		w.Header().Set("Access-Control-Allow-Origin", apigw.CORSAllowOrigin)
		w.Header().Set("Access-Control-Allow-Headers", apigw.CORSAllowHeaders)
		w.Header().Set("Access-Control-Allow-Methods", g.router.CORSAllowMethods(resource))
		w.Header().Set("Content-Type", "application/json")
		return
	}
	route, ok := g.route(resource, r.Method)
	if !ok {
		// API Gateway answers a method the resource does not have like an unknown resource.
		sigv4.WriteError(w, &sigv4.Failure{Reason: sigv4.MissingToken, Message: sigv4.MessageMissingToken})
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
	ev, err := g.event(r, resource, params, requestID, caller)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := g.handler(r.Context(), ev)
	if err != nil {
		// A Lambda function error: API Gateway's 502.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, `{"message": "Internal server error"}`)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.WriteString(w, resp.Body)
}

// match finds the resource template of an escaped request path below the stage, and its path parameters.
func (g *gateway) match(escapedPath string) (string, map[string]string, bool) {
	rest, ok := strings.CutPrefix(escapedPath, "/"+stageName)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return "", nil, false
	}
	segments := splitPath(rest)
	var best []string
	var bestResource string
	for _, resource := range g.router.Resources() {
		tmpl := splitPath(resource)
		if len(tmpl) != len(segments) || !matches(tmpl, segments) {
			continue
		}
		if best == nil || preferred(tmpl, best) {
			best, bestResource = tmpl, resource
		}
	}
	if best == nil {
		return "", nil, false
	}
	params := map[string]string{}
	for i, seg := range best {
		if name, ok := variable(seg); ok {
			value, err := url.PathUnescape(segments[i])
			if err != nil {
				return "", nil, false
			}
			params[name] = value
		}
	}
	return bestResource, params, true
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return []string{}
	}
	return strings.Split(p, "/")
}

func variable(seg string) (string, bool) {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

func matches(tmpl, segments []string) bool {
	for i, seg := range tmpl {
		if _, ok := variable(seg); !ok && seg != segments[i] {
			return false
		}
	}
	return true
}

// preferred reports whether template a wins over b: at the first segment where one is literal and the other a
// variable, the literal wins, as in API Gateway's resource tree.
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

func (g *gateway) route(resource, method string) (apigw.Route, bool) {
	for _, rt := range g.router.Routes() {
		if rt.Resource == resource && rt.Method == method {
			return rt, true
		}
	}
	return apigw.Route{}, false
}

func (g *gateway) corsEnabled(resource string) bool {
	return slices.ContainsFunc(g.router.Routes(), func(rt apigw.Route) bool { return rt.Resource == resource && rt.CORS })
}

// event builds the REST proxy event API Gateway sends to the Lambda, and passes it through JSON.
func (g *gateway) event(r *http.Request, resource string, params map[string]string, requestID string, caller sigv4.Identity) (apigw.Event, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return apigw.Event{}, fmt.Errorf("read body: %w", err)
	}
	headers := map[string]string{"Host": r.Host}
	multiHeaders := map[string][]string{"Host": {r.Host}}
	for k, vs := range r.Header {
		headers[k] = vs[len(vs)-1]
		multiHeaders[k] = vs
	}
	var query map[string]string
	var multiQuery map[string][]string
	if r.URL.RawQuery != "" {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, vs := range r.URL.Query() {
			query[k] = vs[len(vs)-1]
			multiQuery[k] = vs
		}
	}
	if len(params) == 0 {
		params = nil
	}
	path := strings.TrimPrefix(r.URL.Path, "/"+stageName)
	if path == "" {
		path = "/"
	}
	now := time.Now().UTC()
	ev := apigw.Event{
		Resource:                        resource,
		Path:                            path,
		HTTPMethod:                      r.Method,
		Headers:                         headers,
		MultiValueHeaders:               multiHeaders,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  params,
		Body:                            string(body),
	}
	if contentType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); slices.Contains(binaryMediaTypes, contentType) {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	ev.RequestContext.APIGatewayProxyRequestContext = events.APIGatewayProxyRequestContext{
		AccountID:        "123456789012",
		ResourceID:       "abc123",
		Stage:            stageName,
		RequestID:        requestID,
		Identity:         events.APIGatewayRequestIdentity{AccessKey: caller.AccessKeyID, SourceIP: "127.0.0.1", UserAgent: r.UserAgent()},
		ResourcePath:     resource,
		Path:             "/" + stageName + path,
		HTTPMethod:       r.Method,
		RequestTimeEpoch: now.UnixMilli(),
		APIID:            "local",
	}
	ev.RequestContext.RequestTime = apigw.NewRequestTime(json.RawMessage(`"` + now.Format("02/Jan/2006:15:04:05 -0700") + `"`))
	raw, err := json.Marshal(ev)
	if err != nil {
		return apigw.Event{}, fmt.Errorf("encode event: %w", err)
	}
	var delivered apigw.Event
	if err := json.Unmarshal(raw, &delivered); err != nil {
		return apigw.Event{}, fmt.Errorf("decode event: %w", err)
	}
	return delivered, nil
}
