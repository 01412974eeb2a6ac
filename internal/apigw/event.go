package apigw

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Event is an API Gateway REST proxy event as the handlers receive it: from API Gateway itself, or built by hand
// by operators and the workflow API, which invoke the data plane Lambda directly (DP-01, data-plane §3.6).
// aws-lambda-go's events.APIGatewayProxyRequest cannot decode the hand-built kind, whose requestTime is a number.
type Event struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  RequestContext      `json:"requestContext"`
	Body                            string              `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// RequestContext is API Gateway's request context, with a requestTime that may be a string (API Gateway) or a
// number of epoch seconds (the operator helper's hand-built events).
type RequestContext struct {
	events.APIGatewayProxyRequestContext
	RequestTime RequestTime `json:"requestTime"`
}

// RequestTime keeps the requestTime field as sent: a JSON string or a JSON number.
type RequestTime struct {
	raw json.RawMessage
}

// UnmarshalJSON accepts any JSON value; only strings and numbers occur in practice.
func (t *RequestTime) UnmarshalJSON(b []byte) error {
	t.raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the value back as it was received (null when absent).
func (t RequestTime) MarshalJSON() ([]byte, error) {
	if len(t.raw) == 0 {
		return []byte("null"), nil
	}
	return t.raw, nil
}

// String returns the time as text: API Gateway's string unquoted, or the number's spelling.
func (t RequestTime) String() string {
	var s string
	if json.Unmarshal(t.raw, &s) == nil {
		return s
	}
	if bytes.Equal(t.raw, []byte("null")) {
		return ""
	}
	return string(t.raw)
}

// NewRequestTime makes a requestTime from a JSON value such as `"25/Nov/2026:10:00:00 +0000"` or `1700000123.45`.
func NewRequestTime(raw json.RawMessage) RequestTime {
	return RequestTime{raw: append(json.RawMessage(nil), raw...)}
}

// Request is what a route handler sees of an event.
type Request struct {
	Event *Event
	// Resource is the matched resource template, e.g. `/metadata/{asset_id}`.
	Resource string
	// Method is the HTTP method from the request context.
	Method string
}

// PathParam returns a path variable of the matched template. The router has checked that every variable of the
// template is present before calling the handler.
func (r *Request) PathParam(name string) string {
	return r.Event.PathParameters[name]
}

// HasQuery reports whether the event carries a query string at all: `multiValueQueryStringParameters` is not null.
// An empty object counts as present (data-plane §3.1).
func (r *Request) HasQuery() bool {
	return r.Event.MultiValueQueryStringParameters != nil
}

// Query returns the last value of a query parameter, as the original's framework does for repeated names, and
// whether it was present. Only multiValueQueryStringParameters is read (data-plane §3.1).
func (r *Request) Query(name string) (string, bool) {
	values, ok := r.Event.MultiValueQueryStringParameters[name]
	if !ok {
		return "", false
	}
	if len(values) == 0 {
		return "", true
	}
	return values[len(values)-1], true
}

// Header returns a request header by case-insensitive name.
func (r *Request) Header(name string) (string, bool) {
	return lookupHeader(r.Event.Headers, name)
}

// RawBody returns the body bytes, base64-decoded when API Gateway marked it so.
func (r *Request) RawBody() ([]byte, error) {
	if !r.Event.IsBase64Encoded {
		return []byte(r.Event.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(r.Event.Body)
	if err != nil {
		return nil, fmt.Errorf("decode base64 body: %w", err)
	}
	return b, nil
}

func lookupHeader(headers map[string]string, name string) (string, bool) {
	if v, ok := headers[name]; ok {
		return v, true
	}
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}
