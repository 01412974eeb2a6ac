// Package client is a typed client of MIE's two REST APIs, the data plane API (assets, media, metadata) and the
// workflow API (system configuration, operations, stages, workflows, executions, and the Transcribe and Translate
// service proxies), as deployed behind API Gateway with IAM authorization. It covers every route of both.
//
// Requests are signed with Signature Version 4 for execute-api, with the credentials of an aws.Config, so the
// standard credential chain applies. Endpoints are the base URLs the stack outputs give
// (DataplaneApiEndpoint, WorkflowApiEndpoint), e.g. https://abc123.execute-api.us-east-1.amazonaws.com/api/;
// routes are joined to them as relative paths. An answer other than 2xx is an *APIError.
//
// The client does not retry: a retried store of a metadata page would store the page twice.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signingName is the service name of API Gateway's invoke endpoint in signatures.
const signingName = "execute-api"

// HTTPClient sends requests; *http.Client implements it.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Options configure a client. The zero value of each field takes its value from the aws.Config given to the
// constructor.
type Options struct {
	// Region requests are signed for. By default the region in an execute-api endpoint's host name, else the
	// configuration's region.
	Region string
	// Credentials sign the requests. Without credentials requests are sent unsigned, which API Gateway refuses on
	// every route but GET /.
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests; the configuration's client, else http.DefaultClient.
	HTTPClient HTTPClient
	// Clock gives the signing time; time.Now by default.
	Clock func() time.Time
}

// executeAPIHost matches API Gateway's default host names and captures the region.
var executeAPIHost = regexp.MustCompile(`^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

// api is what both clients share: where the API is and how requests are signed and sent.
type api struct {
	base   *url.URL
	opts   Options
	signer *v4.Signer
}

func newAPI(cfg aws.Config, endpoint string, optFns []func(*Options)) (*api, error) {
	base, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("endpoint %q: an http or https URL is required", endpoint)
	}
	// The stack outputs end in a slash, and routes are relative to it; tolerate an endpoint without one.
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
		if base.RawPath != "" {
			base.RawPath += "/"
		}
	}
	opts := Options{Region: cfg.Region, Credentials: cfg.Credentials, Clock: time.Now}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	if m := executeAPIHost.FindStringSubmatch(base.Hostname()); m != nil {
		opts.Region = m[1]
	}
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Credentials != nil && opts.Region == "" {
		return nil, errors.New("no region to sign requests for: set it in the configuration or in Options.Region")
	}
	return &api{base: base, opts: opts, signer: v4.NewSigner()}, nil
}

// request is one call of a route.
type request struct {
	method string
	// path is the route's path below the endpoint, one element per segment, unescaped: {"metadata", assetID}.
	path  []string
	query url.Values
	// body is sent as JSON when not nil.
	body any
}

// url joins the route to the endpoint, escaping each segment.
func (a *api) url(r request) *url.URL {
	u := *a.base
	escaped := make([]string, len(r.path))
	for i, seg := range r.path {
		escaped[i] = url.PathEscape(seg)
	}
	u.Path = a.base.Path + strings.Join(r.path, "/")
	u.RawPath = a.base.EscapedPath() + strings.Join(escaped, "/")
	u.RawQuery = r.query.Encode()
	return &u
}

// call sends r and decodes a 2xx answer into out: a *string receives the body as text (the routes that answer
// plain text), any other value is decoded from JSON, nil ignores the body.
func (a *api) call(ctx context.Context, r request, out any) error {
	path := a.url(r).Path
	resp, err := a.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", r.method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(r.method, path, resp, body)
	}
	switch out := out.(type) {
	case nil:
		return nil
	case *string:
		*out = string(body)
		return nil
	default:
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(out); err != nil {
			return fmt.Errorf("%s %s: decode answer %.200q: %w", r.method, path, body, err)
		}
		return nil
	}
}

// send builds, signs and sends r.
func (a *api) send(ctx context.Context, r request) (*http.Response, error) {
	u := a.url(r)
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = encodeJSON(r.body); err != nil {
			return nil, fmt.Errorf("%s %s: encode request: %w", r.method, u.Path, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, u.Path, err)
	}
	// Both APIs accept only JSON, for every method (data-plane §3.2, control-plane §3.2).
	req.Header.Set("Content-Type", "application/json")
	if a.opts.Credentials != nil {
		creds, err := a.opts.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s %s: retrieve credentials: %w", r.method, u.Path, err)
		}
		hash := sha256.Sum256(payload)
		if err := a.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(hash[:]), signingName, a.opts.Region, a.opts.Clock()); err != nil {
			return nil, fmt.Errorf("%s %s: sign: %w", r.method, u.Path, err)
		}
	}
	resp, err := a.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, u.Path, err)
	}
	return resp, nil
}

// get sends a GET of path and decodes the answer into a new T.
func get[T any](ctx context.Context, a *api, path ...string) (*T, error) {
	out := new(T)
	if err := a.call(ctx, request{method: http.MethodGet, path: path}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// list sends a GET of path and decodes the answer into a slice of T.
func list[T any](ctx context.Context, a *api, path ...string) ([]T, error) {
	var out []T
	if err := a.call(ctx, request{method: http.MethodGet, path: path}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// send sends body with method to path and decodes the answer into a new T.
func send[T any](ctx context.Context, a *api, method string, body any, path ...string) (*T, error) {
	out := new(T)
	if err := a.call(ctx, request{method: method, path: path, body: body}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// remove sends a DELETE of path and decodes the deleted item or the API's warning.
func remove[T any](ctx context.Context, a *api, query url.Values, path ...string) (*Deleted[T], error) {
	var out Deleted[T]
	if err := a.call(ctx, request{method: http.MethodDelete, path: path, query: query}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// encodeJSON renders v without HTML escaping.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// APIError is an answer other than 2xx. Code and Message come from the APIs' error body {"Code","Message"}, from
// API Gateway's own {"message"} (403 for refused signatures, 502/504 for failed integrations; {"Message"} for
// denied authorization) with Code its x-amzn-ErrorType, or, for the workflow API's text/plain 500s, from the
// body's last line.
type APIError struct {
	Method string
	// Path is the URL path requested.
	Path   string
	Status int
	// Code is the error class, e.g. NotFoundError, ChaliceViewError, BadRequestError, ConflictError,
	// MissingAuthenticationTokenException; empty when the answer names none.
	Code    string
	Message string
	// Body is the answer as received.
	Body string
	// RequestID is API Gateway's x-amzn-RequestId, when present.
	RequestID string
}

// Error implements error: `<method> <path>: <status> <code>: <message>`.
func (e *APIError) Error() string {
	status := fmt.Sprint(e.Status)
	if e.Code != "" {
		status += " " + e.Code
	}
	return fmt.Sprintf("%s %s: %s: %s", e.Method, e.Path, status, e.Message)
}

func newAPIError(method, path string, resp *http.Response, body []byte) *APIError {
	e := &APIError{
		Method:    method,
		Path:      path,
		Status:    resp.StatusCode,
		Body:      string(body),
		RequestID: resp.Header.Get("x-amzn-RequestId"),
	}
	// The APIs write Code and Message, API Gateway writes message: read each spelling by its exact name, which
	// struct decoding (case-insensitive) would not.
	var code, message *string
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) == nil && raw != nil {
		_ = json.Unmarshal(raw["Code"], &code)
		_ = json.Unmarshal(raw["Message"], &message)
	}
	gatewayMessage, fromGateway := raw["message"]
	if !fromGateway {
		// API Gateway's authorization denials spell it Message.
		gatewayMessage, fromGateway = raw["Message"]
	}
	switch {
	case code != nil && message != nil:
		e.Code, e.Message = *code, *message
	case fromGateway:
		// API Gateway sends {"message": null} for some of its own failures.
		_ = json.Unmarshal(gatewayMessage, &e.Message)
		// API Gateway may append the type's namespace after a colon.
		e.Code, _, _ = strings.Cut(resp.Header.Get("x-amzn-ErrorType"), ":")
	default:
		e.Message = lastLine(string(body))
	}
	return e
}

// lastLine returns the last non-blank line of a text, the `<ErrorType>: <message>` line of a traceback.
func lastLine(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\r\n\t "), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
