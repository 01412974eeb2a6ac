package sdk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// NewRESTDataPlane returns a client that sends the same requests over the data plane's REST API instead of
// invoking its function (SDK-18): for programs outside the stack, which have no lambda:InvokeFunction permission
// but IAM access to the API. endpoint is the API's base URL, the stack output DataplaneApiEndpoint (e.g.
// https://abc123.execute-api.us-east-1.amazonaws.com/api/). Requests are signed with SigV4 for the service
// execute-api, with cfg's credentials and region, and sent with cfg's HTTP client.
//
// The paths, query strings and POST bodies are those of the direct invocation; path parameters are escaped as a
// URL requires, and GET requests carry no body (the data plane ignores GET bodies). Nothing is retried.
func NewRESTDataPlane(endpoint string, cfg aws.Config) (*DataPlane, error) {
	base, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("data plane endpoint %q: %w", endpoint, err)
	}
	if (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("data plane endpoint %q is not an http(s) URL", endpoint)
	}
	if cfg.Region == "" {
		return nil, errors.New("data plane REST client: no region to sign requests for")
	}
	if cfg.Credentials == nil {
		return nil, errors.New("data plane REST client: no credentials to sign requests with")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = awshttp.NewBuildableClient()
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawPath = ""
	return &DataPlane{t: &restTransport{
		base:   base,
		client: client,
		signer: v4.NewSigner(),
		creds:  cfg.Credentials,
		region: cfg.Region,
		now:    time.Now,
	}}, nil
}

// restTransport sends requests to API Gateway, signed with SigV4.
type restTransport struct {
	base   *url.URL
	client aws.HTTPClient
	signer *v4.Signer
	creds  aws.CredentialsProvider
	region string
	now    func() time.Time
}

func (t *restTransport) roundTrip(ctx context.Context, req *request) (*Response, error) {
	var body []byte
	if req.method != http.MethodGet {
		text, err := req.bodyText()
		if err != nil {
			return nil, err
		}
		body = []byte(text)
	}
	u := *t.base
	u.Path += req.path(unescaped)
	u.RawPath = t.base.EscapedPath() + req.path(url.PathEscape)
	if req.query != nil {
		u.RawQuery = queryValues(req.query).Encode()
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build data plane request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	creds, err := t.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("retrieve credentials for the data plane API: %w", err)
	}
	hash := sha256.Sum256(body)
	if err := t.signer.SignHTTP(ctx, creds, hreq, hex.EncodeToString(hash[:]), "execute-api", t.region, t.now()); err != nil {
		return nil, fmt.Errorf("sign data plane request: %w", err)
	}
	resp, err := t.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.method, u.Redacted(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read data plane response: %w", err)
	}
	return decodeBody(resp.StatusCode, data)
}
