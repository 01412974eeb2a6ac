package client_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/operators/sdk/client"
)

// TestGatewayRefusesBadSignatures checks, on both APIs, that API Gateway's IAM authorization as the local gateway
// applies it refuses what API Gateway refuses, with its 403 messages, and that the client reports them as typed
// errors (CP-01, DP-28: IAM on every route but GET /).
func TestGatewayRefusesBadSignatures(t *testing.T) {
	s := newStack(t)
	signedAt := time.Now().Add(-time.Hour).UTC()
	wrongSecret := callerKey
	wrongSecret.SecretAccessKey = "not-the-secret"
	unknownKey := aws.Credentials{AccessKeyID: "AKIDSTRANGER", SecretAccessKey: "x"}

	cases := []struct {
		name      string
		opts      func(*client.Options)
		creds     aws.Credentials
		errorType string
		message   *regexp.Regexp
	}{
		{
			name:      "unsigned",
			opts:      func(o *client.Options) { o.Credentials = nil },
			creds:     callerKey,
			errorType: "MissingAuthenticationTokenException",
			message:   regexp.MustCompile(`^Missing Authentication Token$`),
		},
		{
			name:      "unknown access key",
			creds:     unknownKey,
			errorType: "UnrecognizedClientException",
			message:   regexp.MustCompile(`^The security token included in the request is invalid\.$`),
		},
		{
			name:      "wrong secret",
			creds:     wrongSecret,
			errorType: "InvalidSignatureException",
			message: regexp.MustCompile(`^` + regexp.QuoteMeta("The request signature we calculated does not match the signature you provided. "+
				"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"+
				"The Canonical String for this request should have been\n'GET\n/api/version\n\ncontent-type:application/json\nhost:") +
				`127\.0\.0\.1:\d+\nx-amz-date:\d{8}T\d{6}Z\n\ncontent-type;host;x-amz-date\n` + emptyHash + `'\n\n` +
				regexp.QuoteMeta("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n") + `\d{8}T\d{6}Z\n\d{8}/us-east-1/execute-api/aws4_request\n[0-9a-f]{64}'\n$`),
		},
		{
			name:      "signed an hour ago",
			opts:      func(o *client.Options) { o.Clock = func() time.Time { return signedAt } },
			creds:     callerKey,
			errorType: "InvalidSignatureException",
			message: regexp.MustCompile(`^Signature expired: ` + signedAt.Format("20060102T150405Z") +
				` is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$`),
		},
		{
			name:      "signed for another region",
			opts:      func(o *client.Options) { o.Region = "eu-west-1" },
			creds:     callerKey,
			errorType: "InvalidSignatureException",
			message:   regexp.MustCompile(`^Credential should be scoped to a valid region, not 'eu-west-1'\. $`),
		},
	}
	for _, api := range []struct {
		name     string
		endpoint string
		version  func(*testing.T, string, aws.Config, ...func(*client.Options)) error
	}{
		{"data plane", s.dataplaneURL, func(t *testing.T, endpoint string, cfg aws.Config, opts ...func(*client.Options)) error {
			c, err := client.NewDataplaneAPI(cfg, endpoint, opts...)
			require.NoError(t, err)
			require.NoError(t, c.Ping(t.Context()), "GET / needs no signature")
			_, err = c.Version(t.Context())
			return err
		}},
		{"workflow", s.workflowURL, func(t *testing.T, endpoint string, cfg aws.Config, opts ...func(*client.Options)) error {
			c, err := client.NewWorkflowAPI(cfg, endpoint, opts...)
			require.NoError(t, err)
			require.NoError(t, c.Ping(t.Context()), "GET / needs no signature")
			_, err = c.Version(t.Context())
			return err
		}},
	} {
		for _, tc := range cases {
			t.Run(api.name+"/"+tc.name, func(t *testing.T) {
				var opts []func(*client.Options)
				if tc.opts != nil {
					opts = append(opts, tc.opts)
				}
				err := api.version(t, api.endpoint, callerConfig(tc.creds), opts...)
				var apiErr *client.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusForbidden, apiErr.Status)
				assert.Equal(t, tc.errorType, apiErr.Code)
				assert.Regexp(t, tc.message, apiErr.Message)
				assert.Equal(t, "/api/version", apiErr.Path)
			})
		}
	}
}

// emptyHash is the SHA-256 of an empty payload, in hex.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TestGatewayAnswersItself checks what API Gateway answers without calling the Lambda: unknown resources and
// methods (even signed), and CORS preflights with the route table's methods (DP-04, infrastructure §3.3).
func TestGatewayAnswersItself(t *testing.T) {
	s := newStack(t)
	cases := []struct {
		name     string
		method   string
		url      string
		sign     bool
		status   int
		body     string
		cors     string
		endpoint string
	}{
		{name: "unknown resource", method: http.MethodGet, url: s.dataplaneURL + "nothing/here", sign: true,
			status: http.StatusForbidden, body: `{"message":"Missing Authentication Token"}`},
		{name: "outside the stage", method: http.MethodGet, url: strings.TrimSuffix(s.dataplaneURL, "api/") + "version", sign: true,
			status: http.StatusForbidden, body: `{"message":"Missing Authentication Token"}`},
		{name: "method the resource does not have", method: http.MethodPut, url: s.dataplaneURL + "version", sign: true,
			status: http.StatusForbidden, body: `{"message":"Missing Authentication Token"}`},
		{name: "preflight of a data plane resource", method: http.MethodOptions, url: s.dataplaneURL + "metadata/a1",
			status: http.StatusOK, cors: "POST,GET,DELETE,OPTIONS"},
		{name: "preflight of a workflow resource", method: http.MethodOptions, url: s.workflowURL + "workflow",
			status: http.StatusOK, cors: "POST,PUT,GET,OPTIONS"},
		{name: "literal segments before variables", method: http.MethodGet, url: s.workflowURL + "workflow/operation", sign: true,
			status: http.StatusOK, body: `[]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, tc.url, nil)
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			if tc.sign {
				require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), callerKey, req, emptyHash, "execute-api", region, time.Now()))
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode, "%s", body)
			if tc.body != "" {
				assert.Equal(t, tc.body, string(body))
			}
			if tc.cors != "" {
				assert.Equal(t, tc.cors, resp.Header.Get("Access-Control-Allow-Methods"))
				assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}
