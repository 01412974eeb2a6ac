package sigv4_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mie-go/mie-go/internal/sigv4"
)

// echoCaller answers with the access key of the verified caller.
var echoCaller = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, ok := sigv4.IdentityFrom(r.Context())
	if !ok {
		http.Error(w, "no identity", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%s %s", id.AccessKeyID, body)
})

func TestMiddleware(t *testing.T) {
	cases := []struct {
		name      string
		verifier  *sigv4.Verifier
		req       func(t *testing.T) *http.Request
		status    int
		errorType string
		body      string
	}{
		{
			name:     "signed request reaches the handler with its body and caller",
			verifier: newVerifier(),
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, http.MethodPost, "http://127.0.0.1/api/create", `{"a": 1}`), `{"a": 1}`, key, now)
			},
			status: http.StatusOK,
			body:   `AKIDEXAMPLE {"a": 1}`,
		},
		{
			name:     "unsigned",
			verifier: newVerifier(),
			req: func(t *testing.T) *http.Request {
				return request(t, http.MethodGet, "http://127.0.0.1/api/version", "")
			},
			status:    http.StatusForbidden,
			errorType: "MissingAuthenticationTokenException",
			body:      `{"message":"Missing Authentication Token"}`,
		},
		{
			name:     "expired",
			verifier: newVerifier(),
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, http.MethodGet, "http://127.0.0.1/api/version", ""), "", key, now.Add(-time.Hour))
			},
			status:    http.StatusForbidden,
			errorType: "InvalidSignatureException",
			body:      `{"message":"Signature expired: 20240105T090000Z is now earlier than 20240105T095500Z (20240105T100000Z - 5 min.)"}`,
		},
		{
			name: "credentials lookup failing",
			verifier: sigv4.New(func(context.Context, string) (aws.Credentials, bool, error) {
				return aws.Credentials{}, false, errors.New("down")
			}, region, func(o *sigv4.Options) { o.Now = func() time.Time { return now } }),
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, http.MethodGet, "http://127.0.0.1/api/version", ""), "", key, now)
			},
			status: http.StatusInternalServerError,
			body:   `{"message":"Internal server error"}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.verifier.Middleware(echoCaller).ServeHTTP(rec, received(t, tc.req(t)))
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.body, rec.Body.String())
			assert.Equal(t, tc.errorType, rec.Header().Get("x-amzn-ErrorType"))
		})
	}
}

func TestWriteErrorKeepsQuotesAndAngleBrackets(t *testing.T) {
	rec := httptest.NewRecorder()
	sigv4.WriteError(rec, &sigv4.Failure{Reason: sigv4.SignatureMismatch, Message: "a <b> & 'c'\nd"})
	require.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, `{"message":"a <b> & 'c'\nd"}`, rec.Body.String())
}
