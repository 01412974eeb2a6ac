package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/sigv4"
)

const region = "us-east-1"

var (
	// now is the verifier's clock in every test.
	now = time.Date(2024, 1, 5, 10, 0, 0, 0, time.UTC)
	key = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	// session is a temporary key: its requests must carry its token.
	session = aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "temporary-secret", SessionToken: "token-1"}
)

func newVerifier() *sigv4.Verifier {
	return sigv4.New(sigv4.StaticCredentials(key, session), region, func(o *sigv4.Options) {
		o.Now = func() time.Time { return now }
	})
}

// request is a client request before signing.
func request(t *testing.T, method, target, body string) *http.Request {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, reader)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func payloadHash(body string) string {
	h := sha256.Sum256([]byte(body))
	return hex.EncodeToString(h[:])
}

// signed signs req as an AWS SDK does, with creds, for service execute-api at signedAt.
func signed(t *testing.T, req *http.Request, body string, creds aws.Credentials, signedAt time.Time) *http.Request {
	t.Helper()
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash(body), sigv4.ServiceExecuteAPI, region, signedAt))
	return req
}

// presigned moves the signature of req into its query string.
func presigned(t *testing.T, req *http.Request, creds aws.Credentials, signedAt time.Time) *http.Request {
	t.Helper()
	signedURL, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash(""), sigv4.ServiceExecuteAPI, region, signedAt)
	require.NoError(t, err)
	out, err := http.NewRequest(req.Method, signedURL, nil)
	require.NoError(t, err)
	return out
}

// received is req as a server reads it off the wire.
func received(t *testing.T, req *http.Request) *http.Request {
	t.Helper()
	var wire bytes.Buffer
	require.NoError(t, req.Write(&wire))
	out, err := http.ReadRequest(bufio.NewReader(&wire))
	require.NoError(t, err)
	return out
}

func TestVerifyAccepts(t *testing.T) {
	cases := []struct {
		name string
		req  func(t *testing.T) *http.Request
		key  string
	}{
		{"GET without body", func(t *testing.T) *http.Request {
			return signed(t, request(t, http.MethodGet, "https://abc.execute-api.us-east-1.amazonaws.com/api/version", ""), "", key, now)
		}, key.AccessKeyID},
		{"POST with body and query", func(t *testing.T) *http.Request {
			body := `{"OperatorName": "x", "Results": {"a": 1.5}}`
			return signed(t, request(t, http.MethodPost, "https://abc.execute-api.us-east-1.amazonaws.com/api/metadata/a1?paginated=true&end=true", body), body, key, now)
		}, key.AccessKeyID},
		{"escaped path segment and repeated query names", func(t *testing.T) *http.Request {
			return signed(t, request(t, http.MethodGet, "http://127.0.0.1:8080/api/workflow/My%20WF%2Fx?b=2&a=1&a=0", ""), "", key, now)
		}, key.AccessKeyID},
		{"session token", func(t *testing.T) *http.Request {
			return signed(t, request(t, http.MethodDelete, "https://abc.execute-api.us-east-1.amazonaws.com/api/metadata/a1", ""), "", session, now)
		}, session.AccessKeyID},
		{"signed 4 minutes ago", func(t *testing.T) *http.Request {
			return signed(t, request(t, http.MethodGet, "https://abc.execute-api.us-east-1.amazonaws.com/api/version", ""), "", key, now.Add(-4*time.Minute))
		}, key.AccessKeyID},
		{"presigned", func(t *testing.T) *http.Request {
			return presigned(t, request(t, http.MethodGet, "https://abc.execute-api.us-east-1.amazonaws.com/api/metadata?x=1", ""), key, now)
		}, key.AccessKeyID},
		{"presigned with token, valid for an hour, 30 minutes old", func(t *testing.T) *http.Request {
			return presigned(t, request(t, http.MethodGet, "https://abc.execute-api.us-east-1.amazonaws.com/api/checkouts?X-Amz-Expires=3600", ""), session, now.Add(-30*time.Minute))
		}, session.AccessKeyID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := received(t, tc.req(t))
			id, err := newVerifier().Verify(req)
			require.NoError(t, err)
			assert.Equal(t, tc.key, id.AccessKeyID)
		})
	}
}

func TestVerifyLeavesBodyReadable(t *testing.T) {
	body := `{"Input": {"MediaType": "Video"}}`
	req := received(t, signed(t, request(t, http.MethodPost, "https://abc.execute-api.us-east-1.amazonaws.com/api/create", body), body, key, now))
	_, err := newVerifier().Verify(req)
	require.NoError(t, err)
	got, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, body, string(got))
}

func TestVerifyRefuses(t *testing.T) {
	const api = "https://abc.execute-api.us-east-1.amazonaws.com/api/version"
	cases := []struct {
		name      string
		req       func(t *testing.T) *http.Request
		reason    sigv4.Reason
		errorType string
		message   string
	}{
		{
			name:      "unsigned",
			req:       func(t *testing.T) *http.Request { return request(t, http.MethodGet, api, "") },
			reason:    sigv4.MissingToken,
			errorType: "MissingAuthenticationTokenException",
			message:   "Missing Authentication Token",
		},
		{
			name: "header and query string",
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, http.MethodGet, api+"?X-Amz-Algorithm=AWS4-HMAC-SHA256", ""), "", key, now)
			},
			reason:    sigv4.BothForms,
			errorType: "InvalidSignatureException",
			message:   "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
		},
		{
			name: "bearer token instead of a signature",
			req: func(t *testing.T) *http.Request {
				r := request(t, http.MethodGet, api, "")
				r.Header.Set("Authorization", "Bearer eyJhbGciOi")
				return r
			},
			reason:    sigv4.Incomplete,
			errorType: "IncompleteSignatureException",
			message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a " +
				"'X-Amz-Date' or a 'Date' header. Authorization=Bearer eyJhbGciOi",
		},
		{
			name: "signature without date header",
			req: func(t *testing.T) *http.Request {
				r := signed(t, request(t, http.MethodGet, api, ""), "", key, now)
				r.Header.Del("X-Amz-Date")
				return r
			},
			reason: sigv4.Incomplete,
		},
		{
			name: "presigned without signature",
			req: func(t *testing.T) *http.Request {
				return request(t, http.MethodGet, api+"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240105T100000Z", "")
			},
			reason:    sigv4.Incomplete,
			errorType: "IncompleteSignatureException",
			message: "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include " +
				"'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
		},
		{
			name: "date not in basic format",
			req: func(t *testing.T) *http.Request {
				r := signed(t, request(t, http.MethodGet, api, ""), "", key, now)
				r.Header.Set("X-Amz-Date", "2024-01-05T10:00:00Z")
				return r
			},
			reason:  sigv4.Incomplete,
			message: "Date must be in ISO-8601 'basic format'. Got '2024-01-05T10:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name: "expired",
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, http.MethodGet, api, ""), "", key, now.Add(-6*time.Minute))
			},
			reason:    sigv4.Expired,
			errorType: "InvalidSignatureException",
			message:   "Signature expired: 20240105T095400Z is now earlier than 20240105T095500Z (20240105T100000Z - 5 min.)",
		},
		{
			name: "presigned URL past its expiry",
			req: func(t *testing.T) *http.Request {
				return presigned(t, request(t, http.MethodGet, api+"?X-Amz-Expires=600", ""), key, now.Add(-11*time.Minute))
			},
			reason:  sigv4.Expired,
			message: "Signature expired: 20240105T094900Z is now earlier than 20240105T095000Z (20240105T100000Z - 10 min.)",
		},
		{
			name: "dated in the future",
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, http.MethodGet, api, ""), "", key, now.Add(6*time.Minute))
			},
			reason:    sigv4.NotYetCurrent,
			errorType: "InvalidSignatureException",
			message:   "Signature not yet current: 20240105T100600Z is still later than 20240105T100500Z (20240105T100000Z + 5 min.)",
		},
		{
			name: "host not signed",
			req: func(t *testing.T) *http.Request {
				r := request(t, http.MethodGet, api, "")
				r.Header.Set("X-Amz-Date", "20240105T100000Z")
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240105/us-east-1/execute-api/aws4_request, SignedHeaders=x-amz-date, Signature=00")
				return r
			},
			reason:  sigv4.HostNotSigned,
			message: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name: "other algorithm",
			req: func(t *testing.T) *http.Request {
				r := signed(t, request(t, http.MethodGet, api, ""), "", key, now)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1))
				return r
			},
			reason:    sigv4.Incomplete,
			errorType: "IncompleteSignatureException",
			message:   "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
		},
		{
			name: "credential of four parts",
			req: func(t *testing.T) *http.Request {
				r := signed(t, request(t, http.MethodGet, api, ""), "", key, now)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/execute-api", "", 1))
				return r
			},
			reason:  sigv4.Incomplete,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240105/us-east-1/aws4_request'",
		},
		{
			name: "signed for another region and service",
			req: func(t *testing.T) *http.Request {
				r := request(t, http.MethodGet, api, "")
				require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), key, r, payloadHash(""), "s3", "eu-west-1", now))
				return r
			},
			reason:    sigv4.BadScope,
			errorType: "InvalidSignatureException",
			message:   "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'execute-api'. ",
		},
		{
			name: "credential scope of another day",
			req: func(t *testing.T) *http.Request {
				r := signed(t, request(t, http.MethodGet, api, ""), "", key, now)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20240105/", "/20240104/", 1))
				return r
			},
			reason:  sigv4.BadScope,
			message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240104' != '20240105', from '20240105T100000Z'.",
		},
		{
			name: "unknown access key",
			req: func(t *testing.T) *http.Request {
				other := aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: "x"}
				return signed(t, request(t, http.MethodGet, api, ""), "", other, now)
			},
			reason:    sigv4.UnknownKey,
			errorType: "UnrecognizedClientException",
			message:   "The security token included in the request is invalid.",
		},
		{
			name: "wrong secret",
			req: func(t *testing.T) *http.Request {
				wrong := key
				wrong.SecretAccessKey = "not-the-secret"
				return signed(t, request(t, http.MethodGet, api, ""), "", wrong, now)
			},
			reason:    sigv4.SignatureMismatch,
			errorType: "InvalidSignatureException",
			message:   mismatchMessage("GET\n/api/version\n\nhost:abc.execute-api.us-east-1.amazonaws.com\nx-amz-date:20240105T100000Z\n\nhost;x-amz-date\n" + payloadHash("")),
		},
		{
			name: "body changed after signing",
			req: func(t *testing.T) *http.Request {
				r := signed(t, request(t, http.MethodPost, api, `{"a": 1}`), `{"a": 1}`, key, now)
				r.Body = io.NopCloser(strings.NewReader(`{"a": 2}`))
				return r
			},
			reason: sigv4.SignatureMismatch,
		},
		{
			name: "signed header changed after signing",
			req: func(t *testing.T) *http.Request {
				r := signed(t, request(t, http.MethodPost, api, `{"a": 1}`), `{"a": 1}`, key, now)
				r.Header.Set("Content-Type", "text/plain")
				return r
			},
			reason: sigv4.SignatureMismatch,
		},
		{
			name: "query changed after presigning",
			req: func(t *testing.T) *http.Request {
				r := presigned(t, request(t, http.MethodGet, api+"?cursor=a", ""), key, now)
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "cursor=a", "cursor=b", 1)
				return r
			},
			reason: sigv4.SignatureMismatch,
		},
		{
			name: "temporary key without its token",
			req: func(t *testing.T) *http.Request {
				noToken := session
				noToken.SessionToken = ""
				return signed(t, request(t, http.MethodGet, api, ""), "", noToken, now)
			},
			reason:    sigv4.InvalidToken,
			errorType: "UnrecognizedClientException",
			message:   "The security token included in the request is invalid.",
		},
		{
			name: "temporary key with another token",
			req: func(t *testing.T) *http.Request {
				other := session
				other.SessionToken = "token-2"
				return signed(t, request(t, http.MethodGet, api, ""), "", other, now)
			},
			reason: sigv4.InvalidToken,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newVerifier().Verify(received(t, tc.req(t)))
			var f *sigv4.Failure
			require.ErrorAs(t, err, &f)
			assert.Equal(t, tc.reason, f.Reason)
			if tc.errorType != "" {
				assert.Equal(t, tc.errorType, f.ErrorType())
			}
			if tc.message != "" {
				assert.Equal(t, tc.message, f.Message)
			}
		})
	}
}

// mismatchMessage is API Gateway's mismatch message for a request signed at now in us-east-1.
func mismatchMessage(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := "AWS4-HMAC-SHA256\n20240105T100000Z\n20240105/us-east-1/execute-api/aws4_request\n" + hex.EncodeToString(sum[:])
	return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key " +
		"and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'" +
		canonical + "'\n\nThe String-to-Sign should have been\n'" + stringToSign + "'\n"
}

func TestVerifyLookupError(t *testing.T) {
	broken := errors.New("credential store unavailable")
	v := sigv4.New(func(context.Context, string) (aws.Credentials, bool, error) {
		return aws.Credentials{}, false, broken
	}, region, func(o *sigv4.Options) { o.Now = func() time.Time { return now } })
	_, err := v.Verify(received(t, signed(t, request(t, http.MethodGet, "https://h/api/version", ""), "", key, now)))
	require.ErrorIs(t, err, broken)
	var f *sigv4.Failure
	assert.False(t, errors.As(err, &f), "a failed lookup is no verdict on the request")
}

func TestVerifyOtherService(t *testing.T) {
	v := sigv4.New(sigv4.StaticCredentials(key), region, func(o *sigv4.Options) {
		o.Service = "lambda"
		o.Now = func() time.Time { return now }
	})
	req := request(t, http.MethodPost, "http://127.0.0.1:9001/2015-03-31/functions/f/invocations", "{}")
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), key, req, payloadHash("{}"), "lambda", region, now))
	_, err := v.Verify(received(t, req))
	require.NoError(t, err)
}
