package gateway

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mie-go/mie-go/internal/sigv4"
)

// binaryMediaTypes are the content types both APIs declare binary: API Gateway hands such request bodies to the
// Lambda base64-encoded (infrastructure §3.3; data-plane §2.2).
var binaryMediaTypes = []string{
	"application/octet-stream", "application/x-tar", "application/zip", "audio/basic", "audio/ogg", "audio/mp4",
	"audio/mpeg", "audio/wav", "audio/webm", "image/png", "image/jpg", "image/jpeg", "image/gif", "video/ogg",
	"video/mpeg", "video/webm",
}

// requestTimeLayout is how API Gateway writes requestContext.requestTime, e.g. `25/Nov/2026:10:00:00 +0000`.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// proxyEvent is a REST proxy event with API Gateway's members and nulls: absent values are null, not empty.
type proxyEvent struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  requestContext      `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type requestContext struct {
	ResourceID        string   `json:"resourceId"`
	ResourcePath      string   `json:"resourcePath"`
	HTTPMethod        string   `json:"httpMethod"`
	ExtendedRequestID string   `json:"extendedRequestId"`
	RequestTime       string   `json:"requestTime"`
	Path              string   `json:"path"`
	AccountID         string   `json:"accountId"`
	Protocol          string   `json:"protocol"`
	Stage             string   `json:"stage"`
	DomainPrefix      string   `json:"domainPrefix"`
	RequestTimeEpoch  int64    `json:"requestTimeEpoch"`
	RequestID         string   `json:"requestId"`
	Identity          identity `json:"identity"`
	DomainName        string   `json:"domainName"`
	APIID             string   `json:"apiId"`
}

// identity is the caller; the IAM members are null on methods without authorization.
type identity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
}

// event builds the proxy event of a request to the resource template with the given path parameters.
func (g *Gateway) event(r *http.Request, body []byte, template string, params map[string]string, requestID string, caller sigv4.Identity) ([]byte, error) {
	path, err := eventPath(r.URL.EscapedPath())
	if err != nil {
		return nil, err
	}
	headers := map[string]string{"Host": r.Host}
	multiHeaders := map[string][]string{"Host": {r.Host}}
	for k, vs := range r.Header {
		headers[k] = vs[len(vs)-1]
		multiHeaders[k] = vs
	}
	sourceIP, port, _ := net.SplitHostPort(r.RemoteAddr)
	if _, ok := headers["X-Forwarded-For"]; !ok {
		headers["X-Forwarded-For"], multiHeaders["X-Forwarded-For"] = sourceIP, []string{sourceIP}
	}
	if _, local, ok := strings.Cut(r.Host, ":"); ok {
		port = local
	}
	headers["X-Forwarded-Port"], multiHeaders["X-Forwarded-Port"] = port, []string{port}
	headers["X-Forwarded-Proto"], multiHeaders["X-Forwarded-Proto"] = "http", []string{"http"}

	ev := proxyEvent{
		Resource:          template,
		Path:              path,
		HTTPMethod:        r.Method,
		Headers:           headers,
		MultiValueHeaders: multiHeaders,
	}
	// A query string, even an empty value (`?paginated`), makes both maps non-null (data-plane §3.1).
	if r.URL.RawQuery != "" {
		values, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, fmt.Errorf("query string: %w", err)
		}
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = map[string]string{}, map[string][]string{}
		for k, vs := range values {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	if len(params) > 0 {
		ev.PathParameters = params
	}
	if len(body) > 0 {
		text := string(body)
		if contentType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); slices.Contains(binaryMediaTypes, contentType) {
			text, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
		ev.Body = &text
	}
	now := g.opts.Now().UTC()
	ev.RequestContext = requestContext{
		ResourceID:        resourceID(template),
		ResourcePath:      template,
		HTTPMethod:        r.Method,
		ExtendedRequestID: requestID,
		RequestTime:       now.Format(requestTimeLayout),
		Path:              "/" + g.opts.Stage + path,
		AccountID:         g.opts.AccountID,
		Protocol:          r.Proto,
		Stage:             g.opts.Stage,
		DomainPrefix:      g.opts.APIID,
		RequestTimeEpoch:  now.UnixMilli(),
		RequestID:         requestID,
		Identity:          identity{SourceIP: sourceIP, UserAgent: r.UserAgent()},
		DomainName:        r.Host,
		APIID:             g.opts.APIID,
	}
	if caller.AccessKeyID != "" {
		key, account := caller.AccessKeyID, g.opts.AccountID
		ev.RequestContext.Identity.AccessKey = &key
		ev.RequestContext.Identity.Caller = &key
		ev.RequestContext.Identity.User = &key
		ev.RequestContext.Identity.AccountID = &account
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode the proxy event: %w", err)
	}
	return raw, nil
}

// eventPath is the request path below the stage, decoded and with runs of slashes merged.
func eventPath(escapedPath string) (string, error) {
	segments := splitPath(escapedPath)[1:] // match has checked the stage
	for i, seg := range segments {
		s, err := pathUnescape(seg)
		if err != nil {
			return "", err
		}
		segments[i] = s
	}
	return "/" + strings.Join(segments, "/"), nil
}

func pathUnescape(seg string) (string, error) {
	s, err := url.PathUnescape(seg)
	if err != nil {
		return "", fmt.Errorf("path segment %q: %w", seg, err)
	}
	return s, nil
}

// resourceID stands in for the id API Gateway gives each resource: stable per template, 6 characters like AWS's.
func resourceID(template string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	hash := fnv.New32a()
	_, _ = hash.Write([]byte(template)) // a hash.Hash never fails to write
	h := hash.Sum32()
	id := make([]byte, 6)
	for i := range id {
		id[i] = alphabet[h%uint32(len(alphabet))]
		h /= uint32(len(alphabet))
	}
	return string(id)
}
